//! Linear static analysis, phase by phase:
//! `setup` (DOF map, pattern, colouring) → `assemble` (K, once per constraint set) →
//! `analyse`/`factorise` (once) → per load case: loads, lifting, `solve`, expand, reactions,
//! stress recovery. Load cases with the same constrained DOFs share one factorisation.

use std::time::Instant;

use osteon_material::Voigt6x6;
use osteon_solver::{
    CgOptions, CholeskyOptions, CholeskySolver, ConjugateGradient, LinearSolver, Ordering,
    SolveReport, SolverError, SymmetricCsr,
};

use crate::assemble::{assemble_stiffness, element_materials};
use crate::dofs::{DofMap, DofState};
use crate::error::{AssemblyError, axis_name};
use crate::forces::internal_forces;
use crate::loads::external_forces;
use crate::model::{DirichletBc, LoadCase, Model};
use crate::pattern::SparsityPattern;
use crate::recovery::{RecoveredFields, recover_fields};
use crate::rigid_body::check_rigid_body_modes;

/// Which linear solver to use.
#[derive(Clone, Copy, Debug, PartialEq)]
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
}

impl Default for SolverChoice {
    fn default() -> Self {
        SolverChoice::Cholesky(Ordering::NestedDissection)
    }
}

/// Options of a linear static solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Worker threads for assembly, factorisation and recovery (≥ 1).
    pub threads: usize,
    /// Linear solver.
    pub solver: SolverChoice,
    /// Recover strain/stress (skip for displacement-only studies).
    pub recover: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            solver: SolverChoice::default(),
            recover: true,
        }
    }
}

/// Wall-clock seconds per phase, summed over load cases.
#[derive(Clone, Debug, Default, PartialEq)]
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

impl PhaseTimings {
    /// Sum of all phases (s).
    pub fn total(&self) -> f64 {
        self.setup + self.assemble + self.analyse + self.factorise + self.solve + self.recover
    }
}

/// A phase of the linear static pipeline, for progress reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// DOF map, rigid-body check, pattern, colouring.
    Setup,
    /// Stiffness assembly.
    Assemble,
    /// Fill-reducing ordering and symbolic factorisation.
    Analyse,
    /// Numeric factorisation.
    Factorise,
    /// Loads and solve of one load case.
    Solve,
    /// Strain/stress recovery of one load case.
    Recover,
}

impl Phase {
    /// Lower-case name ("setup", "assemble", ...).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Assemble => "assemble",
            Phase::Analyse => "analyse",
            Phase::Factorise => "factorise",
            Phase::Solve => "solve",
            Phase::Recover => "recover",
        }
    }
}

/// Receives phase start/end events of [`solve_linear_static_observed`] (progress bars, logs).
pub trait Observer: Send {
    /// A phase starts; `detail` names the load case where there is one.
    fn started(&mut self, phase: Phase, detail: &str);
    /// The phase just started has finished after `seconds`.
    fn finished(&mut self, phase: Phase, seconds: f64);
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {
    fn started(&mut self, _: Phase, _: &str) {}
    fn finished(&mut self, _: Phase, _: f64) {}
}

/// Run `f` as phase `phase`, notify the observer and add the time to `slot`.
fn timed<T>(
    observer: &mut dyn Observer,
    phase: Phase,
    detail: &str,
    slot: &mut f64,
    f: impl FnOnce() -> T,
) -> T {
    observer.started(phase, detail);
    let t = Instant::now();
    let out = f();
    let dt = t.elapsed().as_secs_f64();
    *slot += dt;
    observer.finished(phase, dt);
    out
}

/// Size of the assembled system.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SystemStats {
    /// Free unknowns.
    pub n_free: usize,
    /// Stored entries of the upper triangle.
    pub nnz_upper: usize,
    /// Element colours of the parallel assembly.
    pub n_colors: usize,
    /// Nonzeros of the Cholesky factor (0 for CG).
    pub nnz_factor: usize,
    /// Bytes of the factor values (0 for CG).
    pub factor_bytes: usize,
}

/// The result of one load case.
#[derive(Clone, Debug)]
pub struct CaseSolution {
    /// Load case name.
    pub name: String,
    /// Displacement of every node (mm).
    pub displacement: Vec<[f64; 3]>,
    /// Reaction force at every node (N): K u − f at prescribed DOFs, zero elsewhere.
    pub reaction: Vec<[f64; 3]>,
    /// Sum of the external forces applied (N), for equilibrium checks.
    pub applied_total: [f64; 3],
    /// Solver diagnostics (relative residual of the reduced system).
    pub report: SolveReport,
    /// Strain and stress (empty unless recovery was requested).
    pub fields: RecoveredFields,
}

