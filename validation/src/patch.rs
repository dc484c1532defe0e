//! Case 7: patch tests on distorted meshes (Irons' patch test; Zienkiewicz, Taylor & Zhu,
//! *The Finite Element Method: Its Basis and Fundamentals*, the patch-test chapter;
//! MacNeal & Harder, *Finite Elem. Anal. Des.* 1 (1985) 3).
//!
//! The patch is the box [0, 2] × [0, 1.5] × [0, 1] mm cut into 3 × 3 × 3 cells (hexahedra,
//! or six Kuhn tetrahedra per cell). Every corner node is moved by a deterministic random
//! amount of up to 20 % of the cell size in each coordinate that does not pin it to the
//! box boundary (interior nodes move in all directions, face nodes within their face, edge
//! nodes along their edge); mid-edge nodes of quadratic elements are then put back at the
//! midpoints of their straight edges. The elements are general (non-parallelepiped)
//! hexahedra and irregular tetrahedra, and every Jacobian is checked positive. The material
//! is orthotropic cortical bone (Ashman 1984), so that the whole 6 × 6 D-matrix counts.
//!
//! - **Displacement patch**: u = a + B x with all nine gradient components non-zero is
//!   prescribed on every boundary node; the interior nodes must reproduce it to 1e-10
//!   (relative to max |u|) and the stress at every integration point must be D ε(B) to
//!   1e-8 (relative to max |σ|).
//! - **Traction patch**: a constant stress σ₀ with all six components non-zero, applied as
//!   the uniform tractions t = σ₀ n on the six faces, with the statically determinate
//!   3-2-1 supports at three box corners. The exact displacement is u = ε₀ x + ω × x with
//!   ε₀ = S σ₀ and the rotation ω the supports impose (ω_x = −ε_yz, ω_y = ε_xz,
//!   ω_z = −ε_xy); the same tolerances.
//!
//! Conforming elements with exact integration of the constant-strain terms pass both on
//! such meshes: Tet4 and Tet10 (affine), Hex8 and Hex20/Hex20R with straight edges
//! (trilinear geometry; the 2×2×2 rule integrates adj(J) ∂N/∂ξ exactly).

use osteon_assembly::{DirichletBc, LoadCase, Model, TractionLoad};
use osteon_material::{Material, library};
use osteon_mesh::generate::{BoxSpec, box_mesh};
use osteon_mesh::{ElementType, Mesh, check_jacobians};

use crate::support::{
    Backend, CaseError, CaseResult, CheckResult, SplitMix64, node_at, solve_single, surface_faces,
    worst_pair,
};

/// Box size (mm).
const SIZE: [f64; 3] = [2.0, 1.5, 1.0];
/// Cells per direction.
const CELLS: [usize; 3] = [3, 3, 3];
/// Tolerance on displacements, relative to max |u|.
const TOL_U: f64 = 1e-10;
/// Tolerance on stresses, relative to max |σ|.
const TOL_S: f64 = 1e-8;

/// A distorted box mesh of `etype` (see the module docs); `seed` picks the distortion.
pub fn distorted_box(etype: ElementType, seed: u64) -> Result<Mesh, CaseError> {
    let mut mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: SIZE,
        cells: CELLS,
        element: etype,
    })?;
    let nc = etype.n_corners();
    let mut is_corner = vec![false; mesh.n_nodes()];
    for el in mesh.elements() {
        for &n in &el.nodes[..nc] {
            is_corner[n] = true;
        }
    }
    let mut rng = SplitMix64::new(seed);
    let tol = 1e-12;
    for (n, corner) in is_corner.iter().enumerate() {
        if !corner {
            continue;
        }
        let x = mesh.coords[n];
        for k in 0..3 {
            let on_boundary = x[k].abs() < tol || (x[k] - SIZE[k]).abs() < tol;
            let shift = 0.2 * SIZE[k] / CELLS[k] as f64 * rng.symmetric();
            if !on_boundary {
                mesh.coords[n][k] += shift;
            }
        }
    }
    // mid-edge nodes back to the midpoints of their (now moved) straight edges
    if etype.is_quadratic() {
        let natural = etype.node_coords();
        let mut pairs = Vec::new();
        for (a, xa) in natural.iter().enumerate().skip(nc) {
            let pair = (0..nc)
                .flat_map(|i| (i + 1..nc).map(move |j| (i, j)))
                .find(|&(i, j)| {
                    (0..3).all(|k| (0.5 * (natural[i][k] + natural[j][k]) - xa[k]).abs() < 1e-14)
                })
                .ok_or_else(|| {
                    CaseError::Setup(format!("{etype}: node {a} is not an edge midpoint"))
                })?;
            pairs.push((a, pair));
        }
        let mut updates = Vec::new();
        for el in mesh.elements() {
            for &(a, (i, j)) in &pairs {
                let (xi, xj) = (mesh.coords[el.nodes[i]], mesh.coords[el.nodes[j]]);
                updates.push((
                    el.nodes[a],
                    std::array::from_fn::<f64, 3, _>(|k| 0.5 * (xi[k] + xj[k])),
                ));
            }
        }
        for (n, x) in updates {
            mesh.coords[n] = x;
        }
    }
    check_jacobians(&mesh)?;
    Ok(mesh)
}

