//! What the user asks of the contact solver besides the model: the loading steps, the
//! Newton options and the slip tangent. Contact pairs, interactions and increment control
//! are model data ([`osteon_assembly::contact`]).

use osteon_assembly::{LoadCase, Model};
use osteon_solver::ExternalSolver;

/// The Newton matrix used for slipping nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SlipTangent {
    /// The consistent (non-symmetric) tangent, solved by flexible GMRES preconditioned with
    /// the Cholesky factorisation of its symmetric part: quadratic Newton convergence, one
    /// factorisation per iteration plus a few extra triangular solves.
    #[default]
    Consistent,
    /// Only the symmetric part (the pressure coupling −μ k_N t̂⊗n dropped): one Cholesky
    /// solve per iteration, linear convergence while the pressure of sliding nodes changes.
    Symmetric,
}

/// How the Newton matrix is factorised from one iteration to the next.
///
/// Contact changes only the block of the contact unknowns (every slave node's and its master
/// face's): the interiors of the bodies stay as they are. With
/// [`TangentFactorisation::InterfaceUpdate`] the whole matrix is factorised once, with the
/// contact unknowns eliminated last, and every later Newton matrix is factorised as an
/// update of the Schur complement on those unknowns (a low-rank update for the unknowns
/// whose rows changed, or a dense factor of `m³/3` flops for `m` contact unknowns, see
/// [`osteon_solver::InterfaceCholesky`]), which also holds the consistent slip tangent's
/// non-symmetric coupling exactly. The Newton iterations then run on the contact unknowns
/// alone: the start residual is condensed onto them once, each step is a dense solve with
/// the updated interface factors, and the interior is substituted once at the end of the
/// Newton run (`crates/contact/src/condensed.rs`); the iterates are those of a full
/// factorisation from the first step on, the solutions the same to round-off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TangentFactorisation {
    /// [`Self::InterfaceUpdate`] when the contact unknowns number at most
    /// [`MAX_AUTO_INTERFACE`] and at most a quarter of the free unknowns (a dense `m × m`
    /// factor then costs a fraction of a sparse refactorisation), else [`Self::Full`].
    #[default]
    Auto,
    /// Factorise the interiors once, update the interface's Schur complement.
    InterfaceUpdate,
    /// A full sparse factorisation (numeric phase) in every Newton iteration.
    Full,
}

/// The largest number of contact unknowns for which [`TangentFactorisation::Auto`] updates the
/// interface Schur complement. Its dense matrices (the reference's interface factor, its
/// inverse for the low-rank updates, and for a dense update the Schur complement and an
/// updated factor: up to 4 × 8m² bytes, 4.6 GB at 12 000) stay within this machine's memory
/// next to the sparse factor; an update costs `2t³/3` flops for the rank `t` of the terms
/// (or unknowns) that changed since the reference while `t ≤ 0.63 m`, and at most the dense
/// factor's `m³/3` (about 6 s at 12 000 on two cores). The study's default mesh (docking
/// faces and flange in contact) has 8610 contact unknowns; its updates have rank 1074–2280.
pub const MAX_AUTO_INTERFACE: usize = 12_000;

