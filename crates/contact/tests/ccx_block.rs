//! CalculiX comparison: the block on an elastic foundation as a CalculiX deck (node-to-surface
//! `*CONTACT PAIR`, `*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR`, `*FRICTION` with the same
//! μ and stick slope), run through `ccx`, and compared node by node: contact pressure
//! (`CSTR`) and slip (`CDIS` tang1, tang2) within 3 % of the largest value.
//!
//! Deck 1: pressed by a prescribed displacement, then pulled until it slides.
//! Deck 2: pressed, then pushed by a tangential force of half μN (stick, elastic slip).
//!
//! Skipped with a notice when `ccx` is not on PATH.

mod common;

use common::*;
use osteon_assembly::{LoadCase, Model, NodalLoad};
use osteon_contact::{
    ContactPair, ContactProblem, ContactSolution, Friction, IncrementControl, NormalBehaviour,
    SurfaceInteraction, solve_contact,
};
use osteon_mesh::generate::{BoxSpec, box_mesh};
use osteon_mesh::{ElementType, FaceRef, Mesh};

const MU: f64 = 0.4;
const SLOPE: f64 = 1.0e5; // MPa/mm
const STICK: f64 = 2.0e4; // MPa/mm
const PRESS: f64 = 0.002; // mm

struct Block {
    model: Model,
    slave: Vec<FaceRef>,
    master: Vec<FaceRef>,
    top: Vec<usize>,
    bottom: Vec<usize>,
    /// The block's bottom nodes (the slave surface as a node set).
    slave_nodes: Vec<usize>,
    split: usize,
}

fn block() -> Block {
    let foundation = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [4.0, 4.0, 1.0],
        cells: [4, 4, 2],
        element: ElementType::Hex8,
    })
    .expect("box");
    let block = box_mesh(&BoxSpec {
        origin: [1.0, 1.0, 1.0],
        size: [2.0, 2.0, 1.0],
        cells: [3, 3, 2],
        element: ElementType::Hex8,
    })
    .expect("box");
    let (mesh, no, eo) = merge(&foundation, &block, 1000);
    let mut model = Model::new(mesh);
    two_sections(
        &mut model,
        eo,
        isotropic("bone", 17_000.0, 0.3),
        isotropic("tantalum", 3_000.0, 0.3),
    );
    let bottom = foundation.node_set("ZMIN").expect("ZMIN").to_vec();
    model.fix(&bottom, &[0, 1, 2]);
    Block {
        slave: shifted_faces(&block, "ZMIN", eo),
        master: faces(&foundation, "ZMAX"),
        top: shifted_nodes(&block, "ZMAX", no),
        slave_nodes: shifted_nodes(&block, "ZMIN", no),
        bottom,
        model,
        split: eo,
    }
}

fn pair(b: &Block) -> ContactPair {
    ContactPair {
        interaction: SurfaceInteraction {
            normal: NormalBehaviour::Linear { stiffness: SLOPE },
            friction: Some(Friction {
                mu: MU,
                stick_slope: Some(STICK),
            }),
        },
        ..ContactPair::new("interface", b.slave.clone(), b.master.clone(), MU)
    }
}

/// The deck of the block with the given step bodies, the slave surface as element faces.
fn deck(b: &Block, steps: &[String]) -> String {
    deck_with_slave(b, steps, false)
}

/// The deck of the block with the given step bodies; the slave surface is the block's
/// bottom node set (`*SURFACE, TYPE=NODE`) when `by_nodes`.
fn deck_with_slave(b: &Block, steps: &[String], by_nodes: bool) -> String {
    let mesh: &Mesh = &b.model.mesh;
    let n = mesh.n_elements();
    let mut s = String::from("** osteon-contact: block on an elastic foundation\n");
    s += &deck_mesh(mesh);
    s += &deck_elset(mesh, "EFOUND", &(0..b.split).collect::<Vec<_>>());
    s += &deck_elset(mesh, "EBLOCK", &(b.split..n).collect::<Vec<_>>());
    s += &deck_nset(mesh, "NFIX", &b.bottom);
    s += &deck_nset(mesh, "NTOP", &b.top);
    if by_nodes {
        s += &deck_nset(mesh, "NSLAVE", &b.slave_nodes);
        s += "*SURFACE, NAME=SSLAVE, TYPE=NODE\nNSLAVE\n";
    } else {
        s += &deck_surface(mesh, "SSLAVE", &b.slave);
    }
    s += &deck_surface(mesh, "SMASTER", &b.master);
    s += "*MATERIAL, NAME=BONE\n*ELASTIC\n17000., 0.3\n*MATERIAL, NAME=TA\n*ELASTIC\n3000., 0.3\n";
    s += "*SOLID SECTION, ELSET=EFOUND, MATERIAL=BONE\n*SOLID SECTION, ELSET=EBLOCK, MATERIAL=TA\n";
    s += &format!(
        "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n{SLOPE:e}, 1.e-3\n*FRICTION\n{MU}, {STICK:e}\n"
    );
    s += "*CONTACT PAIR, INTERACTION=SI, TYPE=NODE TO SURFACE\nSSLAVE, SMASTER\n*BOUNDARY\nNFIX, 1, 3\n";
    for body in steps {
        s += "*STEP, INC=1000\n*STATIC\n0.25, 1.\n";
        s += body;
        s += "*NODE PRINT, NSET=NTOP, TOTALS=ONLY\nRF\n*CONTACT PRINT\nCDIS, CSTR\n*END STEP\n";
    }
    s
}

