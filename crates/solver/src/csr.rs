//! [`SymmetricCsr`]: a symmetric sparse matrix stored as its upper triangle, and its parallel
//! matrix–vector product.

use rayon::prelude::*;

use crate::error::SolverError;

/// Below this many stored entries [`SymmetricCsr::mul_vec`] runs on one thread: splitting
/// costs more than it saves.
const PARALLEL_SPMV_MIN_NNZ: usize = 50_000;

/// Rows per block in the final reduction of the parallel product.
const REDUCE_BLOCK: usize = 8192;

/// Symmetric sparse matrix stored as its UPPER triangle in CSR.
///
/// Row `i` holds the columns `j >= i`, sorted ascending, and the diagonal `(i, i)` is present
/// (it is the first entry of every row). Read as CSC, the same three arrays are the LOWER
/// triangle, which is what faer's Cholesky takes with `Side::Lower`: no copy is needed.
///
/// The pattern is fixed at construction and validated once; afterwards only the values
/// change ([`SymmetricCsr::values_mut`], [`SymmetricCsr::fill_zero`]), so every solver can
/// rely on the invariants without re-checking them.
#[derive(Clone, Debug)]
pub struct SymmetricCsr {
    n: usize,
    row_ptr: Vec<usize>,
    col_idx: Vec<usize>,
    values: Vec<f64>,
}

impl SymmetricCsr {
    /// Builds a matrix from an upper-triangular CSR pattern; all values are zero.
    ///
    /// # Errors
    /// [`SolverError::InvalidPattern`] unless `row_ptr` has `n + 1` non-decreasing entries
    /// starting at 0 and ending at `col_idx.len()`, and every row `i` starts with its diagonal
    /// `i` followed by strictly increasing columns `< n`.
    pub fn from_pattern(
        n: usize,
        row_ptr: Vec<usize>,
        col_idx: Vec<usize>,
    ) -> Result<Self, SolverError> {
        validate_pattern(n, &row_ptr, &col_idx)?;
        let values = vec![0.0; col_idx.len()];
        Ok(Self {
            n,
            row_ptr,
            col_idx,
            values,
        })
    }

    /// Builds a matrix from an upper-triangular CSR pattern and its values.
    ///
    /// # Errors
    /// As [`SymmetricCsr::from_pattern`], plus [`SolverError::DimensionMismatch`] when
    /// `values.len() != col_idx.len()`.
    pub fn from_parts(
        n: usize,
        row_ptr: Vec<usize>,
        col_idx: Vec<usize>,
        values: Vec<f64>,
    ) -> Result<Self, SolverError> {
        validate_pattern(n, &row_ptr, &col_idx)?;
        if values.len() != col_idx.len() {
            return Err(SolverError::DimensionMismatch {
                what: "values",
                expected: col_idx.len(),
                found: values.len(),
            });
        }
        Ok(Self {
            n,
            row_ptr,
            col_idx,
            values,
        })
    }

    /// Builds a matrix from `(row, col, value)` triplets of the symmetric matrix.
    ///
    /// Each triplet may name either triangle: `(i, j)` and `(j, i)` go to the same stored
    /// entry, and duplicates are summed (give each off-diagonal coupling once, not twice).
    /// Diagonal entries missing from the triplets are stored as explicit zeros.
    ///
    /// # Errors
    /// [`SolverError::InvalidPattern`] when an index is `>= n`.
    pub fn from_triplets(n: usize, triplets: &[(usize, usize, f64)]) -> Result<Self, SolverError> {
        let mut entries: Vec<(usize, usize, f64)> = Vec::with_capacity(triplets.len() + n);
        for (k, &(i, j, v)) in triplets.iter().enumerate() {
            if i >= n || j >= n {
                return Err(SolverError::InvalidPattern {
                    detail: format!("triplet {k} has index ({i}, {j}) outside a {n}x{n} matrix"),
                });
            }
            entries.push((i.min(j), i.max(j), v));
        }
        entries.extend((0..n).map(|i| (i, i, 0.0)));
        entries.sort_unstable_by_key(|&(i, j, _)| (i, j));
        let mut row_ptr = vec![0usize; n + 1];
        let mut col_idx = Vec::with_capacity(entries.len());
        let mut values: Vec<f64> = Vec::with_capacity(entries.len());
        let mut last: Option<(usize, usize)> = None;
        for (i, j, v) in entries {
            if last == Some((i, j)) {
                if let Some(slot) = values.last_mut() {
                    *slot += v;
                }
            } else {
                col_idx.push(j);
                values.push(v);
                row_ptr[i + 1] += 1;
                last = Some((i, j));
            }
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        Self::from_parts(n, row_ptr, col_idx, values)
    }

    /// Number of rows (= columns = unknowns).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of stored entries (upper triangle including the diagonal).
    pub fn nnz_stored(&self) -> usize {
        self.col_idx.len()
    }

    /// Row pointers: row `i` occupies slots `row_ptr[i]..row_ptr[i + 1]`.
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }

