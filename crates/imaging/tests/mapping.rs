//! Voxel mesh and material mapping of the tibia phantom against the law that generated it:
//! in the interior of each region the element modulus must be the generating density's
//! modulus to 1 %.

use std::time::Instant;

use osteon_imaging::{
    MappingOptions, Region, ThresholdOptions, TibiaPhantom, Tissue, bin_moduli, map_materials,
    mesh_voxels, segment_threshold,
};

#[test]
fn mapped_modulus_reproduces_the_generating_law() {
    let phantom = TibiaPhantom::default();
    let ct = phantom.generate().unwrap();
    let seg = segment_threshold(&ct, &ThresholdOptions::default()).unwrap();
    let t = Instant::now();
    let vm = mesh_voxels(&ct, &seg, 2).unwrap(); // 1 mm bricks
    let t_mesh = t.elapsed().as_secs_f64();
    let opts = MappingOptions::default();
    let t = Instant::now();
    let props = map_materials(&ct, &seg, &vm, &opts).unwrap();
    let t_map = t.elapsed().as_secs_f64();
    let mesh = &vm.mesh;
    println!(
        "{} elements, {} nodes; mesh {t_mesh:.2} s, mapping {t_map:.2} s",
        mesh.n_elements(),
        mesh.n_nodes()
    );

    // the mesh encloses the phantom's bone volume
    let volume = mesh.volume();
    let truth = phantom.bone_volume_mm3();
    println!(
        "mesh volume {volume:.0} mm3 vs {truth:.0} mm3 ({:+.2} %)",
        100.0 * (volume - truth) / truth
    );
    assert!(((volume - truth) / truth).abs() < 0.02);
    // the end node sets lie on the bone's ends (distal z = 0, proximal z = length), to one element
    for (set, z) in [("DISTAL", 0.0), ("PROXIMAL", phantom.length_mm)] {
        let nodes = mesh.node_set(set).unwrap();
        assert!(!nodes.is_empty());
        assert!(
            nodes
                .iter()
                .all(|&n| (mesh.coords[n][2] - z).abs() <= 1.0 + 1e-9),
            "{set}"
        );
    }
    assert_eq!(vm.long_axis, 2);

    let law = opts.law;
    let mut worst = [0.0f64; 3];
    let mut tested = [0usize; 3];
    for e in 0..mesh.n_elements() {
        let nodes = mesh.element(e).nodes;
        let mut centre = [0.0; 3];
        for &n in nodes {
            for (c, x) in centre.iter_mut().enumerate() {
                *x += mesh.coords[n][c] / 8.0;
            }
        }
        let tissue = phantom.tissue(centre);
        // interior: the element and a 0.5 mm rim around it lie in one tissue
        let reach = 1.0;
        let interior = (0..27).all(|q| {
            let d = [q % 3, (q / 3) % 3, q / 9].map(|x| (x as f64 - 1.0) * reach);
            phantom.tissue([centre[0] + d[0], centre[1] + d[1], centre[2] + d[2]]) == tissue
        });
        let slot = match tissue {
            Tissue::Cortical => 0,
            Tissue::Cancellous => 1,
            Tissue::Marrow => 2,
            Tissue::SoftTissue => continue,
        };
        if !interior {
            continue;
        }
        assert_eq!(
            vm.regions[e],
            [Region::Cortical, Region::Cancellous, Region::Marrow][slot]
        );
        let expected = law
            .modulus(phantom.apparent_density(centre).unwrap())
            .unwrap();
        let err = (props.modulus_mpa[e] - expected).abs() / expected;
        worst[slot] = worst[slot].max(err);
        tested[slot] += 1;
    }
    for (s, name) in ["cortical", "cancellous", "marrow"].iter().enumerate() {
        println!(
            "{name}: {} interior elements, max modulus error {:.3} %",
            tested[s],
            100.0 * worst[s]
        );
        assert!(tested[s] > 20, "{name}: too few interior elements");
        assert!(worst[s] < 0.01, "{name}: {:.3} %", 100.0 * worst[s]);
    }

    // marrow at a fixed modulus: interior marrow elements take it, the rest is unchanged
    let soft = map_materials(
        &ct,
        &seg,
        &vm,
        &MappingOptions {
            marrow_modulus_mpa: Some(5.0),
            ..opts
        },
    )
    .unwrap();
    for e in 0..mesh.n_elements() {
        if !vm
            .element_voxels(e, &seg)
            .any(|v| seg.labels[v] == Region::Marrow.code())
        {
            assert_eq!(soft.modulus_mpa[e], props.modulus_mpa[e]);
        }
    }
    let all_marrow = (0..mesh.n_elements())
        .filter(|&e| {
            vm.element_voxels(e, &seg)
                .all(|v| seg.labels[v] == Region::Marrow.code())
        })
        .collect::<Vec<_>>();
    assert!(!all_marrow.is_empty());
    assert!(all_marrow.iter().all(|&e| soft.modulus_mpa[e] == 5.0));

    // a modulus floor: the elements below it take it, the others keep their modulus
    let floor = 2000.0;
    let floored = map_materials(
        &ct,
        &seg,
        &vm,
        &MappingOptions {
            modulus_floor_mpa: floor,
            ..opts
        },
    )
    .unwrap();
    let raised = (0..mesh.n_elements())
        .filter(|&e| props.modulus_mpa[e] < floor)
        .count();
    assert!(raised > 0, "the floor must bind somewhere to be tested");
    for e in 0..mesh.n_elements() {
        assert_eq!(floored.modulus_mpa[e], props.modulus_mpa[e].max(floor));
    }

    // binning into 20 materials keeps every element within one bin's ratio (E_max/E_min)^(1/20)
    let bins = bin_moduli(&props.modulus_mpa, 20).unwrap();
    println!(
        "20 bins: {} materials, max binning error {:.1} %",
        bins.modulus_mpa.len(),
        100.0 * bins.max_relative_error
    );
    assert!(bins.modulus_mpa.len() <= 20);
    let (lo, hi) = props
        .modulus_mpa
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    let ratio = (hi / lo).powf(1.0 / 20.0);
    for (e, &b) in bins.element_bin.iter().enumerate() {
        let r = bins.modulus_mpa[b] / props.modulus_mpa[e];
        assert!(r <= ratio * (1.0 + 1e-12) && r >= 1.0 / ratio / (1.0 + 1e-12));
    }
}

/// A mirrored grid (left-handed directions, as a NIfTI qform with qfac −1 gives) still
/// yields positive element Jacobians and the same volume.
#[test]
fn mirrored_grid_gives_positive_jacobians() {
    use osteon_imaging::{Segmentation, Volume, Voxels};
    let dims = [6, 5, 4];
    let n = dims[0] * dims[1] * dims[2];
    let seg = Segmentation {
        dims,
        labels: (0..n).map(|i| if i % 7 == 0 { 0 } else { 1 }).collect(),
    };
    for direction in [
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
    ] {
        let ct = Volume::with_direction(
            dims,
            [0.5, 0.6, 0.7],
            [1.0, 2.0, 3.0],
            direction,
            Voxels::I16(vec![1000; n]),
        )
        .unwrap();
        let vm = mesh_voxels(&ct, &seg, 1).unwrap();
        let quality = osteon_mesh::check_jacobians(&vm.mesh).expect("no inverted element");
        assert!(quality.min_scaled_jacobian > 0.99);
        let expected = seg.bone_voxels() as f64 * 0.5 * 0.6 * 0.7;
        assert!((vm.mesh.volume() - expected).abs() < 1e-9 * expected);
    }
}
