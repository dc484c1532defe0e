//! Interface changes in factored form for [`crate::InterfaceCholesky`]: the caller states
//! that its matrices are `K + Σ_j B_jᵀ M_j B_j`, with `K` fixed, one *term* `j` per source of
//! change (a contact slave node: `B_j` its 3 rows of weights over the node's and its master
//! face's unknowns, `M_j` its 3 × 3 stiffness), the rows `B_j` the same in every
//! factorisation. A change from the reference then has rank `r` per changed term, not the
//! number of unknowns it touches: with `G = B W Bᵀ` (`W = S⁻¹`) formed once per reference,
//! a matrix whose terms `J` changed by `E_J` is factorised through the `r|J| × r|J|`
//! capacitance matrix `I + G_JJ E_J` (Sherman–Morrison–Woodbury,
//! `(S + B_Jᵀ E_J B_J)⁻¹ = W − W B_Jᵀ E_J (I + G_JJ E_J)⁻¹ B_J W`), `2(r|J|)³/3` flops.
//! `E_j` may be non-symmetric (the consistent slip tangent). `W` itself is formed only where
//! that is cheaper ([`TermProjections`]): with `S = L Lᵀ` (the reference's interface factor)
//! and `X = L⁻¹ Bᵀ`, `G = Xᵀ X` and a solve is `L⁻ᵀ (v − X_J E_J C⁻¹ X_Jᵀ v)` with
//! `v = L⁻¹ y`, two triangular solves of size `m` around the capacitance solve —
//! `m² R + R² m` flops once per reference for `R` term rows, against `2m³/3` for `W`, so
//! while `R` is below about 0.46 `m`.
//!
//! From one Newton iteration to the next few terms change (the slipping nodes, and the
//! nodes that open, close or start to slip), while the set changed from the reference stays
//! large (every node that left the reference's state). An update whose terms differ from
//! the last whole factorisation's (its *base*, [`TermBase`]) in at most an eighth of the
//! rows therefore keeps the base's LU factors and solves its own capacitance matrix as a
//! low-rank change of the base's, by the Woodbury identity once more
//! ([`ModifiedCapacitance`]): `2 t₀² d` flops for `d` changed rows instead of `2t³/3`.
//!
//! The factored form is checked against the matrix itself: the change of the interface block
//! implied by the terms' symmetric parts must equal the change of `a` from the reference,
//! entry by entry to round-off; otherwise the update falls back to the unknown-wise path
//! ([`crate::interface_update`]).

use std::sync::Arc;

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{BlockStructure, matmul as triangular_matmul};
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

use crate::error::SolverError;
use crate::interface_update::{Capacitance, apply_dense};

/// A sparse row: (unknown, weight) pairs, repeats summed.
pub type SparseRow = Vec<(usize, f64)>;

/// The rows `B_j` of every term, in local interface numbering.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TermRows {
    /// Rows per term (`r`).
    pub per_term: usize,
    /// Row `p` (term `p / r`): (local interface index, weight).
    pub rows: Vec<Vec<(usize, f64)>>,
}

impl TermRows {
    /// Number of terms.
    pub fn terms(&self) -> usize {
        self.rows.len() / self.per_term.max(1)
    }

    /// Appends the entries of `B_jᵀ M B_j` (local row, column, value) for term `j` with
    /// its `r × r` row-major matrix `matrix`; `lower`: only those with row ≥ column.
    fn push_term(&self, j: usize, matrix: &[f64], lower: bool, out: &mut Vec<(usize, usize, f64)>) {
        let r = self.per_term;
        for a in 0..r {
            for b in 0..r {
                let v = matrix[a * r + b];
                if v == 0.0 {
                    continue;
                }
                for &(p, wp) in &self.rows[j * r + a] {
                    for &(q, wq) in &self.rows[j * r + b] {
                        if !lower || p >= q {
                            out.push((p, q, wp * v * wq));
                        }
                    }
                }
            }
        }
    }

    /// The change of the interface block implied by the symmetric term changes `delta`
    /// (per term `r × r`, row-major): (local row ≥ local column, value), summed, sorted.
    pub fn block_change(&self, changed: &[usize], delta: &[f64]) -> Vec<(usize, usize, f64)> {
        let r2 = self.per_term * self.per_term;
        let mut out = Vec::new();
        for &j in changed {
            self.push_term(j, &delta[j * r2..(j + 1) * r2], true, &mut out);
        }
        merge(out)
    }

