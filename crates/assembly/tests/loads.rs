//! Consistent surface loads: resultants against exact projected areas.

use osteon_assembly::{LoadCase, Model, PressureLoad, external_forces};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::generate::{TubeSpec, tube_mesh};
use osteon_mesh::{ElementType, Surface};

/// The resultant of a pressure on an open surface depends only on its boundary curve:
/// ∫ p n dA = p × (vector area), so the half tube y > 0 carries F_y = −p · 2 r L exactly — also
/// on curved quadratic faces whose edges run through the exact end points.
#[test]
fn pressure_resultant_on_curved_faces_is_exact() {
    for t in ElementType::ALL {
        let mesh = tube_mesh(&TubeSpec {
            inner_radius: 7.0,
            outer_radius: 13.0,
            length: 30.0,
            cells_radial: 1,
            cells_around: 8,
            cells_axial: 3,
            element: t,
        })
        .expect("tube");
        let Ok(Surface::Faces(inner)) = mesh.surface("INNER") else {
            panic!("no INNER surface")
        };
        let inner = inner.clone();
        let mut model = Model::new(mesh);
        let m = model.add_material(Material::new(
            "m",
            IsotropicElastic::new(1000.0, 0.3).expect("valid").into(),
        ));
        model.add_section("ALL", (0..model.mesh.n_elements()).collect(), m);
        let p = 2.5;
        let mut all = LoadCase::new("all");
        let mut upper = LoadCase::new("upper");
        for &face in &inner {
            all.pressures.push(PressureLoad { face, pressure: p });
            let nodes = model.mesh.face_nodes(face).expect("face");
            if nodes.iter().all(|&n| model.mesh.coords[n][1] >= -1e-9) {
                upper.pressures.push(PressureLoad { face, pressure: p });
            }
        }
        let materials = vec![0; model.mesh.n_elements()];
        let sum =
            |f: &[f64]| -> [f64; 3] { std::array::from_fn(|k| f.iter().skip(k).step_by(3).sum()) };
        let closed = sum(&external_forces(&model, &all, &materials).expect("loads"));
        assert!(
            closed.iter().all(|v| v.abs() < 1e-10 * p * 7.0 * 30.0),
            "{t}: closed surface resultant {closed:?}"
        );
        let half = sum(&external_forces(&model, &upper, &materials).expect("loads"));
        // inner pressure pushes the wall outwards: on the upper half towards +y
        let exact = p * 2.0 * 7.0 * 30.0;
        assert!(
            (half[1] - exact).abs() < 1e-10 * exact,
            "{t}: {} vs {exact}",
            half[1]
        );
    }
}
