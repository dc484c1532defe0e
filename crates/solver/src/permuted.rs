//! [`PermutedLower`]: the lower triangle of `P A Pᵀ`, column by column, read from the
//! matrix's own storage for the supernodal kernel, without a permuted copy of its values.
//!
//! faer's numeric factorisation first copies `A` into the elimination order (indices and
//! values: 16 bytes per stored entry, 0.86 GiB at 1.4 M unknowns), and that copy lives beside
//! the factor while it grows. Here a column `j` of the permuted lower triangle is read from
//! two places instead:
//!
//! - the stored row `c = perm[j]` of the upper triangle, every entry `(c, k)` whose column
//!   comes at or after `j` in the elimination order (the diagonal among them): contiguous,
//!   nothing extra is stored for them;
//! - the entries `(r, c)` stored in an earlier row `r < c` that the permutation puts below
//!   `j` (`iperm[r] > j`): a transposed list per column holds their value positions and
//!   permuted rows as `u32` (8 bytes per entry, about half of the off-diagonal entries).

use crate::csr::SymmetricCsr;

/// Read access to the lower triangle of `P A Pᵀ` (`perm[new] = old`) for a matrix `A` stored
/// as its upper triangle.
pub(crate) struct PermutedLower<'a> {
    a: &'a SymmetricCsr,
    perm: &'a [usize],
    iperm: &'a [usize],
    /// Per original column `c`: the range of its transposed entries in `pos` / `row`.
    ptr: Vec<usize>,
    /// Value positions (in `a.values()`) of the transposed entries.
    pos: Vec<u32>,
    /// Their permuted rows `iperm[r]`.
    row: Vec<u32>,
}

impl<'a> PermutedLower<'a> {
    /// The view of `a` in the order `perm` (`perm[new] = old`, `iperm` its inverse), or `None`
    /// when the matrix has too many entries or unknowns for 32-bit positions (more than
    /// 4.29 × 10⁹ stored entries: the caller then uses a permuted copy) or an allocation fails.
    pub(crate) fn new(a: &'a SymmetricCsr, perm: &'a [usize], iperm: &'a [usize]) -> Option<Self> {
        let n = a.n();
        if a.nnz_stored() > u32::MAX as usize || n > u32::MAX as usize {
            return None;
        }
        if perm.len() != n || iperm.len() != n {
            return None;
        }
        let (row_ptr, col_idx) = (a.row_ptr(), a.col_idx());
        let below = |r: usize, c: usize| iperm[r] > iperm[c];
        let mut ptr = crate::memory::try_filled(n + 1, 0usize)?;
        for r in 0..n {
            for &c in &col_idx[row_ptr[r] + 1..row_ptr[r + 1]] {
                if below(r, c) {
                    ptr[c + 1] += 1;
                }
            }
        }
        for c in 0..n {
            ptr[c + 1] += ptr[c];
        }
        let total = ptr[n];
        let mut pos = crate::memory::try_filled(total, 0u32)?;
        let mut row = crate::memory::try_filled(total, 0u32)?;
        let mut fill = crate::memory::try_filled(n, 0usize)?;
        fill.copy_from_slice(&ptr[..n]);
        for r in 0..n {
            let first = row_ptr[r] + 1;
            for (p, &c) in (first..).zip(&col_idx[first..row_ptr[r + 1]]) {
                if below(r, c) {
                    // Both fit: checked against u32::MAX above.
                    pos[fill[c]] = p as u32;
                    row[fill[c]] = iperm[r] as u32;
                    fill[c] += 1;
                }
            }
        }
        Some(Self {
            a,
            perm,
            iperm,
            ptr,
            pos,
            row,
        })
    }

    /// Calls `f(i, value)` for every stored entry of column `j` of the permuted lower
    /// triangle (rows `i ≥ j`, unsorted; each entry once).
    #[inline]
    pub(crate) fn for_each_in_column(&self, j: usize, mut f: impl FnMut(usize, f64)) {
        let c = self.perm[j];
        let (row_ptr, col_idx, values) = (self.a.row_ptr(), self.a.col_idx(), self.a.values());
        for p in row_ptr[c]..row_ptr[c + 1] {
            let i = self.iperm[col_idx[p]];
            if i >= j {
                f(i, values[p]);
            }
        }
        for k in self.ptr[c]..self.ptr[c + 1] {
            f(self.row[k] as usize, values[self.pos[k] as usize]);
        }
    }

    /// Bytes this view allocates beside the matrix, for `nnz_stored` stored entries of an
    /// `n × n` matrix (an upper bound: every off-diagonal entry transposed).
    pub(crate) fn bytes(n: usize, nnz_stored: usize) -> usize {
        (n + 1 + n) * size_of::<usize>() + nnz_stored.saturating_sub(n) * 2 * size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of the view equals the same column of the dense `P A Pᵀ`'s lower
    /// triangle, entry for entry, for a matrix with a full pattern and a scrambling order.
    #[test]
    fn columns_equal_the_permuted_dense_matrix() {
        let n = 7;
        let value =
            |i: usize, j: usize| 1.0 + (i * n + j) as f64 + if i == j { 100.0 } else { 0.0 };
        let mut triplets = Vec::new();
        for i in 0..n {
            for j in i..n {
                // A sparse pattern: skip a few pairs.
                if (i + 2 * j) % 5 != 3 || i == j {
                    triplets.push((i, j, value(i, j)));
                }
            }
        }
        let a = SymmetricCsr::from_triplets(n, &triplets).expect("valid pattern");
        let dense = |r: usize, c: usize| {
            let (lo, hi) = (r.min(c), r.max(c));
            a.slot(lo, hi).map_or(0.0, |p| a.values()[p])
        };
        let perm = [3, 6, 0, 5, 1, 4, 2];
        let mut iperm = [0; 7];
        for (new, &old) in perm.iter().enumerate() {
            iperm[old] = new;
        }
        let view = PermutedLower::new(&a, &perm, &iperm).expect("small matrix");
        for j in 0..n {
            let mut got = vec![None; n];
            view.for_each_in_column(j, |i, v| {
                assert!(i >= j, "row {i} above the diagonal of column {j}");
                assert!(got[i].is_none(), "entry ({i}, {j}) twice");
                got[i] = Some(v);
            });
            for (i, g) in got.iter().enumerate().skip(j) {
                let expected = dense(perm[i], perm[j]);
                match g {
                    Some(v) => assert_eq!(*v, expected, "({i}, {j})"),
                    None => assert_eq!(expected, 0.0, "({i}, {j}) missing"),
                }
            }
        }
        assert!(PermutedLower::new(&a, &perm[..6], &iperm).is_none());
    }
}
