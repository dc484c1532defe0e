//! The study: one reconstruction under its load cases, compared with the intact bone.
//!
//! `Study` (TOML-readable, every field optional) → [`run_study`]: setup (build the mesh,
//! materials, both models) → solve (implanted and intact, one factorisation each for all
//! load cases) → postprocess ([`crate::metrics`]) → write (`report.json`, `report.md`) →
//! [`StudyRun`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use osteon_assembly::{
    Event, Labelled, Model, Observer, PhaseTimings, SolveOptions, StaticSolution,
    solve_linear_static_observed,
};
use osteon_contact::Friction;

use crate::builder::{CellCounts, Reconstruction, ScrewPlacement, build_reconstruction};
use crate::error::BiomechError;
use crate::frictional::{ContactCaseSummary, solve_frictional, split_docking_interface};
use crate::geometry::TibiaGeometry;
use crate::metrics::{CaseMetrics, Check, MetricInputs, case_metrics, checks};
use crate::model::{MaterialSummary, StudyMaterials};
use crate::patient::{PatientMeshSpec, build_patient_reconstruction};
use crate::plots::PlotFile;
use crate::spec::{
    DefectSpec, ELASTIC_SLIP_MM, ImplantSpec, InterfaceModel, LoadSpec, MeshSpec, MetricSpec,
    REFERENCE_INTERFACE_PRESSURE_MPA,
};
use osteon_material::PorousTantalum;

/// A reconstruction study (DESIGN.md §4). Every field has a default: the default study is the
/// seed case (63 mm mid-shaft defect, 72 % porous Ta, flange and screws, bonded, 70 kg at
/// 50 % and 100 % BW).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Study {
    /// Name for reports.
    pub name: String,
    /// Parametric tibia (ignored when `patient_mesh` is given).
    pub geometry: TibiaGeometry,
    /// An imported patient mesh instead of the parametric tibia (see [`crate::patient`]);
    /// `None` by default.
    pub patient_mesh: Option<PatientMeshSpec>,
    /// Segmental defect.
    pub defect: DefectSpec,
    /// Prosthesis, flange, screws.
    pub implant: ImplantSpec,
    /// Bone–implant interface.
    pub interface: InterfaceModel,
    /// Loads and support.
    pub loads: LoadSpec,
    /// Mesh density.
    pub mesh: MeshSpec,
    /// Metric settings.
    pub metrics: MetricSpec,
    /// Output folder for report.json and report.md; `None`: write nothing.
    pub output: Option<PathBuf>,
    /// Threads the solves split their work into, from the rayon pool the study runs in;
    /// `None`: every thread of that pool. The runner builds no pool: the CLI sizes its pool
    /// from this value (or `--threads`).
    pub threads: Option<usize>,
    /// Also write VTU files (one per load case, implanted and intact) into `output`; true.
    pub write_vtu: bool,
    /// What reading the study file noticed without refusing it (e.g. `implant.porosity` and
    /// `implant.modulus_mpa` both given), one line each with file:line; not part of the
    /// study itself.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Default for Study {
    fn default() -> Self {
        Self {
            name: String::new(),
            geometry: TibiaGeometry::default(),
            patient_mesh: None,
            defect: DefectSpec::default(),
            implant: ImplantSpec::default(),
            interface: InterfaceModel::default(),
            loads: LoadSpec::default(),
            mesh: MeshSpec::default(),
            metrics: MetricSpec::default(),
            output: None,
            threads: None,
            write_vtu: true,
            warnings: Vec::new(),
        }
    }
}

