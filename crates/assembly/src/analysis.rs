//! Linear static analysis, phase by phase:
//! `setup` ([`ConstrainedSystem`]: DOF map, pattern, colouring) → `assemble` (K, once per
//! constraint set) → `analyse`/`factorise` (once) → per load case: loads, lifting, `solve`,
//! expand, reactions ([`solve_case`]), stress recovery. Load cases with the same constrained
//! DOFs share one factorisation.

use std::time::Instant;

use osteon_solver::{
    CgOptions, CholeskyOptions, CholeskySolver, ConjugateGradient, ExternalSolver, LinearSolver,
    Ordering, SolveReport, SolverError, UnknownGeometry,
};

use crate::error::AssemblyError;
use crate::model::{DirichletBc, LoadCase, Model};
use crate::operator::ElasticOperator;
use crate::progress::{Observer, Phase, Silent, timed};
use crate::solution::StepSolution;
use crate::system::{ConstrainedSystem, SystemStats};

/// Which linear solver to use.
#[derive(Clone, Debug, PartialEq)]
pub enum SolverChoice {
    /// Sparse Cholesky (faer, supernodal) with the given fill-reducing ordering.
    Cholesky(Ordering),
    /// Jacobi-preconditioned conjugate gradients (memory-light) to a relative residual.
    ConjugateGradient {
        /// Relative residual ‖b − Ax‖/‖b‖ to reach.
        rel_tol: f64,
        /// Iteration limit.
        max_iter: usize,
    },
    /// A solver made by a factory from another crate — PETSc's CG + GAMG through
    /// `osteon_petsc::PetscSolverFactory` — one per constrained system, told where the free
    /// unknowns sit.
    External(ExternalSolver),
}

impl SolverChoice {
    /// The solver in words, for reports.
    pub fn describe(&self) -> String {
        match self {
            SolverChoice::Cholesky(ordering) => {
                let name = match ordering {
                    Ordering::NestedDissection => "METIS nested dissection of the corner nodes",
                    Ordering::NestedDissectionAllNodes => "METIS nested dissection of all nodes",
                    Ordering::Amd => "approximate minimum degree",
                    Ordering::Natural => "natural",
                };
                format!("sparse Cholesky (faer, supernodal; {name} ordering), direct")
            }
            SolverChoice::ConjugateGradient { rel_tol, .. } => {
                format!(
                    "Jacobi-preconditioned conjugate gradients to a relative residual of {rel_tol:e}"
                )
            }
            SolverChoice::External(e) => e.factory().describe(),
        }
    }
}

impl Default for SolverChoice {
    fn default() -> Self {
        SolverChoice::Cholesky(Ordering::NestedDissection)
    }
}

/// Options of a linear static solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Parts the factorisation and the solves are split into, on the rayon pool the caller
    /// runs in (`0`: one per thread of that pool, `1`: the factorisation and solves run
    /// sequentially). Assembly, loads, reactions and recovery always use the whole pool the
    /// call runs in. osteon builds no pool: to use `k` threads for everything, call it inside a
    /// rayon pool of `k` threads (`ThreadPoolBuilder::new().num_threads(k).build()?.install`).
    pub threads: usize,
    /// Linear solver.
    pub solver: SolverChoice,
    /// Recover strain/stress (skip for displacement-only studies).
    pub recover: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            solver: SolverChoice::default(),
            recover: true,
        }
    }
}

/// Wall-clock seconds per phase, summed over load cases. With the `serde` feature it
/// serializes as a flat map `{setup, assemble, analyse, factorise, solve, recover}`.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PhaseTimings {
    /// DOF map, pattern, colouring, rigid-body check.
    pub setup: f64,
    /// Stiffness assembly.
    pub assemble: f64,
    /// Ordering + symbolic factorisation (or preconditioner set-up).
    pub analyse: f64,
    /// Numeric factorisation.
    pub factorise: f64,
    /// Loads, lifting, triangular solves / iterations, expansion, reactions.
    pub solve: f64,
    /// Strain/stress recovery.
    pub recover: f64,
}

/// What one process held and did in a distributed solve (the PETSc backend's, reported in
/// the run summary's `distributed.per_rank`). With the `serde` feature it serializes as a
/// flat map of these fields.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RankStats {
    /// The process's rank.
    pub rank: usize,
    /// Matrix rows it owns (three per node).
    pub owned_rows: usize,
    /// Elements it assembled.
    pub owned_elements: usize,
    /// Matrix entries preallocated for its rows (exact: from the pattern).
    pub stored_entries: usize,
    /// Its peak resident memory at the end (bytes; `None` off Linux).
    pub peak_memory_bytes: Option<u64>,
    /// Its assembly time (s), summed over constraint sets.
    pub assemble_seconds: f64,
}

