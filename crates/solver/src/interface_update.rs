//! The factorisation of an updated interface Schur complement `S' = S + P` for
//! [`crate::InterfaceCholesky`]: `S` is the reference's Schur complement on the `m` interface
//! unknowns and `P` the change — the difference of the interface block from the reference's
//! (symmetric, `Δ`) plus a non-symmetric coupling `N` given by the caller (the consistent
//! slip tangent of frictional contact). Both are sparse. Two ways, chosen by their cost:
//!
//! - **dense**: the Cholesky factor `F` of `S + Δ` (`m³/3` flops); `N` is then resolved by
//!   flexible GMRES on the interface preconditioned with `F`, each iteration two dense
//!   triangular solves of size `m`, not a sparse solve of the whole model;
//! - **low rank**: with `W = S⁻¹` formed once per reference (`2m³/3` flops), the
//!   Sherman–Morrison–Woodbury identity on the `t` interface unknowns `U` that `P` touches,
//!
//!   ```text
//!   (S + E P_UU Eᵀ)⁻¹ = W − W E P_UU C⁻¹ Eᵀ W,    C = I + W_UU P_UU,
//!   ```
//!
//!   (`E` the columns of the identity at `U`), one LU factorisation of the `t × t`
//!   capacitance matrix `C` (`2t³/3` flops), exact for the non-symmetric coupling too. The
//!   identity holds for any `P`, singular or not; `S'` is singular exactly when `C` is.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::lu::partial_pivoting;
use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{BlockStructure, matmul as triangular_matmul};
use faer::perm::PermRef;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

use crate::error::SolverError;
use crate::interface_terms::{TermFactor, TermProjections};
use crate::krylov::fgmres;

/// Relative residual to which the dense path's GMRES resolves the coupling on the interface.
const INTERFACE_GMRES_TOLERANCE: f64 = 1e-13;

/// Most GMRES iterations on the interface (each one two dense triangular solves).
const INTERFACE_GMRES_ITERATIONS: usize = 200;

/// The low-rank update is used while `t³ ≤ LOW_RANK_SHARE · m³`: its `2t³/3` flops are then
/// at most half the dense factor's `m³/3` (the inverse `W`, `2m³/3` once per reference, pays
/// for itself over the iterations that reuse it).
const LOW_RANK_SHARE: f64 = 0.25;

/// The change `P` of the interface matrix, restricted to the unknowns it touches.
pub(crate) struct Perturbation {
    /// Local interface indices with an entry of `P` in their row or column, ascending.
    pub touched: Vec<usize>,
    /// `P_UU` column by column: (row position in `touched`, value), duplicates summed.
    pub columns: Vec<Vec<(usize, f64)>>,
    /// `Δ`: (local row, local column, value) with row ≥ column, as stored in the lower
    /// triangle (the symmetric counterpart implied).
    pub delta: Vec<(usize, usize, f64)>,
    /// `N`: (local row, local column, value), non-symmetric, duplicates allowed.
    pub coupling: Vec<(usize, usize, f64)>,
}

impl Perturbation {
    /// Gathers `Δ` (lower-triangle entries) and `N` on an interface of `m` unknowns.
    pub fn new(
        m: usize,
        delta: Vec<(usize, usize, f64)>,
        coupling: Vec<(usize, usize, f64)>,
    ) -> Self {
        let mut entries: Vec<(usize, usize, f64)> =
            Vec::with_capacity(2 * delta.len() + coupling.len());
        for &(r, c, v) in &delta {
            entries.push((r, c, v));
            if r != c {
                entries.push((c, r, v));
            }
        }
        entries.extend_from_slice(&coupling);
        let mut position = vec![usize::MAX; m];
        for &(r, c, _) in &entries {
            position[r] = 0;
            position[c] = 0;
        }
        let mut touched = Vec::new();
        for (k, p) in position.iter_mut().enumerate() {
            if *p == 0 {
                *p = touched.len();
                touched.push(k);
            }
        }
        entries.sort_unstable_by_key(|&(r, c, _)| (c, r));
        let mut columns = vec![Vec::new(); touched.len()];
        for (r, c, v) in entries {
            let column: &mut Vec<(usize, f64)> = &mut columns[position[c]];
            match column.last_mut() {
                Some(last) if last.0 == position[r] => last.1 += v,
                _ => column.push((position[r], v)),
            }
        }
        Self {
            touched,
            columns,
            delta,
            coupling,
        }
    }

    /// Whether `P = 0` (the reference itself).
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    /// Whether the low-rank update is the cheaper way on an interface of `m` unknowns.
    pub fn prefers_low_rank(&self, m: usize) -> bool {
        let (t, m) = (self.touched.len() as f64, m as f64);
        t * t * t <= LOW_RANK_SHARE * m * m * m
    }
}

