//! The mesh container: nodes, element blocks, named node/element sets and surfaces.
//!
//! Node and element ids from the input are kept as given (they need not be contiguous);
//! internally everything is addressed by 0-based *indices* (`usize`) into the node array and
//! the global element numbering (blocks in order, elements in block order).

use std::collections::{BTreeMap, HashMap};

use crate::error::MeshError;
use crate::reference::ElementType;

/// All elements of one type, stored contiguously.
#[derive(Clone, Debug, PartialEq)]
pub struct ElementBlock {
    /// Element type of every element in the block.
    pub etype: ElementType,
    /// Element ids as given in the input.
    pub ids: Vec<i64>,
    /// Node *indices* (0-based), `etype.n_nodes()` per element, element after element.
    pub connectivity: Vec<usize>,
}

impl ElementBlock {
    /// An empty block of type `etype`.
    pub fn new(etype: ElementType) -> Self {
        Self {
            etype,
            ids: Vec::new(),
            connectivity: Vec::new(),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Node indices of element `i` of this block.
    pub fn nodes(&self, i: usize) -> &[usize] {
        let n = self.etype.n_nodes();
        &self.connectivity[i * n..(i + 1) * n]
    }
}

/// One element face: global element index and 0-based face number (S1 is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaceRef {
    /// Global element index.
    pub element: usize,
    /// 0-based face number (Abaqus S1..S6 → 0..5).
    pub face: u8,
}

/// A named surface: element faces (Abaqus `TYPE=ELEMENT`) or nodes (`TYPE=NODE`).
#[derive(Clone, Debug, PartialEq)]
pub enum Surface {
    /// Element-face surface.
    Faces(Vec<FaceRef>),
    /// Node surface (node indices).
    Nodes(Vec<usize>),
}

/// An element addressed through the mesh: its type, id, global index and node indices.
#[derive(Clone, Copy, Debug)]
pub struct ElementView<'a> {
    /// Global element index.
    pub index: usize,
    /// Element id from the input.
    pub id: i64,
    /// Element type.
    pub etype: ElementType,
    /// Node indices.
    pub nodes: &'a [usize],
}

/// A finite-element mesh (coordinates in mm).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mesh {
    /// Node coordinates (mm), by node index.
    pub coords: Vec<[f64; 3]>,
    /// Node ids, by node index.
    pub node_ids: Vec<i64>,
    /// Element blocks; global element numbering runs through them in order.
    pub blocks: Vec<ElementBlock>,
    /// Named node sets (node indices, sorted, unique).
    pub node_sets: BTreeMap<String, Vec<usize>>,
    /// Named element sets (global element indices, sorted, unique).
    pub element_sets: BTreeMap<String, Vec<usize>>,
    /// Named surfaces.
    pub surfaces: BTreeMap<String, Surface>,
    node_index: HashMap<i64, usize>,
    element_index: HashMap<i64, usize>,
    block_offsets: Vec<usize>,
}

