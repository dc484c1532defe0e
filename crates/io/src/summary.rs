//! The JSON run summary written beside the results (`<stem>.json`, DESIGN §4): counts,
//! per-phase timings, peak memory, and per load case the largest displacement, reaction
//! sums per constrained node set, applied load totals, equilibrium and solver diagnostics,
//! and the largest von Mises stress. Units are in the field names (`_mm`, `_n`, `_mpa`,
//! `_seconds`, `_bytes`).
//!
//! ```no_run
//! use osteon_io::summary::{RunSummary, write_summary};
//! use osteon_solver::memory::peak_resident_bytes;
//! # fn demo(model: &osteon_assembly::Model, solution: &osteon_assembly::StaticSolution) -> Result<(), Box<dyn std::error::Error>> {
//! let mut summary = RunSummary::new(std::path::Path::new("bar.inp"), model, solution)?;
//! summary.set_io_seconds(0.12, 0.05); // read and write phases, timed by the caller
//! summary.peak_memory_bytes = peak_resident_bytes(); // the peak after writing
//! write_summary(std::path::Path::new("out/bar.json"), &summary)?;
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use nalgebra::Vector3;
use serde::{Deserialize, Serialize};

use osteon_assembly::{
    AssemblyError, LoadCase, Model, PhaseTimings, RankStats, StaticSolution, StepSolution,
    von_mises,
};
use osteon_solver::memory::peak_resident_bytes;

use crate::atomic::write_atomically;
use crate::contact::ContactStepSummary;
use crate::error::IoError;

/// Everything the JSON summary holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Version of osteon-io that wrote the file.
    pub osteon_version: String,
    /// The input file as given.
    pub input_file: String,
    /// Model and system sizes.
    pub counts: Counts,
    /// Wall-clock seconds per phase.
    pub phase_seconds: PhaseSeconds,
    /// Peak resident memory of the process (bytes; `VmHWM`), where the OS tells
    /// ([`osteon_solver::memory::peak_resident_bytes`]; Linux only).
    pub peak_memory_bytes: Option<u64>,
    /// One entry per load case, in order.
    pub cases: Vec<CaseSummary>,
    /// Reader warnings and other notes.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// For a distributed solve (`--backend petsc`): the backend, its solver and what each
    /// process held and did; absent for the serial solvers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributed: Option<DistributedSummary>,
}

/// What a distributed solve used: the backend, its Krylov method and preconditioner, and
/// each process's share.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DistributedSummary {
    /// The backend (`"petsc"`).
    pub backend: String,
    /// Processes (MPI ranks).
    pub ranks: usize,
    /// The Krylov method in use (`"cg"`).
    pub ksp_type: String,
    /// The preconditioner in use (`"gamg"`).
    pub pc_type: String,
    /// PETSc options given on the command line (`--petsc-options`).
    pub options: String,
    /// One entry per process, by rank.
    pub per_rank: Vec<RankStats>,
}

/// Model and system sizes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Nodes.
    pub nodes: usize,
    /// Elements.
    pub elements: usize,
    /// Elements per Abaqus type name (`C3D10`, ...).
    pub elements_by_type: BTreeMap<String, usize>,
    /// Materials.
    pub materials: usize,
    /// Sections.
    pub sections: usize,
    /// Load cases.
    pub load_cases: usize,
    /// Raw DOFs, 3 per node.
    pub dofs_total: usize,
    /// Unknowns of the reduced system (of the last constraint set solved).
    pub dofs_free: usize,
    /// Stored entries of the upper triangle of the reduced stiffness.
    pub nnz_upper: usize,
    /// Nonzeros of the Cholesky factor (0 for an iterative solve).
    pub nnz_factor: usize,
    /// Bytes of the factor values (0 for an iterative solve).
    pub factor_bytes: usize,
}

impl Counts {
    /// The counts of a model that need no solve: nodes, elements (by type), materials,
    /// sections, load cases, raw DOFs. Solver figures stay zero.
    pub fn of_model(model: &Model) -> Self {
        let mesh = &model.mesh;
        let mut elements_by_type = BTreeMap::new();
        for block in &mesh.blocks {
            *elements_by_type
                .entry(block.etype.abaqus_name().to_string())
                .or_insert(0) += block.len();
        }
        Self {
            nodes: mesh.n_nodes(),
            elements: mesh.n_elements(),
            elements_by_type,
            materials: model.materials.len(),
            sections: model.sections.len(),
            load_cases: model.load_cases.len(),
            dofs_total: 3 * mesh.n_nodes(),
            ..Self::default()
        }
    }
}