/// The factorisation of `S + P` held by an updated [`crate::InterfaceCholesky`].
pub(crate) enum InterfaceFactor {
    /// Cholesky factor of `S + Δ` (lower) and the coupling `N` (local entries), if any.
    Dense {
        factor: Mat<f64>,
        coupling: Vec<(usize, usize, f64)>,
    },
    /// `P_UU` and the LU factors of the capacitance matrix `C = I + W_UU P_UU`.
    LowRank {
        touched: Vec<usize>,
        columns: Vec<Vec<(usize, f64)>>,
        capacitance: Capacitance,
    },
    /// The Woodbury factor of the changed terms (see [`crate::interface_terms`]).
    Terms(TermFactor),
}

/// `W = S⁻¹`, full (both triangles), from the Cholesky factor `l` of `S`.
pub(crate) fn inverse_from_factor(l: MatRef<'_, f64>, par: Par) -> Result<Mat<f64>, SolverError> {
    let m = l.nrows();
    let mut w = Mat::<f64>::zeros(m, m);
    let req = llt::inverse::inverse_scratch::<f64>(m, par);
    let mut mem = MemBuffer::try_new(req).map_err(|_| SolverError::OutOfMemory {
        what: "interface inverse workspace",
        bytes: req.size_bytes(),
    })?;
    llt::inverse::inverse(w.as_mut(), l, par, MemStack::new(&mut mem));
    for j in 0..m {
        for i in 0..j {
            w[(i, j)] = w[(j, i)];
        }
    }
    Ok(w)
}

/// The low-rank factorisation of `S + P` from `W = S⁻¹`: `None` when the capacitance matrix
/// is singular to working precision (`S + P` is then singular or nearly so; the dense path
/// names the unknown).
pub(crate) fn low_rank(w: &Mat<f64>, p: &Perturbation, par: Par) -> Option<InterfaceFactor> {
    let t = p.touched.len();
    // W_UU
    let mut w_uu = Mat::<f64>::zeros(t, t);
    for (b, &j) in p.touched.iter().enumerate() {
        let column = w.col(j);
        for (a, &i) in p.touched.iter().enumerate() {
            w_uu[(a, b)] = column[i];
        }
    }
    // C = I + W_UU P_UU, column by column (P_UU sparse)
    let mut c = vec![0.0; t * t];
    c.par_chunks_mut(t.max(1))
        .zip(p.columns.par_iter())
        .enumerate()
        .for_each(|(j, (out, entries))| {
            out[j] = 1.0;
            for &(k, v) in entries {
                let wk = w_uu.col(k);
                for (o, x) in out.iter_mut().zip(wk.iter()) {
                    *o += v * x;
                }
            }
        });
    let capacitance = Capacitance::factorise(c, t, par)?;
    Some(InterfaceFactor::LowRank {
        touched: p.touched.clone(),
        columns: p.columns.clone(),
        capacitance,
    })
}

/// The LU factors (partial pivoting) of a Woodbury capacitance matrix, `I` plus a low-rank
/// product, for the low-rank and the term updates.
pub(crate) struct Capacitance {
    lu: Mat<f64>,
    perm: Vec<usize>,
    perm_inv: Vec<usize>,
}

impl Capacitance {
    /// Factorises `c` (`t × t`, column-major), or `None` when a pivot lies far below the
    /// largest. The capacitance is the identity plus `W P`, so such a pivot means that
    /// `S + P` is (nearly) singular, which the Woodbury identity would turn into large,
    /// wrong numbers.
    pub fn factorise(c: Vec<f64>, t: usize, par: Par) -> Option<Self> {
        let mut lu = Mat::<f64>::zeros(t, t);
        lu.as_mut()
            .copy_from(MatRef::from_column_major_slice(&c, t, t));
        drop(c);
        let mut perm = vec![0usize; t];
        let mut perm_inv = vec![0usize; t];
        let req = partial_pivoting::factor::lu_in_place_scratch::<usize, f64>(
            t,
            t,
            par,
            Default::default(),
        );
        let mut mem = MemBuffer::try_new(req).ok()?;
        partial_pivoting::factor::lu_in_place(
            lu.as_mut(),
            &mut perm,
            &mut perm_inv,
            par,
            MemStack::new(&mut mem),
            Default::default(),
        );
        let largest = (0..t).fold(0.0f64, |a, k| a.max(lu[(k, k)].abs()));
        let smallest = (0..t).fold(f64::INFINITY, |a, k| a.min(lu[(k, k)].abs()));
        if !(smallest.is_finite() && smallest > 1e-13 * largest.max(1.0)) {
            return None;
        }
        Some(Self { lu, perm, perm_inv })
    }

    /// Rows (= columns) of `C`.
    pub fn size(&self) -> usize {
        self.lu.nrows()
    }

    /// `q ← C⁻¹ q`.
    pub fn solve_in_place(&self, q: &mut [f64], par: Par) -> Result<(), SolverError> {
        let t = q.len();
        self.solve_columns(MatMut::from_column_major_slice_mut(q, t, 1), par)
    }

