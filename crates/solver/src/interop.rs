//! Conversions between osteon's matrices and fields and the types of
//! [faer](https://docs.rs/faer) and [nalgebra](https://docs.rs/nalgebra) /
//! [nalgebra-sparse](https://docs.rs/nalgebra-sparse).
//!
//! # Matrices
//!
//! A [`SymmetricCsr`] stores the upper triangle (diagonal included) in CSR. Each conversion
//! says which triangle it gives:
//!
//! | method | type | triangle | copies |
//! |---|---|---|---|
//! | [`SymmetricCsr::as_faer_lower_csc`] | `faer::sparse::SparseColMatRef<usize, f64>` | lower, CSC | no |
//! | [`SymmetricCsr::as_faer_upper_csr`] | `faer::sparse::SparseRowMatRef<usize, f64>` | upper, CSR | no |
//! | [`SymmetricCsr::to_faer_csc_full`] | `faer::sparse::SparseColMat<usize, f64>` | both, CSC | yes |
//! | [`SymmetricCsr::to_nalgebra_csr_upper`] | `nalgebra_sparse::CsrMatrix<f64>` | upper, CSR | yes |
//! | [`SymmetricCsr::to_nalgebra_csr_full`] | `nalgebra_sparse::CsrMatrix<f64>` | both, CSR | yes |
//! | [`SymmetricCsr::to_nalgebra_csc_upper`] | `nalgebra_sparse::CscMatrix<f64>` | upper, CSC | yes |
//! | [`SymmetricCsr::to_nalgebra_csc_full`] | `nalgebra_sparse::CscMatrix<f64>` | both, CSC | yes |
//!
//! The "upper" and "lower" forms hold each off-diagonal coupling once: a generic sparse
//! product with them is *not* `A x` (use the "full" forms for that, or faer's symmetric
//! routines with [`faer::Side`]). The way back, [`SymmetricCsr::from_nalgebra_csr`],
//! [`SymmetricCsr::from_nalgebra_csc`] and [`SymmetricCsr::from_faer_csc`], keeps the upper
//! triangle and either ignores the lower one or checks that it mirrors the upper one
//! ([`SymmetryCheck`]).
//!
//! ```
//! use osteon_solver::SymmetricCsr;
//! use osteon_solver::interop::SymmetryCheck;
//!
//! // A = [4 1 0; 1 3 1; 0 1 2]
//! let a = SymmetricCsr::from_triplets(
//!     3,
//!     &[(0, 0, 4.0), (0, 1, 1.0), (1, 1, 3.0), (1, 2, 1.0), (2, 2, 2.0)],
//! )?;
//!
//! // nalgebra-sparse: the full matrix multiplies like A.
//! let full = a.to_nalgebra_csr_full();
//! assert_eq!(full.nnz(), 7);
//! let y = &full * &nalgebra::DVector::from_vec(vec![1.0, 1.0, 1.0]);
//! assert_eq!(y.as_slice(), &[5.0, 5.0, 3.0]);
//!
//! // ... and comes back as the same SymmetricCsr, its symmetry checked.
//! let back = SymmetricCsr::from_nalgebra_csr(&full, SymmetryCheck::Within(1e-12))?;
//! assert_eq!(back.values(), a.values());
//!
//! // faer: a zero-copy view of the stored triangle, read as the lower triangle in CSC.
//! let lower = a.as_faer_lower_csc();
//! assert_eq!(lower.get(1, 0), Some(&1.0)); // a(0, 1), stored once
//! assert_eq!(lower.get(0, 1), None);
//! assert_eq!(lower.val().len(), 5);
//! # Ok::<(), osteon_solver::SolverError>(())
//! ```
//!
//! # Fields
//!
//! osteon keeps per-node vectors (displacements, forces) as a flat `[f64]` of length
//! `3 · n_nodes` (x, y, z of node 0, then node 1, …) or as `[[f64; 3]]`, and per-point
//! stresses and strains as 6-component Voigt vectors in the order xx, yy, zz, xy, yz, xz.
//! [`nodal_vectors`] and [`voigt_fields`] view them, without copying, as nalgebra matrices
//! with one column per node (3 × n and 6 × n, column-major), so column `j` is node `j`;
//! [`nodal_triples`] views a flat field as `[[f64; 3]]`, from which
//! `nalgebra::Vector3::from(u[j])` is a copy of 24 bytes.
//!
//! ```
//! use osteon_solver::interop::{nodal_triples, nodal_vectors};
//!
//! let u = vec![0.1, 0.2, 0.3, 1.1, 1.2, 1.3]; // two nodes, mm
//! let view = nodal_vectors(&u)?;
//! assert_eq!(view.ncols(), 2);
//! assert_eq!(view[(2, 1)], 1.3); // z of node 1
//! assert_eq!(view.column(1).norm(), (1.1f64 * 1.1 + 1.2 * 1.2 + 1.3 * 1.3).sqrt());
//! let node1 = nalgebra::Vector3::from(nodal_triples(&u)?[1]);
//! assert_eq!(node1, nalgebra::Vector3::new(1.1, 1.2, 1.3));
//! # Ok::<(), osteon_solver::SolverError>(())
//! ```
//!
//! The nalgebra parts need the crate feature `nalgebra` (on by default); the faer parts are
//! always available, faer being the factorisation backend.

