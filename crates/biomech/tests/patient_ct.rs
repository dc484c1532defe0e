//! `[patient_ct]`: a tibia phantom CT (`osteon_imaging::TibiaPhantom`, known geometry and
//! density) written as NIfTI and run through `run_study`: equilibrium, every bone element's
//! modulus against the phantom's generating density law and the imaging crate's mapping,
//! the prosthesis filling the envelope between the cutting planes, and the homogeneous
//! variant against the parametric surrogate of the same dimensions (docs/imaging.md §10).

use std::path::Path;

use osteon_assembly::{Model, Silent};
use osteon_biomech::{
    BiomechError, DefectSpec, FlangeSpec, ImplantSpec, InterfaceModel, MeshSpec, PatientCtSpec,
    PatientMeshSpec, Region, ScrewSpec, Study, StudyRun, TibiaGeometry, run_study,
};
use osteon_imaging::{
    MappingOptions, ThresholdOptions, TibiaPhantom, map_materials, mesh_voxels, read_nifti,
    segment_threshold, write_nifti,
};
use osteon_material::Elastic;

/// The phantom: a 200 mm tibia-like bone, shaft Ø 24 mm with a 5 mm cortex (the
/// surrogate's wall), 40 mm metaphyses flaring to Ø 40 mm, 1 mm voxels; the 2 mm margin puts
/// the bone ends on the faces of the 2-voxel element blocks.
fn phantom() -> TibiaPhantom {
    TibiaPhantom {
        voxel_mm: [1.0; 3],
        length_mm: 200.0,
        shaft_outer_radius_mm: 12.0,
        shaft_inner_radius_mm: 7.0,
        metaphysis_length_mm: 40.0,
        end_radius_mm: 20.0,
        shell_thickness_mm: 2.5,
        margin_mm: 2.0,
        supersampling: 2,
        ..TibiaPhantom::default()
    }
}

/// The parametric tibia closest to the phantom: circular sections, the same radii, flare
/// lengths and diaphyseal wall; the end walls (linear over each flare in the surrogate) are
/// the phantom's shell.
fn matching_geometry(p: &TibiaPhantom) -> TibiaGeometry {
    let d = 2.0 * p.end_radius_mm;
    TibiaGeometry {
        length_mm: p.length_mm,
        diaphysis_outer_semi_axes_mm: [p.shaft_outer_radius_mm; 2],
        diaphysis_wall_mm: p.shaft_cortex_thickness_mm(),
        proximal_flare_length_mm: p.metaphysis_length_mm,
        proximal_outer_width_mm: [d, d],
        proximal_wall_mm: p.shell_thickness_mm,
        distal_flare_length_mm: p.metaphysis_length_mm,
        distal_outer_width_mm: [d, d],
        distal_wall_mm: p.shell_thickness_mm,
        cancellous_metaphyses: true,
    }
}

const DEFECT: DefectSpec = DefectSpec {
    length_mm: 40.0,
    center_mm: Some(100.0),
};

/// The bonded prosthesis alone (no flange, no screws), the seed's axial cases, no headline
/// analyses.
fn base_study() -> Study {
    let mut s = Study {
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
        defect: DEFECT,
        threads: Some(2),
        ..Study::default()
    };
    s.loads.activities = Vec::new();
    s.metrics.headline_analyses = false;
    s
}

fn ct_study(image: &Path, homogeneous_bone: bool) -> Study {
    let p = phantom();
    Study {
        patient_ct: Some(PatientCtSpec {
            image: image.to_path_buf(),
            element_size_mm: Some(2.0),
            homogeneous_bone,
            diaphysis_mm: Some([p.metaphysis_length_mm, p.length_mm - p.metaphysis_length_mm]),
            ..PatientCtSpec::default()
        }),
        ..base_study()
    }
}

/// Young's modulus (MPa) of every element of `model` (isotropic materials only).
fn element_moduli(model: &Model) -> Vec<Option<f64>> {
    let mut e = vec![None; model.mesh.n_elements()];
    for s in &model.sections {
        if let Elastic::Isotropic(i) = &model.materials[s.material].elastic {
            for &el in &s.elements {
                e[el] = Some(i.e);
            }
        }
    }
    e
}

fn centroid(mesh: &osteon_mesh::Mesh, e: usize) -> [f64; 3] {
    let n = mesh.element(e).nodes;
    [0, 1, 2].map(|c| n.iter().map(|&a| mesh.coords[a][c]).sum::<f64>() / n.len() as f64)
}

fn volume(mesh: &osteon_mesh::Mesh, e: usize) -> f64 {
    let el = mesh.element(e);
    let x = mesh.element_coords(e);
    osteon_mesh::geometry::element_volume(el.etype, &x[..el.etype.n_nodes()])
}

