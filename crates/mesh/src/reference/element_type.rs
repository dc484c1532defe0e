//! The supported volume element types and everything that is fixed per type: node count,
//! natural node coordinates, shape functions, the stiffness quadrature rule and the faces.

use std::sync::OnceLock;

use super::face::FaceType;
use super::quadrature::{QuadratureRule, hex_gauss, tet_1point, tet_4point, tet_collapsed};
use super::shape::{self, HEX_CORNERS, HEX_MIDS, ShapeValues};

/// A solid element type, named by what it is; `abaqus_name` gives the deck name.
///
/// | type | Abaqus | nodes | stiffness rule |
/// |---|---|---|---|
/// | `Tet4` | C3D4 | 4 | 1 point |
/// | `Tet10` | C3D10 | 10 | 4 points |
/// | `Hex8` | C3D8 | 8 | 2×2×2 Gauss (full) |
/// | `Hex20` | C3D20 | 20 | 3×3×3 Gauss (full) |
/// | `Hex20R` | C3D20R | 20 | 2×2×2 Gauss (reduced) |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementType {
    /// Linear tetrahedron (C3D4).
    Tet4,
    /// Quadratic tetrahedron (C3D10).
    Tet10,
    /// Trilinear brick, full integration (C3D8).
    Hex8,
    /// Quadratic serendipity brick, full 3×3×3 integration (C3D20).
    Hex20,
    /// Quadratic serendipity brick, reduced 2×2×2 integration (C3D20R).
    Hex20R,
}

/// Tetrahedron faces S1..S4 as 0-based local node lists (corners, then mid-edge nodes).
const TET10_FACES: [&[usize]; 4] = [
    &[0, 1, 2, 4, 5, 6],
    &[0, 3, 1, 7, 8, 4],
    &[1, 3, 2, 8, 9, 5],
    &[2, 3, 0, 9, 7, 6],
];
/// Hexahedron faces S1..S6 as 0-based local node lists (corners, then mid-edge nodes).
const HEX20_FACES: [&[usize]; 6] = [
    &[0, 1, 2, 3, 8, 9, 10, 11],
    &[4, 7, 6, 5, 15, 14, 13, 12],
    &[0, 4, 5, 1, 16, 12, 17, 8],
    &[1, 5, 6, 2, 17, 13, 18, 9],
    &[2, 6, 7, 3, 18, 14, 19, 10],
    &[3, 7, 4, 0, 19, 15, 16, 11],
];

impl ElementType {
    /// All supported types.
    pub const ALL: [ElementType; 5] = [
        ElementType::Tet4,
        ElementType::Tet10,
        ElementType::Hex8,
        ElementType::Hex20,
        ElementType::Hex20R,
    ];

    /// Parse an Abaqus/CalculiX element type name (case-insensitive).
    pub fn from_abaqus(name: &str) -> Option<ElementType> {
        match name.trim().to_ascii_uppercase().as_str() {
            "C3D4" => Some(ElementType::Tet4),
            "C3D10" => Some(ElementType::Tet10),
            "C3D8" => Some(ElementType::Hex8),
            "C3D20" => Some(ElementType::Hex20),
            "C3D20R" => Some(ElementType::Hex20R),
            _ => None,
        }
    }

