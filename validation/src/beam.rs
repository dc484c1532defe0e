//! Cases 2 and 3: slender beams against Timoshenko beam theory.
//!
//! Both use the same prismatic beam: 0 ≤ x ≤ L = 100 mm, width b = 5 mm (y), depth
//! h = 10 mm (z), so L/h = 10; cortical bone, E = 17000 MPa, ν = 0.3, G = E / (2(1 + ν)).
//! I = b h³ / 12, A = b h, and Cowper's shear coefficient for a rectangle
//! κ = 10(1 + ν) / (12 + 11ν) (Cowper, J. Appl. Mech. 33 (1966) 335; Timoshenko & Gere,
//! *Mechanics of Materials*, shear deformations of beams, uses κ = 5/6).
//!
//! Bending stress is read at a section through the integration points: the σ_xx values of
//! the points within one cell of the section are fitted by least squares with
//! σ = c₀ + c₁ζ + c₂ξ + c₃ξζ + c₄ξ² + c₅ξ²ζ (ξ = (x − x₀)/Δx, ζ = (z − h/2)/(h/2)), a field
//! that holds the beam-theory stress exactly, and the fit is evaluated at the fibre
//! ζ = ±1 of the section. This measures the element's stress field, not the nodal
//! averaging, which for a one-point Tet4 would understate the surface value by the
//! distance from the element centroids to the surface.

use osteon_assembly::{LoadCase, Model, PressureLoad, StepSolution};
use osteon_material::library;
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

use crate::support::{
    Backend, CaseError, CaseResult, CheckResult, isotropic_constants, least_squares, node_at,
    solve_single, surface_faces, traction_loads,
};

/// Beam length (mm).
pub const L: f64 = 100.0;
/// Width along y (mm).
pub const B: f64 = 5.0;
/// Depth along z (mm).
pub const H: f64 = 10.0;

/// Cowper's shear coefficient of a rectangular section, κ = 10(1 + ν)/(12 + 11ν).
pub fn cowper_kappa_rectangle(nu: f64) -> f64 {
    10.0 * (1.0 + nu) / (12.0 + 11.0 * nu)
}

/// Cells (x, y, z) per element type: quadratic elements need few; the linear ones are
/// stiff in bending (parasitic shear in Hex8, the constant-strain Tet4), so they get a much
/// finer mesh (Tet4: 96000 elements, Hex8: 4000).
pub fn beam_cells(etype: ElementType) -> [usize; 3] {
    match etype {
        ElementType::Tet4 => [200, 4, 20],
        ElementType::Hex8 => [100, 4, 10],
        ElementType::Tet10 | ElementType::Hex20 | ElementType::Hex20R => [40, 2, 6],
    }
}

/// Tolerances (deflection, bending stress) per element type, relative.
///
/// Quadratic elements: 1 %. The reference is beam theory, not the 3-D solution: the fully
/// clamped face is stiffer than Timoshenko's clamp (which leaves the section free to warp
/// and to contract), and a converged Hex20 run (80 × 4 × 16 cells, extrapolated) puts the
/// 3-D tip deflection 0.44 % below the beam value at L/h = 10, where the shear term itself
/// is 0.8 % of the deflection. The meshes add 0.1 % of discretisation error on top. Linear
/// elements carry their own discretisation error (parasitic shear of the fully integrated
/// Hex8, the constant-strain Tet4) even on these fine meshes: 2 % (Hex8) and 3 % (Tet4);
/// measured 1.1 % and 1.7 % on the cantilever.
fn beam_tolerances(etype: ElementType) -> (f64, f64) {
    match etype {
        ElementType::Tet4 => (0.03, 0.03),
        ElementType::Hex8 => (0.02, 0.02),
        _ => (0.01, 0.01),
    }
}

fn beam_model(etype: ElementType, cells: [usize; 3]) -> Result<(Model, f64, f64), CaseError> {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [L, B, H],
        cells,
        element: etype,
    })?;
    let mut model = Model::new(mesh);
    let bone = library::cortical_bone();
    let (e, nu) = isotropic_constants(&bone)?;
    let m = model.add_material(bone);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    Ok((model, e, nu))
}

