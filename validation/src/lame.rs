//! Case 5: Lamé's thick-walled cylinder under internal pressure, plane strain.
//!
//! A quarter of the cross-section, r_i = 5 mm ≤ r ≤ r_o = 10 mm, 0 ≤ θ ≤ π/2, one layer
//! 0 ≤ z ≤ 1.25 mm, built with `structured_mesh` through the polar map (mid-edge nodes on
//! the exact circles). Symmetry planes: u_y = 0 on θ = 0, u_x = 0 on θ = π/2; plane strain:
//! u_z = 0 on both faces z = 0 and z = t. Internal pressure p = 10 MPa as a `PressureLoad`
//! on the surface INNER. Cortical bone, E = 17000 MPa, ν = 0.3.
//!
//! Exact solution (Timoshenko & Goodier, *Theory of Elasticity*, 3rd ed., ch. 4, stress
//! distributions symmetrical about an axis; Roark's *Formulas for Stress and Strain*,
//! thick-walled cylinders, Table 13.5), with k = p r_i² / (r_o² − r_i²):
//!
//! ```text
//! u_r(r) = (1 + ν) k / E · [ (1 − 2ν) r + r_o² / r ]          (plane strain)
//! σ_r(r) = k (1 − r_o² / r²),   σ_θ(r) = k (1 + r_o² / r²),   σ_z = 2 ν k
//! ```
//!
//! Meshes: 8 × 16 × 1 cells (r, θ, z) for quadratic elements, 24 × 48 × 1 for linear ones.
//! Checked: u_r at every node of the inner and outer surface; σ_θ at every integration
//! point of the innermost element layer against σ_θ at that point's radius (error scaled
//! by σ_θ(r_i)); σ_θ from the nodal (extrapolated, averaged) stresses at r = r_i; the
//! volume mean of σ_z.
//!
//! Tolerances are the discretisation errors of these meshes with a margin: u_r 0.1 %
//! (quadratic), 0.2 % (Hex8), 1 % (Tet4); σ_θ at the points 1 %, 3 %, 10 % (the one-point
//! Tet4 holds a constant stress across a steep 1/r² gradient); nodal σ_θ at r_i 2 %, 5 %, 5 %
//! (extrapolation to the surface). The volume mean of σ_z is an identity of the discrete
//! equations: virtual work with v = x (in every element space) gives
//! Σ_points (σ_xx + σ_yy) dV = p ∮ x·n dA, and σ_z = ν(σ_xx + σ_yy) pointwise in a
//! one-layer plane-strain mesh; with polygons (or quadratic arcs) that are similar at r_i
//! and r_o this equals 2νk · V_h to rounding. It checks the consistent pressure loads on
//! the curved face and the plane-strain coupling, to 1e-8 (the curved Tet10 volume is
//! integrated by the 4-point rule, 3e-10).

use osteon_assembly::{LoadCase, Model, PressureLoad};
use osteon_material::library;
use osteon_mesh::generate::{StructuredSpec, structured_mesh};
use osteon_mesh::{ElementType, Mesh, MeshError};

use crate::support::{
    Backend, CaseResult, CheckResult, isotropic_constants, solve_single, surface_faces, worst_pair,
};

/// The plane-strain Lamé solution of a cylinder r_i ≤ r ≤ r_o under internal pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LameCylinder {
    /// Inner radius (mm).
    pub ri: f64,
    /// Outer radius (mm).
    pub ro: f64,
    /// Internal pressure (MPa).
    pub p: f64,
    /// Young's modulus (MPa).
    pub e: f64,
    /// Poisson's ratio.
    pub nu: f64,
}

impl LameCylinder {
    fn k(&self) -> f64 {
        self.p * self.ri * self.ri / (self.ro * self.ro - self.ri * self.ri)
    }

    /// Radial displacement u_r(r) (mm), plane strain.
    pub fn u_r(&self, r: f64) -> f64 {
        (1.0 + self.nu) * self.k() / self.e * ((1.0 - 2.0 * self.nu) * r + self.ro * self.ro / r)
    }

