//! Shape functions N_a(ξ) and natural derivatives ∂N_a/∂ξ_i of the volume elements, in
//! Abaqus/CalculiX node order.

/// Shape-function values and natural derivatives at one point (up to 20 nodes).
#[derive(Clone, Copy, Debug)]
pub struct ShapeValues {
    /// Number of nodes (the valid length of `n` and `dn`).
    pub len: usize,
    /// N_a at the point.
    pub n: [f64; 20],
    /// ∂N_a/∂(ξ, η, ζ) at the point.
    pub dn: [[f64; 3]; 20],
}

impl ShapeValues {
    pub(crate) fn zeroed(len: usize) -> Self {
        Self {
            len,
            n: [0.0; 20],
            dn: [[0.0; 3]; 20],
        }
    }

    /// Values as a slice of length `len`.
    pub fn values(&self) -> &[f64] {
        &self.n[..self.len]
    }

    /// Natural derivatives as a slice of length `len`.
    pub fn derivatives(&self) -> &[[f64; 3]] {
        &self.dn[..self.len]
    }
}

/// Linear tetrahedron: N = (1 − ξ − η − ζ, ξ, η, ζ).
pub(crate) fn tet4(xi: [f64; 3]) -> ShapeValues {
    let mut s = ShapeValues::zeroed(4);
    let [x, y, z] = xi;
    s.n[..4].copy_from_slice(&[1.0 - x - y - z, x, y, z]);
    s.dn[0] = [-1.0, -1.0, -1.0];
    s.dn[1] = [1.0, 0.0, 0.0];
    s.dn[2] = [0.0, 1.0, 0.0];
    s.dn[3] = [0.0, 0.0, 1.0];
    s
}

/// Quadratic tetrahedron in volume coordinates L = (1 − ξ − η − ζ, ξ, η, ζ):
/// corners N_i = L_i(2L_i − 1), mid-edge nodes N = 4 L_i L_j on edges
/// 5:(1,2) 6:(2,3) 7:(3,1) 8:(1,4) 9:(2,4) 10:(3,4).
pub(crate) fn tet10(xi: [f64; 3]) -> ShapeValues {
    const EDGES: [(usize, usize); 6] = [(0, 1), (1, 2), (2, 0), (0, 3), (1, 3), (2, 3)];
    let mut s = ShapeValues::zeroed(10);
    let l = [1.0 - xi[0] - xi[1] - xi[2], xi[0], xi[1], xi[2]];
    // ∂L_i/∂ξ_k
    let dl = [
        [-1.0, -1.0, -1.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ];
    for i in 0..4 {
        s.n[i] = l[i] * (2.0 * l[i] - 1.0);
        for k in 0..3 {
            s.dn[i][k] = (4.0 * l[i] - 1.0) * dl[i][k];
        }
    }
    for (m, &(i, j)) in EDGES.iter().enumerate() {
        s.n[4 + m] = 4.0 * l[i] * l[j];
        for k in 0..3 {
            s.dn[4 + m][k] = 4.0 * (dl[i][k] * l[j] + l[i] * dl[j][k]);
        }
    }
    s
}

/// Natural coordinates of the 8 hexahedron corners (Abaqus order).
pub(crate) const HEX_CORNERS: [[f64; 3]; 8] = [
    [-1.0, -1.0, -1.0],
    [1.0, -1.0, -1.0],
    [1.0, 1.0, -1.0],
    [-1.0, 1.0, -1.0],
    [-1.0, -1.0, 1.0],
    [1.0, -1.0, 1.0],
    [1.0, 1.0, 1.0],
    [-1.0, 1.0, 1.0],
];

/// Natural coordinates of the 12 mid-edge nodes 9..20 of the 20-node brick.
pub(crate) const HEX_MIDS: [[f64; 3]; 12] = [
    [0.0, -1.0, -1.0],
    [1.0, 0.0, -1.0],
    [0.0, 1.0, -1.0],
    [-1.0, 0.0, -1.0],
    [0.0, -1.0, 1.0],
    [1.0, 0.0, 1.0],
    [0.0, 1.0, 1.0],
    [-1.0, 0.0, 1.0],
    [-1.0, -1.0, 0.0],
    [1.0, -1.0, 0.0],
    [1.0, 1.0, 0.0],
    [-1.0, 1.0, 0.0],
];

/// Trilinear brick: N_a = (1 + ξξ_a)(1 + ηη_a)(1 + ζζ_a)/8.
pub(crate) fn hex8(xi: [f64; 3]) -> ShapeValues {
    let mut s = ShapeValues::zeroed(8);
    for (a, c) in HEX_CORNERS.iter().enumerate() {
        let f = [1.0 + c[0] * xi[0], 1.0 + c[1] * xi[1], 1.0 + c[2] * xi[2]];
        s.n[a] = 0.125 * f[0] * f[1] * f[2];
        s.dn[a] = [
            0.125 * c[0] * f[1] * f[2],
            0.125 * f[0] * c[1] * f[2],
            0.125 * f[0] * f[1] * c[2],
        ];
    }
    s
}

/// 20-node serendipity brick. Corners: N = (1 + ξξ_a)(1 + ηη_a)(1 + ζζ_a)(ξξ_a + ηη_a + ζζ_a − 2)/8;
/// mid-edge node with ξ_a = 0: N = (1 − ξ²)(1 + ηη_a)(1 + ζζ_a)/4 (and permutations).
pub(crate) fn hex20(xi: [f64; 3]) -> ShapeValues {
    let mut s = ShapeValues::zeroed(20);
    for (a, c) in HEX_CORNERS.iter().enumerate() {
        let f = [1.0 + c[0] * xi[0], 1.0 + c[1] * xi[1], 1.0 + c[2] * xi[2]];
        let g = c[0] * xi[0] + c[1] * xi[1] + c[2] * xi[2] - 2.0;
        let p = f[0] * f[1] * f[2];
        s.n[a] = 0.125 * p * g;
        for k in 0..3 {
            // ∂p/∂ξ_k = c_k · (product of the other two factors)
            let others = match k {
                0 => f[1] * f[2],
                1 => f[0] * f[2],
                _ => f[0] * f[1],
            };
            s.dn[a][k] = 0.125 * (c[k] * others * g + p * c[k]);
        }
    }
    for (m, c) in HEX_MIDS.iter().enumerate() {
        let a = 8 + m;
        // the zero coordinate of this mid node is the quadratic direction
        let q = c.iter().position(|&v| v == 0.0).unwrap_or(0);
        let (i, j) = match q {
            0 => (1, 2),
            1 => (0, 2),
            _ => (0, 1),
        };
        let fq = 1.0 - xi[q] * xi[q];
        let fi = 1.0 + c[i] * xi[i];
        let fj = 1.0 + c[j] * xi[j];
        s.n[a] = 0.25 * fq * fi * fj;
        s.dn[a][q] = 0.25 * (-2.0 * xi[q]) * fi * fj;
        s.dn[a][i] = 0.25 * fq * c[i] * fj;
        s.dn[a][j] = 0.25 * fq * fi * c[j];
    }
    s
}