/// Least-squares fit of σ_xx over the integration points with |x − x0| ≤ dx, evaluated at
/// the section x0 and the fibre ζ = `zeta` (−1 bottom, +1 top).
pub fn section_bending_stress(
    sol: &StepSolution,
    x0: f64,
    dx: f64,
    zeta: f64,
) -> Result<f64, CaseError> {
    let f = &sol.fields;
    let mut rows = Vec::new();
    let mut rhs = Vec::new();
    for (p, s) in f.point_position.iter().zip(&f.point_stress) {
        if (p[0] - x0).abs() <= dx {
            let xi = (p[0] - x0) / dx;
            let z = (p[2] - 0.5 * H) / (0.5 * H);
            rows.push(vec![1.0, z, xi, xi * z, xi * xi, xi * xi * z]);
            rhs.push(s[0]);
        }
    }
    let c = least_squares(&rows, &rhs).ok_or_else(|| {
        CaseError::Setup(format!(
            "too few integration points near x = {x0} mm for the stress fit"
        ))
    })?;
    Ok(c[0] + c[1] * zeta)
}

/// Case 2: cantilever clamped at x = 0 (all components of every node), tip shear P = 100 N
/// in −z on the face x = L, distributed as the parabolic shear stress of beam theory,
/// τ_xz = (3P / 2A)(1 − ζ²) (Timoshenko & Goodier, ch. 3, cantilever loaded at the end), so that the load matches the
/// theory's end section.
///
/// Tip deflection of the centroidal axis, Timoshenko beam (bending plus shear deflection, Timoshenko & Gere):
/// ```text
/// δ = P L³ / (3 E I) + P L / (κ G A)
/// ```
/// Bending stress at the section x₀ = L/2 (flexure formula, Timoshenko & Gere):
/// σ_xx = M c / I with M = P (L − x₀), c = h/2 (tension on top).
pub fn cantilever(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    cantilever_on(etype, beam_cells(etype), backend)
}

/// [`cantilever`] on a mesh of `cells` (x, y, z); y and z counts must be even.
pub fn cantilever_on(etype: ElementType, cells: [usize; 3], backend: &dyn Backend) -> CaseResult {
    let case = "2 cantilever tip shear";
    let (mut model, e, nu) = beam_model(etype, cells)?;
    let p = 100.0;
    let area = B * H;
    let clamp = model.mesh.node_set("XMIN")?.to_vec();
    model.fix(&clamp, &[0, 1, 2]);
    let mut load = LoadCase::new("tip shear");
    let tip = surface_faces(&model.mesh, "XMAX")?;
    load.nodal_loads = traction_loads(&model.mesh, &tip, |x| {
        let z = (x[2] - 0.5 * H) / (0.5 * H);
        [0.0, 0.0, -1.5 * p / area * (1.0 - z * z)]
    });
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;

    let i = B * H.powi(3) / 12.0;
    let g = e / (2.0 * (1.0 + nu));
    let kappa = cowper_kappa_rectangle(nu);
    let delta = p * L.powi(3) / (3.0 * e * i) + p * L / (kappa * g * area);
    let (tol_u, tol_s) = beam_tolerances(etype);
    let tip_node = node_at(&model.mesh, [L, 0.5 * B, 0.5 * H])?;
    let mut out = vec![CheckResult::relative(
        case,
        etype,
        "tip deflection -u_z, centroid (mm)",
        -sol.displacement[tip_node][2],
        delta,
        tol_u,
    )];
    let x0 = 0.5 * L;
    let dx = L / cells[0] as f64;
    let sigma = p * (L - x0) * (0.5 * H) / i;
    let top = section_bending_stress(&sol, x0, dx, 1.0)?;
    out.push(CheckResult::relative(
        case,
        etype,
        "sigma_xx top fibre at x = L/2 (MPa)",
        top,
        sigma,
        tol_s,
    ));
    Ok(out)
}

