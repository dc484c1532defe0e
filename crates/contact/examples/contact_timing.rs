//! Time per Newton iteration of a frictional contact analysis against one linear solve of
//! the same model, on a tube-in-tube toy (a porous-tantalum tube press-fitted into a bone
//! tube, then loaded axially and in bending).
//!
//! ```text
//! cargo run -p osteon-contact --release --example contact_timing            # ~155 k unknowns
//! cargo run -p osteon-contact --release --example contact_timing -- 16 20   # small: around, axial
//! ```
//!
//! Prints the linear (bonded, tied interface) solve phases, then the contact analysis: the
//! symbolic analysis (once), and per Newton iteration the numeric factorisation, the solve
//! (with the GMRES iterations of the consistent slip tangent) and the contact work.

use std::time::Instant;

use osteon_assembly::{
    ConsoleLog, LoadCase, Model, NodalLoad, SolveOptions, Tie, solve_linear_static, tie_equations,
};
use osteon_contact::{ContactPair, ContactProblem, Micromotion, solve_contact_observed};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::generate::{TubeSpec, tube_mesh};
use osteon_mesh::{ElementType, FaceRef, Mesh, Surface};

fn faces(mesh: &Mesh, name: &str, offset: usize) -> Vec<FaceRef> {
    match mesh.surface(name) {
        Ok(Surface::Faces(f)) => f
            .iter()
            .map(|f| FaceRef {
                element: f.element + offset,
                face: f.face,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let around = args.first().copied().unwrap_or(64);
    let axial = args.get(1).copied().unwrap_or(80);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // 1. geometry: implant 3..6.01 mm, bone 6..12 mm, both 80 mm long; 10 µm interference
    let implant = tube_mesh(&TubeSpec {
        inner_radius: 3.0,
        outer_radius: 6.01,
        length: 80.0,
        cells_radial: 4,
        cells_around: around,
        cells_axial: axial,
        element: ElementType::Hex8,
    })?;
    let bone = tube_mesh(&TubeSpec {
        inner_radius: 6.0,
        outer_radius: 12.0,
        length: 80.0,
        cells_radial: 4,
        cells_around: around,
        cells_axial: axial,
        element: ElementType::Hex8,
    })?;
    let mut mesh = implant.clone();
    let (no, eo) = (mesh.n_nodes(), mesh.n_elements());
    for (i, x) in bone.coords.iter().enumerate() {
        mesh.add_node(10_000_000 + i as i64, *x)?;
    }
    for el in bone.elements() {
        let nodes: Vec<usize> = el.nodes.iter().map(|n| n + no).collect();
        mesh.push_element(el.etype, 10_000_000 + el.id, &nodes)?;
    }
    let mut model = Model::new(mesh);
    let ta = model.add_material(Material::new(
        "porous Ta",
        IsotropicElastic::new(3_000.0, 0.3)?.into(),
    ));
    let cortical = model.add_material(Material::new(
        "cortical bone",
        IsotropicElastic::new(17_000.0, 0.3)?.into(),
    ));
    model.add_section("IMPLANT", (0..eo).collect(), ta);
    model.add_section("BONE", (eo..model.mesh.n_elements()).collect(), cortical);
    let fixed: Vec<usize> = bone.node_set("Z0")?.iter().map(|n| n + no).collect();
    model.fix(&fixed, &[0, 1, 2]);
    let top = implant.node_set("Z1")?.to_vec();
    let mut load = LoadCase::new("700 N axial + 100 N lateral");
    for &node in &top {
        load.nodal_loads.push(NodalLoad {
            node,
            component: 2,
            value: -700.0 / top.len() as f64,
        });
        load.nodal_loads.push(NodalLoad {
            node,
            component: 0,
            value: 100.0 / top.len() as f64,
        });
    }
    let slave = faces(&implant, "OUTER", 0);
    let master = faces(&bone, "INNER", eo);
    println!(
        "tube-in-tube: {} nodes, {} Hex8 elements, {} threads",
        model.mesh.n_nodes(),
        model.mesh.n_elements(),
        threads
    );

    // 2. the linear baseline: bonded interface (tie), one load case
    let mut bonded = model.clone();
    let mut slave_nodes: Vec<usize> = slave
        .iter()
        .flat_map(|f| bonded.mesh.face_nodes(*f).unwrap_or_default())
        .collect();
    slave_nodes.sort_unstable();
    slave_nodes.dedup();
    let (equations, _) = tie_equations(
        &bonded.mesh,
        &Tie {
            name: "bonded".into(),
            slave_nodes,
            master_faces: master.clone(),
            position_tolerance: Some(0.05),
        },
    )?;
    bonded.equations = equations;
    bonded.load_cases = vec![load.clone()];
    let t = Instant::now();
    let linear = solve_linear_static(
        &bonded,
        &SolveOptions {
            threads,
            recover: false,
            ..SolveOptions::default()
        },
    )?;
    let lt = &linear.timings;
    println!(
        "linear (bonded): {} unknowns, nnz(L) {:.1} M; setup {:.2} s, assemble {:.2} s, analyse {:.2} s, factorise {:.2} s, solve {:.2} s; total {:.2} s",
        linear.stats.n_free,
        linear.stats.nnz_factor as f64 / 1e6,
        lt.setup,
        lt.assemble,
        lt.analyse,
        lt.factorise,
        lt.solve,
        t.elapsed().as_secs_f64()
    );

    // 3. the contact analysis: press fit, then the load
    model
        .contact_pairs
        .push(ContactPair::new("implant-bone", slave, master, 0.5));
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = vec![LoadCase::new("press fit"), load];
    problem.options.threads = threads;
    let t = Instant::now();
    let solution = solve_contact_observed(&problem, &mut ConsoleLog::default())?;
    let ct = &solution.timings;
    let iterations = ct.factorisations.max(1) as f64;
    let per_iteration = (ct.factorise + ct.solve + ct.contact) / iterations;
    println!(
        "contact: {} unknowns; pairing {:.2} s, setup {:.2} s, analyse {:.2} s (once); {} Newton iterations over {} increments, {} GMRES iterations",
        solution.n_unknowns,
        ct.pairing,
        ct.setup,
        ct.analyse,
        ct.factorisations,
        solution.increments().count(),
        ct.gmres_iterations
    );
    println!(
        "contact: per Newton iteration {:.2} s = factorise {:.2} s + solve (incl. GMRES) {:.2} s + contact terms {:.3} s; total {:.2} s",
        per_iteration,
        ct.factorise / iterations,
        ct.solve / iterations,
        ct.contact / iterations,
        t.elapsed().as_secs_f64()
    );
    println!(
        "ratio: one Newton iteration = {:.2} × (factorise + solve) of the linear model; whole contact analysis = {:.1} × the linear solve",
        per_iteration / (lt.factorise + lt.solve).max(1e-12),
        ct.total / lt.total().max(1e-12)
    );
    let summary = Micromotion::between(
        &model.mesh,
        &model.contact_pairs,
        &solution.steps,
        1,
        Some(0),
    )?
    .map(|m| m.all)
    .unwrap_or_default();
    println!(
        "micromotion (μ = 0.5): max {:.2} µm, mean {:.2} µm, p95 {:.2} µm",
        summary.max_um, summary.mean_um, summary.p95_um
    );
    Ok(())
}
