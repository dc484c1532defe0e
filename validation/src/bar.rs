//! Case 1: a prismatic bar under a uniform end traction.
//!
//! Bar 0 ≤ x ≤ L = 20 mm, 0 ≤ y ≤ b = 4 mm, 0 ≤ z ≤ h = 3 mm of cortical bone
//! (E = 17000 MPa, ν = 0.3), traction σ = F/A on the face x = L with F = 600 N.
//! Supports are the three symmetry planes only: u_x = 0 on x = 0, u_y = 0 on y = 0,
//! u_z = 0 on z = 0. Nothing else holds the bar, so its sides contract freely and the
//! stress state is exactly uniaxial:
//!
//! ```text
//! σ_xx = F / A,   u_x = F x / (E A),   u_y = −ν F y / (E A),   u_z = −ν F z / (E A)
//! ```
//!
//! (Timoshenko & Goodier, *Theory of Elasticity*, 3rd ed., ch. 1, Hooke's law in simple
//! tension; Timoshenko & Gere, *Mechanics of Materials*, ch. 2, δ = F L / (E A).)
//!
//! The displacement field is linear, so every element type reproduces it exactly and the
//! consistent traction loads are exact: the checks hold to 1e-10 (rounding only). The
//! load is applied twice, as face tractions (`TractionLoad`, Abaqus `*DLOAD TRVEC`-like)
//! and as the same consistent nodal forces (`NodalLoad`, `*CLOAD`), which for quadratic
//! faces are *not* equal per node (a Quad8 corner carries −1/12 of its face's load, a Tri6
//! corner none).
//!
//! The second case, [`self_weight`], loads the same bar by its own weight (body force) and
//! checks the quadratic elasticity solution of a hanging bar.

use osteon_assembly::{Gravity, LoadCase, Model, TractionLoad};
use osteon_material::library;
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

use crate::support::{
    Backend, CaseResult, CheckResult, isotropic_constants, solve_single, surface_faces,
    traction_loads, worst_pair,
};

/// Bar length (mm).
const L: f64 = 20.0;
/// Width along y (mm).
const B: f64 = 4.0;
/// Height along z (mm).
const H: f64 = 3.0;
/// Axial force (N).
const F: f64 = 600.0;
/// Tolerance of the exact checks (rounding of a direct solve).
const EXACT: f64 = 1e-10;

/// How the end load is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndLoad {
    /// Uniform face traction σ = F/A on the faces of x = L.
    Traction,
    /// The consistent nodal forces of that traction, as concentrated loads.
    NodalForces,
}

/// The axial bar with element type `etype`, loaded both ways.
pub fn axial_bar(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    let mut out = axial_bar_with(etype, EndLoad::Traction, backend)?;
    out.extend(axial_bar_with(etype, EndLoad::NodalForces, backend)?);
    Ok(out)
}

/// The axial bar with element type `etype`: end displacement, uniform stress at every
/// integration point, lateral contraction in y and z, and the support reaction.
pub fn axial_bar_with(etype: ElementType, end_load: EndLoad, backend: &dyn Backend) -> CaseResult {
    let case = match end_load {
        EndLoad::Traction => "1 axial bar, traction",
        EndLoad::NodalForces => "1 axial bar, nodal forces",
    };
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [L, B, H],
        cells: [5, 2, 2],
        element: etype,
    })?;
    let mut model = Model::new(mesh);
    let bone = library::cortical_bone();
    let (e, nu) = isotropic_constants(&bone)?;
    let m = model.add_material(bone);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    for (set, comp) in [("XMIN", 0), ("YMIN", 1), ("ZMIN", 2)] {
        let nodes = model.mesh.node_set(set)?.to_vec();
        model.fix(&nodes, &[comp]);
    }
    let area = B * H;
    let sigma = F / area;
    let mut load = LoadCase::new("tension");
    let end = surface_faces(&model.mesh, "XMAX")?;
    match end_load {
        EndLoad::Traction => {
            for face in end {
                load.tractions.push(TractionLoad {
                    face,
                    traction: [sigma, 0.0, 0.0],
                });
            }
        }
        EndLoad::NodalForces => {
            load.nodal_loads = traction_loads(&model.mesh, &end, |_| [sigma, 0.0, 0.0])
        }
    }
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;
    let mesh = &model.mesh;
    let u = &sol.displacement;
    let mut out = Vec::new();

    // end displacement δ = F L / (E A) at every node of x = L
    let delta = F * L / (e * area);
    let xmax = mesh.node_set("XMAX")?;
    let (c, r) = worst_pair(xmax.iter().map(|&n| (u[n][0], delta))).unwrap_or((f64::NAN, delta));
    out.push(CheckResult::relative(
        case,
        etype,
        "u_x at x = L, worst node (mm)",
        c,
        r,
        EXACT,
    ));

    // uniform stress σ_xx = F/A, all other components 0, at every integration point
    let stress = &sol.fields.point_stress;
    let pairs = stress
        .iter()
        .flat_map(|s| (0..6).map(move |k| (s[k], if k == 0 { sigma } else { 0.0 })));
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, sigma));
    out.push(CheckResult::scaled(
        case,
        etype,
        "stress at all points, worst comp. (MPa)",
        c,
        r,
        sigma,
        EXACT,
    ));

    // lateral contraction −ν σ/E · width at y = b and −ν σ/E · height at z = h
    for (set, comp, size, axis) in [("YMAX", 1, B, "y"), ("ZMAX", 2, H, "z")] {
        let reference = -nu * sigma / e * size;
        let nodes = mesh.node_set(set)?;
        let (c, r) = worst_pair(nodes.iter().map(|&n| (u[n][comp], reference)))
            .unwrap_or((f64::NAN, reference));
        out.push(CheckResult::relative(
            case,
            etype,
            format!("u_{axis} at {axis} = {size}, worst node (mm)"),
            c,
            r,
            EXACT,
        ));
    }

    // the supports carry the load: Σ R_x on x = 0 equals −F
    let reaction = sol.reaction_sum(mesh.node_set("XMIN")?);
    out.push(CheckResult::relative(
        case,
        etype,
        "reaction sum R_x on x = 0 (N)",
        reaction[0],
        -F,
        EXACT,
    ));
    Ok(out)
}

