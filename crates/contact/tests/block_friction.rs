//! Proof 1: a block on an elastic foundation, pressed normally, then pulled tangentially.
//!
//! - Pulled by a prescribed displacement far beyond the stick range, every contact node
//!   slides and the tangential reaction equals μ × the normal reaction (to 1e-3).
//! - Pushed by a tangential force of half μN, every node sticks: no irreversible slip, and
//!   the slip is the elastic stick range of the penalty (below μ p / k_T).
//! - Pushed by 1.2 μN, no static equilibrium exists: the analysis must end in a
//!   `NotConverged` error that names the increment, the residuals and the worst nodes.

mod common;

use common::*;
use osteon_assembly::{LoadCase, Model, NodalLoad};
use osteon_contact::{
    ContactError, ContactOptions, ContactPair, ContactProblem, ContactSolution, ContactStatus,
    IncrementControl, SlipTangent, solve_contact,
};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

const MU: f64 = 0.4;
const PRESS: f64 = 0.002; // mm

struct Setup {
    /// The two blocks with the contact pair.
    model: Model,
    top: Vec<usize>,
}

fn setup() -> Setup {
    setup_with(false, 0.3)
}

/// `rigid`: every foundation node fixed (a rigid master); `nu_block`: Poisson ratio of the block.
fn setup_with(rigid: bool, nu_block: f64) -> Setup {
    setup_typed(rigid, nu_block, ElementType::Hex8)
}

fn setup_typed(rigid: bool, nu_block: f64, element: ElementType) -> Setup {
    let foundation = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [4.0, 4.0, 1.0],
        cells: [4, 4, 2],
        element,
    })
    .expect("box");
    let block = box_mesh(&BoxSpec {
        origin: [1.0, 1.0, 1.0],
        size: [2.0, 2.0, 1.0],
        cells: [3, 3, 2],
        element,
    })
    .expect("box");
    let (mesh, no, eo) = merge(&foundation, &block, 1000);
    let slave = shifted_faces(&block, "ZMIN", eo);
    let master = faces(&foundation, "ZMAX");
    let top = shifted_nodes(&block, "ZMAX", no);
    let bottom: Vec<usize> = if rigid {
        (0..no).collect()
    } else {
        foundation.node_set("ZMIN").expect("ZMIN").to_vec()
    };
    let mut model = Model::new(mesh);
    two_sections(
        &mut model,
        eo,
        isotropic("bone", 17_000.0, 0.3),
        isotropic("tantalum", 3_000.0, nu_block),
    );
    model.fix(&bottom, &[0, 1, 2]);
    model
        .contact_pairs
        .push(ContactPair::new("block-foundation", slave, master, MU));
    Setup { model, top }
}

/// The load cases of a sliding test: press the top block down by `PRESS`, then also pull
/// it 0.02 mm along x.
fn press_and_pull(s: &Setup) -> (LoadCase, LoadCase) {
    let mut press = LoadCase::new("press");
    press.boundary = prescribe(&s.top, [Some(0.0), Some(0.0), Some(-PRESS)]);
    let mut pull = LoadCase::new("pull");
    pull.boundary = prescribe(&s.top, [Some(0.02), Some(0.0), Some(-PRESS)]);
    (press, pull)
}

/// The sliding test as a contact problem: the press step, then the pull in two increments.
fn sliding_problem(s: &Setup) -> ContactProblem<'_> {
    let (press, pull) = press_and_pull(s);
    let mut problem = ContactProblem::from_model(&s.model);
    problem.steps = vec![
        press,
        LoadCase {
            increments: IncrementControl::fixed(2),
            ..pull
        },
    ];
    problem
}

fn sums(solution: &ContactSolution, step: usize, nodes: &[usize]) -> [f64; 3] {
    solution.steps[step].reaction_sum(nodes)
}

