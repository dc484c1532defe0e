//! `osteon solve` on contact decks: the block on an elastic foundation of
//! `examples/decks/contact_block.inp` (pressed by 2 µm, then pulled 20 µm along x, μ = 0.4).
//!
//! - sliding: the friction force and the tangential reaction are μ × the normal force (1e-3),
//!   every node slips, the slip is about the pull; one log line per increment on stderr;
//! - the VTU files carry `contact_pressure`, `slip`, `slip_magnitude`, `contact_status`;
//! - a tangential force above μN on a block otherwise free has no equilibrium: exit code 3,
//!   with the increment, the residual history and the worst nodes in the message;
//! - the same deck through CalculiX (`ccx`, when on PATH): the total reaction on the block's
//!   top within 0.5 % in both steps (reader + solver end to end; the node-by-node comparison
//!   of pressure and slip is crates/contact/tests/ccx_block.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MU: f64 = 0.4;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/decks/contact_block.inp")
}

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

fn solve(deck: &Path, out: &Path, quiet: bool) -> Output {
    let mut args = vec![
        "solve",
        deck.to_str().expect("utf-8 path"),
        "-o",
        out.to_str().expect("utf-8 path"),
        "--threads",
        "1",
    ];
    if quiet {
        args.push("--quiet");
    }
    osteon(&args)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("parse json")
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn block_slides_at_mu_times_the_normal_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = solve(&example(), dir.path(), false);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}\n{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // one log line per increment: iterations, residual, contact / stick / slip, penetration, slip
    let increments: Vec<&str> = stderr.lines().filter(|l| l.starts_with("step ")).collect();
    assert!(increments.len() >= 5, "{stderr}");
    for l in &increments {
        for word in [
            "iter", "|r|", "contact", "stick", "slip", "max pen", "max slip",
        ] {
            assert!(l.contains(word), "'{word}' missing in '{l}'");
        }
    }
    assert!(increments.iter().any(|l| l.starts_with("step 2 inc   4")));

    let summary = json(&dir.path().join("contact_block.json"));
    let cases = summary["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 2);
    let press = &cases[0]["contact"];
    let slide = &cases[1]["contact"];
    assert_eq!(press["nodes_in_contact"], 16);
    assert_eq!(slide["slipping"], 16);
    let pair = &slide["pairs"][0];
    let ratio = f(&pair["friction_to_normal_ratio"]);
    let normal = f(&pair["normal_force_n"]);
    println!("slide: N = {normal:.4} N, |F_t|/N = {ratio:.6} (μ = {MU})");
    assert!((ratio - MU).abs() < 1e-3 * MU, "{ratio}");
    // the reactions on the top tell the same: R_x / -R_z = μ
    let top = &cases[1]["reaction_sums_n"]["NTOP"];
    let (rx, rz) = (f(&top[0]), f(&top[2]));
    assert!(rz < 0.0 && ((rx / -rz) - MU).abs() < 1e-3 * MU, "{top}");
    assert!((normal + rz).abs() < 1e-6 * normal);
    // the block slid by a little less than the 20 µm pull (the rest is elastic shear)
    let motion = &slide["micromotion"]["all"];
    let max_um = f(&motion["max_um"]);
    assert!(max_um > 15.0 && max_um < 20.0, "{max_um}");
    assert!(f(&motion["bands"]["below_28_um"]) > 0.999);
    // every node slides: the whole slave area slips, at full friction utilisation
    assert!((f(&motion["status"]["slip"]) - 1.0).abs() < 1e-12);
    assert!((f(&motion["utilisation_mean"]) - 1.0).abs() < 1e-6);
    assert!(f(&slide["max_pressure_mpa"]) > 0.0);
    assert!(f(&cases[1]["equilibrium_error_n"]) < 1e-8);

    // VTU: the contact arrays, with the right types and sizes, in every file
    for name in [
        "contact_block.vtu",
        "contact_block_step1.vtu",
        "contact_block_step2.vtu",
    ] {
        let vtu = std::fs::read_to_string(dir.path().join(name)).expect("vtu");
        for (array, kind, comps) in [
            ("contact_pressure", "Float64", 1),
            ("slip", "Float64", 3),
            ("slip_magnitude", "Float64", 1),
            ("contact_status", "Int32", 1),
            ("displacement", "Float64", 3),
            ("von_mises", "Float64", 1),
        ] {
            let head = if comps == 1 {
                format!("type=\"{kind}\" Name=\"{array}\" format=")
            } else {
                format!("type=\"{kind}\" Name=\"{array}\" NumberOfComponents=\"{comps}\"")
            };
            assert!(vtu.contains(&head), "{name}: no {head}");
        }
    }
    assert!(dir.path().join("contact_block.pvd").exists());
}

#[test]
fn vtu_contact_status_marks_slave_nodes_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = osteon(&[
        "solve",
        example().to_str().expect("path"),
        "-o",
        dir.path().to_str().expect("path"),
        "--ascii",
        "--quiet",
        "--threads",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("step 1 inc"),
        "--quiet prints no increments: {stderr}"
    );
    let vtu = std::fs::read_to_string(dir.path().join("contact_block.vtu")).expect("vtu");
    let values = |name: &str| -> Vec<f64> {
        let start = vtu
            .find(&format!("Name=\"{name}\""))
            .unwrap_or_else(|| panic!("no {name}"));
        let body = &vtu[start..];
        let open = body.find('>').expect(">") + 1;
        let close = body.find("</DataArray>").expect("</DataArray>");
        body[open..close]
            .split_whitespace()
            .map(|v| v.parse().expect("number"))
            .collect()
    };
    let status = values("contact_status");
    let pressure = values("contact_pressure");
    let slip = values("slip_magnitude");
    assert_eq!(status.len(), 75 + 48);
    // 16 slave nodes, all slipping at the end; −1 elsewhere
    assert_eq!(status.iter().filter(|&&s| s == 2.0).count(), 16);
    assert_eq!(status.iter().filter(|&&s| s == -1.0).count(), 75 + 48 - 16);
    for ((s, p), m) in status.iter().zip(&pressure).zip(&slip) {
        if *s < 0.0 {
            assert!(*p == 0.0 && *m == 0.0);
        } else {
            assert!(*p > 0.0 && *m > 0.015 && *m < 0.02, "p {p} slip {m}");
        }
    }
}

/// The example deck with its steps replaced: pressed by 2 µm with the top free in x and y,
/// then pushed along x by `force` N in total.
fn push_deck(force: f64) -> String {
    let text = std::fs::read_to_string(example()).expect("example");
    let model = &text[..text.find("*STEP").expect("*STEP")];
    format!(
        "{model}*STEP, NAME=press\n*STATIC\n1., 1.\n*BOUNDARY\nNTOP, 3, 3, -0.002\n*END STEP\n\
         *STEP, NAME=push\n*STATIC\n0.25, 1., 0.01, 0.25\n*CLOAD\nNTOP, 1, {}\n*END STEP\n",
        force / 16.0
    )
}

#[test]
fn pushing_beyond_mu_n_exits_with_a_numerical_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    // the press gives N ≈ 25 N, so μN ≈ 10 N: 8 N sticks (partly), 20 N cannot be held
    let deck = dir.path().join("push.inp");
    std::fs::write(&deck, push_deck(8.0)).expect("write");
    let out = solve(&deck, &dir.path().join("ok"), true);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json(&dir.path().join("ok/push.json"));
    let friction = f(&summary["cases"][1]["contact"]["pairs"][0]["friction_force_n"][0]);
    assert!(
        (friction + 8.0).abs() < 1e-6,
        "friction carries the push: {friction}"
    );

    std::fs::write(&deck, push_deck(20.0)).expect("write");
    let out_dir = dir.path().join("fail");
    let out = solve(&deck, &out_dir, false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stderr}");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .expect("error line");
    for needle in [
        "did not converge",
        "step 2 ('push')",
        "increment",
        "residual history [",
        "worst nodes:",
    ] {
        assert!(error.contains(needle), "'{needle}' missing in {error}");
    }
    assert!(
        !out_dir.join("push.json").exists(),
        "no results for a failed analysis"
    );
}

