//! The periodic node grid of a voxel cell: which nodes carry unknowns, their numbering, the
//! sparsity pattern and the assembly of the fluctuation stiffness.
//!
//! The displacement of a periodic cell under a macroscopic strain Ē is u = Ē·x + w with the
//! fluctuation w periodic. Numbering w on the periodic node grid — node (n, j, k) *is* node
//! (0, j, k) — imposes u(x + L) − u(x) = Ē·L on every pair of opposite face nodes by
//! construction: it is the elimination of those equations done once, in the numbering,
//! rather than a master–slave substitution per pair. One node's w is pinned to zero to
//! remove the rigid translation the periodic field leaves free.

use osteon_solver::SymmetricCsr;

use crate::LatticeError;
use crate::voxel_element::{VoxelElement, corners};

/// Marks a node without unknowns (void all round, or the pinned node).
const NONE: usize = usize::MAX;

/// The periodic grid of an n³ voxel cell with its unknowns.
#[derive(Debug, Clone)]
pub(crate) struct PeriodicGrid {
    n: usize,
    /// Equation (node) number of each grid node, or [`NONE`].
    node_eq: Vec<usize>,
    /// Number of nodes carrying unknowns (3 unknowns each).
    n_nodes: usize,
}

impl PeriodicGrid {
    /// Numbers the nodes of the solid voxels (phase ≠ 0), in grid order, skipping the first
    /// (whose fluctuation is pinned to zero).
    pub fn new(n: usize, phase: &[u8]) -> Result<Self, LatticeError> {
        let mut used = vec![false; n * n * n];
        for (v, &p) in phase.iter().enumerate() {
            if p != 0 {
                for node in voxel_nodes(n, v) {
                    used[node] = true;
                }
            }
        }
        let mut node_eq = vec![NONE; n * n * n];
        let mut next = 0;
        let mut pinned = false;
        for (node, &u) in used.iter().enumerate() {
            if u {
                if pinned {
                    node_eq[node] = next;
                    next += 1;
                } else {
                    pinned = true;
                }
            }
        }
        if !pinned {
            return Err(LatticeError::NoSolid);
        }
        Ok(Self {
            n,
            node_eq,
            n_nodes: next,
        })
    }

    /// Unknowns (3 per numbered node).
    pub fn n_unknowns(&self) -> usize {
        3 * self.n_nodes
    }

    /// The equation numbers of the 8 nodes of voxel `v` ([`usize::MAX`] where none).
    pub fn voxel_equations(&self, v: usize) -> [usize; 8] {
        voxel_nodes(self.n, v).map(|node| self.node_eq[node])
    }

    /// The upper-triangular pattern: node row r couples to the nodes c ≥ r of the solid
    /// voxels around r, each node pair a dense 3 × 3 block.
    pub fn pattern(&self, phase: &[u8]) -> Result<SymmetricCsr, LatticeError> {
        let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); self.n_nodes];
        for (v, &p) in phase.iter().enumerate() {
            if p == 0 {
                continue;
            }
            let eqs = self.voxel_equations(v);
            for &r in eqs.iter().filter(|&&r| r != NONE) {
                for &c in eqs.iter().filter(|&&c| c != NONE && c >= r) {
                    neighbours[r].push(c);
                }
            }
        }
        let mut row_ptr = Vec::with_capacity(3 * self.n_nodes + 1);
        let mut col_idx = Vec::new();
        row_ptr.push(0);
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
            for a in 0..3 {
                // the diagonal block holds columns a..3; the later blocks all three
                for (k, &c) in list.iter().enumerate() {
                    let first = if k == 0 { a } else { 0 };
                    col_idx.extend((first..3).map(|b| 3 * c + b));
                }
                row_ptr.push(col_idx.len());
            }
        }
        Ok(SymmetricCsr::from_pattern(
            3 * self.n_nodes,
            row_ptr,
            col_idx,
        )?)
    }

    /// Adds every solid voxel's stiffness (element `elements[phase − 1]`) into `k`, whose
    /// pattern is [`PeriodicGrid::pattern`].
    pub fn assemble(
        &self,
        phase: &[u8],
        elements: &[VoxelElement],
        k: &mut SymmetricCsr,
    ) -> Result<(), LatticeError> {
        k.fill_zero();
        let mut slots = Vec::with_capacity(24 * 24);
        for (v, &p) in phase.iter().enumerate() {
            if p == 0 {
                continue;
            }
            let ke = &elements[usize::from(p) - 1].ke;
            let eqs = self.voxel_equations(v);
            slots.clear();
            for (a, &r) in eqs.iter().enumerate() {
                for (b, &c) in eqs.iter().enumerate() {
                    if r == NONE || c == NONE || c < r {
                        continue;
                    }
                    for i in 0..3 {
                        for j in 0..3 {
                            let (row, col) = (3 * r + i, 3 * c + j);
                            if col >= row {
                                let slot = k
                                    .slot(row, col)
                                    .ok_or(LatticeError::Internal("pattern lacks a slot"))?;
                                slots.push((slot, ke[(3 * a + i) * 24 + 3 * b + j]));
                            }
                        }
                    }
                }
            }
            let values = k.values_mut();
            for &(slot, value) in &slots {
                values[slot] += value;
            }
        }
        Ok(())
    }
}

/// The 8 grid nodes of voxel `v` (index i + n·(j + n·k)), wrapped periodically, in C3D8
/// order.
pub(crate) fn voxel_nodes(n: usize, v: usize) -> [usize; 8] {
    let (i, j, k) = (v % n, (v / n) % n, v / (n * n));
    corners().map(|c| {
        let (a, b, d) = ((i + c[0]) % n, (j + c[1]) % n, (k + c[2]) % n);
        a + n * (b + n * d)
    })
}
