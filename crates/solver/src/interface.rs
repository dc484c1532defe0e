//! [`InterfaceCholesky`]: a sparse Cholesky factorisation for a sequence of matrices that
//! differ only in the block of a small set of *interface* unknowns — the slave and master
//! unknowns of contact, whose Newton matrix changes from one iteration to the next while the
//! bone and implant interiors do not.
//!
//! The interface unknowns `C` are eliminated last, after the interior `I` (ordered by nested
//! dissection on the graph the interior induces). The factor of
//!
//! ```text
//! A = [ A_II  A_IC ]      L = [ L_II   0   ]
//!     [ A_CI  A_CC ]          [ L_CI  L_CC ]
//! ```
//!
//! has `L_CC L_CCᵀ = S = A_CC − A_CI A_II⁻¹ A_IC`, the Schur complement on the interface. A
//! matrix `A' = A + E Δ Eᵀ` that changes only `A_CC` (by `Δ`) has the same `L_II` and `L_CI`
//! and the Schur complement `S' = S + Δ`: its factorisation is the dense Cholesky factor of
//! `S + Δ`, `m³/3` flops for `m` interface unknowns instead of a sparse refactorisation of
//! all `n`. The pivots of `S + Δ` are exactly the last `m` pivots a full factorisation of `A'`
//! in the same order would meet, so singular matrices are reported as the full path would.
//!
//! A solve with `A'` runs the forward substitution of the reference factor over the interior
//! (`L_II`, and `L_CI` to condense the right-hand side onto the interface), solves the
//! interface with the factor of `S + Δ`, and runs the backward substitution over the
//! interior: the work of one sparse solve.
//!
//! A Newton iteration need not touch the interior at all: [`InterfaceCholesky::condense`]
//! runs the forward substitution once for a right-hand side (leaving `g = b_C − A_CI A_II⁻¹
//! b_I`), [`InterfaceCholesky::solve_interface`] solves `(S + Δ) x_C = g` with the dense
//! interface factors alone, and [`InterfaceCholesky::expand`] substitutes the interior once
//! at the end.
//!
//! `factorise` compares every stored entry outside the interface block with the reference
//! matrix (the last one factorised in full): when any differs — a new model, another load
//! dependent stiffness — it factorises in full and makes that matrix the new reference.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::cholesky::llt::factor::{LltError, LltRegularization};
use faer::linalg::matmul::triangular::{BlockStructure, matmul};
use faer::{Accum, Mat, Par};

use crate::cholesky::{
    CholeskyOptions, CholeskySolver, FactorKind, FactorStats, direct_solve_report,
};
use crate::csr::SymmetricCsr;
use crate::error::SolverError;
use crate::interface_terms::{
    SparseRow, TermBase, TermFactor, TermProjections, TermRows, changes_agree, merge,
};
use crate::interface_update::{InterfaceFactor, Perturbation, inverse_from_factor, low_rank};
use crate::ordering::{UnknownGroups, trailing_permutation};
use crate::parallel::ThreadContext;
use crate::traits::{LinearSolver, SolveReport};

/// Counts and timings of an [`InterfaceCholesky`] (see [`InterfaceCholesky::interface_stats`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InterfaceStats {
    /// Interface unknowns, after `analyse` grew the requested set to whole groups.
    pub interface_unknowns: usize,
    /// Full sparse factorisations (each one a new reference).
    pub full_factorisations: usize,
    /// Factorisations done as an update of the interface Schur complement (dense or low
    /// rank).
    pub updates: usize,
    /// Of those, the low-rank updates (the Woodbury identity on the touched unknowns, or on
    /// the changed terms).
    pub low_rank_updates: usize,
    /// Of the low-rank updates, those on the changed terms (see
    /// [`InterfaceCholesky::factorise_with_terms`]).
    pub term_updates: usize,
    /// Of the term updates, those whose capacitance matrix was solved as a low-rank change
    /// of an earlier term update's (few terms changed since), not factorised whole.
    pub term_updates_on_earlier: usize,
    /// Seconds spent forming, once per reference, what the low-rank updates build on: the
    /// inverse of the reference Schur complement (for the updates by unknown) or the terms'
    /// projections (for the term updates).
    pub inverse_seconds: f64,
    /// Seconds spent taking each reference's interface factor `L_CC` out of the sparse
    /// factor, and forming `S = L_CC L_CCᵀ` where a dense update needed it.
    pub schur_seconds: f64,
    /// Seconds of all full factorisations.
    pub full_seconds: f64,
    /// Seconds of all updates (forming `S + Δ` and its Cholesky factor, or the capacitance
    /// matrix and its LU factors), with what the first update of a reference forms for the
    /// others (counted in `inverse_seconds` and `schur_seconds` too).
    pub update_seconds: f64,
    /// Bytes of the reference's dense interface matrices: its factor `L_CC`, and once formed
    /// its Schur complement, its inverse and the terms' projections (`m × R` and `R × R`).
    pub dense_bytes: usize,
}

/// A right-hand side condensed onto the interface by [`InterfaceCholesky::condense`]: the
/// forward substitution over the interior, kept for [`InterfaceCholesky::expand`].
#[derive(Clone, Debug)]
pub struct CondensedRhs {
    /// Elimination order: the interior's forward substitution, then the interface's `g`.
    y: Vec<f64>,
    /// Interface unknowns (the trailing `m` entries of `y`).
    m: usize,
}

