//! [`CholeskySolver`]: sparse `L Lᵀ` factorisation (faer 0.24, supernodal or simplicial) with a
//! fill-reducing ordering, symbolic analysis reused across factorisations, explicit scratch
//! memory, and detection of singular systems.

use std::fmt;
use std::time::Instant;

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt::factor::{LltError, LltRegularization};
use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::perm::PermRef;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::sparse::FaerError;
use faer::sparse::linalg::cholesky::supernodal::{SupernodalLltRef, SymbolicSupernodalCholesky};
use faer::sparse::linalg::cholesky::{
    CholeskySymbolicParams, LltRef, SymbolicCholesky, SymbolicCholeskyRaw, SymmetricOrdering,
    factorize_symbolic_cholesky,
};
use faer::sparse::linalg::{SupernodalThreshold, SymbolicSupernodalParams};
use faer::{Accum, Conj, Mat, MatMut, MatRef, Par, Side};

use crate::csr::SymmetricCsr;
use crate::error::SolverError;
use crate::memory::{LimitSource, available_bytes};
use crate::ordering::{Ordering, PermutationPair, UnknownGroups, fill_reducing_permutation};
use crate::parallel::{ThreadContext, norm};
use crate::permuted::PermutedLower;
use crate::subtree_factor::{self, FactorFailure, SubtreeSchedule};
use crate::traits::{LinearSolver, SolveReport};

/// Default relative pivot tolerance of [`CholeskySolver`]: a pivot with
/// `L_kk² <= 1e-10 · A_kk` is reported as singular.
///
/// A singular system (a free rigid-body mode) rarely produces an exactly zero pivot: round-off
/// leaves a tiny pivot of either sign, typically `1e-16 .. 1e-12` relative to `A_kk`. A
/// regular system has `L_kk² / A_kk >= 1 / cond(A)`, and in practice far more. `1e-10`
/// separates the two for finite-element matrices up to condition numbers around `1e10`; use
/// [`CholeskySolver::with_pivot_tolerance`] for other needs.
pub const DEFAULT_PIVOT_TOLERANCE: f64 = 1e-10;

/// Supernode amalgamation rules `(at most this many columns merged, fraction of explicit
/// zeros allowed)`: faer's default without its last rule, which merges supernodes of any
/// width at up to 5 % zeros; here that rule stops at 128 columns.
///
/// faer stores each supernode's diagonal block as a full square, so merging two wide
/// supernodes adds the upper half of the merged block to the factor's storage, not only the
/// zeros the rule counts. On the 1.4 M-unknown tube deck of the benchmark the unbounded rule
/// stored 13.13 GiB for 1.522 × 10⁹ nonzeros; stopped at 128 columns it stores 12.10 GiB
/// for 1.512 × 10⁹ (−8 %), with the factorisation's time equal within this machine's noise
/// at that size and 10–25 % longer at 640 k unknowns, where the larger blocks had kept the
/// dense kernels busier (`docs/benchmark.md`, "Supernode relaxation").
const SUPERNODE_RELAXATION: &[(usize, f64)] = &[(4, 1.0), (16, 0.8), (48, 0.1), (128, 0.05)];

/// Options of [`CholeskySolver`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CholeskyOptions {
    /// Fill-reducing ordering.
    pub ordering: Ordering,
    /// Threads for the numeric factorisation and the solves, taken from the rayon pool the
    /// caller runs in: `1` runs sequentially, `k > 1` splits the work into `k` parts, `0`
    /// uses every thread of that pool. The solver builds no pool of its own.
    pub threads: usize,
}

impl Default for CholeskyOptions {
    /// Nested dissection on every thread of the caller's pool (`threads: 0`, as the analyses
    /// default to).
    fn default() -> Self {
        Self {
            ordering: Ordering::NestedDissection,
            threads: 0,
        }
    }
}

/// Which numeric kernel faer uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FactorKind {
    /// faer decides from the flop-per-nonzero ratio (supernodal for 3-D FE matrices).
    #[default]
    Auto,
    /// Always supernodal (dense blocks, BLAS-3 kernels, parallel).
    Supernodal,
    /// Always simplicial (column by column; good for very sparse factors).
    Simplicial,
}

