//! Output of a frictional contact analysis ([`osteon_contact::solve_contact`]): VTU point
//! data of the contact fields, the per-step VTU/PVD set, and the JSON summary with a
//! `contact` section per step.
//!
//! Point data written besides the usual `node_id`, `displacement`, `stress`, `von_mises`,
//! `reaction` (see [`crate::vtu`]):
//!
//! | name | type | components | meaning |
//! |---|---|---|---|
//! | `contact_pressure` | Float64 | 1 | contact pressure (MPa); 0 off contact |
//! | `slip` | Float64 | 3 | tangential slip of a slave node against its master point since the unloaded state (mm) |
//! | `slip_magnitude` | Float64 | 1 | \|slip\| (mm): the micromotion |
//! | `contact_status` | Int32 | 1 | 0 open, 1 stick, 2 slip; −1 not a slave node |
//!
//! ```no_run
//! # fn demo(deck: &osteon_io::inp::Deck) -> Result<(), Box<dyn std::error::Error>> {
//! use osteon_io::contact::{ContactRun, write_contact_results};
//! let solution = osteon_contact::solve_contact(&deck.contact_problem())?;
//! let dir = std::path::Path::new("out");
//! write_contact_results(dir, "block", &deck.model, &solution, Default::default())?;
//! let run = ContactRun::new(std::path::Path::new("block.inp"), &deck.model, &solution);
//! run.write(&dir.join("block.json"))?;
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use osteon_assembly::{Model, element_materials, material_stiffnesses, recover_fields, von_mises};
use osteon_contact::{
    ContactFields, ContactSolution, StepResult, micromotion_between, summarize_micromotion,
};

use crate::atomic::write_atomically;
use crate::error::IoError;
use crate::summary::{CaseSummary, Counts, PhaseSeconds, RunSummary, SolverDiagnostics};
use crate::vtu::{DataArray, VtuEncoding, VtuFields, write_step_series};

impl VtuFields {
    /// Add the contact point arrays `contact_pressure`, `slip`, `slip_magnitude` and
    /// `contact_status` ([`StepResult::nodal_fields`]).
    pub fn with_contact_fields(self, fields: &ContactFields) -> Self {
        self.with_point_array(DataArray::float64(
            "contact_pressure",
            1,
            fields.contact_pressure.clone(),
        ))
        .with_point_array(DataArray::vectors("slip", &fields.slip))
        .with_point_array(DataArray::float64(
            "slip_magnitude",
            1,
            fields.slip_magnitude.clone(),
        ))
        .with_point_array(DataArray::int32(
            "contact_status",
            1,
            fields.contact_status.clone(),
        ))
    }
}

/// Nodal stress of a displacement field (MPa), or `None` when the model cannot be recovered.
fn nodal_stress(model: &Model, displacement: &[[f64; 3]]) -> Option<Vec<[f64; 6]>> {
    let materials = element_materials(model).ok()?;
    let d = material_stiffnesses(model).ok()?;
    let u: Vec<f64> = displacement.iter().flatten().copied().collect();
    recover_fields(&model.mesh, &materials, &d, &u)
        .ok()
        .map(|f| f.nodal_stress)
}

/// The VTU fields of one contact step: displacement, reaction, nodal stress (recovered from
/// the displacement), `material`, and the contact arrays.
pub fn contact_step_fields(model: &Model, step: &StepResult) -> VtuFields {
    let mut fields = VtuFields::for_model(model)
        .with_displacement(step.displacement.clone())
        .with_reaction(step.reaction.clone())
        .with_contact_fields(&step.nodal_fields(model.mesh.n_nodes()));
    if let Some(stress) = nodal_stress(model, &step.displacement) {
        fields = fields.with_stress(stress);
    }
    fields
}

/// Write `<stem>.vtu` (last step), and with several steps `<stem>_step<N>.vtu` and
/// `<stem>.pvd`, with the contact fields (as [`crate::vtu::write_results`] does for a
/// linear solution). Returns the paths written.
pub fn write_contact_results(
    dir: &Path,
    stem: &str,
    model: &Model,
    solution: &ContactSolution,
    encoding: VtuEncoding,
) -> Result<Vec<PathBuf>, IoError> {
    write_step_series(
        dir,
        stem,
        &model.mesh,
        solution.steps.len(),
        || VtuFields::for_model(model).with_encoding(encoding),
        |k| contact_step_fields(model, &solution.steps[k]).with_encoding(encoding),
    )
}

/// One contact pair at the end of a step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairSummary {
    /// Pair name (`SLAVE-MASTER`).
    pub name: String,
    /// Paired slave nodes.
    pub slave_nodes: usize,
    /// Nodes in contact (stick + slip), sticking, slipping.
    pub nodes_in_contact: usize,
    /// Sticking nodes.
    pub sticking: usize,
    /// Slipping nodes.
    pub slipping: usize,
    /// Σ A p: total normal contact force (N).
    pub normal_force_n: f64,
    /// Friction force the master exerts on the slave nodes (N).
    pub friction_force_n: [f64; 3],
    /// |friction force| / normal force (μ when every node slides one way).
    pub friction_to_normal_ratio: f64,
    /// Largest contact pressure (MPa).
    pub max_pressure_mpa: f64,
}