    /// Column index of every stored slot.
    pub fn col_idx(&self) -> &[usize] {
        &self.col_idx
    }

    /// Value of every stored slot.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Mutable values (the pattern cannot change).
    pub fn values_mut(&mut self) -> &mut [f64] {
        &mut self.values
    }

    /// Slot index of entry `(i, j)`, found by binary search in row `min(i, j)`.
    ///
    /// `(i, j)` and `(j, i)` share one slot. Returns `None` when the entry is not in the
    /// pattern or an index is out of range.
    pub fn slot(&self, i: usize, j: usize) -> Option<usize> {
        let (i, j) = (i.min(j), i.max(j));
        if j >= self.n {
            return None;
        }
        let start = self.row_ptr[i];
        let row = &self.col_idx[start..self.row_ptr[i + 1]];
        row.binary_search(&j).ok().map(|k| start + k)
    }

    /// The diagonal `A_ii`, `i = 0..n`.
    pub fn diagonal(&self) -> Vec<f64> {
        self.row_ptr[..self.n]
            .iter()
            .map(|&p| self.values[p])
            .collect()
    }

    /// Sets every value to zero, keeping the pattern.
    pub fn fill_zero(&mut self) {
        self.values.fill(0.0);
    }

    /// `y = A x` using both triangles, on the threads of the current rayon pool.
    ///
    /// Matrices with fewer than 50 000 stored entries are multiplied on one thread. The result
    /// does not depend on the number of threads beyond round-off of the summation order, and
    /// is deterministic for a given thread count.
    ///
    /// # Panics
    /// When `x.len() != n` or `y.len() != n`.
    pub fn mul_vec(&self, x: &[f64], y: &mut [f64]) {
        let threads = if self.nnz_stored() < PARALLEL_SPMV_MIN_NNZ {
            1
        } else {
            rayon::current_num_threads()
        };
        self.mul_vec_with_threads(x, y, threads);
    }

    /// `y = A x` split into `threads` row blocks of about equal numbers of stored entries.
    ///
    /// `y_i = Σ_{j>=i} a_ij x_j + Σ_{j<i} a_ji x_j`: each block writes its own rows of `y`
    /// directly and collects the transposed contributions that land below its rows in a
    /// private vector; the private vectors are summed into `y` at the end. The blocks run as
    /// rayon tasks in the current pool. `threads <= 1` runs sequentially.
    ///
    /// # Panics
    /// When `x.len() != n` or `y.len() != n`.
    pub fn mul_vec_with_threads(&self, x: &[f64], y: &mut [f64], threads: usize) {
        let mut plan = SpmvPlan::new(self, threads);
        self.mul_vec_planned(x, y, &mut plan);
    }

