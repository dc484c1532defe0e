//! Proof 4: an implant-in-bone toy. A hollow porous-tantalum cylinder (E = 3 GPa, bore 3 mm,
//! outer radius 6 mm + 10 µm interference) press-fitted into a cortical bone tube
//! (E = 17 GPa, 6–12 mm, 40 mm long, fixed at its distal end), the implant standing 8 mm
//! proud (implant slave nodes 3 mm apart axially, bone master faces 4 mm: non-matching). Step 1: the press fit; step 2: 700 N axial + 100 N lateral (bending) on the
//! implant's top face.
//!
//! Micromotion = tangential slip per slave (implant) node between the end of the press fit
//! and the loaded state (biomechanics.md §6). Checks:
//! - the μ sweep (0.3, 0.5, 0.7, 0.9, 100): micromotion decreases as μ grows and vanishes
//!   (to the elastic stick range of the penalty) for μ → large;
//! - the bonded (tied) model has zero micromotion by construction, and its implant-top
//!   displacement is close to the μ = 100 contact model and below the sliding ones;
//! - the micromotion map is written as a VTU (`target/contact-implant/micromotion.vtu`).

mod common;

use common::*;
use osteon_assembly::{LoadCase, Model, SolveOptions, Tie, solve_linear_static, tie_equations};
use osteon_contact::{ContactPair, ContactProblem, Micromotion, node_motions, solve_contact};
use osteon_mesh::generate::{TubeSpec, tube_mesh};
use osteon_mesh::{ElementType, FaceRef, Mesh};

const DELTA: f64 = 0.01;
const AXIAL: f64 = -700.0;
const LATERAL: f64 = 100.0;

struct Toy {
    model: Model,
    slave: Vec<FaceRef>,
    master: Vec<FaceRef>,
    top: Vec<usize>,
    implant_nodes: usize,
}

fn toy() -> Toy {
    let implant = tube_mesh(&TubeSpec {
        inner_radius: 3.0,
        outer_radius: 6.0 + DELTA,
        length: 48.0,
        cells_radial: 2,
        cells_around: 24,
        cells_axial: 16,
        element: ElementType::Hex8,
    })
    .expect("implant");
    let bone = tube_mesh(&TubeSpec {
        inner_radius: 6.0,
        outer_radius: 12.0,
        length: 40.0,
        cells_radial: 3,
        cells_around: 24,
        cells_axial: 10,
        element: ElementType::Hex8,
    })
    .expect("bone");
    let (mesh, no, eo) = merge(&implant, &bone, 100_000);
    let mut model = Model::new(mesh);
    two_sections(
        &mut model,
        eo,
        isotropic("porous tantalum", 3_000.0, 0.3),
        isotropic("cortical bone", 17_000.0, 0.3),
    );
    model.fix(&shifted_nodes(&bone, "Z0", no), &[0, 1, 2]);
    Toy {
        slave: faces(&implant, "OUTER"),
        master: shifted_faces(&bone, "INNER", eo),
        top: implant.node_set("Z1").expect("Z1").to_vec(),
        implant_nodes: no,
        model,
    }
}

fn load(top: &[usize]) -> LoadCase {
    common::axial_and_lateral(top, AXIAL, LATERAL)
}

struct Run {
    max_um: f64,
    mean_um: f64,
    top_displacement: [f64; 3],
    fields: (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>),
}

fn mean_top(mesh_top: &[usize], u: &[[f64; 3]], base: Option<&[[f64; 3]]>) -> [f64; 3] {
    let mut s = [0.0; 3];
    for &n in mesh_top {
        for k in 0..3 {
            s[k] += u[n][k] - base.map_or(0.0, |b| b[n][k]);
        }
    }
    s.map(|v| v / mesh_top.len() as f64)
}