impl CaseSolution {
    /// Largest displacement magnitude (mm).
    pub fn max_displacement(&self) -> f64 {
        self.displacement
            .iter()
            .map(|u| (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt())
            .fold(0.0, f64::max)
    }

    /// Sum of reactions over `nodes` (N).
    pub fn reaction_sum(&self, nodes: &[usize]) -> [f64; 3] {
        let mut s = [0.0; 3];
        for &n in nodes {
            for k in 0..3 {
                s[k] += self.reaction[n][k];
            }
        }
        s
    }

    /// Sum of all reactions (N).
    pub fn total_reaction(&self) -> [f64; 3] {
        let mut s = [0.0; 3];
        for r in &self.reaction {
            for k in 0..3 {
                s[k] += r[k];
            }
        }
        s
    }
}

/// All load cases of a linear static analysis.
#[derive(Clone, Debug)]
pub struct StaticSolution {
    /// One per load case, in order.
    pub cases: Vec<CaseSolution>,
    /// Phase timings (s).
    pub timings: PhaseTimings,
    /// System size (of the last constraint set).
    pub stats: SystemStats,
}

/// The assembled reduced system of one constraint set: DOF map, pattern, stiffness.
pub struct LinearSystem {
    /// DOF map.
    pub dofs: DofMap,
    /// Element lists and colours.
    pub pattern: SparsityPattern,
    /// Reduced stiffness Tᵀ K T (upper triangle, N/mm).
    pub matrix: SymmetricCsr,
    /// Constrained raw DOFs (sorted), the key for reusing this system.
    pub constrained: Vec<usize>,
}

impl LinearSystem {
    /// Setup phase: DOF map, rigid-body check, pattern and colouring for `boundary`.
    pub fn setup(model: &Model, boundary: &[DirichletBc]) -> Result<Self, AssemblyError> {
        let dofs = DofMap::new(&model.mesh, boundary, &model.equations)?;
        check_rigid_body_modes(&model.mesh, &dofs, &model.equations)?;
        let (pattern, matrix) = SparsityPattern::build(&model.mesh, &dofs)?;
        let constrained = constrained_key(boundary);
        Ok(Self {
            dofs,
            pattern,
            matrix,
            constrained,
        })
    }

    /// Assembly phase: fill the stiffness values.
    pub fn assemble(
        &mut self,
        model: &Model,
        materials: &[usize],
        d: &[Voigt6x6],
    ) -> Result<(), AssemblyError> {
        assemble_stiffness(
            &model.mesh,
            &self.dofs,
            &self.pattern,
            materials,
            d,
            &mut self.matrix,
        )
    }

    /// Turn a solver failure into a message about the model (node id and direction).
    pub fn explain(&self, model: &Model, err: SolverError) -> AssemblyError {
        match err {
            SolverError::NotPositiveDefinite { unknown, .. } if unknown < self.dofs.n_free() => {
                let raw = self.dofs.free_to_raw(unknown);
                AssemblyError::Singular {
                    node_id: model.mesh.node_ids[raw / 3],
                    direction: axis_name(raw % 3),
                    unknown,
                }
            }
            other => AssemblyError::Solver(other),
        }
    }
}

fn effective_boundary(model: &Model, case: &LoadCase) -> Vec<DirichletBc> {
    model
        .boundary
        .iter()
        .chain(case.boundary.iter())
        .copied()
        .collect()
}

fn constrained_key(boundary: &[DirichletBc]) -> Vec<usize> {
    let mut k: Vec<usize> = boundary.iter().map(|b| 3 * b.node + b.component).collect();
    k.sort_unstable();
    k.dedup();
    k
}

/// Material stiffness matrices of the model, validated.
pub fn material_stiffnesses(model: &Model) -> Result<Vec<Voigt6x6>, AssemblyError> {
    model
        .materials
        .iter()
        .map(|m| {
            m.validate()?;
            Ok(m.stiffness())
        })
        .collect()
}

/// Solve every load case of `model`. Runs inside a thread pool of `options.threads` threads.
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .map_err(|e| AssemblyError::InvalidModel {
            detail: format!("cannot start {} threads: {e}", options.threads),
        })?;
    pool.install(|| solve_in_pool(model, options, observer))
}