/// Compare our step `step` with ccx at total time `time`; returns (pressure error, slip
/// error) relative to the largest ccx value.
fn compare(
    ours: &ContactSolution,
    step: usize,
    blocks: &[DatBlock],
    time: f64,
    label: &str,
) -> (f64, f64) {
    let stress = dat_table(blocks, "contact stress", time).expect("ccx contact stress table");
    let disp = dat_table(blocks, "relative contact displacement", time)
        .expect("ccx contact displacement table");
    let pair = &ours.contact(step).expect("contact state").pairs[0];
    let p_max = stress.rows.iter().map(|r| r.1[0]).fold(0.0, f64::max);
    let s_max = disp
        .rows
        .iter()
        .map(|r| r.1[1].hypot(r.1[2]))
        .fold(0.0, f64::max);
    let (mut dp, mut ds) = (0.0f64, 0.0f64);
    println!("{label}: node, pressure ours / ccx (MPa), slip ours / ccx (µm, t1 t2)");
    for node in &pair.nodes {
        let Some(st) = stress.rows.iter().find(|r| r.0 == node.node_id) else {
            continue;
        };
        let Some(cd) = disp.rows.iter().find(|r| r.0 == node.node_id) else {
            continue;
        };
        dp = dp.max((node.pressure - st.1[0]).abs());
        ds = ds.max((node.slip_local[0] - cd.1[1]).hypot(node.slip_local[1] - cd.1[2]));
        println!(
            "  {:>5} {:>9.4} {:>9.4}   {:>8.3} {:>8.3} / {:>8.3} {:>8.3}",
            node.node_id,
            node.pressure,
            st.1[0],
            1e3 * node.slip_local[0],
            1e3 * node.slip_local[1],
            1e3 * cd.1[1],
            1e3 * cd.1[2]
        );
    }
    let (ep, es) = (dp / p_max, ds / s_max);
    println!(
        "{label}: max pressure {p_max:.4} MPa, max slip {:.3} µm; deviation pressure {:.2} %, slip {:.2} %",
        1e3 * s_max,
        100.0 * ep,
        100.0 * es
    );
    (ep, es)
}

fn ours(b: &Block, steps: Vec<LoadCase>) -> ContactSolution {
    let model = common::with_pairs(&b.model, vec![pair(b)]);
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = steps;
    let solution = solve_contact(&problem).expect("converges");
    for log in solution.increments() {
        println!("{log}");
    }
    solution
}

#[test]
fn ccx_block_pressed_then_slid() {
    let b = block();
    let mut press = LoadCase::new("press");
    press.boundary = prescribe(&b.top, [Some(0.0), Some(0.0), Some(-PRESS)]);
    let mut pull = LoadCase::new("pull");
    pull.boundary = prescribe(&b.top, [Some(0.02), Some(0.0), Some(-PRESS)]);
    let solution = ours(
        &b,
        vec![
            press,
            LoadCase {
                increments: IncrementControl::fixed(4),
                ..pull
            },
        ],
    );
    let text = deck(
        &b,
        &[
            format!("*BOUNDARY\nNTOP, 1, 2, 0.\nNTOP, 3, 3, {}\n", -PRESS),
            "*BOUNDARY\nNTOP, 1, 1, 0.02\n".to_string(),
        ],
    );
    let Some(dat) = run_ccx(&text, "block_slide") else {
        return;
    };
    let blocks = parse_dat(&dat);
    let (p1, _) = compare(&solution, 0, &blocks, 1.0, "press");
    let (p2, s2) = compare(&solution, 1, &blocks, 2.0, "slide");
    let rf = dat_table(&blocks, "total force", 2.0)
        .and_then(|t| t.rows.first())
        .map(|row| row.1.clone())
        .expect("reaction table");
    let r = solution.steps[1].reaction_sum(&b.top);
    let dr = ((r[0] - rf[0]).abs() / rf[0].abs()).max((r[2] - rf[2]).abs() / rf[2].abs());
    println!(
        "slide: top reaction ours ({:.4}, {:.4}) N, ccx ({:.4}, {:.4}) N (x, z): deviation {:.2} %; T/N ours {:.5}, ccx {:.5}",
        r[0],
        r[2],
        rf[0],
        rf[2],
        100.0 * dr,
        (r[0] / r[2]).abs(),
        (rf[0] / rf[2]).abs()
    );
    assert!(
        p1 < 0.03 && p2 < 0.03 && s2 < 0.03 && dr < 0.03,
        "pressure {p1:.4}/{p2:.4}, slip {s2:.4}, reaction {dr:.4}"
    );
}