fn frictional(t: &Toy, mu: f64) -> Run {
    let pair = ContactPair::new("implant-bone", t.slave.clone(), t.master.clone(), mu);
    let model = common::with_pairs(&t.model, vec![pair]);
    let mut problem = ContactProblem::from_model(&model);
    problem.steps = vec![LoadCase::new("press fit"), load(&t.top)];
    let start = std::time::Instant::now();
    let solution = solve_contact(&problem).expect("converges");
    let seconds = start.elapsed().as_secs_f64();
    let report = &solution.pairing[0];
    let motion =
        node_motions(&model.contact_pairs, &solution.steps, 1, Some(0)).expect("steps exist");
    let summary = Micromotion::between(
        &model.mesh,
        &model.contact_pairs,
        &solution.steps,
        1,
        Some(0),
    )
    .expect("steps exist")
    .expect("contact steps")
    .all;
    let iterations: Vec<usize> = solution.increments().map(|l| l.iterations).collect();
    println!("timings: {:?}", solution.timings);
    let last = &solution.steps[1];
    let (in_contact, stick, slip) = last.contact.as_ref().expect("contact state").pairs[0].counts();
    println!(
        "μ = {mu:>5}: micromotion max {:.2} µm, mean {:.2} µm, p95 {:.2} µm, area below 28/40/50/100/150 µm: {:.2}/{:.2}/{:.2}/{:.2}/{:.2}; contact {in_contact} (stick {stick}, slip {slip}) of {} paired ({} unpaired above the bone); iterations per increment {iterations:?}; {:.2} s for {} unknowns",
        summary.max_um,
        summary.mean_um,
        summary.p95_um,
        summary.bands.below(0),
        summary.bands.below(1),
        summary.bands.below(2),
        summary.bands.below(3),
        summary.bands.below(4),
        report.paired,
        report.unpaired.len(),
        seconds,
        solution.n_unknowns
    );
    let n = t.model.mesh.n_nodes();
    let f = last
        .contact
        .as_ref()
        .expect("contact state")
        .nodal_fields(n);
    let mut mm = vec![0.0; 3 * n];
    let mut mag = vec![0.0; n];
    for m in &motion {
        for k in 0..3 {
            mm[3 * m.node + k] = m.tangential[k];
        }
        mag[m.node] = m.magnitude();
    }
    let status: Vec<f64> = f.contact_status.iter().map(|&s| f64::from(s)).collect();
    Run {
        max_um: summary.max_um,
        mean_um: summary.mean_um,
        top_displacement: mean_top(
            &t.top,
            &last.displacement,
            Some(&solution.steps[0].displacement),
        ),
        fields: (f.contact_pressure, mm, mag, status),
    }
}