impl CondensedRhs {
    /// `g = b_C − A_CI A_II⁻¹ b_I`, the right-hand side of the interface system, in the
    /// order of [`InterfaceCholesky::interface`].
    pub fn interface(&self) -> &[f64] {
        &self.y[self.y.len() - self.m..]
    }
}

/// Where the interface unknowns sit: the analysed pattern, the interface in elimination
/// order, and the stored entries of `A` inside the interface block.
struct Layout {
    n: usize,
    nnz: usize,
    fingerprint: u64,
    /// Original index of the interface unknown with local (elimination-order) index `k`.
    interface: Vec<usize>,
    /// Stored entries inside the interface block: (slot in `A`'s values, local row, local
    /// column) with row ≥ column.
    block: Vec<(usize, usize, usize)>,
    /// Whether each stored entry of `A` lies in the interface block.
    in_block: Vec<bool>,
    /// Local interface index of each unknown (`usize::MAX` off the interface).
    local: Vec<usize>,
    /// The terms' rows in local numbering (see [`InterfaceCholesky::with_terms`]).
    terms: Option<TermRows>,
}

/// Form `W = S⁻¹` of the reference from the factor's trailing block, once (the updates by
/// unknown need it, and the term updates when their projections come from it).
fn ensure_inverse(
    inner: &CholeskySolver,
    ctx: &mut ThreadContext,
    stats: &mut InterfaceStats,
    reference: &mut Reference,
    m: usize,
) -> Result<(), SolverError> {
    let (slot, l_cc) = (&mut reference.inverse, reference.l_cc.as_ref());
    stats.inverse_seconds += form_once(inner, ctx, slot, m, |par| inverse_from_factor(l_cc, par))?;
    stats.dense_bytes = reference.dense_bytes();
    Ok(())
}

/// Form the reference's Schur complement `S = L_CC L_CCᵀ` (lower triangle), once: the dense
/// update path needs it.
fn ensure_schur(
    inner: &CholeskySolver,
    ctx: &mut ThreadContext,
    stats: &mut InterfaceStats,
    reference: &mut Reference,
    m: usize,
) -> Result<(), SolverError> {
    let (slot, l_cc) = (&mut reference.schur, reference.l_cc.as_ref());
    stats.schur_seconds += form_once(inner, ctx, slot, m, |par| {
        let mut schur = Mat::<f64>::zeros(m, m);
        matmul(
            schur.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Replace,
            l_cc,
            BlockStructure::TriangularLower,
            l_cc.transpose(),
            BlockStructure::TriangularUpper,
            1.0,
            par,
        );
        Ok(schur)
    })?;
    stats.dense_bytes = reference.dense_bytes();
    Ok(())
}

/// Fills `slot` with the `m × m` matrix `form` computes, unless it holds one already; the
/// matrix and its workspace (`2 m²` values) are checked against the memory limit first.
/// Returns the seconds it took (0 when the slot was full).
fn form_once(
    inner: &CholeskySolver,
    ctx: &mut ThreadContext,
    slot: &mut Option<Mat<f64>>,
    m: usize,
    form: impl FnOnce(Par) -> Result<Mat<f64>, SolverError> + Send,
) -> Result<f64, SolverError> {
    if slot.is_some() {
        return Ok(0.0);
    }
    let start = Instant::now();
    inner.check_memory(0, (2 * m * m * size_of::<f64>()) as u64)?;
    *slot = Some(ctx.run(|par, _| form(par))?);
    Ok(start.elapsed().as_secs_f64())
}

/// The matrix last factorised in full and its Schur complement on the interface.
struct Reference {
    /// Values of `A` (stored upper triangle).
    values: Vec<f64>,
    /// `L_CC`, the Cholesky factor of the Schur complement (the sparse factor's trailing
    /// block, lower triangle, dense).
    l_cc: Mat<f64>,
    /// `S = L_CC L_CCᵀ`, lower triangle, formed at the first dense update.
    schur: Option<Mat<f64>>,
    /// The diagonal of `A`'s interface block (local order).
    diagonal: Vec<f64>,
    /// `W = S⁻¹` (both triangles), formed at the first low-rank update.
    inverse: Option<Mat<f64>>,
    /// The terms' symmetric matrices at the reference (see
    /// [`InterfaceCholesky::factorise_with_terms`]), when it was factorised with them.
    term_values: Option<Vec<f64>>,
    /// The terms' projections (`G = B W Bᵀ`, with `X = L_CC⁻¹ Bᵀ` or `W Bᵀ`; see
    /// `interface_terms::TermProjections`), formed at the first term update.
    projections: Option<TermProjections>,
    /// The last term update whose capacitance matrix was factorised whole: later updates
    /// that change few of its terms build on it.
    term_base: Option<Arc<TermBase>>,
}

impl Reference {
    /// Bytes of the dense interface matrices held.
    fn dense_bytes(&self) -> usize {
        let size = |a: &Mat<f64>| a.nrows() * a.ncols() * size_of::<f64>();
        size(&self.l_cc)
            + self.schur.as_ref().map_or(0, size)
            + self.inverse.as_ref().map_or(0, size)
            + self.projections.as_ref().map_or(0, TermProjections::bytes)
    }
}

