//! Proof 3: a press-fit (interference) ring on a hollow shaft, in plane strain (u_z = 0 on
//! every node), against the Lamé solution for two thick cylinders:
//!
//! p = δ / [ b(1+ν_o)/E_o · ((1−2ν_o) b² + c²)/(c² − b²) + b(1+ν_i)/E_i · ((1−2ν_i) b² + a²)/(b² − a²) ]
//!
//! (shaft a..b, ring b..c, radial interference δ; plane-strain radial displacements of a
//! thick cylinder under internal/external pressure, e.g. Timoshenko & Goodier §33).
//! The interference is geometric: the shaft is meshed with outer radius b + δ. Hard contact
//! with augmented-Lagrangian updates to a penetration below 0.1 % of δ.
//!
//! Also deck 3 of the CalculiX comparison: the same model with a linear pressure–overclosure
//! law, run through `ccx`.

mod common;

use common::*;
use osteon_assembly::Model;
use osteon_contact::{
    ContactPair, ContactProblem, ContactSolution, Friction, NormalBehaviour, SurfaceInteraction,
    solve_contact,
};
use osteon_mesh::generate::{TubeSpec, tube_mesh};
use osteon_mesh::{ElementType, FaceRef};

const A: f64 = 4.0; // shaft inner radius (mm)
const B: f64 = 6.0; // interface radius (mm)
const C: f64 = 10.0; // ring outer radius (mm)
const DELTA: f64 = 0.01; // radial interference (mm)
const E_SHAFT: f64 = 3_000.0; // porous Ta (MPa)
const E_RING: f64 = 17_000.0; // cortical bone (MPa)
const NU: f64 = 0.3;
const AROUND: usize = 64;

fn lame_pressure() -> f64 {
    let ring = B * (1.0 + NU) / E_RING * ((1.0 - 2.0 * NU) * B * B + C * C) / (C * C - B * B);
    let shaft = B * (1.0 + NU) / E_SHAFT * ((1.0 - 2.0 * NU) * B * B + A * A) / (B * B - A * A);
    DELTA / (ring + shaft)
}

struct Fit {
    model: Model,
    slave: Vec<FaceRef>,
    master: Vec<FaceRef>,
    split: usize,
}

fn fit() -> Fit {
    let shaft = tube_mesh(&TubeSpec {
        inner_radius: A,
        outer_radius: B + DELTA,
        length: 2.0,
        cells_radial: 4,
        cells_around: AROUND,
        cells_axial: 1,
        element: ElementType::Hex8,
    })
    .expect("tube");
    let ring = tube_mesh(&TubeSpec {
        inner_radius: B,
        outer_radius: C,
        length: 2.0,
        cells_radial: 6,
        cells_around: AROUND,
        cells_axial: 1,
        element: ElementType::Hex8,
    })
    .expect("tube");
    let (mesh, _, eo) = merge(&shaft, &ring, 10_000);
    let mut model = Model::new(mesh);
    two_sections(
        &mut model,
        eo,
        isotropic("tantalum", E_SHAFT, NU),
        isotropic("bone", E_RING, NU),
    );
    // plane strain; symmetry pins on the axes stop the rigid motions in the plane
    let all: Vec<usize> = (0..model.mesh.n_nodes()).collect();
    model.fix(&all, &[2]);
    let on_x = model.mesh.nodes_where(|x| x[1].abs() < 1e-9);
    let on_y = model.mesh.nodes_where(|x| x[0].abs() < 1e-9);
    model.fix(&on_x, &[1]);
    model.fix(&on_y, &[0]);
    Fit {
        slave: faces(&shaft, "OUTER"),
        master: shifted_faces(&ring, "INNER", eo),
        model,
        split: eo,
    }
}

fn pressures(solution: &ContactSolution) -> (f64, f64, f64) {
    let pair = &solution.contact(0).expect("contact state").pairs[0];
    let area: f64 = pair.nodes.iter().map(|n| n.area).sum();
    let mean = pair.normal_force / area;
    let lo = pair
        .nodes
        .iter()
        .map(|n| n.pressure)
        .fold(f64::INFINITY, f64::min);
    let hi = pair.nodes.iter().map(|n| n.pressure).fold(0.0, f64::max);
    (mean, lo, hi)
}

#[test]
fn press_fit_pressure_matches_lame() {
    let f = fit();
    let pair = ContactPair {
        interaction: SurfaceInteraction {
            normal: NormalBehaviour::Hard {
                penalty_factor: 10.0,
                penetration_tolerance: Some(1e-3 * DELTA),
            },
            friction: Some(Friction::coulomb(0.5)),
        },
        ..ContactPair::new("press fit", f.slave.clone(), f.master.clone(), 0.5)
    };
    let model = common::with_pairs(&f.model, vec![pair]);
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = vec![osteon_assembly::LoadCase::new("press fit")];
    let solution = solve_contact(&problem).expect("converges");
    for log in solution.increments() {
        println!("{log}");
    }
    let exact = lame_pressure();
    let (mean, lo, hi) = pressures(&solution);
    let pair = &solution.contact(0).expect("contact state").pairs[0];
    println!(
        "press fit: Lamé p = {exact:.4} MPa; FE mean {mean:.4} MPa ({:+.2} %), nodal range {lo:.4} .. {hi:.4} MPa ({:+.2} % .. {:+.2} %); {} of {} nodes in contact",
        100.0 * (mean / exact - 1.0),
        100.0 * (lo / exact - 1.0),
        100.0 * (hi / exact - 1.0),
        pair.counts().0,
        pair.nodes.len()
    );
    assert_eq!(pair.counts().0, pair.nodes.len());
    assert!((mean / exact - 1.0).abs() < 0.02);
    assert!((lo / exact - 1.0).abs() < 0.02 && (hi / exact - 1.0).abs() < 0.02);
    // radial interference taken up by the two bodies: no tangential micromotion in a pure fit
    let max_slip = pair
        .nodes
        .iter()
        .map(|n| n.slip_magnitude)
        .fold(0.0, f64::max);
    assert!(max_slip < 1e-3 * DELTA, "{max_slip}");
}

