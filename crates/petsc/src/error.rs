//! Every failure of the PETSc backend.

use osteon_assembly::AssemblyError;

/// A failure of the PETSc backend.
#[derive(Debug, thiserror::Error)]
pub enum PetscError {
    /// A PETSc call returned an error code; `message` is PETSc's own.
    #[error("PETSc's {call} failed (error {code}): {message}")]
    Call {
        /// The C function that failed.
        call: &'static str,
        /// PETSc's error code.
        code: i32,
        /// PETSc's message (its error text and the detail it gave).
        message: String,
    },
    /// PETSc cannot be started (again) in this process.
    #[error("PETSc cannot be started: {0}")]
    Start(String),
    /// The Krylov solver stopped without reaching the tolerance.
    #[error(
        "the linear solver did not converge: {reason} after {iterations} iterations (relative residual {relative_residual:.3e})"
    )]
    NotConverged {
        /// PETSc's reason, in words.
        reason: String,
        /// Iterations done.
        iterations: usize,
        /// ‖b − A x‖ / ‖b‖ when it stopped.
        relative_residual: f64,
    },
    /// A size or index that PETSc's integer type (`PetscInt`) cannot hold, or arguments that
    /// do not fit together.
    #[error("invalid input to the PETSc backend: {0}")]
    Invalid(String),
    /// The model: constraints, elements, loads.
    #[error(transparent)]
    Model(#[from] AssemblyError),
    /// Another process of the run failed; `message` is its error, sent here so that one
    /// process (rank 0) can say what went wrong for all.
    #[error("process {rank}: {message}")]
    OtherRank {
        /// The lowest rank that failed.
        rank: usize,
        /// Whether a failed process's error is numerical ([`PetscError::is_numerical`]), so
        /// that every process exits with the same status.
        numerical: bool,
        /// The failed process's error message.
        message: String,
    },
}

impl PetscError {
    /// Whether this is a numerical failure (divergence, a singular or indefinite system)
    /// rather than bad input or a failed call: the command line exits with status 3 for these.
    pub fn is_numerical(&self) -> bool {
        match self {
            PetscError::NotConverged { .. } => true,
            PetscError::OtherRank { numerical, .. } => *numerical,
            PetscError::Model(e) => matches!(
                e,
                AssemblyError::Singular { .. } | AssemblyError::RigidBodyMode { .. }
            ),
            _ => false,
        }
    }
}
