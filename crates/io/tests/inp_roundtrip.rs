//! Round trip through the deck writer: a model written by `deck_writer::write_model_inp`
//! reads back as the same model (what `osteon mesh` writes, `osteon solve` must read).

use approx::assert_relative_eq;
use osteon_assembly::{
    DirichletBc, Gravity, LoadCase, Model, NodalLoad, PressureLoad, SolveOptions,
    solve_linear_static,
};
use osteon_io::deck_writer::write_model_inp;
use osteon_io::inp::read_inp;
use osteon_material::{Elastic, IsotropicElastic, Material, OrthotropicElastic};
use osteon_mesh::generate::{BoxSpec, box_mesh};
use osteon_mesh::{ElementType, FaceRef, Surface};

fn model() -> Model {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [20.0, 10.0, 10.0],
        cells: [2, 1, 1],
        element: ElementType::Hex20,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let mut model = Model::new(mesh);
    let iso = IsotropicElastic::new(17000.0, 0.3).unwrap_or_else(|e| panic!("{e}"));
    let ortho = OrthotropicElastic::from_abaqus_engineering_constants([
        12000.0, 13400.0, 20000.0, 0.376, 0.222, 0.235, 4530.0, 5610.0, 6230.0,
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let a = model.add_material(Material::new("bone", Elastic::Isotropic(iso)).with_density(1.9e-9));
    let b = model
        .add_material(Material::new("femur", Elastic::Orthotropic(ortho)).with_density(1.9e-9));
    model.add_section("LEFT", vec![0], a);
    model.add_section("RIGHT", vec![1], b);
    let xmin = model
        .mesh
        .node_sets
        .get("XMIN")
        .cloned()
        .unwrap_or_default();
    model.fix(&xmin, &[0, 1, 2]);
    let xmax = model
        .mesh
        .node_sets
        .get("XMAX")
        .cloned()
        .unwrap_or_default();
    let mut case = LoadCase::new("pull");
    case.nodal_loads = xmax
        .iter()
        .map(|&node| NodalLoad {
            node,
            component: 0,
            value: 2.5,
        })
        .collect();
    case.pressures.push(PressureLoad {
        face: FaceRef {
            element: 1,
            face: 3,
        },
        pressure: -1.5,
    });
    case.gravity.push(Gravity {
        elements: None,
        acceleration: [0.0, 0.0, -9810.0],
    });
    case.boundary.push(DirichletBc {
        node: xmax[0],
        component: 2,
        value: 0.01,
    });
    model.load_cases.push(case);
    model
}

#[test]
fn a_written_model_reads_back_the_same() {
    let original = model();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("roundtrip.inp");
    write_model_inp(&path, &original, "round trip").unwrap_or_else(|e| panic!("{e}"));
    let deck = read_inp(&path).unwrap_or_else(|e| panic!("{e}"));
    let m = &deck.model;
    assert_eq!(m.mesh.node_ids, original.mesh.node_ids);
    assert_eq!(m.mesh.coords, original.mesh.coords);
    assert_eq!(m.mesh.blocks, original.mesh.blocks);
    for (name, set) in &original.mesh.node_sets {
        assert_eq!(m.mesh.node_sets.get(name), Some(set), "node set {name}");
    }
    for (name, surface) in &original.mesh.surfaces {
        let read = m.mesh.surfaces.get(name);
        match (surface, read) {
            (Surface::Faces(a), Some(Surface::Faces(b))) => {
                let (mut a, mut b) = (a.clone(), b.clone());
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "surface {name}");
            }
            (a, b) => assert_eq!(Some(a), b, "surface {name}"),
        }
    }
    assert_eq!(m.materials.len(), 2);
    for (a, b) in original.materials.iter().zip(&m.materials) {
        assert_eq!(a.density, b.density);
        let (da, db) = (a.stiffness(), b.stiffness());
        for i in 0..6 {
            for j in 0..6 {
                assert_relative_eq!(da[i][j], db[i][j], epsilon = 1e-9, max_relative = 1e-12);
            }
        }
    }
    assert_eq!(
        m.sections
            .iter()
            .map(|s| s.elements.clone())
            .collect::<Vec<_>>(),
        [vec![0], vec![1]]
    );
    // every written step states its full boundary set with OP=NEW, so the conditions may come
    // back as the step's own rather than model-level: compare what holds in the step
    let (a, b) = (&original.load_cases[0], &m.load_cases[0]);
    let effective = |model_bcs: &[osteon_assembly::DirichletBc],
                     case_bcs: &[osteon_assembly::DirichletBc]| {
        let mut v: Vec<(usize, usize, u64)> = model_bcs
            .iter()
            .chain(case_bcs)
            .map(|c| (c.node, c.component, c.value.to_bits()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    assert_eq!(
        effective(&m.boundary, &b.boundary),
        effective(&original.boundary, &a.boundary)
    );
    assert_eq!(b.nodal_loads, a.nodal_loads);
    assert_eq!(b.pressures, a.pressures);
    // gravity on all elements is written as one `EALL, GRAV` line; the acceleration is the same
    assert!(
        b.gravity
            .iter()
            .all(|g| g.acceleration == [0.0, 0.0, -9810.0])
    );
    assert_eq!(b.gravity.len(), 1);

    let options = SolveOptions {
        threads: 1,
        ..SolveOptions::default()
    };
    let (ua, ub) = (
        solve_linear_static(&original, &options).unwrap_or_else(|e| panic!("{e}")),
        solve_linear_static(m, &options).unwrap_or_else(|e| panic!("{e}")),
    );
    for (x, y) in ua.cases[0]
        .displacement
        .iter()
        .zip(&ub.cases[0].displacement)
    {
        for k in 0..3 {
            assert_relative_eq!(x[k], y[k], epsilon = 1e-12, max_relative = 1e-9);
        }
    }
}
