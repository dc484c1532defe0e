//! Case 4: torsion of a circular tube (Saint-Venant torsion of a circular section).
//!
//! Tube r_i = 5 mm, r_o = 10 mm, length L = 40 mm along z (the `tube_mesh` generator,
//! mid-edge nodes on the exact circles), cortical bone E = 17000 MPa, ν = 0.3. The end
//! z = 0 is clamped (u = 0 at every node); the end z = L carries the torque T = 2000 N·mm
//! as the tangential traction of the exact solution, τ_θz = T r / J, applied as consistent
//! nodal loads. For a circular section the exact displacement u_θ = φ(z) r, u_r = u_z = 0
//! vanishes on the clamped end too, so the clamp is compatible with the exact solution and
//! the twist is linear along the whole shaft (Timoshenko & Goodier, *Theory of Elasticity*,
//! ch. 10, torsion of a circular shaft; Timoshenko & Gere, *Mechanics of Materials*, ch. 3):
//!
//! ```text
//! φ(z) = T z / (G J),   J = π (r_o⁴ − r_i⁴) / 2,   τ_θz(r) = T r / J,   u_z = 0
//! ```
//!
//! Meshes (cells radial × around × axial): 2 × 24 × 8 for quadratic elements, 4 × 48 × 16
//! for Hex8, 6 × 64 × 24 for Tet4.
//!
//! The twist is read as the mean of u_θ / r = (x u_y − y u_x) / r² over the nodes of a
//! cross-section, at the loaded end z = L and at z = L/2; the shear stress from the nodal
//! stresses of the outer surface at z = L/2, τ_θz = −sin θ σ_xz + cos θ σ_yz.
//!
//! Tolerances (twist, stress): quadratic elements 0.5 % and 1 % (the stress is extrapolated
//! to the surface nodes); Hex8 1 % and 5 %; Tet4 3 % and 10 % — the constant-strain
//! tetrahedron is stiff in torsion (1.7 % on 6 × 64 × 24 cells, 1 % only at 8 × 96 × 32).
//! Hex8 is exact to rounding here: the exact field u = φ' z (−y, x, 0) is trilinear, and
//! on the polygonal facets the exact traction's consistent forces cancel node by node.

use osteon_assembly::{LoadCase, Model};
use osteon_material::library;
use osteon_mesh::ElementType;
use osteon_mesh::generate::{TubeSpec, tube_mesh};

use crate::support::{
    Backend, CaseResult, CheckResult, isotropic_constants, solve_single, surface_faces,
    traction_loads, worst_pair,
};

/// Inner radius (mm).
const RI: f64 = 5.0;
/// Outer radius (mm).
const RO: f64 = 10.0;
/// Length (mm).
const LEN: f64 = 40.0;
/// Torque (N·mm).
const TORQUE: f64 = 2000.0;

/// (cells radial, around, axial) per element type.
pub fn tube_cells(etype: ElementType) -> (usize, usize, usize) {
    match etype {
        ElementType::Tet4 => (6, 64, 24),
        ElementType::Hex8 => (4, 48, 16),
        _ => (2, 24, 8),
    }
}

/// The torsion case with element type `etype`.
pub fn circular_shaft(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    circular_shaft_on(etype, tube_cells(etype), backend)
}

/// [`circular_shaft`] on (cells radial, around, axial); the axial count must be even.
pub fn circular_shaft_on(
    etype: ElementType,
    (cr, ca, cz): (usize, usize, usize),
    backend: &dyn Backend,
) -> CaseResult {
    let case = "4 torsion, tube";
    let mesh = tube_mesh(&TubeSpec {
        inner_radius: RI,
        outer_radius: RO,
        length: LEN,
        cells_radial: cr,
        cells_around: ca,
        cells_axial: cz,
        element: etype,
    })?;
    let mut model = Model::new(mesh);
    let bone = library::cortical_bone();
    let (e, nu) = isotropic_constants(&bone)?;
    let m = model.add_material(bone);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    let clamp = model.mesh.node_set("Z0")?.to_vec();
    model.fix(&clamp, &[0, 1, 2]);
    let j = std::f64::consts::PI * (RO.powi(4) - RI.powi(4)) / 2.0;
    let mut load = LoadCase::new("torque");
    let end = surface_faces(&model.mesh, "Z1")?;
    // τ = (T / J) r e_θ = (T / J)(−y, x, 0)
    load.nodal_loads = traction_loads(&model.mesh, &end, |x| {
        [-TORQUE / j * x[1], TORQUE / j * x[0], 0.0]
    });
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;

    let g = e / (2.0 * (1.0 + nu));
    let (tol_phi, tol_tau) = match etype {
        ElementType::Tet4 => (0.03, 0.10),
        ElementType::Hex8 => (0.01, 0.05),
        _ => (0.005, 0.01),
    };
    let mesh = &model.mesh;
    let u = &sol.displacement;
    let twist = |z: f64| -> f64 {
        let nodes = mesh.nodes_where(|x| (x[2] - z).abs() < 1e-9 * LEN);
        let sum: f64 = nodes
            .iter()
            .map(|&n| {
                let x = mesh.coords[n];
                (x[0] * u[n][1] - x[1] * u[n][0]) / (x[0] * x[0] + x[1] * x[1])
            })
            .sum();
        sum / nodes.len().max(1) as f64
    };
    let mut out = Vec::new();
    for (z, label) in [(LEN, "z = L"), (0.5 * LEN, "z = L/2")] {
        let phi = TORQUE * z / (g * j);
        out.push(CheckResult::relative(
            case,
            etype,
            format!("twist angle at {label} (rad)"),
            twist(z),
            phi,
            tol_phi,
        ));
    }
    // warping: u_z = 0 for a circular section; measured against φ(L) r_o
    let scale = TORQUE * LEN / (g * j) * RO;
    let (c, r) = worst_pair(u.iter().map(|d| (d[2], 0.0))).unwrap_or((f64::NAN, 0.0));
    out.push(CheckResult::scaled(
        case,
        etype,
        "warping u_z, worst node (mm, /phi r_o)",
        c,
        r,
        scale,
        tol_phi,
    ));
    // shear stress on the outer surface at mid-length
    let tau = TORQUE * RO / j;
    let stress = &sol.fields.nodal_stress;
    let outer = mesh.node_set("OUTER")?;
    let pairs = outer
        .iter()
        .filter(|&&n| (mesh.coords[n][2] - 0.5 * LEN).abs() < 1e-9 * LEN)
        .map(|&n| {
            let x = mesh.coords[n];
            let t = x[1].atan2(x[0]);
            (-t.sin() * stress[n][5] + t.cos() * stress[n][4], tau)
        });
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, tau));
    out.push(CheckResult::relative(
        case,
        etype,
        "tau_thz at r_o, z = L/2, worst node (MPa)",
        c,
        r,
        tol_tau,
    ));
    Ok(out)
}
