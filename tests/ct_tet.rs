//! The smooth-surface tetrahedral path (`osteon ct --mesh tet`) on the tibia phantom, against
//! the phantom's analytic geometry and the law that generated its CT numbers. Skipped, with a
//! notice, when gmsh is not installed (`pip install gmsh`); the error paths run without it.
//! Its deck runs as a study's patient mesh.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use osteon::ct::gmsh::find_gmsh;
use osteon::ct::tet::{TetOptions, build_tet};
use osteon::ct::{CtError, CtOptions, Segmenting};
use osteon_assembly::Silent;
use osteon_biomech::{
    DefectSpec, FlangeSpec, ImplantSpec, InterfaceModel, PatientMeshSpec, ScrewSpec, Study,
    run_study,
};
use osteon_imaging::{MappingOptions, Region, ThresholdOptions, TibiaPhantom, Tissue};

fn options(edge_mm: f64) -> CtOptions {
    CtOptions {
        segmenting: Segmenting::Threshold(ThresholdOptions::default()),
        element_size_mm: Some(edge_mm),
        mapping: MappingOptions::default(),
        materials: 20,
    }
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn triple(a: [f64; 3], b: [f64; 3], c: [f64; 3]) -> f64 {
    a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
        + a[2] * (b[0] * c[1] - b[1] * c[0])
}

#[test]
fn phantom_meshed_into_c3d10_matches_its_geometry_and_density_law() {
    if find_gmsh(None).is_err() {
        println!("NOTICE: gmsh not found (pip install gmsh, or OSTEON_GMSH=PATH); test skipped");
        return;
    }
    let phantom = TibiaPhantom::default(); // 0.5 mm voxels, 73 × 73 × 132
    let ct = phantom.generate().unwrap();
    let t = Instant::now();
    let built = build_tet(&ct, &options(1.5), &TetOptions::default()).unwrap();
    let total = t.elapsed().as_secs_f64();
    let mesh = &built.mesh;
    let truth = phantom.bone_volume_mm3();
    let volume = mesh.volume();
    let surface_volume = built.surface.enclosed_volume();
    println!(
        "surface: {} marching triangles ({:+.3} % of the phantom), smoothed ({:+.3} %), decimated to {} ({:+.3} %)",
        built.marching_triangles,
        100.0 * (built.marching_volume_mm3 - truth) / truth,
        100.0 * (built.smoothed_volume_mm3 - truth) / truth,
        built.surface.triangles.len(),
        100.0 * (surface_volume - truth) / truth,
    );
    println!(
        "mesh: {} C3D10, {} nodes, volume {volume:.0} mm3 vs {truth:.0} mm3 ({:+.3} %); min scaled Jacobian {:.3}, dihedral {:.1}°..{:.1}°",
        mesh.n_elements(),
        mesh.n_nodes(),
        100.0 * (volume - truth) / truth,
        built.quality.min_scaled_jacobian,
        built.dihedral_deg.0,
        built.dihedral_deg.1
    );
    let timings: Vec<String> = built
        .timings
        .iter()
        .map(|(n, s)| format!("{n} {s:.2} s"))
        .collect();
    println!("timings: {}; total {total:.2} s", timings.join(", "));

    // every element: positive corner volume (closed form) and Jacobian at nodes and points
    assert!(built.quality.min_scaled_jacobian > 0.0);
    for e in 0..mesh.n_elements() {
        let n = mesh.element(e).nodes;
        let p = [0, 1, 2, 3].map(|q| mesh.coords[n[q]]);
        assert!(
            triple(sub(p[1], p[0]), sub(p[2], p[0]), sub(p[3], p[0])) > 0.0,
            "element {e}"
        );
    }
    // the tetrahedra fill exactly the surface gmsh was given, whose boundary they keep
    assert!((volume - surface_volume).abs() < 1e-6 * surface_volume);
    let mut faces: HashMap<[usize; 3], usize> = HashMap::new();
    for e in 0..mesh.n_elements() {
        let n = mesh.element(e).nodes;
        for f in [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]] {
            let mut key = f.map(|q| n[q]);
            key.sort_unstable();
            *faces.entry(key).or_default() += 1;
        }
    }
    let boundary = faces.values().filter(|&&c| c == 1).count();
    assert!(faces.values().all(|&c| c <= 2));
    assert_eq!(boundary, built.surface.triangles.len());
    // and the phantom's bone volume
    assert!(((volume - truth) / truth).abs() < 0.02);

    // end node sets on the bone ends (distal z = 0, proximal z = length), within half a voxel
    for (set, z) in [("DISTAL", 0.0), ("PROXIMAL", phantom.length_mm)] {
        let nodes = mesh.node_set(set).unwrap();
        assert!(nodes.len() > 50, "{set}: {} nodes", nodes.len());
        assert!(
            nodes
                .iter()
                .all(|&n| (mesh.coords[n][2] - z).abs() <= 0.25 + 1e-6),
            "{set}"
        );
    }
    assert_eq!(built.long_axis, 2);
    assert_eq!(built.mapping.unmapped_elements, 0);
    assert!(built.bins.modulus_mpa.len() <= 20);
    assert_eq!(mesh.element_set("ALL").unwrap().len(), mesh.n_elements());

    // modulus of interior elements against the generating law at their centroid
    let law = MappingOptions::default().law;
    let props = &built.mapping.properties;
    let mut worst = [0.0f64; 3];
    let mut tested = [0usize; 3];
    for e in 0..mesh.n_elements() {
        let n = mesh.element(e).nodes;
        let p = [0, 1, 2, 3].map(|q| mesh.coords[n[q]]);
        let centre = [0, 1, 2].map(|c| p.iter().map(|x| x[c]).sum::<f64>() / 4.0);
        let tissue = phantom.tissue(centre);
        let slot = match tissue {
            Tissue::Cortical => 0,
            Tissue::Cancellous => 1,
            Tissue::Marrow => 2,
            Tissue::SoftTissue => continue,
        };
        // interior: every corner, with a 0.75 mm rim (1.5 voxels of partial volume), in one tissue
        let reach = 0.75;
        let interior = p.iter().chain([&centre]).all(|x| {
            (0..27).all(|q| {
                let d = [q % 3, (q / 3) % 3, q / 9].map(|v| (v as f64 - 1.0) * reach);
                phantom.tissue([x[0] + d[0], x[1] + d[1], x[2] + d[2]]) == tissue
            })
        });
        if !interior {
            continue;
        }
        assert_eq!(
            built.mapping.regions[e],
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
        assert!(worst[s] < 0.03, "{name}: {:.3} %", 100.0 * worst[s]);
    }
}

#[test]
fn missing_gmsh_is_an_error_that_says_what_to_install() {
    let phantom = TibiaPhantom {
        voxel_mm: [1.0; 3],
        supersampling: 1,
        ..TibiaPhantom::default()
    };
    let ct = phantom.generate().unwrap();
    let tet = TetOptions {
        gmsh: Some("/nonexistent/bin/gmsh".into()),
        ..TetOptions::default()
    };
    let err = build_tet(&ct, &options(3.0), &tet).unwrap_err();
    assert!(matches!(err, CtError::GmshNotFound { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("pip install gmsh") && text.contains("/nonexistent/bin/gmsh"),
        "{text}"
    );
}

/// A gmsh that fails: the error quotes its output and keeps its folder.
#[cfg(unix)]
#[test]
fn failing_gmsh_is_reported_with_its_output() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("gmsh");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'Info    : reading bone.geo'\necho 'Error   : No tetrahedra in region 1' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let phantom = TibiaPhantom {
        voxel_mm: [1.0; 3],
        supersampling: 1,
        ..TibiaPhantom::default()
    };
    let ct = phantom.generate().unwrap();
    let tet = TetOptions {
        gmsh: Some(fake.clone()),
        ..TetOptions::default()
    };
    let err = build_tet(&ct, &options(3.0), &tet).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("No tetrahedra in region 1") && text.contains("exited with"),
        "{text}"
    );
    if let CtError::Gmsh { dir, .. } = &err {
        assert!(dir.join("bone.geo").is_file() && dir.join("surface.stl").is_file());
        std::fs::remove_dir_all(dir).unwrap();
    } else {
        panic!("{err:?}");
    }
}

/// The C3D10 deck of `osteon ct --mesh tet` is a patient mesh a study accepts: its plateau
/// and distal end surfaces and its bone sets (marrow counted as cancellous) carry the
/// seed's axial cases on the bonded prosthesis, in balance.
#[test]
fn the_tetrahedral_deck_runs_as_a_patient_mesh_study() {
    if find_gmsh(None).is_err() {
        println!("NOTICE: gmsh not found (pip install gmsh, or OSTEON_GMSH=PATH); test skipped");
        return;
    }
    let phantom = TibiaPhantom {
        voxel_mm: [1.0; 3],
        length_mm: 120.0,
        ..TibiaPhantom::default()
    };
    let ct = phantom.generate().unwrap();
    let built = build_tet(&ct, &options(2.0), &TetOptions::default()).unwrap();
    for name in ["PLATEAU_MEDIAL", "PLATEAU_LATERAL", "DISTAL_END"] {
        let n = built.mesh.surface_faces(name).map_or(0, <[_]>::len);
        println!("{name}: {n} faces");
        assert!(n > 0, "{name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let files = built
        .write(dir.path(), &built.heading(Path::new("phantom")))
        .unwrap();
    let study = Study {
        patient_mesh: Some(PatientMeshSpec {
            path: files.inp.clone(),
            lps_lateral: Some("+x".into()),
            ..PatientMeshSpec::default()
        }),
        implant: ImplantSpec {
            flange: FlangeSpec {
                enabled: false,
                ..FlangeSpec::default()
            },
            screws: ScrewSpec {
                enabled: false,
                ..ScrewSpec::default()
            },
            ..ImplantSpec::default()
        },
        interface: InterfaceModel::Bonded,
        defect: DefectSpec {
            length_mm: 20.0,
            center_mm: None,
        },
        threads: Some(2),
        ..Study::default()
    };
    let mut study = study;
    study.loads.activities = Vec::new();
    study.metrics.headline_analyses = false;
    let run = run_study(&study, &mut Silent).expect("patient-mesh study on the C3D10 deck");
    for c in &run.report.cases {
        let q = &c.metrics.equilibrium;
        assert!(
            q.relative_error <= 1e-8 && q.moment_relative_error <= 1e-8,
            "{q:?}"
        );
        println!(
            "{}: max displacement {:.4} mm, porous Ta mean {:.2} MPa",
            c.metrics.name, c.metrics.max_displacement_mm[0], c.metrics.porous_tantalum.mean_mpa
        );
    }
    assert!(
        run.reconstruction.region_counts()[2] > 0,
        "prosthesis elements"
    );
    assert_eq!(
        run.reconstruction.knee_frame,
        osteon_biomech::KneeFrame::lps(1.0)
    );
}