/// Sparse Cholesky factorisation whose interface block is updated through its Schur
/// complement, implementing [`LinearSolver`]: the interior is factorised once with the
/// interface eliminated last; a matrix that differs from that reference only in the
/// interface block is factorised as the dense Cholesky factor of `S + Δ` (`S` the reference
/// Schur complement on the interface, `Δ` the change of the block), and solved with the
/// reference's substitutions over the interior around it (`docs/architecture.md`, "Contact
/// at the price of a linear solve").
///
/// # Examples
/// ```
/// use osteon_solver::{
///     CholeskyOptions, InterfaceCholesky, LinearSolver, Ordering, SymmetricCsr,
/// };
/// // tridiag(-1, 2, -1) of size 6 with unknowns 2 and 3 on the interface.
/// let mut t: Vec<_> = (0..6)
///     .flat_map(|i| [(i, i, 2.0), (i, i + 1, -1.0)])
///     .filter(|&(_, j, _)| j < 6)
///     .collect();
/// let mut a = SymmetricCsr::from_triplets(6, &t)?;
/// let options = CholeskyOptions { ordering: Ordering::NestedDissection, threads: 1 };
/// let mut solver = InterfaceCholesky::new(options, vec![2, 3]);
/// solver.analyse(&a, None)?;
/// solver.factorise(&a)?; // in full: the reference
/// // stiffen the interface block only: a dense update, no sparse refactorisation
/// let slot = a.slot(2, 3).unwrap();
/// a.values_mut()[slot] = -0.5;
/// solver.factorise(&a)?;
/// assert_eq!(solver.interface_stats().updates, 1);
/// let mut x = vec![0.0; 6];
/// let report = solver.solve(&a, &[1.0; 6], &mut x)?;
/// assert!(report.relative_residual < 1e-13);
/// # Ok::<(), osteon_solver::SolverError>(())
/// ```
pub struct InterfaceCholesky {
    inner: CholeskySolver,
    ctx: ThreadContext,
    requested: Vec<usize>,
    /// Rows of the terms (original numbering) and rows per term.
    requested_terms: Option<(Vec<SparseRow>, usize)>,
    layout: Option<Layout>,
    reference: Option<Reference>,
    /// The factorisation of `S + P` when the held factorisation is an update.
    update: Option<InterfaceFactor>,
    /// The non-symmetric coupling of the held factorisation (original numbering).
    coupling: Vec<(usize, usize, f64)>,
    factorised: bool,
    stats: InterfaceStats,
}

impl fmt::Debug for InterfaceCholesky {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterfaceCholesky")
            .field("inner", &self.inner)
            .field("requested", &self.requested.len())
            .field("has_reference", &self.reference.is_some())
            .field("updated", &self.update.is_some())
            .field("stats", &self.stats)
            .finish()
    }
}

impl InterfaceCholesky {
    /// A solver whose interface is the unknowns `interface` (original numbering, any order,
    /// repeats allowed), with the given ordering of the interior and threads.
    pub fn new(options: CholeskyOptions, interface: Vec<usize>) -> Self {
        Self {
            inner: CholeskySolver::new(options).with_factor_kind(FactorKind::Supernodal),
            ctx: ThreadContext::new(options.threads),
            requested: interface,
            requested_terms: None,
            layout: None,
            reference: None,
            update: None,
            coupling: Vec::new(),
            factorised: false,
            stats: InterfaceStats::default(),
        }
    }

    /// Caps the memory of the full factorisations, as
    /// [`CholeskySolver::with_memory_limit`]; the dense interface matrices count too.
    pub fn with_memory_limit(mut self, bytes: u64) -> Self {
        self.inner = self.inner.with_memory_limit(bytes);
        self
    }

    /// Sets the relative pivot tolerance (see [`crate::DEFAULT_PIVOT_TOLERANCE`]), used for
    /// the full factorisations and the interface updates alike.
    pub fn with_pivot_tolerance(mut self, tolerance: f64) -> Self {
        self.inner = self.inner.with_pivot_tolerance(tolerance);
        self
    }

    /// The interface unknowns as given to [`InterfaceCholesky::new`].
    pub fn requested_interface(&self) -> &[usize] {
        &self.requested
    }

    /// Whether the solver was analysed for the pattern of `a` (same size and stored
    /// positions), so that `factorise(a)` can follow without a new `analyse`.
    pub fn is_analysed_for(&self, a: &SymmetricCsr) -> bool {
        self.layout.as_ref().is_some_and(|l| {
            l.n == a.n() && l.nnz == a.nnz_stored() && l.fingerprint == a.pattern_fingerprint()
        })
    }

    /// The interface unknowns in elimination order (after `analyse`; empty before).
    pub fn interface(&self) -> &[usize] {
        self.layout.as_ref().map_or(&[], |l| &l.interface)
    }

    /// Counts and timings of the full factorisations and the interface updates.
    pub fn interface_stats(&self) -> &InterfaceStats {
        &self.stats
    }

    /// Size, cost and timings of the sparse factorisation (the reference).
    pub fn factor_stats(&self) -> &FactorStats {
        self.inner.factor_stats()
    }

    /// Whether a valid factorisation is held.
    pub fn is_factorised(&self) -> bool {
        self.factorised
    }

    /// The full sparse factorisation of `a`, which becomes the reference.
    fn factorise_reference(&mut self, a: &SymmetricCsr, m: usize) -> Result<(), SolverError> {
        self.reference = None;
        let dense = 2 * m * m * size_of::<f64>();
        self.inner.check_memory(0, dense as u64)?;
        let start = Instant::now();
        self.inner.factorise(a)?;
        self.stats.full_seconds += start.elapsed().as_secs_f64();
        self.stats.full_factorisations += 1;

        let start = Instant::now();
        let l_cc = self.inner.trailing_block(m)?;
        self.stats.schur_seconds += start.elapsed().as_secs_f64();
        let layout = self.layout.as_ref().ok_or(SolverError::NotAnalysed)?;
        let mut diagonal = vec![0.0; m];
        for &(slot, r, c) in &layout.block {
            if r == c {
                diagonal[r] = a.values()[slot];
            }
        }
        let reference = Reference {
            values: a.values().to_vec(),
            l_cc,
            schur: None,
            diagonal,
            inverse: None,
            term_values: None,
            projections: None,
            term_base: None,
        };
        self.stats.dense_bytes = reference.dense_bytes();
        self.reference = Some(reference);
        Ok(())
    }

