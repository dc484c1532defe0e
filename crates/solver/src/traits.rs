//! The [`LinearSolver`] trait shared by the direct and iterative solvers.

use crate::csr::SymmetricCsr;
use crate::error::SolverError;
use crate::ordering::UnknownGroups;

/// Diagnostics of one solve.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveReport {
    /// `||A x - b|| / ||b||` (Euclidean norms) of the returned `x`; 0 when `b = 0`.
    pub relative_residual: f64,
    /// Iterations of an iterative solver; 0 for a direct solve.
    pub iterations: usize,
}

/// A solver for `A x = b` with a symmetric positive definite sparse `A`, in three phases.
///
/// 1. [`LinearSolver::analyse`] once per sparsity pattern (ordering, symbolic factorisation);
/// 2. [`LinearSolver::factorise`] whenever the values change (new material, contact
///    iteration);
/// 3. [`LinearSolver::solve`] once per right-hand side (load case).
///
/// The trait sees only [`SymmetricCsr`] matrices and vectors, never meshes, so a distributed
/// backend (e.g. PETSc over MPI) can implement it without changes in assembly.
pub trait LinearSolver: Send {
    /// Symbolic phase: ordering and symbolic factorisation. Depends on the pattern only; call
    /// once per pattern. `groups` optionally groups unknowns into supervariables (the DOFs of
    /// one node) for a smaller ordering graph; iterative solvers may ignore it.
    ///
    /// # Errors
    /// Invalid groups, ordering failures, out of memory.
    fn analyse(
        &mut self,
        a: &SymmetricCsr,
        groups: Option<&UnknownGroups>,
    ) -> Result<(), SolverError>;

    /// Numeric phase for the current values of `a`, which must have the analysed pattern.
    ///
    /// # Errors
    /// [`SolverError::NotAnalysed`], [`SolverError::PatternChanged`],
    /// [`SolverError::NonFiniteValue`], and [`SolverError::NotPositiveDefinite`] naming the
    /// offending unknown in the original numbering.
    fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError>;

    /// Solves `A x = b` for the last factorised `A`; `x` is overwritten. `a` is the same
    /// matrix that was factorised (it is used for the residual, and by iterative solvers for
    /// the products).
    ///
    /// # Errors
    /// [`SolverError::NotFactorised`], [`SolverError::DimensionMismatch`], and
    /// [`SolverError::NotConverged`] for iterative solvers.
    fn solve(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<SolveReport, SolverError>;

    /// A short name for reports ("cholesky", "jacobi-pcg").
    fn name(&self) -> &'static str;
}