/// Size, cost and timings of a Cholesky factorisation (see [`CholeskySolver::factor_stats`]).
///
/// Filled by `analyse` (structure, ordering and symbolic times) and updated by `factorise`
/// and `solve`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FactorStats {
    /// Number of unknowns.
    pub n: usize,
    /// Stored entries of `A` (upper triangle with diagonal).
    pub nnz_a: usize,
    /// The ordering used.
    pub ordering: Ordering,
    /// Whether faer chose (or was told to use) the supernodal kernel.
    pub supernodal: bool,
    /// Number of supernodes (0 for a simplicial factor).
    pub n_supernodes: usize,
    /// Widest supernode, in columns (0 for a simplicial factor).
    pub max_supernode_cols: usize,
    /// Nonzeros of `L` (lower triangle with diagonal).
    pub nnz_l: usize,
    /// Length of faer's value array for `L` (supernodes store their diagonal blocks as full
    /// squares, so this is somewhat more than `nnz_l`).
    pub l_storage_len: usize,
    /// Bytes of the value array for `L`.
    pub l_bytes: usize,
    /// Estimated floating-point operations of the numeric factorisation, `Σ_j c_j²` with
    /// `c_j` the nonzeros of column `j` of `L`.
    pub flops: f64,
    /// Seconds spent computing the ordering.
    pub ordering_seconds: f64,
    /// Seconds spent in faer's symbolic factorisation.
    pub symbolic_seconds: f64,
    /// Seconds of the last numeric factorisation (including the pivot check).
    pub numeric_seconds: f64,
    /// Seconds of the last solve (including the residual).
    pub solve_seconds: f64,
    /// Scratch bytes of the numeric factorisation (allocated once per factorisation and freed
    /// at its end): the subtree kernel's permuted view of `A` and update buffers, or faer's
    /// own estimate for its kernel, which includes a permuted copy of `A`.
    pub factor_scratch_bytes: usize,
    /// Scratch bytes of one solve.
    pub solve_scratch_bytes: usize,
    /// Largest scratch of any phase: the numeric factorisation's peak memory is
    /// `l_bytes + peak_scratch_bytes` on top of the matrix itself.
    pub peak_scratch_bytes: usize,
    /// Numeric factorisations since the last `analyse`.
    pub factorisations: usize,
    /// Threads used for the numeric phases.
    pub threads: usize,
    /// Independent subtrees of the elimination tree factorised in parallel (0 when faer's
    /// kernel is used, with one thread, or for a simplicial factor).
    pub subtrees: usize,
    /// Share of the estimated flops inside those subtrees (0..1); the rest is factorised
    /// supernode after supernode with multi-threaded dense kernels.
    pub subtree_flop_share: f64,
}

/// The result of `analyse`: faer's symbolic factor, the subtree schedule of a supernodal
/// factor, and a fingerprint of the pattern.
struct Analysis {
    symbolic: SymbolicCholesky<usize>,
    schedule: Option<SubtreeSchedule>,
    n: usize,
    nnz: usize,
    fingerprint: u64,
}

/// Sparse Cholesky solver (faer supernodal `L Lᵀ`) implementing [`LinearSolver`].
///
/// * `analyse` computes the ordering (METIS nested dissection on the group graph by default)
///   and faer's symbolic factorisation; it is reused by every later `factorise` with the same
///   pattern.
/// * `factorise` allocates the values of `L` once (reused by later factorisations), sizes the
///   scratch with faer's own query, frees it at the end, and checks every pivot: a pivot
///   `L_kk² <= tol · A_kk` (tol = [`DEFAULT_PIVOT_TOLERANCE`]) is reported as
///   [`SolverError::NotPositiveDefinite`] with the unknown in the original numbering.
/// * `solve` solves with the factor and reports the relative residual.
///
/// # Examples
/// ```
/// use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver, Ordering, SymmetricCsr};
/// // The 1-D Laplacian tridiag(-1, 2, -1) of size 4.
/// let t: Vec<_> = (0..4)
///     .flat_map(|i| [(i, i, 2.0), (i, i + 1, -1.0)])
///     .filter(|&(_, j, _)| j < 4)
///     .collect();
/// let a = SymmetricCsr::from_triplets(4, &t)?;
/// let mut solver = CholeskySolver::new(CholeskyOptions { ordering: Ordering::Amd, threads: 1 });
/// solver.analyse(&a, None)?;
/// solver.factorise(&a)?;
/// let mut x = vec![0.0; 4];
/// let report = solver.solve(&a, &[1.0, 0.0, 0.0, 1.0], &mut x)?;
/// assert!(report.relative_residual < 1e-14);
/// assert!(x.iter().all(|&v| (v - 1.0).abs() < 1e-12));
/// # Ok::<(), osteon_solver::SolverError>(())
/// ```
pub struct CholeskySolver {
    options: CholeskyOptions,
    pivot_tolerance: f64,
    kind: FactorKind,
    ctx: ThreadContext,
    analysis: Option<Analysis>,
    l_values: Vec<f64>,
    factorised: bool,
    stats: FactorStats,
    memory_limit: Option<u64>,
    parallel_subtrees: bool,
}

impl fmt::Debug for CholeskySolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CholeskySolver")
            .field("options", &self.options)
            .field("pivot_tolerance", &self.pivot_tolerance)
            .field("kind", &self.kind)
            .field("analysed", &self.analysis.is_some())
            .field("factorised", &self.factorised)
            .field("stats", &self.stats)
            .finish()
    }
}

impl CholeskySolver {
    /// A solver with the given options, the default pivot tolerance and [`FactorKind::Auto`].
    pub fn new(options: CholeskyOptions) -> Self {
        Self {
            options,
            pivot_tolerance: DEFAULT_PIVOT_TOLERANCE,
            kind: FactorKind::Auto,
            ctx: ThreadContext::new(options.threads),
            analysis: None,
            l_values: Vec::new(),
            factorised: false,
            stats: FactorStats::default(),
            memory_limit: None,
            parallel_subtrees: true,
        }
    }