    /// Radial stress σ_r(r) (MPa).
    pub fn sigma_r(&self, r: f64) -> f64 {
        self.k() * (1.0 - self.ro * self.ro / (r * r))
    }

    /// Hoop stress σ_θ(r) (MPa).
    pub fn sigma_theta(&self, r: f64) -> f64 {
        self.k() * (1.0 + self.ro * self.ro / (r * r))
    }

    /// Axial stress σ_z (MPa) of plane strain, ν (σ_r + σ_θ).
    pub fn sigma_z(&self) -> f64 {
        2.0 * self.nu * self.k()
    }

    /// Displacement vector (mm) at x: u_r(r) e_r, u_z = 0.
    pub fn displacement(&self, x: [f64; 3]) -> [f64; 3] {
        let r = x[0].hypot(x[1]);
        let ur = self.u_r(r);
        [ur * x[0] / r, ur * x[1] / r, 0.0]
    }
}

/// Hoop stress σ_θ (MPa) of a Voigt stress at point x (polar angle from x, y).
pub fn hoop_stress(x: [f64; 3], s: &[f64; 6]) -> f64 {
    let t = x[1].atan2(x[0]);
    let (sn, cs) = t.sin_cos();
    s[0] * sn * sn + s[1] * cs * cs - 2.0 * s[3] * sn * cs
}

/// A quarter cylinder r_i ≤ r ≤ r_o, 0 ≤ θ ≤ π/2, 0 ≤ z ≤ t through the polar map of the
/// unit cube (p₀ → r, p₁ → θ, p₂ → z). Node sets and face surfaces INNER, OUTER, THETA0
/// (y = 0), THETA90 (x = 0), Z0, Z1.
pub fn quarter_cylinder(
    ri: f64,
    ro: f64,
    t: f64,
    cells: [usize; 3],
    etype: ElementType,
) -> Result<Mesh, MeshError> {
    structured_mesh(
        &StructuredSpec {
            cells,
            element: etype,
            periodic: [false; 3],
            face_names: [["INNER", "OUTER"], ["THETA0", "THETA90"], ["Z0", "Z1"]],
        },
        |p| {
            let r = ri + (ro - ri) * p[0];
            let th = std::f64::consts::FRAC_PI_2 * p[1];
            [r * th.cos(), r * th.sin(), t * p[2]]
        },
    )
}

const RI: f64 = 5.0;
const RO: f64 = 10.0;
const THICK: f64 = 1.25;
const PRESSURE: f64 = 10.0;

/// Cells (radial, circumferential, axial) of the quarter-ring mesh for `etype`: the same
/// nodal resolution for linear and quadratic elements.
pub fn lame_cells(etype: ElementType) -> [usize; 3] {
    if etype.is_quadratic() {
        [8, 16, 1]
    } else {
        [24, 48, 1]
    }
}

/// The Lamé case with element type `etype`.
pub fn thick_cylinder(etype: ElementType, backend: &dyn Backend) -> CaseResult {
    thick_cylinder_on(etype, lame_cells(etype), backend)
}

