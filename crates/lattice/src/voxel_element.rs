//! The one element every voxel is: a cube of edge h (mm) meshed as a trilinear brick (C3D8,
//! 2 × 2 × 2 Gauss points), with its stiffness, the load of a macroscopic strain and the
//! strain at its centre.

use osteon_assembly::element::stiffness;
use osteon_material::Voigt6x6;
use osteon_mesh::ElementType;

use crate::LatticeError;

/// Corner offsets (0 or 1 per axis) of the brick in osteon's C3D8 node order, read from the
/// reference element's natural coordinates (−1 or +1), so the voxel and the element kernel
/// cannot disagree on the order.
pub(crate) fn corners() -> [[usize; 3]; 8] {
    let natural = ElementType::Hex8.node_coords();
    std::array::from_fn(|a| natural[a].map(|x| usize::from(x > 0.0)))
}

/// The voxel element of one material: its 24 × 24 stiffness (N/mm, row-major), the nodal
/// forces K·u⁰ of the six unit macroscopic strains (u⁰ = Ē·x) and the centroid
/// strain–displacement rows.
#[derive(Debug, Clone)]
pub(crate) struct VoxelElement {
    /// Row-major 24 × 24 stiffness (N/mm).
    pub ke: Vec<f64>,
    /// K·u⁰ for the unit engineering strain Ē = e_j in Voigt order, j = 0..6 (N per unit strain).
    pub macro_force: [[f64; 24]; 6],
    /// The material stiffness D (MPa).
    pub d: Voigt6x6,
    /// Edge length h (mm).
    pub h: f64,
}

impl VoxelElement {
    /// The element of edge `h` (mm) made of material `d` (MPa).
    pub fn new(h: f64, d: &Voigt6x6) -> Result<Self, LatticeError> {
        let x: Vec<[f64; 3]> = corners()
            .iter()
            .map(|c| [c[0] as f64 * h, c[1] as f64 * h, c[2] as f64 * h])
            .collect();
        let mut ke = vec![0.0; 24 * 24];
        stiffness(ElementType::Hex8, &x, d, &mut ke).map_err(|e| LatticeError::OutOfRange {
            name: "voxel edge",
            value: e.det_j,
            range: "a positive Jacobian",
        })?;
        let mut macro_force = [[0.0; 24]; 6];
        for (j, f) in macro_force.iter_mut().enumerate() {
            let u0 = affine_displacement(&x, &unit_strain(j));
            for (r, fr) in f.iter_mut().enumerate() {
                *fr = (0..24).map(|c| ke[r * 24 + c] * u0[c]).sum();
            }
        }
        Ok(Self {
            ke,
            macro_force,
            d: *d,
            h,
        })
    }

    /// Engineering strain (Voigt) at the centre of the element for nodal displacements `u`
    /// (24, node-major). For a cube the centre value equals the element average exactly.
    pub fn centre_strain(&self, u: &[f64; 24]) -> [f64; 6] {
        // ∂N_a/∂x_d at the centre = (2 s_d − 1) / (4 h), s the corner offset.
        let mut eps = [0.0; 6];
        for (a, c) in corners().iter().enumerate() {
            let g = c.map(|s| (2.0 * s as f64 - 1.0) / (4.0 * self.h));
            let (ux, uy, uz) = (u[3 * a], u[3 * a + 1], u[3 * a + 2]);
            eps[0] += g[0] * ux;
            eps[1] += g[1] * uy;
            eps[2] += g[2] * uz;
            eps[3] += g[1] * ux + g[0] * uy;
            eps[4] += g[2] * uy + g[1] * uz;
            eps[5] += g[2] * ux + g[0] * uz;
        }
        eps
    }
}

/// The unit engineering strain e_j (Voigt order xx, yy, zz, xy, yz, xz).
pub(crate) fn unit_strain(j: usize) -> [f64; 6] {
    let mut e = [0.0; 6];
    e[j] = 1.0;
    e
}

/// u⁰ = ε·x at the points `x` for the engineering strain `e` (γ = 2ε in the shear slots).
pub(crate) fn affine_displacement(x: &[[f64; 3]], e: &[f64; 6]) -> Vec<f64> {
    let eps = [
        [e[0], 0.5 * e[3], 0.5 * e[5]],
        [0.5 * e[3], e[1], 0.5 * e[4]],
        [0.5 * e[5], 0.5 * e[4], e[2]],
    ];
    x.iter()
        .flat_map(|p| (0..3).map(move |i| eps[i][0] * p[0] + eps[i][1] * p[1] + eps[i][2] * p[2]))
        .collect()
}
