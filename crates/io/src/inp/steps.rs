//! Steps and what they carry: `*STEP`, `*STATIC`, `*END STEP`, `*BOUNDARY`, `*CLOAD`,
//! `*DLOAD`, `*DSLOAD`.
//!
//! The load state persists across steps as in Abaqus/CalculiX (see the module
//! documentation of [`super`]): every entry remembers the step that defined it, so
//! `OP=NEW` removes exactly what was inherited from earlier steps; `*END STEP` takes a
//! snapshot of what is in effect as the step's [`LoadCase`].

use nalgebra::Vector3;
use std::collections::BTreeMap;

use osteon_assembly::IncrementControl;
use osteon_assembly::{DirichletBc, Gravity, LoadCase, NodalLoad, PressureLoad};
use osteon_mesh::{FaceRef, Surface};

use crate::error::IoError;

use super::StepInfo;
use super::fields::{self, clip};
use super::keyword::Keyword;
use super::reader::{OpenStep, Reader};
use super::sets::{self, Elements};
use super::source::{Cursor, DataLine, Loc};

/// A value and the step (0-based) that set it.
#[derive(Clone, Debug)]
struct Entry<V> {
    value: V,
    step: usize,
}

/// A `*DLOAD ..., GRAV` as in effect.
#[derive(Clone, Debug)]
pub(crate) struct GravityDef {
    pub elements: Option<Vec<usize>>,
    pub acceleration: [f64; 3],
    pub loc: Loc,
}

/// A completed step.
#[derive(Debug)]
pub(crate) struct StepRecord {
    pub name: String,
    pub loc: Loc,
    pub procedure: Option<String>,
    /// Increment control of the `*STATIC` data line.
    pub increments: Option<IncrementControl>,
    pub case: LoadCase,
    /// The model-level boundary conditions hold in this step (no `*BOUNDARY, OP=NEW` so far).
    pub model_boundary_active: bool,
    /// The `*DLOAD` line of each entry of `case.gravity`.
    pub gravity_locs: Vec<Loc>,
}

/// Boundary conditions and loads in effect.
#[derive(Debug, Default)]
pub(crate) struct LoadState {
    /// Model-level prescribed displacements: (node, component) → value (mm).
    pub model_boundary: BTreeMap<(usize, usize), f64>,
    model_boundary_removed: bool,
    boundary: BTreeMap<(usize, usize), Entry<f64>>,
    cload: BTreeMap<(usize, usize), Entry<f64>>,
    pressure: BTreeMap<FaceRef, Entry<f64>>,
    gravity: BTreeMap<String, Entry<GravityDef>>,
    dsload: BTreeMap<FaceRef, Entry<f64>>,
    /// Completed steps, in order.
    pub steps: Vec<StepRecord>,
}

/// Keep only the entries set in `step` (what `OP=NEW` does to inherited ones).
fn drop_inherited<K: Ord, V>(map: &mut BTreeMap<K, Entry<V>>, step: usize) {
    map.retain(|_, e| e.step == step);
}

/// `OP=` of a load or boundary card: true for `NEW`.
fn op_new(r: &Reader<'_>, kw: &Keyword) -> Result<bool, IoError> {
    match kw.choice("OP").as_deref() {
        None | Some("MOD") => Ok(false),
        Some("NEW") => Ok(true),
        Some(other) => Err(r.err(
            kw.loc,
            format!("*{}: OP={other} is not known; expected MOD or NEW", kw.name),
        )),
    }
}

/// Translational components of the Abaqus named boundary types (rotations do not exist on
/// solid nodes and are dropped silently).
fn named_boundary(name: &str) -> Option<&'static [usize]> {
    Some(match name.to_ascii_uppercase().as_str() {
        "ENCASTRE" | "PINNED" => &[0, 1, 2],
        "XSYMM" => &[0],
        "YSYMM" => &[1],
        "ZSYMM" => &[2],
        "XASYMM" => &[1, 2],
        "YASYMM" => &[0, 2],
        "ZASYMM" => &[0, 1],
        _ => return None,
    })
}

