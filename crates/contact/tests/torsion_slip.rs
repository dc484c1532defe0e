//! Friction capacity by hand (issue 13): a tube docked on a tube of the same material,
//! pressed axially by N, then twisted. Under a uniform contact pressure the interface can
//! carry at most T = μ N r_eff, r_eff = (2/3)(r_o³ − r_i³)/(r_o² − r_i²) (the pressure-weighted
//! mean radius of an annulus); below it the tubes hold, above it the upper tube spins and no
//! static equilibrium exists. The model's onset of gross slip must be within 5 % of it.

mod common;

use common::*;
use osteon_assembly::{LoadCase, Model, NodalLoad};
use osteon_contact::{
    ContactError, ContactOptions, ContactPair, ContactProblem, IncrementControl, solve_contact,
};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{TubeSpec, tube_mesh};

const MU: f64 = 0.5;
const PRESS: f64 = 0.004; // mm
const RI: f64 = 8.0; // mm
const RO: f64 = 12.0; // mm
const LEN: f64 = 10.0; // mm

struct Setup {
    model: Model,
    top: Vec<usize>,
}

fn setup() -> Setup {
    let spec = TubeSpec {
        inner_radius: RI,
        outer_radius: RO,
        length: LEN,
        cells_radial: 2,
        cells_around: 24,
        cells_axial: 3,
        element: ElementType::Hex8,
    };
    let lower = tube_mesh(&spec).expect("tube");
    let mut upper = tube_mesh(&spec).expect("tube");
    for x in &mut upper.coords {
        x[2] += LEN;
    }
    let (mesh, no, eo) = merge(&lower, &upper, 100_000);
    let slave = shifted_faces(&upper, "Z0", eo);
    let master = faces(&lower, "Z1");
    let top = shifted_nodes(&upper, "Z1", no);
    let bottom = lower.node_set("Z0").expect("Z0").to_vec();
    let mut model = Model::new(mesh);
    // one material for both tubes: no lateral mismatch under the press, uniform pressure
    two_sections(
        &mut model,
        eo,
        isotropic("bone", 17_000.0, 0.3),
        isotropic("bone", 17_000.0, 0.3),
    );
    model.fix(&bottom, &[0, 1, 2]);
    model
        .contact_pairs
        .push(ContactPair::new("docking", slave, master, MU));
    Setup { model, top }
}

/// The press (top pushed down by `PRESS`, free in x and y) and the twist: the press plus a
/// torque `torque` (N·mm) about z as tangential nodal forces ∝ r at the top nodes.
fn cases(s: &Setup, torque: f64) -> (LoadCase, LoadCase) {
    let mut press = LoadCase::new("press");
    press.boundary = prescribe(&s.top, [None, None, Some(-PRESS)]);
    let mut twist = LoadCase::new("twist");
    twist.boundary = press.boundary.clone();
    let coords = &s.model.mesh.coords;
    let r2: f64 = s
        .top
        .iter()
        .map(|&a| coords[a][0].powi(2) + coords[a][1].powi(2))
        .sum();
    for &a in &s.top {
        let [x, y, _] = coords[a];
        for (component, value) in [(0, -y * torque / r2), (1, x * torque / r2)] {
            twist.nodal_loads.push(NodalLoad {
                node: a,
                component,
                value,
            });
        }
    }
    (press, twist)
}

/// The axial force N (N) the press puts through the interface.
fn axial_force(s: &Setup) -> f64 {
    let (press, _) = cases(s, 0.0);
    let mut problem = ContactProblem::from_model(&s.model);
    problem.steps = vec![press];
    let solution = solve_contact(&problem).expect("press converges");
    -solution.steps[0].reaction_sum(&s.top)[2]
}

fn capacity(n: f64) -> f64 {
    let r_eff = 2.0 / 3.0 * (RO.powi(3) - RI.powi(3)) / (RO.powi(2) - RI.powi(2));
    MU * n * r_eff
}

fn twist_problem(s: &Setup, torque: f64) -> ContactProblem<'_> {
    let (press, twist) = cases(s, torque);
    let mut problem = ContactProblem::from_model(&s.model);
    problem.steps = vec![
        press,
        LoadCase {
            increments: IncrementControl {
                initial: 0.1,
                minimum: 0.005,
                maximum: 0.1,
            },
            ..twist
        },
    ];
    problem.options = ContactOptions {
        max_iterations: 20,
        ..ContactOptions::default()
    };
    problem
}

#[test]
fn below_the_friction_capacity_the_tubes_hold() {
    let s = setup();
    let n = axial_force(&s);
    let t = 0.9 * capacity(n);
    let solution = solve_contact(&twist_problem(&s, t)).expect("holds below μ N r_eff");
    let pair = &solution.contact(1).expect("contact state").pairs[0];
    let (in_contact, stick, slip) = pair.counts();
    // the friction forces −A t on the slave (upper) tube resist the whole torque: their
    // moment about z is −T
    let coords = &s.model.mesh.coords;
    let moment: f64 = pair
        .nodes
        .iter()
        .map(|node| {
            let [x, y, _] = coords[node.node];
            let f = [-node.area * node.shear[0], -node.area * node.shear[1]];
            x * f[1] - y * f[0]
        })
        .sum();
    eprintln!(
        "N = {n:.2} N, capacity {:.1} N·mm, T = {t:.1} N·mm; friction moment {moment:.1} N·mm; contact {in_contact}, stick {stick}, slip {slip}",
        capacity(n)
    );
    assert!((moment + t).abs() < 1e-3 * t, "{moment} vs {t}");
    assert_eq!(in_contact, pair.nodes.len());
}

#[test]
fn gross_slip_starts_at_mu_n_r_eff() {
    let s = setup();
    let n = axial_force(&s);
    let t = 1.1 * capacity(n);
    match solve_contact(&twist_problem(&s, t)) {
        Err(ContactError::NotConverged(info)) => {
            let onset = info.target_fraction * t / capacity(n);
            eprintln!(
                "no equilibrium beyond {:.3} of T = 1.1 μ N r_eff: onset at {onset:.3} × μ N r_eff",
                info.target_fraction
            );
            assert_eq!(info.step_number, 2);
            assert!((onset - 1.0).abs() < 0.05, "onset {onset}");
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a torque beyond μ N r_eff cannot be held by friction"),
    }
}