impl Study {
    /// Parse a study from TOML text (`file` names it in errors).
    ///
    /// Out-of-range parameters are reported here, with the key path and its line
    /// (`study.toml:7: invalid study parameter implant.porosity = 1.2: 0 < porosity < 1`).
    /// When both `implant.porosity` and `implant.modulus_mpa` are given, the modulus is used
    /// and the porosity sets only the density; [`Study::warnings`] says so.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Self, BiomechError> {
        let mut study: Study = toml::from_str(text).map_err(|e: toml::de::Error| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            BiomechError::StudyFile {
                file: file.into(),
                line,
                message: e.message().trim().to_string(),
            }
        })?;
        // Parameters out of range are the file's fault: say where. Other validation
        // failures (features not available, files) are reported when the study runs.
        if let Err(BiomechError::InvalidParameter {
            name,
            value,
            expected,
        }) = study.validate()
        {
            let line = crate::study_file::key_line(text, &name).unwrap_or(0);
            let message = BiomechError::invalid(name, value, expected).to_string();
            return Err(BiomechError::StudyFile {
                file: file.into(),
                line,
                message,
            });
        }
        if let (Some(p_line), Some(e_line), Some(e)) = (
            crate::study_file::key_line(text, "implant.porosity"),
            crate::study_file::key_line(text, "implant.modulus_mpa"),
            study.implant.modulus_mpa,
        ) {
            let p = study.implant.porosity;
            let gibson_ashby = PorousTantalum::from_porosity(p).map_or(f64::NAN, |t| t.modulus());
            study.warnings.push(format!(
                "{file}:{e_line}: warning: implant.modulus_mpa = {e} MPa is used for the prosthesis; \
                 implant.porosity = {p} (line {p_line}) sets only its density (its Gibson–Ashby \
                 modulus would be {gibson_ashby:.0} MPa)"
            ));
        }
        Ok(study)
    }

    /// Read a study file.
    /// A relative `patient_mesh.path` is taken relative to the study file's folder.
    pub fn from_path(path: &Path) -> Result<Self, BiomechError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BiomechError::Io(osteon_io::IoError::os(path, e)))?;
        let mut study = Self::from_toml_str(&text, &path.display().to_string())?;
        if let Some(p) = &mut study.patient_mesh
            && p.path.is_relative()
            && let Some(dir) = path.parent()
        {
            p.path = dir.join(&p.path);
        }
        Ok(study)
    }

    /// The study as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Check the whole study before any work: the interface model must be available.
    pub fn validate(&self) -> Result<(), BiomechError> {
        self.interface.require_available()?;
        if let InterfaceModel::Frictional { mu, .. } = self.interface {
            if self.patient_mesh.is_some() {
                return Err(BiomechError::NotYetAvailable {
                    feature: format!("the frictional interface (mu = {mu}) on a patient mesh"),
                    detail: "a patient mesh has no flange to hold the prosthesis between its two contact faces; \
                             use the parametric tibia or interface = { model = \"bonded\" }"
                        .into(),
                });
            }
            if !self.implant.flange.enabled {
                return Err(BiomechError::invalid(
                    "implant.flange.enabled",
                    0.0,
                    "the flange with a frictional interface (without it the prosthesis is held by friction alone, a mechanism)",
                ));
            }
        }
        if self.patient_mesh.is_none() {
            self.geometry.validate()?;
        }
        let p = self.implant.porosity;
        if !(p > 0.0 && p < 1.0) {
            return Err(BiomechError::invalid(
                "implant.porosity",
                p,
                "0 < porosity < 1",
            ));
        }
        if let Some(e) = self.implant.modulus_mpa
            && !(e > 0.0 && e.is_finite())
        {
            return Err(BiomechError::invalid(
                "implant.modulus_mpa",
                e,
                "a finite modulus > 0 MPa",
            ));
        }
        StudyMaterials::new(&self.implant)?;
        self.loads.validate()?;
        let s = self.metrics.lazy_zone_s;
        if !(s > 0.0 && s < 1.0) {
            return Err(BiomechError::invalid("metrics.lazy_zone_s", s, "0 < s < 1"));
        }
        let e = &self.metrics.band_edges_mm;
        if e.first() != Some(&0.0) || e.windows(2).any(|w| w[1] <= w[0]) {
            return Err(BiomechError::invalid(
                "metrics.band_edges_mm",
                e.first().copied().unwrap_or(f64::NAN),
                "increasing edges starting at 0 mm",
            ));
        }
        if let Some(t) = self.threads
            && t == 0
        {
            return Err(BiomechError::invalid("threads", 0.0, "≥ 1"));
        }
        Ok(())
    }
}