impl Reader<'_> {
    /// The index of the open step (0-based).
    fn step_index(&self) -> usize {
        self.loads.steps.len()
    }

    /// `*STEP [, NAME=] [, NLGEOM=]`.
    pub(super) fn step(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        if let Some(open) = &self.open_step {
            return Err(self.err(
                kw.loc,
                format!(
                    "*STEP inside step '{}' opened at {}: that step has no *END STEP",
                    open.name,
                    self.src.describe(open.loc)
                ),
            ));
        }
        let name = kw
            .value("NAME")
            .map(|n| fields::unquote(n).to_string())
            .unwrap_or_else(|| format!("Step-{}", self.step_index() + 1));
        if kw.flag("NLGEOM") {
            self.warn(kw.loc, "NLGEOM: geometric nonlinearity is not supported; the step is solved as linear (small strain)");
        }
        kw.ignore(&[
            "INC",
            "PERTURBATION",
            "UNSYMM",
            "AMPLITUDE",
            "EXTRAPOLATION",
            "CONVERT SDI",
            "SOLVER",
            "INCF",
            "THERMAL NETWORK",
            "SHOCK",
        ]);
        cur.skip_data(); // an optional step title
        self.open_step = Some(OpenStep {
            name,
            loc: kw.loc,
            procedure: None,
            increments: None,
        });
        Ok(())
    }

    /// `*STATIC [, DIRECT]`: the procedure, and its data line `Δt₀, T, Δt_min, Δt_max`
    /// (time incrementation) as an [`IncrementControl`] for contact steps
    /// ([`IncrementControl::from_static`]; `DIRECT`: fixed increments of Δt₀, never cut).
    /// A linear deck (no `*CONTACT PAIR`) ignores the line, as before.
    pub(super) fn static_procedure(
        &mut self,
        kw: &Keyword,
        cur: &mut Cursor<'_>,
    ) -> Result<(), IoError> {
        self.require_step(kw)?;
        let direct = kw.flag("DIRECT");
        kw.ignore_all();
        let contact = !self.contact.pairs.is_empty();
        let mut increments = None;
        if let Some(line) = cur.data()? {
            match static_line(line.text, direct) {
                Ok(c) => increments = c,
                Err(m) if contact => {
                    return Err(self.err(
                        line.loc,
                        format!("*STATIC: {m} in '{}' (expected: initial increment, step time, minimum increment, maximum increment)", clip(line.text)),
                    ));
                }
                Err(_) => {}
            }
            cur.skip_data();
        }
        if let Some(step) = &mut self.open_step {
            if let Some(p) = &step.procedure {
                let p = p.clone();
                return Err(self.err(
                    kw.loc,
                    format!("a step has one procedure; this one already has *{p}"),
                ));
            }
            step.procedure = Some("STATIC".to_string());
            step.increments = increments;
        }
        Ok(())
    }

    /// `*END STEP`: the loads in effect become the step's load case.
    pub(super) fn end_step(&mut self, kw: &Keyword) -> Result<(), IoError> {
        let Some(open) = self.open_step.take() else {
            return Err(self.err(kw.loc, "*END STEP without a *STEP"));
        };
        if open.procedure.is_none() {
            self.warn(open.loc, format!("step '{}' has no procedure keyword (*STATIC); it is solved as a linear static step", open.name));
        }
        let l = &self.loads;
        let mut case = LoadCase::new(open.name.clone());
        case.boundary = l
            .boundary
            .iter()
            .map(|(&(node, component), e)| DirichletBc {
                node,
                component,
                value: e.value,
            })
            .collect();
        case.nodal_loads = l
            .cload
            .iter()
            .map(|(&(node, component), e)| NodalLoad {
                node,
                component,
                value: e.value,
            })
            .collect();
        case.pressures = l
            .pressure
            .iter()
            .chain(l.dsload.iter())
            .map(|(&face, e)| PressureLoad {
                face,
                pressure: e.value,
            })
            .collect();
        let mut gravity_locs = Vec::new();
        for e in l.gravity.values() {
            case.gravity.push(Gravity {
                elements: e.value.elements.clone(),
                acceleration: e.value.acceleration,
            });
            gravity_locs.push(e.value.loc);
        }
        let model_boundary_active = !l.model_boundary_removed;
        self.loads.steps.push(StepRecord {
            name: open.name,
            loc: open.loc,
            procedure: open.procedure,
            increments: open.increments,
            case,
            model_boundary_active,
            gravity_locs,
        });
        Ok(())
    }

    /// `*BOUNDARY [, OP=]`: model-level outside a step, the step's otherwise.
    pub(super) fn boundary(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let step = self.open_step.as_ref().map(|_| self.step_index());
        if step.is_none() && !self.loads.steps.is_empty() {
            return Err(self.err(kw.loc, "*BOUNDARY after a step must be inside a *STEP ... *END STEP (model-level conditions come before the first *STEP)"));
        }
        match kw.choice("TYPE").as_deref() {
            None | Some("DISPLACEMENT") => {}
            Some(other) => {
                return Err(self.err(
                    kw.loc,
                    format!(
                        "*BOUNDARY, TYPE={other} is not supported (static analysis: DISPLACEMENT)"
                    ),
                ));
            }
        }
        if kw.has("AMPLITUDE") {
            self.warn(
                kw.loc,
                "*BOUNDARY, AMPLITUDE= ignored: a linear step applies the full value",
            );
        }
        kw.ignore(&["LOAD CASE"]);
        let new = op_new(self, kw)?;
        match step {
            Some(s) if new => {
                drop_inherited(&mut self.loads.boundary, s);
                self.loads.model_boundary_removed = true;
            }
            None if new => self.warn(kw.loc, "*BOUNDARY, OP=NEW outside a step has no effect"),
            _ => {}
        }
        while let Some(line) = cur.data()? {
            self.boundary_line(line, step)?;
        }
        Ok(())
    }

    fn boundary_line(&mut self, line: DataLine<'_>, step: Option<usize>) -> Result<(), IoError> {
        let src = self.src;
        let bad = |m: String| {
            src.error(
                line.loc,
                format!("*BOUNDARY: {m} in '{}' (expected: node or node set, first dof [, last dof [, value]], or a type such as ENCASTRE)", clip(line.text)),
            )
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if f.len() < 2 || f.len() > 4 {
            return Err(bad(format!("{} values", f.len())));
        }
        let mut components: Vec<usize> = Vec::with_capacity(3);
        let mut value = 0.0;
        if let Some(named) = (!fields::is_integer(f[1]))
            .then(|| named_boundary(f[1]))
            .flatten()
        {
            if f.len() > 2 {
                return Err(bad(format!("a value after the type {}", f[1])));
            }
            components.extend_from_slice(named);
        } else {
            let first = fields::int(f[1], "the first dof").map_err(bad)?;
            let last = match f.get(2) {
                Some(s) if !s.is_empty() => fields::int(s, "the last dof").map_err(bad)?,
                _ => first,
            };
            value = fields::float_or(f.get(3).copied(), 0.0, "the prescribed displacement")
                .map_err(bad)?;
            if !(1..=6).contains(&first) || !(1..=6).contains(&last) || last < first {
                return Err(bad(format!(
                    "dofs {first} to {last}: expected 1 ≤ first ≤ last ≤ 6 (1-3 displacements, 4-6 rotations)"
                )));
            }
            components.extend((first..=last.min(3)).map(|d| d as usize - 1));
            if last >= 4 {
                self.warn(
                    line.loc,
                    "*BOUNDARY: rotational dofs 4-6 do not exist on solid nodes and were ignored",
                );
            }
        }
        let target = sets::nodes(&self.mesh, f[0]).map_err(bad)?;
        if let Some(name) = target.set_name()
            && !self.constrained_sets.iter().any(|s| s == name)
        {
            self.constrained_sets.push(name.to_string());
        }
        for &node in target.indices() {
            for &c in &components {
                match step {
                    None => {
                        self.loads.model_boundary.insert((node, c), value);
                    }
                    Some(s) => {
                        self.loads
                            .boundary
                            .insert((node, c), Entry { value, step: s });
                    }
                }
            }
        }
        Ok(())
    }

    /// `*CLOAD [, OP=]`: `node or node set, dof, force (N)`.
    pub(super) fn cload(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        self.require_step(kw)?;
        let step = self.step_index();
        self.load_options(kw);
        if op_new(self, kw)? {
            drop_inherited(&mut self.loads.cload, step);
        }
        while let Some(line) = cur.data()? {
            let bad = |m: String| {
                self.err(
                    line.loc,
                    format!(
                        "*CLOAD: {m} in '{}' (expected: node or node set, dof 1-3, force)",
                        clip(line.text)
                    ),
                )
            };
            let f: Vec<&str> = fields::fields(line.text).collect();
            if f.len() != 3 {
                return Err(bad(format!("{} values", f.len())));
            }
            let dof = fields::int(f[1], "a dof").map_err(bad)?;
            let value = fields::float(f[2], "a force").map_err(bad)?;
            if (4..=6).contains(&dof) {
                sets::nodes(&self.mesh, f[0]).map_err(bad)?;
                self.warn(
                    line.loc,
                    format!(
                        "*CLOAD: a moment (dof {dof}) cannot act on solid nodes and was ignored"
                    ),
                );
                continue;
            }
            if !(1..=3).contains(&dof) {
                return Err(bad(format!("dof {dof} is not a force dof")));
            }
            let target = sets::nodes(&self.mesh, f[0]).map_err(bad)?;
            for &node in target.indices() {
                self.loads
                    .cload
                    .insert((node, dof as usize - 1), Entry { value, step });
            }
        }
        Ok(())
    }

    /// Parameters shared by the load keywords.
    fn load_options(&mut self, kw: &Keyword) {
        if kw.has("AMPLITUDE") {
            self.warn(
                kw.loc,
                format!(
                    "*{}, AMPLITUDE= ignored: a linear step applies the full value",
                    kw.name
                ),
            );
        }
        if kw.flag("FOLLOWER") {
            self.warn(
                kw.loc,
                format!(
                    "*{}, FOLLOWER ignored: loads keep their direction (small strain)",
                    kw.name
                ),
            );
        }
        kw.ignore(&["LOAD CASE", "FOLLOWER"]);
    }

    /// `*DLOAD [, OP=]`: `element or element set, Pn, pressure` or `[element set], GRAV, g, nx, ny, nz`.
    pub(super) fn dload(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        self.require_step(kw)?;
        let step = self.step_index();
        self.load_options(kw);
        if op_new(self, kw)? {
            drop_inherited(&mut self.loads.pressure, step);
            drop_inherited(&mut self.loads.gravity, step);
        }
        while let Some(line) = cur.data()? {
            self.dload_line(line, step)?;
        }
        Ok(())
    }

    fn dload_line(&mut self, line: DataLine<'_>, step: usize) -> Result<(), IoError> {
        let bad = |m: String| {
            self.err(
                line.loc,
                format!("*DLOAD: {m} in '{}' (expected: element or element set, Pn, pressure; or element set, GRAV, g, nx, ny, nz)", clip(line.text)),
            )
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if f.len() < 2 {
            return Err(bad(format!("{} values", f.len())));
        }
        let label = f[1].to_ascii_uppercase();
        if label == "GRAV" {
            if f.len() != 6 {
                return Err(bad(format!(
                    "GRAV takes 4 values (g, nx, ny, nz), found {}",
                    f.len() - 2
                )));
            }
            let g = fields::float(f[2], "the acceleration g").map_err(bad)?;
            let mut n = [0.0; 3];
            for k in 0..3 {
                n[k] = fields::float(f[3 + k], ["nx", "ny", "nz"][k]).map_err(bad)?;
            }
            let norm = Vector3::from(n).norm();
            if norm == 0.0 {
                return Err(bad("the gravity direction (nx, ny, nz) is zero".to_string()));
            }
            let (key, elements) = if f[0].is_empty() {
                (String::new(), None)
            } else {
                let target = sets::elements(&self.mesh, f[0]).map_err(bad)?;
                let key = target
                    .set_name()
                    .map_or_else(|| format!("#{}", f[0]), str::to_string);
                let all = target.indices().len() == self.mesh.n_elements();
                (key, (!all).then(|| target.indices().to_vec()))
            };
            let acceleration = [g * n[0] / norm, g * n[1] / norm, g * n[2] / norm];
            self.loads.gravity.insert(
                key,
                Entry {
                    value: GravityDef {
                        elements,
                        acceleration,
                        loc: line.loc,
                    },
                    step,
                },
            );
            return Ok(());
        }
        if f.len() != 3 {
            return Err(bad(format!("{} values", f.len())));
        }
        if self.mesh.surface(&f[0].to_ascii_uppercase()).is_ok()
            && self.mesh.element_set(&f[0].to_ascii_uppercase()).is_err()
        {
            return Err(bad(format!(
                "'{}' is a surface, not an element set: a pressure on a surface is *DSLOAD (surface, P, pressure), e.g. *DSLOAD then '{}, P, {}'",
                clip(f[0]),
                clip(f[0]),
                f.get(2).map_or("1.0", |v| v)
            )));
        }
        let face = match label.strip_prefix('P') {
            Some("") => {
                return Err(bad(
                    "'P' without a face number is the shell/beam form, which is not supported; for solid elements give the face: P1..P6 (or put the faces in a surface and use *DSLOAD surface, P, pressure)".to_string(),
                ));
            }
            Some(d) => match d.parse::<u8>() {
                Ok(n @ 1..=6) => n - 1,
                _ => {
                    return Err(bad(format!(
                        "load type '{}' is not supported (P1..P6, GRAV; a pressure on a named surface is *DSLOAD surface, P, pressure)",
                        clip(f[1])
                    )));
                }
            },
            None => {
                return Err(bad(format!(
                    "load type '{}' is not supported (P1..P6, GRAV; a pressure on a named surface is *DSLOAD surface, P, pressure)",
                    clip(f[1])
                )));
            }
        };
        let pressure = fields::float(f[2], "a pressure").map_err(bad)?;
        if f[0].is_empty() {
            return Err(bad("a pressure needs an element or element set".to_string()));
        }
        let target: Elements<'_> = sets::elements(&self.mesh, f[0]).map_err(bad)?;
        for &e in target.indices() {
            sets::check_face(&self.mesh, e, face).map_err(bad)?;
        }
        for &e in target.indices() {
            self.loads.pressure.insert(
                FaceRef { element: e, face },
                Entry {
                    value: pressure,
                    step,
                },
            );
        }
        Ok(())
    }

    /// `*DSLOAD [, OP=]`: `surface, P, pressure`.
    pub(super) fn dsload(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        self.require_step(kw)?;
        let step = self.step_index();
        self.load_options(kw);
        if op_new(self, kw)? {
            drop_inherited(&mut self.loads.dsload, step);
        }
        while let Some(line) = cur.data()? {
            let bad = |m: String| {
                self.err(
                    line.loc,
                    format!(
                        "*DSLOAD: {m} in '{}' (expected: element surface, P, pressure)",
                        clip(line.text)
                    ),
                )
            };
            let f: Vec<&str> = fields::fields(line.text).collect();
            if f.len() != 3 {
                return Err(bad(format!("{} values", f.len())));
            }
            if !f[1].eq_ignore_ascii_case("P") {
                return Err(bad(format!(
                    "load type '{}' is not supported (P)",
                    clip(f[1])
                )));
            }
            let pressure = fields::float(f[2], "a pressure").map_err(bad)?;
            let key = fields::name_key(f[0]);
            let faces = match self.mesh.surfaces.get(&key) {
                Some(Surface::Faces(faces)) => faces,
                Some(Surface::Nodes(_)) => {
                    return Err(bad(format!(
                        "surface '{key}' is a node surface; a pressure needs element faces"
                    )));
                }
                None => return Err(bad(format!("surface '{key}' is not defined"))),
            };
            for &face in faces {
                self.loads.dsload.insert(
                    face,
                    Entry {
                        value: pressure,
                        step,
                    },
                );
            }
        }
        Ok(())
    }
}

/// The public description of a step.
pub(crate) fn step_info(record: &StepRecord, index: usize, path: &std::path::Path) -> StepInfo {
    StepInfo {
        name: record.name.clone(),
        file: path.to_path_buf(),
        line: record.loc.line as usize,
        load_case: index,
        procedure: record.procedure.clone(),
        increments: record.increments,
    }
}

/// The `*STATIC` data line `Δt₀, T, Δt_min, Δt_max` (any may be empty or missing; values
/// after the fourth are ignored) as increment fractions; `None` for an empty line.
fn static_line(text: &str, direct: bool) -> Result<Option<IncrementControl>, String> {
    let mut v = [0.0; 4];
    let mut any = false;
    let what = [
        "the initial increment",
        "the step time",
        "the minimum increment",
        "the maximum increment",
    ];
    for (k, f) in fields::fields(text).take(4).enumerate() {
        v[k] = fields::float_or(Some(f), 0.0, what[k])?;
        if v[k] < 0.0 {
            return Err(format!("{} must be ≥ 0, found {}", what[k], v[k]));
        }
        any |= !f.is_empty();
    }
    if !any {
        return Ok(None);
    }
    if v[0] > 0.0 && v[1] > 0.0 && v[0] > v[1] {
        return Err(format!(
            "the initial increment {} is longer than the step time {}",
            v[0], v[1]
        ));
    }
    let c = IncrementControl::from_static(v[0], v[1], v[2], v[3]);
    Ok(Some(if direct {
        IncrementControl {
            initial: c.initial,
            minimum: c.initial,
            maximum: c.initial,
        }
    } else {
        c
    }))
}