    /// The coupling terms as local matrix entries Σ_j B_jᵀ C_j B_j (row, column, value).
    pub fn coupling_entries(&self, coupling: &[f64]) -> Vec<(usize, usize, f64)> {
        let r2 = self.per_term * self.per_term;
        let mut out = Vec::new();
        for j in 0..self.terms() {
            self.push_term(j, &coupling[j * r2..(j + 1) * r2], false, &mut out);
        }
        out
    }
}

/// The terms' projections, formed once per reference for the term updates: `G = B W Bᵀ`
/// (`R × R` for `R` term rows, `W = S⁻¹`) and what a solve needs besides `G`.
pub(crate) enum TermProjections {
    /// From the interface factor `L` (`S = L Lᵀ`): `X = L⁻¹ Bᵀ` (`m × R`, one triangular solve
    /// with `R` right-hand sides) and `G = Xᵀ X`, `m² R + R² m` flops, `W` never formed; a
    /// solve is `L⁻ᵀ (v − X_U E_U C⁻¹ X_Uᵀ v)` with `v = L⁻¹ y`.
    Factor { x: Mat<f64>, g: Mat<f64> },
    /// From `W` (`2m³/3` flops to form, held by the reference): `W Bᵀ` (`m × R`) and
    /// `G = B (W Bᵀ)`, cheap with `B` sparse; a solve is `W y − (W Bᵀ)_U E_U C⁻¹ (W Bᵀ)_Uᵀ y`.
    Inverse { wb: Mat<f64>, g: Mat<f64> },
}

impl TermProjections {
    /// Whether forming them from the factor costs fewer flops than forming `W` on an
    /// interface of `m` unknowns with `R` term rows: `m² R + R² m < 2m³/3`, i.e. `R/m` below
    /// about 0.46.
    pub fn pays_from_factor(m: usize, r_total: usize) -> bool {
        let (m, r) = (m as f64, r_total as f64);
        m * m * r + r * r * m < 2.0 * m * m * m / 3.0
    }

    /// `X = L⁻¹ Bᵀ` and `G = Xᵀ X` for the rows `rows` and the interface factor `l`.
    pub fn from_factor(rows: &TermRows, l: MatRef<'_, f64>, par: Par) -> Self {
        let m = l.nrows();
        let r_total = rows.rows.len();
        let mut x = Mat::<f64>::zeros(m, r_total);
        for (p, row) in rows.rows.iter().enumerate() {
            for &(i, b) in row {
                x[(i, p)] += b;
            }
        }
        solve_lower_triangular_in_place(l, x.as_mut(), par);
        let mut g = Mat::<f64>::zeros(r_total, r_total);
        triangular_matmul(
            g.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Replace,
            x.transpose(),
            BlockStructure::Rectangular,
            x.as_ref(),
            BlockStructure::Rectangular,
            1.0,
            par,
        );
        for q in 0..r_total {
            for p in 0..q {
                g[(p, q)] = g[(q, p)];
            }
        }
        Self::Factor { x, g }
    }

    /// `W Bᵀ` and `G = B W Bᵀ` for the rows `rows` and `w = S⁻¹`.
    pub fn from_inverse(rows: &TermRows, w: &Mat<f64>) -> Self {
        let m = w.nrows();
        let r_total = rows.rows.len();
        // column p of W Bᵀ = Σ_i b_pi W[:, i]
        let mut data = vec![0.0; m * r_total];
        data.par_chunks_mut(m.max(1))
            .zip(rows.rows.par_iter())
            .for_each(|(out, row)| {
                for &(i, b) in row {
                    for (o, x) in out.iter_mut().zip(w.col(i).iter()) {
                        *o += b * x;
                    }
                }
            });
        let wb = Mat::from_fn(m, r_total, |i, p| data[i + p * m]);
        drop(data);
        let mut g = vec![0.0; r_total * r_total];
        g.par_chunks_mut(r_total.max(1))
            .enumerate()
            .for_each(|(q, out)| {
                let column = wb.col(q);
                for (p, row) in rows.rows.iter().enumerate() {
                    out[p] = row.iter().map(|&(i, b)| b * column[i]).sum();
                }
            });
        let g = Mat::from_fn(r_total, r_total, |p, q| g[p + q * r_total]);
        Self::Inverse { wb, g }
    }

