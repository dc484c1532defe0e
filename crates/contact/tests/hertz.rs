//! Proof 2: Hertz contact of a cylinder on a flat block in plane strain (u_z = 0 everywhere),
//! frictionless, identical materials. Hertz (Johnson, *Contact Mechanics*, 1985, §4.2):
//!
//! a = √(4 P' R / (π E*)),  p₀ = 2 P' / (π a),  1/E* = 2 (1 − ν²)/E,
//!
//! with P' the force per unit length, measured from the reactions. The cylinder is a thick
//! half ring (radius R, bore 0.3 R) pressed down through its diametral plane; meshes are
//! graded towards the contact. The half-width is taken from a least-squares fit of
//! p² = p₀² (1 − x²/a²) to the nodal pressures in contact (robust to the nodal spacing), the
//! peak pressure is the largest nodal pressure.
//!
//! The slave (cylinder) mesh is finer than the master (block) mesh at the contact, as
//! node-to-surface contact needs: the other way round the nodal pressures oscillate by ±15 %.
//! Coarse mesh (8 k unknowns, tolerance 10 %) and refined mesh (42 k unknowns, 5 %; about
//! 2 s in release) both run by default. `HERTZ_DEBUG=1` prints the pressure profile.

mod common;

use common::*;
use osteon_assembly::{LoadCase, Model};
use osteon_contact::{
    ContactPair, ContactProblem, NormalBehaviour, SurfaceInteraction, solve_contact,
};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{StructuredSpec, structured_mesh};

const R: f64 = 10.0;
const E: f64 = 10_000.0;
const NU: f64 = 0.3;
const PRESS: f64 = 0.04; // mm

/// Grading towards q = 1: slope `gamma` there.
fn towards_end(q: f64, gamma: f64) -> f64 {
    let w = 1.0 - q;
    1.0 - (gamma * w + (1.0 - gamma) * w * w * w)
}

/// Grading towards s = 0 on [−1, 1]: slope `beta` there.
fn towards_middle(s: f64, beta: f64) -> f64 {
    beta * s + (1.0 - beta) * s * s * s
}

struct Result {
    force_per_length: f64,
    peak: f64,
    half_width: f64,
    hertz_peak: f64,
    hertz_half_width: f64,
}