/// Total force of set NTOP per time in a CalculiX `.dat` file.
fn ccx_totals(dat: &str) -> Vec<(f64, [f64; 3])> {
    let mut out = Vec::new();
    let mut lines = dat.lines();
    while let Some(l) = lines.next() {
        if let Some(rest) = l
            .trim()
            .strip_prefix("total force (fx,fy,fz) for set NTOP and time")
        {
            let time: f64 = rest.trim().parse().expect("time");
            let values = lines
                .by_ref()
                .find(|l| !l.trim().is_empty())
                .expect("values");
            let v: Vec<f64> = values
                .split_whitespace()
                .map(|x| x.parse().expect("number"))
                .collect();
            out.push((time, [v[0], v[1], v[2]]));
        }
    }
    out
}

#[test]
fn example_deck_agrees_with_calculix() {
    if Command::new("ccx").arg("-v").output().is_err() {
        println!("ccx not on PATH: CalculiX comparison skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(example(), dir.path().join("contact_block.inp")).expect("copy");
    let run = Command::new("ccx")
        .args(["-i", "contact_block"])
        .current_dir(dir.path())
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("run ccx");
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success() && !log.contains("*ERROR"), "{log}");
    let totals =
        ccx_totals(&std::fs::read_to_string(dir.path().join("contact_block.dat")).expect("dat"));
    let out = solve(&example(), &dir.path().join("osteon"), true);
    assert_eq!(out.status.code(), Some(0));
    let summary = json(&dir.path().join("osteon/contact_block.json"));
    for (step, time) in [(0, 1.0), (1, 2.0)] {
        let ccx = totals
            .iter()
            .find(|(t, _)| (t - time).abs() < 1e-9)
            .map(|x| x.1)
            .expect("ccx total at the end of the step");
        let ours = &summary["cases"][step]["reaction_sums_n"]["NTOP"];
        let ours = [f(&ours[0]), f(&ours[1]), f(&ours[2])];
        let scale = ccx[2].abs();
        let dev = (0..3).map(|k| (ours[k] - ccx[k]).abs()).fold(0.0, f64::max) / scale;
        println!(
            "step {}: reaction on NTOP osteon ({:+.4}, {:+.4}, {:+.4}) N, ccx ({:+.4}, {:+.4}, {:+.4}) N: deviation {:.3} % of |R_z|",
            step + 1,
            ours[0],
            ours[1],
            ours[2],
            ccx[0],
            ccx[1],
            ccx[2],
            100.0 * dev
        );
        assert!(dev < 5e-3, "{dev}");
    }
}