use faer::sparse::{
    SparseColMat, SparseColMatRef, SparseRowMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef,
    SymbolicSparseRowMatRef,
};

use crate::csr::SymmetricCsr;
use crate::error::SolverError;

/// How a conversion from a general (both triangles) sparse matrix to a [`SymmetricCsr`]
/// treats the lower triangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SymmetryCheck {
    /// Read only the upper triangle (`row <= col`); entries below the diagonal are ignored
    /// without being looked at. Use it for matrices that store one triangle only.
    IgnoreLower,
    /// Read both triangles and require `|a_ij − a_ji| <= tol · max_kl |a_kl|` for every
    /// off-diagonal pair (a missing entry counts as zero, so a coupling stored in one
    /// triangle only fails unless it is negligible). The tolerance is relative to the
    /// largest entry of the matrix, so round-off in small entries of an assembled stiffness
    /// matrix passes; `Within(0.0)` asks for exact symmetry. A NaN tolerance fails every
    /// off-diagonal pair.
    Within(f64),
}

impl SymmetricCsr {
    /// The stored upper triangle read as the LOWER triangle in CSC, without copying — what
    /// faer's sparse Cholesky takes with [`faer::Side::Lower`] (it is what
    /// [`crate::CholeskySolver`] hands to faer).
    pub fn as_faer_lower_csc(&self) -> SparseColMatRef<'_, usize, f64> {
        // The invariants of SymmetricCsr (validated at construction, pattern immutable) are
        // exactly faer's: column pointers from 0 to nnz, sorted in-range row indices.
        let symbolic = SymbolicSparseColMatRef::new_checked(
            self.n(),
            self.n(),
            self.row_ptr(),
            None,
            self.col_idx(),
        );
        SparseColMatRef::new(symbolic, self.values())
    }

    /// The stored UPPER triangle as a faer CSR view, without copying (for faer routines that
    /// take a triangle with [`faer::Side::Upper`] or a row-major matrix).
    pub fn as_faer_upper_csr(&self) -> SparseRowMatRef<'_, usize, f64> {
        let symbolic = SymbolicSparseRowMatRef::new_checked(
            self.n(),
            self.n(),
            self.row_ptr(),
            None,
            self.col_idx(),
        );
        SparseRowMatRef::new(symbolic, self.values())
    }

    /// The full matrix (both triangles) as an owned faer CSC matrix, rows sorted within each
    /// column. A symmetric matrix has the same arrays in CSC and CSR, so
    /// `.as_ref().transpose()` is its CSR form at no cost.
    pub fn to_faer_csc_full(&self) -> SparseColMat<usize, f64> {
        let (ptr, idx, values) = self.full_compressed();
        let symbolic = SymbolicSparseColMat::new_checked(self.n(), self.n(), ptr, None, idx);
        SparseColMat::new(symbolic, values)
    }

    /// A [`SymmetricCsr`] from a square faer CSC matrix holding both triangles, or only the
    /// upper one with [`SymmetryCheck::IgnoreLower`]. Missing diagonal entries become
    /// explicit zeros; duplicate entries (which faer allows in unsorted matrices) are summed.
    ///
    /// # Errors
    /// [`SolverError::NotSquare`]; [`SolverError::NotSymmetric`] naming the first pair (in
    /// row-major order of the upper triangle) that fails the check.
    pub fn from_faer_csc(
        m: SparseColMatRef<'_, usize, f64>,
        check: SymmetryCheck,
    ) -> Result<Self, SolverError> {
        let triplets = m.triplet_iter().map(|t| (t.row, t.col, *t.val));
        from_general_triplets(m.nrows(), m.ncols(), triplets, check)
    }

    /// The full matrix as CSR arrays `(ptr, idx, values)`, both triangles, sorted indices.
    /// The matrix being symmetric, these are also its CSC arrays.
    pub(crate) fn full_compressed(&self) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
        let n = self.n();
        let (row_ptr, col_idx, vals) = (self.row_ptr(), self.col_idx(), self.values());
        // Row i holds the transposed strict-upper entries (j, i), j < i, then its own row.
        let mut count = vec![0usize; n + 1];
        for i in 0..n {
            count[i + 1] += row_ptr[i + 1] - row_ptr[i];
            for &j in &col_idx[row_ptr[i] + 1..row_ptr[i + 1]] {
                count[j + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let nnz = count[n];
        let mut idx = vec![0usize; nnz];
        let mut values = vec![0.0; nnz];
        let mut next = count.clone();
        // Transposed entries first: rows r ascending, so each target row fills in ascending
        // column order, and all its columns r < target come before its own (>= target).
        for r in 0..n {
            for p in row_ptr[r] + 1..row_ptr[r + 1] {
                let c = col_idx[p];
                idx[next[c]] = r;
                values[next[c]] = vals[p];
                next[c] += 1;
            }
        }
        for i in 0..n {
            let (s, e) = (row_ptr[i], row_ptr[i + 1]);
            let at = next[i];
            idx[at..at + e - s].copy_from_slice(&col_idx[s..e]);
            values[at..at + e - s].copy_from_slice(&vals[s..e]);
        }
        (count, idx, values)
    }

    /// The stored upper triangle as CSC arrays (the transpose of the stored CSR arrays).
    #[cfg_attr(not(feature = "nalgebra"), allow(dead_code))]
    fn upper_csc(&self) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
        let n = self.n();
        let (row_ptr, col_idx, vals) = (self.row_ptr(), self.col_idx(), self.values());
        let mut ptr = vec![0usize; n + 1];
        for &j in col_idx {
            ptr[j + 1] += 1;
        }
        for j in 0..n {
            ptr[j + 1] += ptr[j];
        }
        let mut next = ptr.clone();
        let mut idx = vec![0usize; col_idx.len()];
        let mut values = vec![0.0; col_idx.len()];
        for i in 0..n {
            for p in row_ptr[i]..row_ptr[i + 1] {
                let j = col_idx[p];
                idx[next[j]] = i;
                values[next[j]] = vals[p];
                next[j] += 1;
            }
        }
        (ptr, idx, values)
    }
}