impl PhaseTimings {
    /// Sum of all phases (s).
    pub fn total(&self) -> f64 {
        self.setup + self.assemble + self.analyse + self.factorise + self.solve + self.recover
    }
}

/// All load cases of a linear static analysis.
#[derive(Clone, Debug)]
pub struct StaticSolution {
    /// One per load case, in order.
    pub cases: Vec<StepSolution>,
    /// Phase timings (s).
    pub timings: PhaseTimings,
    /// System size (of the last constraint set).
    pub stats: SystemStats,
}

/// Solve every load case of `model`, on the rayon pool the caller runs in (see
/// [`SolveOptions::threads`]).
///
/// ```
/// use osteon_assembly::{LoadCase, Model, NodalLoad, SolveOptions, solve_linear_static};
/// use osteon_material::{Material, IsotropicElastic};
/// use osteon_mesh::{ElementType, generate::{BoxSpec, box_mesh}};
/// // a 10 × 1 × 1 mm bar, fixed at x = 0 (one corner fully, the rest axially), pulled with 100 N
/// let mesh = box_mesh(&BoxSpec { origin: [0.0; 3], size: [10.0, 1.0, 1.0], cells: [4, 1, 1], element: ElementType::Hex8 })?;
/// let mut model = Model::new(mesh);
/// let steel = model.add_material(Material::new("steel", IsotropicElastic::new(200_000.0, 0.3)?.into()));
/// model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), steel);
/// let xmin = model.mesh.node_set("XMIN")?.to_vec();
/// model.fix(&xmin, &[0]);
/// let origin = model.mesh.nodes_where(|x| x == [0.0, 0.0, 0.0]);
/// let y_hold = model.mesh.nodes_where(|x| x == [0.0, 0.0, 1.0]);
/// model.fix(&origin, &[1, 2]);
/// model.fix(&y_hold, &[1]);
/// let xmax = model.mesh.node_set("XMAX")?.to_vec();
/// let mut case = LoadCase::new("pull");
/// for &n in &xmax { case.nodal_loads.push(NodalLoad { node: n, component: 0, value: 100.0 / xmax.len() as f64 }); }
/// model.load_cases.push(case);
/// let solution = solve_linear_static(&model, &SolveOptions::default())?;
/// let elongation = solution.cases[0].displacement[xmax[0]][0];
/// assert!((elongation - 100.0 * 10.0 / (200_000.0 * 1.0)).abs() < 1e-12); // F L / (E A)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solve_linear_static(
    model: &Model,
    options: &SolveOptions,
) -> Result<StaticSolution, AssemblyError> {
    solve_linear_static_observed(model, options, &mut Silent)
}