    /// The factorisation of `a + N` (`N` = `coupling`, local entries) as the reference's
    /// Schur complement plus the change of the interface block and `N`: low rank when few
    /// interface unknowns changed, dense otherwise (see [`crate::interface_update`]).
    ///
    /// `after_reference`: `a` was just factorised in full (then only the coupling is
    /// added, and the update is not counted as one).
    fn factorise_update(
        &mut self,
        a: &SymmetricCsr,
        coupling: Vec<(usize, usize, f64)>,
        after_reference: bool,
    ) -> Result<(), SolverError> {
        let start = Instant::now();
        let (Some(layout), Some(reference)) = (&self.layout, &self.reference) else {
            return Err(SolverError::NotFactorised);
        };
        let values = a.values();
        let mut delta = Vec::new();
        for &(slot, r, c) in &layout.block {
            let v = values[slot];
            if !v.is_finite() {
                let (row, col) = (layout.interface[r], layout.interface[c]);
                let (row, col) = (row.min(col), row.max(col));
                return Err(SolverError::NonFiniteValue { row, col, value: v });
            }
            let d = v - reference.values[slot];
            if d != 0.0 {
                delta.push((r, c, d));
            }
        }
        self.factorise_delta(delta, coupling, after_reference, start)
    }

    /// The factorisation of the reference's interface matrix plus `delta` (local lower
    /// entries, the change of the symmetric block) and `coupling` (local, non-symmetric):
    /// low rank when few unknowns are touched, dense otherwise. `start`: when the update
    /// began (for its seconds).
    fn factorise_delta(
        &mut self,
        delta: Vec<(usize, usize, f64)>,
        coupling: Vec<(usize, usize, f64)>,
        after_reference: bool,
        start: Instant,
    ) -> Result<(), SolverError> {
        let (Some(layout), Some(reference)) = (&self.layout, &mut self.reference) else {
            return Err(SolverError::NotFactorised);
        };
        let m = layout.interface.len();
        // the interface block's diagonal now (the pivot tolerance is relative to it)
        let mut diagonal = reference.diagonal.clone();
        for &(r, c, d) in &delta {
            if r == c {
                diagonal[r] += d;
            }
        }
        let perturbation = Perturbation::new(m, delta, coupling);
        self.update = None;
        let counted = usize::from(!after_reference);
        if perturbation.is_empty() {
            // the reference's own factorisation serves
            self.stats.updates += counted;
            return Ok(());
        }
        if let Some(k) = diagonal.iter().position(|&d| d <= 0.0) {
            return Err(SolverError::NotPositiveDefinite {
                unknown: layout.interface[k],
                pivot: diagonal[k],
            });
        }
        if perturbation.prefers_low_rank(m) {
            ensure_inverse(&self.inner, &mut self.ctx, &mut self.stats, reference, m)?;
            if let Some(w) = &reference.inverse
                && let Some(factor) = self.ctx.run(|par, _| low_rank(w, &perturbation, par))
            {
                self.update = Some(factor);
                self.stats.update_seconds += start.elapsed().as_secs_f64();
                self.stats.updates += counted;
                self.stats.low_rank_updates += counted;
                return Ok(());
            }
        }
        ensure_schur(&self.inner, &mut self.ctx, &mut self.stats, reference, m)?;
        let Some(schur) = &reference.schur else {
            return Err(SolverError::NotFactorised);
        };
        let mut s = schur.clone();
        for &(r, c, d) in &perturbation.delta {
            s[(r, c)] += d;
        }
        self.ctx.run(|par, _| {
            let req = llt::factor::cholesky_in_place_scratch::<f64>(m, par, Default::default());
            let mut mem = MemBuffer::try_new(req).map_err(|_| SolverError::OutOfMemory {
                what: "interface factorisation workspace",
                bytes: req.size_bytes(),
            })?;
            llt::factor::cholesky_in_place(
                s.as_mut(),
                LltRegularization::default(),
                par,
                MemStack::new(&mut mem),
                Default::default(),
            )
            .map(|_| ())
            .map_err(
                |LltError::NonPositivePivot { index }| SolverError::NotPositiveDefinite {
                    unknown: layout.interface[index.min(m.saturating_sub(1))],
                    pivot: f64::NAN,
                },
            )
        })?;
        let tol = self.inner.pivot_tolerance();
        for k in 0..m {
            let pivot = s[(k, k)] * s[(k, k)];
            if pivot.is_nan() || pivot <= tol * diagonal[k] {
                return Err(SolverError::NotPositiveDefinite {
                    unknown: layout.interface[k],
                    pivot,
                });
            }
        }
        self.update = Some(InterfaceFactor::Dense {
            factor: s,
            coupling: perturbation.coupling,
        });
        self.stats.update_seconds += start.elapsed().as_secs_f64();
        self.stats.updates += counted;
        Ok(())
    }

