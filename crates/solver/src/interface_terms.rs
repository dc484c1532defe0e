//! Interface changes in factored form for [`crate::InterfaceCholesky`]: the caller states
//! that its matrices are `K + Σ_j B_jᵀ M_j B_j`, with `K` fixed, one *term* `j` per source of
//! change (a contact slave node: `B_j` its 3 rows of weights over the node's and its master
//! face's unknowns, `M_j` its 3 × 3 stiffness), the rows `B_j` the same in every
//! factorisation. A change from the reference then has rank `r` per changed term, not the
//! number of unknowns it touches: with `W = S⁻¹` and `G = B W Bᵀ` formed once per
//! reference, a matrix whose terms `J` changed by `E_J` is factorised through the `r|J| × r|J|`
//! capacitance matrix `I + G_JJ E_J` (Sherman–Morrison–Woodbury,
//! `(S + B_Jᵀ E_J B_J)⁻¹ = W − W B_Jᵀ E_J (I + G_JJ E_J)⁻¹ B_J W`), `2(r|J|)³/3` flops.
//! `E_j` may be non-symmetric (the consistent slip tangent).
//!
//! The factored form is checked against the matrix itself: the change of the interface block
//! implied by the terms' symmetric parts must equal the change of `a` from the reference,
//! entry by entry to round-off; otherwise the update falls back to the unknown-wise path
//! ([`crate::interface_update`]).

use faer::{Mat, MatRef, Par};
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

    /// `B W` (`R × m`, stored as its transpose `W Bᵀ`, `m × R`) and `G = B W Bᵀ` (`R × R`).
    pub fn projections(&self, w: &Mat<f64>) -> (Mat<f64>, Mat<f64>) {
        let m = w.nrows();
        let r_total = self.rows.len();
        let mut wb = Mat::<f64>::zeros(m, r_total);
        // column p of W Bᵀ = Σ_i b_pi W[:, i]
        let mut data = vec![0.0; m * r_total];
        data.par_chunks_mut(m.max(1))
            .zip(self.rows.par_iter())
            .for_each(|(out, row)| {
                for &(i, b) in row {
                    for (o, x) in out.iter_mut().zip(w.col(i).iter()) {
                        *o += b * x;
                    }
                }
            });
        wb.as_mut()
            .copy_from(MatRef::from_column_major_slice(&data, m, r_total));
        drop(data);
        let mut g = vec![0.0; r_total * r_total];
        g.par_chunks_mut(r_total.max(1))
            .enumerate()
            .for_each(|(q, out)| {
                let column = wb.col(q);
                for (p, row) in self.rows.iter().enumerate() {
                    out[p] = row.iter().map(|&(i, b)| b * column[i]).sum();
                }
            });
        let g = Mat::from_fn(r_total, r_total, |p, q| g[p + q * r_total]);
        (wb, g)
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

/// The factorisation of `S + B_Jᵀ E_J B_J`: the changed rows, their `E` and the LU factors
/// of the capacitance matrix.
pub(crate) struct TermFactor {
    /// Global row indices (into all terms' rows) of the changed terms, term by term.
    rows: Vec<usize>,
    /// `E_J`, block diagonal: `r × r` per changed term, row-major.
    e: Vec<f64>,
    per_term: usize,
    capacitance: Capacitance,
}

impl TermFactor {
    /// Factorises the capacitance matrix `I + G_JJ E_J` for the changed terms `changed`
    /// with changes `e_all` (per term `r × r`, row-major, all terms); `None` when it is
    /// singular to working precision.
    pub fn new(
        g: &Mat<f64>,
        per_term: usize,
        changed: &[usize],
        e_all: &[f64],
        par: Par,
    ) -> Option<Self> {
        let r = per_term;
        let rows: Vec<usize> = changed
            .iter()
            .flat_map(|&j| (0..r).map(move |a| j * r + a))
            .collect();
        let e: Vec<f64> = changed
            .iter()
            .flat_map(|&j| e_all[j * r * r..(j + 1) * r * r].iter().copied())
            .collect();
        let t = rows.len();
        // C = I + G_JJ E_J; column q (term k = q / r, index b = q % r) sums G_JJ[:, k r + a]
        // E_k[a][b]
        let mut c = vec![0.0; t * t];
        c.par_chunks_mut(t.max(1)).enumerate().for_each(|(q, out)| {
            out[q] = 1.0;
            let (k, b) = (q / r, q % r);
            for a in 0..r {
                let v = e[k * r * r + a * r + b];
                if v == 0.0 {
                    continue;
                }
                let column = g.col(rows[k * r + a]);
                for (o, &p) in out.iter_mut().zip(&rows) {
                    *o += v * column[p];
                }
            }
        });
        let capacitance = Capacitance::factorise(c, t, par)?;
        Some(Self {
            rows,
            e,
            per_term,
            capacitance,
        })
    }

    /// `y ← (S + B_Jᵀ E_J B_J)⁻¹ y` with `w = S⁻¹` and `wb = W Bᵀ`.
    pub fn solve_in_place(
        &self,
        w: &Mat<f64>,
        wb: &Mat<f64>,
        y: &mut [f64],
        par: Par,
    ) -> Result<(), SolverError> {
        let r = self.per_term;
        let z = apply_dense(w, y, par);
        // q = C⁻¹ B_J W y = C⁻¹ (W Bᵀ)_Jᵀ y
        let mut q: Vec<f64> = self
            .rows
            .iter()
            .map(|&p| wb.col(p).iter().zip(y.iter()).map(|(a, b)| a * b).sum())
            .collect();
        self.capacitance.solve_in_place(&mut q, par)?;
        // y = z − (W Bᵀ)_J E_J q
        y.copy_from_slice(&z);
        for (k, block) in self.e.chunks(r * r).enumerate() {
            for a in 0..r {
                let s: f64 = (0..r).map(|b| block[a * r + b] * q[k * r + b]).sum();
                if s != 0.0 {
                    for (yi, wi) in y.iter_mut().zip(wb.col(self.rows[k * r + a]).iter()) {
                        *yi -= s * wi;
                    }
                }
            }
        }
        Ok(())
    }
}
