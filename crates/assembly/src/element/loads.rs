//! Consistent nodal loads of surface and body loads: f_a = ∫ N_a t dA, f_a = ∫ N_a b dV.

use nalgebra::Vector3;
use osteon_mesh::ElementType;
use osteon_mesh::geometry::{det3, jacobian, outward_area_vector};

use super::kernels::ElementGeometryError;

/// Consistent nodal forces (N) of a uniform pressure `p` (MPa, positive into the face) on
/// face `face` (0-based) of an element with node coordinates `x` (mm). Exact on curved
/// quadratic faces up to the face rule's degree. Returns the face's *element-local* node
/// indices and the forces at them (3 per face node) in `out`.
pub fn face_pressure(
    etype: ElementType,
    face: usize,
    x: &[[f64; 3]],
    p: f64,
    out: &mut [[f64; 3]; 8],
) -> Option<&'static [usize]> {
    face_load(etype, face, x, out, |a, _| {
        [-p * a[0], -p * a[1], -p * a[2]]
    })
}

/// Consistent nodal forces (N) of a uniform traction `t` (MPa, force per deformed-free area)
/// on face `face`; see [`face_pressure`].
pub fn face_traction(
    etype: ElementType,
    face: usize,
    x: &[[f64; 3]],
    t: [f64; 3],
    out: &mut [[f64; 3]; 8],
) -> Option<&'static [usize]> {
    face_load(etype, face, x, out, |_, da| {
        [t[0] * da, t[1] * da, t[2] * da]
    })
}

/// `density_force(area vector, |area vector|)` gives the force per unit (s, t) area.
fn face_load(
    etype: ElementType,
    face: usize,
    x: &[[f64; 3]],
    out: &mut [[f64; 3]; 8],
    density_force: impl Fn([f64; 3], f64) -> [f64; 3],
) -> Option<&'static [usize]> {
    let nodes = etype.face_nodes(face)?;
    let ft = etype.face_type();
    *out = [[0.0; 3]; 8];
    for (st, w) in ft.load_rule().iter() {
        let (_, a) = outward_area_vector(etype, face, x, [st[0], st[1]])?;
        let da = Vector3::from(a).norm();
        let q = density_force(a, da);
        let sh = ft.shape([st[0], st[1]]);
        for k in 0..ft.n_nodes() {
            for i in 0..3 {
                out[k][i] += w * sh.n[k] * q[i];
            }
        }
    }
    Some(nodes)
}

/// Consistent nodal forces (N) of a uniform body force density `b` (N/mm³) over the element,
/// written node-major into `f` (3n entries, overwritten).
pub fn body_force(
    etype: ElementType,
    x: &[[f64; 3]],
    b: [f64; 3],
    f: &mut [f64],
) -> Result<(), ElementGeometryError> {
    let n = etype.n_nodes();
    f[..3 * n].fill(0.0);
    for (xi, w) in etype.accurate_rule().iter() {
        let sh = etype.shape(*xi);
        let det = det3(&jacobian(&sh, &x[..n]));
        if crate::element::kernels::is_invalid_det(det) {
            return Err(ElementGeometryError {
                det_j: det,
                xi: *xi,
            });
        }
        for a in 0..n {
            for i in 0..3 {
                f[3 * a + i] += sh.n[a] * b[i] * det * w;
            }
        }
    }
    Ok(())
}