    /// `G = B W Bᵀ`.
    pub fn g(&self) -> &Mat<f64> {
        match self {
            Self::Factor { g, .. } | Self::Inverse { g, .. } => g,
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        let size = |a: &Mat<f64>| a.nrows() * a.ncols() * size_of::<f64>();
        match self {
            Self::Factor { x, g } => size(x) + size(g),
            Self::Inverse { wb, g } => size(wb) + size(g),
        }
    }

    /// The term rows' columns: `X` (`L⁻¹ Bᵀ`) or `W Bᵀ`.
    fn columns(&self) -> &Mat<f64> {
        match self {
            Self::Factor { x, .. } => x,
            Self::Inverse { wb, .. } => wb,
        }
    }
}

/// Sorts (row, column, value) triplets and sums repeats.
pub(crate) fn merge(mut entries: Vec<(usize, usize, f64)>) -> Vec<(usize, usize, f64)> {
    entries.sort_unstable_by_key(|&(r, c, _)| (r, c));
    let mut out: Vec<(usize, usize, f64)> = Vec::with_capacity(entries.len());
    for (r, c, v) in entries {
        match out.last_mut() {
            Some(last) if last.0 == r && last.1 == c => last.2 += v,
            _ => out.push((r, c, v)),
        }
    }
    out
}

/// Whether two sorted, merged lists of lower-triangle changes agree to round-off of the
/// matrix entries they change: `scale(r, c)` bounds the summands of entry `(r, c)` (for
/// sums of positive semi-definite parts, `√(a_rr a_cc)`), so that a cancellation to a tiny
/// entry is judged by the size of what cancelled.
pub(crate) fn changes_agree(
    from_matrix: &[(usize, usize, f64)],
    from_terms: &[(usize, usize, f64)],
    scale: impl Fn(usize, usize) -> f64,
) -> bool {
    let tolerance = |r: usize, c: usize| 1e-10 * scale(r, c) + f64::MIN_POSITIVE;
    let (mut i, mut j) = (0, 0);
    while i < from_matrix.len() || j < from_terms.len() {
        let a = from_matrix.get(i).map(|&(r, c, _)| (r, c));
        let b = from_terms.get(j).map(|&(r, c, _)| (r, c));
        match (a, b) {
            (Some(x), Some(y)) if x == y => {
                if (from_matrix[i].2 - from_terms[j].2).abs() > tolerance(x.0, x.1) {
                    return false;
                }
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none_or(|y| x < y) => {
                if from_matrix[i].2.abs() > tolerance(x.0, x.1) {
                    return false;
                }
                i += 1;
            }
            (_, Some(y)) => {
                if from_terms[j].2.abs() > tolerance(y.0, y.1) {
                    return false;
                }
                j += 1;
            }
            _ => break,
        }
    }
    true
}

/// The terms of a term update whose capacitance matrix was factorised from scratch: the
/// base on which later updates that change few terms build (see [`TermFactor::new`]). It
/// belongs to the reference whose `G` it used.
pub(crate) struct TermBase {
    /// The changed terms `J₀` (ascending).
    terms: Vec<usize>,
    /// `E_{J₀}`: `r × r` per term, row-major.
    e: Vec<f64>,
    /// The LU factors of `C₀ = I + G_{J₀J₀} E_{J₀}`.
    lu: Capacitance,
}

/// An update builds on the base's capacitance factors while its `d` rows changed since the
/// base are at most `t / MODIFIED_ROWS_DIVISOR` of its `t` rows: at `d = t/8` that costs
/// `2 t₀² d ≈ t³/4` flops against `2t³/3` for the LU factors of the whole.
const MODIFIED_ROWS_DIVISOR: usize = 8;

/// How the capacitance matrix `C = I + G_UU E_U` of a term update is solved.
enum CapacitanceSolve {
    /// Its own LU factors (the update's terms are the base's).
    Base(Arc<TermBase>),
    /// As a low-rank change of the base's.
    Modified(Box<ModifiedCapacitance>),
}

/// A capacitance matrix solved as a change of a base's: over `U = J₀ ∪ N` (`N` the terms
/// changed since the base that the base did not change), `C = A + X P_Dᵀ` with
/// `A = I + G_UU E₀ = [C₀ 0; H I]`, `H = G_{N J₀} E₀`, and `X = G_{U D} (E − E₀)_D` on the
/// rows `D` of the terms whose matrix differs from the base's; by the Woodbury identity
/// `C⁻¹ = A⁻¹ − Z K⁻¹ P_Dᵀ A⁻¹` with `Z = A⁻¹ X` and `K = I + P_Dᵀ Z`.
struct ModifiedCapacitance {
    base: Arc<TermBase>,
    /// `H` (`t_N × t₀`).
    h: Mat<f64>,
    /// Positions in `U`'s rows of `D`.
    d: Vec<usize>,
    /// `Z` (`t × d`).
    z: Mat<f64>,
    /// The LU factors of `K` (`None` when `D` is empty).
    k: Option<Capacitance>,
}

/// `q ← A⁻¹ q` for `A = [C₀ 0; H I]` (`C₀` the base's capacitance matrix, `H` with as many
/// rows as `q` has beyond `C₀`'s).
fn solve_base_block(
    base: &TermBase,
    h: &Mat<f64>,
    q: MatMut<'_, f64>,
    par: Par,
) -> Result<(), SolverError> {
    let (mut head, tail) = q.split_at_row_mut(base.lu.size());
    base.lu.solve_columns(head.rb_mut(), par)?;
    if h.nrows() > 0 {
        matmul(tail, Accum::Add, h.as_ref(), head.rb(), -1.0, par);
    }
    Ok(())
}

impl CapacitanceSolve {
    /// `q ← C⁻¹ q`.
    fn solve(&self, q: &mut [f64], par: Par) -> Result<(), SolverError> {
        let t = q.len();
        match self {
            Self::Base(base) => base.lu.solve_in_place(q, par),
            Self::Modified(modified) => {
                let ModifiedCapacitance { base, h, d, z, k } = modified.as_ref();
                solve_base_block(base, h, MatMut::from_column_major_slice_mut(q, t, 1), par)?;
                let Some(k) = k else {
                    return Ok(());
                };
                let mut s: Vec<f64> = d.iter().map(|&p| q[p]).collect();
                k.solve_in_place(&mut s, par)?;
                matmul(
                    MatMut::from_column_major_slice_mut(q, t, 1),
                    Accum::Add,
                    z.as_ref(),
                    MatRef::from_column_major_slice(&s, s.len(), 1),
                    -1.0,
                    par,
                );
                Ok(())
            }
        }
    }
}

/// The factorisation of `S + B_Uᵀ E_U B_U`: the rows of the terms `U`, their `E` and the
/// capacitance matrix's solver.
pub(crate) struct TermFactor {
    /// Global row indices (into all terms' rows) of the terms `U`, term by term.
    rows: Vec<usize>,
    /// `E_U`, block diagonal: `r × r` per term, row-major (zero for a term of the base that
    /// no longer changes).
    e: Vec<f64>,
    per_term: usize,
    capacitance: CapacitanceSolve,
}

/// The global rows of the terms `terms` (`r` per term).
fn term_rows(terms: &[usize], r: usize) -> Vec<usize> {
    terms
        .iter()
        .flat_map(|&j| (0..r).map(move |a| j * r + a))
        .collect()
}

/// `out[i] += Σ_a G[rows[i], row(k, a)] m[a][b]` for column `b` of term row block `k`
/// (global rows `k_rows`, `m` its `r × r` row-major matrix): column `b` of `G_{rows,k} m`.
fn add_g_times(
    g: &Mat<f64>,
    rows: &[usize],
    k_rows: &[usize],
    m: &[f64],
    b: usize,
    out: &mut [f64],
) {
    let r = k_rows.len();
    for (a, &ka) in k_rows.iter().enumerate() {
        let v = m[a * r + b];
        if v == 0.0 {
            continue;
        }
        let column = g.col(ka);
        for (o, &p) in out.iter_mut().zip(rows) {
            *o += v * column[p];
        }
    }
}

impl TermFactor {
    /// Factorises the capacitance matrix `I + G_JJ E_J` for the changed terms `changed`
    /// (ascending) with changes `e_all` (per term `r × r`, row-major, all terms); `None` when
    /// it is singular to working precision. With a `base` of the same reference whose terms
    /// differ from these in few rows (at most `t / MODIFIED_ROWS_DIVISOR`), the capacitance
    /// matrix is solved as a low-rank change of the base's ([`CapacitanceSolve::Modified`]);
    /// otherwise it is factorised whole and becomes the base of the updates that follow
    /// ([`TermFactor::base`]).
    pub fn new(
        g: &Mat<f64>,
        per_term: usize,
        changed: &[usize],
        e_all: &[f64],
        base: Option<&Arc<TermBase>>,
        par: Par,
    ) -> Option<Self> {
        if let Some(base) = base
            && let Some(factor) = Self::modified(g, per_term, changed, e_all, base, par)
        {
            return Some(factor);
        }
        let r = per_term;
        let rows = term_rows(changed, r);
        let e: Vec<f64> = changed
            .iter()
            .flat_map(|&j| e_all[j * r * r..(j + 1) * r * r].iter().copied())
            .collect();
        let t = rows.len();
        // C = I + G_JJ E_J, column by column
        let mut c = vec![0.0; t * t];
        c.par_chunks_mut(t.max(1)).enumerate().for_each(|(q, out)| {
            out[q] = 1.0;
            let (k, b) = (q / r, q % r);
            add_g_times(
                g,
                &rows,
                &rows[k * r..(k + 1) * r],
                &e[k * r * r..(k + 1) * r * r],
                b,
                out,
            );
        });
        let lu = Capacitance::factorise(c, t, par)?;
        let base = Arc::new(TermBase {
            terms: changed.to_vec(),
            e: e.clone(),
            lu,
        });
        Some(Self {
            rows,
            e,
            per_term,
            capacitance: CapacitanceSolve::Base(base),
        })
    }

    /// The update as a change of `base`'s capacitance matrix, when few rows changed.
    fn modified(
        g: &Mat<f64>,
        r: usize,
        changed: &[usize],
        e_all: &[f64],
        base: &Arc<TermBase>,
        par: Par,
    ) -> Option<Self> {
        let r2 = r * r;
        let zero = vec![0.0; r2];
        let new: Vec<usize> = changed
            .iter()
            .filter(|j| base.terms.binary_search(j).is_err())
            .copied()
            .collect();
        let terms: Vec<usize> = base.terms.iter().chain(&new).copied().collect();
        let rows = term_rows(&terms, r);
        let (t, t0) = (rows.len(), base.terms.len() * r);
        // E over U, and the terms whose E differs from the base's
        let mut e = Vec::with_capacity(t * r);
        let mut delta = Vec::new();
        let mut d_terms = Vec::new();
        for (p, &j) in terms.iter().enumerate() {
            let now = match changed.binary_search(&j) {
                Ok(_) => &e_all[j * r2..(j + 1) * r2],
                Err(_) => &zero[..],
            };
            let before = if p < base.terms.len() {
                &base.e[p * r2..(p + 1) * r2]
            } else {
                &zero[..]
            };
            e.extend_from_slice(now);
            if now != before {
                d_terms.push(p);
                delta.extend(now.iter().zip(before).map(|(a, b)| a - b));
            }
        }
        let d_rows = d_terms.len() * r;
        if MODIFIED_ROWS_DIVISOR * d_rows > t {
            return None;
        }
        // H = G_{N J₀} E₀
        let (base_rows, new_rows) = rows.split_at(t0);
        let mut h = Mat::<f64>::zeros(new_rows.len(), t0);
        for q in 0..t0 {
            let (k, b) = (q / r, q % r);
            let mut out = vec![0.0; new_rows.len()];
            add_g_times(
                g,
                new_rows,
                &base_rows[k * r..(k + 1) * r],
                &base.e[k * r2..(k + 1) * r2],
                b,
                &mut out,
            );
            for (i, v) in out.into_iter().enumerate() {
                h[(i, q)] = v;
            }
        }
        // Z = A⁻¹ X, X = G_{U D} ΔE_D
        let mut z = Mat::<f64>::zeros(t, d_rows);
        let mut d = Vec::with_capacity(d_rows);
        for (n, &p) in d_terms.iter().enumerate() {
            let p_rows = &rows[p * r..(p + 1) * r];
            for b in 0..r {
                let mut out = vec![0.0; t];
                add_g_times(g, &rows, p_rows, &delta[n * r2..(n + 1) * r2], b, &mut out);
                for (i, v) in out.into_iter().enumerate() {
                    z[(i, n * r + b)] = v;
                }
                d.push(p * r + b);
            }
        }
        solve_base_block(base, &h, z.as_mut(), par).ok()?;
        // K = I + P_Dᵀ Z
        let k = if d_rows == 0 {
            None
        } else {
            let mut kc = vec![0.0; d_rows * d_rows];
            for c in 0..d_rows {
                for (a, &p) in d.iter().enumerate() {
                    kc[a + c * d_rows] = z[(p, c)] + if a == c { 1.0 } else { 0.0 };
                }
            }
            Some(Capacitance::factorise(kc, d_rows, par)?)
        };
        Some(Self {
            rows,
            e,
            per_term: r,
            capacitance: CapacitanceSolve::Modified(Box::new(ModifiedCapacitance {
                base: Arc::clone(base),
                h,
                d,
                z,
                k,
            })),
        })
    }

    /// The base of the updates that follow: this update's own capacitance factors, or the
    /// base it changed.
    pub fn base(&self) -> &Arc<TermBase> {
        match &self.capacitance {
            CapacitanceSolve::Base(base) => base,
            CapacitanceSolve::Modified(modified) => &modified.base,
        }
    }

    /// Whether the capacitance matrix was solved as a change of an earlier base.
    pub fn is_modified(&self) -> bool {
        matches!(self.capacitance, CapacitanceSolve::Modified(_))
    }

    /// `y ← (S + B_Uᵀ E_U B_U)⁻¹ y` with the reference's projections: from the factor `l`
    /// of `S` (`L⁻ᵀ (v − X_U E_U q)`, `v = L⁻¹ y`, `q = C⁻¹ X_Uᵀ v`) or from `w = S⁻¹`
    /// (`W y − (W Bᵀ)_U E_U q`, `q = C⁻¹ (W Bᵀ)_Uᵀ y`).
    ///
    /// # Errors
    /// [`SolverError::NotFactorised`] for projections from `W` without `w`; as the
    /// capacitance solve.
    pub fn solve_in_place(
        &self,
        l: MatRef<'_, f64>,
        w: Option<&Mat<f64>>,
        projections: &TermProjections,
        y: &mut [f64],
        par: Par,
    ) -> Result<(), SolverError> {
        let (r, m) = (self.per_term, y.len());
        let columns = projections.columns();
        let dots = |v: &[f64]| -> Vec<f64> {
            self.rows
                .iter()
                .map(|&p| columns.col(p).iter().zip(v).map(|(a, b)| a * b).sum())
                .collect()
        };
        // q = B_U W y (X_Uᵀ v, or (W Bᵀ)_Uᵀ y), and y replaced by v = L⁻¹ y or by W y
        let mut q = match projections {
            TermProjections::Factor { .. } => {
                let v = MatMut::from_column_major_slice_mut(y, m, 1);
                solve_lower_triangular_in_place(l, v, par);
                dots(y)
            }
            TermProjections::Inverse { .. } => {
                let w = w.ok_or(SolverError::NotFactorised)?;
                let q = dots(y);
                let z = apply_dense(w, y, par);
                y.copy_from_slice(&z);
                q
            }
        };
        self.capacitance.solve(&mut q, par)?;
        for (k, block) in self.e.chunks(r * r).enumerate() {
            for a in 0..r {
                let s: f64 = (0..r).map(|b| block[a * r + b] * q[k * r + b]).sum();
                if s != 0.0 {
                    for (yi, ci) in y.iter_mut().zip(columns.col(self.rows[k * r + a]).iter()) {
                        *yi -= s * ci;
                    }
                }
            }
        }
        if let TermProjections::Factor { .. } = projections {
            solve_upper_triangular_in_place(
                l.transpose(),
                MatMut::from_column_major_slice_mut(y, m, 1),
                par,
            );
        }
        Ok(())
    }
}