/// Fractions of the contact area (by tributary area, nodes in contact) whose micromotion is
/// below the ingrowth thresholds (DESIGN.md §5).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AreaFractions {
    /// Below 28 µm.
    pub below_28_um: f64,
    /// Below 50 µm.
    pub below_50_um: f64,
    /// Below 100 µm.
    pub below_100_um: f64,
    /// Below 150 µm.
    pub below_150_um: f64,
}

impl AreaFractions {
    /// From [`osteon_contact::MicromotionSummary::fraction_below`] ((threshold µm, fraction)).
    pub fn from_summary(fractions: &[(f64, f64)]) -> Self {
        let at = |t: f64| {
            fractions
                .iter()
                .find(|x| (x.0 - t).abs() < 1e-9)
                .map_or(0.0, |x| x.1)
        };
        Self {
            below_28_um: at(28.0),
            below_50_um: at(50.0),
            below_100_um: at(100.0),
            below_150_um: at(150.0),
        }
    }
}

/// The `contact` section of a step in the JSON summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactStepSummary {
    /// Slave nodes in contact (all pairs).
    pub nodes_in_contact: usize,
    /// Sticking nodes.
    pub sticking: usize,
    /// Slipping nodes.
    pub slipping: usize,
    /// Largest contact pressure (MPa).
    pub max_pressure_mpa: f64,
    /// Micromotion (slip relative to the unloaded state) over the nodes in contact: largest (µm).
    pub micromotion_max_um: f64,
    /// Area-weighted mean (µm).
    pub micromotion_mean_um: f64,
    /// 95th percentile by area (µm).
    pub micromotion_p95_um: f64,
    /// Contact-area fraction with micromotion below 28, 50, 100 and 150 µm.
    pub area_fraction_below: AreaFractions,
    /// Converged increments of the step.
    pub increments: usize,
    /// Newton iterations of the step.
    pub iterations: usize,
    /// Increment cuts (attempts that failed and were retried smaller).
    pub cutbacks: usize,
    /// ‖r‖ at the end of the step's last increment (N).
    pub final_residual_n: f64,
    /// Largest penetration at the end of the step (mm).
    pub max_penetration_mm: f64,
    /// Per pair.
    pub pairs: Vec<PairSummary>,
}

impl ContactStepSummary {
    /// Summarise step `k` (0-based) of `solution`.
    pub fn new(solution: &ContactSolution, k: usize) -> Self {
        let Some(step) = solution.steps.get(k) else {
            return Self::default();
        };
        let motion = micromotion_between(solution, k, None).unwrap_or_default();
        let m = summarize_micromotion(&motion);
        let logs: Vec<_> = solution
            .increments
            .iter()
            .filter(|l| l.step == k + 1)
            .collect();
        let pairs: Vec<PairSummary> = step
            .pairs
            .iter()
            .map(|p| {
                let (c, st, sl) = p.counts();
                let f = p.friction_force;
                let t = (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt();
                PairSummary {
                    name: p.name.clone(),
                    slave_nodes: p.nodes.len(),
                    nodes_in_contact: c,
                    sticking: st,
                    slipping: sl,
                    normal_force_n: p.normal_force,
                    friction_force_n: f,
                    friction_to_normal_ratio: if p.normal_force > 0.0 {
                        t / p.normal_force
                    } else {
                        0.0
                    },
                    max_pressure_mpa: p.max_pressure(),
                }
            })
            .collect();
        Self {
            nodes_in_contact: pairs.iter().map(|p| p.nodes_in_contact).sum(),
            sticking: pairs.iter().map(|p| p.sticking).sum(),
            slipping: pairs.iter().map(|p| p.slipping).sum(),
            max_pressure_mpa: pairs.iter().map(|p| p.max_pressure_mpa).fold(0.0, f64::max),
            micromotion_max_um: m.max_um,
            micromotion_mean_um: m.mean_um,
            micromotion_p95_um: m.p95_um,
            area_fraction_below: AreaFractions::from_summary(&m.fraction_below),
            increments: logs.len(),
            iterations: logs.iter().map(|l| l.iterations).sum(),
            cutbacks: logs.iter().map(|l| l.cutbacks).sum(),
            final_residual_n: logs
                .last()
                .and_then(|l| l.residuals.last().copied())
                .unwrap_or(0.0),
            max_penetration_mm: logs.last().map_or(0.0, |l| l.max_penetration),
            pairs,
        }
    }
}

/// The JSON summary of a contact run: the usual [`RunSummary`] (one case per step) and a
/// `contact` section per step, written into each case object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactRun {
    /// Counts, timings, per-step displacement, reactions, equilibrium, stress.
    pub run: RunSummary,
    /// One per step, in order.
    pub contact: Vec<ContactStepSummary>,
}