    /// Chooses the supernodal numeric kernel; takes effect at the next `analyse`.
    ///
    /// * `true` (the default): osteon's left-looking kernel, which factorises the independent
    ///   subtrees of the elimination tree on separate threads and the supernodes above them
    ///   with multi-threaded dense kernels (`crate::subtree_factor`).
    /// * `false`: faer's own kernel, which visits the supernodes one after another and uses
    ///   threads only inside each supernode.
    ///
    /// Both fill faer's value layout, so everything that reads the factor is unaffected.
    pub fn with_parallel_subtrees(mut self, enabled: bool) -> Self {
        self.parallel_subtrees = enabled;
        self
    }

    /// Caps the memory (bytes) a numeric factorisation may allocate (factor + workspace).
    /// Without it the cap is [`crate::memory::available_bytes`]: `OSTEON_MEMORY_LIMIT` when
    /// set, else what the system reports free. A factorisation over the cap fails with
    /// [`SolverError::InsufficientMemory`] before allocating anything.
    pub fn with_memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Refuses a factorisation that needs `factor` + `workspace` bytes beyond the cap.
    pub(crate) fn check_memory(&self, factor: u64, workspace: u64) -> Result<(), SolverError> {
        let limit = match self.memory_limit {
            Some(b) => Some((b, LimitSource::Caller)),
            None => available_bytes().map_err(SolverError::InvalidMemoryLimit)?,
        };
        match limit {
            Some((available, source)) if factor.saturating_add(workspace) > available => {
                Err(SolverError::InsufficientMemory {
                    factor_bytes: factor,
                    workspace_bytes: workspace,
                    available_bytes: available,
                    limit: source,
                })
            }
            _ => Ok(()),
        }
    }

    /// Sets the relative pivot tolerance (see [`DEFAULT_PIVOT_TOLERANCE`]); `0` reports only
    /// pivots that are not positive. Negative or NaN values are treated as 0.
    pub fn with_pivot_tolerance(mut self, tolerance: f64) -> Self {
        self.pivot_tolerance = if tolerance > 0.0 { tolerance } else { 0.0 };
        self
    }

    /// Chooses the numeric kernel; takes effect at the next `analyse`.
    pub fn with_factor_kind(mut self, kind: FactorKind) -> Self {
        self.kind = kind;
        self
    }

    /// The options the solver was built with.
    pub fn options(&self) -> CholeskyOptions {
        self.options
    }

    /// The relative pivot tolerance in use.
    pub fn pivot_tolerance(&self) -> f64 {
        self.pivot_tolerance
    }

    /// Size, cost and timings of the current analysis and the last factorisation and solve.
    pub fn factor_stats(&self) -> &FactorStats {
        &self.stats
    }

    /// The fill-reducing permutation of the current analysis, `perm[new] = old` (the
    /// identity for [`Ordering::Natural`]); `None` before `analyse`.
    pub fn permutation(&self) -> Option<&[usize]> {
        let perm = self.analysis.as_ref()?.symbolic.perm()?;
        Some(perm.arrays().0)
    }

    /// Whether a valid factorisation is held (the last `factorise` succeeded).
    pub fn is_factorised(&self) -> bool {
        self.factorised
    }

    /// Solves `A X = B` for `nrhs` right-hand sides at once. `b` and `x` hold the columns one
    /// after the other (column-major, `n · nrhs` entries); `x` is overwritten. Returns one
    /// report per column.
    ///
    /// # Errors
    /// As [`LinearSolver::solve`].
    pub fn solve_many(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
        nrhs: usize,
    ) -> Result<Vec<SolveReport>, SolverError> {
        let start = Instant::now();
        let analysis = self.analysis.as_ref().ok_or(SolverError::NotAnalysed)?;
        if !self.factorised {
            return Err(SolverError::NotFactorised);
        }
        let n = analysis.n;
        SolverError::check_len("matrix dimension", n, a.n())?;
        SolverError::check_len("matrix stored entries", analysis.nnz, a.nnz_stored())?;
        let total = n.checked_mul(nrhs).ok_or(SolverError::DimensionMismatch {
            what: "right-hand sides",
            expected: usize::MAX,
            found: nrhs,
        })?;
        SolverError::check_len("right-hand side", total, b.len())?;
        SolverError::check_len("solution", total, x.len())?;
        x.copy_from_slice(b);
        if n == 0 {
            let empty = SolveReport {
                relative_residual: 0.0,
                iterations: 0,
            };
            return Ok(vec![empty; nrhs]);
        }

        let symbolic = &analysis.symbolic;
        let l_values = &self.l_values;
        let (reports, scratch) = self.ctx.run(|par, threads| {
            let req = symbolic.solve_in_place_scratch::<f64>(nrhs, par);
            let mut mem = try_scratch(req, "solve workspace")?;
            let llt = LltRef::<'_, usize, f64>::new(symbolic, l_values);
            let rhs = MatMut::from_column_major_slice_mut(&mut *x, n, nrhs);
            llt.solve_in_place_with_conj(Conj::No, rhs, par, MemStack::new(&mut mem));
            drop(mem);
            let mut r = vec![0.0; n];
            let reports = x
                .chunks(n)
                .zip(b.chunks(n))
                .map(|(xc, bc)| direct_solve_report(a, xc, bc, &mut r, threads))
                .collect::<Vec<_>>();
            Ok::<_, SolverError>((reports, req.size_bytes()))
        })?;
        self.stats.solve_scratch_bytes = scratch;
        self.stats.peak_scratch_bytes = self.stats.factor_scratch_bytes.max(scratch);
        self.stats.solve_seconds = start.elapsed().as_secs_f64();
        Ok(reports)
    }
}