#[test]
fn sliding_reaction_is_mu_times_normal_force() {
    let s = setup();
    let problem = sliding_problem(&s);
    let solution = solve_contact(&problem).expect("converges");
    for log in solution.increments() {
        println!(
            "{log}\n   residuals {:?}",
            log.residuals
                .iter()
                .map(|r| format!("{r:.1e}"))
                .collect::<Vec<_>>()
        );
    }
    let n_press = -sums(&solution, 0, &s.top)[2];
    let r = sums(&solution, 1, &s.top);
    let (normal, tangential) = (-r[2], r[0].abs());
    let pair = &solution.contact(1).expect("contact state").pairs[0];
    let (in_contact, stick, slip) = pair.counts();
    println!(
        "press: N = {n_press:.4} N; pull: N = {normal:.4} N, T = {tangential:.4} N, T/N = {:.6} (μ = {MU}); contact {in_contact} stick {stick} slip {slip}",
        tangential / normal
    );
    assert!(n_press > 0.0 && normal > 0.0);
    assert_eq!(in_contact, 16);
    assert_eq!(slip, 16, "every node slides");
    assert!(
        ((tangential / normal) - MU).abs() < 1e-3 * MU,
        "T/N = {}",
        tangential / normal
    );
    // the contact forces balance the reactions at the top
    assert!((pair.normal_force - normal).abs() < 1e-6 * normal);
    assert!((pair.friction_force[0] + tangential).abs() < 1e-6 * normal);
    // the block slid by about the prescribed 0.02 mm
    let max_slip = pair
        .nodes
        .iter()
        .map(|n| n.slip_magnitude)
        .fold(0.0, f64::max);
    assert!(max_slip > 0.015 && max_slip < 0.02, "slip {max_slip}");
}

fn force_problem(s: &Setup, fraction_of_mu_n: f64, normal: f64) -> (LoadCase, LoadCase) {
    let mut press = LoadCase::new("press");
    press.boundary = prescribe(&s.top, [None, None, Some(-PRESS)]);
    let mut push = LoadCase::new("push");
    push.boundary = press.boundary.clone();
    let per_node = fraction_of_mu_n * MU * normal / s.top.len() as f64;
    push.nodal_loads = s
        .top
        .iter()
        .map(|&node| NodalLoad {
            node,
            component: 0,
            value: per_node,
        })
        .collect();
    (press, push)
}

fn normal_force(s: &Setup) -> f64 {
    let (press, _) = force_problem(s, 0.0, 0.0);
    let mut problem = ContactProblem::from_model(&s.model);
    problem.steps = vec![press];
    let solution = solve_contact(&problem).expect("press converges");
    -sums(&solution, 0, &s.top)[2]
}

fn push(s: &Setup, fraction: f64) -> ContactSolution {
    let normal = normal_force(s);
    let (press, push) = force_problem(s, fraction, normal);
    let mut problem = ContactProblem::from_model(&s.model);
    problem.steps = vec![press, push];
    let solution = solve_contact(&problem).expect("converges");
    for log in solution.increments() {
        println!("{log}");
    }
    let pair = &solution.contact(1).expect("contact state").pairs[0];
    let (in_contact, stick, slip) = pair.counts();
    let max_irreversible = pair
        .nodes
        .iter()
        .map(|n| {
            n.irreversible_slip
                .iter()
                .map(|v| v * v)
                .sum::<f64>()
                .sqrt()
        })
        .fold(0.0, f64::max);
    let max_slip = pair
        .nodes
        .iter()
        .map(|n| n.slip_magnitude)
        .fold(0.0, f64::max);
    println!(
        "T = {fraction} μN = {:.4} N: contact {in_contact} stick {stick} slip {slip}; max slip {max_slip:.3e} mm, max irreversible slip {max_irreversible:.2e} mm",
        fraction * MU * normal
    );
    // friction carries the whole tangential load
    assert!((pair.friction_force[0] + fraction * MU * normal).abs() < 1e-6 * normal);
    solution
}

#[test]
fn below_mu_n_the_block_sticks() {
    // rigid foundation and a block with ν = 0: pressing causes no lateral mismatch, so the
    // whole interface sticks under half the sliding force
    let s = setup_with(true, 0.0);
    let solution = push(&s, 0.5);
    let pair = &solution.contact(1).expect("contact state").pairs[0];
    let k_t = solution.pairing[0].normal_stiffness.1;
    let elastic_limit = pair
        .nodes
        .iter()
        .map(|n| MU * n.pressure / k_t)
        .fold(0.0, f64::max);
    assert_eq!(pair.counts(), (16, 16, 0));
    assert!(
        pair.nodes
            .iter()
            .all(|n| n.status == ContactStatus::Stick && n.irreversible_slip == [0.0; 3])
    );
    let max_slip = pair
        .nodes
        .iter()
        .map(|n| n.slip_magnitude)
        .fold(0.0, f64::max);
    println!(
        "stick: max slip {max_slip:.3e} mm ≤ elastic stick range μ p / k_T = {elastic_limit:.3e} mm"
    );
    assert!(max_slip <= elastic_limit);
}