    /// The Abaqus/CalculiX name.
    pub fn abaqus_name(self) -> &'static str {
        match self {
            ElementType::Tet4 => "C3D4",
            ElementType::Tet10 => "C3D10",
            ElementType::Hex8 => "C3D8",
            ElementType::Hex20 => "C3D20",
            ElementType::Hex20R => "C3D20R",
        }
    }

    /// Number of nodes.
    pub fn n_nodes(self) -> usize {
        match self {
            ElementType::Tet4 => 4,
            ElementType::Tet10 => 10,
            ElementType::Hex8 => 8,
            ElementType::Hex20 | ElementType::Hex20R => 20,
        }
    }

    /// Number of corner (vertex) nodes; they come first in the connectivity.
    pub fn n_corners(self) -> usize {
        if self.is_tet() { 4 } else { 8 }
    }

    /// True for tetrahedra.
    pub fn is_tet(self) -> bool {
        matches!(self, ElementType::Tet4 | ElementType::Tet10)
    }

    /// True for quadratic (mid-edge node) elements.
    pub fn is_quadratic(self) -> bool {
        matches!(
            self,
            ElementType::Tet10 | ElementType::Hex20 | ElementType::Hex20R
        )
    }

    /// The mid-edge nodes of a quadratic element with the corners of their edge,
    /// `(node, [corner, corner])` in local numbering (empty for linear elements): the node
    /// at the midpoint of the two corners in natural coordinates.
    pub fn mid_edge_nodes(self) -> Vec<(usize, [usize; 2])> {
        let x = self.node_coords();
        let nc = self.n_corners();
        (nc..self.n_nodes())
            .filter_map(|m| {
                (0..nc)
                    .flat_map(|a| (a + 1..nc).map(move |b| (a, b)))
                    .find_map(|(a, b)| {
                        let mid =
                            (0..3).all(|k| (0.5 * (x[a][k] + x[b][k]) - x[m][k]).abs() < 1e-12);
                        mid.then_some((m, [a, b]))
                    })
            })
            .collect()
    }

    /// Polynomial degree of the complete interpolation (1 or 2).
    pub fn degree(self) -> usize {
        if self.is_quadratic() { 2 } else { 1 }
    }

    /// Volume of the natural domain (1/6 for tetrahedra, 8 for hexahedra).
    pub fn reference_volume(self) -> f64 {
        if self.is_tet() { 1.0 / 6.0 } else { 8.0 }
    }

    /// Natural coordinates of the nodes, in node order.
    pub fn node_coords(self) -> &'static [[f64; 3]] {
        static TET10: [[f64; 3]; 10] = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.5, 0.0, 0.0],
            [0.5, 0.5, 0.0],
            [0.0, 0.5, 0.0],
            [0.0, 0.0, 0.5],
            [0.5, 0.0, 0.5],
            [0.0, 0.5, 0.5],
        ];
        static HEX20: OnceLock<[[f64; 3]; 20]> = OnceLock::new();
        match self {
            ElementType::Tet4 => &TET10[..4],
            ElementType::Tet10 => &TET10,
            ElementType::Hex8 => &HEX_CORNERS,
            ElementType::Hex20 | ElementType::Hex20R => HEX20.get_or_init(|| {
                let mut c = [[0.0; 3]; 20];
                c[..8].copy_from_slice(&HEX_CORNERS);
                c[8..].copy_from_slice(&HEX_MIDS);
                c
            }),
        }
    }

    /// Natural coordinates of the centroid.
    pub fn centroid(self) -> [f64; 3] {
        if self.is_tet() { [0.25; 3] } else { [0.0; 3] }
    }

    /// Shape functions and natural derivatives at natural point `xi`.
    pub fn shape(self, xi: [f64; 3]) -> ShapeValues {
        match self {
            ElementType::Tet4 => shape::tet4(xi),
            ElementType::Tet10 => shape::tet10(xi),
            ElementType::Hex8 => shape::hex8(xi),
            ElementType::Hex20 | ElementType::Hex20R => shape::hex20(xi),
        }
    }

    /// The quadrature rule used for the stiffness matrix (see the table on the type).
    pub fn stiffness_rule(self) -> &'static QuadratureRule {
        static RULES: OnceLock<[QuadratureRule; 5]> = OnceLock::new();
        let rules = RULES.get_or_init(|| {
            [
                tet_1point(),
                tet_4point(),
                hex_gauss(2),
                hex_gauss(3),
                hex_gauss(2),
            ]
        });
        &rules[self.index()]
    }

    /// A rule accurate enough for error norms and body loads of smooth fields on a
    /// (possibly curved) element: collapsed Gauss 5³ on tetrahedra, 4³ Gauss on hexahedra.
    pub fn accurate_rule(self) -> &'static QuadratureRule {
        static RULES: OnceLock<[QuadratureRule; 2]> = OnceLock::new();
        let rules = RULES.get_or_init(|| [tet_collapsed(5), hex_gauss(4)]);
        if self.is_tet() { &rules[0] } else { &rules[1] }
    }

    /// Shape functions evaluated at every point of the stiffness rule (cached).
    pub fn stiffness_shapes(self) -> &'static [ShapeValues] {
        static SHAPES: OnceLock<[Vec<ShapeValues>; 5]> = OnceLock::new();
        let all = SHAPES.get_or_init(|| {
            ElementType::ALL.map(|t| {
                t.stiffness_rule()
                    .points
                    .iter()
                    .map(|&p| t.shape(p))
                    .collect()
            })
        });
        &all[self.index()]
    }

    /// Number of faces (4 or 6).
    pub fn n_faces(self) -> usize {
        if self.is_tet() { 4 } else { 6 }
    }

    /// Type of the faces.
    pub fn face_type(self) -> FaceType {
        match self {
            ElementType::Tet4 => FaceType::Tri3,
            ElementType::Tet10 => FaceType::Tri6,
            ElementType::Hex8 => FaceType::Quad4,
            ElementType::Hex20 | ElementType::Hex20R => FaceType::Quad8,
        }
    }

    /// Local (0-based) node indices of face `face` (0-based: S1 is 0), in face-node order.
    /// Returns `None` if the element has no such face.
    pub fn face_nodes(self, face: usize) -> Option<&'static [usize]> {
        let nodes: &'static [usize] = if self.is_tet() {
            TET10_FACES.get(face)?
        } else {
            HEX20_FACES.get(face)?
        };
        let n = self.face_type().n_nodes();
        Some(&nodes[..n])
    }

    /// Map a face natural point (s, t) to the element natural point on face `face`.
    /// Returns `None` if the element has no such face.
    pub fn face_to_element(self, face: usize, st: [f64; 2]) -> Option<[f64; 3]> {
        let ft = self.face_type();
        let nodes = self.face_nodes(face)?;
        let coords = self.node_coords();
        let linear = if ft.is_triangle() {
            FaceType::Tri3
        } else {
            FaceType::Quad4
        }
        .shape(st);
        let mut xi = [0.0; 3];
        for (a, &node) in nodes.iter().enumerate().take(ft.n_corners()) {
            // Corner interpolation is exact because every face is flat in natural space.
            let w = linear.n[a];
            for k in 0..3 {
                xi[k] += w * coords[node][k];
            }
        }
        Some(xi)
    }

    fn index(self) -> usize {
        match self {
            ElementType::Tet4 => 0,
            ElementType::Tet10 => 1,
            ElementType::Hex8 => 2,
            ElementType::Hex20 => 3,
            ElementType::Hex20R => 4,
        }
    }
}

