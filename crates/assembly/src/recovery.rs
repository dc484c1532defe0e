//! Strain, stress and strain-energy density at the integration points, and stress averaged
//! at the nodes (extrapolated from the integration points of each element, then averaged
//! over the elements sharing the node, as CalculiX does).

use std::sync::OnceLock;

use rayon::prelude::*;

use osteon_material::Voigt6x6;
use osteon_mesh::geometry::{physical_gradients, position};
use osteon_mesh::{ElementType, Mesh};

use crate::assemble::inverted;
use crate::element::kernels::{strain_from_gradients, voigt_mul};
use crate::error::AssemblyError;

/// Fields at the integration points of every element and nodal averages.
#[derive(Clone, Debug, Default)]
pub struct RecoveredFields {
    /// Element e's points are `point_ptr[e]..point_ptr[e + 1]`.
    pub point_ptr: Vec<usize>,
    /// Position of each integration point (mm).
    pub point_position: Vec<[f64; 3]>,
    /// Volume represented by each point, det J · w (mm³).
    pub point_volume: Vec<f64>,
    /// Strain (Voigt, engineering shear, dimensionless).
    pub point_strain: Vec<[f64; 6]>,
    /// Cauchy stress (Voigt, MPa).
    pub point_stress: Vec<[f64; 6]>,
    /// Stress extrapolated to each node and averaged over its elements (MPa).
    pub nodal_stress: Vec<[f64; 6]>,
    /// Strain extrapolated and averaged likewise.
    pub nodal_strain: Vec<[f64; 6]>,
}

impl RecoveredFields {
    /// The fields of `factor` times the displacement: strains and stresses scaled, the
    /// points (positions, volumes) unchanged.
    pub fn scaled(&self, factor: f64) -> Self {
        let times = |v: &[[f64; 6]]| v.iter().map(|a| a.map(|x| factor * x)).collect();
        Self {
            point_ptr: self.point_ptr.clone(),
            point_position: self.point_position.clone(),
            point_volume: self.point_volume.clone(),
            point_strain: times(&self.point_strain),
            point_stress: times(&self.point_stress),
            nodal_stress: times(&self.nodal_stress),
            nodal_strain: times(&self.nodal_strain),
        }
    }

    /// Strain-energy density ½ σ·ε (mJ/mm³ = MPa) at point `p`.
    pub fn point_sed(&self, p: usize) -> f64 {
        strain_energy_density(&self.point_stress[p], &self.point_strain[p])
    }

    /// Points of element `e` as a range.
    pub fn points_of(&self, e: usize) -> std::ops::Range<usize> {
        self.point_ptr[e]..self.point_ptr[e + 1]
    }

    /// Von Mises stress at each node (MPa).
    pub fn nodal_von_mises(&self) -> Vec<f64> {
        self.nodal_stress.iter().map(von_mises).collect()
    }

    /// Total strain energy ½ ∫ σ·ε dV (mJ = N·mm).
    pub fn strain_energy(&self) -> f64 {
        (0..self.point_volume.len())
            .map(|p| self.point_sed(p) * self.point_volume[p])
            .sum()
    }
}

/// Von Mises equivalent stress (MPa) of a Voigt stress (xx, yy, zz, xy, yz, xz).
pub fn von_mises(s: &[f64; 6]) -> f64 {
    let (a, b, c) = (s[0] - s[1], s[1] - s[2], s[2] - s[0]);
    (0.5 * (a * a + b * b + c * c) + 3.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])).sqrt()
}

/// ½ σ·ε with engineering shear strains (MPa).
pub fn strain_energy_density(stress: &[f64; 6], strain: &[f64; 6]) -> f64 {
    0.5 * (0..6).map(|k| stress[k] * strain[k]).sum::<f64>()
}

/// Recover strain and stress at every integration point of the stiffness rule for raw
/// displacements `u` (mm), and average the extrapolated values at the nodes.
pub fn recover_fields(
    mesh: &Mesh,
    materials: &[usize],
    d: &[Voigt6x6],
    u: &[f64],
) -> Result<RecoveredFields, AssemblyError> {
    let n_el = mesh.n_elements();
    let mut point_ptr = Vec::with_capacity(n_el + 1);
    point_ptr.push(0);
    for el in mesh.elements() {
        point_ptr.push(point_ptr.last().copied().unwrap_or(0) + el.etype.stiffness_rule().len());
    }
    type PointData = Vec<([f64; 3], f64, [f64; 6], [f64; 6])>;
    let per_element: Vec<PointData> = (0..n_el)
        .into_par_iter()
        .map(|e| {
            let el = mesh.element(e);
            let n = el.etype.n_nodes();
            let x = mesh.element_coords(e);
            let mut ue = [0.0; 60];
            for (a, &node) in el.nodes.iter().enumerate() {
                ue[3 * a..3 * a + 3].copy_from_slice(&u[3 * node..3 * node + 3]);
            }
            let mut grad = [[0.0; 3]; 20];
            let mut out = Vec::with_capacity(el.etype.stiffness_rule().len());
            for (shape, (xi, w)) in el
                .etype
                .stiffness_shapes()
                .iter()
                .zip(el.etype.stiffness_rule().iter())
            {
                let det = physical_gradients(shape, &x[..n], &mut grad);
                if crate::element::kernels::is_invalid_det(det) {
                    return Err(inverted(
                        mesh,
                        e,
                        crate::element::ElementGeometryError {
                            det_j: det,
                            xi: *xi,
                        },
                    ));
                }
                let eps = strain_from_gradients(&grad[..n], &ue[..3 * n]);
                let sig = voigt_mul(&d[materials[e]], &eps);
                out.push((position(shape, &x[..n]), det * w, eps, sig));
            }
            Ok(out)
        })
        .collect::<Result<_, AssemblyError>>()?;
    let mut f = RecoveredFields {
        point_ptr,
        ..Default::default()
    };
    for pts in &per_element {
        for &(p, v, e, s) in pts {
            f.point_position.push(p);
            f.point_volume.push(v);
            f.point_strain.push(e);
            f.point_stress.push(s);
        }
    }
    // extrapolate to nodes and average
    let mut count = vec![0u32; mesh.n_nodes()];
    f.nodal_stress = vec![[0.0; 6]; mesh.n_nodes()];
    f.nodal_strain = vec![[0.0; 6]; mesh.n_nodes()];
    for el in mesh.elements() {
        let ex = extrapolation(el.etype);
        let ng = el.etype.stiffness_rule().len();
        let base = f.point_ptr[el.index];
        for (a, &node) in el.nodes.iter().enumerate() {
            count[node] += 1;
            for g in 0..ng {
                let w = ex[a * ng + g];
                for k in 0..6 {
                    f.nodal_stress[node][k] += w * f.point_stress[base + g][k];
                    f.nodal_strain[node][k] += w * f.point_strain[base + g][k];
                }
            }
        }
    }
    for (node, &c) in count.iter().enumerate() {
        if c > 0 {
            for k in 0..6 {
                f.nodal_stress[node][k] /= f64::from(c);
                f.nodal_strain[node][k] /= f64::from(c);
            }
        }
    }
    Ok(f)
}