/// Options of the nonlinear solution.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactOptions {
    /// Newton iterations per increment before the increment is cut.
    pub max_iterations: usize,
    /// Convergence: ‖r‖₂ ≤ `residual_tolerance` × the force scale (the largest of the
    /// external, internal and contact force norms), together with an unchanged contact state.
    pub residual_tolerance: f64,
    /// Convergence also, with an unchanged contact state: the last Newton correction moved
    /// no unknown by more than `correction_tolerance` × the largest unknown (–), and
    /// ‖r‖₂ ≤ `stalled_residual_tolerance` × the force scale. The residual alone can stall
    /// at a few slipping nodes, falling linearly at a rate near 1 while the displacements no
    /// longer change (the study's frictional flange at 3 mm: 0.9 an iteration from 1e-5 of
    /// the force scale, corrections 1e-8 of the largest displacement); 1e-8. 0 turns the
    /// criterion off.
    pub correction_tolerance: f64,
    /// The residual bound of the correction criterion (–); 1e-4, fifty times stricter than
    /// the 5e-3 of CalculiX's and Abaqus's default residual criterion.
    pub stalled_residual_tolerance: f64,
    /// Largest number of augmented-Lagrangian updates per increment (hard contact).
    pub max_augmentations: usize,
    /// Resolve geometric interference (g₀ < 0) linearly over the increments of the first step
    /// instead of all at once (CalculiX 2.20 does not ramp it this way for node-to-surface
    /// pairs: its press fit reaches full pressure after its first increments, see
    /// tests/ccx_implant.rs; compare with one increment for the press fit).
    pub ramp_interference: bool,
    /// Newton matrix for slipping nodes.
    pub slip_tangent: SlipTangent,
    /// Threads for the factorisations and solves, from the rayon pool the caller runs in
    /// (`0`: every thread of that pool, `1`: sequential, `k`: work split into `k` parts); no
    /// pool of its own.
    pub threads: usize,
    /// Recover strain and stress at the end of each step.
    pub recover: bool,
    /// How the Newton matrix is factorised from iteration to iteration.
    pub factorisation: TangentFactorisation,
    /// Every step starts from the unloaded state with a fresh contact history — independent
    /// load cases that share one set-up, symbolic analysis and (with
    /// [`TangentFactorisation::InterfaceUpdate`]) one factorisation of the interiors —
    /// instead of continuing from the end of the previous step. Interference is then ramped
    /// in every step (see `ramp_interference`).
    pub steps_from_unloaded: bool,
    /// A linear solver from outside osteon for the Newton matrices (PETSc's CG + GAMG through
    /// `osteon_petsc::PetscSolverFactory`), made once per Newton system and set up afresh
    /// for every Newton matrix; `factorisation` and `threads` are then not used. `None`:
    /// osteon's sparse Cholesky.
    pub external_solver: Option<ExternalSolver>,
}

impl Default for ContactOptions {
    fn default() -> Self {
        Self {
            max_iterations: 40,
            residual_tolerance: 1e-8,
            correction_tolerance: 1e-8,
            stalled_residual_tolerance: 1e-4,
            max_augmentations: 12,
            ramp_interference: true,
            slip_tangent: SlipTangent::Consistent,
            threads: 0,
            recover: true,
            factorisation: TangentFactorisation::Auto,
            steps_from_unloaded: false,
            external_solver: None,
        }
    }
}

/// A frictional contact problem: a linear-elastic model with its contact pairs
/// ([`Model::contact_pairs`]), the loading steps and the options.
///
/// Each step is a [`LoadCase`]: loads and prescribed displacements are *totals at the end of
/// the step*; within the step they are interpolated linearly from their values at the end of
/// the previous step (zero loads and the current displacements before the first step), in
/// the increments of [`LoadCase::increments`] (or from the unloaded state with
/// [`ContactOptions::steps_from_unloaded`]). Prescribed displacements of
/// [`Model::boundary`] hold in every step; the step's own `boundary` adds to or overrides
/// them. The contact history (slip) carries over from step to step unless the steps start
/// from the unloaded state.
#[derive(Clone, Debug)]
pub struct ContactProblem<'a> {
    /// The model (mesh, materials, sections, boundary conditions, equations/ties, contact
    /// pairs). Its `load_cases` are not used; see `steps`.
    pub model: &'a Model,
    /// Loading steps, solved in order.
    pub steps: Vec<LoadCase>,
    /// Options.
    pub options: ContactOptions,
}

impl<'a> ContactProblem<'a> {
    /// A problem whose steps are the model's load cases.
    pub fn from_model(model: &'a Model) -> Self {
        Self {
            model,
            steps: model.load_cases.clone(),
            options: ContactOptions::default(),
        }
    }
}
