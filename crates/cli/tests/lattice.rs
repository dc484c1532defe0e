//! `osteon lattice` end to end: the three files, a tensor that is symmetric and within the
//! Voigt bound, the fitted law in the JSON, and bad input as exit status 2 with the reason.

use std::process::{Command, Output};

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

#[test]
fn lattice_writes_tensor_cell_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lat");
    let run = osteon(&[
        "lattice",
        "--cell",
        "gyroid",
        "--resolution",
        "20",
        "--sweep",
        "0.7,0.8",
        "--sweep-resolution",
        "16",
        "--threads",
        "2",
        "-o",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("effective stiffness C (MPa)") && stdout.contains("fitted law"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("lattice.json")).unwrap()).unwrap();
    let c: Vec<Vec<f64>> = serde_json::from_value(json["stiffness_mpa"].clone()).unwrap();
    for (i, row) in c.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            assert_eq!(*x, c[j][i]);
        }
    }
    let porosity = json["porosity"].as_f64().unwrap();
    assert!((porosity - 0.72).abs() < 0.01, "{porosity}");
    assert!((json["pore_size_um"].as_f64().unwrap() - 515.0).abs() < 1e-9);
    // no architecture beats the rule of mixtures E_s·ρ
    for e in json["youngs_modulus_mpa"].as_array().unwrap() {
        let e = e.as_f64().unwrap();
        assert!(e > 0.0 && e < 186_000.0 * (1.0 - porosity), "{e}");
    }
    assert_eq!(json["sweep"]["points"].as_array().unwrap().len(), 2);
    assert!(json["sweep"]["n"].as_f64().unwrap() > 1.0);
    let vtu = std::fs::read_to_string(out.join("unit_cell.vtu")).unwrap();
    assert!(vtu.contains("vm_per_szz") && vtu.contains("vm_per_txz"));
    let svg = std::fs::read_to_string(out.join("modulus_vs_porosity.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Gibson"));
}

#[test]
fn lattice_bad_input_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap().to_string();
    let cell = osteon(&["lattice", "--cell", "kelvin", "-o", &out]);
    assert_eq!(cell.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&cell.stderr);
    assert!(msg.contains("unknown cell 'kelvin'"), "{msg}");
    let porosity = osteon(&["lattice", "--porosity", "1.2", "--sweep", "", "-o", &out]);
    assert_eq!(porosity.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&porosity.stderr);
    assert!(msg.contains("porosity = 1.2 is out of range"), "{msg}");
    let sweep = osteon(&["lattice", "--sweep", "0.7", "-o", &out]);
    assert_eq!(sweep.status.code(), Some(2));
}