    /// `x ← A'⁻¹ b` for the updated matrix: the forward and backward substitutions of the
    /// reference factor over the interior, with the updated interface factor in between.
    fn solve_updated(&mut self, b: &[f64], x: &mut [f64]) -> Result<(), SolverError> {
        let (Some(layout), Some(factor), Some(reference)) =
            (&self.layout, &self.update, &self.reference)
        else {
            return Err(SolverError::NotFactorised);
        };
        let m = layout.interface.len();
        let inverse = reference.inverse.as_ref();
        let projections = reference.projections.as_ref();
        let l_cc = reference.l_cc.as_ref();
        let mut outcome = Ok(());
        self.inner.solve_split(b, x, m, |y, par| {
            outcome = factor.solve_in_place(inverse, l_cc, projections, y, par);
        })?;
        outcome
    }

    /// The right-hand side `b` (original numbering, length `n`) condensed onto the interface
    /// with the held reference: the forward substitution over the interior, which leaves `g
    /// = b_C − A_CI A_II⁻¹ b_I` on the interface ([`CondensedRhs::interface`]). With `g`, a
    /// system `A' x = b` whose matrix differs from the reference only in the interface block
    /// reduces to `(S + Δ) x_C = g` on the interface ([`InterfaceCholesky::solve_interface`]),
    /// and [`InterfaceCholesky::expand`] recovers the interior: a Newton iteration of contact
    /// then works on `m` unknowns, and the interior is substituted once at its end.
    ///
    /// # Errors
    /// [`SolverError::NotFactorised`] without a reference; a length mismatch.
    pub fn condense(&mut self, b: &[f64]) -> Result<CondensedRhs, SolverError> {
        let m = self.condensable()?;
        let y = self.inner.forward_leading(b, m)?;
        Ok(CondensedRhs { y, m })
    }

    /// `y ← (S + P)⁻¹ y` on the interface (local order, [`InterfaceCholesky::interface`]):
    /// the interface system of the held factorisation — the reference's (`P = 0`) or the
    /// update's, with its coupling: dense work of order `m²` (two triangular solves, or a
    /// product with `W` and the low-rank correction), no sparse substitution.
    ///
    /// # Errors
    /// [`SolverError::NotFactorised`]; a length mismatch; as
    /// [`LinearSolver::solve`] for the coupling's GMRES on the dense path.
    pub fn solve_interface(&mut self, y: &mut [f64]) -> Result<(), SolverError> {
        let m = self.condensable()?;
        if !self.factorised {
            return Err(SolverError::NotFactorised);
        }
        SolverError::check_len("interface right-hand side", m, y.len())?;
        let Some(reference) = &self.reference else {
            return Err(SolverError::NotFactorised);
        };
        let factor = &self.update;
        self.ctx.run(|par, _| match factor {
            Some(factor) => factor.solve_in_place(
                reference.inverse.as_ref(),
                reference.l_cc.as_ref(),
                reference.projections.as_ref(),
                y,
                par,
            ),
            None => {
                let rhs = faer::MatMut::from_column_major_slice_mut(y, m, 1);
                llt::solve::solve_in_place(
                    reference.l_cc.as_ref(),
                    rhs,
                    par,
                    MemStack::new(&mut []),
                );
                Ok(())
            }
        })
    }

    /// The whole solution `x` (original numbering) from the interface values `x_c` (local
    /// order) and the condensed right-hand side `rhs` of [`InterfaceCholesky::condense`]:
    /// the interior `x_I = A_II⁻¹ (b_I − A_IC x_C)` by the backward substitution of the
    /// reference factor.
    ///
    /// # Errors
    /// [`SolverError::NotFactorised`] without a reference; a length mismatch.
    pub fn expand(
        &mut self,
        rhs: CondensedRhs,
        x_c: &[f64],
        x: &mut [f64],
    ) -> Result<(), SolverError> {
        let m = self.condensable()?;
        SolverError::check_len("condensed interface", m, rhs.m)?;
        SolverError::check_len("interface values", m, x_c.len())?;
        let mut y = rhs.y;
        let first = y.len().saturating_sub(m);
        y[first..].copy_from_slice(x_c);
        self.inner.backward_leading(y, m, x)
    }

    /// The interface size when a reference is held (the condensed operations need one).
    fn condensable(&self) -> Result<usize, SolverError> {
        match (&self.layout, &self.reference) {
            (Some(layout), Some(_)) => Ok(layout.interface.len()),
            (None, _) => Err(SolverError::NotAnalysed),
            _ => Err(SolverError::NotFactorised),
        }
    }