/// Builds a [`SymmetricCsr`] from the entries of a general `nrows × ncols` matrix.
fn from_general_triplets(
    nrows: usize,
    ncols: usize,
    entries: impl Iterator<Item = (usize, usize, f64)>,
    check: SymmetryCheck,
) -> Result<SymmetricCsr, SolverError> {
    if nrows != ncols {
        return Err(SolverError::NotSquare {
            rows: nrows,
            cols: ncols,
        });
    }
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    for (i, j, v) in entries {
        if i <= j {
            upper.push((i, j, v));
        } else if let SymmetryCheck::Within(_) = check {
            lower.push((j, i, v)); // transposed into the upper triangle
        }
    }
    if let SymmetryCheck::Within(tol) = check {
        check_symmetry(&upper, &mut lower, tol)?;
    }
    SymmetricCsr::from_triplets(nrows, &upper)
}

/// Checks the strict upper entries against the transposed lower entries (both `(i, j)` with
/// `i < j` after transposition; duplicates summed).
fn check_symmetry(
    upper: &[(usize, usize, f64)],
    lower: &mut [(usize, usize, f64)],
    tol: f64,
) -> Result<(), SolverError> {
    let scale = upper
        .iter()
        .chain(lower.iter())
        .fold(0.0f64, |m, &(_, _, v)| m.max(v.abs()));
    let bound = tol * scale;
    let merge = |v: &[(usize, usize, f64)]| {
        let mut out: Vec<(usize, usize, f64)> = Vec::with_capacity(v.len());
        for &(i, j, x) in v {
            match out.last_mut() {
                Some(last) if (last.0, last.1) == (i, j) => last.2 += x,
                _ => out.push((i, j, x)),
            }
        }
        out
    };
    let mut up: Vec<(usize, usize, f64)> =
        upper.iter().copied().filter(|&(i, j, _)| i < j).collect();
    up.sort_unstable_by_key(|&(i, j, _)| (i, j));
    lower.sort_unstable_by_key(|&(i, j, _)| (i, j));
    let up = merge(&up);
    let lo = merge(lower);
    let fails = |row: usize, col: usize, upper: f64, lower: f64| {
        // written so that NaN values and a NaN tolerance fail
        if (upper - lower).abs() <= bound {
            Ok(())
        } else {
            Err(SolverError::NotSymmetric {
                row,
                col,
                upper,
                lower,
            })
        }
    };
    let (mut a, mut b) = (0, 0);
    while a < up.len() || b < lo.len() {
        let ka = up.get(a).map(|&(i, j, _)| (i, j));
        let kb = lo.get(b).map(|&(i, j, _)| (i, j));
        match (ka, kb) {
            (Some(x), Some(y)) if x == y => {
                fails(x.0, x.1, up[a].2, lo[b].2)?;
                a += 1;
                b += 1;
            }
            (Some(x), Some(y)) if x < y => {
                fails(x.0, x.1, up[a].2, 0.0)?;
                a += 1;
            }
            (Some(x), None) => {
                fails(x.0, x.1, up[a].2, 0.0)?;
                a += 1;
            }
            (_, Some(y)) => {
                fails(y.0, y.1, 0.0, lo[b].2)?;
                b += 1;
            }
            (None, None) => break,
        }
    }
    Ok(())
}