/// [`thick_cylinder`] on cells (r, θ, z).
pub fn thick_cylinder_on(
    etype: ElementType,
    cells: [usize; 3],
    backend: &dyn Backend,
) -> CaseResult {
    let case = "5 Lame cylinder, p_i";
    let mut model = Model::new(quarter_cylinder(RI, RO, THICK, cells, etype)?);
    let bone = library::cortical_bone();
    let (e, nu) = isotropic_constants(&bone)?;
    let m = model.add_material(bone);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    for (set, comps) in [
        ("THETA0", &[1][..]),
        ("THETA90", &[0][..]),
        ("Z0", &[2][..]),
        ("Z1", &[2][..]),
    ] {
        let nodes = model.mesh.node_set(set)?.to_vec();
        model.fix(&nodes, comps);
    }
    let mut load = LoadCase::new("internal pressure");
    for face in surface_faces(&model.mesh, "INNER")? {
        load.pressures.push(PressureLoad {
            face,
            pressure: PRESSURE,
        });
    }
    model.load_cases.push(load);
    let sol = solve_single(backend, &model)?;
    let exact = LameCylinder {
        ri: RI,
        ro: RO,
        p: PRESSURE,
        e,
        nu,
    };
    let (tol_u, tol_point, tol_nodal) = match etype {
        ElementType::Tet4 => (0.01, 0.10, 0.05),
        ElementType::Hex8 => (0.002, 0.03, 0.05),
        _ => (0.001, 0.01, 0.02),
    };
    let mesh = &model.mesh;
    let u = &sol.displacement;
    let radial = |n: usize| {
        let x = mesh.coords[n];
        let r = x[0].hypot(x[1]);
        (u[n][0] * x[0] + u[n][1] * x[1]) / r
    };
    let mut out = Vec::new();
    for (set, r, label) in [("INNER", RI, "r_i"), ("OUTER", RO, "r_o")] {
        let reference = exact.u_r(r);
        let nodes = mesh.node_set(set)?;
        let (c, rf) = worst_pair(nodes.iter().map(|&n| (radial(n), reference)))
            .unwrap_or((f64::NAN, reference));
        out.push(CheckResult::relative(
            case,
            etype,
            format!("u_r at {label}, worst node (mm)"),
            c,
            rf,
            tol_u,
        ));
    }
    let f = &sol.fields;
    let s_inner = exact.sigma_theta(RI);
    let layer = RI + (RO - RI) / cells[0] as f64;
    let pairs = f
        .point_position
        .iter()
        .zip(&f.point_stress)
        .filter(|(x, _)| x[0].hypot(x[1]) < layer)
        .map(|(x, s)| {
            let r = x[0].hypot(x[1]);
            (hoop_stress(*x, s), exact.sigma_theta(r))
        });
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, s_inner));
    out.push(CheckResult::scaled(
        case,
        etype,
        "sigma_th at points of inner layer, worst (MPa)",
        c,
        r,
        s_inner,
        tol_point,
    ));
    let inner = mesh.node_set("INNER")?;
    let pairs = inner
        .iter()
        .map(|&n| (hoop_stress(mesh.coords[n], &f.nodal_stress[n]), s_inner));
    let (c, r) = worst_pair(pairs).unwrap_or((f64::NAN, s_inner));
    out.push(CheckResult::relative(
        case,
        etype,
        "sigma_th at r_i, nodal, worst node (MPa)",
        c,
        r,
        tol_nodal,
    ));
    let sz = exact.sigma_z();
    let volume: f64 = f.point_volume.iter().sum();
    let mean = f
        .point_stress
        .iter()
        .zip(&f.point_volume)
        .map(|(s, v)| s[2] * v)
        .sum::<f64>()
        / volume;
    out.push(CheckResult::relative(
        case,
        etype,
        "sigma_z (plane strain), volume mean (MPa)",
        mean,
        sz,
        1e-8,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lame_solution_satisfies_its_boundary_conditions_and_equilibrium() {
        let c = LameCylinder {
            ri: 5.0,
            ro: 10.0,
            p: 10.0,
            e: 17000.0,
            nu: 0.3,
        };
        assert!((c.sigma_r(5.0) + 10.0).abs() < 1e-12);
        assert!(c.sigma_r(10.0).abs() < 1e-12);
        // dσ_r/dr + (σ_r − σ_θ)/r = 0
        let (r, h) = (7.0, 1e-5);
        let ds = (c.sigma_r(r + h) - c.sigma_r(r - h)) / (2.0 * h);
        assert!((ds + (c.sigma_r(r) - c.sigma_theta(r)) / r).abs() < 1e-8);
        // plane-strain Hooke: ε_θ = u_r / r = ((1 − ν²) σ_θ − ν (1 + ν) σ_r) / E
        let eps = ((1.0 - 0.09) * c.sigma_theta(r) - 0.3 * 1.3 * c.sigma_r(r)) / 17000.0;
        assert!((c.u_r(r) / r - eps).abs() < 1e-15);
        let s = [1.0, 2.0, 0.0, 0.5, 0.0, 0.0];
        // at θ = 0 the hoop direction is y
        assert!((hoop_stress([1.0, 0.0, 0.0], &s) - 2.0).abs() < 1e-15);
    }
}
