//! [`PetscSolverFactory`]: PETSc's Krylov solver for every analysis that takes a
//! [`SolverChoice`](osteon_assembly::SolverChoice) — linear statics, frictional contact,
//! the tibial study — on this process.

use osteon_solver::{LinearSolver, LinearSolverFactory, SolverError, UnknownGeometry};

use crate::error::PetscError;
use crate::krylov::{Krylov, KrylovOptions};
use crate::matrix::Matrix;
use crate::session::{Scope, Session, has_option, lock};
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
/// let petsc = PetscSolverFactory::new(session, KrylovOptions::default())?;
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
    /// The Krylov method and preconditioner PETSc uses with these options and its options
    /// database (`-ksp_type`, `-pc_type` override `options`).
    types: (String, String),
    /// `-ksp_rtol` is in PETSc's options database (it overrides `options.rel_tol`).
    rtol_from_options: bool,
}

impl std::fmt::Debug for PetscSolverFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PetscSolverFactory")
            .field("session", &self.session)
            .field("options", &self.options)
            .field("types", &self.types)
            .finish()
    }
}

impl PetscSolverFactory {
    /// Solvers with `options` (PETSc's options database, given to [`Session::start`],
    /// overrides them) in `session`, which the factory keeps until it is dropped. The
    /// Krylov method and preconditioner that result are read back from PETSc (on a 3 × 3
    /// probe) so that [`LinearSolverFactory::describe`] names what will run.
    ///
    /// # Errors
    /// [`PetscError::Call`] when PETSc refuses the options (an unknown type).
    pub fn new(session: Session, options: KrylovOptions) -> Result<Self, PetscError> {
        let (types, rtol_from_options) = {
            let mut probe = Matrix::new(&session, Scope::Process, 3, 3, "aij", &[1], &[0])?;
            for i in 0..3 {
                probe.add_values(&[i], &[i], &[1.0])?;
            }
            probe.assemble()?;
            let krylov = Krylov::new(&session, Scope::Process, &probe, &options)?;
            let types = krylov.types()?;
            let _guard = lock();
            (types, has_option(c"-ksp_rtol")?)
        };
        Ok(Self {
            session,
            options,
            types,
            rtol_from_options,
        })
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }
}

impl LinearSolverFactory for PetscSolverFactory {
    fn describe(&self) -> String {
        let (ksp, pc) = &self.types;
        let tolerance = if self.rtol_from_options {
            "the relative residual PETSc's -ksp_rtol gives".to_string()
        } else {
            format!("a relative residual of {:e}", self.options.rel_tol)
        };
        format!("PETSc {ksp} + {pc} on one process, to {tolerance}")
    }

    fn make(&self, geometry: &UnknownGeometry) -> Result<Box<dyn LinearSolver + '_>, SolverError> {
        let solver = PetscSolver::new(&self.session, self.options.clone())
            .with_geometry(geometry)
            .map_err(|e| SolverError::Backend {
                backend: "PETSc",
                detail: e.to_string(),
            })?;
        Ok(Box::new(solver))
    }
}