    /// `Q ← C⁻¹ Q` for the columns of `q` (`t` rows).
    pub fn solve_columns(&self, q: MatMut<'_, f64>, par: Par) -> Result<(), SolverError> {
        let t = self.lu.nrows();
        SolverError::check_len("capacitance right-hand side", t, q.nrows())?;
        let row_perm = PermRef::new_checked(&self.perm, &self.perm_inv, t);
        let req = partial_pivoting::solve::solve_in_place_scratch::<usize, f64>(t, q.ncols(), par);
        let mut mem = MemBuffer::try_new(req).map_err(|_| SolverError::OutOfMemory {
            what: "interface update solve workspace",
            bytes: req.size_bytes(),
        })?;
        partial_pivoting::solve::solve_in_place(
            self.lu.as_ref(),
            self.lu.as_ref(),
            row_perm,
            q,
            par,
            MemStack::new(&mut mem),
        );
        Ok(())
    }
}

/// `W y` for a dense square `W`.
pub(crate) fn apply_dense(w: &Mat<f64>, y: &[f64], par: Par) -> Vec<f64> {
    let m = y.len();
    let mut z = vec![0.0; m];
    matmul(
        MatMut::from_column_major_slice_mut(&mut z, m, 1),
        Accum::Replace,
        w.as_ref(),
        MatRef::from_column_major_slice(y, m, 1),
        1.0,
        par,
    );
    z
}

impl InterfaceFactor {
    /// `y ← (S + P)⁻¹ y` on the interface; `w` is `S⁻¹` (needed by the low-rank factors,
    /// and by the term factor when its projections came from it), `l` the reference's
    /// Cholesky factor of `S` and `projections` the terms' (needed by the term factor).
    ///
    /// # Errors
    /// [`SolverError::NotConverged`] when GMRES on the interface misses its tolerance (a
    /// coupling too strong for the symmetric factor to precondition), or
    /// [`SolverError::NotFactorised`] when a low-rank factor lacks `w` or its projections.
    pub fn solve_in_place(
        &self,
        w: Option<&Mat<f64>>,
        l: MatRef<'_, f64>,
        projections: Option<&TermProjections>,
        y: &mut [f64],
        par: Par,
    ) -> Result<(), SolverError> {
        let m = y.len();
        match self {
            Self::Terms(factor) => {
                let Some(projections) = projections else {
                    return Err(SolverError::NotFactorised);
                };
                factor.solve_in_place(l, w, projections, y, par)
            }
            Self::Dense { factor, coupling } => {
                let chol = |v: &mut [f64]| {
                    let rhs = MatMut::from_column_major_slice_mut(v, m, 1);
                    llt::solve::solve_in_place(factor.as_ref(), rhs, par, MemStack::new(&mut []));
                };
                if coupling.is_empty() {
                    chol(y);
                    return Ok(());
                }
                let b = y.to_vec();
                chol(y);
                let mut tmp = vec![0.0; m];
                let report = fgmres(
                    |v, out| {
                        // (S + Δ) v = F (Fᵀ v), then + N v
                        triangular_matmul(
                            MatMut::from_column_major_slice_mut(&mut tmp, m, 1),
                            BlockStructure::Rectangular,
                            Accum::Replace,
                            factor.transpose(),
                            BlockStructure::TriangularUpper,
                            MatRef::from_column_major_slice(v, m, 1),
                            BlockStructure::Rectangular,
                            1.0,
                            par,
                        );
                        triangular_matmul(
                            MatMut::from_column_major_slice_mut(out, m, 1),
                            BlockStructure::Rectangular,
                            Accum::Replace,
                            factor.as_ref(),
                            BlockStructure::TriangularLower,
                            MatRef::from_column_major_slice(&tmp, m, 1),
                            BlockStructure::Rectangular,
                            1.0,
                            par,
                        );
                        for &(r, c, value) in coupling {
                            out[r] += value * v[c];
                        }
                    },
                    |v, out| {
                        out.copy_from_slice(v);
                        chol(out);
                        Ok::<(), SolverError>(())
                    },
                    &b,
                    y,
                    INTERFACE_GMRES_TOLERANCE,
                    50,
                    INTERFACE_GMRES_ITERATIONS,
                )?;
                if report.relative_residual > INTERFACE_GMRES_TOLERANCE * 1e3 {
                    return Err(SolverError::NotConverged {
                        iterations: report.iterations,
                        relative_residual: report.relative_residual,
                    });
                }
                Ok(())
            }
            Self::LowRank {
                touched,
                columns,
                capacitance,
            } => {
                let w = w.ok_or(SolverError::NotFactorised)?;
                let t = touched.len();
                let z = apply_dense(w, y, par);
                // q = C⁻¹ z_U
                let mut q: Vec<f64> = touched.iter().map(|&i| z[i]).collect();
                capacitance.solve_in_place(&mut q, par)?;
                // y = z − W_{:,U} P_UU q
                let mut s = vec![0.0; t];
                for (j, entries) in columns.iter().enumerate() {
                    for &(k, v) in entries {
                        s[k] += v * q[j];
                    }
                }
                y.copy_from_slice(&z);
                for (k, &i) in touched.iter().enumerate() {
                    if s[k] != 0.0 {
                        let column = w.col(i);
                        for (yi, wi) in y.iter_mut().zip(column.iter()) {
                            *yi -= s[k] * wi;
                        }
                    }
                }
                Ok(())
            }
        }
    }
}