/// Case 3: simply supported beam under a uniform pressure q = 1 MPa on the top face
/// (line load q b). The end reactions are applied as the parabolic shear tractions of
/// beam theory, τ_xz = (3V / 2A)(1 − ζ²) upward with V = q b L / 2 on each end face, so
/// the load is self-equilibrated and the supports are only the statically determinate
/// 3-2-1 set at the end centroids (reactions zero to rounding). The deflection is that of
/// the centroid at midspan relative to the end centroids, as in Timoshenko & Goodier, ch. 3, bending of a beam by uniform load.
///
/// Timoshenko beam (Timoshenko & Gere; Roark's *Formulas for Stress and Strain*, Table 8.1,
/// uniform load on a simply supported span, plus the shear term):
/// ```text
/// δ = 5 q_l L⁴ / (384 E I) + q_l L² / (8 κ G A),   q_l = q b (N/mm)
/// σ_xx(bottom, midspan) = M c / I = 3 q L² / (4 h²),   M = q_l L² / 8
/// ```
/// The plane-stress elasticity solution (Timoshenko & Goodier, ch. 3) differs from these by
/// 0.17 % in the deflection and 0.27 % in the stress at L/h = 10.
pub fn simply_supported(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    simply_supported_on(etype, beam_cells(etype), backend)
}

/// [`simply_supported`] on a mesh of `cells` (x, y, z); all counts must be even.
pub fn simply_supported_on(
    etype: ElementType,
    cells: [usize; 3],
    backend: &dyn Backend,
) -> CaseResult {
    let case = "3 simply supported, pressure";
    let (mut model, e, nu) = beam_model(etype, cells)?;
    let q = 1.0;
    let area = B * H;
    let v = q * B * L / 2.0;
    let a = node_at(&model.mesh, [0.0, 0.5 * B, 0.5 * H])?;
    let b = node_at(&model.mesh, [L, 0.5 * B, 0.5 * H])?;
    let c = node_at(&model.mesh, [0.0, 0.5 * B, H])?;
    model.fix(&[a], &[0, 1, 2]);
    model.fix(&[b], &[1, 2]);
    model.fix(&[c], &[1]);
    let mut load = LoadCase::new("uniform pressure");
    for face in surface_faces(&model.mesh, "ZMAX")? {
        load.pressures.push(PressureLoad { face, pressure: q });
    }
    let mut ends = surface_faces(&model.mesh, "XMIN")?;
    ends.extend(surface_faces(&model.mesh, "XMAX")?);
    load.nodal_loads = traction_loads(&model.mesh, &ends, |x| {
        let z = (x[2] - 0.5 * H) / (0.5 * H);
        [0.0, 0.0, 1.5 * v / area * (1.0 - z * z)]
    });
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;

    let i = B * H.powi(3) / 12.0;
    let g = e / (2.0 * (1.0 + nu));
    let kappa = cowper_kappa_rectangle(nu);
    let ql = q * B;
    let delta = 5.0 * ql * L.powi(4) / (384.0 * e * i) + ql * L * L / (8.0 * kappa * g * area);
    let (tol_u, tol_s) = beam_tolerances(etype);
    let mid = node_at(&model.mesh, [0.5 * L, 0.5 * B, 0.5 * H])?;
    let u = &sol.displacement;
    let w = u[mid][2] - 0.5 * (u[a][2] + u[b][2]);
    let mut out = vec![CheckResult::relative(
        case,
        etype,
        "midspan deflection -u_z, centroid (mm)",
        -w,
        delta,
        tol_u,
    )];
    let dx = L / cells[0] as f64;
    let sigma = ql * L * L / 8.0 * (0.5 * H) / i;
    let bottom = section_bending_stress(&sol, 0.5 * L, dx, -1.0)?;
    out.push(CheckResult::relative(
        case,
        etype,
        "sigma_xx bottom fibre at midspan (MPa)",
        bottom,
        sigma,
        tol_s,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cowper_coefficient_is_near_five_sixths() {
        assert!((cowper_kappa_rectangle(0.0) - 10.0 / 12.0).abs() < 1e-15);
        assert!((cowper_kappa_rectangle(0.3) - 13.0 / 15.3).abs() < 1e-15);
    }
}
