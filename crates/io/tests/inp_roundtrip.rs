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

/// Regression (found by the property test below): a load case without boundary conditions
/// written after one with them inherited the earlier step's conditions, since the writer
/// left out the empty `*BOUNDARY, OP=NEW` and conditions persist across steps.
#[test]
fn a_case_without_conditions_after_one_with_them_reads_back_without() {
    let mut original = model();
    original.boundary.clear();
    let mut second = LoadCase::new("free");
    second.nodal_loads.push(NodalLoad {
        node: 0,
        component: 1,
        value: 1.0,
    });
    original.load_cases.push(second);
    assert_eq!(original.load_cases[0].boundary.len(), 1);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("two_cases.inp");
    write_model_inp(&path, &original, "two cases").unwrap_or_else(|e| panic!("{e}"));
    let m = read_inp(&path).unwrap_or_else(|e| panic!("{e}")).model;
    assert!(m.boundary.is_empty());
    assert_eq!(m.load_cases[0].boundary, original.load_cases[0].boundary);
    assert_eq!(m.load_cases[1].boundary, []);
}

// ---------------------------------------------------------------------------------------
// Property test: random small valid models (random ids, coordinates, C3D4/C3D8/C3D10
// elements over the generated nodes, sets, surfaces, materials, boundary conditions and
// loads over one to three steps) read back as the same model.
// ---------------------------------------------------------------------------------------

mod random_models {
    use std::collections::{BTreeMap, BTreeSet};