/// Announce a stage of the study.
fn stage(observer: &mut dyn Observer, what: &str) {
    observer.notify(&Event::Stage(what));
}

/// Phase timings (s) in a serialisable form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SolveTimings {
    /// DOF map, pattern, colouring.
    pub setup_s: f64,
    /// Stiffness assembly.
    pub assemble_s: f64,
    /// Ordering and symbolic factorisation.
    pub analyse_s: f64,
    /// Numeric factorisation (once for all cases).
    pub factorise_s: f64,
    /// Loads and solves, all cases.
    pub solve_s: f64,
    /// Stress recovery, all cases.
    pub recover_s: f64,
    /// Free unknowns.
    pub free_dofs: usize,
    /// Nonzeros of the Cholesky factor.
    pub factor_nnz: usize,
}

impl SolveTimings {
    fn from(sol: &StaticSolution) -> Self {
        let t: &PhaseTimings = &sol.timings;
        Self {
            setup_s: t.setup,
            assemble_s: t.assemble,
            analyse_s: t.analyse,
            factorise_s: t.factorise,
            solve_s: t.solve,
            recover_s: t.recover,
            free_dofs: sol.stats.n_free,
            factor_nnz: sol.stats.nnz_factor,
        }
    }

    /// Sum of the phases (s).
    pub fn total_s(&self) -> f64 {
        self.setup_s
            + self.assemble_s
            + self.analyse_s
            + self.factorise_s
            + self.solve_s
            + self.recover_s
    }
}

/// Wall-clock times of the study (s).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudyTimings {
    /// Mesh, constraints and models.
    pub build_s: f64,
    /// Implanted model.
    pub implanted: SolveTimings,
    /// Intact model.
    pub intact: SolveTimings,
    /// Metrics.
    pub metrics_s: f64,
    /// Writing files.
    pub write_s: f64,
    /// Whole study.
    pub total_s: f64,
    /// The intact solution came from an [`IntactCache`] (its timings are those of the
    /// original solve).
    #[serde(default)]
    pub intact_cached: bool,
}

/// Mesh statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeshSummary {
    /// Element type (Abaqus name).
    pub element_type: String,
    /// Nodes of the implanted / intact model.
    pub nodes: [usize; 2],
    /// Elements of the implanted / intact model.
    pub elements: [usize; 2],
    /// Elements: cortical, cancellous, prosthesis, flange, screws.
    pub elements_by_region: [usize; 5],
    /// Cells around, through the wall, radial in the core, along z; sizes.
    pub cells: CellCounts,
    /// Smallest scaled Jacobian (1 = undistorted).
    pub min_scaled_jacobian: f64,
    /// Flange nodes tied and the largest gap closed (mm).
    pub flange_tie: Option<(usize, f64)>,
    /// Screws.
    pub screws: Vec<ScrewPlacement>,
    /// Constraint equations (ties and embeddings).
    pub equations: usize,
}

/// One load case: metrics and checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// The metrics.
    pub metrics: CaseMetrics,
    /// Pass/fail against the clinical targets.
    pub checks: Vec<Check>,
}

