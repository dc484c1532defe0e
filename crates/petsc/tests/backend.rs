//! The PETSc backend against osteon's direct solver, in one process or several.
//!
//! MPI and PETSc start once per process, so this file has one test, which runs every check.
//! `cargo test` runs it on one process; CI also runs the same binary under
//! `mpirun -n 2`, where the distributed checks split the model between two processes.

use osteon_assembly::{
    ConstrainedSystem, DirichletBc, ElasticOperator, Equation, LoadCase, Model, NodalLoad, Silent,
    SolveOptions, StepSolution, solve_linear_static,
};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};
use std::sync::Arc;

use osteon_assembly::SolverChoice;
use osteon_contact::{ContactPair, ContactProblem, solve_contact};
use osteon_mesh::{FaceRef, Mesh, Surface};
use osteon_petsc::{
    DistributedOptions, KrylovOptions, PetscError, PetscSolver, PetscSolverFactory, Session,
    solve_linear_static_distributed,
};
use osteon_solver::{CholeskyOptions, CholeskySolver, ExternalSolver, LinearSolver};

/// A 20 × 4 × 4 mm cortical-bone bar of quadratic tetrahedra clamped at x = 0, with an
/// equation (two tip nodes move together in x) and three load cases: a tip shear, an
/// axial pull, and a prescribed tip displacement (lifting).
fn bar() -> Model {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [20.0, 4.0, 4.0],
        cells: [10, 2, 2],
        element: ElementType::Tet10,
    })
    .unwrap();
    let mut model = Model::new(mesh);
    let bone = model.add_material(Material::new(
        "cortical",
        IsotropicElastic::new(17_000.0, 0.3).unwrap().into(),
    ));
    let all = model.mesh.element_set("ALL").unwrap().to_vec();
    model.add_section("ALL", all, bone);
    let xmin = model.mesh.node_set("XMIN").unwrap().to_vec();
    model.fix(&xmin, &[0, 1, 2]);
    let xmax = model.mesh.node_set("XMAX").unwrap().to_vec();
    model.equations.push(Equation {
        terms: vec![(xmax[0], 0, 1.0), (xmax[1], 0, -1.0)],
    });
    let mut shear = LoadCase::new("shear");
    let mut pull = LoadCase::new("pull");
    for &n in &xmax {
        shear.nodal_loads.push(NodalLoad {
            node: n,
            component: 2,
            value: -50.0 / xmax.len() as f64,
        });
        pull.nodal_loads.push(NodalLoad {
            node: n,
            component: 0,
            value: 400.0 / xmax.len() as f64,
        });
    }
    let mut pushed = LoadCase::new("prescribed");
    pushed.boundary.push(DirichletBc {
        node: xmax[2],
        component: 1,
        value: 0.01,
    });
    model.load_cases = vec![shear, pull, pushed];
    model
}

fn max_abs(steps: &[StepSolution], f: impl Fn(&StepSolution) -> &Vec<[f64; 3]>) -> f64 {
    steps
        .iter()
        .flat_map(|s| f(s).iter().flatten())
        .fold(0.0f64, |m, v| m.max(v.abs()))
}

/// max |a − b| over the steps' displacements, relative to max |b|.
fn relative_difference(a: &[StepSolution], b: &[StepSolution]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mut diff = 0.0f64;
    for (sa, sb) in a.iter().zip(b) {
        for (ua, ub) in sa.displacement.iter().zip(&sb.displacement) {
            for c in 0..3 {
                diff = diff.max((ua[c] - ub[c]).abs());
            }
        }
    }
    diff / max_abs(b, |s| &s.displacement)
}

