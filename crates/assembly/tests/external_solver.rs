//! A solver from outside osteon ([`SolverChoice::External`]) in the linear static analysis:
//! the factory is asked for one solver per constrained system and told where the free
//! unknowns sit; the results are those of the built-in solver.

use std::sync::Mutex;

use osteon_assembly::{ConstrainedSystem, ElasticOperator, solve_linear_static};
use osteon_assembly::{DirichletBc, LoadCase, Model, NodalLoad, SolveOptions, SolverChoice};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};
use osteon_solver::{
    CgOptions, ConjugateGradient, ExternalSolver, LinearSolver, LinearSolverFactory, SolverError,
    UnknownGeometry,
};

/// Jacobi CG made through the factory interface, recording what each request was told.
struct Recording {
    seen: Mutex<Vec<UnknownGeometry>>,
}

impl LinearSolverFactory for Recording {
    fn describe(&self) -> String {
        "Jacobi CG through a factory".into()
    }

    fn make(&self, geometry: &UnknownGeometry) -> Result<Box<dyn LinearSolver + '_>, SolverError> {
        self.seen
            .lock()
            .map_err(|_| SolverError::Backend {
                backend: "test",
                detail: "poisoned".into(),
            })?
            .push(geometry.clone());
        Ok(Box::new(ConjugateGradient::new(CgOptions {
            rel_tol: 1e-12,
            max_iter: 20_000,
            threads: 1,
        })))
    }
}

/// A 12 × 3 × 3 mm bar clamped at x = 0 with two load cases: a tip shear (the clamp), and a
/// prescribed tip displacement, which adds prescribed DOFs (a second constrained system).
fn bar() -> Model {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [12.0, 3.0, 3.0],
        cells: [6, 2, 2],
        element: ElementType::Hex8,
    })
    .expect("box");
    let mut model = Model::new(mesh);
    let m = model.add_material(Material::new(
        "bone",
        IsotropicElastic::new(17_000.0, 0.3).expect("valid").into(),
    ));
    model.add_section("ALL", (0..model.mesh.n_elements()).collect(), m);
    let x0 = model.mesh.node_set("XMIN").expect("XMIN").to_vec();
    model.fix(&x0, &[0, 1, 2]);
    let tip = model.mesh.node_set("XMAX").expect("XMAX").to_vec();
    let mut shear = LoadCase::new("shear");
    for &n in &tip {
        shear.nodal_loads.push(NodalLoad {
            node: n,
            component: 2,
            value: -10.0 / tip.len() as f64,
        });
    }
    let mut pushed = LoadCase::new("pushed");
    pushed.boundary.push(DirichletBc {
        node: tip[0],
        component: 1,
        value: 0.005,
    });
    model.load_cases = vec![shear, pushed];
    model
}

#[test]
fn an_external_solver_is_made_per_constrained_system_and_agrees_with_cholesky() {
    let model = bar();
    let direct = solve_linear_static(&model, &SolveOptions::default()).expect("direct");
    let factory = std::sync::Arc::new(Recording {
        seen: Mutex::new(Vec::new()),
    });
    let external = SolverChoice::External(ExternalSolver(factory.clone()));
    assert_eq!(external.describe(), "Jacobi CG through a factory");
    let options = SolveOptions {
        solver: external,
        ..SolveOptions::default()
    };
    let solved = solve_linear_static(&model, &options).expect("external");
    let scale = direct
        .cases
        .iter()
        .flat_map(|c| c.displacement.iter().flatten())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in solved.cases.iter().zip(&direct.cases) {
        for (ua, ub) in a.displacement.iter().zip(&b.displacement) {
            for c in 0..3 {
                assert!((ua[c] - ub[c]).abs() < 1e-8 * scale, "{}", a.name);
            }
        }
        assert!(a.diagnostics.linear_iterations > 0);
    }

    // one solver per constrained system, told the free unknowns of that system
    let seen = factory.seen.lock().expect("lock");
    assert_eq!(seen.len(), 2);
    let op = ElasticOperator::new(&model).expect("operator");
    for (geometry, case) in seen.iter().zip(&model.load_cases) {
        let system = ConstrainedSystem::setup(&op, &model.boundary_of(case)).expect("setup");
        let dofs = system.dofs();
        assert_eq!(geometry.n(), dofs.n_free());
        for i in 0..dofs.n_free() {
            let raw = dofs.free_to_raw(i);
            assert_eq!(geometry.node[i], raw / 3);
            assert_eq!(usize::from(geometry.direction[i]), raw % 3);
            assert_eq!(geometry.position[i], model.mesh.coords[raw / 3]);
        }
    }
    // the clamp removes whole nodes: node blocks of 3; the prescribed tip y does not
    assert_eq!(seen[0].block_size(), 3);
    assert_eq!(seen[1].block_size(), 1);
}