impl std::fmt::Display for ElementType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.abaqus_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mid_edge_nodes_sit_on_the_edges_of_their_corners() {
        assert_eq!(
            ElementType::Tet10.mid_edge_nodes(),
            vec![
                (4, [0, 1]),
                (5, [1, 2]),
                (6, [0, 2]),
                (7, [0, 3]),
                (8, [1, 3]),
                (9, [2, 3])
            ]
        );
        assert!(ElementType::Tet4.mid_edge_nodes().is_empty());
        assert!(ElementType::Hex8.mid_edge_nodes().is_empty());
        for t in [ElementType::Hex20, ElementType::Hex20R] {
            let edges = t.mid_edge_nodes();
            assert_eq!(edges.len(), 12);
            let x = t.node_coords();
            for (m, [a, b]) in edges {
                // a cube edge: the corners differ in exactly one natural coordinate
                let differ = (0..3).filter(|&k| x[a][k] != x[b][k]).count();
                assert_eq!(differ, 1, "node {m} between {a} and {b}");
            }
        }
    }

    #[test]
    fn shape_functions_are_nodal_partition_of_unity_and_match_finite_differences() {
        for t in ElementType::ALL {
            let nodes = t.node_coords();
            assert_eq!(nodes.len(), t.n_nodes());
            for (a, &x) in nodes.iter().enumerate() {
                let s = t.shape(x);
                for b in 0..t.n_nodes() {
                    let e = if a == b { 1.0 } else { 0.0 };
                    assert!((s.n[b] - e).abs() < 1e-14, "{t} N{b}({a})");
                }
            }
            let p = if t.is_tet() {
                [0.17, 0.23, 0.31]
            } else {
                [0.3, -0.45, 0.6]
            };
            let s = t.shape(p);
            let sum: f64 = s.values().iter().sum();
            let dsum: [f64; 3] =
                std::array::from_fn(|k| s.derivatives().iter().map(|d| d[k]).sum());
            assert!((sum - 1.0).abs() < 1e-14);
            assert!(dsum.iter().all(|v| v.abs() < 1e-13));
            // completeness: Σ N_a x_a = x for a linear field in natural coordinates
            for k in 0..3 {
                let x: f64 = (0..t.n_nodes()).map(|a| s.n[a] * nodes[a][k]).sum();
                assert!((x - p[k]).abs() < 1e-14);
            }
            let h = 1e-6;
            for k in 0..3 {
                let (mut pp, mut pm) = (p, p);
                pp[k] += h;
                pm[k] -= h;
                let (sp, sm) = (t.shape(pp), t.shape(pm));
                for a in 0..t.n_nodes() {
                    let fd = (sp.n[a] - sm.n[a]) / (2.0 * h);
                    assert!(
                        (fd - s.dn[a][k]).abs() < 1e-8,
                        "{t} dN{a}/dxi{k}: {fd} vs {}",
                        s.dn[a][k]
                    );
                }
            }
        }
    }

    #[test]
    fn quadratic_elements_reproduce_quadratic_fields() {
        // Σ N_a f(x_a) = f(x) for f = ξη + ζ² − ξ (complete quadratic) on Tet10; for Hex20 use
        // a serendipity-representable field ξη + ζ² + ξηζ.
        for t in [ElementType::Tet10, ElementType::Hex20] {
            let f = |x: [f64; 3]| {
                if t.is_tet() {
                    x[0] * x[1] + x[2] * x[2] - x[0]
                } else {
                    x[0] * x[1] + x[2] * x[2] + x[0] * x[1] * x[2]
                }
            };
            let p = if t.is_tet() {
                [0.2, 0.3, 0.1]
            } else {
                [0.4, -0.7, 0.2]
            };
            let s = t.shape(p);
            let v: f64 = t
                .node_coords()
                .iter()
                .enumerate()
                .map(|(a, &x)| s.n[a] * f(x))
                .sum();
            assert!((v - f(p)).abs() < 1e-14);
        }
    }

    #[test]
    fn faces_lie_on_the_natural_boundary() {
        for t in ElementType::ALL {
            let coords = t.node_coords();
            for face in 0..t.n_faces() {
                let nodes = t.face_nodes(face).unwrap_or_default();
                assert_eq!(nodes.len(), t.face_type().n_nodes());
                // each face node sits where the face map puts the matching face-node point
                for (a, st) in t.face_type().node_coords().iter().enumerate() {
                    let xi = t.face_to_element(face, *st).unwrap_or_default();
                    for k in 0..3 {
                        assert!(
                            (xi[k] - coords[nodes[a]][k]).abs() < 1e-14,
                            "{t} S{} node {a}",
                            face + 1
                        );
                    }
                }
            }
            assert!(t.face_nodes(t.n_faces()).is_none());
        }
    }

    #[test]
    fn abaqus_names_round_trip() {
        for t in ElementType::ALL {
            assert_eq!(
                ElementType::from_abaqus(&t.abaqus_name().to_lowercase()),
                Some(t)
            );
        }
        assert_eq!(ElementType::from_abaqus("C3D8R"), None);
    }
}