#[test]
fn below_mu_n_an_elastic_foundation_slips_only_at_the_corners() {
    // soft block (ν = 0.3) on a stiffer elastic foundation: the lateral mismatch makes the
    // four corner nodes slip already while pressing (Cattaneo–Mindlin partial slip); the
    // block as a whole sticks: its slip stays two orders below gross sliding (0.018 mm)
    let s = setup();
    let solution = push(&s, 0.5);
    let pair = &solution.contact(1).expect("contact state").pairs[0];
    let (_, stick, slip) = pair.counts();
    assert!(stick >= 12 && slip <= 4, "stick {stick} slip {slip}");
    let max_slip = pair
        .nodes
        .iter()
        .map(|n| n.slip_magnitude)
        .fold(0.0, f64::max);
    assert!(max_slip < 5e-4, "{max_slip}");
}

#[test]
fn above_mu_n_the_analysis_fails_with_a_clear_error() {
    let s = setup();
    let normal = normal_force(&s);
    let (press, push) = force_problem(&s, 1.2, normal);
    let mut problem = ContactProblem::from_model(&s.model);
    problem.steps = vec![
        press,
        LoadCase {
            increments: IncrementControl {
                initial: 0.25,
                minimum: 0.01,
                maximum: 0.25,
            },
            ..push
        },
    ];
    problem.options = ContactOptions {
        max_iterations: 15,
        ..ContactOptions::default()
    };
    match solve_contact(&problem) {
        Err(ContactError::NotConverged(info)) => {
            let message = format!("{}", ContactError::NotConverged(info.clone()));
            println!("{message}");
            assert_eq!(info.step_number, 2);
            assert!(
                info.target_fraction > 0.8 && info.target_fraction < 0.9,
                "fails near 1/1.2 of the load: {}",
                info.target_fraction
            );
            assert!(!info.residual_history.is_empty() && !info.worst_nodes.is_empty());
            assert!(message.contains("residual history") && message.contains("worst nodes"));
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a block pushed beyond μN cannot be in equilibrium"),
    }
}

#[test]
fn consistent_tangent_needs_fewer_iterations_than_the_symmetric_one() {
    let s = setup();
    let (press, pull) = press_and_pull(&s);
    let mut counts = Vec::new();
    for tangent in [SlipTangent::Consistent, SlipTangent::Symmetric] {
        let mut problem = ContactProblem::from_model(&s.model);
        problem.steps = vec![
            press.clone(),
            LoadCase {
                increments: IncrementControl {
                    initial: 0.5,
                    minimum: 1e-3,
                    maximum: 0.5,
                },
                ..pull.clone()
            },
        ];
        problem.options.slip_tangent = tangent;
        let solution = solve_contact(&problem).expect("converges");
        let step2: Vec<&osteon_contact::IncrementLog> =
            solution.increments().filter(|l| l.step == 2).collect();
        let iterations: usize = step2.iter().map(|l| l.iterations).sum();
        let cutbacks: usize = step2.iter().map(|l| l.cutbacks).sum();
        let r = sums(&solution, 1, &s.top);
        println!(
            "{tangent:?}: sliding step in {} increments, {iterations} Newton iterations (+{} GMRES iterations), {cutbacks} cut attempts; T/N = {:.6}",
            step2.len(),
            solution.timings.gmres_iterations,
            (r[0] / r[2]).abs()
        );
        assert!(((r[0] / r[2]).abs() - MU).abs() < 1e-3 * MU);
        counts.push(iterations);
    }
    assert!(counts[0] < counts[1]);
}

#[test]
fn quadratic_and_tetrahedral_faces_slide_at_mu_n() {
    for element in [ElementType::Tet4, ElementType::Tet10, ElementType::Hex20] {
        let s = setup_typed(false, 0.3, element);
        let problem = sliding_problem(&s);
        let solution = solve_contact(&problem).expect("converges");
        let r = sums(&solution, 1, &s.top);
        let pair = &solution.contact(1).expect("contact state").pairs[0];
        let iterations: usize = solution.increments().map(|l| l.iterations).sum();
        println!(
            "{element}: {} slave nodes, contact {:?} (in contact, stick, slip), T/N = {:.6}, {iterations} iterations",
            pair.nodes.len(),
            pair.counts(),
            (r[0] / r[2]).abs()
        );
        // quadratic faces: with node-to-surface contact some corner nodes of the slave faces
        // stay open — the consistent nodal forces of a uniform pressure are negative at the
        // corners of a Quad8 (zero at those of a Tri6), which a compression-only node cannot
        // carry (measured: Tet10 43/49 nodes in contact, Hex20 24/40); the total force and
        // T/N are right, and every node in contact slides
        let (in_contact, stick, _) = pair.counts();
        assert!(
            stick == 0 && 2 * in_contact >= pair.nodes.len(),
            "{element}"
        );
        assert!(((r[0] / r[2]).abs() - MU).abs() < 1e-3 * MU, "{element}");
    }
}

/// A sparse Cholesky made through the external-solver interface, counting its solvers.
struct CountingCholesky {
    made: std::sync::atomic::AtomicUsize,
}

impl osteon_solver::LinearSolverFactory for CountingCholesky {
    fn describe(&self) -> String {
        "Cholesky through a factory".into()
    }

    fn make(
        &self,
        geometry: &osteon_solver::UnknownGeometry,
    ) -> Result<Box<dyn osteon_solver::LinearSolver + '_>, osteon_solver::SolverError> {
        assert!(geometry.n() > 0);
        self.made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Box::new(osteon_solver::CholeskySolver::new(
            osteon_solver::CholeskyOptions::default(),
        )))
    }
}