    /// `y = A x` with a precomputed row split and reusable private buffers.
    pub(crate) fn mul_vec_planned(&self, x: &[f64], y: &mut [f64], plan: &mut SpmvPlan) {
        assert_eq!(x.len(), self.n, "mul_vec: x has the wrong length");
        assert_eq!(y.len(), self.n, "mul_vec: y has the wrong length");
        let bounds = &plan.bounds;
        let blocks = bounds.len().saturating_sub(1);
        if blocks <= 1 {
            y.fill(0.0);
            self.mul_rows(x, y, 0, self.n, &mut []);
            return;
        }

        // Hand every block its own rows of y and its private buffer.
        let mut row_slices: Vec<&mut [f64]> = Vec::with_capacity(blocks);
        let mut rest: &mut [f64] = y;
        for b in 0..blocks {
            let (head, tail) = rest.split_at_mut(bounds[b + 1] - bounds[b]);
            row_slices.push(head);
            rest = tail;
        }
        let n = self.n;
        row_slices
            .into_par_iter()
            .zip(plan.buffers.par_iter_mut())
            .enumerate()
            .for_each(|(b, (ys, buffer))| {
                let (r0, r1) = (bounds[b], bounds[b + 1]);
                buffer.clear();
                buffer.resize(n - r1, 0.0);
                ys.fill(0.0);
                self.mul_rows(x, ys, r0, r1, buffer);
            });

        // y[j] += buffer_b[j - r1_b] for every block b ending at r1_b <= j.
        let buffers = &plan.buffers;
        y.par_chunks_mut(REDUCE_BLOCK)
            .enumerate()
            .for_each(|(k, yb)| {
                let j0 = k * REDUCE_BLOCK;
                let j1 = j0 + yb.len();
                for b in 0..blocks - 1 {
                    let r1 = bounds[b + 1];
                    let lo = j0.max(r1);
                    if lo >= j1 {
                        continue;
                    }
                    let src = &buffers[b][lo - r1..j1 - r1];
                    for (yj, s) in yb[lo - j0..].iter_mut().zip(src) {
                        *yj += s;
                    }
                }
            });
    }

    /// Multiplies rows `r0..r1`: their full products go to `ys` (indexed from `r0`, zeroed by
    /// the caller), transposed contributions to rows `>= r1` go to `below` (indexed from `r1`).
    fn mul_rows(&self, x: &[f64], ys: &mut [f64], r0: usize, r1: usize, below: &mut [f64]) {
        for i in r0..r1 {
            let xi = x[i];
            let start = self.row_ptr[i];
            let end = self.row_ptr[i + 1];
            // The first entry of every row is the diagonal.
            let mut sum = self.values[start] * xi;
            for p in start + 1..end {
                let j = self.col_idx[p];
                let a = self.values[p];
                sum += a * x[j];
                if j < r1 {
                    ys[j - r0] += a * xi;
                } else {
                    below[j - r1] += a * xi;
                }
            }
            ys[i - r0] += sum;
        }
    }

    /// Index `(row, col, value)` of the first non-finite stored value, if any.
    pub(crate) fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        let p = self.values.iter().position(|v| !v.is_finite())?;
        let row = self.row_ptr.partition_point(|&s| s <= p) - 1;
        Some((row, self.col_idx[p], self.values[p]))
    }

    /// A 64-bit fingerprint of the pattern, used to detect a changed pattern cheaply.
    pub(crate) fn pattern_fingerprint(&self) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mix = |h: u64, v: usize| (h ^ v as u64).wrapping_mul(K).rotate_left(29);
        let mut h = mix(0x243F_6A88_85A3_08D3, self.n);
        for &v in &self.row_ptr {
            h = mix(h, v);
        }
        for &v in &self.col_idx {
            h = mix(h, v);
        }
        h
    }
}

/// A row split of a [`SymmetricCsr`] for the parallel product, with the private buffers of
/// the blocks (kept between products so iterative solvers do not reallocate).
#[derive(Debug, Default)]
pub(crate) struct SpmvPlan {
    bounds: Vec<usize>,
    buffers: Vec<Vec<f64>>,
}

impl SpmvPlan {
    /// Splits the rows into at most `threads` blocks of about equal numbers of stored entries.
    pub(crate) fn new(a: &SymmetricCsr, threads: usize) -> Self {
        let blocks = threads.clamp(1, a.n.max(1));
        let nnz = a.nnz_stored();
        let mut bounds = vec![0usize];
        for b in 1..blocks {
            let target = (nnz as u128 * b as u128 / blocks as u128) as usize;
            let row = a.row_ptr.partition_point(|&p| p < target).min(a.n);
            if row > *bounds.last().unwrap_or(&0) {
                bounds.push(row);
            }
        }
        if a.n > *bounds.last().unwrap_or(&0) || bounds.len() == 1 {
            bounds.push(a.n);
        }
        let buffers = (0..bounds.len() - 1).map(|_| Vec::new()).collect();
        Self { bounds, buffers }
    }
}

