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
use osteon_petsc::{
    DistributedOptions, KrylovOptions, PetscError, PetscSolver, Session,
    solve_linear_static_distributed,
};
use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver};

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
    let session = Session::start("").unwrap();
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
    let dist = solve_linear_static_distributed(&session, &model, &options, &mut Silent).unwrap();
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
    let mut petsc = PetscSolver::new(
        &session,
        KrylovOptions {
            rel_tol: 1e-11,
            ..KrylovOptions::default()
        },
    )
    .with_near_null_space(modes);
    petsc.analyse(system.matrix(), Some(dofs.groups())).unwrap();
    petsc.factorise(system.matrix()).unwrap();
    let mut x = vec![0.0; n];
    let report = petsc.solve(system.matrix(), &rhs, &mut x).unwrap();
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
    assert_eq!(petsc.name(), "petsc");

    // 3. a model that can move as a rigid body is refused before PETSc sees it
    let mut free = bar();
    free.boundary.clear();
    let err = solve_linear_static_distributed(&session, &free, &options, &mut Silent).unwrap_err();
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
    let err = solve_linear_static_distributed(&session, &model, &short, &mut Silent).unwrap_err();
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
}