impl CholeskySolver {
    /// The symbolic phase for a given fill-reducing permutation `(perm, iperm)`
    /// (`perm[new] = old`), which faer keeps as it is; `ordering_seconds` is what computing it
    /// cost, for the statistics.
    pub(crate) fn analyse_permuted(
        &mut self,
        a: &SymmetricCsr,
        (fwd, inv): PermutationPair,
        ordering_seconds: f64,
    ) -> Result<(), SolverError> {
        self.analysis = None;
        self.factorised = false;
        let n = a.n();
        SolverError::check_len("permutation", n, fwd.len())?;
        SolverError::check_len("inverse permutation", n, inv.len())?;
        let start = Instant::now();
        let ordering = SymmetricOrdering::Custom(PermRef::new_checked(&fwd, &inv, n));
        let params = CholeskySymbolicParams {
            supernodal_flop_ratio_threshold: match self.kind {
                FactorKind::Auto => SupernodalThreshold::AUTO,
                FactorKind::Supernodal => SupernodalThreshold::FORCE_SUPERNODAL,
                FactorKind::Simplicial => SupernodalThreshold::FORCE_SIMPLICIAL,
            },
            supernodal_params: SymbolicSupernodalParams {
                relax: Some(SUPERNODE_RELAXATION),
            },
            ..Default::default()
        };
        let symbolic = factorize_symbolic_cholesky(
            a.as_faer_lower_csc().symbolic(),
            Side::Lower,
            ordering,
            params,
        )
        .map_err(|e| faer_error(e, "symbolic factorisation"))?;
        drop((fwd, inv));
        let threads = self.ctx.run(|_, threads| threads);
        let schedule = match symbolic.raw() {
            SymbolicCholeskyRaw::Supernodal(s) if self.parallel_subtrees => {
                Some(SubtreeSchedule::new(s, threads))
            }
            _ => None,
        };
        let symbolic_seconds = start.elapsed().as_secs_f64();

        // The values of L are allocated at the first factorisation; free a stale array now so
        // an old and a new factor never coexist.
        if self.l_values.len() != symbolic.len_val() {
            self.l_values = Vec::new();
        }
        self.stats = structure_stats(&symbolic, a);
        self.stats.ordering = self.options.ordering;
        self.stats.ordering_seconds = ordering_seconds;
        self.stats.symbolic_seconds = symbolic_seconds;
        self.stats.threads = threads;
        if let Some(schedule) = &schedule {
            self.stats.subtrees = schedule.subtrees();
            self.stats.subtree_flop_share = schedule.subtree_share();
        }
        self.analysis = Some(Analysis {
            symbolic,
            schedule,
            n,
            nnz: a.nnz_stored(),
            fingerprint: a.pattern_fingerprint(),
        });
        Ok(())
    }

    /// The last `m` columns and rows of the held factor `L` (in elimination order) as a dense
    /// lower-triangular `m × m` matrix (the strict upper triangle is zero): the Cholesky
    /// factor of the Schur complement on the unknowns eliminated last.
    pub(crate) fn trailing_block(&self, m: usize) -> Result<Mat<f64>, SolverError> {
        let analysis = self.analysis.as_ref().ok_or(SolverError::NotAnalysed)?;
        if !self.factorised {
            return Err(SolverError::NotFactorised);
        }
        let n = analysis.n;
        SolverError::check_len("trailing block", n.min(m), m)?;
        let first = n - m;
        let mut block = Mat::<f64>::zeros(m, m);
        let l = &self.l_values;
        match analysis.symbolic.raw() {
            SymbolicCholeskyRaw::Supernodal(s) => {
                let begin = s.supernode_begin();
                let end = s.supernode_end();
                let col_ptr = s.col_ptr_for_val();
                for sn in 0..s.n_supernodes() {
                    if end[sn] <= first {
                        continue;
                    }
                    let width = end[sn] - begin[sn];
                    let pattern = s.supernode(sn).pattern();
                    let rows = width + pattern.len();
                    // Column-major `rows × width`: the diagonal block, then the rows below.
                    for c in begin[sn].max(first)..end[sn] {
                        let col = &l[col_ptr[sn] + (c - begin[sn]) * rows..][..rows];
                        for r in c..end[sn] {
                            block[(r - first, c - first)] = col[r - begin[sn]];
                        }
                        for (k, &r) in pattern.iter().enumerate() {
                            block[(r - first, c - first)] = col[width + k];
                        }
                    }
                }
            }
            SymbolicCholeskyRaw::Simplicial(s) => {
                let col_ptr = s.col_ptr();
                let row_idx = s.row_idx();
                for c in first..n {
                    for k in col_ptr[c]..col_ptr[c + 1] {
                        block[(row_idx[k] - first, c - first)] = l[k];
                    }
                }
            }
        }
        Ok(block)
    }