    /// Factorises `A + N`: `a` (symmetric) plus a non-symmetric `coupling` `N` whose entries
    /// (row, column, value; original numbering, repeats summed) all lie in the interface
    /// block. The interface matrix `S + Δ + N` is factorised exactly — by the low-rank update
    /// when few interface unknowns differ from the reference, else as the dense Cholesky
    /// factor of `S + Δ` with `N` resolved by GMRES on the interface — and `solve` then
    /// solves with `A + N`. A matrix whose interior differs from the reference's is first
    /// factorised in full (the new reference). `factorise(a)` is `factorise_with_coupling(a,
    /// &[])`.
    ///
    /// # Errors
    /// As [`LinearSolver::factorise`]; [`SolverError::InvalidInterface`] for a coupling entry
    /// off the interface.
    pub fn factorise_with_coupling(
        &mut self,
        a: &SymmetricCsr,
        coupling: &[(usize, usize, f64)],
    ) -> Result<(), SolverError> {
        self.factorised = false;
        self.update = None;
        self.coupling.clear();
        let same_interior = self.interior_matches(a)?;
        let layout = self.layout.as_ref().ok_or(SolverError::NotAnalysed)?;
        let mut local = Vec::with_capacity(coupling.len());
        for &(i, j, v) in coupling {
            let (p, q) = (
                layout.local.get(i).copied().unwrap_or(usize::MAX),
                layout.local.get(j).copied().unwrap_or(usize::MAX),
            );
            if p == usize::MAX || q == usize::MAX {
                let unknown = if p == usize::MAX { i } else { j };
                return Err(SolverError::InvalidInterface {
                    unknown,
                    n: layout.n,
                });
            }
            if !v.is_finite() {
                return Err(SolverError::NonFiniteValue {
                    row: i,
                    col: j,
                    value: v,
                });
            }
            local.push((p, q, v));
        }
        let m = layout.interface.len();
        if !same_interior {
            self.factorise_reference(a, m)?;
        }
        self.factorise_update(a, local, !same_interior)?;
        self.coupling = coupling.to_vec();
        self.factorised = true;
        Ok(())
    }

    /// Declares that the matrices to come are `K + Σ_j B_jᵀ M_j B_j` with fixed rows `B_j`:
    /// `rows` holds `per_term` rows per term, each a list of (unknown, weight) in the
    /// original numbering, all on the interface (checked by `analyse`). With them,
    /// [`InterfaceCholesky::factorise_with_terms`] updates by the rank of the changed terms
    /// rather than by the unknowns they touch (see `interface_terms`). Takes effect at the
    /// next `analyse`.
    pub fn with_terms(mut self, rows: Vec<SparseRow>, per_term: usize) -> Self {
        self.requested_terms = Some((rows, per_term.max(1)));
        self
    }

    /// The term rows given to [`InterfaceCholesky::with_terms`].
    pub fn requested_terms(&self) -> Option<(&[SparseRow], usize)> {
        self.requested_terms
            .as_ref()
            .map(|(rows, per_term)| (rows.as_slice(), *per_term))
    }

    /// Factorises `a + Σ_j B_jᵀ C_j B_j`, where `a` contains the terms' symmetric parts
    /// `Σ_j B_jᵀ S_j B_j` and `C_j` are non-symmetric couplings: `symmetric` and `coupling`
    /// hold `S_j` and `C_j` (`r × r` row-major per term, in the order of
    /// [`InterfaceCholesky::with_terms`]; `coupling` may be empty). A matrix whose interior
    /// differs from the reference's is factorised in full (the new reference, whose `S_j`
    /// are kept); otherwise the change `E_j = S_j − S_j_ref + C_j` of the changed terms is
    /// factorised through their capacitance matrix, after checking that the change of `a`'s
    /// interface block is the one the `S_j` imply. When that check fails, or the changed
    /// terms are too many for the low-rank path to pay, the update proceeds unknown by
    /// unknown as [`InterfaceCholesky::factorise_with_coupling`] — the same solution.
    ///
    /// # Errors
    /// As [`InterfaceCholesky::factorise_with_coupling`]; [`SolverError::DimensionMismatch`]
    /// when the term matrices do not match the declared terms.
    pub fn factorise_with_terms(
        &mut self,
        a: &SymmetricCsr,
        symmetric: &[f64],
        coupling: &[f64],
    ) -> Result<(), SolverError> {
        let terms = self.checked_terms(symmetric, coupling)?;
        if !self.interior_matches(a)? {
            let coupling_original = self.original_coupling(&terms, coupling)?;
            // a new reference, factorised with its terms; the coupling on top
            self.factorise_with_coupling(a, &coupling_original)?;
            if let Some(reference) = self.reference.as_mut() {
                reference.term_values = Some(symmetric.to_vec());
            }
            return Ok(());
        }
        if self
            .reference
            .as_ref()
            .is_none_or(|r| r.term_values.is_none())
        {
            // a reference factorised without terms: unknown by unknown
            let coupling_original = self.original_coupling(&terms, coupling)?;
            return self.factorise_with_coupling(a, &coupling_original);
        }
        self.update_terms(&terms, symmetric, coupling, Some(a))
    }

    /// Factorises the interface matrix of the held reference with new term matrices and no
    /// sparse matrix: `S_ref + Σ_j B_jᵀ (S_j − S_j,ref + C_j) B_j`, for a caller whose
    /// matrices differ from the reference by their terms alone by construction (the
    /// condensed Newton of contact, which solves with
    /// [`InterfaceCholesky::solve_interface`]). As
    /// [`InterfaceCholesky::factorise_with_terms`] otherwise, without the check of the
    /// matrix's interface block against the terms.
    ///
    /// # Errors
    /// [`SolverError::NotFactorised`] without a reference factorised with terms; as
    /// [`InterfaceCholesky::factorise_with_terms`].
    pub fn factorise_interface_terms(
        &mut self,
        symmetric: &[f64],
        coupling: &[f64],
    ) -> Result<(), SolverError> {
        let terms = self.checked_terms(symmetric, coupling)?;
        if self
            .reference
            .as_ref()
            .is_none_or(|r| r.term_values.is_none())
        {
            self.factorised = false;
            return Err(SolverError::NotFactorised);
        }
        self.update_terms(&terms, symmetric, coupling, None)
    }