/// A flat field of `3 · n` values (x, y, z per node) as `n` triples, without copying.
///
/// # Errors
/// [`SolverError::FieldLength`] when the length is not a multiple of 3.
pub fn nodal_triples(u: &[f64]) -> Result<&[[f64; 3]], SolverError> {
    let (triples, rest) = u.as_chunks::<3>();
    if rest.is_empty() {
        Ok(triples)
    } else {
        Err(SolverError::FieldLength {
            components: 3,
            len: u.len(),
        })
    }
}

#[cfg(feature = "nalgebra")]
mod nalgebra_impl {
    use nalgebra::{Dyn, MatrixView3xX, MatrixView6xX, MatrixViewMut3xX, U3, U6};
    use nalgebra_sparse::{CscMatrix, CsrMatrix};

    use super::{SymmetryCheck, from_general_triplets};
    use crate::csr::SymmetricCsr;
    use crate::error::SolverError;

    /// The arrays come from a valid `SymmetricCsr`, whose invariants (offsets from 0 to nnz,
    /// sorted unique in-range indices) are nalgebra-sparse's, so this cannot fail.
    const VALID: &str = "a SymmetricCsr always gives a valid compressed pattern";

    impl SymmetricCsr {
        /// The stored upper triangle (diagonal included) as a nalgebra-sparse CSR matrix.
        ///
        /// Each off-diagonal coupling is held once, so `&m * &x` is not `A x`: use
        /// [`SymmetricCsr::to_nalgebra_csr_full`] for products.
        pub fn to_nalgebra_csr_upper(&self) -> CsrMatrix<f64> {
            CsrMatrix::try_from_csr_data(
                self.n(),
                self.n(),
                self.row_ptr().to_vec(),
                self.col_idx().to_vec(),
                self.values().to_vec(),
            )
            .expect(VALID)
        }

        /// The full matrix (both triangles) as a nalgebra-sparse CSR matrix; `&m * &x` is
        /// `A x`.
        pub fn to_nalgebra_csr_full(&self) -> CsrMatrix<f64> {
            let (ptr, idx, values) = self.full_compressed();
            CsrMatrix::try_from_csr_data(self.n(), self.n(), ptr, idx, values).expect(VALID)
        }

        /// The stored upper triangle (diagonal included) as a nalgebra-sparse CSC matrix
        /// (column `j` holds rows `i <= j`).
        pub fn to_nalgebra_csc_upper(&self) -> CscMatrix<f64> {
            let (ptr, idx, values) = self.upper_csc();
            CscMatrix::try_from_csc_data(self.n(), self.n(), ptr, idx, values).expect(VALID)
        }