/// The bonded model: implant outer nodes tied to the bone bore, load only (linear).
fn bonded(t: &Toy) -> ([f64; 3], f64) {
    let mut model = t.model.clone();
    let slave_nodes = {
        let mut v: Vec<usize> = t
            .slave
            .iter()
            .flat_map(|f| model.mesh.face_nodes(*f).unwrap_or_default())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let tie = Tie {
        name: "bonded".into(),
        slave_nodes,
        master_faces: t.master.clone(),
        position_tolerance: Some(0.05),
    };
    let (equations, report) = tie_equations(&model.mesh, &tie).expect("tie");
    model.equations.extend(equations);
    model.load_cases = vec![load(&t.top)];
    let solution = solve_linear_static(
        &model,
        &SolveOptions {
            recover: false,
            ..SolveOptions::default()
        },
    )
    .expect("bonded solve");
    let u = &solution.cases[0].displacement;
    // relative tangential displacement of every tied node against its master point: zero
    let mesh: &Mesh = &model.mesh;
    let mut worst = 0.0f64;
    for eq in &model.equations {
        let (s, c, _) = eq.terms[0];
        let mut rel = u[s][c];
        for &(m, cm, coef) in &eq.terms[1..] {
            rel += coef * u[m][cm];
        }
        worst = worst.max(rel.abs());
    }
    println!(
        "bonded: {} nodes tied, largest relative displacement at the interface {worst:.2e} mm (zero micromotion by construction); {} nodes in the mesh",
        report.tied,
        mesh.n_nodes()
    );
    (mean_top(&t.top, u, None), worst)
}

#[test]
fn implant_micromotion_falls_with_friction_and_vanishes_when_bonded() {
    let t = toy();
    assert!(t.implant_nodes > 0);
    let mus = [0.3, 0.5, 0.7, 0.9, 100.0];
    let runs: Vec<Run> = mus.iter().map(|&mu| frictional(&t, mu)).collect();
    let (bonded_top, bonded_rel) = bonded(&t);
    for (mu, r) in mus.iter().zip(&runs) {
        println!(
            "μ = {mu:>5}: implant top displacement under load ({:.5}, {:.5}, {:.5}) mm",
            r.top_displacement[0], r.top_displacement[1], r.top_displacement[2]
        );
    }
    println!(
        "bonded   : implant top displacement under load ({:.5}, {:.5}, {:.5}) mm",
        bonded_top[0], bonded_top[1], bonded_top[2]
    );
    // micromotion decreases as μ grows
    for w in runs.windows(2) {
        assert!(
            w[1].max_um <= w[0].max_um * (1.0 + 1e-6)
                && w[1].mean_um <= w[0].mean_um * (1.0 + 1e-6)
        );
    }
    // μ → large: only the elastic stick range of the penalty remains (well under 1 µm)
    assert!(runs[4].max_um < 1.0, "{}", runs[4].max_um);
    assert!(runs[0].max_um > 5.0 * runs[4].max_um);
    // bonded: zero micromotion; its axial stiffness is matched by the μ → large model
    assert!(bonded_rel < 1e-12);
    assert!((runs[4].top_displacement[2] / bonded_top[2] - 1.0).abs() < 0.05);
    assert!(runs[0].top_displacement[2] < bonded_top[2]); // sliding: the implant sinks further (z < 0)
    // the micromotion map of μ = 0.5
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/contact-implant");
    if std::fs::create_dir_all(&dir).is_ok() {
        let (pressure, slip, magnitude, status) = runs[1].fields.clone();
        let path = dir.join("micromotion.vtu");
        let written = write_vtu(
            &path,
            &t.model.mesh,
            &[
                ("contact_pressure", 1, pressure),
                ("micromotion", 3, slip),
                ("micromotion_magnitude", 1, magnitude),
                ("contact_status", 1, status),
            ],
        );
        println!(
            "micromotion map (μ = 0.5): {} {:?}",
            path.display(),
            written.err()
        );
    }
}

/// max |u − u_ref| and max |u_ref| over every component of two steps' displacements (mm).
fn displacement_difference(
    step: &osteon_assembly::StepSolution,
    reference: &osteon_assembly::StepSolution,
) -> (f64, f64) {
    let u = step.displacement.iter().flatten();
    let u_ref = reference.displacement.iter().flatten();
    let scale = u_ref.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    let difference = u.zip(u_ref).fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
    (difference, scale)
}

/// The Newton matrices factorised in full and as interface updates (the bone and implant
/// interiors factorised once, the Schur complement on the contact unknowns updated): the
/// same displacements to 1e-8 relative, in both steps, with slipping nodes (μ = 0.5).
#[test]
fn interface_updates_reproduce_full_factorisations() {
    use osteon_contact::TangentFactorisation;
    let t = toy();
    let pair = ContactPair::new("implant-bone", t.slave.clone(), t.master.clone(), 0.5);
    let model = common::with_pairs(&t.model, vec![pair]);
    let run = |factorisation| {
        let mut problem = ContactProblem::from_model(&model);
        problem.steps = vec![LoadCase::new("press fit"), load(&t.top)];
        problem.options.factorisation = factorisation;
        problem.options.recover = false;
        solve_contact(&problem).expect("converges")
    };
    let full = run(TangentFactorisation::Full);
    let updated = run(TangentFactorisation::InterfaceUpdate);
    println!("full: {:?}\nupdated: {:?}", full.timings, updated.timings);
    assert_eq!(full.timings.interface_updates, 0);
    assert!(updated.timings.interface_unknowns > 0);
    // every Newton matrix after the first is an update: one full factorisation in all
    assert_eq!(
        updated.timings.interface_updates + 1,
        updated.timings.factorisations
    );
    // low-rank updates on the contact nodes that changed, with the consistent slip coupling
    // held in the factorisation (no GMRES around it), unlike the full path
    assert!(updated.timings.interface_low_rank_updates > 0);
    assert_eq!(updated.timings.gmres_iterations, 0);
    assert!(full.timings.gmres_iterations > 0);
    // every solve of the interface path ran on the contact unknowns alone
    assert_eq!(updated.timings.condensed_solves, updated.timings.solves);
    assert_eq!(full.timings.condensed_solves, 0);
    for (a, b) in full.steps.iter().zip(&updated.steps) {
        let (difference, scale) = displacement_difference(b, a);
        println!(
            "{}: max |Δu| / max |u| = {:.2e}",
            a.name,
            difference / scale
        );
        assert!(difference <= 1e-8 * scale, "{}: {difference:e}", a.name);
    }
    // the same contact states, node for node
    for (a, b) in full.steps.iter().zip(&updated.steps) {
        let (ca, cb) = (a.contact.as_ref().unwrap(), b.contact.as_ref().unwrap());
        assert_eq!(ca.pairs[0].counts(), cb.pairs[0].counts());
    }
    assert!(
        updated.steps[1].contact.as_ref().unwrap().pairs[0]
            .counts()
            .2
            > 0,
        "some nodes slip"
    );
}

/// A factorisation kept across analyses of the same model with other friction: the second
/// analysis takes the kept Newton system instead of setting one up, factorises nothing in
/// full and gives the displacements of a fresh analysis to 1e-8 relative; a model with
/// another stiffness is detected, gets a system of its own and is factorised in full.
#[test]
fn a_cached_factorisation_serves_another_friction_coefficient() {
    use osteon_contact::{FactorCache, TangentFactorisation, solve_contact_cached};
    let t = toy();
    fn problem_for<'a>(model: &'a Model, top: &[usize]) -> ContactProblem<'a> {
        let mut problem = ContactProblem::from_model(model);
        problem.steps = vec![LoadCase::new("press fit"), load(top)];
        problem.options.factorisation = TangentFactorisation::InterfaceUpdate;
        problem.options.recover = false;
        problem
    }
    let with_mu = |mu: f64| {
        let pair = ContactPair::new("implant-bone", t.slave.clone(), t.master.clone(), mu);
        common::with_pairs(&t.model, vec![pair])
    };
    let mut cache = FactorCache::new();
    let (first, second) = (with_mu(0.5), with_mu(0.3));
    let silent = &mut osteon_assembly::Silent;
    let a =
        solve_contact_cached(&problem_for(&first, &t.top), silent, &mut cache).expect("converges");
    assert!(!cache.is_empty());
    assert_eq!(a.timings.factorisations, a.timings.interface_updates + 1);
    assert_eq!(a.timings.systems_reused, 0);
    let b =
        solve_contact_cached(&problem_for(&second, &t.top), silent, &mut cache).expect("converges");
    println!("cached: {:?}", b.timings);
    assert_eq!(b.timings.analyse, 0.0, "the symbolic analysis is reused");
    assert_eq!(b.timings.systems_reused, 1, "the Newton system is reused");
    assert_eq!(b.timings.setup, 0.0);
    assert_eq!(b.timings.factorisations, b.timings.interface_updates);
    let fresh = solve_contact(&problem_for(&second, &t.top)).expect("converges");
    for (p, q) in b.steps.iter().zip(&fresh.steps) {
        let (difference, scale) = displacement_difference(p, q);
        assert!(difference <= 1e-8 * scale, "{}: {difference:e}", p.name);
    }
    // a stiffer implant: the values outside the contact block differ, a full factorisation
    let mut stiffer = with_mu(0.3);
    stiffer.materials[0] = isotropic("porous tantalum", 6_000.0, 0.3);
    let c = solve_contact_cached(&problem_for(&stiffer, &t.top), silent, &mut cache)
        .expect("converges");
    assert_eq!(c.timings.factorisations, c.timings.interface_updates + 1);
    assert_eq!(
        c.timings.systems_reused, 0,
        "another stiffness: a system of its own"
    );
    let fresh_stiffer = solve_contact(&problem_for(&stiffer, &t.top)).expect("converges");
    for (p, q) in c.steps.iter().zip(&fresh_stiffer.steps) {
        let (difference, scale) = displacement_difference(p, q);
        assert!(difference <= 1e-8 * scale, "{}: {difference:e}", p.name);
    }
}