fn write_phantom(dir: &Path) -> std::path::PathBuf {
    let image = dir.join("phantom.nii.gz");
    write_nifti(&image, &phantom().generate().expect("phantom")).expect("nifti");
    image
}

fn check_balance(run: &StudyRun) {
    assert!(!run.report.cases.is_empty());
    for c in &run.report.cases {
        let q = &c.metrics.equilibrium;
        assert!(
            q.relative_error <= 1e-8 && q.moment_relative_error <= 1e-8,
            "{}: {q:?}",
            c.metrics.name
        );
        let q = &c.metrics.intact_equilibrium;
        assert!(q.relative_error <= 1e-8 && q.moment_relative_error <= 1e-8);
    }
}

/// The CT study: balance, the CT moduli of every bone element (both models), the
/// prosthesis filling the envelope between the planes, the report's materials and notes.
#[test]
fn a_phantom_ct_study_maps_every_bone_element_and_fills_the_envelope() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let p = phantom();
    let t = std::time::Instant::now();
    let run = run_study(&ct_study(&image, false), &mut Silent).expect("CT study");
    println!("CT study: {:.1} s", t.elapsed().as_secs_f64());
    check_balance(&run);
    let rec = &run.reconstruction;
    let [cort, canc, imp, fl, sc] = rec.region_counts();
    println!(
        "mesh: {} nodes, {} elements (cortical {cort}, cancellous+marrow {canc}, prosthesis {imp})",
        rec.mesh.n_nodes(),
        rec.mesh.n_elements()
    );
    assert!(cort > 0 && canc > 0 && imp > 0 && fl == 0 && sc == 0);

    // the imaging crate's own pipeline on the same image: modulus of each voxel element
    let ct = read_nifti(&image).expect("reads");
    let seg = segment_threshold(&ct, &ThresholdOptions::default()).expect("segments");
    let vm = mesh_voxels(&ct, &seg, 2).expect("meshes");
    let mapped = map_materials(&ct, &seg, &vm, &MappingOptions::default()).expect("maps");
    assert_eq!(vm.mesh.n_elements(), rec.n_intact_elements);
    // the closed form of the default law (Morgan 2003, femoral neck) at the phantom's
    // cortical density
    let cortex_e = 6850.0 * p.cortical_density_g_cm3.powf(1.49);
    let (r_in, r_out) = (p.shaft_inner_radius_mm, p.shaft_outer_radius_mm);
    let shaft = p.metaphysis_length_mm + 2.0..p.length_mm - p.metaphysis_length_mm - 2.0;
    for (model, n) in [
        (&run.implanted_model, rec.n_bone_elements),
        (&run.intact_model, rec.n_intact_elements),
    ] {
        let e = element_moduli(model);
        let mut interior = 0;
        for (el, got) in e.iter().enumerate().take(n) {
            let id = model.mesh.element(el).id as usize;
            let got = got.expect("isotropic bone");
            assert_eq!(got, mapped.modulus_mpa[id - 1], "element id {id}");
            // elements whose voxels all lie inside the shaft cortex: the law at 1.9 g/cm³
            let c = centroid(&model.mesh, el);
            let r = c[0].hypot(c[1]);
            if r > r_in + 1.5 && r < r_out - 1.5 && shaft.contains(&c[2]) {
                interior += 1;
                assert!(
                    (got / cortex_e - 1.0).abs() < 0.01,
                    "{got} vs {cortex_e} at {c:?}"
                );
            }
        }
        assert!(interior > 100, "{interior} interior cortex elements");
    }
    // the prosthesis: the elements between the planes, filling the envelope
    let mut v_implant = 0.0;
    for el in 0..rec.mesh.n_elements() {
        let z = centroid(&rec.mesh, el)[2];
        let inside = z > 80.0 && z < 120.0;
        assert_eq!(rec.regions[el] == Region::Implant, inside, "element {el}");
        if inside {
            v_implant += volume(&rec.mesh, el);
        }
    }
    let envelope = std::f64::consts::PI * r_out * r_out * DEFECT.length_mm;
    println!(
        "prosthesis volume {v_implant:.0} mm³, envelope {envelope:.0} mm³ ({:+.2} %)",
        100.0 * (v_implant / envelope - 1.0)
    );
    // the staircase: a 2 mm block is meshed when at least half of its eight 1 mm voxels are
    // bone (ties kept), which puts the stepped surface slightly outside the circle
    assert!((v_implant / envelope - 1.0).abs() < 0.07);
    assert_eq!(rec.defect_z, [80.0, 120.0]);
    // the report says the bone is CT-mapped
    let r = &run.report;
    let cortical = r
        .materials
        .iter()
        .find(|m| m.role == "cortical bone")
        .expect("row");
    assert!(cortical.name.contains("CT-mapped") && cortical.source.contains("Morgan"));
    assert!(r.notes.iter().any(|n| n.starts_with("Bone: CT-mapped")));
    assert!(r.notes.iter().any(|n| n.contains("voxel mesh of the CT")));
}