/// Seconds per phase (wall clock): reading, the solver's phases, writing, and their sum.
///
/// In JSON the solver's phases sit flat beside the others, in the order the phases run:
/// `{read, setup, assemble, analyse, factorise, solve, recover, write, total}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseSeconds {
    /// Reading the input.
    pub read: f64,
    /// Setup, assembly, analysis, factorisation, solves and recovery.
    #[serde(flatten)]
    pub solver: PhaseTimings,
    /// Writing results.
    pub write: f64,
    /// Sum of the above.
    pub total: f64,
}

impl PhaseSeconds {
    /// The solver phases from `timings`; read and write zero.
    pub fn from_timings(timings: &PhaseTimings) -> Self {
        let mut p = Self {
            solver: timings.clone(),
            ..Self::default()
        };
        p.update_total();
        p
    }

    /// Recompute `total` as the sum of the phases, in the order they run.
    pub fn update_total(&mut self) {
        let s = &self.solver;
        self.total = self.read
            + s.setup
            + s.assemble
            + s.analyse
            + s.factorise
            + s.solve
            + s.recover
            + self.write;
    }
}

/// Solver diagnostics of one load case ([`osteon_assembly::StepDiagnostics`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SolverDiagnostics {
    /// Linear step: ‖b − A x‖ / ‖b‖ of the reduced system. Contact step: ‖r‖ / force scale
    /// of the Newton residual at the end of the step.
    pub relative_residual: f64,
    /// Linear step: iterations of the iterative solver (0 for a direct solve). Contact step:
    /// Newton iterations over the step's increments.
    pub iterations: usize,
    /// Converged load increments (1 for a linear step).
    #[serde(default)]
    pub increments: usize,
}

/// The results of one load case in numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Load case name.
    pub name: String,
    /// Largest displacement magnitude |u| (mm).
    pub max_displacement_mm: f64,
    /// Node id where it occurs.
    pub max_displacement_node_id: Option<i64>,
    /// Reaction force sums (N) over every node set whose nodes all have a prescribed
    /// displacement component in this case.
    pub reaction_sums_n: BTreeMap<String, [f64; 3]>,
    /// Sum of all reaction forces (N).
    pub total_reaction_n: [f64; 3],
    /// Sum of all applied forces (N): concentrated, surface and body loads.
    pub applied_load_total_n: [f64; 3],
    /// |applied + reactions| (N); near zero when the solution is in equilibrium.
    pub equilibrium_error_n: f64,
    /// Moment of the applied loads about the origin (N·mm).
    #[serde(default)]
    pub applied_moment_nmm: [f64; 3],
    /// |applied moment + moment of the reactions| about the origin (N·mm).
    #[serde(default)]
    pub moment_equilibrium_error_nmm: f64,
    /// Linear-solver diagnostics.
    pub solver: SolverDiagnostics,
    /// Largest nodal von Mises stress (MPa), when stress was recovered.
    pub max_von_mises_mpa: Option<f64>,
    /// Node id where it occurs.
    pub max_von_mises_node_id: Option<i64>,
    /// Strain energy ½ ∫ σ·ε dV (N·mm), when stress was recovered.
    pub strain_energy_nmm: Option<f64>,
    /// Contact state of a contact step (absent for a linear step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactStepSummary>,
}

