//! Gmsh element types: node counts and dimensions (needed to parse element records), and the
//! node permutations from Gmsh's to Abaqus's numbering of the volume elements osteon supports.

use osteon_mesh::ElementType;

/// What the reader needs to know about a Gmsh element type.
#[derive(Clone, Copy, Debug)]
pub(super) struct GmshType {
    /// Gmsh type code (`elm-type`).
    pub code: u16,
    /// A human name for messages.
    pub name: &'static str,
    /// Topological dimension (0 point, 1 curve, 2 surface, 3 volume).
    pub dim: u8,
    /// Nodes per element.
    pub n_nodes: usize,
    /// Corner (vertex) nodes; they come first.
    pub n_corners: usize,
}

const fn t(code: u16, name: &'static str, dim: u8, n_nodes: usize, n_corners: usize) -> GmshType {
    GmshType {
        code,
        name,
        dim,
        n_nodes,
        n_corners,
    }
}

/// The Gmsh element types this reader can parse (Gmsh manual, "MSH file format").
const TYPES: [GmshType; 35] = [
    t(1, "2-node line", 1, 2, 2),
    t(2, "3-node triangle", 2, 3, 3),
    t(3, "4-node quadrangle", 2, 4, 4),
    t(4, "4-node tetrahedron", 3, 4, 4),
    t(5, "8-node hexahedron", 3, 8, 8),
    t(6, "6-node prism", 3, 6, 6),
    t(7, "5-node pyramid", 3, 5, 5),
    t(8, "3-node line", 1, 3, 2),
    t(9, "6-node triangle", 2, 6, 3),
    t(10, "9-node quadrangle", 2, 9, 4),
    t(11, "10-node tetrahedron", 3, 10, 4),
    t(12, "27-node hexahedron", 3, 27, 8),
    t(13, "18-node prism", 3, 18, 6),
    t(14, "14-node pyramid", 3, 14, 5),
    t(15, "1-node point", 0, 1, 1),
    t(16, "8-node quadrangle", 2, 8, 4),
    t(17, "20-node hexahedron", 3, 20, 8),
    t(18, "15-node prism", 3, 15, 6),
    t(19, "13-node pyramid", 3, 13, 5),
    t(20, "9-node triangle", 2, 9, 3),
    t(21, "10-node triangle", 2, 10, 3),
    t(22, "12-node triangle", 2, 12, 3),
    t(23, "15-node triangle", 2, 15, 3),
    t(24, "15-node incomplete triangle", 2, 15, 3),
    t(25, "21-node triangle", 2, 21, 3),
    t(26, "4-node line", 1, 4, 2),
    t(27, "5-node line", 1, 5, 2),
    t(28, "6-node line", 1, 6, 2),
    t(29, "20-node tetrahedron", 3, 20, 4),
    t(30, "35-node tetrahedron", 3, 35, 4),
    t(31, "56-node tetrahedron", 3, 56, 4),
    t(36, "16-node quadrangle", 2, 16, 4),
    t(37, "25-node quadrangle", 2, 25, 4),
    t(92, "64-node hexahedron", 3, 64, 8),
    t(93, "125-node hexahedron", 3, 125, 8),
];

/// The type with Gmsh code `code`, if the reader knows it.
pub(super) fn gmsh_type(code: i64) -> Option<&'static GmshType> {
    TYPES.iter().find(|t| i64::from(t.code) == code)
}

/// The osteon element a Gmsh volume type becomes, if supported.
pub(super) fn volume_element(code: u16) -> Option<ElementType> {
    match code {
        4 => Some(ElementType::Tet4),
        11 => Some(ElementType::Tet10),
        5 => Some(ElementType::Hex8),
        17 => Some(ElementType::Hex20),
        _ => None,
    }
}

/// Node `i` of the C3D10 element is node `GMSH_TO_ABAQUS_TET10[i]` of the Gmsh 10-node
/// tetrahedron (type 11). Corners agree; Gmsh's mid-edge nodes sit on the edges
/// 0-1, 1-2, 2-0, 0-3, 2-3, 1-3, Abaqus's on 0-1, 1-2, 2-0, 0-3, 1-3, 2-3.
pub const GMSH_TO_ABAQUS_TET10: [usize; 10] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 8];

