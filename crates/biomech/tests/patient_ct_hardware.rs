//! `[patient_ct]` with the lateral flange and the locking screws: fitted onto the phantom's
//! voxel surface and tied exactly, the screws at the phantom's known far cortex and
//! anchored, in balance; the frictional CT study against the parametric surrogate with the
//! same flange and screws; planned trajectories and their errors
//! (docs/imaging.md §10).

mod common;

use osteon_assembly::Silent;
use osteon_biomech::{
    BiomechError, CortexModel, FlangeSpec, Fragment, InterfaceModel, Region, ScrewSpec,
    ScrewTrajectory, Study, StudyRun, build_study_reconstruction, run_study,
};

use common::{
    DEFECT, check_balance, compare_with_surrogate, ct_study, matched_surrogate, phantom, row,
    write_phantom,
};

/// The default flange (Ti-6Al-4V, 3 mm × 15 mm, 40 mm over each fragment) and screws
/// (Ø 5 mm, 12 and 28 mm from each docking plane).
fn with_hardware(mut s: Study) -> Study {
    s.implant.flange = FlangeSpec::default();
    s.implant.screws = ScrewSpec::default();
    s
}

#[test]
fn the_flange_follows_the_ct_surface_and_the_screws_are_anchored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let study = with_hardware(ct_study(&image, false));
    let t = std::time::Instant::now();
    let run = run_study(&study, &mut Silent).expect("CT study with flange and screws");
    println!(
        "CT study with flange and screws: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    check_balance(&run);
    let rec = &run.reconstruction;
    let [cort, canc, imp, fl, sc] = rec.region_counts();
    println!(
        "elements: cortical {cort}, cancellous+marrow {canc}, prosthesis {imp}, flange {fl}, screws {sc}"
    );
    assert!(fl > 0 && sc > 0);

    // every flange inner node tied, each on its master face (no offset to close)
    let inner = rec
        .mesh
        .node_set("FLANGE_INNER")
        .expect("FLANGE_INNER")
        .len();
    let tie = rec.tie.as_ref().expect("flange tie");
    println!("{tie:?}");
    assert!(tie.too_far.is_empty() && tie.tied == inner, "{tie:?}");
    assert!(tie.max_distance < 1e-9, "{tie:?}");
    // the flange spans the overlap beyond each docking plane (on the 2 mm lattice)
    let [d0, d1] = [
        DEFECT.center_mm.unwrap_or(0.0) - 0.5 * DEFECT.length_mm,
        DEFECT.center_mm.unwrap_or(0.0) + 0.5 * DEFECT.length_mm,
    ];
    let overlap = FlangeSpec::default().overlap_mm;
    assert_eq!(rec.flange_z, Some([d0 - overlap, d1 + overlap]));
    let flange_on_prosthesis = rec
        .mesh
        .node_set("FLANGE_BONE")
        .expect("FLANGE_BONE")
        .iter()
        .all(|&a| a < rec.n_intact_nodes);
    assert!(flange_on_prosthesis);

    // the screws: 12 and 28 mm into each fragment, tip in the middle of the phantom's far
    // cortex (x = −(r_out − wall/2)) to within one 2 mm element, anchored in flange and bone
    let p = phantom();
    let far_cortex_mid = -(p.shaft_outer_radius_mm - 0.5 * p.shaft_cortex_thickness_mm());
    let mut zs: Vec<f64> = rec.screws.iter().map(|s| s.z_mm).collect();
    zs.sort_by(f64::total_cmp);
    assert_eq!(zs, vec![d0 - 28.0, d0 - 12.0, d1 + 12.0, d1 + 28.0]);
    for s in &rec.screws {
        println!("{s:?}");
        assert_eq!(s.fragment == Fragment::Distal, s.z_mm < d0);
        assert!((s.tip_mm[0] - far_cortex_mid).abs() <= 2.0, "{s:?}");
        assert!(s.embedded_in_flange > 0 && s.embedded_in_bone > 0);
        assert!(s.free * 20 < s.n_nodes, "{s:?}");
        // the head in the flange's middle: half a thickness (normal to the surface) out
        let out = s.head_mm[0] - s.bone_entry_mm[0];
        assert!(
            (out / (0.5 * FlangeSpec::default().thickness_mm) - 1.0).abs() < 0.1,
            "{s:?}"
        );
    }
    // what the report says
    let md = osteon_biomech::report::markdown(&run.report);
    assert!(md.contains("| screw | fragment |"), "screw table");
    for c in &run.report.cases {
        assert_eq!(c.metrics.screw_entry.len(), 4);
        assert!(
            c.metrics
                .screw_entry
                .iter()
                .all(|e| e.axial_stress_mpa > 0.0)
        );
    }
}

