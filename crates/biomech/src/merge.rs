//! Merging coincident nodes of separately generated blocks into one node numbering.
//!
//! Multi-block meshes (an O-grid core and a cortical ring, swept along the bone) are built
//! block by block with [`osteon_mesh::generate::structured_mesh`]; the nodes on shared
//! block faces are generated once per block at (nearly) the same coordinates. A
//! [`NodeMerger`] hands out one index per distinct position: two points closer than the
//! tolerance get the same index. Indices are given in order of first appearance, so the
//! nodes of the blocks merged first form a prefix of the numbering.

use std::collections::HashMap;

/// Spatial hash of merged node positions (mm).
#[derive(Clone, Debug)]
pub struct NodeMerger {
    tolerance: f64,
    cell: f64,
    buckets: HashMap<[i64; 3], Vec<usize>>,
    coords: Vec<[f64; 3]>,
}

impl NodeMerger {
    /// A merger that identifies points closer than `tolerance` (mm, > 0).
    pub fn new(tolerance: f64) -> Self {
        let tolerance = tolerance.abs().max(f64::MIN_POSITIVE);
        Self {
            tolerance,
            cell: 4.0 * tolerance,
            buckets: HashMap::new(),
            coords: Vec::new(),
        }
    }

    fn key(&self, x: [f64; 3]) -> [i64; 3] {
        std::array::from_fn(|k| (x[k] / self.cell).floor() as i64)
    }

    /// Index of an existing point within the tolerance of `x`, if any.
    pub fn find(&self, x: [f64; 3]) -> Option<usize> {
        let key = self.key(x);
        let mut best: Option<(usize, f64)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    let Some(list) = self.buckets.get(&[key[0] + dx, key[1] + dy, key[2] + dz])
                    else {
                        continue;
                    };
                    for &i in list {
                        let p = self.coords[i];
                        let d =
                            ((p[0] - x[0]).powi(2) + (p[1] - x[1]).powi(2) + (p[2] - x[2]).powi(2))
                                .sqrt();
                        if d <= self.tolerance && best.is_none_or(|b| d < b.1) {
                            best = Some((i, d));
                        }
                    }
                }
            }
        }
        best.map(|b| b.0)
    }

    /// The index of `x`: an existing point within the tolerance, or a new one.
    pub fn insert(&mut self, x: [f64; 3]) -> usize {
        if let Some(i) = self.find(x) {
            return i;
        }
        let i = self.coords.len();
        self.coords.push(x);
        let key = self.key(x);
        self.buckets.entry(key).or_default().push(i);
        i
    }

    /// Number of distinct points.
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// True if no point was inserted.
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// The distinct points, by index (mm).
    pub fn coords(&self) -> &[[f64; 3]] {
        &self.coords
    }

    /// Consume the merger, returning the distinct points.
    pub fn into_coords(self) -> Vec<[f64; 3]> {
        self.coords
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coincident_points_merge_and_distinct_points_do_not() {
        let mut m = NodeMerger::new(1e-6);
        let a = m.insert([1.0, 2.0, 3.0]);
        let b = m.insert([4.0, 5.0, 6.0]);
        assert_eq!((a, b), (0, 1));
        // round-off differences across a bucket boundary still merge
        let c = m.insert([1.0 + 3e-7, 2.0 - 4e-7, 3.0]);
        assert_eq!(c, a);
        let cell = 4e-6;
        let near_edge = [cell * 1000.0 - 1e-9, 0.0, 0.0];
        let p = m.insert(near_edge);
        assert_eq!(m.insert([cell * 1000.0 + 1e-9, 0.0, 0.0]), p);
        // just outside the tolerance: a new point
        assert_eq!(m.insert([1.0, 2.0, 3.0 + 2e-6]), 3);
        assert_eq!(m.len(), 4);
        assert_eq!(m.find([4.0, 5.0, 6.0]), Some(1));
        assert_eq!(m.find([9.0, 9.0, 9.0]), None);
    }

    #[test]
    fn two_box_blocks_share_their_common_face() {
        use osteon_mesh::ElementType;
        use osteon_mesh::generate::{BoxSpec, box_mesh};
        let left = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [1.0, 1.0, 1.0],
            cells: [2, 2, 2],
            element: ElementType::Hex20,
        })
        .expect("valid box");
        let right = box_mesh(&BoxSpec {
            origin: [1.0, 0.0, 0.0],
            size: [1.0, 1.0, 1.0],
            cells: [2, 2, 2],
            element: ElementType::Hex20,
        })
        .expect("valid box");
        let mut m = NodeMerger::new(1e-9);
        for x in left.coords.iter().chain(right.coords.iter()) {
            m.insert(*x);
        }
        // the x = 1 face of a 2 × 2 Hex20 block has 21 nodes (5 × 5 lattice minus 4 face centres)
        assert_eq!(m.len(), left.n_nodes() + right.n_nodes() - 21);
        // and the merged mesh equals the single 2 × 1 × 1 box
        let whole = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [2.0, 1.0, 1.0],
            cells: [4, 2, 2],
            element: ElementType::Hex20,
        })
        .expect("valid box");
        assert_eq!(m.len(), whole.n_nodes());
    }
}
