//! The tetrahedral mapping rule against closed forms: quadratic tetrahedra over a CT whose
//! left half is cortical bone (1500 HU) and right half cancellous (300 HU), the element
//! boundaries not aligned with the interface.

use osteon_imaging::{
    MappingOptions, Region, Segmentation, Volume, Voxels, map_tet_materials, name_tet_sets,
};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};

/// 20³ voxels of 0.5 mm tiling [0, 10]³ mm; HU 1500 for x < 5 mm, 300 beyond.
fn two_halves() -> Volume {
    let n = 20;
    let hu: Vec<i16> = (0..n * n * n)
        .map(|idx| if idx % n < n / 2 { 1500 } else { 300 })
        .collect();
    Volume::new([n; 3], [0.5; 3], [0.25; 3], Voxels::I16(hu)).unwrap()
}

fn corners(mesh: &osteon_mesh::Mesh, e: usize) -> [[f64; 3]; 4] {
    let n = mesh.element(e).nodes;
    [0, 1, 2, 3].map(|q| mesh.coords[n[q]])
}

fn tet_volume(p: [[f64; 3]; 4]) -> f64 {
    let d = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    let (a, b, c) = (d(p[1], p[0]), d(p[2], p[0]), d(p[3], p[0]));
    (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
        + a[2] * (b[0] * c[1] - b[1] * c[0]))
        .abs()
        / 6.0
}

#[test]
fn element_modulus_is_the_mean_modulus_of_the_bone_inside() {
    let ct = two_halves();
    let opts = MappingOptions::default();
    let e_of = |hu: f64| {
        opts.law
            .modulus(opts.calibration.apparent_density(hu).unwrap())
            .unwrap()
    };
    let (e1, e2) = (e_of(1500.0), e_of(300.0));
    // every voxel bone: cortical left, cancellous right
    let seg = Segmentation {
        dims: ct.dims,
        labels: (0..ct.len())
            .map(|idx| if idx % 20 < 10 { 1 } else { 2 })
            .collect(),
    };
    let mut mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [10.0; 3],
        cells: [3, 3, 3],
        element: ElementType::Tet10,
    })
    .unwrap();
    let m = map_tet_materials(&ct, &seg, &mesh, &opts).unwrap();
    assert_eq!(m.unmapped_elements + m.nearest_voxel_elements, 0);
    // the volume integral of the modulus: half the box at each modulus
    let integral: f64 = (0..mesh.n_elements())
        .map(|e| m.properties.modulus_mpa[e] * tet_volume(corners(&mesh, e)))
        .sum();
    let exact = 1000.0 / 2.0 * (e1 + e2);
    println!(
        "{} C3D10, {:?} samples per element; ∫E dV {integral:.6e} vs {exact:.6e} ({:+.3} %)",
        mesh.n_elements(),
        m.samples_per_element,
        100.0 * (integral - exact) / exact
    );
    assert!(((integral - exact) / exact).abs() < 0.005);
    // an element on one side only has that side's modulus and region exactly
    let (mut left, mut right) = (0, 0);
    for e in 0..mesh.n_elements() {
        let xs = corners(&mesh, e).map(|p| p[0]);
        if xs.iter().all(|&x| x <= 5.0) {
            assert!((m.properties.modulus_mpa[e] - e1).abs() < 1e-9 * e1);
            assert_eq!(m.regions[e], Region::Cortical);
            left += 1;
        } else if xs.iter().all(|&x| x >= 5.0) {
            assert!((m.properties.modulus_mpa[e] - e2).abs() < 1e-9 * e2);
            assert_eq!(m.regions[e], Region::Cancellous);
            right += 1;
        }
    }
    assert!(left > 10 && right > 10);
    // sets as the voxel mesh names them; the long axis is the grid's z on a cube (ties last)
    name_tet_sets(&mut mesh, &m.regions, &ct, &seg).unwrap();
    assert!(mesh.element_set("CORTICAL").is_ok() && mesh.element_set("CANCELLOUS").is_ok());
    let proximal = mesh.node_set("PROXIMAL").unwrap();
    assert!(
        !proximal.is_empty()
            && proximal
                .iter()
                .all(|&n| (mesh.coords[n][2] - 10.0).abs() <= 0.25)
    );

    // only bone counts: with the upper half (z ≥ 5 mm) outside the segmentation, elements
    // left of the interface keep the cortical modulus however much soft tissue they hold
    let lower = Segmentation {
        dims: ct.dims,
        labels: (0..ct.len())
            .map(|idx| {
                if idx / 400 >= 10 {
                    0
                } else if idx % 20 < 10 {
                    1
                } else {
                    2
                }
            })
            .collect(),
    };
    let m = map_tet_materials(&ct, &lower, &mesh, &opts).unwrap();
    let mut straddling = 0;
    for e in 0..mesh.n_elements() {
        let p = corners(&mesh, e);
        if p.iter().all(|q| q[0] <= 5.0) && p.iter().any(|q| q[2] < 5.0) {
            assert!((m.properties.modulus_mpa[e] - e1).abs() < 1e-9 * e1);
            if p.iter().any(|q| q[2] > 5.0) {
                straddling += 1;
            }
        }
    }
    assert!(straddling > 0);
}

#[test]
fn hexahedra_are_refused() {
    let ct = two_halves();
    let seg = Segmentation {
        dims: ct.dims,
        labels: vec![1; ct.len()],
    };
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [10.0; 3],
        cells: [2, 2, 2],
        element: ElementType::Hex8,
    })
    .unwrap();
    assert!(map_tet_materials(&ct, &seg, &mesh, &MappingOptions::default()).is_err());
}
