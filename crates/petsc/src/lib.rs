//! # osteon-petsc
//!
//! osteon's distributed backend: the reduced elasticity system of an osteon model assembled
//! straight into a PETSc matrix spread over MPI processes, and solved by PETSc's Krylov
//! methods — conjugate gradients with smoothed-aggregation algebraic multigrid (GAMG, with
//! the six rigid-body modes as near-null space) by default, anything PETSc offers (hypre's
//! BoomerAMG, MUMPS, …) by its options. osteon writes no distributed solver of its own.
//!
//! - [`Session`]: MPI and PETSc started once per process, PETSc's options, and the lock that
//!   serialises every PETSc call of the process (PETSc is not thread-safe);
//! - [`Matrix`], [`Vector`], [`Krylov`]: thin safe owners of PETSc's `Mat`, `Vec` and `KSP`
//!   with every error code turned into a [`PetscError`] that carries PETSc's message;
//! - [`Layout`]: the model's nodes split among the processes (METIS k-way) and numbered so
//!   that each process owns a contiguous range of rows, three per node;
//! - [`solve_linear_static_distributed`]: the linear static analysis on that layout —
//!   each process assembles only its own elements, rank 0 gathers the solution and recovers
//!   reactions and stresses with the serial code;
//! - [`PetscSolver`]: a [`osteon_solver::LinearSolver`] on one process, for tools that
//!   assemble a [`osteon_solver::SymmetricCsr`] themselves.
//!
//! Constraints are eliminated before distribution, exactly as in the serial path
//! ([`osteon_assembly::Constraints`]): the distributed matrix has three rows per node, and
//! the rows of prescribed and equation-eliminated components are decoupled identity rows,
//! so the free rows hold Tᵀ K T and the block size stays 3 for GAMG.
//!
//! Units: mm, N, MPa.

mod distributed;
mod error;
mod factory;
mod ffi;
mod krylov;
mod layout;
mod matrix;
mod session;
mod solver;
mod vector;

pub use distributed::{DistributedOptions, DistributedSolution, solve_linear_static_distributed};
pub use error::PetscError;
pub use factory::PetscSolverFactory;
pub use krylov::{Krylov, KrylovOptions, KrylovReport, converged_reason_text};
pub use layout::Layout;
pub use matrix::Matrix;
/// Per-process figures of a distributed solve (defined in `osteon-assembly`, beside
/// [`osteon_assembly::PhaseTimings`], so that the run summary reports the same type).
pub use osteon_assembly::RankStats;
pub use session::{Scope, Session};
pub use solver::PetscSolver;
pub use vector::Vector;
