//! Quadratic bricks on the voxel grid (`osteon ct --element c3d20`): no mid-edge node
//! duplicated (the node count of a box of bricks in closed form), valid elements on a
//! mirrored grid, and the uniaxial patch test — a box of C3D20 stretched along its long axis
//! carries E·A·δ/L and deforms homogeneously, to round-off.

use osteon::assembly::{DirichletBc, LoadCase, Model, SolveOptions, solve_linear_static};
use osteon::ct::{CtOptions, Segmenting, VoxelOptions, build_voxel};
use osteon::imaging::{MappingOptions, ThresholdOptions, Volume, Voxels};
use osteon::material::{IsotropicElastic, Material};
use osteon::mesh::{ElementType, check_jacobians};

const E: f64 = 17_000.0;
const NU: f64 = 0.3;

#[test]
fn c3d20_box_has_shared_mid_edge_nodes_and_passes_the_uniaxial_patch_test() {
    // 3 × 4 × 6 bone voxels of 0.5 × 0.6 × 0.8 mm on a mirrored grid (z runs down with k)
    let (a, b, c) = (3usize, 4usize, 6usize);
    let spacing = [0.5, 0.6, 0.8];
    let direction = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]];
    let ct = Volume::with_direction(
        [a, b, c],
        spacing,
        [10.0, -4.0, 30.0],
        direction,
        Voxels::I16(vec![1500; a * b * c]),
    )
    .unwrap();
    let options = CtOptions {
        segmenting: Segmenting::Threshold(ThresholdOptions::default()),
        element_size_mm: None,
        mapping: MappingOptions::default(),
        materials: 1,
    };
    let voxel = VoxelOptions {
        smoothing: None,
        quadratic: true,
    };
    let built = build_voxel(&ct, &options, &voxel).unwrap();
    let mesh = &built.voxel_mesh.mesh;
    assert!(mesh.blocks.iter().all(|b| b.etype == ElementType::Hex20));
    assert_eq!(mesh.n_elements(), a * b * c);
    // corners + one node per edge of the grid of bricks
    let corners = (a + 1) * (b + 1) * (c + 1);
    let edges = a * (b + 1) * (c + 1) + (a + 1) * b * (c + 1) + (a + 1) * (b + 1) * c;
    assert_eq!(mesh.n_nodes(), corners + edges);
    check_jacobians(mesh).expect("every C3D20 positive on the mirrored grid");
    let volume: f64 = spacing.iter().product::<f64>() * (a * b * c) as f64;
    assert!((mesh.volume() - volume).abs() < 1e-12 * volume);
    // the end sets hold the whole end faces: (a+1)(b+1) corners + a(b+1) + (a+1)b mid-edge nodes
    let face_nodes = (a + 1) * (b + 1) + a * (b + 1) + (a + 1) * b;
    for set in ["DISTAL", "PROXIMAL"] {
        assert_eq!(mesh.node_set(set).unwrap().len(), face_nodes, "{set}");
    }

    // uniaxial patch test on the mesh: DISTAL held axially, PROXIMAL moved by δ, rigid motion
    // removed at two corner nodes of DISTAL
    let mut model = Model::new(mesh.clone());
    let m = model.add_material(Material::new(
        "BONE",
        IsotropicElastic::new(E, NU).unwrap().into(),
    ));
    model.add_section("ALL", (0..mesh.n_elements()).collect(), m);
    let x = &mesh.coords;
    let distal = mesh.node_set("DISTAL").unwrap().to_vec();
    let proximal = mesh.node_set("PROXIMAL").unwrap().to_vec();
    let z0 = x[distal[0]][2];
    let length = x[proximal[0]][2] - z0;
    assert!((length.abs() - c as f64 * spacing[2]).abs() < 1e-12);
    let (xmin, ymin) = (10.0 - 0.25, -4.0 - 0.3);
    let xmax = xmin + a as f64 * spacing[0];
    let find = |px: f64, py: f64| {
        distal
            .iter()
            .copied()
            .find(|&n| (x[n][0] - px).abs() < 1e-9 && (x[n][1] - py).abs() < 1e-9)
            .expect("corner node")
    };
    let (pin, roller) = (find(xmin, ymin), find(xmax, ymin));
    model.fix(&distal, &[2]);
    model.fix(&[pin], &[0, 1]);
    model.fix(&[roller], &[1]);
    let delta = 1e-3 * length; // signed along z, stretching the box
    let mut case = LoadCase::new("stretch");
    for &n in &proximal {
        case.boundary.push(DirichletBc {
            node: n,
            component: 2,
            value: delta,
        });
    }
    model.load_cases.push(case);
    let solution = solve_linear_static(&model, &SolveOptions::default()).unwrap();
    let step = &solution.cases[0];
    let strain = delta / length;
    let area = a as f64 * spacing[0] * b as f64 * spacing[1];
    let force: f64 = proximal.iter().map(|&n| step.reaction[n][2]).sum();
    let expected = E * area * strain;
    println!(
        "C3D20 box: reaction {force:.9e} N, E·A·δ/L {expected:.9e} N ({:.1e} relative)",
        (force - expected).abs() / expected.abs()
    );
    assert!((force - expected).abs() < 1e-9 * expected.abs());
    for (n, p) in x.iter().enumerate() {
        let exact = [
            -NU * strain * (p[0] - xmin),
            -NU * strain * (p[1] - ymin),
            strain * (p[2] - z0),
        ];
        for (k, (&got, want)) in step.displacement[n].iter().zip(exact).enumerate() {
            assert!(
                (got - want).abs() < 1e-9 * delta.abs(),
                "node {n} component {k}: {got} vs {want}"
            );
        }
    }
}