        /// The full matrix (both triangles) as a nalgebra-sparse CSC matrix; `&m * &x` is
        /// `A x`.
        pub fn to_nalgebra_csc_full(&self) -> CscMatrix<f64> {
            let (ptr, idx, values) = self.full_compressed();
            CscMatrix::try_from_csc_data(self.n(), self.n(), ptr, idx, values).expect(VALID)
        }

        /// A [`SymmetricCsr`] from a square nalgebra-sparse CSR matrix holding both
        /// triangles (checked with [`SymmetryCheck::Within`]) or only the upper one
        /// ([`SymmetryCheck::IgnoreLower`]). Missing diagonal entries become explicit zeros.
        ///
        /// # Errors
        /// [`SolverError::NotSquare`]; [`SolverError::NotSymmetric`] naming the first pair
        /// (in row-major order of the upper triangle) that fails the check.
        pub fn from_nalgebra_csr(
            m: &CsrMatrix<f64>,
            check: SymmetryCheck,
        ) -> Result<Self, SolverError> {
            let entries = m.triplet_iter().map(|(i, j, &v)| (i, j, v));
            from_general_triplets(m.nrows(), m.ncols(), entries, check)
        }

        /// As [`SymmetricCsr::from_nalgebra_csr`], from a CSC matrix.
        ///
        /// # Errors
        /// As [`SymmetricCsr::from_nalgebra_csr`].
        pub fn from_nalgebra_csc(
            m: &CscMatrix<f64>,
            check: SymmetryCheck,
        ) -> Result<Self, SolverError> {
            let entries = m.triplet_iter().map(|(i, j, &v)| (i, j, v));
            from_general_triplets(m.nrows(), m.ncols(), entries, check)
        }
    }

    fn columns(len: usize, components: usize) -> Result<usize, SolverError> {
        if len.is_multiple_of(components) {
            Ok(len / components)
        } else {
            Err(SolverError::FieldLength { components, len })
        }
    }

    /// A flat nodal field (x, y, z per node; e.g. displacements in mm or forces in N) as a
    /// 3 × n nalgebra matrix view, column `j` = node `j`, without copying.
    ///
    /// # Errors
    /// [`SolverError::FieldLength`] when the length is not a multiple of 3.
    pub fn nodal_vectors(u: &[f64]) -> Result<MatrixView3xX<'_, f64>, SolverError> {
        let n = columns(u.len(), 3)?;
        Ok(MatrixView3xX::from_slice_generic(u, U3, Dyn(n)))
    }

    /// As [`nodal_vectors`], mutable: writing column `j` writes node `j` of `u`.
    ///
    /// # Errors
    /// [`SolverError::FieldLength`] when the length is not a multiple of 3.
    pub fn nodal_vectors_mut(u: &mut [f64]) -> Result<MatrixViewMut3xX<'_, f64>, SolverError> {
        let n = columns(u.len(), 3)?;
        Ok(MatrixViewMut3xX::from_slice_generic(u, U3, Dyn(n)))
    }

    /// A nodal field stored as `[[f64; 3]]` (as osteon's results hold displacements and
    /// reactions) as a 3 × n nalgebra matrix view, column `j` = node `j`, without copying.
    pub fn nodal_vectors_from_triples(u: &[[f64; 3]]) -> MatrixView3xX<'_, f64> {
        MatrixView3xX::from_slice_generic(u.as_flattened(), U3, Dyn(u.len()))
    }

    /// A flat field of Voigt vectors (6 per node or point, order xx, yy, zz, xy, yz, xz;
    /// stresses in MPa, strains with engineering shear) as a 6 × n nalgebra matrix view,
    /// column `j` = node or point `j`, without copying.
    ///
    /// # Errors
    /// [`SolverError::FieldLength`] when the length is not a multiple of 6.
    pub fn voigt_fields(s: &[f64]) -> Result<MatrixView6xX<'_, f64>, SolverError> {
        let n = columns(s.len(), 6)?;
        Ok(MatrixView6xX::from_slice_generic(s, U6, Dyn(n)))
    }

    /// A Voigt field stored as `[[f64; 6]]` (as osteon's stress recovery holds it) as a
    /// 6 × n nalgebra matrix view, column `j` = node or point `j`, without copying.
    pub fn voigt_fields_from_arrays(s: &[[f64; 6]]) -> MatrixView6xX<'_, f64> {
        MatrixView6xX::from_slice_generic(s.as_flattened(), U6, Dyn(s.len()))
    }
}

