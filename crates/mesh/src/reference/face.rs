//! 2-D reference elements of element faces (for surface loads, contact and surface output).
//!
//! Node order on a face follows the order in which the Abaqus face definition lists the
//! element nodes: corners first, then the mid-edge nodes of edges (1,2), (2,3), (3,1) for a
//! triangle and (1,2), (2,3), (3,4), (4,1) for a quadrilateral.

use super::quadrature::{QuadratureRule, quad_gauss, tri_collapsed};

/// The shape of a face and its interpolation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaceType {
    /// 3-node triangle (faces of C3D4).
    Tri3,
    /// 6-node triangle (faces of C3D10).
    Tri6,
    /// 4-node quadrilateral (faces of C3D8).
    Quad4,
    /// 8-node serendipity quadrilateral (faces of C3D20/C3D20R).
    Quad8,
}

/// Face shape-function values and natural derivatives at one point (up to 8 nodes).
#[derive(Clone, Copy, Debug)]
pub struct FaceShape {
    /// Number of face nodes.
    pub len: usize,
    /// N_a.
    pub n: [f64; 8],
    /// ∂N_a/∂(s, t).
    pub dn: [[f64; 2]; 8],
}

impl FaceType {
    /// Number of nodes of the face.
    pub fn n_nodes(self) -> usize {
        match self {
            FaceType::Tri3 => 3,
            FaceType::Tri6 => 6,
            FaceType::Quad4 => 4,
            FaceType::Quad8 => 8,
        }
    }

    /// Number of corner nodes (3 or 4).
    pub fn n_corners(self) -> usize {
        match self {
            FaceType::Tri3 | FaceType::Tri6 => 3,
            FaceType::Quad4 | FaceType::Quad8 => 4,
        }
    }

    /// True for triangles.
    pub fn is_triangle(self) -> bool {
        matches!(self, FaceType::Tri3 | FaceType::Tri6)
    }

    /// A rule that integrates shape function × area element accurately on curved quadratic
    /// faces: collapsed Gauss 4×4 on triangles (degree 6), 3×3 Gauss on quadrilaterals (degree 5).
    pub fn load_rule(self) -> QuadratureRule {
        if self.is_triangle() {
            tri_collapsed(4)
        } else {
            quad_gauss(3)
        }
    }

    /// Natural coordinates of the face's own nodes.
    pub fn node_coords(self) -> &'static [[f64; 2]] {
        match self {
            FaceType::Tri3 => &[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            FaceType::Tri6 => &[
                [0.0, 0.0],
                [1.0, 0.0],
                [0.0, 1.0],
                [0.5, 0.0],
                [0.5, 0.5],
                [0.0, 0.5],
            ],
            FaceType::Quad4 => &[[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]],
            FaceType::Quad8 => &[
                [-1.0, -1.0],
                [1.0, -1.0],
                [1.0, 1.0],
                [-1.0, 1.0],
                [0.0, -1.0],
                [1.0, 0.0],
                [0.0, 1.0],
                [-1.0, 0.0],
            ],
        }
    }

    /// Shape functions at natural point (s, t).
    pub fn shape(self, st: [f64; 2]) -> FaceShape {
        let mut f = FaceShape {
            len: self.n_nodes(),
            n: [0.0; 8],
            dn: [[0.0; 2]; 8],
        };
        let [s, t] = st;
        match self {
            FaceType::Tri3 => {
                f.n[..3].copy_from_slice(&[1.0 - s - t, s, t]);
                f.dn[..3].copy_from_slice(&[[-1.0, -1.0], [1.0, 0.0], [0.0, 1.0]]);
            }
            FaceType::Tri6 => {
                let l = [1.0 - s - t, s, t];
                let dl = [[-1.0, -1.0], [1.0, 0.0], [0.0, 1.0]];
                for i in 0..3 {
                    f.n[i] = l[i] * (2.0 * l[i] - 1.0);
                    for k in 0..2 {
                        f.dn[i][k] = (4.0 * l[i] - 1.0) * dl[i][k];
                    }
                }
                for (m, (i, j)) in [(0, 1), (1, 2), (2, 0)].into_iter().enumerate() {
                    f.n[3 + m] = 4.0 * l[i] * l[j];
                    for k in 0..2 {
                        f.dn[3 + m][k] = 4.0 * (dl[i][k] * l[j] + l[i] * dl[j][k]);
                    }
                }
            }
            FaceType::Quad4 => {
                for (a, c) in self.node_coords().iter().enumerate() {
                    let (fs, ft) = (1.0 + c[0] * s, 1.0 + c[1] * t);
                    f.n[a] = 0.25 * fs * ft;
                    f.dn[a] = [0.25 * c[0] * ft, 0.25 * fs * c[1]];
                }
            }
            FaceType::Quad8 => {
                for (a, c) in self.node_coords().iter().enumerate() {
                    if a < 4 {
                        let (fs, ft) = (1.0 + c[0] * s, 1.0 + c[1] * t);
                        let g = c[0] * s + c[1] * t - 1.0;
                        f.n[a] = 0.25 * fs * ft * g;
                        f.dn[a] = [0.25 * c[0] * ft * (g + fs), 0.25 * c[1] * fs * (g + ft)];
                    } else if c[0] == 0.0 {
                        let ft = 1.0 + c[1] * t;
                        f.n[a] = 0.5 * (1.0 - s * s) * ft;
                        f.dn[a] = [-s * ft, 0.5 * (1.0 - s * s) * c[1]];
                    } else {
                        let fs = 1.0 + c[0] * s;
                        f.n[a] = 0.5 * (1.0 - t * t) * fs;
                        f.dn[a] = [0.5 * (1.0 - t * t) * c[0], -t * fs];
                    }
                }
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn face_shapes_are_nodal_and_sum_to_one() {
        for ft in [
            FaceType::Tri3,
            FaceType::Tri6,
            FaceType::Quad4,
            FaceType::Quad8,
        ] {
            for (a, c) in ft.node_coords().iter().enumerate() {
                let sh = ft.shape(*c);
                for b in 0..ft.n_nodes() {
                    let expected = if a == b { 1.0 } else { 0.0 };
                    assert!(
                        (sh.n[b] - expected).abs() < 1e-14,
                        "{ft:?} N{b} at node {a}"
                    );
                }
            }
            let p = [0.21, 0.33];
            let sh = ft.shape(p);
            let sum: f64 = sh.n[..ft.n_nodes()].iter().sum();
            assert!((sum - 1.0).abs() < 1e-14);
            // derivatives by central differences
            let h = 1e-6;
            for k in 0..2 {
                let mut pp = p;
                let mut pm = p;
                pp[k] += h;
                pm[k] -= h;
                let (sp, sm) = (ft.shape(pp), ft.shape(pm));
                for a in 0..ft.n_nodes() {
                    let fd = (sp.n[a] - sm.n[a]) / (2.0 * h);
                    assert!((fd - sh.dn[a][k]).abs() < 1e-8, "{ft:?} dN{a}/d{k}");
                }
            }
        }
    }
}