#[test]
fn petsc_agrees_with_the_direct_solver() {
    // the factory owns the session; the checks below borrow it
    let petsc = Arc::new(
        PetscSolverFactory::new(
            Session::start("").unwrap(),
            KrylovOptions {
                rel_tol: 1e-11,
                ..KrylovOptions::default()
            },
        )
        .unwrap(),
    );
    let session = petsc.session();
    let model = bar();
    let direct = solve_linear_static(&model, &SolveOptions::default()).unwrap();

    // 1. the distributed analysis (the model split over every process of the run)
    let options = DistributedOptions {
        krylov: KrylovOptions {
            rel_tol: 1e-11,
            ..KrylovOptions::default()
        },
        ..DistributedOptions::default()
    };
    let dist = solve_linear_static_distributed(session, &model, &options, &mut Silent).unwrap();
    assert_eq!(
        (dist.ksp_type.as_str(), dist.pc_type.as_str()),
        ("cg", "gamg")
    );
    if session.rank() == 0 {
        assert_eq!(dist.ranks.len(), session.size());
        let rows: usize = dist.ranks.iter().map(|r| r.owned_rows).sum();
        assert_eq!(rows, 3 * model.mesh.n_nodes());
        let d = relative_difference(&dist.cases, &direct.cases);
        assert!(d < 1e-8, "distributed vs direct: {d:.3e}");
        // reactions balance the loads as in the serial path
        for (p, s) in dist.cases.iter().zip(&direct.cases) {
            let (rp, rs) = (p.total_reaction(), s.total_reaction());
            for c in 0..3 {
                assert!((rp[c] - rs[c]).abs() < 1e-6 * (1.0 + rs[c].abs()));
            }
            assert!(
                p.diagnostics.relative_residual <= 5e-11,
                "{}: {:?}",
                p.name,
                p.diagnostics
            );
            assert!(p.diagnostics.linear_iterations > 0 || p.name == "prescribed");
            assert_eq!(p.fields.nodal_stress.len(), model.mesh.n_nodes());
        }
    } else {
        assert!(dist.cases.is_empty());
    }

    // 2. PetscSolver as a LinearSolver on this process, with the rigid-body modes
    let op = ElasticOperator::new(&model).unwrap();
    let boundary = model.boundary_of(&model.load_cases[0]);
    let mut system = ConstrainedSystem::setup(&op, &boundary).unwrap();
    system.assemble(&op).unwrap();
    let dofs = system.dofs();
    let n = dofs.n_free();
    // the six rigid-body modes at the free unknowns: translations, rotations ω × x
    let modes: Vec<Vec<f64>> = (0..6)
        .map(|k| {
            (0..n)
                .map(|i| {
                    let raw = dofs.free_to_raw(i);
                    let x = model.mesh.coords[raw / 3];
                    let rot = [[0.0, -x[2], x[1]], [x[2], 0.0, -x[0]], [-x[1], x[0], 0.0]];
                    if k < 3 {
                        f64::from(u8::from(raw % 3 == k))
                    } else {
                        rot[k - 3][raw % 3]
                    }
                })
                .collect()
        })
        .collect();
    let rhs = system
        .form_rhs(
            &op,
            &op.external_forces(&model.load_cases[0]).unwrap(),
            &vec![0.0; 3 * model.mesh.n_nodes()],
        )
        .unwrap();
    let mut chol = CholeskySolver::new(CholeskyOptions::default());
    chol.analyse(system.matrix(), Some(dofs.groups())).unwrap();
    chol.factorise(system.matrix()).unwrap();
    let mut x_ref = vec![0.0; n];
    chol.solve(system.matrix(), &rhs, &mut x_ref).unwrap();
    let mut solver = PetscSolver::new(
        session,
        KrylovOptions {
            rel_tol: 1e-11,
            ..KrylovOptions::default()
        },
    )
    .with_near_null_space(modes);
    solver
        .analyse(system.matrix(), Some(dofs.groups()))
        .unwrap();
    solver.factorise(system.matrix()).unwrap();
    let mut x = vec![0.0; n];
    let report = solver.solve(system.matrix(), &rhs, &mut x).unwrap();
    assert!(report.relative_residual <= 5e-11, "{report:?}");
    let scale = x_ref.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let diff = x
        .iter()
        .zip(&x_ref)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        diff < 1e-8 * scale,
        "PetscSolver vs Cholesky: {diff:e} of {scale:e}"
    );
    assert_eq!(solver.name(), "petsc");

    // 3. a model that can move as a rigid body is refused before PETSc sees it
    let mut free = bar();
    free.boundary.clear();
    let err = solve_linear_static_distributed(session, &free, &options, &mut Silent).unwrap_err();
    assert!(err.is_numerical(), "{err}");
    assert!(err.to_string().contains("rigid body"), "{err}");

    // 4. a Krylov method that stops short is an error with PETSc's reason in words
    let short = DistributedOptions {
        krylov: KrylovOptions {
            rel_tol: 1e-12,
            max_iter: 2,
            pc_type: "jacobi".into(),
            ..KrylovOptions::default()
        },
        ..DistributedOptions::default()
    };
    let err = solve_linear_static_distributed(session, &model, &short, &mut Silent).unwrap_err();
    match &err {
        PetscError::NotConverged {
            reason, iterations, ..
        } => {
            assert_eq!(*iterations, 2);
            assert!(reason.contains("iteration limit"), "{reason}");
        }
        other => panic!("expected NotConverged, got {other}"),
    }
    assert!(err.is_numerical());

    // 5. the factory in osteon's own analyses (the study's --backend petsc), on this process
    let external = SolverChoice::External(ExternalSolver(petsc.clone()));
    assert_eq!(
        external.describe(),
        "PETSc cg + gamg on one process, to a relative residual of 1e-11"
    );
    factory_in_linear_statics(&external);
    factory_in_frictional_contact(&external);
}