    /// Solves `A x = b` (original numbering) with the held supernodal factor, except that the
    /// trailing `m` unknowns in elimination order are left to `trailing`: after the forward
    /// substitution over the leading columns, `trailing` receives the condensed right-hand
    /// side of the trailing unknowns and must replace it by their solution; the backward
    /// substitution over the leading columns follows. With `trailing` solving with the
    /// factor's own trailing block this is an ordinary solve; with another Schur complement
    /// factor it solves the matrix whose trailing block was changed accordingly.
    pub(crate) fn solve_split(
        &mut self,
        b: &[f64],
        x: &mut [f64],
        m: usize,
        trailing: impl FnOnce(&mut [f64], Par) + Send,
    ) -> Result<(), SolverError> {
        SolverError::check_len("solution", b.len(), x.len())?;
        let mut y = self.forward_leading(b, m)?;
        let first = y.len() - m;
        self.ctx.run(|par, _| trailing(&mut y[first..], par));
        self.backward_leading(y, m, x)
    }

    /// The supernodal factor, the inverse permutation's array (`old(k)` is the original
    /// index of elimination position `k`) and the number of supernodes lying (at least
    /// partly) before the trailing `m` unknowns.
    fn split_parts(
        analysis: Option<&Analysis>,
        factorised: bool,
        m: usize,
    ) -> Result<SplitParts<'_>, SolverError> {
        let analysis = analysis.ok_or(SolverError::NotAnalysed)?;
        if !factorised {
            return Err(SolverError::NotFactorised);
        }
        let n = analysis.n;
        SolverError::check_len("trailing block", n.min(m), m)?;
        let SymbolicCholeskyRaw::Supernodal(symbolic) = analysis.symbolic.raw() else {
            return Err(SolverError::Factorisation {
                detail: "a split solve needs a supernodal factor".into(),
            });
        };
        let perm = analysis.symbolic.perm().map(|p| p.arrays().0);
        let leading = symbolic
            .supernode_begin()
            .partition_point(|&c| c < n - m)
            .min(symbolic.n_supernodes());
        Ok((symbolic, perm, leading))
    }

    /// The forward half of [`CholeskySolver::solve_split`]: `b` (original numbering) permuted
    /// to elimination order, `L_II y_I = b_I` solved over the leading columns, and the
    /// trailing `m` entries condensed to `b_C − L_CI y_I` — the right-hand side of the
    /// trailing unknowns' Schur complement system. Returns `y` (elimination order, length
    /// `n`), which [`CholeskySolver::backward_leading`] completes.
    pub(crate) fn forward_leading(&mut self, b: &[f64], m: usize) -> Result<Vec<f64>, SolverError> {
        let (symbolic, perm, leading) =
            Self::split_parts(self.analysis.as_ref(), self.factorised, m)?;
        let n = symbolic.nrows();
        SolverError::check_len("right-hand side", n, b.len())?;
        let old = |k: usize| perm.map_or(k, |p| p[k]);
        let first = n - m;
        let mut y: Vec<f64> = (0..n).map(|k| b[old(k)]).collect();
        let llt = SupernodalLltRef::<'_, usize, f64>::new(symbolic, &self.l_values);
        self.ctx.run(|par, _| {
            let mut tmp = Vec::new();
            // forward: L_II y_I = b_I, and b_C − L_CI y_I
            for s in 0..leading {
                let node = llt.supernode(s);
                let (start, val) = (node.start(), node.val());
                let (size, pattern) = (val.ncols(), node.pattern());
                let w = size.min(first - start);
                let (top, below) = val.subcols(0, w).split_at_row(w);
                let (head, rest) = y[start..].split_at_mut(w);
                let mut head = MatMut::from_column_major_slice_mut(head, w, 1);
                solve_lower_triangular_in_place(top, head.rb_mut(), par);
                tmp.clear();
                tmp.resize(below.nrows(), 0.0);
                let mut t = MatMut::from_column_major_slice_mut(&mut tmp, below.nrows(), 1);
                matmul(t.rb_mut(), Accum::Replace, below, head.rb(), 1.0, par);
                let (inside, outside) = tmp.split_at(size - w);
                for (yi, ti) in rest.iter_mut().zip(inside) {
                    *yi -= ti;
                }
                for (&r, ti) in pattern.iter().zip(outside) {
                    y[r] -= ti;
                }
            }
        });
        Ok(y)
    }

    /// The backward half of [`CholeskySolver::solve_split`]: `y` from
    /// [`CholeskySolver::forward_leading`] with its trailing `m` entries replaced by the
    /// trailing unknowns' values `x_C`; solves `L_IIᵀ x_I = y_I − L_CIᵀ x_C` and writes the
    /// whole solution to `x` (original numbering).
    pub(crate) fn backward_leading(
        &mut self,
        mut y: Vec<f64>,
        m: usize,
        x: &mut [f64],
    ) -> Result<(), SolverError> {
        let (symbolic, perm, leading) =
            Self::split_parts(self.analysis.as_ref(), self.factorised, m)?;
        let n = symbolic.nrows();
        SolverError::check_len("condensed right-hand side", n, y.len())?;
        SolverError::check_len("solution", n, x.len())?;
        let old = |k: usize| perm.map_or(k, |p| p[k]);
        let first = n - m;
        let llt = SupernodalLltRef::<'_, usize, f64>::new(symbolic, &self.l_values);
        self.ctx.run(|par, _| {
            let mut tmp = Vec::new();
            // backward: L_IIᵀ x_I = y_I − L_CIᵀ x_C
            for s in (0..leading).rev() {
                let node = llt.supernode(s);
                let (start, val) = (node.start(), node.val());
                let (size, pattern) = (val.ncols(), node.pattern());
                let w = size.min(first - start);
                let (top, below) = val.subcols(0, w).split_at_row(w);
                tmp.clear();
                tmp.extend_from_slice(&y[start + w..start + size]);
                tmp.extend(pattern.iter().map(|&r| y[r]));
                let t = MatRef::from_column_major_slice(&tmp, below.nrows(), 1);
                let mut head = MatMut::from_column_major_slice_mut(&mut y[start..start + w], w, 1);
                matmul(head.rb_mut(), Accum::Add, below.transpose(), t, -1.0, par);
                solve_upper_triangular_in_place(top.transpose(), head, par);
            }
        });
        for (k, v) in y.into_iter().enumerate() {
            x[old(k)] = v;
        }
        Ok(())
    }
}

