//! The isoparametric map x(ξ) = Σ N_a(ξ) x_a: Jacobians, physical shape-function gradients,
//! volumes and face normals. Small fixed-size arithmetic, no allocation.

use nalgebra::Vector3;

use crate::reference::{ElementType, FaceType, ShapeValues};

/// Jacobian J_ij = ∂x_j/∂ξ_i (rows: natural directions) of the map at a point, given the
/// natural derivatives and the element node coordinates (mm).
#[inline]
pub fn jacobian(shape: &ShapeValues, x: &[[f64; 3]]) -> [[f64; 3]; 3] {
    let mut j = [[0.0; 3]; 3];
    for (dn, xa) in shape.derivatives().iter().zip(x) {
        for i in 0..3 {
            for k in 0..3 {
                j[i][k] += dn[i] * xa[k];
            }
        }
    }
    j
}

/// Determinant of a 3×3 matrix.
#[inline]
pub fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// Inverse of a 3×3 matrix given its determinant (caller checks det ≠ 0).
#[inline]
pub fn inv3(m: &[[f64; 3]; 3], det: f64) -> [[f64; 3]; 3] {
    let d = 1.0 / det;
    [
        [
            (m[1][1] * m[2][2] - m[1][2] * m[2][1]) * d,
            (m[0][2] * m[2][1] - m[0][1] * m[2][2]) * d,
            (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * d,
        ],
        [
            (m[1][2] * m[2][0] - m[1][0] * m[2][2]) * d,
            (m[0][0] * m[2][2] - m[0][2] * m[2][0]) * d,
            (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * d,
        ],
        [
            (m[1][0] * m[2][1] - m[1][1] * m[2][0]) * d,
            (m[0][1] * m[2][0] - m[0][0] * m[2][1]) * d,
            (m[0][0] * m[1][1] - m[0][1] * m[1][0]) * d,
        ],
    ]
}

/// Physical gradients ∂N_a/∂x (1/mm) at a point and det J (mm³ per natural volume).
/// `grad` must hold at least `shape.len` entries.
#[inline]
pub fn physical_gradients(shape: &ShapeValues, x: &[[f64; 3]], grad: &mut [[f64; 3]]) -> f64 {
    let j = jacobian(shape, x);
    let det = det3(&j);
    let ji = inv3(&j, det);
    // ∂N/∂x_k = Σ_i (J⁻¹)_{k i} ∂N/∂ξ_i, with J_ij = ∂x_j/∂ξ_i
    for (g, dn) in grad.iter_mut().zip(shape.derivatives()) {
        for k in 0..3 {
            g[k] = ji[k][0] * dn[0] + ji[k][1] * dn[1] + ji[k][2] * dn[2];
        }
    }
    det
}

/// Position x(ξ) (mm).
#[inline]
pub fn position(shape: &ShapeValues, x: &[[f64; 3]]) -> [f64; 3] {
    let mut p = [0.0; 3];
    for (n, xa) in shape.values().iter().zip(x) {
        for k in 0..3 {
            p[k] += n * xa[k];
        }
    }
    p
}

/// Element volume (mm³) by the element's accurate rule (exact for straight-sided elements
/// and for the polynomial Jacobians of curved quadratic elements up to the rule's degree).
pub fn element_volume(etype: ElementType, x: &[[f64; 3]]) -> f64 {
    etype
        .accurate_rule()
        .iter()
        .map(|(p, w)| w * det3(&jacobian(&etype.shape(*p), &x[..etype.n_nodes()])))
        .sum()
}

/// At face point (s, t): the position (mm) and the area vector a = ∂x/∂s × ∂x/∂t, whose
/// length is the area element dA/(ds dt) (mm²) and whose direction is the right-hand normal of
/// the face node order (for Abaqus faces of a positively oriented element it points *into*
/// the element; [`outward_area_vector`] flips it).
pub fn face_area_vector(ft: FaceType, xf: &[[f64; 3]], st: [f64; 2]) -> ([f64; 3], [f64; 3]) {
    let sh = ft.shape(st);
    let mut p = Vector3::zeros();
    let mut ds = Vector3::zeros();
    let mut dt = Vector3::zeros();
    for (a, xa) in xf[..ft.n_nodes()].iter().enumerate() {
        let xa = Vector3::from(*xa);
        p += xa * sh.n[a];
        ds += xa * sh.dn[a][0];
        dt += xa * sh.dn[a][1];
    }
    (p.into(), ds.cross(&dt).into())
}

/// Position (mm) and area vector (mm²) of face `face` (0-based) at face point (s, t), pointing
/// *out of* the element. `xe` are the element node coordinates. `None` if there is no such face.
pub fn outward_area_vector(
    etype: ElementType,
    face: usize,
    xe: &[[f64; 3]],
    st: [f64; 2],
) -> Option<([f64; 3], [f64; 3])> {
    let nodes = etype.face_nodes(face)?;
    let ft = etype.face_type();
    let mut xf = [[0.0; 3]; 8];
    for (a, &l) in nodes.iter().enumerate() {
        xf[a] = xe[l];
    }
    let (p, a) = face_area_vector(ft, &xf[..ft.n_nodes()], st);
    // Abaqus numbers every face (tet and hex) so that the right-hand normal points into the
    // element when det J > 0; the tests check this for every face of every type.
    Some((p, [-a[0], -a[1], -a[2]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_element(t: ElementType) -> Vec<[f64; 3]> {
        // natural coordinates mapped by x = A ξ + b with det A = 6 (so hex volume 48, tet volume 1)
        let a = [[2.0, 0.5, 0.0], [0.0, 3.0, 0.2], [0.1, 0.0, 1.0]];
        t.node_coords()
            .iter()
            .map(|xi| std::array::from_fn(|k| (0..3).map(|i| a[k][i] * xi[i]).sum::<f64>() + 1.0))
            .collect()
    }

    #[test]
    fn affine_volumes_and_outward_normals() {
        let a = [[2.0, 0.5, 0.0], [0.0, 3.0, 0.2], [0.1, 0.0, 1.0]];
        let det_a = det3(&a);
        for t in ElementType::ALL {
            let x = unit_element(t);
            let v = element_volume(t, &x);
            assert!((v - det_a * t.reference_volume()).abs() < 1e-12, "{t}: {v}");
            // Σ over faces of ∫ n dA = 0 (closed surface), and each outward normal points away from the centroid
            let c = position(&t.shape(t.centroid()), &x);
            let mut total = [0.0; 3];
            for f in 0..t.n_faces() {
                for (st, w) in t.face_type().load_rule().iter() {
                    let (p, av) = outward_area_vector(t, f, &x, [st[0], st[1]]).unwrap_or_default();
                    let d: f64 = (0..3).map(|k| (p[k] - c[k]) * av[k]).sum();
                    assert!(d > 0.0, "{t} face S{} normal points inward", f + 1);
                    for k in 0..3 {
                        total[k] += w * av[k];
                    }
                }
            }
            assert!(total.iter().all(|v| v.abs() < 1e-12), "{t}: {total:?}");
        }
    }

    #[test]
    fn gradients_of_a_linear_field_are_exact() {
        for t in ElementType::ALL {
            let x = unit_element(t);
            let u: Vec<f64> = x
                .iter()
                .map(|p| 3.0 * p[0] - 2.0 * p[1] + 0.5 * p[2])
                .collect();
            let sh = t.shape(if t.is_tet() {
                [0.1, 0.2, 0.3]
            } else {
                [0.2, -0.5, 0.7]
            });
            let mut g = [[0.0; 3]; 20];
            physical_gradients(&sh, &x, &mut g);
            let mut du = [0.0; 3];
            for a in 0..t.n_nodes() {
                for k in 0..3 {
                    du[k] += g[a][k] * u[a];
                }
            }
            assert!(
                (du[0] - 3.0).abs() < 1e-12
                    && (du[1] + 2.0).abs() < 1e-12
                    && (du[2] - 0.5).abs() < 1e-12
            );
        }
    }
}
