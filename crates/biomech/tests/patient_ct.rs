//! `[patient_ct]`: a tibia phantom CT (`osteon_imaging::TibiaPhantom`, known geometry and
//! density) written as NIfTI and run through `run_study`: equilibrium, every bone element's
//! modulus against the phantom's generating density law and the imaging crate's mapping,
//! the prosthesis filling the envelope between the cutting planes, and the homogeneous
//! variant against the parametric surrogate of the same dimensions (docs/imaging.md §10).

mod common;

use osteon_assembly::{Model, Silent};
use osteon_biomech::{Region, Study, run_study};
use osteon_imaging::{
    MappingOptions, ThresholdOptions, map_materials, mesh_voxels, read_nifti, segment_threshold,
};
use osteon_material::Elastic;

use common::{
    DEFECT, check_balance, compare_with_surrogate, ct_study, matched_surrogate, phantom,
    write_phantom,
};

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

/// The homogeneous CT study (bonded prosthesis alone) against the parametric surrogate
/// matched to the CT mesh's mid-shaft section: the headline metrics within 10 %.
#[test]
fn the_homogeneous_ct_study_matches_the_parametric_surrogate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let mut ct_iso = ct_study(&image, true);
    ct_iso.bone.cortex = osteon_biomech::CortexModel::Isotropic;
    let t = std::time::Instant::now();
    let ct = run_study(&ct_iso, &mut Silent).expect("CT study");
    println!("homogeneous CT study: {:.1} s", t.elapsed().as_secs_f64());
    check_balance(&ct);
    let par = run_study(&matched_surrogate(&ct), &mut Silent).expect("parametric");
    compare_with_surrogate(&ct, &par, 0.10);
}

/// The knee loads reach a CT in its LPS frame: an anterior shear pushes towards −y, a
/// lateral one towards ±x by `lateral`, and a pure knee moment (whose resultant is the same
/// about every point) arrives as `KneeFrame::lps` maps it — for the left tibia (+x lateral,
/// the mirror of the right-knee data) with the mirror's sign.
#[test]
fn knee_loads_are_applied_in_the_ct_frame() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let case = |name: &str, shear: [f64; 2], moment: [f64; 3]| osteon_biomech::ExtraCase {
        name: name.into(),
        fraction: 0.0,
        medial_share: None,
        shear_percent_bw: shear,
        moment_percent_bw_m: [0.0; 3],
        moment_nm: moment,
    };
    for (lateral, sign) in [("+x", 1.0), ("-x", -1.0)] {
        let mut study = ct_study(&image, true);
        if let Some(ct) = &mut study.patient_ct {
            ct.lateral = lateral.into();
        }
        study.loads.fractions = Vec::new();
        study.loads.extra_cases = vec![
            case("shear", [5.0, 10.0], [0.0; 3]),
            case("moment", [0.0; 2], [1.0, 2.0, 10.0]),
        ];
        let rec = osteon_biomech::build_study_reconstruction(&study).expect("builds");
        let materials =
            osteon_biomech::StudyMaterials::new(&study.bone, &study.implant).expect("materials");
        let model = rec
            .implanted_model(&materials, &study.loads)
            .expect("model");
        let bw = study.loads.body_mass_kg * study.loads.gravity_m_per_s2;
        let resultant = |k: usize| {
            let (mut f, mut m) = ([0.0; 3], [0.0; 3]);
            for l in &model.load_cases[k].nodal_loads {
                let x = model.mesh.coords[l.node];
                f[l.component] += l.value;
                let mut e = [0.0; 3];
                e[l.component] = l.value;
                m[0] += x[1] * e[2] - x[2] * e[1];
                m[1] += x[2] * e[0] - x[0] * e[2];
                m[2] += x[0] * e[1] - x[1] * e[0];
            }
            (f, m)
        };
        let (f, _) = resultant(0);
        let f_expected = [sign * 0.05 * bw, -0.10 * bw, 0.0];
        let (f_pure, m) = resultant(1);
        // N·m → N·mm; a left tibia's frame is mirrored: moments change sign with it
        let m_expected = if sign > 0.0 {
            [-1000.0, 2000.0, -10000.0]
        } else {
            [-1000.0, -2000.0, 10000.0]
        };
        for i in 0..3 {
            assert!((f[i] - f_expected[i]).abs() < 1e-9 * bw, "{lateral}: {f:?}");
            assert!(f_pure[i].abs() < 1e-9 * bw, "{lateral}: {f_pure:?}");
            assert!(
                (m[i] - m_expected[i]).abs() < 1e-6 * 10000.0,
                "{lateral}: {m:?} vs {m_expected:?}"
            );
        }
        assert_eq!(rec.knee_frame, osteon_biomech::KneeFrame::lps(sign));
    }
}

/// `[patient_ct]` with `[patient_mesh]` is refused at the table's line; a missing image is
/// named with its line; an unknown law and a patient mesh's unknown LPS side are refused at
/// their lines.
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
    // an osteon ct deck as a patient mesh names its LPS lateral side "+x" or "-x"
    let bad_side = "[patient_mesh]\npath = \"bone.inp\"\nlps_lateral = \"left\"\n";
    let m = Study::from_toml_str(bad_side, "s.toml")
        .expect_err("side")
        .to_string();
    assert!(m.starts_with("s.toml:3:") && m.contains("\"-x\""), "{m}");
}
