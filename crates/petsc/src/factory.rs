//! [`PetscSolverFactory`]: PETSc's Krylov solver for every analysis that takes a
//! [`SolverChoice`](osteon_assembly::SolverChoice) — linear statics, frictional contact,
//! the tibial study — on this process.

use osteon_solver::{LinearSolver, LinearSolverFactory, SolverError, UnknownGeometry};

use crate::krylov::KrylovOptions;
use crate::session::Session;
use crate::solver::PetscSolver;

/// Owns the process's PETSc [`Session`] and makes a [`PetscSolver`] (CG + GAMG by default)
/// for each system an analysis forms, in node blocks of 3 with the six rigid-body modes of
/// the free unknowns as GAMG's near-null space ([`PetscSolver::with_geometry`]).
/// Wrap it in an [`ExternalSolver`](osteon_solver::ExternalSolver) and pass it as
/// `SolverChoice::External`.
///
/// The solves run on this process alone (PETSc's sequential objects), so the analyses that
/// take it are serial code with PETSc's preconditioners inside; for a model spread over MPI
/// processes use [`crate::solve_linear_static_distributed`].
///
/// ```no_run
/// use osteon_assembly::{SolveOptions, SolverChoice};
/// use osteon_petsc::{KrylovOptions, PetscSolverFactory, Session};
/// use osteon_solver::ExternalSolver;
///
/// let session = Session::start("-pc_gamg_threshold 0.01")?;
/// let petsc = PetscSolverFactory::new(session, KrylovOptions::default());
/// let options = SolveOptions {
///     solver: SolverChoice::External(ExternalSolver::new(petsc)),
///     ..SolveOptions::default()
/// };
/// // osteon_assembly::solve_linear_static(&model, &options)?, or
/// // osteon_biomech::run_study_using(&study, options.solver, …)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PetscSolverFactory {
    session: Session,
    options: KrylovOptions,
}

impl std::fmt::Debug for PetscSolverFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PetscSolverFactory")
            .field("session", &self.session)
            .field("options", &self.options)
            .finish()
    }
}

impl PetscSolverFactory {
    /// Solvers with `options` (PETSc's options database, given to [`Session::start`],
    /// overrides them) in `session`, which the factory keeps until it is dropped.
    pub fn new(session: Session, options: KrylovOptions) -> Self {
        Self { session, options }
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }
}

impl LinearSolverFactory for PetscSolverFactory {
    fn describe(&self) -> String {
        let o = &self.options;
        format!(
            "PETSc {} + {} on one process, to a relative residual of {:e} (unless PETSc's options say otherwise)",
            o.ksp_type, o.pc_type, o.rel_tol
        )
    }

    fn make(&self, geometry: &UnknownGeometry) -> Result<Box<dyn LinearSolver + '_>, SolverError> {
        Ok(Box::new(
            PetscSolver::new(&self.session, self.options.clone()).with_geometry(geometry),
        ))
    }
}