    /// The declared terms, after checking the lengths and values of the term matrices.
    fn checked_terms(&self, symmetric: &[f64], coupling: &[f64]) -> Result<TermRows, SolverError> {
        let Some(terms) = self.layout.as_ref().and_then(|l| l.terms.clone()) else {
            return Err(SolverError::InvalidGroups {
                detail: "factorise_with_terms needs the rows given by with_terms before analyse"
                    .into(),
            });
        };
        let r2 = terms.per_term * terms.per_term;
        let expected = terms.terms() * r2;
        SolverError::check_len("symmetric term matrices", expected, symmetric.len())?;
        if !coupling.is_empty() {
            SolverError::check_len("coupling term matrices", expected, coupling.len())?;
        }
        if let Some(v) = symmetric.iter().chain(coupling).find(|v| !v.is_finite()) {
            return Err(SolverError::NonFiniteValue {
                row: 0,
                col: 0,
                value: *v,
            });
        }
        Ok(terms)
    }

    /// The terms' coupling `Σ_j B_jᵀ C_j B_j` as entries in the original numbering.
    fn original_coupling(
        &self,
        terms: &TermRows,
        coupling: &[f64],
    ) -> Result<Vec<(usize, usize, f64)>, SolverError> {
        let layout = self.layout.as_ref().ok_or(SolverError::NotAnalysed)?;
        if coupling.is_empty() {
            return Ok(Vec::new());
        }
        Ok(merge(terms.coupling_entries(coupling))
            .iter()
            .map(|&(p, q, v)| (layout.interface[p], layout.interface[q], v))
            .collect())
    }

    /// The update of a reference factorised with terms to new term matrices: through the
    /// changed terms' capacitance matrix when that pays, else unknown by unknown. With
    /// `matrix`, the change of its interface block must be the one the terms imply
    /// (otherwise the unknown-wise update of the matrix itself follows); without, the
    /// terms define the change.
    fn update_terms(
        &mut self,
        terms: &TermRows,
        symmetric: &[f64],
        coupling: &[f64],
        matrix: Option<&SymmetricCsr>,
    ) -> Result<(), SolverError> {
        let coupling_local = if coupling.is_empty() {
            Vec::new()
        } else {
            merge(terms.coupling_entries(coupling))
        };
        let coupling_original = self.original_coupling(terms, coupling)?;
        self.factorised = false;
        self.update = None;
        self.coupling.clear();
        let start = Instant::now();
        let (Some(layout), Some(reference)) = (&self.layout, &mut self.reference) else {
            return Err(SolverError::NotFactorised);
        };
        let Some(reference_terms) = &reference.term_values else {
            return Err(SolverError::NotFactorised);
        };
        // E_j and the changed terms
        let r2 = terms.per_term * terms.per_term;
        let expected = terms.terms() * r2;
        let mut e = vec![0.0; expected];
        let mut delta_terms = vec![0.0; expected];
        let mut changed = Vec::new();
        for j in 0..terms.terms() {
            let range = j * r2..(j + 1) * r2;
            let mut any = false;
            for k in range {
                let d = symmetric[k] - reference_terms[k];
                delta_terms[k] = d;
                e[k] = d + coupling.get(k).copied().unwrap_or(0.0);
                any |= e[k] != 0.0;
            }
            if any {
                changed.push(j);
            }
        }
        let from_terms = terms.block_change(&changed, &delta_terms);
        let consistent = match matrix {
            None => true,
            Some(a) => {
                // the change of a's interface block against the one the terms imply
                let values = a.values();
                let mut from_matrix = Vec::new();
                for &(slot, r, c) in &layout.block {
                    let d = values[slot] - reference.values[slot];
                    if d != 0.0 {
                        from_matrix.push((r, c, d));
                    }
                }
                let from_matrix = merge(from_matrix);
                // round-off of an entry: relative to its summands, bounded by the diagonals
                // (now and at the reference) since the stiffness and every term are
                // positive semi-definite
                let diagonal: Vec<f64> = layout
                    .interface
                    .iter()
                    .map(|&i| {
                        a.slot(i, i).map_or(0.0, |slot| {
                            values[slot].abs().max(reference.values[slot].abs())
                        })
                    })
                    .collect();
                changes_agree(&from_matrix, &from_terms, |r, c| {
                    (diagonal[r] * diagonal[c]).sqrt()
                })
            }
        };
        let m = layout.interface.len();
        let rank = (changed.len() * terms.per_term) as f64;
        let pays = rank * rank * rank <= 0.25 * (m as f64).powi(3);
        if consistent && changed.is_empty() {
            self.stats.updates += 1;
            self.factorised = true;
            return Ok(());
        }
        if consistent && pays {
            if reference.projections.is_none() {
                let r_total = terms.rows.len();
                let from_factor = TermProjections::pays_from_factor(m, r_total);
                if !from_factor {
                    ensure_inverse(&self.inner, &mut self.ctx, &mut self.stats, reference, m)?;
                }
                let t = Instant::now();
                let bytes = (m * r_total + r_total * r_total) * size_of::<f64>();
                self.inner.check_memory(0, bytes as u64)?;
                let (l_cc, w) = (reference.l_cc.as_ref(), reference.inverse.as_ref());
                reference.projections = self.ctx.run(|par, _| match w {
                    _ if from_factor => Some(TermProjections::from_factor(terms, l_cc, par)),
                    Some(w) => Some(TermProjections::from_inverse(terms, w)),
                    None => None,
                });
                self.stats.inverse_seconds += t.elapsed().as_secs_f64();
                self.stats.dense_bytes = reference.dense_bytes();
            }
            let base = reference.term_base.as_ref();
            if let Some(g) = reference.projections.as_ref().map(TermProjections::g)
                && let Some(factor) = self
                    .ctx
                    .run(|par, _| TermFactor::new(g, terms.per_term, &changed, &e, base, par))
            {
                reference.term_base = Some(Arc::clone(factor.base()));
                self.stats.term_updates_on_earlier += usize::from(factor.is_modified());
                self.update = Some(InterfaceFactor::Terms(factor));
                self.stats.update_seconds += start.elapsed().as_secs_f64();
                self.stats.updates += 1;
                self.stats.low_rank_updates += 1;
                self.stats.term_updates += 1;
                self.coupling = coupling_original;
                self.factorised = true;
                return Ok(());
            }
        }
        // unknown by unknown: the matrix's own change, or the one the terms imply
        match matrix {
            Some(a) => {
                // what this call formed before falling back (the projections) is its time too
                self.stats.update_seconds += start.elapsed().as_secs_f64();
                self.factorise_update(a, coupling_local, false)?;
            }
            None => self.factorise_delta(from_terms, coupling_local, false, start)?,
        }
        self.coupling = coupling_original;
        self.factorised = true;
        Ok(())
    }