    use osteon_assembly::{DirichletBc, Gravity, LoadCase, Model, NodalLoad, PressureLoad};
    use osteon_io::deck_writer::write_model_inp;
    use osteon_io::inp::read_inp;
    use osteon_material::{Elastic, IsotropicElastic, Material, OrthotropicElastic};
    use osteon_mesh::{ElementType, FaceRef, Mesh, Surface};
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    /// Values as the writer must preserve them: moderate decimals, short exact ones, and
    /// any normal f64 (then the writer rounds to 20 characters).
    fn real() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -1e3f64..1e3,
            2 => (-400i32..400).prop_map(|v| f64::from(v) / 8.0),
            1 => prop::num::f64::NORMAL,
        ]
    }

    fn nonzero() -> impl Strategy<Value = f64> {
        real().prop_filter("non-zero", |v| *v != 0.0)
    }

    #[derive(Clone, Debug)]
    struct CaseSpec {
        loads: Vec<(usize, usize, f64)>,
        pressures: Vec<(usize, usize, f64)>,
        boundary: Vec<(usize, usize, f64)>,
        global_gravity: Option<[f64; 3]>,
        set_gravity: Option<(Vec<usize>, [f64; 3])>,
    }

    #[derive(Clone, Debug)]
    struct Spec {
        node_ids: Vec<i64>,
        coords: Vec<[f64; 3]>,
        elements: Vec<(ElementType, Vec<usize>)>,
        element_ids: Vec<i64>,
        section_of: Vec<usize>,
        materials: Vec<(bool, f64, f64, f64)>,
        node_sets: Vec<Vec<usize>>,
        element_sets: Vec<Vec<usize>>,
        face_surfaces: Vec<Vec<(usize, usize)>>,
        node_surface: Option<Vec<usize>>,
        boundary: Vec<(usize, usize, f64)>,
        cases: Vec<CaseSpec>,
    }

    fn acceleration() -> impl Strategy<Value = [f64; 3]> {
        [-1e4f64..1e4, -1e4f64..1e4, -1e4f64..1e4]
            .prop_filter("non-zero", |a| a.iter().any(|v| v.abs() > 1e-3))
    }

    fn case(n_nodes: usize, n_elements: usize) -> impl Strategy<Value = CaseSpec> {
        (
            prop::collection::vec((0..n_nodes, 0usize..3, nonzero()), 1..6),
            prop::collection::vec((0..n_elements, 0usize..6, nonzero()), 0..4),
            prop::collection::vec((0..n_nodes, 0usize..3, real()), 0..4),
            prop::option::of(acceleration()),
            prop::option::of((
                prop::sample::subsequence((0..n_elements).collect::<Vec<_>>(), 1..=n_elements),
                acceleration(),
            )),
        )
            .prop_map(
                |(loads, pressures, boundary, global_gravity, set_gravity)| CaseSpec {
                    loads,
                    pressures,
                    boundary,
                    global_gravity,
                    set_gravity,
                },
            )
    }

    fn spec() -> impl Strategy<Value = Spec> {
        (10usize..24, 1usize..6).prop_flat_map(|(n_nodes, n_elements)| {
            let all_nodes: Vec<usize> = (0..n_nodes).collect();
            let all_elements: Vec<usize> = (0..n_elements).collect();
            let element = prop::sample::select(
                &[ElementType::Tet4, ElementType::Hex8, ElementType::Tet10][..],
            )
            .prop_flat_map(move |etype| {
                (
                    Just(etype),
                    prop::sample::subsequence((0..n_nodes).collect::<Vec<_>>(), etype.n_nodes())
                        .prop_shuffle(),
                )
            });
            (
                (
                    prop::collection::btree_set(1i64..1_000_000_000, n_nodes)
                        .prop_map(|s| s.into_iter().collect::<Vec<_>>())
                        .prop_shuffle(),
                    prop::collection::vec([real(), real(), real()], n_nodes),
                    prop::collection::vec(element, n_elements),
                    prop::collection::btree_set(1i64..1_000_000, n_elements)
                        .prop_map(|s| s.into_iter().collect::<Vec<_>>())
                        .prop_shuffle(),
                    prop::collection::vec(0usize..3, n_elements),
                    prop::collection::vec(
                        (any::<bool>(), 1.0f64..2e5, 0.0f64..0.49, 1e-10f64..1e-8),
                        3,
                    ),
                ),
                (
                    prop::collection::vec(
                        prop::sample::subsequence(all_nodes.clone(), 1..=n_nodes),
                        0..3,
                    ),
                    prop::collection::vec(
                        prop::sample::subsequence(all_elements, 1..=n_elements),
                        0..3,
                    ),
                    prop::collection::vec(
                        prop::collection::vec((0..n_elements, 0usize..6), 1..5),
                        0..3,
                    ),
                    prop::option::of(prop::sample::subsequence(all_nodes, 1..=n_nodes)),
                    prop::collection::vec((0..n_nodes, 0usize..3, real()), 0..5),
                    prop::collection::vec(case(n_nodes, n_elements), 1..4),
                ),
            )
                .prop_map(
                    |(
                        (node_ids, coords, elements, element_ids, section_of, materials),
                        (node_sets, element_sets, face_surfaces, node_surface, boundary, cases),
                    )| Spec {
                        node_ids,
                        coords,
                        elements,
                        element_ids,
                        section_of,
                        materials,
                        node_sets,
                        element_sets,
                        face_surfaces,
                        node_surface,
                        boundary,
                        cases,
                    },
                )
        })
    }

    /// Unique faces: the face number taken modulo the faces of the element's type.
    fn faces(mesh: &Mesh, raw: &[(usize, usize)]) -> Vec<FaceRef> {
        let set: BTreeSet<(usize, u8)> = raw
            .iter()
            .map(|&(e, f)| {
                let n = mesh.element(e).etype.n_faces();
                (e, u8::try_from(f % n).unwrap_or(0))
            })
            .collect();
        set.into_iter()
            .map(|(element, face)| FaceRef { element, face })
            .collect()
    }

    fn build(spec: &Spec) -> Model {
        let mut mesh = Mesh::new();
        for (&id, &x) in spec.node_ids.iter().zip(&spec.coords) {
            mesh.add_node(id, x).unwrap_or_else(|e| panic!("{e}"));
        }
        for ((etype, nodes), &id) in spec.elements.iter().zip(&spec.element_ids) {
            mesh.push_element(*etype, id, nodes)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        for (k, set) in spec.node_sets.iter().enumerate() {
            mesh.set_node_set(format!("NSET{k}"), set.clone());
        }
        for (k, set) in spec.element_sets.iter().enumerate() {
            mesh.set_element_set(format!("ESET{k}"), set.clone());
        }
        for (k, raw) in spec.face_surfaces.iter().enumerate() {
            let f = faces(&mesh, raw);
            mesh.surfaces.insert(format!("FACES{k}"), Surface::Faces(f));
        }
        if let Some(nodes) = &spec.node_surface {
            mesh.surfaces
                .insert("NODES".to_string(), Surface::Nodes(nodes.clone()));
        }
        let mut model = Model::new(mesh);

        // sections: the distinct section numbers used, in order; one material each
        let used: BTreeSet<usize> = spec.section_of.iter().copied().collect();
        for (m, &s) in used.iter().enumerate() {
            let (ortho, e, nu, rho) = spec.materials[m];
            let elastic = if ortho {
                // a valid orthotropic set (cortical bone), scaled by e / 12000
                let k = e / 12000.0;
                Elastic::Orthotropic(
                    OrthotropicElastic::from_abaqus_engineering_constants([
                        12000.0 * k,
                        13400.0 * k,
                        20000.0 * k,
                        0.376,
                        0.222,
                        0.235,
                        4530.0 * k,
                        5610.0 * k,
                        6230.0 * k,
                    ])
                    .unwrap_or_else(|e| panic!("{e}")),
                )
            } else {
                Elastic::Isotropic(IsotropicElastic::new(e, nu).unwrap_or_else(|e| panic!("{e}")))
            };
            let material =
                model.add_material(Material::new(format!("mat {m}"), elastic).with_density(rho));
            let elements: Vec<usize> = (0..spec.section_of.len())
                .filter(|&el| spec.section_of[el] == s)
                .collect();
            model.add_section(format!("S{s}"), elements, material);
        }

        let mut model_keys = BTreeSet::new();
        for &(node, component, value) in &spec.boundary {
            if model_keys.insert((node, component)) {
                model.boundary.push(DirichletBc {
                    node,
                    component,
                    value,
                });
            }
        }
        for (c, cs) in spec.cases.iter().enumerate() {
            let mut case = LoadCase::new(format!("case {c}"));
            let mut keys = BTreeSet::new();
            for &(node, component, value) in &cs.loads {
                if keys.insert((node, component)) {
                    case.nodal_loads.push(NodalLoad {
                        node,
                        component,
                        value,
                    });
                }
            }
            let mut seen = BTreeSet::new();
            for &(e, f, pressure) in &cs.pressures {
                if let Some(&face) = faces(&model.mesh, &[(e, f)]).first()
                    && seen.insert((face.element, face.face))
                {
                    case.pressures.push(PressureLoad { face, pressure });
                }
            }
            let mut keys = BTreeSet::new();
            for &(node, component, value) in &cs.boundary {
                if !model_keys.contains(&(node, component)) && keys.insert((node, component)) {
                    case.boundary.push(DirichletBc {
                        node,
                        component,
                        value,
                    });
                }
            }
            if let Some(acceleration) = cs.global_gravity {
                case.gravity.push(Gravity {
                    elements: None,
                    acceleration,
                });
            }
            if let Some((elements, acceleration)) = &cs.set_gravity {
                case.gravity.push(Gravity {
                    elements: Some(elements.clone()),
                    acceleration: *acceleration,
                });
            }
            model.load_cases.push(case);
        }
        model
    }

    /// The writer's contract for a number: exact when its shortest form fits 20 characters,
    /// else rounded to fit (at least 14 significant digits).
    fn same_number(written: f64, read: f64) -> bool {
        if format!("{written:e}").len() <= 20 {
            written == read
        } else {
            (written - read).abs() <= 1e-13 * written.abs()
        }
    }

    fn keyed(list: impl Iterator<Item = (usize, usize, f64)>) -> BTreeMap<(usize, usize), f64> {
        list.map(|(a, b, v)| ((a, b), v)).collect()
    }

    fn same_keyed(
        what: &str,
        a: &BTreeMap<(usize, usize), f64>,
        b: &BTreeMap<(usize, usize), f64>,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "{}",
            what
        );
        for (k, &v) in a {
            prop_assert!(
                same_number(v, b[k]),
                "{} {:?}: wrote {:e}, read {:e}",
                what,
                k,
                v,
                b[k]
            );
        }
        Ok(())
    }

    /// Total gravity acceleration on each element (mm/s²).
    fn gravity_field(mesh: &Mesh, case: &LoadCase) -> Vec<[f64; 3]> {
        let mut field = vec![[0.0; 3]; mesh.n_elements()];
        for g in &case.gravity {
            let elements: Vec<usize> = match &g.elements {
                Some(list) => list.clone(),
                None => (0..mesh.n_elements()).collect(),
            };
            for e in elements {
                for (f, a) in field[e].iter_mut().zip(g.acceleration) {
                    *f += a;
                }
            }
        }
        field
    }

    fn check(original: &Model, m: &Model) -> Result<(), TestCaseError> {
        // nodes and elements
        prop_assert_eq!(&m.mesh.node_ids, &original.mesh.node_ids);
        for (a, b) in original.mesh.coords.iter().zip(&m.mesh.coords) {
            for k in 0..3 {
                prop_assert!(
                    same_number(a[k], b[k]),
                    "coordinate {:e} read as {:e}",
                    a[k],
                    b[k]
                );
            }
        }
        prop_assert_eq!(&m.mesh.blocks, &original.mesh.blocks);

        // sets: the original ones, plus those the writer adds (NALL, EALL, BLOCK_b, SECTION_s)
        for (name, set) in &original.mesh.node_sets {
            prop_assert_eq!(m.mesh.node_sets.get(name), Some(set), "node set {}", name);
        }
        let mut expected: BTreeSet<String> = original.mesh.node_sets.keys().cloned().collect();
        expected.insert("NALL".to_string());
        prop_assert_eq!(
            m.mesh.node_sets.keys().cloned().collect::<BTreeSet<_>>(),
            expected
        );
        prop_assert_eq!(
            m.mesh.node_sets.get("NALL").map(Vec::len),
            Some(original.mesh.n_nodes())
        );
        for (name, set) in &original.mesh.element_sets {
            prop_assert_eq!(
                m.mesh.element_sets.get(name),
                Some(set),
                "element set {}",
                name
            );
        }
        let mut expected: BTreeSet<String> = original.mesh.element_sets.keys().cloned().collect();
        expected.insert("EALL".to_string());
        expected.extend((0..original.mesh.blocks.len()).map(|b| format!("BLOCK_{b}")));
        expected.extend((0..original.sections.len()).map(|s| format!("SECTION_{s}")));
        prop_assert_eq!(
            m.mesh.element_sets.keys().cloned().collect::<BTreeSet<_>>(),
            expected
        );
        prop_assert_eq!(m.mesh.surfaces.len(), original.mesh.surfaces.len());
        for (name, surface) in &original.mesh.surfaces {
            match (surface, m.mesh.surfaces.get(name)) {
                (Surface::Faces(a), Some(Surface::Faces(b))) => {
                    let (mut a, mut b) = (a.clone(), b.clone());
                    a.sort_unstable();
                    b.sort_unstable();
                    prop_assert_eq!(a, b, "surface {}", name);
                }
                (Surface::Nodes(a), Some(Surface::Nodes(b))) => {
                    let (mut a, mut b) = (a.clone(), b.clone());
                    a.sort_unstable();
                    b.sort_unstable();
                    prop_assert_eq!(a, b, "surface {}", name);
                }
                (a, b) => prop_assert!(false, "surface {}: wrote {:?}, read {:?}", name, a, b),
            }
        }

        // materials and sections
        prop_assert_eq!(m.materials.len(), original.materials.len());
        for (a, b) in original.materials.iter().zip(&m.materials) {
            prop_assert_eq!(a.density.is_some(), b.density.is_some());
            if let (Some(x), Some(y)) = (a.density, b.density) {
                prop_assert!(same_number(x, y), "density {:e} read as {:e}", x, y);
            }
            let (da, db) = (a.stiffness(), b.stiffness());
            let scale = da.iter().flatten().fold(0.0f64, |s, v| s.max(v.abs()));
            for i in 0..6 {
                for j in 0..6 {
                    prop_assert!(
                        (da[i][j] - db[i][j]).abs() <= 1e-12 * scale,
                        "D[{}][{}] {:e} read as {:e}",
                        i,
                        j,
                        da[i][j],
                        db[i][j]
                    );
                }
            }
        }
        prop_assert_eq!(m.sections.len(), original.sections.len());
        for (a, b) in original.sections.iter().zip(&m.sections) {
            prop_assert_eq!(&a.elements, &b.elements);
            prop_assert_eq!(a.material, b.material);
        }

        // steps: boundary conditions in effect, loads, pressures, gravity per element
        prop_assert_eq!(m.load_cases.len(), original.load_cases.len());
        for (a, b) in original.load_cases.iter().zip(&m.load_cases) {
            let in_effect = |model_bcs: &[DirichletBc], case: &LoadCase| {
                keyed(
                    model_bcs
                        .iter()
                        .chain(&case.boundary)
                        .map(|c| (c.node, c.component, c.value)),
                )
            };
            same_keyed(
                "boundary",
                &in_effect(&original.boundary, a),
                &in_effect(&m.boundary, b),
            )?;
            let loads =
                |c: &LoadCase| keyed(c.nodal_loads.iter().map(|l| (l.node, l.component, l.value)));
            prop_assert_eq!(b.nodal_loads.len(), a.nodal_loads.len());
            same_keyed("nodal loads", &loads(a), &loads(b))?;
            let pressures = |c: &LoadCase| {
                keyed(
                    c.pressures
                        .iter()
                        .map(|p| (p.face.element, usize::from(p.face.face), p.pressure)),
                )
            };
            prop_assert_eq!(b.pressures.len(), a.pressures.len());
            same_keyed("pressures", &pressures(a), &pressures(b))?;
            let (ga, gb) = (gravity_field(&original.mesh, a), gravity_field(&m.mesh, b));
            for (e, (x, y)) in ga.iter().zip(&gb).enumerate() {
                let scale = x.iter().fold(0.0f64, |s, v| s.max(v.abs()));
                for k in 0..3 {
                    prop_assert!(
                        (x[k] - y[k]).abs() <= 1e-12 * scale,
                        "gravity on element {}: {:?} read as {:?}",
                        e,
                        x,
                        y
                    );
                }
            }
        }
        Ok(())
    }

    proptest! {
        // regressions are kept as plain #[test]s above
        #![proptest_config(Config { cases: 128, failure_persistence: None, ..Config::default() })]

        #[test]
        fn random_models_read_back_the_same(spec in spec()) {
            let original = build(&spec);
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let path = dir.path().join("random.inp");
            write_model_inp(&path, &original, "random model").unwrap_or_else(|e| panic!("{e}"));
            let deck = match read_inp(&path) {
                Ok(deck) => deck,
                Err(e) => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    return Err(TestCaseError::fail(format!("{e}\n--- deck ---\n{text}")));
                }
            };
            check(&original, &deck.model)?;
        }
    }
}