/// Checks the invariants of an upper-triangular CSR pattern with the diagonal first.
fn validate_pattern(n: usize, row_ptr: &[usize], col_idx: &[usize]) -> Result<(), SolverError> {
    let bad = |detail: String| Err(SolverError::InvalidPattern { detail });
    if row_ptr.len() != n + 1 {
        return bad(format!(
            "row_ptr has {} entries, expected n + 1 = {}",
            row_ptr.len(),
            n + 1
        ));
    }
    if row_ptr[0] != 0 {
        return bad(format!("row_ptr[0] = {}, expected 0", row_ptr[0]));
    }
    if row_ptr[n] != col_idx.len() {
        return bad(format!(
            "row_ptr[n] = {} but col_idx has {} entries",
            row_ptr[n],
            col_idx.len()
        ));
    }
    for i in 0..n {
        let (start, end) = (row_ptr[i], row_ptr[i + 1]);
        if end < start || end > col_idx.len() {
            return bad(format!(
                "row_ptr is not non-decreasing at row {i} ({start} -> {end})"
            ));
        }
        let row = &col_idx[start..end];
        match row.first() {
            None => return bad(format!("row {i} is empty: the diagonal must be stored")),
            Some(&j) if j != i => {
                return bad(format!(
                    "row {i} starts with column {j}: every row must start with its diagonal \
                     and hold only columns >= the row (upper triangle)"
                ));
            }
            Some(_) => {}
        }
        for w in row.windows(2) {
            if w[1] <= w[0] {
                return bad(format!(
                    "row {i} columns are not strictly increasing ({} then {})",
                    w[0], w[1]
                ));
            }
        }
        if let Some(&last) = row.last()
            && last >= n
        {
            return bad(format!("row {i} has column {last} >= n = {n}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense n×n copy of a symmetric matrix (both triangles), row-major.
    fn dense(a: &SymmetricCsr) -> Vec<f64> {
        let n = a.n();
        let mut d = vec![0.0; n * n];
        for i in 0..n {
            for p in a.row_ptr()[i]..a.row_ptr()[i + 1] {
                let j = a.col_idx()[p];
                d[i * n + j] = a.values()[p];
                d[j * n + i] = a.values()[p];
            }
        }
        d
    }

    /// A deterministic pseudo-random matrix with a banded-plus-scattered upper pattern.
    fn pseudo_random(n: usize, per_row: usize, seed: u64) -> SymmetricCsr {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut t = Vec::new();
        for i in 0..n {
            t.push((i, i, 1.0 + (next() % 100) as f64 / 10.0));
            for _ in 0..per_row {
                let j = (next() as usize) % n;
                t.push((i, j, (next() % 200) as f64 / 100.0 - 1.0));
            }
        }
        SymmetricCsr::from_triplets(n, &t).unwrap()
    }

    #[test]
    fn pattern_validation_rejects_bad_input() {
        // Wrong row_ptr length.
        assert!(matches!(
            SymmetricCsr::from_pattern(2, vec![0, 1], vec![0]),
            Err(SolverError::InvalidPattern { .. })
        ));
        // Missing diagonal in row 1.
        assert!(SymmetricCsr::from_pattern(2, vec![0, 2, 2], vec![0, 1]).is_err());
        // Lower-triangle entry (row 1 holds column 0).
        assert!(SymmetricCsr::from_pattern(2, vec![0, 1, 3], vec![0, 0, 1]).is_err());
        // Unsorted / duplicate columns.
        assert!(SymmetricCsr::from_pattern(3, vec![0, 3, 4, 5], vec![0, 2, 1, 1, 2]).is_err());
        assert!(SymmetricCsr::from_pattern(3, vec![0, 3, 4, 5], vec![0, 1, 1, 1, 2]).is_err());
        // Column out of range.
        assert!(SymmetricCsr::from_pattern(2, vec![0, 2, 3], vec![0, 2, 1]).is_err());
        // row_ptr[0] != 0 and row_ptr[n] != nnz.
        assert!(SymmetricCsr::from_pattern(1, vec![1, 1], vec![0]).is_err());
        assert!(SymmetricCsr::from_pattern(1, vec![0, 1], vec![0, 0]).is_err());
        // Decreasing row_ptr.
        assert!(SymmetricCsr::from_pattern(2, vec![0, 2, 1], vec![0, 1]).is_err());
        // Values of the wrong length.
        assert!(matches!(
            SymmetricCsr::from_parts(1, vec![0, 1], vec![0], vec![]),
            Err(SolverError::DimensionMismatch { .. })
        ));
        // Triplet out of range.
        assert!(SymmetricCsr::from_triplets(2, &[(0, 2, 1.0)]).is_err());
        // A valid one, and the empty matrix.
        let a = SymmetricCsr::from_pattern(3, vec![0, 2, 4, 5], vec![0, 1, 1, 2, 2]).unwrap();
        assert_eq!(a.n(), 3);
        assert_eq!(a.nnz_stored(), 5);
        assert!(a.values().iter().all(|&v| v == 0.0));
        let e = SymmetricCsr::from_pattern(0, vec![0], vec![]).unwrap();
        assert_eq!(e.n(), 0);
    }

    #[test]
    fn slots_and_diagonal() {
        let mut a = SymmetricCsr::from_triplets(
            3,
            &[
                (0, 0, 4.0),
                (1, 0, -1.0),
                (1, 1, 4.0),
                (2, 2, 5.0),
                (0, 1, -0.5),
            ],
        )
        .unwrap();
        assert_eq!(a.row_ptr(), &[0, 2, 3, 4]);
        assert_eq!(a.col_idx(), &[0, 1, 1, 2]);
        assert_eq!(a.slot(0, 1), Some(1));
        assert_eq!(a.slot(1, 0), Some(1));
        assert_eq!(a.values()[1], -1.5); // duplicates summed
        assert_eq!(a.slot(0, 2), None);
        assert_eq!(a.slot(2, 3), None);
        assert_eq!(a.slot(7, 7), None);
        assert_eq!(a.diagonal(), vec![4.0, 4.0, 5.0]);
        let s = a.slot(2, 2).unwrap();
        a.values_mut()[s] = 6.0;
        assert_eq!(a.diagonal()[2], 6.0);
        a.fill_zero();
        assert!(a.values().iter().all(|&v| v == 0.0));
    }

    #[test]
    fn spmv_matches_dense_reference_for_any_thread_count() {
        for &(n, per_row) in &[(1usize, 0usize), (7, 2), (300, 4), (2000, 6)] {
            let a = pseudo_random(n, per_row, 0x1234_5678 + n as u64);
            let d = dense(&a);
            let x: Vec<f64> = (0..n).map(|i| ((i * 37 % 11) as f64) - 5.0).collect();
            let reference: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| d[i * n + j] * x[j]).sum())
                .collect();
            for threads in [1, 2, 3, 8] {
                let mut y = vec![f64::NAN; n];
                a.mul_vec_with_threads(&x, &mut y, threads);
                for i in 0..n {
                    approx::assert_relative_eq!(y[i], reference[i], epsilon = 1e-12);
                }
            }
            let mut y = vec![0.0; n];
            a.mul_vec(&x, &mut y);
            for i in 0..n {
                approx::assert_relative_eq!(y[i], reference[i], epsilon = 1e-12);
            }
        }
    }

    #[test]
    fn spmv_plan_reuse_and_more_threads_than_rows() {
        let a = pseudo_random(5, 3, 99);
        let x = vec![1.0, -2.0, 3.0, 0.5, 0.25];
        let mut y1 = vec![0.0; 5];
        a.mul_vec_with_threads(&x, &mut y1, 1);
        let mut plan = SpmvPlan::new(&a, 64);
        assert!(plan.bounds.len() <= 6);
        for _ in 0..3 {
            let mut y = vec![1.0; 5];
            a.mul_vec_planned(&x, &mut y, &mut plan);
            for i in 0..5 {
                approx::assert_relative_eq!(y[i], y1[i], epsilon = 1e-14);
            }
        }
    }

    #[test]
    fn non_finite_and_fingerprint() {
        let mut a = pseudo_random(20, 3, 5);
        assert_eq!(a.first_non_finite(), None);
        let f = a.pattern_fingerprint();
        let s = a.slot(4, 4).unwrap();
        a.values_mut()[s] = f64::NAN;
        let (r, c, _) = a.first_non_finite().unwrap();
        assert_eq!((r, c), (4, 4));
        assert_eq!(a.pattern_fingerprint(), f); // values do not enter the fingerprint
        let b = pseudo_random(20, 3, 6);
        assert_ne!(b.pattern_fingerprint(), f);
    }
}