#[cfg(feature = "nalgebra")]
pub use nalgebra_impl::{
    nodal_vectors, nodal_vectors_from_triples, nodal_vectors_mut, voigt_fields,
    voigt_fields_from_arrays,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// A = [4 1 0 2; 1 3 1 0; 0 1 2 0; 2 0 0 5], as its upper triangle.
    fn small() -> SymmetricCsr {
        SymmetricCsr::from_triplets(
            4,
            &[
                (0, 0, 4.0),
                (0, 1, 1.0),
                (0, 3, 2.0),
                (1, 1, 3.0),
                (1, 2, 1.0),
                (2, 2, 2.0),
                (3, 3, 5.0),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn full_arrays_are_both_triangles_in_row_order() {
        let (ptr, idx, values) = small().full_compressed();
        assert_eq!(ptr, [0, 3, 6, 8, 10]);
        assert_eq!(idx, [0, 1, 3, 0, 1, 2, 1, 2, 0, 3]);
        assert_eq!(values, [4.0, 1.0, 2.0, 1.0, 3.0, 1.0, 1.0, 2.0, 2.0, 5.0]);
    }

    #[test]
    fn upper_csc_is_the_transpose_of_the_stored_arrays() {
        let (ptr, idx, values) = small().upper_csc();
        // column 0: (0,0); column 1: (0,1), (1,1); column 2: (1,2), (2,2); column 3: (0,3), (3,3)
        assert_eq!(ptr, [0, 1, 3, 5, 7]);
        assert_eq!(idx, [0, 0, 1, 1, 2, 0, 3]);
        assert_eq!(values, [4.0, 1.0, 3.0, 1.0, 2.0, 2.0, 5.0]);
    }

    #[test]
    fn symmetry_check_names_the_first_bad_pair() {
        // (0,1) = 1 above, 1 below: fine; (1,2) = 1 above, 1.5 below: not symmetric.
        let entries = [
            (0, 0, 4.0),
            (0, 1, 1.0),
            (1, 0, 1.0),
            (1, 1, 3.0),
            (1, 2, 1.0),
            (2, 1, 1.5),
            (2, 2, 2.0),
        ];
        let err = from_general_triplets(3, 3, entries.into_iter(), SymmetryCheck::Within(1e-12));
        assert_eq!(
            err.err(),
            Some(SolverError::NotSymmetric {
                row: 1,
                col: 2,
                upper: 1.0,
                lower: 1.5
            })
        );
        // 0.5 / max|a| = 0.5 / 4 = 0.125: passes at 0.2, and the upper value is kept.
        let a = from_general_triplets(3, 3, entries.into_iter(), SymmetryCheck::Within(0.2))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.values()[a.slot(1, 2).unwrap_or(usize::MAX)], 1.0);
        // An entry in the lower triangle only.
        let lower_only = [(0, 0, 1.0), (1, 1, 1.0), (1, 0, 0.5)];
        assert_eq!(
            from_general_triplets(2, 2, lower_only.into_iter(), SymmetryCheck::Within(0.1)).err(),
            Some(SolverError::NotSymmetric {
                row: 0,
                col: 1,
                upper: 0.0,
                lower: 0.5
            })
        );
        // Ignored, it leaves a diagonal matrix.
        let d = from_general_triplets(2, 2, lower_only.into_iter(), SymmetryCheck::IgnoreLower)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.col_idx(), &[0, 1]);
        // NaN tolerance fails any off-diagonal pair.
        assert!(
            from_general_triplets(3, 3, entries.into_iter(), SymmetryCheck::Within(f64::NAN))
                .is_err()
        );
        assert_eq!(
            from_general_triplets(2, 3, std::iter::empty(), SymmetryCheck::IgnoreLower).err(),
            Some(SolverError::NotSquare { rows: 2, cols: 3 })
        );
    }

    #[test]
    fn triples_of_a_flat_field() {
        let u = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(
            nodal_triples(&u).unwrap_or_default(),
            &[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
        );
        assert_eq!(
            nodal_triples(&u[..5]).err(),
            Some(SolverError::FieldLength {
                components: 3,
                len: 5
            })
        );
    }
}