impl Mesh {
    /// An empty mesh.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.coords.len()
    }

    /// Number of elements over all blocks.
    pub fn n_elements(&self) -> usize {
        self.block_offsets.last().copied().unwrap_or(0) + self.blocks.last().map_or(0, |b| b.len())
    }

    /// Add a node with id `id` at `x` (mm); returns its index.
    pub fn add_node(&mut self, id: i64, x: [f64; 3]) -> Result<usize, MeshError> {
        let index = self.coords.len();
        match self.node_index.entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(MeshError::DuplicateNode { id });
            }
            std::collections::hash_map::Entry::Vacant(v) => v.insert(index),
        };
        self.coords.push(x);
        self.node_ids.push(id);
        Ok(index)
    }

    /// Index of node `id`, if defined.
    pub fn node_index(&self, id: i64) -> Option<usize> {
        self.node_index.get(&id).copied()
    }

    /// Global index of element `id`, if defined.
    pub fn element_index(&self, id: i64) -> Option<usize> {
        self.element_index.get(&id).copied()
    }

    /// Add an element given by node *ids*; returns its global index. Elements of one type
    /// are appended to the last block of that type if it is the last block, else a new block
    /// is opened, so the global numbering follows the order of definition.
    pub fn add_element(
        &mut self,
        etype: ElementType,
        id: i64,
        node_ids: &[i64],
    ) -> Result<usize, MeshError> {
        if node_ids.len() != etype.n_nodes() {
            return Err(MeshError::WrongNodeCount {
                element: id,
                etype: etype.abaqus_name(),
                expected: etype.n_nodes(),
                got: node_ids.len(),
            });
        }
        let mut nodes = [0usize; 20];
        for (slot, &nid) in nodes.iter_mut().zip(node_ids) {
            *slot = self.node_index(nid).ok_or(MeshError::UndefinedNode {
                element: id,
                node: nid,
            })?;
        }
        self.push_element(etype, id, &nodes[..node_ids.len()])
    }

    /// Add an element given by node *indices*; returns its global index.
    pub fn push_element(
        &mut self,
        etype: ElementType,
        id: i64,
        nodes: &[usize],
    ) -> Result<usize, MeshError> {
        if nodes.len() != etype.n_nodes() {
            return Err(MeshError::WrongNodeCount {
                element: id,
                etype: etype.abaqus_name(),
                expected: etype.n_nodes(),
                got: nodes.len(),
            });
        }
        if let Some(&bad) = nodes.iter().find(|&&n| n >= self.coords.len()) {
            return Err(MeshError::UndefinedNode {
                element: id,
                node: bad as i64,
            });
        }
        let global = self.n_elements();
        match self.element_index.entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(MeshError::DuplicateElement { id });
            }
            std::collections::hash_map::Entry::Vacant(v) => v.insert(global),
        };
        if self.blocks.last().is_none_or(|b| b.etype != etype) {
            self.block_offsets.push(global);
            self.blocks.push(ElementBlock::new(etype));
        }
        let block = self.blocks.last_mut().expect("a block was just ensured");
        block.ids.push(id);
        block.connectivity.extend_from_slice(nodes);
        Ok(global)
    }

    /// (block, index in block) of global element `e`.
    pub fn locate(&self, e: usize) -> (usize, usize) {
        let b = self.block_offsets.partition_point(|&o| o <= e) - 1;
        (b, e - self.block_offsets[b])
    }

    /// Global index of the first element of block `b`.
    pub fn block_offset(&self, b: usize) -> usize {
        self.block_offsets[b]
    }

    /// View of global element `e`.
    pub fn element(&self, e: usize) -> ElementView<'_> {
        let (b, i) = self.locate(e);
        let block = &self.blocks[b];
        ElementView {
            index: e,
            id: block.ids[i],
            etype: block.etype,
            nodes: block.nodes(i),
        }
    }

    /// Iterate over all elements in global order.
    pub fn elements(&self) -> impl Iterator<Item = ElementView<'_>> + '_ {
        self.blocks.iter().enumerate().flat_map(move |(b, block)| {
            let offset = self.block_offsets[b];
            (0..block.len()).map(move |i| ElementView {
                index: offset + i,
                id: block.ids[i],
                etype: block.etype,
                nodes: block.nodes(i),
            })
        })
    }

    /// Define (or replace) a node set from node indices; sorted and deduplicated.
    pub fn set_node_set(&mut self, name: impl Into<String>, mut nodes: Vec<usize>) {
        nodes.sort_unstable();
        nodes.dedup();
        self.node_sets.insert(name.into(), nodes);
    }

    /// Define (or replace) an element set from global element indices; sorted and deduplicated.
    pub fn set_element_set(&mut self, name: impl Into<String>, mut elements: Vec<usize>) {
        elements.sort_unstable();
        elements.dedup();
        self.element_sets.insert(name.into(), elements);
    }

    /// Node set by name.
    pub fn node_set(&self, name: &str) -> Result<&[usize], MeshError> {
        self.node_sets
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| MeshError::UndefinedSet {
                kind: "node set",
                name: name.to_string(),
            })
    }

    /// Element set by name.
    pub fn element_set(&self, name: &str) -> Result<&[usize], MeshError> {
        self.element_sets
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| MeshError::UndefinedSet {
                kind: "element set",
                name: name.to_string(),
            })
    }

    /// Surface by name.
    pub fn surface(&self, name: &str) -> Result<&Surface, MeshError> {
        self.surfaces
            .get(name)
            .ok_or_else(|| MeshError::UndefinedSet {
                kind: "surface",
                name: name.to_string(),
            })
    }

    /// The element faces of surface `name`: an error if there is no such surface or if it
    /// is a node surface.
    ///
    /// ```
    /// use osteon_mesh::ElementType;
    /// use osteon_mesh::generate::{BoxSpec, box_mesh};
    /// let mesh = box_mesh(&BoxSpec {
    ///     origin: [0.0; 3],
    ///     size: [10.0, 1.0, 1.0],
    ///     cells: [5, 1, 1],
    ///     element: ElementType::Hex8,
    /// })?;
    /// // the end face x = 10 mm is one face of the last brick
    /// assert_eq!(mesh.surface_faces("XMAX")?.len(), 1);
    /// # Ok::<(), osteon_mesh::MeshError>(())
    /// ```
    pub fn surface_faces(&self, name: &str) -> Result<&[FaceRef], MeshError> {
        match self.surface(name)? {
            Surface::Faces(faces) => Ok(faces),
            Surface::Nodes(_) => Err(MeshError::NodeSurface {
                name: name.to_string(),
            }),
        }
    }

    /// Node indices of a surface (face nodes, or the node list), sorted and unique.
    pub fn surface_nodes(&self, surface: &Surface) -> Vec<usize> {
        let mut nodes = match surface {
            Surface::Nodes(n) => n.clone(),
            Surface::Faces(faces) => faces
                .iter()
                .flat_map(|f| {
                    let el = self.element(f.element);
                    el.etype
                        .face_nodes(f.face as usize)
                        .unwrap_or_default()
                        .iter()
                        .map(move |&l| el.nodes[l])
                })
                .collect(),
        };
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// Node indices of a face.
    pub fn face_nodes(&self, face: FaceRef) -> Result<Vec<usize>, MeshError> {
        let el = self.element(face.element);
        let local = el
            .etype
            .face_nodes(face.face as usize)
            .ok_or(MeshError::InvalidFace {
                element: el.id,
                etype: el.etype.abaqus_name(),
                face: face.face as usize + 1,
            })?;
        Ok(local.iter().map(|&l| el.nodes[l]).collect())
    }

    /// Coordinates of element `e`'s nodes, copied into a fixed buffer (first `n_nodes` valid).
    pub fn element_coords(&self, e: usize) -> [[f64; 3]; 20] {
        let el = self.element(e);
        let mut x = [[0.0; 3]; 20];
        for (xa, &n) in x.iter_mut().zip(el.nodes) {
            *xa = self.coords[n];
        }
        x
    }

    /// Axis-aligned bounding box (min, max) in mm; zeros for an empty mesh.
    pub fn bounding_box(&self) -> ([f64; 3], [f64; 3]) {
        if self.coords.is_empty() {
            return ([0.0; 3], [0.0; 3]);
        }
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for x in &self.coords {
            for k in 0..3 {
                lo[k] = lo[k].min(x[k]);
                hi[k] = hi[k].max(x[k]);
            }
        }
        (lo, hi)
    }

    /// Node indices whose coordinates satisfy `pred`.
    pub fn nodes_where(&self, pred: impl Fn([f64; 3]) -> bool) -> Vec<usize> {
        (0..self.n_nodes())
            .filter(|&i| pred(self.coords[i]))
            .collect()
    }

    /// For each node, the sorted list of nodes sharing an element with it (itself included),
    /// as a CSR adjacency (`ptr`, `adj`). This is the node graph of the stiffness pattern.
    pub fn node_adjacency(&self) -> (Vec<usize>, Vec<usize>) {
        let n = self.n_nodes();
        // node → elements
        let mut count = vec![0usize; n + 1];
        for el in self.elements() {
            for &a in el.nodes {
                count[a + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut node_elems = vec![0usize; count[n]];
        for el in self.elements() {
            for &a in el.nodes {
                node_elems[fill[a]] = el.index;
                fill[a] += 1;
            }
        }
        let mut ptr = Vec::with_capacity(n + 1);
        let mut adj = Vec::new();
        ptr.push(0);
        let mut row: Vec<usize> = Vec::new();
        for a in 0..n {
            row.clear();
            row.push(a);
            for &e in &node_elems[count[a]..count[a + 1]] {
                row.extend_from_slice(self.element(e).nodes);
            }
            row.sort_unstable();
            row.dedup();
            adj.extend_from_slice(&row);
            ptr.push(adj.len());
        }
        (ptr, adj)
    }

    /// Total volume of all elements (mm³), by the stiffness quadrature rule.
    pub fn volume(&self) -> f64 {
        self.elements()
            .map(|el| crate::geometry::element_volume(el.etype, &self.element_coords(el.index)))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kept_and_errors_are_clear() {
        let mut m = Mesh::new();
        for (i, x) in [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
        ]
        .iter()
        .enumerate()
        {
            m.add_node(10 + 5 * i as i64, *x).unwrap_or_default();
        }
        assert_eq!(
            m.add_node(10, [0.0; 3]),
            Err(MeshError::DuplicateNode { id: 10 })
        );
        let e = m.add_element(ElementType::Tet4, 7, &[10, 15, 20, 25]);
        assert_eq!(e, Ok(0));
        assert_eq!(
            m.add_element(ElementType::Tet4, 7, &[10, 15, 20, 25]),
            Err(MeshError::DuplicateElement { id: 7 })
        );
        assert_eq!(
            m.add_element(ElementType::Tet4, 8, &[10, 15, 20, 99]),
            Err(MeshError::UndefinedNode {
                element: 8,
                node: 99
            })
        );
        assert!(matches!(
            m.add_element(ElementType::Tet10, 9, &[10, 15, 20, 25]),
            Err(MeshError::WrongNodeCount {
                expected: 10,
                got: 4,
                ..
            })
        ));
        assert_eq!(m.element(0).id, 7);
        assert_eq!(m.element_index(7), Some(0));
        assert!((m.volume() - 1.0 / 6.0).abs() < 1e-15);
        assert!(matches!(
            m.node_set("NOPE"),
            Err(MeshError::UndefinedSet { .. })
        ));
    }
}