/// Everything a study produces, as written to report.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyReport {
    /// The inputs, with every default filled in.
    pub study: Study,
    /// Body weight (N).
    pub body_weight_n: f64,
    /// Porous-Ta modulus used (MPa).
    pub implant_modulus_mpa: f64,
    /// Docking planes (mm).
    pub defect_z_mm: [f64; 2],
    /// Materials.
    pub materials: Vec<MaterialSummary>,
    /// Mesh.
    pub mesh: MeshSummary,
    /// Per load case.
    pub cases: Vec<CaseReport>,
    /// Timings.
    pub timings: StudyTimings,
    /// Modelling notes and limitations.
    pub notes: Vec<String>,
    /// Files written besides the report (VTU, PVD), relative to the output folder.
    pub files: Vec<String>,
    /// Plots written besides the report (SVG), relative to the output folder.
    #[serde(default)]
    pub plots: Vec<PlotFile>,
    /// Frictional interface: what the contact analysis of each load case did (empty when
    /// bonded).
    #[serde(default)]
    pub contact: Vec<ContactCaseSummary>,
}

/// A finished study: the report, the model and both solutions (for VTU output or further
/// post-processing).
pub struct StudyRun {
    /// The report.
    pub report: StudyReport,
    /// The built reconstruction.
    pub reconstruction: Reconstruction,
    /// Implanted solution, one case per load case.
    pub implanted: StaticSolution,
    /// Intact solution, same cases.
    pub intact: StaticSolution,
}

/// Notes that every report carries: the modelling simplifications.
fn notes(study: &Study) -> Vec<String> {
    let geometry = match &study.patient_mesh {
        None => "Geometry: the biomechanics.md §2 surrogate (hollow elliptical shaft, linear flares, cancellous metaphyses), not a patient CT; +x is lateral, z the long axis (0 distal).".to_string(),
        Some(p) => format!(
            "Geometry: patient mesh {} (bone sets {} / {}); the bone elements whose centroid lies in the defect's z range are the porous-Ta prosthesis, bonded through shared nodes; no flange or screws (parametric tibia only); metaphysis/diaphysis limits for the shielding zones: {}.",
            p.path.display(),
            p.cortical_set,
            p.cancellous_set,
            match p.diaphysis_mm {
                Some(d) => format!("diaphysis {:.1}–{:.1} mm (study file)", d[0], d[1]),
                None => "the surrogate's proportions (50/360 distal, 70/360 proximal)".into(),
            }
        ),
    };
    let interface = match study.interface {
        InterfaceModel::Bonded => "Interface: bonded (post-ingrowth). The prosthesis shares nodes with the bone at both docking faces; the flange is tied to the periosteal surface; screws are embedded. Micromotion is therefore not applicable (run interface = { model = \"frictional\", mu = 0.74 } for it).".to_string(),
        InterfaceModel::Frictional { mu, .. } => format!("Interface: frictional (immediately post-operative). The prosthesis has its own nodes at both docking faces, in node-to-surface Coulomb contact with the bone (osteon-contact; prosthesis end faces slave, bone docking faces master; hard contact, mu = {mu}, Zhang 1999 unverified; stick stiffness k_T = {:.2} MPa/mm{}); the flange stays tied to bone and prosthesis and the screws embedded, so the flange carries what friction does not. Each load case is solved from the unloaded state, so micromotion is the tangential slip (elastic stick part included) of the prosthesis end faces relative to the bone points they touch, relative to the unloaded state, interpolated from the nodes to the face quadrature points and weighted by area; interface displacement is taken at the bone-side nodes.",
            study.interface.stick_stiffness().unwrap_or(0.0),
            match study.interface {
                InterfaceModel::Frictional { stick_stiffness_mpa_per_mm: Some(_), .. } => " from the study file".to_string(),
                _ => format!(", the default mu·{REFERENCE_INTERFACE_PRESSURE_MPA} MPa/{ELASTIC_SLIP_MM} mm: porous coatings on bone slide 50–400 µm before full friction, and the friction tests ran at 0.5–1.5 MPa, biomechanics.md §4; so a sticking node moves up to mu·p/k_T"),
            }),
    };
    let mut n = vec![
        interface,
        geometry,
        "Screws: threadless Ti-6Al-4V cylinders embedded in flange and bone (u = Σ N_a(ξ) u_a of the host element; no hole, screw volume counted twice); nodes in the empty canal are free.".to_string(),
        "Stress shielding compares integration points of the same bone elements in the implanted and intact models under the same load; it is load-independent in this linear model.".to_string(),
        "Peaks are single integration points on stress singularities (the plateau rim under the load, embedded screw tips, flange edges) and grow under mesh refinement; the 99th percentiles and means are the mesh-converged values (examples/mesh_convergence.rs: < 5 % change from the 3 mm to the 2 mm mesh). The pass/fail checks still use the peaks, the conservative reading.".to_string(),
        "Porous-Ta fatigue: the peak von Mises stress at the case load is compared with the 10 MPa fatigue stress of the seed specimens (conservative: the load cycles from 0 to the peak).".to_string(),
    ];
    if study.implant.modulus_mpa.is_none() {
        n.push("Porous-Ta modulus from Gibson–Ashby with C = 1 (unverified): an ideal upper estimate; measured SLM lattices are 1.3–5.7 GPa (biomechanics.md §4) — run the modulus sweep.".into());
    }
    n
}