/// The supernodal factor's symbolic structure, the inverse permutation's array and the
/// number of leading supernodes of a split solve (see `CholeskySolver::split_parts`).
type SplitParts<'a> = (
    &'a SymbolicSupernodalCholesky<usize>,
    Option<&'a [usize]>,
    usize,
);

impl LinearSolver for CholeskySolver {
    fn analyse(
        &mut self,
        a: &SymmetricCsr,
        groups: Option<&UnknownGroups>,
    ) -> Result<(), SolverError> {
        self.analysis = None;
        self.factorised = false;
        let n = a.n();

        let start = Instant::now();
        // Natural order is passed to faer as an explicit identity permutation: faer 0.24's
        // `SymmetricOrdering::Identity` skips the step that brings a `Side::Lower` input to
        // the upper form its symbolic analysis reads, and would analyse only the diagonal.
        let (fwd, inv) = match fill_reducing_permutation(a, groups, self.options.ordering)? {
            Some(perm) => perm,
            None => ((0..n).collect(), (0..n).collect()),
        };
        let ordering_seconds = start.elapsed().as_secs_f64();
        self.analyse_permuted(a, (fwd, inv), ordering_seconds)
    }

    fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError> {
        self.factorised = false;
        let start = Instant::now();
        let analysis = self.analysis.as_ref().ok_or(SolverError::NotAnalysed)?;
        check_same_pattern(analysis, a)?;
        if let Some((row, col, value)) = a.first_non_finite() {
            return Err(SolverError::NonFiniteValue { row, col, value });
        }
        let diagonal = a.diagonal();
        if let Some(k) = diagonal.iter().position(|&d| d <= 0.0) {
            return Err(SolverError::NotPositiveDefinite {
                unknown: k,
                pivot: diagonal[k],
            });
        }

        let symbolic = &analysis.symbolic;
        let len = symbolic.len_val();
        let workspace = match &analysis.schedule {
            // The permuted view's transposed entries plus the schedule's per-thread buffers.
            Some(schedule) => PermutedLower::bytes(a.n(), a.nnz_stored())
                .saturating_add(schedule.workspace_bytes(a.n())),
            None => self.ctx.run(|par, _| {
                symbolic
                    .factorize_numeric_llt_scratch::<f64>(par, Default::default())
                    .size_bytes()
            }),
        };
        let factor = if self.l_values.len() == len {
            0 // already allocated, reused
        } else {
            len.saturating_mul(size_of::<f64>())
        };
        self.check_memory(factor as u64, workspace as u64)?;
        let analysis = self.analysis.as_ref().ok_or(SolverError::NotAnalysed)?;
        let symbolic = &analysis.symbolic;
        if self.l_values.len() != len {
            self.l_values = Vec::new();
            crate::memory::release_free_heap();
            self.l_values = zeroed_f64(len).ok_or(SolverError::OutOfMemory {
                what: "Cholesky factor values",
                bytes: len.saturating_mul(size_of::<f64>()),
            })?;
        }

        let l_values = &mut self.l_values;
        // The subtree kernel reads A through a permuted view (no copy of its values); a
        // matrix too large for the view's 32-bit positions goes to faer's own kernel.
        let view = match (&analysis.schedule, symbolic.perm()) {
            (Some(_), Some(perm)) => {
                let (fwd, inv) = perm.arrays();
                PermutedLower::new(a, fwd, inv)
            }
            _ => None,
        };
        let scratch_bytes = match (symbolic.raw(), &analysis.schedule, view) {
            (SymbolicCholeskyRaw::Supernodal(supernodal), Some(schedule), Some(view)) => {
                self.ctx.run(|par, _| {
                    subtree_factor::factorise(supernodal, schedule, &view, l_values, par).map_err(
                        |failure| match failure {
                            FactorFailure::Pivot(k) => SolverError::NotPositiveDefinite {
                                unknown: original_index(symbolic, k),
                                pivot: f64::NAN,
                            },
                            FactorFailure::OutOfMemory(bytes) => SolverError::OutOfMemory {
                                what: "factorisation workspace",
                                bytes,
                            },
                            FactorFailure::Schedule => SolverError::Factorisation {
                                detail: "the subtree schedule does not match the symbolic factor"
                                    .into(),
                            },
                        },
                    )
                })?;
                workspace
            }
            _ => self.ctx.run(|par, _| {
                let req = symbolic.factorize_numeric_llt_scratch::<f64>(par, Default::default());
                let mut mem = try_scratch(req, "factorisation workspace")?;
                let matrix = a.as_faer_lower_csc();
                symbolic
                    .factorize_numeric_llt::<f64>(
                        l_values,
                        matrix,
                        Side::Lower,
                        LltRegularization::default(),
                        par,
                        MemStack::new(&mut mem),
                        Default::default(),
                    )
                    .map(|_| ())
                    .map_err(|e| not_positive_definite(e, symbolic))?;
                Ok::<_, SolverError>(req.size_bytes())
            })?,
        };

        if let Some((k, pivot)) =
            first_small_pivot(symbolic, &self.l_values, &diagonal, self.pivot_tolerance)
        {
            return Err(SolverError::NotPositiveDefinite {
                unknown: original_index(symbolic, k),
                pivot,
            });
        }
        self.factorised = true;
        self.stats.factor_scratch_bytes = scratch_bytes;
        self.stats.peak_scratch_bytes = scratch_bytes.max(self.stats.solve_scratch_bytes);
        self.stats.numeric_seconds = start.elapsed().as_secs_f64();
        self.stats.factorisations += 1;
        Ok(())
    }