/// One metric of both studies, and their relative difference.
fn row(name: &str, ct: f64, parametric: f64) -> f64 {
    let d = ct / parametric - 1.0;
    println!(
        "| {name} | {ct:.4} | {parametric:.4} | {:+.1} % |",
        100.0 * d
    );
    d
}

/// The homogeneous CT study against the parametric surrogate of the same dimensions.
#[test]
fn the_homogeneous_ct_study_matches_the_parametric_surrogate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let mut parametric = Study {
        geometry: matching_geometry(&phantom()),
        mesh: MeshSpec {
            size_mm: 3.0,
            ..MeshSpec::default()
        },
        ..base_study()
    };
    // the CT prosthesis fills the envelope: so does the surrogate's
    parametric.implant.fill_canal = true;
    parametric.bone.cortex = osteon_biomech::CortexModel::Isotropic;
    let mut ct_iso = ct_study(&image, true);
    ct_iso.bone.cortex = osteon_biomech::CortexModel::Isotropic;
    let t = std::time::Instant::now();
    let ct = run_study(&ct_iso, &mut Silent).expect("CT study");
    println!("homogeneous CT study: {:.1} s", t.elapsed().as_secs_f64());
    check_balance(&ct);
    let t = std::time::Instant::now();
    let par = run_study(&parametric, &mut Silent).expect("parametric");
    println!("parametric study: {:.1} s", t.elapsed().as_secs_f64());
    println!("| metric | CT | parametric | difference |\n|---|---|---|---|");
    for (a, b) in ct.report.cases.iter().zip(&par.report.cases) {
        let (a, b) = (&a.metrics, &b.metrics);
        println!("**{}**", a.name);
        row(
            "max displacement implanted (mm)",
            a.max_displacement_mm[0],
            b.max_displacement_mm[0],
        );
        row(
            "max displacement intact (mm)",
            a.max_displacement_mm[1],
            b.max_displacement_mm[1],
        );
        for (x, y) in a.interfaces.iter().zip(&b.interfaces) {
            row(&format!("{} max (mm)", x.name), x.max_mm, y.max_mm);
        }
        row(
            "porous Ta p99 (MPa)",
            a.porous_tantalum.p99_mpa,
            b.porous_tantalum.p99_mpa,
        );
        row(
            "porous Ta mean (MPa)",
            a.porous_tantalum.mean_mpa,
            b.porous_tantalum.mean_mpa,
        );
        row(
            "bone strain p99 (µε)",
            a.bone.p99_microstrain,
            b.bone.p99_microstrain,
        );
        row(
            "diaphysis strain p99 (µε)",
            a.bone.shaft_p99_microstrain,
            b.bone.shaft_p99_microstrain,
        );
        for (x, y) in a.shielding.zones.iter().zip(&b.shielding.zones) {
            row(&format!("SED ratio {}", x.name), x.ratio, y.ratio);
        }
    }
}

/// `[patient_ct]` with `[patient_mesh]` is refused at the table's line; a missing image is
/// named with its line; the flange on a CT model is not available.
#[test]
fn bad_ct_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let both =
        "name = \"x\"\n[patient_mesh]\npath = \"a.inp\"\n\n[patient_ct]\nimage = \"ct.nii\"\n";
    let e = Study::from_toml_str(both, "s.toml").expect_err("both");
    let m = e.to_string();
    assert!(
        m.starts_with("s.toml:5:") && m.contains("[patient_mesh] (line 2)"),
        "{m}"
    );
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "[patient_ct]\nelement_size_mm = 3.0\nimage = \"missing.nii.gz\"\n",
    )
    .expect("writes");
    let m = Study::from_path(&file).expect_err("missing").to_string();
    assert!(
        m.contains("s.toml:3:") && m.contains("missing.nii.gz"),
        "{m}"
    );
    let bad_law = "[patient_ct]\nimage = \"ct.nii\"\nlaw = \"hooke\"\n";
    let m = Study::from_toml_str(bad_law, "s.toml")
        .expect_err("law")
        .to_string();
    assert!(m.starts_with("s.toml:3:"), "{m}");
    let flange = Study {
        implant: ImplantSpec::default(),
        ..ct_study(Path::new("ct.nii"), false)
    };
    assert!(matches!(
        run_study(&flange, &mut Silent),
        Err(BiomechError::NotYetAvailable { .. })
    ));
    let _ = PatientMeshSpec::default();
}