impl ContactRun {
    /// Summarise a contact solution of `model` read from `input_file`. Phase timings: setup
    /// (pairing + DOF maps + elastic K), analyse, factorise, solve (triangular solves and
    /// contact evaluation), read and write zero until set on [`ContactRun::run`].
    pub fn new(input_file: &Path, model: &Model, solution: &ContactSolution) -> Self {
        let counts = Counts {
            load_cases: solution.steps.len(),
            dofs_free: solution.n_unknowns,
            ..Counts::of_model(model)
        };
        let t = &solution.timings;
        let mut phase_seconds = PhaseSeconds {
            setup: t.pairing + t.setup,
            analyse: t.analyse,
            factorise: t.factorise,
            solve: t.solve + t.contact,
            ..PhaseSeconds::default()
        };
        phase_seconds.update_total();
        let stresses: Vec<Option<Vec<[f64; 6]>>> = solution
            .steps
            .iter()
            .map(|s| nodal_stress(model, &s.displacement))
            .collect();
        let cases = solution
            .steps
            .iter()
            .enumerate()
            .map(|(k, step)| case_summary(model, solution, k, step, stresses[k].as_deref()))
            .collect();
        let contact = (0..solution.steps.len())
            .map(|k| ContactStepSummary::new(solution, k))
            .collect();
        Self {
            run: RunSummary {
                osteon_version: env!("CARGO_PKG_VERSION").to_string(),
                input_file: input_file.display().to_string(),
                counts,
                phase_seconds,
                peak_memory_bytes: crate::summary::peak_memory_bytes(),
                cases,
                warnings: Vec::new(),
            },
            contact,
        }
    }

    /// The summary as JSON: [`RunSummary`]'s layout, each `cases[k]` with a `contact` object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.run).unwrap_or(serde_json::Value::Null);
        if let Some(cases) = value.get_mut("cases").and_then(|c| c.as_array_mut()) {
            for (case, contact) in cases.iter_mut().zip(&self.contact) {
                if let Some(obj) = case.as_object_mut() {
                    obj.insert(
                        "contact".to_string(),
                        serde_json::to_value(contact).unwrap_or(serde_json::Value::Null),
                    );
                }
            }
        }
        value
    }

    /// Write [`ContactRun::to_json`] as pretty JSON (atomically). [`crate::summary::read_summary`]
    /// reads it back (without the contact sections).
    pub fn write(&self, path: &Path) -> Result<(), IoError> {
        let value = self.to_json();
        write_atomically(path, |w| {
            serde_json::to_writer_pretty(&mut *w, &value).map_err(std::io::Error::other)?;
            writeln!(w)
        })
    }
}

/// The [`CaseSummary`] of contact step `k`.
fn case_summary(
    model: &Model,
    solution: &ContactSolution,
    k: usize,
    step: &StepResult,
    stress: Option<&[[f64; 6]]>,
) -> CaseSummary {
    let ids = &model.mesh.node_ids;
    let (max_i, max_u) = step
        .displacement
        .iter()
        .map(|u| (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt())
        .enumerate()
        .fold((None, 0.0), |(bi, bv), (i, v)| {
            if bi.is_none() || v > bv {
                (Some(i), v)
            } else {
                (bi, bv)
            }
        });
    let case = model
        .load_cases
        .iter()
        .find(|c| c.name == step.name)
        .or_else(|| model.load_cases.get(k));
    let mut held = std::collections::BTreeSet::new();
    for b in model
        .boundary
        .iter()
        .chain(case.map(|c| c.boundary.as_slice()).unwrap_or(&[]))
    {
        held.insert(b.node);
    }
    let reaction_sums_n = model
        .mesh
        .node_sets
        .iter()
        .filter(|(_, nodes)| !nodes.is_empty() && nodes.iter().all(|n| held.contains(n)))
        .map(|(name, nodes)| (name.clone(), step.reaction_sum(nodes)))
        .collect();
    let total = step
        .reaction
        .iter()
        .fold([0.0; 3], |s, r| [s[0] + r[0], s[1] + r[1], s[2] + r[2]]);
    let applied = step.applied_total;
    let equilibrium_error_n = (0..3)
        .map(|c| (applied[c] + total[c]).powi(2))
        .sum::<f64>()
        .sqrt();
    let last = solution.increments.iter().rfind(|l| l.step == k + 1);
    let vm = stress.and_then(|s| {
        s.iter()
            .map(von_mises)
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((i, v)),
            })
    });
    CaseSummary {
        name: step.name.clone(),
        max_displacement_mm: max_u,
        max_displacement_node_id: max_i.and_then(|i| ids.get(i).copied()),
        reaction_sums_n,
        total_reaction_n: total,
        applied_load_total_n: applied,
        equilibrium_error_n,
        solver: SolverDiagnostics {
            relative_residual: last.map_or(0.0, |l| {
                l.residuals.last().copied().unwrap_or(0.0) / l.force_scale.max(f64::MIN_POSITIVE)
            }),
            iterations: solution
                .increments
                .iter()
                .filter(|l| l.step == k + 1)
                .map(|l| l.iterations)
                .sum(),
        },
        max_von_mises_mpa: vm.map(|(_, v)| v),
        max_von_mises_node_id: vm.and_then(|(i, _)| ids.get(i).copied()),
        strain_energy_nmm: None,
    }
}
