//! Stiffness, internal force and strain kernels.

use osteon_material::Voigt6x6;
use osteon_mesh::ElementType;
use osteon_mesh::geometry::physical_gradients;

/// The element's map is inverted or degenerate at a point (det J ≤ 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElementGeometryError {
    /// det J found (mm³ per unit natural volume).
    pub det_j: f64,
    /// Natural coordinates of the point.
    pub xi: [f64; 3],
}

/// True when a Jacobian determinant marks an inverted or degenerate map (≤ 0 or NaN).
#[inline(always)]
pub(crate) fn is_invalid_det(det: f64) -> bool {
    det.is_nan() || det <= 0.0
}

/// D·B_a for one node: the 6×3 block, from the node gradient g.
#[inline(always)]
fn d_times_b(d: &Voigt6x6, g: &[f64; 3]) -> [[f64; 3]; 6] {
    let mut db = [[0.0; 3]; 6];
    for r in 0..6 {
        // column x: rows xx (gx), xy (gy), xz (gz); column y: yy (gy), xy (gx), yz (gz);
        // column z: zz (gz), yz (gy), xz (gx)
        db[r][0] = d[r][0] * g[0] + d[r][3] * g[1] + d[r][5] * g[2];
        db[r][1] = d[r][1] * g[1] + d[r][3] * g[0] + d[r][4] * g[2];
        db[r][2] = d[r][2] * g[2] + d[r][4] * g[1] + d[r][5] * g[0];
    }
    db
}

/// Bᵀ_a · v for a Voigt 6-vector v (e.g. stress): the 3 components of node a.
#[inline(always)]
fn bt_times(g: &[f64; 3], v: &[f64; 6]) -> [f64; 3] {
    [
        g[0] * v[0] + g[1] * v[3] + g[2] * v[5],
        g[1] * v[1] + g[0] * v[3] + g[2] * v[4],
        g[2] * v[2] + g[1] * v[4] + g[0] * v[5],
    ]
}

/// Element stiffness K_e = Σ_gp Bᵀ D B det J w (N/mm), written row-major into `ke`
/// (`(3n)²` entries, n = nodes). `x` holds the n node coordinates (mm), `d` the material
/// stiffness (MPa). Uses the element type's stiffness rule.
pub fn stiffness(
    etype: ElementType,
    x: &[[f64; 3]],
    d: &Voigt6x6,
    ke: &mut [f64],
) -> Result<(), ElementGeometryError> {
    let n = etype.n_nodes();
    let m = 3 * n;
    ke[..m * m].fill(0.0);
    let rule = etype.stiffness_rule();
    let mut grad = [[0.0; 3]; 20];
    for (shape, (xi, w)) in etype.stiffness_shapes().iter().zip(rule.iter()) {
        let det = physical_gradients(shape, &x[..n], &mut grad);
        if is_invalid_det(det) {
            return Err(ElementGeometryError {
                det_j: det,
                xi: *xi,
            });
        }
        let dv = det * w;
        for b in 0..n {
            let db = d_times_b(d, &grad[b]);
            // K_ab = B_aᵀ (D B_b) for a ≤ b, mirrored below
            for a in 0..=b {
                let g = &grad[a];
                for j in 0..3 {
                    let col = [db[0][j], db[1][j], db[2][j], db[3][j], db[4][j], db[5][j]];
                    let v = bt_times(g, &col);
                    for i in 0..3 {
                        ke[(3 * a + i) * m + 3 * b + j] += v[i] * dv;
                    }
                }
            }
        }
    }
    // mirror the upper block triangle into the lower one
    for a in 0..n {
        for b in 0..a {
            for i in 0..3 {
                for j in 0..3 {
                    ke[(3 * a + i) * m + 3 * b + j] = ke[(3 * b + j) * m + 3 * a + i];
                }
            }
        }
    }
    Ok(())
}

/// Internal force f = Σ_gp Bᵀ D B u det J w (N) for element displacements `u` (mm, node-major),
/// accumulated into `f` (3n entries, overwritten). Cheaper than forming K_e: O(n) per point.
pub fn internal_force(
    etype: ElementType,
    x: &[[f64; 3]],
    d: &Voigt6x6,
    u: &[f64],
    f: &mut [f64],
) -> Result<(), ElementGeometryError> {
    let n = etype.n_nodes();
    f[..3 * n].fill(0.0);
    let mut grad = [[0.0; 3]; 20];
    for (shape, (xi, w)) in etype
        .stiffness_shapes()
        .iter()
        .zip(etype.stiffness_rule().iter())
    {
        let det = physical_gradients(shape, &x[..n], &mut grad);
        if is_invalid_det(det) {
            return Err(ElementGeometryError {
                det_j: det,
                xi: *xi,
            });
        }
        let eps = strain_from_gradients(&grad[..n], u);
        let sig = voigt_mul(d, &eps);
        for a in 0..n {
            let v = bt_times(&grad[a], &sig);
            for i in 0..3 {
                f[3 * a + i] += v[i] * det * w;
            }
        }
    }
    Ok(())
}

