//! `osteon design` end to end: a one-design sweep over a coarse bonded base study (the sweep
//! makes it frictional), its files and its answer line; a bad file exits 2.

use std::process::Command;

#[test]
fn design_writes_its_report_and_names_the_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("base.toml"),
        "name = \"coarse\"\n[mesh]\nsize_mm = 6.0\nfar_factor = 2.0\n[interface]\nmodel = \"bonded\"\n",
    )
    .expect("write study");
    let design = dir.path().join("design.toml");
    std::fs::write(
        &design,
        "study = \"base.toml\"\n[sweep]\nmodulus_mpa = [14600]\n",
    )
    .expect("write design");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(["design", design.to_str().expect("utf-8"), "-o"])
        .arg(&out)
        .args(["--quiet", "--threads", "2"])
        .output()
        .expect("run osteon");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("E 14600 MPa"), "{stdout}");
    assert!(
        stdout.contains("best design:") || stdout.contains("no design reaches every target"),
        "{stdout}"
    );
    for f in ["design.md", "design.json", "design.svg"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("design.json")).expect("json"))
            .expect("parses");
    let p95 = json["results"][0]["micromotion_p95_um"][1]
        .as_f64()
        .expect("p95");
    assert!(p95 > 0.0 && p95.is_finite());
    let md = std::fs::read_to_string(out.join("design.md")).expect("md");
    assert!(
        md.contains("frictional docking interface"),
        "bonded base noted"
    );

    std::fs::write(&design, "[sweep]\nflange_thickness_mm = [-1.0]\n").expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(["design", design.to_str().expect("utf-8")])
        .output()
        .expect("run osteon");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sweep.flange_thickness_mm"));
}