    fn solve(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<SolveReport, SolverError> {
        let mut reports = self.solve_many(a, b, x, 1)?;
        Ok(reports.pop().unwrap_or(SolveReport {
            relative_residual: 0.0,
            iterations: 0,
        }))
    }

    fn name(&self) -> &'static str {
        "cholesky"
    }
}

/// The report of a direct solve: the relative residual ‖A x − b‖ / ‖b‖ (‖A x‖ when b = 0),
/// `r` (n entries) as workspace.
pub(crate) fn direct_solve_report(
    a: &SymmetricCsr,
    x: &[f64],
    b: &[f64],
    r: &mut [f64],
    threads: usize,
) -> SolveReport {
    a.mul_vec_with_threads(x, r, threads);
    for (ri, bi) in r.iter_mut().zip(b) {
        *ri -= bi;
    }
    let b_norm = norm(b, threads);
    let r_norm = norm(r, threads);
    SolveReport {
        relative_residual: if b_norm > 0.0 {
            r_norm / b_norm
        } else {
            r_norm
        },
        iterations: 0,
    }
}

fn check_same_pattern(analysis: &Analysis, a: &SymmetricCsr) -> Result<(), SolverError> {
    SolverError::check_len("matrix dimension", analysis.n, a.n())?;
    if a.nnz_stored() != analysis.nnz {
        return Err(SolverError::PatternChanged {
            detail: format!(
                "{} stored entries, analysed {}",
                a.nnz_stored(),
                analysis.nnz
            ),
        });
    }
    if a.pattern_fingerprint() != analysis.fingerprint {
        return Err(SolverError::PatternChanged {
            detail: "same size, different positions".into(),
        });
    }
    Ok(())
}

fn try_scratch(req: StackReq, what: &'static str) -> Result<MemBuffer, SolverError> {
    MemBuffer::try_new(req).map_err(|_| SolverError::OutOfMemory {
        what,
        bytes: req.size_bytes(),
    })
}

fn faer_error(e: FaerError, phase: &str) -> SolverError {
    match e {
        FaerError::OutOfMemory => SolverError::OutOfMemory {
            what: "symbolic factorisation",
            bytes: usize::MAX,
        },
        other => SolverError::Factorisation {
            detail: format!("{phase}: {other:?}"),
        },
    }
}

/// Maps faer's non-positive-pivot error (an index in the permuted order) to the original
/// unknown.
fn not_positive_definite(e: LltError, symbolic: &SymbolicCholesky<usize>) -> SolverError {
    let LltError::NonPositivePivot { index } = e;
    // faer 0.24's supernodal kernel reports the 0-based column, its simplicial kernel the
    // 1-based one (`k + 1`).
    let k = match symbolic.raw() {
        SymbolicCholeskyRaw::Supernodal(_) => index,
        SymbolicCholeskyRaw::Simplicial(_) => index.saturating_sub(1),
    };
    let k = k.min(symbolic.nrows().saturating_sub(1));
    SolverError::NotPositiveDefinite {
        unknown: original_index(symbolic, k),
        pivot: f64::NAN,
    }
}