/// Notes on the contact state of a frictional study: a fully sticking interface moves only
/// by its elastic stick compliance τ/k_T.
fn contact_notes(study: &Study, contact: &[ContactCaseSummary]) -> Vec<String> {
    let InterfaceModel::Frictional { mu, .. } = study.interface else {
        return Vec::new();
    };
    contact
        .iter()
        .map(|c| {
            let [n_contact, stick, slip] = c.contact_stick_slip;
            let mut line = format!(
                "Contact, {}: {} of {} interface nodes in contact ({stick} sticking, {slip} slipping), {} open; {} increment(s), {} Newton solves, {:.1} s.",
                c.case,
                n_contact,
                c.slave_nodes,
                c.slave_nodes - n_contact,
                c.increments,
                c.solves,
                c.seconds
            );
            if slip == 0 && n_contact > 0 {
                line.push_str(&format!(
                    " No node slips: the interface sticks (mu = {mu}), and the micromotion reported is its elastic tangential compliance τ/k_T (k_T = {:.2} MPa/mm), below the sliding limit mu·p/k_T.",
                    study.interface.stick_stiffness().unwrap_or(0.0)
                ));
            }
            line
        })
        .collect()
}

/// Run a study: build, solve the implanted and intact models, compute the metrics, and write
/// report.json and report.md into `study.output` when it is set.
pub fn run_study(study: &Study, observer: &mut dyn Observer) -> Result<StudyRun, BiomechError> {
    run_study_cached(study, observer, None)
}

/// Intact-model solutions kept across the studies of a sweep: the intact reference depends
/// on the bone mesh, the bone materials, the support and the loads, not on the implant, so
/// studies that differ only in the prosthesis (modulus, porosity) share one intact solve.
/// A cached solution is reused only when the new intact model is identical (mesh, materials,
/// sections, constraints, load cases), so a changed defect length (which moves the mesh's
/// docking planes) or mesh size solves again.
#[derive(Debug, Default)]
pub struct IntactCache {
    entries: Vec<(Model, StaticSolution)>,
    /// Intact solves served from the cache.
    pub hits: usize,
    /// Intact solves computed.
    pub misses: usize,
    /// Solver time saved (s): the summed phase times of the reused solutions.
    pub saved_s: f64,
}

impl IntactCache {
    /// How many solutions to keep (a sweep varies the implant fastest).
    const CAPACITY: usize = 2;

    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn same(a: &Model, b: &Model) -> bool {
        a.mesh == b.mesh
            && a.materials == b.materials
            && a.sections == b.sections
            && a.boundary == b.boundary
            && a.equations == b.equations
            && a.load_cases == b.load_cases
    }