/// [`solve_linear_static`] reporting each phase to `observer`.
pub fn solve_linear_static_observed(
    model: &Model,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<StaticSolution, AssemblyError> {
    if !model.contact_pairs.is_empty() {
        return Err(AssemblyError::InvalidModel {
            detail: format!(
                "the model has {} contact pair(s): solve it with the contact solver (osteon-contact), which the linear solver is not",
                model.contact_pairs.len()
            ),
        });
    }
    let mut timings = PhaseTimings::default();
    let t = Instant::now();
    let op = ElasticOperator::new(model)?;
    timings.setup += t.elapsed().as_secs_f64();
    let mut system: Option<ConstrainedSystem> = None;
    let mut solver = ChosenSolver::new(options);
    let mut stats = SystemStats::default();
    let mut solved = Vec::with_capacity(model.load_cases.len());
    for case in &model.load_cases {
        let boundary = model.boundary_of(case);
        if system.as_ref().is_none_or(|s| !s.serves(&boundary)) {
            drop(system.take()); // free the old matrix first
            let mut sys = timed(observer, Phase::Setup, "", &mut timings.setup, || {
                ConstrainedSystem::setup(&op, &boundary)
            })?;
            timed(observer, Phase::Assemble, "", &mut timings.assemble, || {
                sys.assemble(&op)
            })?;
            solver
                .prepare(|| sys.dofs().geometry(&model.mesh.coords))
                .map_err(|e| sys.explain(&op, e))?;
            timed(observer, Phase::Analyse, "", &mut timings.analyse, || {
                solver
                    .linear()?
                    .analyse(sys.matrix(), Some(sys.dofs().groups()))
            })
            .map_err(|e| sys.explain(&op, e))?;
            timed(
                observer,
                Phase::Factorise,
                "",
                &mut timings.factorise,
                || solver.linear()?.factorise(sys.matrix()),
            )
            .map_err(|e| sys.explain(&op, e))?;
            stats = sys.stats();
            system = Some(sys);
        }
        let Some(sys) = system.as_ref() else { continue };
        let (solution, u) = timed(
            observer,
            Phase::Solve,
            &case.name,
            &mut timings.solve,
            || solve_case(&op, sys, solver.linear()?, case, &boundary),
        )?;
        solved.push((solution, u));
    }
    if let ChosenSolver::Cholesky(chol) = &solver {
        stats.nnz_factor = chol.factor_stats().nnz_l;
        stats.factor_bytes = chol.factor_stats().l_bytes;
    }
    // The factor and the matrix are freed before the stresses are recovered, so the
    // recovery's fields never sit beside them (the peak of a large model).
    drop((solver, system));
    let mut cases = Vec::with_capacity(solved.len());
    for (mut solution, u) in solved {
        if options.recover {
            solution.fields = timed(
                observer,
                Phase::Recover,
                &solution.name,
                &mut timings.recover,
                || op.recover(&u),
            )?;
        }
        cases.push(solution);
    }
    Ok(StaticSolution {
        cases,
        timings,
        stats,
    })
}

/// The solver [`SolveOptions::solver`] chose: osteon's own, made once, or an external one,
/// made per constrained system by its factory.
enum ChosenSolver<'a> {
    Cholesky(Box<CholeskySolver>),
    Cg(ConjugateGradient),
    External {
        factory: &'a ExternalSolver,
        solver: Option<Box<dyn LinearSolver + 'a>>,
    },
}

impl<'a> ChosenSolver<'a> {
    fn new(options: &'a SolveOptions) -> Self {
        match &options.solver {
            SolverChoice::Cholesky(ordering) => {
                Self::Cholesky(Box::new(CholeskySolver::new(CholeskyOptions {
                    ordering: *ordering,
                    threads: options.threads,
                })))
            }
            SolverChoice::ConjugateGradient { rel_tol, max_iter } => {
                Self::Cg(ConjugateGradient::new(CgOptions {
                    rel_tol: *rel_tol,
                    max_iter: *max_iter,
                    threads: options.threads,
                }))
            }
            SolverChoice::External(factory) => Self::External {
                factory,
                solver: None,
            },
        }
    }

    /// Before a new system is analysed: an external solver is made afresh for its unknowns
    /// (the old one dropped first, freeing its matrix).
    fn prepare(&mut self, geometry: impl FnOnce() -> UnknownGeometry) -> Result<(), SolverError> {
        if let Self::External { factory, solver } = self {
            drop(solver.take());
            *solver = Some(factory.factory().make(&geometry())?);
        }
        Ok(())
    }

    fn linear(&mut self) -> Result<&mut dyn LinearSolver, SolverError> {
        match self {
            Self::Cholesky(s) => Ok(s.as_mut()),
            Self::Cg(s) => Ok(s),
            Self::External { solver, .. } => match solver {
                Some(s) => Ok(s.as_mut()),
                None => Err(SolverError::NotAnalysed),
            },
        }
    }
}

/// Solve one load case on an assembled, factorised system: form the right-hand side, solve,
/// recover displacements and reactions. Returns the step solution (without recovered
/// fields) and the raw displacement vector (mm).
pub fn solve_case(
    op: &ElasticOperator<'_>,
    sys: &ConstrainedSystem,
    solver: &mut dyn LinearSolver,
    case: &LoadCase,
    boundary: &[DirichletBc],
) -> Result<(StepSolution, Vec<f64>), AssemblyError> {
    let loads = op.case_loads(case)?;
    let g = sys.prescribed(boundary)?;
    let rhs = sys.form_rhs(op, &loads.total(), &g)?;
    let mut x = vec![0.0; rhs.len()];
    let report = if rhs.iter().all(|&v| v == 0.0) {
        SolveReport {
            relative_residual: 0.0,
            iterations: 0,
        }
    } else {
        solver
            .solve(sys.matrix(), &rhs, &mut x)
            .map_err(|e| sys.explain(op, e))?
    };
    sys.constraints()
        .linear_step(op, &case.name, &x, &g, &loads, report)
}