    /// Whether `a` equals the reference outside the interface block (`false` without a
    /// reference), after checking that `a` has the analysed dimension and pattern.
    fn interior_matches(&self, a: &SymmetricCsr) -> Result<bool, SolverError> {
        let layout = self.layout.as_ref().ok_or(SolverError::NotAnalysed)?;
        SolverError::check_len("matrix dimension", layout.n, a.n())?;
        if a.nnz_stored() != layout.nnz || a.pattern_fingerprint() != layout.fingerprint {
            return Err(SolverError::PatternChanged {
                detail: "the interface solver was analysed for another pattern".into(),
            });
        }
        Ok(self.reference.as_ref().is_some_and(|r| {
            a.values()
                .iter()
                .zip(&r.values)
                .zip(&layout.in_block)
                .all(|((v, w), &inside)| inside || v == w)
        }))
    }
}

impl LinearSolver for InterfaceCholesky {
    fn analyse(
        &mut self,
        a: &SymmetricCsr,
        groups: Option<&UnknownGroups>,
    ) -> Result<(), SolverError> {
        self.layout = None;
        self.reference = None;
        self.update = None;
        self.coupling.clear();
        self.factorised = false;
        self.stats = InterfaceStats::default();
        let n = a.n();
        let mut marks = vec![false; n];
        for &i in &self.requested {
            if i >= n {
                return Err(SolverError::InvalidInterface { unknown: i, n });
            }
            marks[i] = true;
        }
        let start = Instant::now();
        let (perm, m) = trailing_permutation(a, groups, self.inner.options().ordering, &marks)?;
        let interface = perm.0[n - m..].to_vec();
        let seconds = start.elapsed().as_secs_f64();
        self.inner.analyse_permuted(a, perm, seconds)?;
        let mut local = vec![usize::MAX; n];
        for (k, &i) in interface.iter().enumerate() {
            local[i] = k;
        }
        let (row_ptr, col_idx) = (a.row_ptr(), a.col_idx());
        let mut block = Vec::new();
        let mut in_block = vec![false; a.nnz_stored()];
        for i in 0..n {
            if local[i] == usize::MAX {
                continue;
            }
            for slot in row_ptr[i]..row_ptr[i + 1] {
                let j = col_idx[slot];
                if local[j] != usize::MAX {
                    let (p, q) = (local[i], local[j]);
                    block.push((slot, p.max(q), p.min(q)));
                    in_block[slot] = true;
                }
            }
        }
        let terms = match &self.requested_terms {
            None => None,
            Some((rows, per_term)) => {
                let mut mapped = Vec::with_capacity(rows.len());
                for row in rows {
                    let mut out = Vec::with_capacity(row.len());
                    for &(i, w) in row {
                        match local.get(i) {
                            Some(&k) if k != usize::MAX => out.push((k, w)),
                            _ => return Err(SolverError::InvalidInterface { unknown: i, n }),
                        }
                    }
                    mapped.push(out);
                }
                Some(TermRows {
                    per_term: *per_term,
                    rows: mapped,
                })
            }
        };
        self.stats.interface_unknowns = m;
        self.layout = Some(Layout {
            n,
            nnz: a.nnz_stored(),
            fingerprint: a.pattern_fingerprint(),
            interface,
            block,
            in_block,
            local,
            terms,
        });
        Ok(())
    }

    fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError> {
        self.factorise_with_coupling(a, &[])
    }

    fn solve(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<SolveReport, SolverError> {
        if !self.factorised {
            return Err(SolverError::NotFactorised);
        }
        if self.update.is_none() {
            return self.inner.solve(a, b, x);
        }
        let n = a.n();
        SolverError::check_len("right-hand side", n, b.len())?;
        SolverError::check_len("solution", n, x.len())?;
        self.solve_updated(b, x)?;
        let threads = self.ctx.run(|_, t| t);
        if self.coupling.is_empty() {
            return Ok(direct_solve_report(a, x, b, &mut vec![0.0; n], threads));
        }
        // the residual of A + N
        let mut rhs = b.to_vec();
        for &(i, j, v) in &self.coupling {
            rhs[i] -= v * x[j];
        }
        Ok(direct_solve_report(a, x, &rhs, &mut vec![0.0; n], threads))
    }

    fn name(&self) -> &'static str {
        "cholesky-interface"
    }
}