/// The Newton matrices solved by an external solver (PETSc's in the study's `--backend
/// petsc`; here a Cholesky behind the same interface): one solver for the Newton system,
/// and the slide of the built-in path to round-off.
#[test]
fn an_external_solver_slides_the_block_as_the_built_in_one() {
    let s = setup();
    let built_in = solve_contact(&sliding_problem(&s)).expect("converges");
    let factory = std::sync::Arc::new(CountingCholesky {
        made: std::sync::atomic::AtomicUsize::new(0),
    });
    let mut problem = sliding_problem(&s);
    problem.options.external_solver = Some(osteon_solver::ExternalSolver(factory.clone()));
    let external = solve_contact(&problem).expect("converges");
    // one Newton system (the steps share the supports), one solver
    assert_eq!(factory.made.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(external.timings.interface_updates, 0);
    let scale = built_in.steps[1]
        .displacement
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in external.steps.iter().zip(&built_in.steps) {
        for (ua, ub) in a.displacement.iter().zip(&b.displacement) {
            for c in 0..3 {
                assert!((ua[c] - ub[c]).abs() < 1e-10 * scale, "{}", a.name);
            }
        }
    }
    let (r_ext, r_in) = (sums(&external, 1, &s.top), sums(&built_in, 1, &s.top));
    assert!((r_ext[0] - r_in[0]).abs() < 1e-8 * r_in[2].abs());
}

/// The correction criterion: with a residual tolerance no iteration can reach (1e-300), the
/// sliding block still converges, through the last correction falling below 1e-8 of the
/// largest displacement, to the displacements of the default residual criterion; with both
/// criteria unreachable it stops with a clear error instead of accepting an unconverged
/// state.
#[test]
fn a_converged_displacement_ends_the_iterations_when_the_residual_cannot() {
    let s = setup();
    let reference = solve_contact(&sliding_problem(&s)).expect("converges");
    let mut problem = sliding_problem(&s);
    problem.options = ContactOptions {
        residual_tolerance: 1e-300,
        ..ContactOptions::default()
    };
    let by_correction = solve_contact(&problem).expect("converges on the correction");
    let largest = |u: &[[f64; 3]]| u.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in reference.steps.iter().zip(&by_correction.steps) {
        let scale = largest(&a.displacement);
        let diff = a
            .displacement
            .iter()
            .zip(&b.displacement)
            .flat_map(|(p, q)| (0..3).map(move |k| (p[k] - q[k]).abs()))
            .fold(0.0, f64::max);
        assert!(diff <= 1e-7 * scale, "{diff} vs {scale}");
    }
    problem.options.correction_tolerance = 0.0;
    problem.options.max_iterations = 12;
    match solve_contact(&problem) {
        Err(ContactError::NotConverged(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("no criterion can be met: the analysis must not converge"),
    }
}
