//! # osteon-solver
//!
//! Sparse symmetric positive definite linear solvers for osteon's finite-element systems.
//! The crate is a leaf: it knows sparse matrices, never meshes.
//!
//! ## Entry points
//!
//! * [`SymmetricCsr`]: the matrix, stored as its upper triangle in CSR (which faer reads as
//!   the lower triangle in CSC without a copy), with a parallel product
//!   [`SymmetricCsr::mul_vec`]. The pattern is fixed at construction; values are refilled.
//! * [`LinearSolver`]: the three-phase interface `analyse` (once per pattern) → `factorise`
//!   (once per set of values) → `solve` (once per right-hand side).
//! * [`CholeskySolver`]: faer's supernodal Cholesky with a fill-reducing [`Ordering`]
//!   (METIS nested dissection by default), optional [`UnknownGroups`] to order the node
//!   graph instead of the DOF graph, explicit thread count and scratch memory,
//!   [`FactorStats`], and singular-system detection that names the offending unknown.
//! * [`InterfaceCholesky`]: the same factorisation with a set of interface unknowns
//!   eliminated last, so that matrices which differ only in the interface block (contact
//!   from one Newton iteration to the next) are factorised as a dense update of the
//!   interface Schur complement, and solved with one sparse solve's work.
//! * [`ConjugateGradient`]: Jacobi-preconditioned CG for systems too large to factor.
//! * [`metis_nested_dissection`]: a small, safe wrapper of `METIS_NodeND`, with
//!   [`amd_ordering`], [`Graph`], [`expand_group_permutation`] and [`trailing_permutation`]
//!   to build orderings; [`metis_partition`] (METIS k-way) to split a graph among the
//!   processes of a distributed solve.
//! * [`SolverError`]: every failure, with indices in the caller's numbering.
//! * [`interop`]: conversions to and from faer and nalgebra / nalgebra-sparse matrices, and
//!   zero-copy nalgebra views of nodal and Voigt fields.
//! * [`memory`]: resident and peak resident memory of the process (Linux), to measure what
//!   a factorisation or a whole run needs.
//!
//! ## Example
//!
//! Solve a 3×3 SPD system `A x = b`:
//!
//! ```
//! use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver, Ordering, SymmetricCsr};
//!
//! // A = [4 1 0; 1 3 1; 0 1 2], stored as its upper triangle (diagonal first in each row).
//! let mut a = SymmetricCsr::from_pattern(3, vec![0, 2, 4, 5], vec![0, 1, 1, 2, 2])?;
//! a.values_mut().copy_from_slice(&[4.0, 1.0, 3.0, 1.0, 2.0]);
//!
//! let mut solver = CholeskySolver::new(CholeskyOptions {
//!     ordering: Ordering::NestedDissection,
//!     threads: 1,
//! });
//! solver.analyse(&a, None)?; // ordering + symbolic factorisation (pattern only)
//! solver.factorise(&a)?; // numeric factorisation (values)
//!
//! let b = [5.0, 5.0, 3.0]; // = A · (1, 1, 1)
//! let mut x = [0.0; 3];
//! let report = solver.solve(&a, &b, &mut x)?;
//! assert!(report.relative_residual < 1e-14);
//! for xi in x {
//!     assert!((xi - 1.0).abs() < 1e-14);
//! }
//! # Ok::<(), osteon_solver::SolverError>(())
//! ```
//!
//! ## Interoperability
//!
//! [`SymmetricCsr`] converts to the sparse types of
//! [nalgebra-sparse](https://docs.rs/nalgebra-sparse) and [faer](https://docs.rs/faer),
//! as the stored upper triangle or as the full matrix, and back (see [`interop`] for the
//! table). Displacement and stress fields are viewed as nalgebra matrices, one column per
//! node, without a copy. The nalgebra parts are behind the default feature `nalgebra`.
//!
//! ```
//! use osteon_solver::SymmetricCsr;
//! use osteon_solver::interop::{SymmetryCheck, nodal_vectors};
//!
//! // A = [2 -1; -1 2]
//! let a = SymmetricCsr::from_triplets(2, &[(0, 0, 2.0), (0, 1, -1.0), (1, 1, 2.0)])?;
//! let x = [1.0, 3.0];
//! let mut y = [0.0; 2];
//! a.mul_vec(&x, &mut y); // [-1, 5]
//!
//! // nalgebra-sparse: the full matrix (both triangles) multiplies like A...
//! let csr: nalgebra_sparse::CsrMatrix<f64> = a.to_nalgebra_csr_full();
//! let y_na = &csr * &nalgebra::DVector::from_column_slice(&x);
//! assert_eq!(y_na.as_slice(), &y);
//! // ... and converts back, checking symmetry to a relative tolerance.
//! let b = SymmetricCsr::from_nalgebra_csr(&csr, SymmetryCheck::Within(1e-14))?;
//! assert_eq!(b.values(), a.values());
//!
//! // faer: the full matrix, and a zero-copy view of the stored triangle as lower CSC.
//! let full: faer::sparse::SparseColMat<usize, f64> = a.to_faer_csc_full();
//! assert_eq!(full.as_ref().get(1, 0), Some(&-1.0));
//! let lower = a.as_faer_lower_csc();
//! assert_eq!(lower.get(0, 1), None); // only the lower triangle is seen
//!
//! // A displacement field (x, y, z per node, mm) as a 3 × n matrix, column j = node j.
//! let u = vec![0.0, 0.0, -0.1, 0.0, 0.0, -0.2];
//! assert_eq!(nodal_vectors(&u)?.column(1)[2], -0.2);
//! # Ok::<(), osteon_solver::SolverError>(())
//! ```
//!
//! ## Singular systems
//!
//! A structure with a free rigid-body mode usually factors with a tiny *positive* pivot made
//! of round-off rather than failing. [`CholeskySolver`] therefore checks every pivot after
//! the numeric factorisation and reports `L_kk² <= tol · A_kk` (tol =
//! [`DEFAULT_PIVOT_TOLERANCE`] = 1e-10) as [`SolverError::NotPositiveDefinite`], with the
//! unknown in the original numbering. The unknown named is the last-eliminated unknown of
//! the free mode; see that variant's documentation.

mod cg;
mod cholesky;
mod corner_ordering;
mod csr;
mod error;
mod factory;
mod interface;
mod interface_terms;
mod interface_update;
pub mod interop;
mod krylov;
pub mod memory;
mod ordering;
mod parallel;
mod partition;
mod permuted;
mod subtree_factor;
mod traits;

pub use cg::{CgOptions, ConjugateGradient};
pub use cholesky::{
    CholeskyOptions, CholeskySolver, DEFAULT_PIVOT_TOLERANCE, FactorKind, FactorStats,
};
pub use csr::SymmetricCsr;
pub use error::SolverError;
pub use factory::{ExternalSolver, LinearSolverFactory, UnknownGeometry, rigid_body_mode_row};
pub use interface::{CondensedRhs, InterfaceCholesky, InterfaceStats};
pub use interface_terms::SparseRow;
pub use krylov::{GmresReport, fgmres};
pub use ordering::{
    Graph, Ordering, PermutationPair, UnknownGroups, amd_ordering, expand_group_permutation,
    fill_reducing_permutation, metis_nested_dissection, trailing_permutation,
};
pub use partition::metis_partition;
pub use traits::{LinearSolver, SolveReport};