/// Small strain (Voigt, engineering shear) at natural point `xi` for element displacements `u`.
/// Also returns det J at the point.
pub fn strain_at(
    etype: ElementType,
    x: &[[f64; 3]],
    u: &[f64],
    xi: [f64; 3],
) -> Result<([f64; 6], f64), ElementGeometryError> {
    let n = etype.n_nodes();
    let mut grad = [[0.0; 3]; 20];
    let det = physical_gradients(&etype.shape(xi), &x[..n], &mut grad);
    if is_invalid_det(det) {
        return Err(ElementGeometryError { det_j: det, xi });
    }
    Ok((strain_from_gradients(&grad[..n], u), det))
}

/// ε = B u from physical gradients.
#[inline]
pub(crate) fn strain_from_gradients(grad: &[[f64; 3]], u: &[f64]) -> [f64; 6] {
    let mut e = [0.0; 6];
    for (a, g) in grad.iter().enumerate() {
        let (ux, uy, uz) = (u[3 * a], u[3 * a + 1], u[3 * a + 2]);
        e[0] += g[0] * ux;
        e[1] += g[1] * uy;
        e[2] += g[2] * uz;
        e[3] += g[1] * ux + g[0] * uy;
        e[4] += g[2] * uy + g[1] * uz;
        e[5] += g[2] * ux + g[0] * uz;
    }
    e
}

/// D·v for a Voigt 6-vector.
#[inline]
pub(crate) fn voigt_mul(d: &Voigt6x6, v: &[f64; 6]) -> [f64; 6] {
    std::array::from_fn(|r| (0..6).map(|c| d[r][c] * v[c]).sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_material::IsotropicElastic;

    fn distorted(t: ElementType) -> Vec<[f64; 3]> {
        t.node_coords()
            .iter()
            .map(|p| {
                let q = [
                    p[0] + 0.1 * p[1] * p[2],
                    p[1] + 0.05 * p[0] * p[0],
                    p[2] - 0.08 * p[0] * p[1],
                ];
                [2.0 * q[0] + 0.3 * q[1], 1.5 * q[1], q[2] + 0.2 * q[0]]
            })
            .collect()
    }

    #[test]
    fn stiffness_is_symmetric_with_six_rigid_modes_and_matches_internal_force() {
        let d = IsotropicElastic { e: 1000.0, nu: 0.3 }.stiffness();
        for t in ElementType::ALL {
            let x = distorted(t);
            let n = t.n_nodes();
            let m = 3 * n;
            let mut ke = vec![0.0; m * m];
            stiffness(t, &x, &d, &mut ke).expect("valid element");
            let scale = ke.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            for i in 0..m {
                for j in 0..m {
                    assert!((ke[i * m + j] - ke[j * m + i]).abs() < 1e-12 * scale);
                }
            }
            // rigid-body modes: 3 translations, 3 rotations give zero force
            for mode in 0..6 {
                let u: Vec<f64> = (0..m)
                    .map(|k| {
                        let (a, i) = (k / 3, k % 3);
                        if mode < 3 {
                            f64::from(u8::from(i == mode))
                        } else {
                            let w: [f64; 3] =
                                std::array::from_fn(|c| f64::from(u8::from(c == mode - 3)));
                            let r = x[a];
                            [
                                w[1] * r[2] - w[2] * r[1],
                                w[2] * r[0] - w[0] * r[2],
                                w[0] * r[1] - w[1] * r[0],
                            ][i]
                        }
                    })
                    .collect();
                let f: Vec<f64> = (0..m)
                    .map(|i| (0..m).map(|j| ke[i * m + j] * u[j]).sum())
                    .collect();
                assert!(f.iter().all(|v| v.abs() < 1e-10 * scale), "{t} mode {mode}");
            }
            // K u equals the internal force for an arbitrary u
            let u: Vec<f64> = (0..m)
                .map(|k| ((k * 7919) % 13) as f64 * 0.01 - 0.05)
                .collect();
            let mut f = vec![0.0; m];
            internal_force(t, &x, &d, &u, &mut f).expect("valid element");
            for i in 0..m {
                let ku: f64 = (0..m).map(|j| ke[i * m + j] * u[j]).sum();
                assert!((ku - f[i]).abs() < 1e-11 * scale, "{t}");
            }
        }
    }
}
