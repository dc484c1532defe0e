//! `osteon study` with `[patient_ct]`: a small phantom CT (NIfTI) runs end to end with the
//! study's defaults (flange, screws, frictional interface), and a missing image is an input
//! error (exit 2) naming the file and the study file's line.

use std::path::Path;
use std::process::{Command, Output};

use osteon_imaging::{TibiaPhantom, write_nifti};

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A 120 mm phantom at 1.5 mm voxels, meshed with 3 mm bricks; the defect in the shaft;
/// everything else the study's defaults: the flange (40 mm over each fragment), the screws
/// (12 and 28 mm from each plane), the frictional interface, the activities and the headline
/// analyses.
const STUDY: &str = "\
name = \"phantom CT\"
threads = 2

[patient_ct]
image = \"phantom.nii.gz\"
element_size_mm = 3.0

[defect]
length_mm = 24.0
center_mm = 60.0
";

#[test]
fn a_ct_study_runs_end_to_end_and_a_missing_image_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let phantom = TibiaPhantom {
        voxel_mm: [1.5; 3],
        length_mm: 120.0,
        shaft_outer_radius_mm: 12.0,
        shaft_inner_radius_mm: 7.0,
        metaphysis_length_mm: 25.0,
        end_radius_mm: 18.0,
        shell_thickness_mm: 3.0,
        supersampling: 2,
        ..TibiaPhantom::default()
    };
    let ct = phantom.generate().expect("phantom");
    write_nifti(&dir.path().join("phantom.nii.gz"), &ct).expect("nifti");
    let toml = dir.path().join("ct_study.toml");
    std::fs::write(&toml, STUDY).expect("write study");
    let out = dir.path().join("out");
    let o = osteon(&["study", path(&toml), "-o", path(&out), "--quiet"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("100 % BW"), "{stdout}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        md.contains("CT-mapped") && md.contains("phantom.nii.gz"),
        "{md}"
    );
    // the frictional default with the flange and the screws on the CT
    assert!(md.contains("| screw | fragment |"), "{md}");
    assert!(
        md.to_lowercase().contains("micromotion") && md.contains("µm"),
        "{md}"
    );
    assert!(!md.contains("micromotion: not applicable"), "{md}");
    // what the parametric study reports, the CT study reports
    for section in [
        "## Headline case",
        "**Interface sensitivity**",
        "**Construct stiffness**",
        "**In-vivo strain** (intact tibia, walking",
        "## A day of loading",
        "walking, axial peak force + peak torsion",
    ] {
        assert!(md.contains(section), "{section} missing:\n{md}");
    }
    assert!(out.join("report.json").is_file());

    let missing = STUDY.replace("phantom.nii.gz", "nowhere.nii.gz");
    std::fs::write(&toml, missing).expect("write study");
    let o = osteon(&["study", path(&toml), "-o", path(&out), "--quiet"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ct_study.toml:5:") && stderr.contains("nowhere.nii.gz"),
        "{stderr}"
    );
}