fn solve_in_pool(
    model: &Model,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<StaticSolution, AssemblyError> {
    let mut timings = PhaseTimings::default();
    let t = Instant::now();
    let materials = element_materials(model)?;
    let d = material_stiffnesses(model)?;
    timings.setup += t.elapsed().as_secs_f64();
    let mut system: Option<LinearSystem> = None;
    let mut cholesky: Option<CholeskySolver> = None;
    let mut cg: Option<ConjugateGradient> = None;
    let solver: &mut dyn LinearSolver = match options.solver {
        SolverChoice::Cholesky(ordering) => cholesky.insert(CholeskySolver::new(CholeskyOptions {
            ordering,
            threads: options.threads,
        })),
        SolverChoice::ConjugateGradient { rel_tol, max_iter } => {
            cg.insert(ConjugateGradient::new(CgOptions {
                rel_tol,
                max_iter,
                threads: options.threads,
            }))
        }
    };
    let mut stats = SystemStats::default();
    let mut cases = Vec::with_capacity(model.load_cases.len());
    for case in &model.load_cases {
        let boundary = effective_boundary(model, case);
        let key = constrained_key(&boundary);
        if system.as_ref().is_none_or(|s| s.constrained != key) {
            let mut sys = timed(observer, Phase::Setup, "", &mut timings.setup, || {
                LinearSystem::setup(model, &boundary)
            })?;
            timed(observer, Phase::Assemble, "", &mut timings.assemble, || {
                sys.assemble(model, &materials, &d)
            })?;
            timed(observer, Phase::Analyse, "", &mut timings.analyse, || {
                solver.analyse(&sys.matrix, Some(sys.dofs.groups()))
            })
            .map_err(|e| sys.explain(model, e))?;
            timed(
                observer,
                Phase::Factorise,
                "",
                &mut timings.factorise,
                || solver.factorise(&sys.matrix),
            )
            .map_err(|e| sys.explain(model, e))?;
            stats = SystemStats {
                n_free: sys.dofs.n_free(),
                nnz_upper: sys.matrix.nnz_stored(),
                n_colors: sys.pattern.colors().len(),
                ..Default::default()
            };
            system = Some(sys);
        }
        let Some(sys) = system.as_ref() else { continue };
        let (mut solution, u_raw) = timed(
            observer,
            Phase::Solve,
            &case.name,
            &mut timings.solve,
            || solve_case(model, sys, &mut *solver, case, &boundary, &materials, &d),
        )?;
        if options.recover {
            solution.fields = timed(
                observer,
                Phase::Recover,
                &case.name,
                &mut timings.recover,
                || recover_fields(&model.mesh, &materials, &d, &u_raw),
            )?;
        }
        cases.push(solution);
    }
    if let Some(chol) = &cholesky {
        stats.nnz_factor = chol.factor_stats().nnz_l;
        stats.factor_bytes = chol.factor_stats().l_bytes;
    }
    Ok(StaticSolution {
        cases,
        timings,
        stats,
    })
}

/// Solve one load case on an assembled, factorised system; returns the case solution
/// (without recovered fields) and the raw displacement vector.
pub fn solve_case(
    model: &Model,
    sys: &LinearSystem,
    solver: &mut dyn LinearSolver,
    case: &LoadCase,
    boundary: &[DirichletBc],
    materials: &[usize],
    d: &[Voigt6x6],
) -> Result<(CaseSolution, Vec<f64>), AssemblyError> {
    let mesh = &model.mesh;
    let f_ext = external_forces(model, case, materials)?;
    let g = sys.dofs.prescribed_vector(boundary);
    sys.dofs.check_prescribed(&g)?;
    let mut rhs_raw = f_ext.clone();
    if g.iter().any(|&v| v != 0.0) {
        let kg = internal_forces(mesh, materials, d, &g)?;
        for (r, v) in rhs_raw.iter_mut().zip(kg) {
            *r -= v;
        }
    }
    let rhs = sys.dofs.reduce(&rhs_raw);
    let mut x = vec![0.0; rhs.len()];
    let report = if rhs.iter().all(|&v| v == 0.0) {
        SolveReport {
            relative_residual: 0.0,
            iterations: 0,
        }
    } else {
        solver
            .solve(&sys.matrix, &rhs, &mut x)
            .map_err(|e| sys.explain(model, e))?
    };
    let u = sys.dofs.expand(&x, &g);
    // reactions R = K u − f at prescribed DOFs; the residual of an eliminated DOF is the force
    // its equation carries, handed on to the DOFs it depends on with the same coefficients
    // (virtual work: δu_d r_d = Σ a_j δu_j r_d), so prescribed DOFs in equations (e.g. tied
    // master nodes on a support) receive their share
    let ku = internal_forces(mesh, materials, d, &u)?;
    let mut residual: Vec<f64> = ku.iter().zip(&f_ext).map(|(k, f)| k - f).collect();
    for r in 0..residual.len() {
        if let DofState::Dependent(k) = sys.dofs.state(r) {
            let rd = residual[r];
            for &(p, b) in &sys.dofs.dependent(k).prescribed {
                residual[p] += b * rd;
            }
        }
    }
    let n = mesh.n_nodes();
    let mut reaction = vec![[0.0; 3]; n];
    let mut displacement = vec![[0.0; 3]; n];
    for node in 0..n {
        for c in 0..3 {
            let r = 3 * node + c;
            displacement[node][c] = u[r];
            if sys.dofs.state(r) == DofState::Prescribed {
                reaction[node][c] = residual[r];
            }
        }
    }
    let mut applied_total = [0.0; 3];
    for (r, v) in f_ext.iter().enumerate() {
        applied_total[r % 3] += v;
    }
    Ok((
        CaseSolution {
            name: case.name.clone(),
            displacement,
            reaction,
            applied_total,
            report,
            fields: RecoveredFields::default(),
        },
        u,
    ))
}