fn patch_material() -> Material {
    library::cortical_bone_orthotropic_ashman1984()
}

fn model_of(mesh: Mesh) -> Result<(Model, [[f64; 6]; 6]), CaseError> {
    let mut model = Model::new(mesh);
    let material = patch_material();
    let d = material.stiffness();
    let m = model.add_material(material);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    Ok((model, d))
}

fn voigt_mul(d: &[[f64; 6]; 6], v: &[f64; 6]) -> [f64; 6] {
    std::array::from_fn(|r| (0..6).map(|c| d[r][c] * v[c]).sum())
}

fn max_abs(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0, |a: f64, v| a.max(v.abs()))
}

/// Displacement patch test on the distorted mesh of `etype`.
pub fn displacement_patch(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    let case = "7 patch, displacement";
    let (mut model, d) = model_of(distorted_box(etype, 0x05_7E_0A)?)?;
    let a = [1.0e-3, -2.0e-3, 1.5e-3];
    let g = [
        [1.0e-3, 0.4e-3, -0.3e-3],
        [0.2e-3, -0.7e-3, 0.5e-3],
        [-0.6e-3, 0.3e-3, 0.9e-3],
    ];
    let exact = |x: [f64; 3]| -> [f64; 3] {
        std::array::from_fn(|i| a[i] + (0..3).map(|j| g[i][j] * x[j]).sum::<f64>())
    };
    let mut boundary: Vec<usize> = Vec::new();
    for set in ["XMIN", "XMAX", "YMIN", "YMAX", "ZMIN", "ZMAX"] {
        boundary.extend_from_slice(model.mesh.node_set(set)?);
    }
    boundary.sort_unstable();
    boundary.dedup();
    for &n in &boundary {
        let u = exact(model.mesh.coords[n]);
        for (c, &value) in u.iter().enumerate() {
            model.boundary.push(DirichletBc {
                node: n,
                component: c,
                value,
            });
        }
    }
    model.load_cases.push(LoadCase::new("linear field"));
    let sol = solve_single(backend, &model)?;
    let mesh = &model.mesh;
    let disp = &sol.displacement;
    let interior: Vec<usize> = (0..mesh.n_nodes())
        .filter(|n| boundary.binary_search(n).is_err())
        .collect();
    if interior.is_empty() {
        return Err(CaseError::Setup("the patch has no interior node".into()));
    }
    let u_scale = max_abs(mesh.coords.iter().flat_map(|&x| exact(x)));
    let pairs = interior.iter().flat_map(|&n| {
        let e = exact(mesh.coords[n]);
        (0..3).map(move |k| (disp[n][k], e[k]))
    });
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, 0.0));
    let mut out = vec![CheckResult::scaled(
        case,
        etype,
        "u at interior nodes, worst comp. (mm)",
        c,
        r,
        u_scale,
        TOL_U,
    )];
    let eps = [
        g[0][0],
        g[1][1],
        g[2][2],
        g[0][1] + g[1][0],
        g[1][2] + g[2][1],
        g[0][2] + g[2][0],
    ];
    let sigma = voigt_mul(&d, &eps);
    let (c, r) = stress_worst(&sol.fields.point_stress, &sigma);
    out.push(CheckResult::scaled(
        case,
        etype,
        "stress = D eps at all points, worst (MPa)",
        c,
        r,
        max_abs(sigma),
        TOL_S,
    ));
    Ok(out)
}