/// Density of the bar in [`self_weight`] (t/mm³; cortical bone ≈ 1.9 g/cm³).
const RHO: f64 = 1.9e-9;
/// Acceleration of [`self_weight`] (mm/s²): 1000 g, so that stresses are of order 1 MPa.
const ACCEL: f64 = 9.81e6;

/// Case 1b: the bar hangs from x = 0 under its own weight, body force b = ρ a along +x.
///
/// The end x = 0 carries the reaction as the uniform traction t_x = −ρ a L (so that nothing
/// is clamped); u_y = 0 on y = 0, u_z = 0 on z = 0 and u_x = 0 at the origin remove the
/// rigid motions. Exact solution (Timoshenko & Goodier, *Theory of Elasticity*, 3rd ed.,
/// ch. 9, "stretching of a prismatic bar by its own weight", with x along the bar and the origin at the
/// support), with q = ρ a (N/mm³):
///
/// ```text
/// σ_xx = q (L − x),  all other stresses 0
/// u_x = q (L x − x²/2) / E − ν q (y² + z²) / (2E)
/// u_y = −ν q (L − x) y / E,   u_z = −ν q (L − x) z / E
/// ```
///
/// The field is quadratic, so Tet10, Hex20 and Hex20R reproduce it exactly (1e-10; the
/// reduced 2×2×2 rule still integrates Bᵀσ exactly for a linear σ on a box), on 10 × 2 × 2
/// cells. Tet4 and Hex8 cannot; on 20 × 4 × 4 cells their errors are the discretisation
/// error, with tolerances 1 % for the displacement (relative to max |u|) and 5 % for the
/// stress (relative to q L; the one-point Tet4 stress is the element mean of a linear
/// field, the Hex8 Gauss-point stress carries the parasitic terms of a trilinear field).
pub fn self_weight(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    let case = "1 bar, self-weight";
    let cells = if etype.is_quadratic() {
        [10, 2, 2]
    } else {
        [20, 4, 4]
    };
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [L, B, H],
        cells,
        element: etype,
    })?;
    let mut model = Model::new(mesh);
    let bone = library::cortical_bone().with_density(RHO);
    let (e, nu) = isotropic_constants(&bone)?;
    let m = model.add_material(bone);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    let ymin = model.mesh.node_set("YMIN")?.to_vec();
    let zmin = model.mesh.node_set("ZMIN")?.to_vec();
    model.fix(&ymin, &[1]);
    model.fix(&zmin, &[2]);
    let origin = crate::support::node_at(&model.mesh, [0.0; 3])?;
    model.fix(&[origin], &[0]);
    let q = RHO * ACCEL;
    let mut load = LoadCase::new("self-weight");
    load.gravity.push(Gravity {
        elements: None,
        acceleration: [ACCEL, 0.0, 0.0],
    });
    for face in surface_faces(&model.mesh, "XMIN")? {
        load.tractions.push(TractionLoad {
            face,
            traction: [-q * L, 0.0, 0.0],
        });
    }
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;
    let exact = |x: [f64; 3]| -> [f64; 3] {
        [
            q * (L * x[0] - 0.5 * x[0] * x[0]) / e
                - nu * q * (x[1] * x[1] + x[2] * x[2]) / (2.0 * e),
            -nu * q * (L - x[0]) * x[1] / e,
            -nu * q * (L - x[0]) * x[2] / e,
        ]
    };
    let (tol_u, tol_s) = match etype {
        ElementType::Tet4 | ElementType::Hex8 => (0.01, 0.05),
        _ => (EXACT, EXACT),
    };
    let mesh = &model.mesh;
    let u = &sol.displacement;
    let scale = mesh
        .coords
        .iter()
        .flat_map(|&x| exact(x))
        .fold(0.0, |a: f64, v| a.max(v.abs()));
    let pairs = (0..mesh.n_nodes()).flat_map(|n| {
        let ex = exact(mesh.coords[n]);
        (0..3).map(move |k| (u[n][k], ex[k]))
    });
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, 0.0));
    let mut out = vec![CheckResult::scaled(
        case,
        etype,
        "u at all nodes, worst comp. (mm, /max u)",
        c,
        r,
        scale,
        tol_u,
    )];
    let f = &sol.fields;
    let pairs = f
        .point_position
        .iter()
        .zip(&f.point_stress)
        .flat_map(|(x, s)| {
            let sxx = q * (L - x[0]);
            (0..6).map(move |k| (s[k], if k == 0 { sxx } else { 0.0 }))
        });
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, 0.0));
    out.push(CheckResult::scaled(
        case,
        etype,
        "stress at all points, worst comp. (MPa, /qL)",
        c,
        r,
        q * L,
        tol_s,
    ));
    let reaction = sol.reaction_sum(&[origin]);
    out.push(CheckResult::scaled(
        case,
        etype,
        "reaction R_x at the origin (N, /qLA)",
        reaction[0],
        0.0,
        q * L * B * H,
        EXACT,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::Direct;

    #[test]
    fn hex8_bar_is_exact() {
        let checks = axial_bar(ElementType::Hex8, &Direct).expect("solves");
        assert_eq!(checks.len(), 10);
        for c in &checks {
            assert!(c.passed(), "{c:?}");
        }
    }
}