/// The frictional default on the CT with the flange and screws against the surrogate
/// matched to the CT mesh's section: the headline metrics within 10 %, the micromotion
/// printed beside the surrogate's (docs/imaging.md §10).
#[test]
fn a_frictional_ct_study_reports_micromotion_like_the_surrogate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let (ct, par) = ct_and_surrogate(&image, InterfaceModel::default());
    compare_with_surrogate(&ct, &par, 0.10);
    for (a, b) in ct.report.cases.iter().zip(&par.report.cases) {
        let (a, b) = (&a.metrics, &b.metrics);
        let (x, y) = (
            a.micromotion.statistics().expect("CT micromotion"),
            b.micromotion.statistics().expect("surrogate micromotion"),
        );
        println!("**{}** micromotion", a.name);
        row("micromotion p95 (µm)", x.p95_um, y.p95_um);
        row("micromotion max (µm)", x.max_um, y.max_um);
        row("micromotion mean (µm)", x.mean_um, y.mean_um);
        assert!(x.p95_um > 0.0 && x.max_um >= x.p95_um);
    }
}

/// The CT study (homogeneous bone, isotropic cortex, flange and screws) and the surrogate
/// matched to its mesh, both with `interface`.
fn ct_and_surrogate(image: &std::path::Path, interface: InterfaceModel) -> (StudyRun, StudyRun) {
    let mut ct_study = with_hardware(ct_study(image, true));
    ct_study.bone.cortex = CortexModel::Isotropic;
    ct_study.interface = interface.clone();
    let t = std::time::Instant::now();
    let ct = run_study(&ct_study, &mut Silent).expect("CT study");
    println!("CT study: {:.1} s", t.elapsed().as_secs_f64());
    check_balance(&ct);
    let mut parametric = with_hardware(matched_surrogate(&ct));
    parametric.interface = interface;
    let t = std::time::Instant::now();
    let par = run_study(&parametric, &mut Silent).expect("parametric");
    println!("parametric study: {:.1} s", t.elapsed().as_secs_f64());
    (ct, par)
}

/// Planned trajectories: an oblique screw is placed and anchored; a screw that misses the
/// flange, one that crosses the prosthesis and screws without the flange are clear errors.
#[test]
fn planned_trajectories_are_placed_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = write_phantom(dir.path());
    let planned = |trajectories: Vec<ScrewTrajectory>| {
        let mut s = with_hardware(ct_study(&image, false));
        if let Some(ct) = &mut s.patient_ct {
            ct.screws = trajectories;
        }
        s
    };
    let oblique = ScrewTrajectory {
        entry_mm: [13.0, 0.0, 60.0],
        direction: [-1.0, 0.3, 0.2],
        length_mm: None,
    };
    let rec = build_study_reconstruction(&planned(vec![oblique.clone()])).expect("oblique");
    assert_eq!(rec.screws.len(), 1);
    let s = &rec.screws[0];
    println!("{s:?}");
    assert!(s.embedded_in_flange > 0 && s.embedded_in_bone > 0);
    // the axis keeps the planned direction
    let d: Vec<f64> = (0..3).map(|i| s.tip_mm[i] - s.head_mm[i]).collect();
    assert!((d[1] / -d[0] - 0.3).abs() < 1e-9 && (d[2] / -d[0] - 0.2).abs() < 1e-9);
    assert!(rec.regions.contains(&Region::Screw(0)));
    let with_length = ScrewTrajectory {
        length_mm: Some(20.0),
        ..oblique
    };
    let rec = build_study_reconstruction(&planned(vec![with_length])).expect("length");
    let s = &rec.screws[0];
    let l = (0..3)
        .map(|i| (s.tip_mm[i] - s.head_mm[i]).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!((l - 20.0).abs() < 1e-9, "{l}");

    let tangential = ScrewTrajectory {
        entry_mm: [5.0, 0.0, 60.0],
        direction: [0.0, 1.0, 0.0],
        length_mm: None,
    };
    let e = build_study_reconstruction(&planned(vec![tangential])).expect_err("misses the flange");
    assert!(
        e.to_string().contains("does not pass through the flange"),
        "{e}"
    );
    let into_defect = ScrewTrajectory {
        entry_mm: [13.0, 0.0, 100.0],
        direction: [-1.0, 0.0, 0.0],
        length_mm: None,
    };
    let e = build_study_reconstruction(&planned(vec![into_defect])).expect_err("prosthesis");
    assert!(e.to_string().contains("crosses the prosthesis"), "{e}");
    let mut no_flange = with_hardware(ct_study(&image, false));
    no_flange.implant.flange.enabled = false;
    let e = build_study_reconstruction(&no_flange).expect_err("screws need the flange");
    assert!(
        matches!(e, BiomechError::InvalidParameter { .. }) && e.to_string().contains("flange"),
        "{e}"
    );
}