/// The bar on a roller support (x held on the clamped face, y and z at two of its nodes):
/// nodes with one or two free directions, so PETSc's node blocks get identity rows; the
/// equation-coupled tip and the prescribed load case as before.
fn factory_in_linear_statics(external: &SolverChoice) {
    let mut model = bar();
    model.boundary.clear();
    let xmin = model.mesh.node_set("XMIN").unwrap().to_vec();
    model.fix(&xmin, &[0]);
    let corner = model
        .mesh
        .nodes_where(|x| x[0] == 0.0 && x[1] == 0.0 && x[2] == 0.0);
    let above = model
        .mesh
        .nodes_where(|x| x[0] == 0.0 && x[1] == 4.0 && x[2] == 0.0);
    let beside = model
        .mesh
        .nodes_where(|x| x[0] == 0.0 && x[1] == 0.0 && x[2] == 4.0);
    model.fix(&corner, &[1, 2]);
    model.fix(&above, &[2]);
    model.fix(&beside, &[1]);
    let op = ElasticOperator::new(&model).unwrap();
    let system = ConstrainedSystem::setup(&op, &model.boundary_of(&model.load_cases[0])).unwrap();
    assert_eq!(
        system.dofs().geometry(&model.mesh.coords).block_size(),
        1,
        "the roller leaves partial nodes"
    );
    let direct = solve_linear_static(&model, &SolveOptions::default()).unwrap();
    let options = SolveOptions {
        solver: external.clone(),
        ..SolveOptions::default()
    };
    let solved = solve_linear_static(&model, &options).unwrap();
    let d = relative_difference(&solved.cases, &direct.cases);
    assert!(d < 1e-8, "factory vs direct: {d:.3e}");
    for case in &solved.cases {
        assert!(
            case.diagnostics.relative_residual <= 5e-11,
            "{:?}",
            case.diagnostics
        );
    }
}

/// A 4 × 4 × 2 mm tantalum block on a 6 × 6 × 2 mm bone foundation with Coulomb friction
/// (μ 0.74): its top pressed down 2 µm, then pulled 20 µm sideways; every Newton matrix
/// through PETSc, the result that of the direct Newton solve.
fn factory_in_frictional_contact(external: &SolverChoice) {
    let foundation = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [6.0, 6.0, 2.0],
        cells: [3, 3, 1],
        element: ElementType::Tet10,
    })
    .unwrap();
    let block = box_mesh(&BoxSpec {
        origin: [1.0, 1.0, 2.0],
        size: [4.0, 4.0, 2.0],
        cells: [2, 2, 1],
        element: ElementType::Tet10,
    })
    .unwrap();
    let mut mesh = foundation.clone();
    let (n0, e0) = (mesh.n_nodes(), mesh.n_elements());
    for (i, x) in block.coords.iter().enumerate() {
        mesh.add_node(block.node_ids[i] + 1000, *x).unwrap();
    }
    for el in block.elements() {
        let nodes: Vec<usize> = el.nodes.iter().map(|n| n + n0).collect();
        mesh.push_element(el.etype, el.id + 1000, &nodes).unwrap();
    }
    let faces = |m: &Mesh, name: &str, offset: usize| -> Vec<FaceRef> {
        match m.surface(name) {
            Ok(Surface::Faces(f)) => f
                .iter()
                .map(|f| FaceRef {
                    element: f.element + offset,
                    face: f.face,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let slave = faces(&block, "ZMIN", e0);
    let master = faces(&foundation, "ZMAX", 0);
    let mut model = Model::new(mesh);
    let bone = model.add_material(Material::new(
        "bone",
        IsotropicElastic::new(17_000.0, 0.3).unwrap().into(),
    ));
    let ta = model.add_material(Material::new(
        "porous Ta",
        IsotropicElastic::new(3_000.0, 0.3).unwrap().into(),
    ));
    let n_el = model.mesh.n_elements();
    model.add_section("FOUNDATION", (0..e0).collect(), bone);
    model.add_section("BLOCK", (e0..n_el).collect(), ta);
    let bottom = foundation.node_set("ZMIN").unwrap().to_vec();
    model.fix(&bottom, &[0, 1, 2]);
    let top: Vec<usize> = block
        .node_set("ZMAX")
        .unwrap()
        .iter()
        .map(|n| n + n0)
        .collect();
    model
        .contact_pairs
        .push(ContactPair::new("block-foundation", slave, master, 0.74));
    let held = |x: f64, z: f64| -> Vec<DirichletBc> {
        top.iter()
            .flat_map(|&node| {
                [x, 0.0, z]
                    .into_iter()
                    .enumerate()
                    .map(move |(component, value)| DirichletBc {
                        node,
                        component,
                        value,
                    })
            })
            .collect()
    };
    let mut press = LoadCase::new("press");
    press.boundary = held(0.0, -0.002);
    let mut pull = LoadCase::new("pull");
    pull.boundary = held(0.02, -0.002);
    model.load_cases = vec![press, pull];
    let built_in = solve_contact(&ContactProblem::from_model(&model)).unwrap();
    let mut problem = ContactProblem::from_model(&model);
    problem.options.external_solver = match external {
        SolverChoice::External(e) => Some(e.clone()),
        _ => None,
    };
    let through_petsc = solve_contact(&problem).unwrap();
    let d = relative_difference(&through_petsc.steps, &built_in.steps);
    assert!(d < 1e-7, "contact through PETSc vs direct: {d:.3e}");
    // Coulomb's law holds on the pair: |T| ≤ μ N
    let pair = &through_petsc.contact(1).unwrap().pairs[0];
    let t = pair
        .friction_force
        .iter()
        .map(|f| f * f)
        .sum::<f64>()
        .sqrt();
    assert!(pair.normal_force > 0.0 && t <= 0.74 * pair.normal_force * (1.0 + 1e-6));
}
