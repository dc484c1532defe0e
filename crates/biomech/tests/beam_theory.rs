//! The intact tibia surrogate with a prismatic diaphysis against beam theory: the twist rate
//! under a pure torque against Saint-Venant torsion (θ' = T / (G J)) and the curvature under
//! a pure bending moment against Euler–Bernoulli bending (κ = M / (E I)). The issue asks for
//! 2 %; measured at the 3 mm mesh: torsion 0.001 %, bending 0.0003 %, so the tests hold the
//! tighter 0.1 % to catch a regression.
//!
//! The section is an ellipse (a, b) minus the ellipse (a − t, b − t) of a constant wall t.
//! Bending: I_x = π/4 (a b³ − a_i b_i³), I_y = π/4 (a³ b − a_i³ b_i), exact for it.
//! Torsion: Saint-Venant's solution is exact for a circular tube, J = π/2 (r_o⁴ − r_i⁴), and
//! for a hollow ellipse bounded by similar ellipses, J = π a³ b³ / (a² + b²) (1 − k⁴)
//! (Timoshenko & Goodier, Theory of Elasticity, torsion of elliptic and hollow bars). A
//! constant-wall elliptic tube is neither; its rigidity lies between those of the two
//! similar-ellipse tubes whose holes contain and are contained in its own (filling part of
//! a hole raises the torsional rigidity), which is what the test asserts for it.
//!
//! The cortex is transversely isotropic about z (the study's default), so torsion about z is
//! carried by G_xz = G_yz and bending by E_z, read from the material's compliance. Loads: a
//! torque or moment at the plateau through the distributing coupling, the ankle held by the
//! default coupling support; rotations are the rigid-motion fits of two node layers in the
//! middle of the shaft, far (≥ 4 diameters) from both ends.

use osteon_assembly::{
    LoadCase, RigidMotion, SolveOptions, StepSolution, Wrench, distribute_wrench,
    solve_linear_static,
};
use osteon_biomech::{
    BoneSpec, DefectSpec, ImplantSpec, LoadSpec, MeshSpec, StudyMaterials, TibiaGeometry,
    build_reconstruction,
};
use std::f64::consts::PI;

/// A prismatic surrogate: outer semi-axes `[a, b]`, wall `t`, no flare, no cancellous bone.
fn prismatic(a: f64, b: f64, t: f64) -> TibiaGeometry {
    TibiaGeometry {
        diaphysis_outer_semi_axes_mm: [a, b],
        diaphysis_wall_mm: t,
        proximal_outer_width_mm: [2.0 * a, 2.0 * b],
        proximal_wall_mm: t,
        distal_outer_width_mm: [2.0 * a, 2.0 * b],
        distal_wall_mm: t,
        cancellous_metaphyses: false,
        ..TibiaGeometry::default()
    }
}

/// The intact surrogate under three unit wrenches at the plateau centre — torque about z,
/// moments about x and y (N·mm) — and the node layers of the model's z stations.
struct Solved {
    coords: Vec<[f64; 3]>,
    cases: Vec<StepSolution>,
    stations: Vec<f64>,
    /// E_z and G_xz, G_yz of the cortex (MPa).
    e_z: f64,
    g: [f64; 2],
}

const MOMENT: f64 = 1.0e4;

fn solve(g: &TibiaGeometry) -> Solved {
    let mesh_spec = MeshSpec {
        size_mm: 3.0,
        ..MeshSpec::default()
    };
    let implant = ImplantSpec::default();
    let rec =
        build_reconstruction(g, &DefectSpec::default(), &implant, &mesh_spec).expect("builds");
    let materials = StudyMaterials::new(&BoneSpec::default(), &implant).expect("materials");
    let loads = LoadSpec {
        fractions: Vec::new(),
        activities: Vec::new(),
        ..LoadSpec::default()
    };
    let mut model = rec.intact_model(&materials, &loads).expect("model");
    let mut plateau: Vec<usize> = ["PLATEAU_MEDIAL", "PLATEAU_LATERAL"]
        .iter()
        .flat_map(|s| model.mesh.node_set(s).expect("plateau").to_vec())
        .collect();
    plateau.sort_unstable();
    plateau.dedup();
    let weights = vec![1.0; plateau.len()];
    let centre = [0.0, 0.0, g.length_mm];
    model.load_cases = [[0.0, 0.0, MOMENT], [MOMENT, 0.0, 0.0], [0.0, MOMENT, 0.0]]
        .iter()
        .map(|&moment| {
            let mut case = LoadCase::new("unit moment");
            case.nodal_loads = distribute_wrench(
                "plateau",
                &model.mesh.coords,
                &plateau,
                &weights,
                &Wrench {
                    force: [0.0; 3],
                    moment,
                    point: centre,
                },
            )
            .expect("wrench");
            case
        })
        .collect();
    let sol = solve_linear_static(
        &model,
        &SolveOptions {
            threads: 2,
            ..SolveOptions::default()
        },
    )
    .expect("solves");
    let s = materials.cortical.compliance().expect("compliance");
    Solved {
        coords: model.mesh.coords.clone(),
        cases: sol.cases,
        stations: rec.z_stations.clone(),
        e_z: 1.0 / s[2][2],
        g: [1.0 / s[5][5], 1.0 / s[4][4]],
    }
}

