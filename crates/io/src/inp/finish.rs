//! Deck → model: everything that needs the whole deck. Sections are resolved (the
//! material may be defined after the section), every element must have exactly one
//! section, gravity needs a density, ties become equations, and the model-level boundary
//! conditions are placed (see the module documentation of [`super`]).

use osteon_mesh::Mesh;
use std::collections::BTreeSet;

use osteon_assembly::{
    DirichletBc, Equation, Model, Section, Tie, TieReport, adjust_tied_nodes, tie_equations,
};
use osteon_material::{Elastic, Material};
use osteon_mesh::Surface;

use crate::error::IoError;
use crate::units::Subject;

use super::reader::Reader;
use super::source::Loc;
use super::steps::step_info;
use super::{Deck, StepInfo, Warning};

/// No section yet.
const NONE: usize = usize::MAX;

/// Name and report of each tie.
type TieReports = Vec<(String, TieReport)>;

impl Reader<'_> {
    /// The checks every deck must pass: no open step, some nodes, some elements.
    fn check_complete(&self) -> Result<(), IoError> {
        let whole = Loc { file: 0, line: 0 };
        if let Some(open) = &self.open_step {
            return Err(self.err(
                open.loc,
                format!("step '{}' opened here has no *END STEP (the deck ends before the step is closed)", open.name),
            ));
        }
        if self.mesh.n_nodes() == 0 {
            return Err(self.err(whole, "the deck defines no nodes: expected a *NODE block"));
        }
        if self.mesh.n_elements() == 0 {
            return Err(self.err(
                whole,
                "the deck defines no elements: expected an *ELEMENT block",
            ));
        }
        Ok(())
    }

    /// Check the deck as a mesh only and hand out the mesh.
    pub(super) fn finish_mesh(self) -> Result<Mesh, IoError> {
        self.check_complete()?;
        Ok(self.mesh)
    }

    /// Check the deck as a whole and build the model.
    pub(super) fn finish(mut self) -> Result<Deck, IoError> {
        let whole = Loc { file: 0, line: 0 };
        self.check_complete()?;
        let materials = self.build_materials()?;
        let (sections, owner) = self.build_sections(&materials)?;
        self.check_gravity(&materials, &sections, &owner)?;
        let (equations, tie_reports) = self.build_ties()?;
        let contact_pairs = self.build_contact()?;

        let all_active = self.loads.steps.iter().all(|s| s.model_boundary_active);
        let model_boundary: Vec<DirichletBc> = self
            .loads
            .model_boundary
            .iter()
            .map(|(&(node, component), &value)| DirichletBc {
                node,
                component,
                value,
            })
            .collect();
        if self.loads.steps.is_empty() {
            self.warn(whole, "the deck has no *STEP: the model has no load cases");
        }
        // contact decks may be loaded by a press fit alone (geometric interference)
        if contact_pairs.is_empty() {
            self.check_steps_apply_something(&model_boundary, all_active)?;
        }
        let path = |r: &Reader<'_>, loc: Loc| r.src.path(loc).to_path_buf();
        let mut steps: Vec<StepInfo> = Vec::with_capacity(self.loads.steps.len());
        let mut load_cases = Vec::with_capacity(self.loads.steps.len());
        for (i, record) in std::mem::take(&mut self.loads.steps)
            .into_iter()
            .enumerate()
        {
            steps.push(step_info(&record, i, &path(&self, record.loc)));
            let mut case = record.case;
            if !all_active && record.model_boundary_active {
                let own: BTreeSet<(usize, usize)> = case
                    .boundary
                    .iter()
                    .map(|b| (b.node, b.component))
                    .collect();
                let mut full: Vec<DirichletBc> = model_boundary
                    .iter()
                    .filter(|b| !own.contains(&(b.node, b.component)))
                    .copied()
                    .collect();
                full.append(&mut case.boundary);
                case.boundary = full;
            }
            case.increments = record.increments.unwrap_or_default();
            load_cases.push(case);
        }
        let files = self.src.files.iter().map(|f| f.path.clone()).collect();
        let mut model = Model::new(std::mem::take(&mut self.mesh));
        model.materials = materials;
        model.sections = sections;
        model.boundary = if all_active {
            model_boundary
        } else {
            Vec::new()
        };
        model.equations = equations;
        model.load_cases = load_cases;
        model.contact_pairs = contact_pairs;
        for w in crate::units::check_units(&model) {
            let loc = match w.subject {
                Subject::Material(i) => self.materials.get(i).map_or(whole, |m| m.loc),
                Subject::Geometry | Subject::LoadCase(_) => whole,
            };
            let mut warning = Warning {
                file: self.src.path(loc).to_path_buf(),
                line: loc.line as usize,
                message: w.message,
            };
            if let Subject::LoadCase(i) = w.subject
                && let Some(step) = steps.get(i)
            {
                warning.file.clone_from(&step.file);
                warning.line = step.line;
                warning.message = format!("step '{}': {}", step.name, warning.message);
            }
            self.warnings.push(warning);
        }
        Ok(Deck {
            model,
            warnings: self.warnings,
            steps,
            tie_reports,
            files,
            constrained_sets: self.constrained_sets,
        })
    }

    /// Error naming the first step of a linear deck that applies no load and no non-zero
    /// prescribed displacement: its solution is zero, which is never what the deck's author
    /// meant (typically a misspelled or forgotten load card).
    fn check_steps_apply_something(
        &self,
        model_boundary: &[DirichletBc],
        all_active: bool,
    ) -> Result<(), IoError> {
        for record in &self.loads.steps {
            let from_model = (all_active || record.model_boundary_active)
                && model_boundary.iter().any(|b| b.value != 0.0);
            if !from_model && !record.case.applies_anything() {
                return Err(self.err(
                    record.loc,
                    format!("step '{}' applies no load and no non-zero prescribed displacement, so its solution is zero: add a *CLOAD, *DLOAD, *DSLOAD or a *BOUNDARY with a value (is a load keyword misspelled?)", record.name),
                ));
            }
        }
        Ok(())
    }

    fn build_materials(&self) -> Result<Vec<Material>, IoError> {
        self.materials
            .iter()
            .map(|m| {
                let elastic = m.elastic.clone().ok_or_else(|| {
                    self.err(m.loc, format!("material '{}' has no elastic constants: add an *ELASTIC line and its data after *MATERIAL", m.name))
                })?;
                let material = Material::new(m.name.clone(), elastic);
                Ok(match m.density {
                    Some(rho) => material.with_density(rho),
                    None => material,
                })
            })
            .collect()
    }

    /// Sections in deck order and the section of each element.
    fn build_sections(
        &mut self,
        materials: &[Material],
    ) -> Result<(Vec<Section>, Vec<usize>), IoError> {
        let mut owner = vec![NONE; self.mesh.n_elements()];
        let mut sections = Vec::with_capacity(self.sections.len());
        let defs = std::mem::take(&mut self.sections);
        let mut notes = Vec::new();
        for (s, def) in defs.iter().enumerate() {
            let elements = self.mesh.element_sets.get(&def.elset).ok_or_else(|| {
                self.err(def.loc, format!("*SOLID SECTION: element set '{}' is not defined (define it with *ELSET or *ELEMENT, ELSET=)", def.elset))
            })?;
            let material = self
                .material_index
                .get(&def.material.to_ascii_uppercase())
                .copied()
                .ok_or_else(|| {
                    self.err(
                        def.loc,
                        format!(
                            "*SOLID SECTION: material '{}' is not defined (no *MATERIAL, NAME={})",
                            def.material, def.material
                        ),
                    )
                })?;
            if let Some(orientation) = &def.orientation {
                if matches!(materials[material].elastic, Elastic::Isotropic(_)) {
                    notes.push((def.loc, format!("*SOLID SECTION: ORIENTATION={orientation} ignored (the material is isotropic)")));
                } else {
                    return Err(self.err(
                        def.loc,
                        format!("*SOLID SECTION: ORIENTATION={orientation} is not supported: material axes are the global x, y, z"),
                    ));
                }
            }
            for &e in elements {
                if owner[e] != NONE {
                    let other = &defs[owner[e]];
                    return Err(self.err(
                        def.loc,
                        format!(
                            "element {} is already in the section of element set '{}' at {}: every element needs exactly one section",
                            self.mesh.element(e).id,
                            other.elset,
                            self.src.describe(other.loc)
                        ),
                    ));
                }
                owner[e] = s;
            }
            sections.push(Section {
                elements: elements.clone(),
                material,
                name: def.elset.clone(),
            });
        }
        self.sections = defs;
        for (loc, note) in notes {
            self.warn(loc, note);
        }
        let missing = owner.iter().filter(|&&o| o == NONE).count();
        if let Some(e) = owner.iter().position(|&o| o == NONE) {
            let el = self.mesh.element(e);
            return Err(self.err(
                self.element_locs[e],
                format!(
                    "element {} ({}) has no section ({missing} element(s) have none): assign a material with *SOLID SECTION, ELSET=..., MATERIAL=...",
                    el.id,
                    el.etype.abaqus_name()
                ),
            ));
        }
        Ok((sections, owner))
    }

    /// Gravity needs the density of every loaded element's material.
    fn check_gravity(
        &self,
        materials: &[Material],
        sections: &[Section],
        owner: &[usize],
    ) -> Result<(), IoError> {
        for step in &self.loads.steps {
            for (g, &loc) in step.case.gravity.iter().zip(&step.gravity_locs) {
                let check = |e: usize| -> Result<(), IoError> {
                    let m = &materials[sections[owner[e]].material];
                    if m.density.is_none() {
                        return Err(self.err(
                            loc,
                            format!(
                                "*DLOAD GRAV on element {} whose material '{}' has no *DENSITY",
                                self.mesh.element(e).id,
                                m.name
                            ),
                        ));
                    }
                    Ok(())
                };
                match &g.elements {
                    Some(list) => list.iter().try_for_each(|&e| check(e))?,
                    None => (0..self.mesh.n_elements()).try_for_each(check)?,
                }
            }
        }
        Ok(())
    }

    /// The equations of `*EQUATION` and of every `*TIE`, and the tie reports.
    fn build_ties(&mut self) -> Result<(Vec<Equation>, TieReports), IoError> {
        let mut equations = std::mem::take(&mut self.equations);
        let mut reports = Vec::with_capacity(self.ties.len());
        let ties = std::mem::take(&mut self.ties);
        for def in &ties {
            let slave_nodes = match self.mesh.surfaces.get(&def.slave) {
                Some(surface) => self.mesh.surface_nodes(surface),
                None => {
                    return Err(self.err(
                        def.loc,
                        format!(
                            "*TIE '{}': slave surface '{}' is not defined (*SURFACE, NAME=)",
                            def.name, def.slave
                        ),
                    ));
                }
            };
            let master_faces = match self.mesh.surfaces.get(&def.master) {
                Some(Surface::Faces(f)) => f.clone(),
                Some(Surface::Nodes(_)) => {
                    return Err(self.err(
                        def.loc,
                        format!("*TIE '{}': master surface '{}' is a node surface; the master must be element faces (TYPE=ELEMENT)", def.name, def.master),
                    ));
                }
                None => {
                    return Err(self.err(
                        def.loc,
                        format!(
                            "*TIE '{}': master surface '{}' is not defined (*SURFACE, NAME=)",
                            def.name, def.master
                        ),
                    ));
                }
            };
            let tie = Tie {
                name: def.name.clone(),
                slave_nodes,
                master_faces,
                position_tolerance: def.tolerance,
            };
            if def.adjust {
                adjust_tied_nodes(&mut self.mesh, &tie)
                    .map_err(|e| self.err(def.loc, format!("*TIE '{}': {e}", def.name)))?;
            }
            let (eqs, report) = tie_equations(&self.mesh, &tie)
                .map_err(|e| self.err(def.loc, format!("*TIE '{}': {e}", def.name)))?;
            if !report.too_far.is_empty() {
                let ids: Vec<String> = report
                    .too_far
                    .iter()
                    .take(5)
                    .map(|&(n, _)| self.mesh.node_ids[n].to_string())
                    .collect();
                let worst = report
                    .too_far
                    .iter()
                    .map(|&(_, d)| d)
                    .fold(0.0_f64, f64::max);
                let worst = if worst.is_finite() {
                    format!("{worst:.4e} mm")
                } else {
                    "no master face within reach".to_string()
                };
                let message = format!(
                    "*TIE '{}': {} of {} slave nodes are farther than the position tolerance {:.4e} mm from the master surface and are NOT tied (nodes {}{}; largest distance {worst})",
                    def.name,
                    report.too_far.len(),
                    tie.slave_nodes.len(),
                    report.tolerance,
                    ids.join(", "),
                    if report.too_far.len() > 5 {
                        ", …"
                    } else {
                        ""
                    },
                );
                self.warn(def.loc, message);
            }
            equations.extend(eqs);
            reports.push((def.name.clone(), report));
        }
        self.ties = ties;
        Ok((equations, reports))
    }
}
