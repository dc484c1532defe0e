//! The coupled support on a bar: its base held by a distributing coupling, its top loaded by
//! a force through another. With area weights on a uniform trilinear mesh both couplings
//! spread their force as a uniform traction, so the bar is in a state of uniform stress,
//! which trilinear elements reproduce exactly: the top moves by F L / (E A) relative to the
//! base to round-off, the base's mean motion is zero, forces and moments balance, and
//! a second support elsewhere is refused rather than silently loading the pins.

use osteon_assembly::{
    CoupledSupport, LoadCase, Model, SolveOptions, Wrench, distribute_wrench, solve_linear_static,
};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

const E: f64 = 17000.0;
const F: f64 = -700.0;
const L: f64 = 50.0;
const A: f64 = 10.0 * 8.0;

/// The nodes of a face surface and their area weights (each face's area shared by its
/// four nodes).
fn face_nodes_and_weights(model: &Model, name: &str) -> (Vec<usize>, Vec<f64>) {
    let mut w = std::collections::BTreeMap::new();
    for &f in model.mesh.surface_faces(name).expect("face surface") {
        let nodes = model.mesh.face_nodes(f).expect("face");
        let x: Vec<nalgebra::Vector3<f64>> = nodes
            .iter()
            .map(|&n| nalgebra::Vector3::from(model.mesh.coords[n]))
            .collect();
        // a planar rectangle: |diagonal × diagonal| / 2
        let area = 0.5 * (x[2] - x[0]).cross(&(x[3] - x[1])).norm();
        for n in nodes {
            *w.entry(n).or_insert(0.0) += area / 4.0;
        }
    }
    w.into_iter().unzip()
}

fn bar() -> Model {
    let mesh = box_mesh(&BoxSpec {
        origin: [-5.0, -4.0, 0.0],
        size: [10.0, 8.0, L],
        cells: [3, 2, 7],
        element: ElementType::Hex8,
    })
    .expect("box");
    let mut model = Model::new(mesh);
    let m = model.add_material(Material::new(
        "bone",
        IsotropicElastic::new(E, 0.3).expect("valid").into(),
    ));
    model.add_section("ALL", (0..model.mesh.n_elements()).collect(), m);
    let (base, base_w) = face_nodes_and_weights(&model, "ZMIN");
    let support = CoupledSupport::new("base", &model.mesh.coords, &base, &base_w).expect("support");
    model.couple_support(support).expect("one support");
    let (top, top_w) = face_nodes_and_weights(&model, "ZMAX");
    let mut case = LoadCase::new("axial and bending");
    case.nodal_loads = distribute_wrench(
        "top",
        &model.mesh.coords,
        &top,
        &top_w,
        &Wrench {
            force: [0.0, 0.0, F],
            moment: [0.0; 3],
            point: [0.0, 0.0, L],
        },
    )
    .expect("load");
    model.load_cases = vec![case];
    model
}

#[test]
fn a_bar_on_a_coupled_support_is_in_uniform_stress() {
    let model = bar();
    let sol = solve_linear_static(&model, &SolveOptions::default()).expect("solves");
    let step = &sol.cases[0];
    // balance of forces and moments
    let r = step.total_reaction();
    assert!((r[2] + F).abs() < 1e-9 * F.abs(), "{r:?}");
    let m: f64 = (0..3)
        .map(|k| (step.reaction_moment[k] + step.applied_moment[k]).abs())
        .sum();
    assert!(m < 1e-9 * F.abs() * L, "moment balance {m}");
    // every node: u_z = F z / (E A) (uniform stress, base held at its mean)
    for (x, u) in model.mesh.coords.iter().zip(&step.displacement) {
        let exact = F * x[2] / (E * A);
        assert!(
            (u[2] - exact).abs() < 1e-9 * (F * L / (E * A)).abs(),
            "{x:?}: {u:?}"
        );
    }
    // the base's mean motion is zero, yet its nodes contract sideways (Poisson)
    let support = model.coupled_support.as_ref().expect("support");
    let base: Vec<[f64; 3]> = support
        .nodes
        .iter()
        .map(|&n| model.mesh.coords[n])
        .collect();
    let u: Vec<[f64; 3]> = support
        .nodes
        .iter()
        .map(|&n| step.displacement[n])
        .collect();
    let fit = osteon_assembly::RigidMotion::fit(&base, &u, Some(&support.weights)).expect("fit");
    assert!(
        fit.translation
            .iter()
            .chain(&fit.rotation)
            .all(|v| v.abs() < 1e-12)
    );
    let corner = support
        .nodes
        .iter()
        .position(|&n| model.mesh.coords[n][0] > 4.9 && model.mesh.coords[n][1] > 3.9)
        .expect("corner");
    let exact_x = -0.3 * F / (E * A) * 5.0;
    assert!(
        (u[corner][0] - exact_x).abs() < 1e-9 * exact_x.abs(),
        "{:?}",
        u[corner]
    );
}

#[test]
fn a_second_support_is_refused() {
    let mut model = bar();
    // a second coupled support
    let (top, w) = face_nodes_and_weights(&model, "ZMAX");
    let second = CoupledSupport::new("top", &model.mesh.coords, &top, &w).expect("support");
    let err = model.clone().couple_support(second).unwrap_err();
    assert!(
        err.to_string().contains("statically indeterminate"),
        "{err}"
    );
    // a prescribed displacement elsewhere loads the pins: refused, not silently wrong
    let top_node = model.mesh.node_set("ZMAX").expect("top")[0];
    model.fix(&[top_node], &[0, 1, 2]);
    let err = solve_linear_static(&model, &SolveOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not the only support"), "{err}");
}
