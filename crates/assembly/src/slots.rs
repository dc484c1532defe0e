//! The element → matrix-slot map: where each entry of an element's reduced stiffness lands
//! in the values of the assembled matrix, found once, so that a refill of the same pattern
//! (other materials, a design variant, the same model re-solved) costs the element kernels
//! plus a scatter, without merging each element's unknowns with the matrix rows again.
//!
//! The first assembly into a pattern finds the slots by merging (as
//! [`crate::assemble_stiffness`] does); the map is worth its memory — one `u32` per entry of
//! the upper triangle of every element block, 1.9 KB per Tet10 and 7.3 KB per Hex20 element —
//! only when the same pattern is filled more than once. [`crate::ConstrainedSystem`] builds it
//! at its second assembly.

use rayon::prelude::*;

use osteon_solver::SymmetricCsr;

use crate::error::AssemblyError;
use crate::pattern::SparsityPattern;

/// For every element, the value index in the matrix of each upper-triangle entry `(a, b)`,
/// `a ≤ b`, of its reduced stiffness, row by row (`a` = 0: `b` = 0 … k − 1; then `a` = 1 …),
/// where `k` is the number of its unknowns ([`SparsityPattern::unknowns`]).
#[derive(Clone, Debug)]
pub struct ElementSlots {
    /// Offsets into `slots`, one range per element.
    ptr: Vec<usize>,
    /// Value indices (u32: a matrix with 2³² stored entries would need 64 GiB for its values
    /// and column indices).
    slots: Vec<u32>,
}

impl ElementSlots {
    /// Find the slots of every element of `pattern` in `matrix` (elements in parallel).
    ///
    /// # Errors
    /// [`AssemblyError::PatternMismatch`] when `matrix` has another size than `pattern`, lacks
    /// an entry one of its elements couples, or stores 2³² entries or more.
    pub fn build(pattern: &SparsityPattern, matrix: &SymmetricCsr) -> Result<Self, AssemblyError> {
        if matrix.n() != pattern.n_free() {
            return Err(AssemblyError::PatternMismatch {
                detail: format!(
                    "the pattern has {} unknowns, the matrix {} rows",
                    pattern.n_free(),
                    matrix.n()
                ),
            });
        }
        if u32::try_from(matrix.nnz_stored()).is_err() {
            return Err(AssemblyError::PatternMismatch {
                detail: format!(
                    "{} stored entries do not fit the slot map's 32-bit indices",
                    matrix.nnz_stored()
                ),
            });
        }
        let (row_ptr, col_idx) = (matrix.row_ptr(), matrix.col_idx());
        let per_element: Vec<Vec<u32>> = (0..pattern.n_elements())
            .into_par_iter()
            .map(|e| {
                let unknowns = pattern.unknowns(e);
                let k = unknowns.len();
                let mut out = Vec::with_capacity(k * (k + 1) / 2);
                for (ia, &row) in unknowns.iter().enumerate() {
                    let start = row_ptr[row];
                    let cols = &col_idx[start..row_ptr[row + 1]];
                    let mut pos = 0;
                    for &col in &unknowns[ia..] {
                        while pos < cols.len() && cols[pos] < col {
                            pos += 1;
                        }
                        if pos == cols.len() || cols[pos] != col {
                            return Err(AssemblyError::PatternMismatch {
                                detail: format!("no slot ({row}, {col}) in the matrix"),
                            });
                        }
                        // fits: start + pos < nnz_stored ≤ u32::MAX (checked above)
                        out.push((start + pos) as u32);
                    }
                }
                Ok(out)
            })
            .collect::<Result<_, _>>()?;
        let mut ptr = Vec::with_capacity(per_element.len() + 1);
        ptr.push(0);
        for s in &per_element {
            ptr.push(ptr.last().copied().unwrap_or(0) + s.len());
        }
        let slots = per_element.concat();
        Ok(Self { ptr, slots })
    }

    /// The slots of element `e`, `k (k + 1) / 2` of them in the order described on the type.
    ///
    /// # Panics
    /// When `e` is not an element of the pattern the map was built for.
    pub fn element(&self, e: usize) -> &[u32] {
        &self.slots[self.ptr[e]..self.ptr[e + 1]]
    }

    /// Number of elements.
    pub fn n_elements(&self) -> usize {
        self.ptr.len() - 1
    }

    /// Memory held by the map (bytes).
    pub fn bytes(&self) -> usize {
        4 * self.slots.len() + std::mem::size_of::<usize>() * self.ptr.len()
    }
}