#[test]
fn ccx_block_pressed_then_pushed_below_mu_n() {
    let b = block();
    let mut press = LoadCase::new("press");
    press.boundary = prescribe(&b.top, [None, None, Some(-PRESS)]);
    // tangential force: half of μ × the normal force of the press step
    let first = ours(&b, vec![press.clone()]);
    let normal = -first.steps[0].reaction_sum(&b.top)[2];
    let force = 0.5 * MU * normal / b.top.len() as f64;
    let mut push = press.clone();
    push.name = "push".into();
    push.nodal_loads = b
        .top
        .iter()
        .map(|&node| NodalLoad {
            node,
            component: 0,
            value: force,
        })
        .collect();
    let solution = ours(&b, vec![press, push]);
    let text = deck(
        &b,
        &[
            format!("*BOUNDARY\nNTOP, 3, 3, {}\n", -PRESS),
            format!("*CLOAD\nNTOP, 1, {force:e}\n"),
        ],
    );
    let Some(dat) = run_ccx(&text, "block_push") else {
        return;
    };
    let blocks = parse_dat(&dat);
    let (p1, _) = compare(&solution, 0, &blocks, 1.0, "press");
    let (p2, s2) = compare(&solution, 1, &blocks, 2.0, "push");
    assert!(
        p1 < 0.03 && p2 < 0.03 && s2 < 0.03,
        "pressure {p1:.4}/{p2:.4}, slip {s2:.4}"
    );
}

/// A node-based slave surface (`*SURFACE, TYPE=NODE`), read from the deck by osteon-io:
/// each node takes its share of every exterior face around it — the block's bottom faces,
/// and for the nodes on the bottom edges also the side faces — as CalculiX does, so both
/// codes give the same pressures, slips and reactions; the edge nodes carry more than with
/// the element-face surface.
#[test]
fn ccx_block_with_a_node_slave_surface() {
    let b = block();
    let text = deck_with_slave(
        &b,
        &[
            format!("*BOUNDARY\nNTOP, 1, 2, 0.\nNTOP, 3, 3, {}\n", -PRESS),
            "*BOUNDARY\nNTOP, 1, 1, 0.02\n".to_string(),
        ],
        true,
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("block_nodes.inp");
    std::fs::write(&path, &text).expect("deck written");
    let deck = osteon_io::inp::read_inp(&path).expect("the deck reads");
    let pair = &deck.model.contact_pairs[0];
    assert_eq!(pair.slave_nodes.as_ref().map(Vec::len), Some(16));
    let mut problem = ContactProblem::from_model(&deck.model);
    problem.steps[1].increments = IncrementControl::fixed(4);
    let solution = solve_contact(&problem).expect("converges");
    let state = solution.contact(1).expect("contact state");
    // the tributary areas: 2 × 2 mm bottom plus the side faces' shares at the edge nodes
    // (4 sides × 2 mm × 0.5 mm per cell layer, a quarter of each face to each of its nodes:
    // half of the bottom row of side faces goes to the bottom nodes)
    let area: f64 = state.pairs[0].nodes.iter().map(|n| n.area).sum();
    assert!(
        (area - (4.0 + 0.5 * 4.0 * 2.0 * 0.5)).abs() < 1e-9,
        "{area}"
    );
    let Some(dat) = run_ccx(&text, "block_nodes") else {
        return;
    };
    let blocks = parse_dat(&dat);
    let (p1, _) = compare(&solution, 0, &blocks, 1.0, "press (node surface)");
    let (p2, s2) = compare(&solution, 1, &blocks, 2.0, "slide (node surface)");
    let rf = dat_table(&blocks, "total force", 2.0)
        .and_then(|t| t.rows.first())
        .map(|row| row.1.clone())
        .expect("reaction table");
    let top: Vec<usize> = deck.model.mesh.node_set("NTOP").expect("NTOP").to_vec();
    let r = solution.steps[1].reaction_sum(&top);
    let dr = ((r[0] - rf[0]).abs() / rf[0].abs()).max((r[2] - rf[2]).abs() / rf[2].abs());
    println!(
        "slide (node surface): top reaction ours ({:.4}, {:.4}) N, ccx ({:.4}, {:.4}) N: deviation {:.2} %",
        r[0],
        r[2],
        rf[0],
        rf[2],
        100.0 * dr
    );
    assert!(
        p1 < 0.03 && p2 < 0.03 && s2 < 0.03 && dr < 0.03,
        "pressure {p1:.4}/{p2:.4}, slip {s2:.4}, reaction {dr:.4}"
    );
}