/// Index and value of the largest entry of `values` (finite values only).
fn arg_max(values: impl Iterator<Item = f64>) -> Option<(usize, f64)> {
    values
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .fold(None, |best, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
}

/// Nodes with at least one prescribed component in `case` (model-level or case-level).
fn constrained_nodes(model: &Model, case: Option<&LoadCase>) -> BTreeSet<usize> {
    let case_bcs = case.map(|c| c.boundary.as_slice()).unwrap_or(&[]);
    model
        .boundary
        .iter()
        .chain(case_bcs)
        .map(|b| b.node)
        .collect()
}

impl CaseSummary {
    /// Summarise `steps[k]`; `load_case` (the model's definition) tells which nodes are held.
    /// A contact step gets its `contact` section (micromotion relative to the unloaded
    /// state).
    ///
    /// # Errors
    /// A contact step whose model's slave faces do not exist in its mesh.
    pub fn new(
        model: &Model,
        load_case: Option<&LoadCase>,
        steps: &[StepSolution],
        k: usize,
    ) -> Result<Self, AssemblyError> {
        let Some(case) = steps.get(k) else {
            return Ok(Self::default());
        };
        let ids = &model.mesh.node_ids;
        let norms = case.displacement.iter().map(|u| Vector3::from(*u).norm());
        let (max_displacement_node_id, max_displacement_mm) = match arg_max(norms) {
            Some((i, v)) => (ids.get(i).copied(), v),
            None => (None, 0.0),
        };
        let vm = arg_max(case.fields.nodal_stress.iter().map(von_mises));
        let held = constrained_nodes(model, load_case);
        let reaction_sums_n = model
            .mesh
            .node_sets
            .iter()
            .filter(|(_, nodes)| !nodes.is_empty() && nodes.iter().all(|n| held.contains(n)))
            .map(|(name, nodes)| (name.clone(), case.reaction_sum(nodes)))
            .collect();
        let total = case.total_reaction();
        let applied = case.applied_total;
        let residual = (0..3)
            .map(|k| (applied[k] + total[k]).powi(2))
            .sum::<f64>()
            .sqrt();
        Ok(Self {
            name: case.name.clone(),
            max_displacement_mm,
            max_displacement_node_id,
            reaction_sums_n,
            total_reaction_n: total,
            applied_load_total_n: applied,
            equilibrium_error_n: residual,
            applied_moment_nmm: case.applied_moment,
            moment_equilibrium_error_nmm: (Vector3::from(case.applied_moment)
                + Vector3::from(case.reaction_moment))
            .norm(),
            solver: SolverDiagnostics {
                relative_residual: case.diagnostics.relative_residual,
                iterations: case.diagnostics.linear_iterations + case.diagnostics.newton_iterations,
                increments: case.diagnostics.increments,
            },
            max_von_mises_mpa: vm.map(|(_, v)| v),
            max_von_mises_node_id: vm.and_then(|(i, _)| ids.get(i).copied()),
            strain_energy_nmm: (!case.fields.point_stress.is_empty())
                .then(|| case.fields.strain_energy()),
            contact: case
                .contact
                .is_some()
                .then(|| ContactStepSummary::new(model, steps, k))
                .transpose()?,
        })
    }
}

impl RunSummary {
    /// Summarise a linear static solution. Read and write times are zero until
    /// [`RunSummary::set_io_seconds`]; `peak_memory_bytes` is filled from
    /// [`peak_resident_bytes`] now.
    ///
    /// # Errors
    /// As [`RunSummary::from_steps`].
    pub fn new(
        input_file: &Path,
        model: &Model,
        solution: &StaticSolution,
    ) -> Result<Self, AssemblyError> {
        let counts = Counts {
            dofs_free: solution.stats.n_free,
            nnz_upper: solution.stats.nnz_upper,
            nnz_factor: solution.stats.nnz_factor,
            factor_bytes: solution.stats.factor_bytes,
            ..Counts::of_model(model)
        };
        let phases = PhaseSeconds::from_timings(&solution.timings);
        Self::from_steps(input_file, model, &solution.cases, counts, phases)
    }

    /// Summarise the steps of any analysis (linear or contact) with the given counts and
    /// phase times; `counts.load_cases` is set to the number of steps.
    ///
    /// # Errors
    /// A contact step whose model's slave faces do not exist in its mesh (the micromotion
    /// is sampled on them).
    pub fn from_steps(
        input_file: &Path,
        model: &Model,
        steps: &[StepSolution],
        counts: Counts,
        phase_seconds: PhaseSeconds,
    ) -> Result<Self, AssemblyError> {
        let cases = steps
            .iter()
            .enumerate()
            .map(|(k, case)| {
                let load_case = model
                    .load_cases
                    .get(k)
                    .filter(|lc| lc.name == case.name)
                    .or_else(|| model.load_cases.iter().find(|lc| lc.name == case.name));
                CaseSummary::new(model, load_case, steps, k)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            osteon_version: env!("CARGO_PKG_VERSION").to_string(),
            input_file: input_file.display().to_string(),
            counts: Counts {
                load_cases: steps.len(),
                ..counts
            },
            phase_seconds,
            peak_memory_bytes: peak_resident_bytes(),
            cases,
            warnings: Vec::new(),
            distributed: None,
        })
    }

    /// Set the read and write phase times (s) and update the total.
    pub fn set_io_seconds(&mut self, read: f64, write: f64) {
        self.phase_seconds.read = read;
        self.phase_seconds.write = write;
        self.phase_seconds.update_total();
    }
}

/// Write the summary as pretty JSON (atomically).
pub fn write_summary(path: &Path, summary: &RunSummary) -> Result<(), IoError> {
    write_atomically(path, |w| {
        serde_json::to_writer_pretty(&mut *w, summary).map_err(std::io::Error::other)?;
        writeln!(w)
    })
}

/// Read a summary written by [`write_summary`].
pub fn read_summary(path: &Path) -> Result<RunSummary, IoError> {
    let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| IoError::parse(path, e.line(), format!("run summary: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_max_skips_nan() {
        assert_eq!(
            arg_max([1.0, f64::NAN, 3.0, 2.0].into_iter()),
            Some((2, 3.0))
        );
        assert_eq!(arg_max(std::iter::empty()), None);
    }
}
