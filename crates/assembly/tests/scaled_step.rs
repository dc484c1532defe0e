//! A step solution scaled by λ equals the solution under λ times the load — for linear
//! elasticity to round-off (the frictional study relies on the same homogeneity for contact
//! cases solved from the unloaded state with no initial gap; `osteon-biomech`'s frictional
//! tests check that case against direct solves).

use osteon_assembly::{LoadCase, Model, NodalLoad, SolveOptions, solve_linear_static};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

#[test]
fn a_scaled_step_is_the_solution_under_the_scaled_load() {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [10.0, 2.0, 2.0],
        cells: [5, 2, 2],
        element: ElementType::Hex20,
    })
    .expect("box");
    let mut model = Model::new(mesh);
    let bone = model.add_material(Material::new(
        "cortical",
        IsotropicElastic::new(17_000.0, 0.3).expect("E, nu").into(),
    ));
    model.add_section(
        "ALL",
        model.mesh.element_set("ALL").expect("ALL").to_vec(),
        bone,
    );
    let wall = model.mesh.node_set("XMIN").expect("XMIN").to_vec();
    model.fix(&wall, &[0, 1, 2]);
    let tip = model.mesh.node_set("XMAX").expect("XMAX").to_vec();
    let case = |name: &str, scale: f64| {
        let mut c = LoadCase::new(name);
        for &node in &tip {
            // pull and bend: a load with two components
            c.nodal_loads.push(NodalLoad {
                node,
                component: 0,
                value: scale * 40.0,
            });
            c.nodal_loads.push(NodalLoad {
                node,
                component: 2,
                value: -scale * 3.0,
            });
        }
        c
    };
    model.load_cases = vec![case("base", 1.0), case("2.5 × base", 2.5)];
    let sol = solve_linear_static(&model, &SolveOptions::default()).expect("solves");
    let (base, direct) = (&sol.cases[0], &sol.cases[1]);
    let scaled = base.scaled("2.5 × base", 2.5);
    assert_eq!(scaled.name, "2.5 × base");
    let close = |a: f64, b: f64, scale: f64| (a - b).abs() <= 1e-12 * scale;
    let u_scale = direct.max_displacement();
    for (a, b) in scaled.displacement.iter().zip(&direct.displacement) {
        assert!((0..3).all(|k| close(a[k], b[k], u_scale)), "{a:?} vs {b:?}");
    }
    let r_scale = direct
        .reaction
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in scaled.reaction.iter().zip(&direct.reaction) {
        assert!((0..3).all(|k| close(a[k], b[k], r_scale)));
    }
    let s_scale = direct
        .fields
        .point_stress
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in scaled
        .fields
        .point_stress
        .iter()
        .zip(&direct.fields.point_stress)
    {
        assert!((0..6).all(|k| close(a[k], b[k], s_scale)));
    }
    assert!((0..3).all(|k| close(scaled.applied_total[k], direct.applied_total[k], 250.0)));
    assert_eq!(scaled.fields.point_volume, direct.fields.point_volume);
    // the strain energy grows with the square of the load
    let (e1, e2) = (base.fields.strain_energy(), direct.fields.strain_energy());
    assert!((e2 - 6.25 * e1).abs() <= 1e-12 * e2);
    assert!((scaled.fields.strain_energy() - e2).abs() <= 1e-12 * e2);
}