    fn get(&mut self, model: &Model) -> Option<StaticSolution> {
        let hit = self
            .entries
            .iter()
            .find(|(m, _)| Self::same(m, model))
            .map(|(_, s)| s.clone());
        if let Some(s) = &hit {
            self.hits += 1;
            self.saved_s += SolveTimings::from(s).total_s();
        }
        hit
    }

    fn put(&mut self, model: Model, solution: StaticSolution) {
        self.misses += 1;
        if self.entries.len() >= Self::CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push((model, solution));
    }
}

/// Build the reconstruction of a study: the parametric tibia, or the imported patient mesh.
pub fn build_study_reconstruction(study: &Study) -> Result<Reconstruction, BiomechError> {
    match &study.patient_mesh {
        Some(p) => build_patient_reconstruction(p, &study.defect, &study.implant, &study.loads),
        None => build_reconstruction(&study.geometry, &study.defect, &study.implant, &study.mesh),
    }
}

/// [`run_study`] with an optional [`IntactCache`] shared across calls (a sweep).
pub fn run_study_cached(
    study: &Study,
    observer: &mut dyn Observer,
    cache: Option<&mut IntactCache>,
) -> Result<StudyRun, BiomechError> {
    let t0 = Instant::now();
    study.validate()?;
    stage(
        observer,
        if study.patient_mesh.is_some() {
            "reading the patient mesh (bone sets, defect, prosthesis)"
        } else {
            "building the mesh (tibia, defect, prosthesis, flange, screws)"
        },
    );
    let rec = build_study_reconstruction(study)?;
    let materials = StudyMaterials::new(&study.implant)?;
    let split = match study.interface {
        InterfaceModel::Frictional { mu, .. } => Some(split_docking_interface(
            &rec,
            Friction {
                mu,
                stick_slope: study.interface.stick_stiffness().filter(|&k| k > 0.0),
            },
        )?),
        InterfaceModel::Bonded => None,
    };
    let implanted_rec = split.as_ref().map_or(&rec, |s| &s.reconstruction);
    let mut implanted_model = implanted_rec.implanted_model(&materials, &study.loads)?;
    if let Some(s) = &split {
        implanted_model.contact_pairs = s.pairs.clone();
    }
    let intact_model = rec.intact_model(&materials, &study.loads)?;
    let build_s = t0.elapsed().as_secs_f64();
    let [c, k, i, f, s] = rec.region_counts();
    stage(
        observer,
        &format!(
            "mesh: {} nodes, {} elements (cortical {c}, cancellous {k}, prosthesis {i}, flange {f}, screws {s}); intact reference {} nodes",
            rec.mesh.n_nodes(),
            rec.mesh.n_elements(),
            rec.n_intact_nodes
        ),
    );

    let threads = study.threads.unwrap_or(0);
    let options = SolveOptions {
        threads,
        ..SolveOptions::default()
    };
    let (implanted, slip, contact) = match &split {
        None => {
            stage(observer, "solving the implanted model");
            let sol = solve_linear_static_observed(
                &implanted_model,
                &options,
                &mut Labelled {
                    label: "implanted",
                    inner: observer,
                },
            )?;
            (sol, None, Vec::new())
        }
        Some(s) => {
            stage(
                observer,
                &format!(
                    "solving the implanted model with frictional contact ({} duplicated docking nodes; each load case from the unloaded state)",
                    s.copies.len()
                ),
            );
            let f = solve_frictional(&implanted_model, threads, observer)?;
            (f.solution, Some(f.slip), f.summary)
        }
    };
    let mut cache = cache;
    let reused = match cache.as_deref_mut() {
        Some(c) => c.get(&intact_model),
        None => None,
    };
    let (intact, intact_cached) = match reused {
        Some(sol) => {
            stage(
                observer,
                "intact reference: the same model was solved before, reused",
            );
            (sol, true)
        }
        None => {
            stage(observer, "solving the intact reference");
            let sol = solve_linear_static_observed(
                &intact_model,
                &options,
                &mut Labelled {
                    label: "intact",
                    inner: observer,
                },
            )?;
            if let Some(c) = cache {
                c.put(intact_model.clone(), sol.clone());
            }
            (sol, false)
        }
    };

    stage(observer, "computing metrics");
    let t_metrics = Instant::now();
    for (a, b) in implanted.cases.iter().zip(&intact.cases) {
        if a.fields.point_ptr.get(rec.n_bone_elements)
            != b.fields.point_ptr.get(rec.n_bone_elements)
        {
            return Err(BiomechError::construction(
                "implanted and intact bone integration points do not correspond",
            ));
        }
    }
    let bw = study.loads.body_weight_n();
    let cases: Vec<CaseReport> = study
        .loads
        .cases()
        .iter()
        .zip(implanted.cases.iter().zip(&intact.cases))
        .enumerate()
        .map(|(k, ((_, fraction, share), (imp, int)))| {
            let metrics = case_metrics(&MetricInputs {
                rec: implanted_rec,
                implanted: imp,
                intact: int,
                spec: &study.metrics,
                interface: &study.interface,
                flange_material: study.implant.flange.material,
                load: (*fraction, *share, fraction * bw),
                slip: slip.as_ref().and_then(|s| s.get(k)).map(|v| v.as_slice()),
            });
            let checks = checks(&metrics, &study.metrics);
            CaseReport { metrics, checks }
        })
        .collect();
    let metrics_s = t_metrics.elapsed().as_secs_f64();

    let mesh = MeshSummary {
        element_type: rec
            .mesh
            .blocks
            .first()
            .map(|b| b.etype.abaqus_name().to_string())
            .unwrap_or_default(),
        nodes: [rec.mesh.n_nodes(), rec.n_intact_nodes],
        elements: [rec.mesh.n_elements(), rec.n_intact_elements],
        elements_by_region: rec.region_counts(),
        cells: rec.cells.clone(),
        min_scaled_jacobian: rec.quality.min_scaled_jacobian,
        flange_tie: rec.tie.as_ref().map(|t| (t.tied, t.max_distance)),
        screws: rec.screws.clone(),
        equations: rec.equations.len(),
    };
    let mut report = StudyReport {
        study: study.clone(),
        body_weight_n: bw,
        implant_modulus_mpa: materials.porous.modulus(),
        defect_z_mm: rec.defect_z,
        materials: materials.summary(study.implant.flange.material),
        mesh,
        cases,
        timings: StudyTimings {
            build_s,
            implanted: SolveTimings::from(&implanted),
            intact: SolveTimings::from(&intact),
            metrics_s,
            write_s: 0.0,
            total_s: 0.0,
            intact_cached,
        },
        notes: {
            let mut n = notes(study);
            n.extend(contact_notes(study, &contact));
            n
        },
        files: Vec::new(),
        plots: Vec::new(),
        contact,
    };
    if let Some(dir) = &study.output {
        stage(observer, &format!("writing {}", dir.display()));
        let t = Instant::now();
        if study.write_vtu {
            let files = crate::output::write_study_vtu(
                dir,
                &rec,
                [&implanted_model, &intact_model],
                [&implanted, &intact],
                &study.metrics,
            )?;
            report.files = files
                .iter()
                .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
        }
        report.plots = crate::plots::write_study_plots(&report, dir)?;
        report.timings.total_s = t0.elapsed().as_secs_f64();
        crate::report::write_report(&report, dir)?;
        report.timings.write_s = t.elapsed().as_secs_f64();
    }
    report.timings.total_s = t0.elapsed().as_secs_f64();
    observer.notify(&Event::Done {
        seconds: report.timings.total_s,
    });
    Ok(StudyRun {
        report,
        reconstruction: rec,
        implanted,
        intact,
    })
}