fn stress_worst(points: &[[f64; 6]], sigma: &[f64; 6]) -> (f64, f64) {
    worst_pair(
        points
            .iter()
            .flat_map(|s| (0..6).map(move |k| (s[k], sigma[k]))),
    )
    .unwrap_or((f64::NAN, 0.0))
}

/// Traction (force-driven) patch test on the distorted mesh of `etype`.
pub fn traction_patch(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    let case = "7 patch, traction";
    let (mut model, _) = model_of(distorted_box(etype, 0x7A_C7_10)?)?;
    let s0 = [10.0, -5.0, 7.0, 3.0, -2.0, 4.0];
    let tensor = [
        [s0[0], s0[3], s0[5]],
        [s0[3], s0[1], s0[4]],
        [s0[5], s0[4], s0[2]],
    ];
    let mut load = LoadCase::new("constant stress");
    for (name, normal) in [
        ("XMIN", [-1.0, 0.0, 0.0]),
        ("XMAX", [1.0, 0.0, 0.0]),
        ("YMIN", [0.0, -1.0, 0.0]),
        ("YMAX", [0.0, 1.0, 0.0]),
        ("ZMIN", [0.0, 0.0, -1.0]),
        ("ZMAX", [0.0, 0.0, 1.0]),
    ] {
        let t: [f64; 3] = std::array::from_fn(|i| (0..3).map(|j| tensor[i][j] * normal[j]).sum());
        for face in surface_faces(&model.mesh, name)? {
            load.tractions.push(TractionLoad { face, traction: t });
        }
    }
    let p0 = node_at(&model.mesh, [0.0; 3])?;
    let p1 = node_at(&model.mesh, [SIZE[0], 0.0, 0.0])?;
    let p2 = node_at(&model.mesh, [0.0, SIZE[1], 0.0])?;
    model.fix(&[p0], &[0, 1, 2]);
    model.fix(&[p1], &[1, 2]);
    model.fix(&[p2], &[2]);
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;

    let s = patch_material().compliance()?;
    let e = voigt_mul(&s, &s0);
    // tensor strain (half the engineering shears) and the rotation the supports impose
    let eps = [
        [e[0], 0.5 * e[3], 0.5 * e[5]],
        [0.5 * e[3], e[1], 0.5 * e[4]],
        [0.5 * e[5], 0.5 * e[4], e[2]],
    ];
    let w = [-eps[1][2], eps[0][2], -eps[0][1]];
    let exact = |x: [f64; 3]| -> [f64; 3] {
        let rot = [
            w[1] * x[2] - w[2] * x[1],
            w[2] * x[0] - w[0] * x[2],
            w[0] * x[1] - w[1] * x[0],
        ];
        std::array::from_fn(|i| (0..3).map(|j| eps[i][j] * x[j]).sum::<f64>() + rot[i])
    };
    let mesh = &model.mesh;
    let disp = &sol.displacement;
    let u_scale = max_abs(mesh.coords.iter().flat_map(|&x| exact(x)));
    let pairs = (0..mesh.n_nodes()).flat_map(|n| {
        let ex = exact(mesh.coords[n]);
        (0..3).map(move |k| (disp[n][k], ex[k]))
    });
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, 0.0));
    let mut out = vec![CheckResult::scaled(
        case,
        etype,
        "u = S sigma0 x + w x x at all nodes, worst (mm)",
        c,
        r,
        u_scale,
        TOL_U,
    )];
    let (c, r) = stress_worst(&sol.fields.point_stress, &s0);
    out.push(CheckResult::scaled(
        case,
        etype,
        "stress = sigma0 at all points, worst (MPa)",
        c,
        r,
        max_abs(s0),
        TOL_S,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distortion_keeps_the_box_and_moves_interior_nodes() {
        for t in ElementType::ALL {
            let plain = box_mesh(&BoxSpec {
                origin: [0.0; 3],
                size: SIZE,
                cells: CELLS,
                element: t,
            })
            .expect("box");
            let m = distorted_box(t, 1).expect("valid distortion");
            assert!(
                (m.volume() - SIZE[0] * SIZE[1] * SIZE[2]).abs() < 1e-12,
                "{t}"
            );
            let moved = (0..m.n_nodes())
                .filter(|&n| m.coords[n] != plain.coords[n])
                .count();
            assert!(moved > m.n_nodes() / 4, "{t}: only {moved} nodes moved");
            for &n in m.node_set("XMAX").expect("XMAX") {
                assert!((m.coords[n][0] - SIZE[0]).abs() < 1e-14);
            }
        }
    }
}