/// Extrapolation matrix E (nodes × points, row-major) from the stiffness-rule points to the
/// nodes: the least-squares fit of the point values by a constant (Tet4), linear (Tet10) or
/// trilinear (hexahedra) field in natural coordinates, evaluated at the nodes. Exact when the
/// point values come from such a field; mid-edge nodes get the mean of their corners.
pub fn extrapolation(etype: ElementType) -> &'static [f64] {
    static CACHE: OnceLock<Vec<Vec<f64>>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        ElementType::ALL
            .iter()
            .map(|&t| build_extrapolation(t))
            .collect()
    });
    let i = ElementType::ALL
        .iter()
        .position(|&t| t == etype)
        .unwrap_or(0);
    &all[i]
}

fn basis(etype: ElementType, xi: &[f64; 3]) -> Vec<f64> {
    match etype {
        ElementType::Tet4 => vec![1.0],
        ElementType::Tet10 => vec![1.0, xi[0], xi[1], xi[2]],
        _ => vec![
            1.0,
            xi[0],
            xi[1],
            xi[2],
            xi[0] * xi[1],
            xi[1] * xi[2],
            xi[0] * xi[2],
            xi[0] * xi[1] * xi[2],
        ],
    }
}

fn build_extrapolation(etype: ElementType) -> Vec<f64> {
    let pts = &etype.stiffness_rule().points;
    let a: Vec<Vec<f64>> = pts.iter().map(|p| basis(etype, p)).collect();
    let m = a[0].len();
    // normal matrix N = AᵀA (m×m) and its inverse by Gauss–Jordan
    let mut nm = vec![vec![0.0; 2 * m]; m];
    for i in 0..m {
        for j in 0..m {
            nm[i][j] = a.iter().map(|r| r[i] * r[j]).sum();
        }
        nm[i][m + i] = 1.0;
    }
    for c in 0..m {
        let piv = (c..m)
            .max_by(|&x, &y| nm[x][c].abs().total_cmp(&nm[y][c].abs()))
            .unwrap_or(c);
        nm.swap(c, piv);
        let p = nm[c][c];
        for v in nm[c].iter_mut() {
            *v /= p;
        }
        for r in 0..m {
            if r != c {
                let fct = nm[r][c];
                let row_c = nm[c].clone();
                for (v, rc) in nm[r].iter_mut().zip(row_c) {
                    *v -= fct * rc;
                }
            }
        }
    }
    let ng = pts.len();
    let nn = etype.n_nodes();
    let mut e = vec![0.0; nn * ng];
    for (a_node, xn) in etype.node_coords().iter().enumerate() {
        let b = basis(etype, xn);
        for g in 0..ng {
            // E[a, g] = b(x_a)ᵀ N⁻¹ a_g
            let mut s = 0.0;
            for i in 0..m {
                for j in 0..m {
                    s += b[i] * nm[i][m + j] * a[g][j];
                }
            }
            e[a_node * ng + g] = s;
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extrapolation_reproduces_fields_of_the_fit_basis() {
        for t in ElementType::ALL {
            let ex = extrapolation(t);
            let pts = &t.stiffness_rule().points;
            let field = |x: &[f64; 3]| {
                basis(t, x)
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (i as f64 + 1.0) * b)
                    .sum::<f64>()
            };
            for (a, xn) in t.node_coords().iter().enumerate() {
                let v: f64 = pts
                    .iter()
                    .enumerate()
                    .map(|(g, p)| ex[a * pts.len() + g] * field(p))
                    .sum();
                assert!(
                    (v - field(xn)).abs() < 1e-12,
                    "{t} node {a}: {v} vs {}",
                    field(xn)
                );
            }
        }
    }

    #[test]
    fn von_mises_of_uniaxial_and_shear() {
        assert!((von_mises(&[100.0, 0.0, 0.0, 0.0, 0.0, 0.0]) - 100.0).abs() < 1e-12);
        assert!((von_mises(&[0.0, 0.0, 0.0, 10.0, 0.0, 0.0]) - 10.0 * 3f64.sqrt()).abs() < 1e-12);
        assert!(von_mises(&[5.0, 5.0, 5.0, 0.0, 0.0, 0.0]).abs() < 1e-12);
    }
}