/// Node `i` of the C3D20 element is node `GMSH_TO_ABAQUS_HEX20[i]` of the Gmsh 20-node
/// hexahedron (type 17). Corners agree; Gmsh's mid-edge nodes sit on the edges
/// (0,1), (0,3), (0,4), (1,2), (1,5), (2,3), (2,6), (3,7), (4,5), (4,7), (5,6), (6,7),
/// Abaqus's on (0,1), (1,2), (2,3), (3,0), (4,5), (5,6), (6,7), (7,4), (0,4), (1,5), (2,6), (3,7).
pub const GMSH_TO_ABAQUS_HEX20: [usize; 20] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 9, 16, 18, 19, 17, 10, 12, 14, 15,
];

/// Gmsh's mid-edge node edges, by element (tests derive the permutations from these).
#[cfg(test)]
const GMSH_TET10_EDGES: [(usize, usize); 6] = [(0, 1), (1, 2), (2, 0), (0, 3), (2, 3), (1, 3)];
#[cfg(test)]
const GMSH_HEX20_EDGES: [(usize, usize); 12] = [
    (0, 1),
    (0, 3),
    (0, 4),
    (1, 2),
    (1, 5),
    (2, 3),
    (2, 6),
    (3, 7),
    (4, 5),
    (4, 7),
    (5, 6),
    (6, 7),
];

/// Reorder the node tags of a Gmsh volume element (in Gmsh order) into Abaqus order.
pub(super) fn to_abaqus_order<T: Copy>(etype: ElementType, gmsh: &[T], out: &mut Vec<T>) {
    out.clear();
    match etype {
        ElementType::Tet10 => out.extend(GMSH_TO_ABAQUS_TET10.iter().map(|&g| gmsh[g])),
        ElementType::Hex20 | ElementType::Hex20R => {
            out.extend(GMSH_TO_ABAQUS_HEX20.iter().map(|&g| gmsh[g]))
        }
        ElementType::Tet4 | ElementType::Hex8 => out.extend_from_slice(gmsh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The permutation that puts the node on each Abaqus edge where Gmsh has it.
    fn derive(
        corners: usize,
        gmsh_edges: &[(usize, usize)],
        abaqus_edges: &[(usize, usize)],
    ) -> Vec<usize> {
        let same = |a: (usize, usize), b: (usize, usize)| a == b || a == (b.1, b.0);
        (0..corners)
            .chain(abaqus_edges.iter().map(|&e| {
                corners
                    + gmsh_edges
                        .iter()
                        .position(|&g| same(g, e))
                        .expect("every Abaqus edge is a Gmsh edge")
            }))
            .collect()
    }

    #[test]
    fn permutations_follow_from_the_edge_lists() {
        // Abaqus edge lists, read off the natural node coordinates of osteon-mesh.
        let edges_of = |t: ElementType| -> Vec<(usize, usize)> {
            let x = t.node_coords();
            (t.n_corners()..t.n_nodes())
                .map(|m| {
                    let mut pair = None;
                    for a in 0..t.n_corners() {
                        for b in a + 1..t.n_corners() {
                            if (0..3).all(|k| (0.5 * (x[a][k] + x[b][k]) - x[m][k]).abs() < 1e-12) {
                                pair = Some((a, b));
                            }
                        }
                    }
                    pair.expect("a mid-edge node")
                })
                .collect()
        };
        assert_eq!(
            derive(4, &GMSH_TET10_EDGES, &edges_of(ElementType::Tet10)),
            GMSH_TO_ABAQUS_TET10.to_vec()
        );
        assert_eq!(
            derive(8, &GMSH_HEX20_EDGES, &edges_of(ElementType::Hex20)),
            GMSH_TO_ABAQUS_HEX20.to_vec()
        );
    }

    #[test]
    fn type_table_is_consistent() {
        for t in TYPES {
            assert!(t.n_corners <= t.n_nodes && t.dim <= 3, "{}", t.name);
            assert_eq!(gmsh_type(i64::from(t.code)).map(|x| x.code), Some(t.code));
        }
        for code in [4u16, 5, 11, 17] {
            let e = volume_element(code).expect("supported");
            assert_eq!(
                gmsh_type(i64::from(code)).map(|t| t.n_nodes),
                Some(e.n_nodes())
            );
        }
    }
}