impl Solved {
    /// The station nearest `z` (mm).
    fn station(&self, z: f64) -> f64 {
        self.stations
            .iter()
            .copied()
            .min_by(|a, b| (a - z).abs().total_cmp(&(b - z).abs()))
            .expect("stations")
    }

    /// The rotation vector (rad) of the node layer at station `z` in case `k`.
    fn rotation(&self, k: usize, z: f64) -> [f64; 3] {
        let nodes: Vec<usize> = (0..self.coords.len())
            .filter(|&n| (self.coords[n][2] - z).abs() < 1e-7)
            .collect();
        assert!(nodes.len() > 8, "a node layer at z = {z}");
        let x: Vec<[f64; 3]> = nodes.iter().map(|&n| self.coords[n]).collect();
        let u: Vec<[f64; 3]> = nodes
            .iter()
            .map(|&n| self.cases[k].displacement[n])
            .collect();
        RigidMotion::fit(&x, &u, None).expect("fit").rotation
    }

    /// Rate of rotation about axis `axis` in case `k` between z = 120 and 240 mm (rad/mm).
    fn rate(&self, k: usize, axis: usize) -> f64 {
        let (z1, z2) = (self.station(120.0), self.station(240.0));
        (self.rotation(k, z2)[axis] - self.rotation(k, z1)[axis]) / (z2 - z1)
    }
}

/// π/4 (a b³ − a_i b_i³) and π/4 (a³ b − a_i³ b_i) of the constant-wall tube (mm⁴).
fn second_moments(a: f64, b: f64, t: f64) -> [f64; 2] {
    let (ai, bi) = (a - t, b - t);
    [
        PI / 4.0 * (a * b.powi(3) - ai * bi.powi(3)),
        PI / 4.0 * (a.powi(3) * b - ai.powi(3) * bi),
    ]
}

/// Torsion constant of the hollow ellipse (a, b) with a similar hole of ratio k (mm⁴).
fn similar_ellipse_j(a: f64, b: f64, k: f64) -> f64 {
    PI * a.powi(3) * b.powi(3) / (a * a + b * b) * (1.0 - k.powi(4))
}

fn assert_bending(s: &Solved, a: f64, b: f64, t: f64) {
    let [ix, iy] = second_moments(a, b, t);
    for (k, axis, i) in [(1, 0, ix), (2, 1, iy)] {
        let fe = s.rate(k, axis);
        let beam = MOMENT / (s.e_z * i);
        let err = (fe - beam) / beam;
        eprintln!(
            "bending about axis {axis}: FE {fe:.6e} rad/mm, beam {beam:.6e}, {:.3} %",
            100.0 * err
        );
        assert!(
            err.abs() < 1e-3,
            "bending about {axis}: {:.3} %",
            100.0 * err
        );
    }
}

#[test]
fn circular_tube_twists_and_bends_as_saint_venant_and_euler_bernoulli() {
    let (r, t) = (14.0, 5.0);
    let s = solve(&prismatic(r, r, t));
    assert!((s.g[0] - s.g[1]).abs() < 1e-9 * s.g[0], "G_xz = G_yz");
    let j = PI / 2.0 * (r.powi(4) - (r - t).powi(4));
    let fe = s.rate(0, 2);
    let theory = MOMENT / (s.g[0] * j);
    let err = (fe - theory) / theory;
    eprintln!(
        "torsion: FE {fe:.6e} rad/mm, Saint-Venant {theory:.6e}, {:.3} %",
        100.0 * err
    );
    assert!(err.abs() < 1e-3, "torsion {:.3} %", 100.0 * err);
    assert_bending(&s, r, r, t);
}

#[test]
fn elliptic_tube_bends_as_euler_bernoulli_and_twists_between_the_similar_ellipse_bounds() {
    // the study's default diaphysis: 14 × 12.5 mm, wall 5 mm
    let (a, b, t) = (14.0, 12.5, 5.0);
    let s = solve(&prismatic(a, b, t));
    assert_bending(&s, a, b, t);
    // holes of the similar tubes: (a − t, (a − t) b / a) contains the true hole, and
    // ((b − t) a / b, b − t) is contained in it
    let j_low = similar_ellipse_j(a, b, (a - t) / a);
    let j_high = similar_ellipse_j(a, b, (b - t) / b);
    let fe = s.rate(0, 2);
    let (slow, fast) = (MOMENT / (s.g[0] * j_high), MOMENT / (s.g[0] * j_low));
    eprintln!("torsion: FE {fe:.6e} rad/mm within [{slow:.6e}, {fast:.6e}]");
    // strictly inside: measured 2.2 % from the stiff bound and 2.6 % from the soft one
    assert!(fe > slow && fe < fast, "{fe} not in [{slow}, {fast}]");
}
