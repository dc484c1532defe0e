//! `osteon study` end to end on a coarse study: outputs, the JSON report, exit codes.

use std::path::Path;
use std::process::{Command, Output};

/// The seed study on a coarse mesh (6 mm near the implant, 12 mm far): a few seconds.
const COARSE: &str = "\
name = \"coarse seed study\"
threads = 2

[mesh]
size_mm = 6.0
far_factor = 2.0
";

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn study_writes_report_plots_and_vtu_and_prints_the_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let toml = dir.path().join("coarse.toml");
    std::fs::write(&toml, COARSE).expect("write study");
    let out = dir.path().join("out");
    let o = osteon(&["study", path(&toml), "-o", path(&out), "--quiet"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.is_empty(), "--quiet prints no progress: {stderr}");
    for needle in [
        "50 % BW",
        "100 % BW",
        "] implant migration, |translation| relative to the fragment",
        "] docking micromotion p95 (by area)",
        "check(s) failed",
    ] {
        assert!(stdout.contains(needle), "{needle} missing from\n{stdout}");
    }
    for f in [
        "report.md",
        "report.json",
        "shielding.svg",
        "shaft_profile.svg",
        "implanted_case1.vtu",
        "intact_case2.vtu",
        "implanted.pvd",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(
        out.join("micromotion.svg").is_file(),
        "the default (frictional) interface draws the micromotion histogram"
    );
    let svg = std::fs::read_to_string(out.join("shielding.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("<text") && svg.contains("proximal 0–20 mm"));
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("](shielding.svg)") && md.contains("](shaft_profile.svg)"));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("json"))
            .expect("report.json parses");
    // the default study: the seed's two cases, then eight activities (biomechanics.md §5.2)
    let cases = json["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 10);
    let fractions: Vec<f64> = cases
        .iter()
        .map(|c| c["metrics"]["bw_fraction"].as_f64().expect("fraction"))
        .collect();
    let expected = [0.5, 1.0, 2.61, 1.305, 2.61, 1.305, 1.07, 2.59, 3.16, 3.46];
    for (f, e) in fractions.iter().zip(expected) {
        assert!((f - e).abs() < 1e-12, "{fractions:?}");
    }
    // the headline analyses of walking with torsion at full weight-bearing
    let headline = &json["headline"];
    assert_eq!(
        headline["case"],
        "walking, axial peak force + peak torsion, 100 % weight-bearing"
    );
    // chosen, the ideal diamond lattice of the same porosity, the 3 and 30 GPa bounds
    assert_eq!(headline["moduli"].as_array().expect("moduli").len(), 4);
    assert!(
        headline["reference_lattice"]["youngs_modulus_mpa"][2]
            .as_f64()
            .is_some_and(|e| e > 3000.0 && e < 14_582.4)
    );
    assert!(md.contains("**Which modulus, and why.**"));
    assert!(
        headline["construct"]["axial_n_per_mm"]
            .as_f64()
            .is_some_and(|k| k > 0.0)
    );
    assert!(md.contains("What if the lattice is as soft as measured?"));
    for c in cases {
        let m = &c["metrics"];
        let finite = |v: &serde_json::Value| v.as_f64().is_some_and(f64::is_finite);
        for i in m["interfaces"].as_array().expect("interfaces") {
            assert!(finite(&i["max_mm"]) && finite(&i["mean_mm"]), "{i}");
        }
        for z in m["shielding"]["zones"].as_array().expect("zones") {
            assert!(finite(&z["shielding"]), "{z}");
        }
        assert!(finite(&m["porous_tantalum"]["peak_mpa"]));
        assert!(finite(&m["bone"]["peak_microstrain"]));
        assert!(m["equilibrium"]["relative_error"].as_f64().expect("eq") < 1e-8);
        assert!(
            m["equilibrium"]["moment_relative_error"]
                .as_f64()
                .expect("eq")
                < 1e-8
        );
        // the default interface is frictional: micromotion and migration are computed
        assert_eq!(
            m["micromotion"]["status"], "computed",
            "{}",
            m["micromotion"]
        );
        assert!(finite(&m["micromotion"]["all"]["p95_um"]));
        assert_eq!(m["migration"]["status"], "computed", "{}", m["migration"]);
    }
}

#[test]
fn a_study_file_with_a_typo_exits_2_and_names_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let toml = dir.path().join("typo.toml");
    std::fs::write(&toml, "name = \"typo\"\n\n[defect]\nlenght_mm = 50.0\n").expect("write");
    let out = dir.path().join("out");
    let o = osteon(&["study", path(&toml), "-o", path(&out)]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("typo.toml:4:") && stderr.contains("lenght_mm"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written on an input error");

    // an out-of-range parameter is an input error too
    std::fs::write(&toml, "[defect]\nlength_mm = -5.0\n").expect("write");
    let o = osteon(&["study", path(&toml), "-o", path(&out), "--quiet"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("defect.length_mm"), "{stderr}");
}
