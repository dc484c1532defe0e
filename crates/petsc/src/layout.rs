//! The model's nodes split among the processes and numbered so that each process owns a
//! contiguous range of matrix rows, three per node (x, y, z).

use std::ops::Range;

use osteon_mesh::Mesh;

use crate::error::PetscError;

/// Which process owns which node, and the global matrix row of every raw DOF.
///
/// Nodes are split by METIS k-way on the node graph (nodes joined when they share an
/// element): parts of nearly equal size with few nodes on their borders, so little of the
/// matrix is exchanged. Every process computes the same split from the same mesh (METIS's
/// fixed seed). Part `p`'s nodes get the positions `starts[p]..starts[p + 1]` in their
/// original order, and raw DOF `3·node + c` is global row `3·position(node) + c`. An element
/// belongs to the process that owns its first node; that process assembles it.
#[derive(Clone, Debug)]
pub struct Layout {
    rank: usize,
    position: Vec<usize>,
    node_at: Vec<usize>,
    starts: Vec<usize>,
}

impl Layout {
    /// The layout of `mesh` over `ranks` processes, seen from process `rank`.
    ///
    /// # Errors
    /// [`PetscError::Invalid`] for `rank >= ranks` or a METIS failure.
    pub fn new(mesh: &Mesh, ranks: usize, rank: usize) -> Result<Self, PetscError> {
        if ranks == 0 || rank >= ranks {
            return Err(PetscError::Invalid(format!(
                "rank {rank} of {ranks} processes"
            )));
        }
        let n = mesh.n_nodes();
        let part = if ranks == 1 {
            vec![0; n]
        } else {
            let (xadj, adjncy) = node_graph(mesh);
            osteon_solver::metis_partition(&xadj, &adjncy, ranks)
                .map_err(|e| PetscError::Invalid(format!("partitioning the mesh: {e}")))?
        };
        let mut starts = vec![0usize; ranks + 1];
        for &p in &part {
            starts[p + 1] += 1;
        }
        for p in 0..ranks {
            starts[p + 1] += starts[p];
        }
        let mut fill = starts.clone();
        let mut position = vec![0usize; n];
        let mut node_at = vec![0usize; n];
        for (node, &p) in part.iter().enumerate() {
            position[node] = fill[p];
            node_at[fill[p]] = node;
            fill[p] += 1;
        }
        Ok(Self {
            rank,
            position,
            node_at,
            starts,
        })
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of processes.
    pub fn ranks(&self) -> usize {
        self.starts.len() - 1
    }

    /// The node positions this process owns (its rows are three times these).
    pub fn owned(&self) -> Range<usize> {
        self.starts[self.rank]..self.starts[self.rank + 1]
    }

    /// The node positions process `rank` owns.
    pub fn owned_by(&self, rank: usize) -> Range<usize> {
        self.starts[rank]..self.starts[rank + 1]
    }

    /// Position of `node` in the global numbering.
    pub fn position(&self, node: usize) -> usize {
        self.position[node]
    }

    /// The node at global position `pos`.
    pub fn node_at(&self, pos: usize) -> usize {
        self.node_at[pos]
    }

    /// The process that owns `node`.
    pub fn owner(&self, node: usize) -> usize {
        let pos = self.position[node];
        // the last start ≤ pos (parts may be empty: skip equal starts)
        self.starts.partition_point(|&s| s <= pos) - 1
    }

    /// Global row of raw DOF `3·node + c`.
    pub fn row(&self, raw: usize) -> usize {
        3 * self.position[raw / 3] + raw % 3
    }

    /// The process that assembles element `e`: the owner of its first node.
    pub fn element_owner(&self, mesh: &Mesh, e: usize) -> usize {
        self.owner(mesh.element(e).nodes[0])
    }
}

/// The node graph of `mesh` (nodes joined when they share an element), as METIS adjacency.
fn node_graph(mesh: &Mesh) -> (Vec<usize>, Vec<usize>) {
    let n = mesh.n_nodes();
    let mut inc_ptr = vec![0usize; n + 1];
    for el in mesh.elements() {
        for &a in el.nodes {
            inc_ptr[a + 1] += 1;
        }
    }
    for a in 0..n {
        inc_ptr[a + 1] += inc_ptr[a];
    }
    let mut inc = vec![0usize; inc_ptr[n]];
    let mut fill = inc_ptr.clone();
    for (e, el) in mesh.elements().enumerate() {
        for &a in el.nodes {
            inc[fill[a]] = e;
            fill[a] += 1;
        }
    }
    let mut marker = vec![usize::MAX; n];
    let mut xadj = Vec::with_capacity(n + 1);
    let mut adjncy = Vec::new();
    xadj.push(0);
    for a in 0..n {
        marker[a] = a;
        for &e in &inc[inc_ptr[a]..inc_ptr[a + 1]] {
            for &b in mesh.element(e).nodes {
                if marker[b] != a {
                    marker[b] = a;
                    adjncy.push(b);
                }
            }
        }
        xadj.push(adjncy.len());
    }
    (xadj, adjncy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_mesh::ElementType;
    use osteon_mesh::generate::{BoxSpec, box_mesh};

    #[test]
    fn every_row_belongs_to_exactly_one_process() {
        let mesh = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [4.0, 2.0, 2.0],
            cells: [8, 3, 3],
            element: ElementType::Tet10,
        })
        .unwrap();
        let n = mesh.n_nodes();
        for ranks in [1, 2, 3] {
            let layouts: Vec<Layout> = (0..ranks)
                .map(|r| Layout::new(&mesh, ranks, r).unwrap())
                .collect();
            // the same split on every process
            for l in &layouts[1..] {
                assert_eq!(l.position, layouts[0].position);
            }
            let l = &layouts[0];
            let mut rows: Vec<usize> = (0..3 * n).map(|r| l.row(r)).collect();
            rows.sort_unstable();
            assert_eq!(rows, (0..3 * n).collect::<Vec<_>>());
            let mut owned = 0;
            for r in 0..ranks {
                let range = l.owned_by(r);
                owned += range.len();
                for pos in range {
                    assert_eq!(l.owner(l.node_at(pos)), r);
                }
            }
            assert_eq!(owned, n);
            if ranks > 1 {
                // balanced within METIS's 3 % (plus a node)
                for r in 0..ranks {
                    let size = l.owned_by(r).len() as f64;
                    assert!(size <= 1.03 * n as f64 / ranks as f64 + 1.0);
                }
            }
        }
    }
}