#[test]
fn ccx_press_fit() {
    let f = fit();
    const SLOPE: f64 = 1.0e5;
    let pair = ContactPair {
        interaction: SurfaceInteraction {
            normal: NormalBehaviour::Linear { stiffness: SLOPE },
            friction: Some(Friction {
                mu: 0.5,
                stick_slope: Some(SLOPE),
            }),
        },
        ..ContactPair::new("press fit", f.slave.clone(), f.master.clone(), 0.5)
    };
    let model = common::with_pairs(&f.model, vec![pair]);
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = vec![osteon_assembly::LoadCase::new("press fit")];
    let solution = solve_contact(&problem).expect("converges");
    let mesh = &f.model.mesh;
    let n = mesh.n_elements();
    let mut deck =
        String::from("** osteon-contact: press-fit ring on a hollow shaft, plane strain\n");
    deck += &deck_mesh(mesh);
    deck += &deck_elset(mesh, "ESHAFT", &(0..f.split).collect::<Vec<_>>());
    deck += &deck_elset(mesh, "ERING", &(f.split..n).collect::<Vec<_>>());
    deck += &deck_nset(mesh, "NONX", &mesh.nodes_where(|x| x[1].abs() < 1e-9));
    deck += &deck_nset(mesh, "NONY", &mesh.nodes_where(|x| x[0].abs() < 1e-9));
    deck += &deck_surface(mesh, "SSLAVE", &f.slave);
    deck += &deck_surface(mesh, "SMASTER", &f.master);
    deck += &format!(
        "*MATERIAL, NAME=TA\n*ELASTIC\n{E_SHAFT}, {NU}\n*MATERIAL, NAME=BONE\n*ELASTIC\n{E_RING}, {NU}\n"
    );
    deck +=
        "*SOLID SECTION, ELSET=ESHAFT, MATERIAL=TA\n*SOLID SECTION, ELSET=ERING, MATERIAL=BONE\n";
    deck += &format!(
        "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n{SLOPE:e}, 1.e-3\n*FRICTION\n0.5, {SLOPE:e}\n"
    );
    deck += "*CONTACT PAIR, INTERACTION=SI, TYPE=NODE TO SURFACE\nSSLAVE, SMASTER\n";
    deck += "*BOUNDARY\nNALL, 3, 3\nNONX, 2, 2\nNONY, 1, 1\n*STEP, INC=1000\n*STATIC\n0.25, 1.\n*CONTACT PRINT\nCDIS, CSTR\n*END STEP\n";
    let Some(dat) = run_ccx(&deck, "press_fit") else {
        return;
    };
    let blocks = parse_dat(&dat);
    let stress = dat_table(&blocks, "contact stress", 1.0).expect("ccx contact stress");
    let ours = &solution.contact(0).expect("contact state").pairs[0];
    let mut worst = 0.0f64;
    let (mut sum_ccx, mut lo_ccx, mut hi_ccx) = (0.0, f64::INFINITY, 0.0f64);
    let mut count = 0;
    for node in &ours.nodes {
        let Some(row) = stress.rows.iter().find(|r| r.0 == node.node_id) else {
            continue;
        };
        worst = worst.max((node.pressure - row.1[0]).abs());
        sum_ccx += row.1[0];
        lo_ccx = lo_ccx.min(row.1[0]);
        hi_ccx = hi_ccx.max(row.1[0]);
        count += 1;
    }
    let (mean, lo, hi) = pressures(&solution);
    let mean_ccx = sum_ccx / count.max(1) as f64;
    println!(
        "press fit vs ccx (linear slope {SLOPE:e} MPa/mm): {count} nodes; mean pressure ours {mean:.4} MPa (range {lo:.4} .. {hi:.4}), ccx {mean_ccx:.4} MPa (range {lo_ccx:.4} .. {hi_ccx:.4}): mean deviation {:.2} %, largest nodal difference {:.2} %; Lamé {:.4} MPa",
        100.0 * (mean / mean_ccx - 1.0),
        100.0 * worst / mean_ccx,
        lame_pressure()
    );
    // ccx takes the facet normal at the projection point, so its nodal pressures scatter by a
    // few per cent around the faceted circle (with friction at the limit there); the
    // averaged-normal pairing here gives a uniform pressure: compare the means
    assert!(count == ours.nodes.len() && (mean / mean_ccx - 1.0).abs() < 0.03);
}