/// The original unknown eliminated at permuted position `k`.
fn original_index(symbolic: &SymbolicCholesky<usize>, k: usize) -> usize {
    match symbolic.perm() {
        Some(perm) => perm.arrays().0[k],
        None => k,
    }
}

/// The first pivot in elimination order with `L_kk² <= tol · A_kk` (or not finite): its
/// permuted position and `L_kk²`.
fn first_small_pivot(
    symbolic: &SymbolicCholesky<usize>,
    l_values: &[f64],
    diagonal: &[f64],
    tol: f64,
) -> Option<(usize, f64)> {
    let perm = symbolic.perm().map(|p| p.arrays().0);
    let a_kk = |k: usize| match perm {
        Some(p) => diagonal[p[k]],
        None => diagonal[k],
    };
    let is_small = |k: usize, l_kk: f64| {
        let d = l_kk * l_kk;
        (d.is_nan() || d <= tol * a_kk(k)).then_some((k, d))
    };
    match symbolic.raw() {
        SymbolicCholeskyRaw::Supernodal(s) => {
            let begin = s.supernode_begin();
            let end = s.supernode_end();
            let col_ptr = s.col_ptr_for_val();
            (0..s.n_supernodes()).find_map(|sn| {
                let width = end[sn] - begin[sn];
                let rows = width + s.supernode(sn).pattern().len();
                // Supernode values: a column-major `rows × width` block; the diagonal of
                // local column c sits at c · rows + c.
                (0..width)
                    .find_map(|c| is_small(begin[sn] + c, l_values[col_ptr[sn] + c * rows + c]))
            })
        }
        SymbolicCholeskyRaw::Simplicial(s) => {
            // Each column of a simplicial L starts with its diagonal.
            let col_ptr = s.col_ptr();
            (0..s.nrows()).find_map(|k| is_small(k, l_values[col_ptr[k]]))
        }
    }
}

/// Structure statistics of a symbolic factor.
fn structure_stats(symbolic: &SymbolicCholesky<usize>, a: &SymmetricCsr) -> FactorStats {
    let mut stats = FactorStats {
        n: a.n(),
        nnz_a: a.nnz_stored(),
        l_storage_len: symbolic.len_val(),
        l_bytes: symbolic.len_val() * size_of::<f64>(),
        ..Default::default()
    };
    match symbolic.raw() {
        SymbolicCholeskyRaw::Supernodal(s) => {
            stats.supernodal = true;
            stats.n_supernodes = s.n_supernodes();
            for sn in 0..s.n_supernodes() {
                let width = s.supernode_end()[sn] - s.supernode_begin()[sn];
                let below = s.supernode(sn).pattern().len();
                stats.max_supernode_cols = stats.max_supernode_cols.max(width);
                for c in 0..width {
                    let count = width - c + below;
                    stats.nnz_l += count;
                    stats.flops += (count as f64) * (count as f64);
                }
            }
        }
        SymbolicCholeskyRaw::Simplicial(s) => {
            for w in s.col_ptr().windows(2) {
                let count = w[1] - w[0];
                stats.nnz_l += count;
                stats.flops += (count as f64) * (count as f64);
            }
        }
    }
    stats
}

/// A zero-filled `Vec<f64>` of `len` entries from the allocator's zeroed allocation (calloc:
/// fresh pages come zero from the kernel, so the factor's storage is not written twice —
/// faer fills it again during the factorisation), or `None` if it cannot be allocated.
fn zeroed_f64(len: usize) -> Option<Vec<f64>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<f64>(len).ok()?;
    // SAFETY: `layout` has non-zero size (len > 0). The pointer, if non-null, comes from the
    // global allocator with the layout of `[f64; len]`, which is what `Vec<f64>` with capacity
    // `len` uses, and all-zero bits are a valid `f64` (0.0), so every element is initialised.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout).cast::<f64>();
        if ptr.is_null() {
            return None;
        }
        advise_huge_pages(ptr.cast::<u8>(), layout.size());
        Some(Vec::from_raw_parts(ptr, len, len))
    }
}

/// Asks Linux to back `[ptr, ptr + bytes)` with transparent huge pages (2 MiB) where it can:
/// a large factor is then first touched with 512 times fewer page faults. Only the whole
/// 4 KiB pages inside the range are advised; the advice changes neither the contents nor the
/// validity of the memory, and a refusal (THP disabled) is harmless.
#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    const PAGE: usize = 4096;
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + bytes) / PAGE * PAGE;
    if end > start {
        // SAFETY: `[start, end)` lies inside the caller's live allocation of `bytes` bytes at
        // `ptr` and is page-aligned; MADV_HUGEPAGE only changes how the kernel backs the pages
        // (no data is discarded), so no Rust-visible memory changes.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_ptr: *mut u8, _bytes: usize) {}