fn run(cells_around: usize, cells_radial: usize, label: &str) -> Result {
    let length = 1.0;
    let cylinder = structured_mesh(
        &StructuredSpec {
            cells: [cells_radial, cells_around, 1],
            element: ElementType::Hex8,
            periodic: [false; 3],
            face_names: [["INNER", "OUTER"], ["T0", "T1"], ["Z0", "Z1"]],
        },
        |p| {
            let r = 0.3 * R + 0.7 * R * towards_end(p[0], 0.1);
            let t = 1.5 * std::f64::consts::PI
                + 0.5 * std::f64::consts::PI * towards_middle(2.0 * p[1] - 1.0, 0.15);
            [r * t.cos(), r * t.sin(), length * p[2]]
        },
    )
    .expect("cylinder mesh");
    let block = structured_mesh(
        &StructuredSpec {
            cells: [cells_around, cells_radial, 1],
            element: ElementType::Hex8,
            periodic: [false; 3],
            face_names: [["XMIN", "XMAX"], ["YMIN", "YMAX"], ["Z0", "Z1"]],
        },
        |p| {
            [
                R * towards_middle(2.0 * p[0] - 1.0, 0.3),
                -R - R * (1.0 - towards_end(p[1], 0.1)),
                length * p[2],
            ]
        },
    )
    .expect("block mesh");
    let (mesh, no, eo) = merge(&cylinder, &block, 100_000);
    let mut model = Model::new(mesh);
    let steel = model.add_material(isotropic("m", E, NU));
    model.add_section("ALL", (0..model.mesh.n_elements()).collect(), steel);
    let all: Vec<usize> = (0..model.mesh.n_nodes()).collect();
    model.fix(&all, &[2]);
    model.fix(&shifted_nodes(&block, "YMIN", no), &[0, 1]);
    let mut top: Vec<usize> = cylinder.node_set("T0").expect("T0").to_vec();
    top.extend_from_slice(cylinder.node_set("T1").expect("T1"));
    let mut press = LoadCase::new("press");
    press.boundary = prescribe(&top, [Some(0.0), Some(-PRESS), None]);
    let pair = ContactPair {
        interaction: SurfaceInteraction {
            normal: NormalBehaviour::Hard {
                penalty_factor: 10.0,
                penetration_tolerance: None,
            },
            friction: None,
        },
        ..ContactPair::new(
            "hertz",
            faces(&cylinder, "OUTER"),
            shifted_faces(&block, "YMAX", eo),
            0.0,
        )
    };
    let model = common::with_pairs(&model, vec![pair]);
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = vec![press];
    let start = std::time::Instant::now();
    let solution = solve_contact(&problem).expect("converges");
    let seconds = start.elapsed().as_secs_f64();
    for log in solution.increments() {
        println!("{log}");
    }
    let force_per_length = -solution.steps[0].reaction_sum(&top)[1] / length;
    let pair = &solution.contact(0).expect("contact state").pairs[0];
    // nodes on z = 0 in contact: (x, p)
    let profile: Vec<(f64, f64)> = pair
        .nodes
        .iter()
        .filter(|n| model.mesh.coords[n.node][2].abs() < 1e-9 && n.pressure > 0.0)
        .map(|n| (model.mesh.coords[n.node][0], n.pressure))
        .collect();
    let peak = profile.iter().map(|q| q.1).fold(0.0, f64::max);
    if std::env::var("HERTZ_DEBUG").is_ok() {
        println!(
            "normal force {} N, reaction {} N",
            pair.normal_force,
            force_per_length * length
        );
        for n in pair
            .nodes
            .iter()
            .filter(|n| model.mesh.coords[n.node][2].abs() < 1e-9 && n.pressure > 0.0)
        {
            println!(
                "x {:.4} p {:.3} area {:.5} gap {:.3e}",
                model.mesh.coords[n.node][0], n.pressure, n.area, n.gap
            );
        }
    }
    // least squares p² = c0 + c1 x²
    let m = profile.len() as f64;
    let (sx, sy, sxx, sxy) = profile.iter().fold((0.0, 0.0, 0.0, 0.0), |acc, &(x, p)| {
        let (u, v) = (x * x, p * p);
        (acc.0 + u, acc.1 + v, acc.2 + u * u, acc.3 + u * v)
    });
    let c1 = (m * sxy - sx * sy) / (m * sxx - sx * sx);
    let c0 = (sy - c1 * sx) / m;
    let half_width = (-c0 / c1).sqrt();
    let e_star = E / (2.0 * (1.0 - NU * NU));
    let hertz_half_width = (4.0 * force_per_length * R / (std::f64::consts::PI * e_star)).sqrt();
    let hertz_peak = 2.0 * force_per_length / (std::f64::consts::PI * hertz_half_width);
    let outermost = profile.iter().map(|q| q.0.abs()).fold(0.0, f64::max);
    println!(
        "Hertz {label} ({} unknowns, {seconds:.2} s): P' = {force_per_length:.3} N/mm; peak pressure {peak:.3} MPa vs Hertz {hertz_peak:.3} MPa ({:+.2} %); half-width (fit) {half_width:.4} mm vs Hertz {hertz_half_width:.4} mm ({:+.2} %); {} nodes in contact per line, outermost at |x| = {outermost:.4} mm",
        solution.n_unknowns,
        100.0 * (peak / hertz_peak - 1.0),
        100.0 * (half_width / hertz_half_width - 1.0),
        profile.len()
    );
    Result {
        force_per_length,
        peak,
        half_width,
        hertz_peak,
        hertz_half_width,
    }
}

#[test]
fn hertz_cylinder_on_flat_coarse() {
    let r = run(60, 16, "coarse");
    assert!(r.force_per_length > 0.0);
    assert!((r.peak / r.hertz_peak - 1.0).abs() < 0.10);
    assert!((r.half_width / r.hertz_half_width - 1.0).abs() < 0.10);
}

#[test]
fn hertz_cylinder_on_flat_refined() {
    let r = run(160, 32, "refined");
    assert!((r.peak / r.hertz_peak - 1.0).abs() < 0.05);
    assert!((r.half_width / r.hertz_half_width - 1.0).abs() < 0.05);
}
