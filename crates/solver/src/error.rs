//! The error type of the solver crate.

/// Everything that can go wrong in `osteon-solver`.
///
/// Indices of unknowns are always in the caller's (original, un-permuted) numbering, so a
/// caller that owns a DOF map can turn `unknown` into a node and a direction.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// The matrix is singular or not positive definite.
    ///
    /// `unknown` is the index, in the original numbering, of the first unknown (in elimination
    /// order) whose pivot was non-positive or negligible. For a free rigid-body mode or a
    /// mechanism this is one of the unknowns that move in that mode: the factorisation only
    /// notices the singularity when it eliminates the last unknown of the mode's support, so
    /// which member of the mode is named depends on the ordering.
    ///
    /// `pivot` is the pivot value `d = L_kk²` (the diagonal of the Schur complement at that
    /// step), or the diagonal entry `A_kk` itself when that is already `<= 0`. When faer
    /// stopped on a pivot it found non-positive it does not report the value, and `pivot` is
    /// NaN.
    ///
    /// From [`crate::ConjugateGradient::solve`] (no factorisation): `pivot` is pᵀAp (≤ 0, or
    /// NaN) along a search direction p, or the Jacobi-scaled Rayleigh quotient pᵀAp / pᵀDp
    /// (D = diag A, dimensionless) when that fell to round-off level — p is then a null
    /// vector of a singular A and `unknown` the unknown that moves most along it.
    #[error(
        "matrix is singular or not positive definite: pivot {pivot:e} at unknown {unknown} \
         (an unconstrained rigid-body mode or mechanism involves this unknown)"
    )]
    NotPositiveDefinite {
        /// Index of the unknown in the original numbering.
        unknown: usize,
        /// The offending pivot (see the variant documentation); NaN when unknown.
        pivot: f64,
    },

    /// An iterative solver stopped at its iteration limit before reaching the tolerance.
    #[error(
        "iterative solver did not converge: relative residual {relative_residual:e} after \
         {iterations} iterations"
    )]
    NotConverged {
        /// Iterations performed.
        iterations: usize,
        /// Relative residual `||b - A x|| / ||b||` of the last iterate.
        relative_residual: f64,
    },

    /// A sparsity pattern (CSR arrays) violates the invariants of [`crate::SymmetricCsr`].
    #[error("invalid sparsity pattern: {detail}")]
    InvalidPattern {
        /// What is wrong and where.
        detail: String,
    },

    /// An [`crate::UnknownGroups`] does not partition the unknowns.
    #[error("invalid unknown groups: {detail}")]
    InvalidGroups {
        /// What is wrong and where.
        detail: String,
    },

    /// An interface unknown given to [`crate::InterfaceCholesky`] is not an unknown of the
    /// matrix.
    #[error("interface unknown {unknown} is out of range for a matrix of {n} unknowns")]
    InvalidInterface {
        /// The offending index.
        unknown: usize,
        /// Number of unknowns of the matrix.
        n: usize,
    },

    /// An adjacency graph given to an ordering routine is malformed.
    #[error("invalid graph: {detail}")]
    InvalidGraph {
        /// What is wrong and where.
        detail: String,
    },

    /// A vector or matrix has the wrong size.
    #[error("dimension mismatch for {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// Which argument.
        what: &'static str,
        /// The size that was expected.
        expected: usize,
        /// The size that was given.
        found: usize,
    },

    /// A matrix handed to a conversion (see [`crate::interop`]) is not square.
    #[error("the matrix is {rows}x{cols}: a symmetric matrix must be square")]
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },

    /// A matrix handed to a conversion with a symmetry check is not symmetric within the
    /// tolerance. A missing entry counts as zero.
    #[error(
        "the matrix is not symmetric: a({row}, {col}) = {upper:e} but a({col}, {row}) = {lower:e}"
    )]
    NotSymmetric {
        /// Row of the upper-triangle entry (`row < col`).
        row: usize,
        /// Column of the upper-triangle entry.
        col: usize,
        /// The value `a(row, col)` in the upper triangle.
        upper: f64,
        /// The value `a(col, row)` in the lower triangle.
        lower: f64,
    },

    /// A flat field of per-node (or per-point) values does not hold a whole number of
    /// `components`-vectors (see [`crate::interop`]).
    #[error(
        "a field of {components}-component values has length {len}, not a multiple of {components}"
    )]
    FieldLength {
        /// Components per node (3 for a displacement, 6 for a Voigt stress).
        components: usize,
        /// The length of the slice given.
        len: usize,
    },

    /// `factorise` was given a matrix whose pattern differs from the analysed one.
    #[error("the matrix pattern differs from the analysed pattern ({detail}); call analyse again")]
    PatternChanged {
        /// What differs.
        detail: String,
    },

    /// A matrix entry is NaN or infinite.
    #[error("matrix entry ({row}, {col}) is not finite: {value}")]
    NonFiniteValue {
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
        /// The value.
        value: f64,
    },

    /// `factorise` (or `solve`) was called before `analyse`.
    #[error("the solver has not analysed a pattern yet: call analyse first")]
    NotAnalysed,

    /// `solve` was called without a successful `factorise` after the last `analyse`.
    #[error("the solver holds no valid factorisation: call factorise first")]
    NotFactorised,

    /// The fill-reducing ordering failed.
    #[error("ordering failed: {detail}")]
    Ordering {
        /// What failed.
        detail: String,
    },

    /// The factorisation would need more memory than is available: refused before any
    /// allocation, instead of being killed by the operating system.
    #[error(
        "the sparse Cholesky factorisation needs {} (factor {} + workspace {}) but only {} is available ({limit}): use an iterative solver (`osteon solve --solver cg`), a coarser model or a machine with more memory",
        human_bytes(.factor_bytes.saturating_add(*.workspace_bytes)),
        human_bytes(*.factor_bytes),
        human_bytes(*.workspace_bytes),
        human_bytes(*.available_bytes)
    )]
    InsufficientMemory {
        /// Bytes of the factor's values still to allocate.
        factor_bytes: u64,
        /// Bytes of the factorisation workspace.
        workspace_bytes: u64,
        /// Bytes available.
        available_bytes: u64,
        /// Where the limit comes from.
        limit: crate::memory::LimitSource,
    },

    /// `OSTEON_MEMORY_LIMIT` is set to something that is not a size.
    #[error("{0}")]
    InvalidMemoryLimit(String),

    /// A memory allocation failed.
    #[error("out of memory while allocating {bytes} bytes for {what}")]
    OutOfMemory {
        /// What was being allocated.
        what: &'static str,
        /// Requested size in bytes (`usize::MAX` when the size itself overflowed).
        bytes: usize,
    },

    /// A solver backend outside this crate (PETSc, through osteon-petsc) failed; `detail` is
    /// the backend's message.
    #[error("{backend} solver failed: {detail}")]
    Backend {
        /// The backend ("PETSc").
        backend: &'static str,
        /// What failed, in the backend's words.
        detail: String,
    },

    /// An error reported by the factorisation library that has no better classification
    /// (for example an index overflow in the symbolic analysis).
    #[error("sparse factorisation failed: {detail}")]
    Factorisation {
        /// The underlying error.
        detail: String,
    },
}

impl SolverError {
    /// `Ok` when an argument has the expected length, else [`SolverError::DimensionMismatch`]
    /// naming it (`what`: "right-hand side", "solution", …). For [`crate::LinearSolver`]
    /// implementations, here and in other crates.
    ///
    /// # Errors
    /// [`SolverError::DimensionMismatch`] when `found != expected`.
    pub fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), SolverError> {
        if expected == found {
            Ok(())
        } else {
            Err(SolverError::DimensionMismatch {
                what,
                expected,
                found,
            })
        }
    }
}

/// Bytes as GiB (≥ 1 GiB) or MiB, for messages.
pub(crate) fn human_bytes(b: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    const MIB: f64 = (1u64 << 20) as f64;
    if b as f64 >= GIB {
        format!("{:.2} GiB", b as f64 / GIB)
    } else {
        format!("{:.1} MiB", b as f64 / MIB)
    }
}
