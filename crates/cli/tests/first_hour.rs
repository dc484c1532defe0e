//! A new user's first hour (issue 11): every deck osteon ships or writes solves without a
//! single warning, `osteon mesh` decks solve end to end, and the messages for the usual
//! first mistakes say what happened once and what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Solve `deck` into `out`, require success and no warning, return the JSON summary.
fn solve_without_warnings(deck: &Path, out: &Path) -> serde_json::Value {
    let o = osteon(&[
        "solve",
        &deck.to_string_lossy(),
        "-o",
        &out.to_string_lossy(),
        "--threads",
        "2",
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{}: {stdout}\n{stderr}", deck.display());
    assert!(
        !stderr.to_lowercase().contains("warning") && !stdout.to_lowercase().contains("warning"),
        "{} warns:\n{stdout}\n{stderr}",
        deck.display()
    );
    let stem = deck
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let json = std::fs::read_to_string(out.join(format!("{stem}.json"))).expect("JSON summary");
    let json: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(
        json["warnings"],
        serde_json::json!([]),
        "{}",
        deck.display()
    );
    json
}

#[test]
fn shipped_decks_solve_without_a_warning() {
    let dir = tempfile::tempdir().expect("tmp");
    for name in ["tibia_shaft.inp", "contact_block.inp"] {
        let deck = root().join("examples/decks").join(name);
        let json = solve_without_warnings(&deck, &dir.path().join(name));
        assert!(json["cases"].as_array().is_some_and(|c| !c.is_empty()));
    }
}

/// `osteon mesh box` with its defaults plus a pressure: a 20 × 4 × 4 mm bar, XMIN clamped,
/// 2 MPa pulling on XMAX. The load is p A = 32 N exactly, the reactions balance it, and the
/// elongation is p L / E within the stiffening of the clamped end's Poisson constraint.
#[test]
fn mesh_box_deck_solves_end_to_end() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = dir.path().join("bar.inp");
    let o = osteon(&[
        "mesh",
        "box",
        "--size",
        "20,4,4",
        "--cells",
        "5,1,1",
        "--pressure",
        "-2",
        "-o",
        &deck.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("osteon solve"),
        "{}",
        text(&o.stdout)
    );
    let json = solve_without_warnings(&deck, &dir.path().join("out"));
    let case = &json["cases"][0];
    let applied = case["applied_load_total_n"][0].as_f64().unwrap_or(f64::NAN);
    let reaction = case["total_reaction_n"][0].as_f64().unwrap_or(f64::NAN);
    assert!((applied - 32.0).abs() < 1e-9, "applied {applied} N");
    assert!((reaction + 32.0).abs() < 1e-6, "reaction {reaction} N");
    let u = case["max_displacement_mm"].as_f64().unwrap_or(f64::NAN);
    let exact = 2.0 * 20.0 / 17_000.0;
    assert!(u > 0.97 * exact && u < 1.03 * exact, "{u} vs {exact}");
}

/// The complete deck and the mesh-only deck with the printed wrapper describe the same
/// model: both solve without a warning and give the same displacement to round-off.
#[test]
fn mesh_only_plus_wrapper_solves_like_the_complete_deck() {
    let dir = tempfile::tempdir().expect("tmp");
    let tube = [
        "mesh", "tube", "--radial", "1", "--around", "8", "--axial", "4", "--length", "40",
    ];
    let complete = dir.path().join("tube.inp");
    let mut args = tube.to_vec();
    let complete_s = complete.to_string_lossy().into_owned();
    args.extend(["-o", &complete_s]);
    let o = osteon(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let mesh_only = dir.path().join("tube_mesh.inp");
    let mesh_only_s = mesh_only.to_string_lossy().into_owned();
    let mut args = tube.to_vec();
    args.extend(["--mesh-only", "-o", &mesh_only_s]);
    let o = osteon(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let wrapper = text(&o.stdout);
    assert!(wrapper.contains("*INCLUDE, INPUT=tube_mesh.inp") && wrapper.contains("*DSLOAD"));
    let wrapped = dir.path().join("model.inp");
    std::fs::write(&wrapped, &wrapper).expect("write wrapper");

    let a = solve_without_warnings(&complete, &dir.path().join("a"));
    let b = solve_without_warnings(&wrapped, &dir.path().join("b"));
    let ua = a["cases"][0]["max_displacement_mm"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let ub = b["cases"][0]["max_displacement_mm"]
        .as_f64()
        .unwrap_or(f64::NAN);
    assert!(ua > 0.0 && (ua - ub).abs() < 1e-12 * ua, "{ua} vs {ub}");
}

#[test]
fn a_missing_file_is_named_once_with_its_cause_once() {
    let o = osteon(&["solve", "no_such_deck.inp", "-o", "out_never_written"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("no_such_deck.inp"), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    assert!(!Path::new("out_never_written").exists());
}

#[test]
fn a_study_file_given_to_solve_suggests_osteon_study() {
    let study = root().join("examples/tibia_study.toml");
    let o = osteon(&["solve", &study.to_string_lossy(), "-o", "out_never_written"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("osteon study"), "{stderr}");
}

#[test]
fn an_out_of_range_study_parameter_names_its_key_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let study = dir.path().join("study.toml");
    std::fs::write(&study, "name = \"typo\"\n\n[implant]\nporosity = 1.2\n").expect("write");
    let o = osteon(&[
        "study",
        &study.to_string_lossy(),
        "-o",
        &dir.path().to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("study.toml:4: invalid study parameter implant.porosity = 1.2"),
        "{stderr}"
    );
}

#[test]
fn info_describes_a_bare_gmsh_mesh() {
    let msh = root().join("crates/io/tests/fixtures/gmsh/box_tet4_v41.msh");
    let o = osteon(&["info", &msh.to_string_lossy()]);
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", text(&o.stderr));
    for expected in ["mesh only", "physical groups", "Bone", "Plateau", "--model"] {
        assert!(
            stdout.contains(expected),
            "missing '{expected}' in\n{stdout}"
        );
    }
}

/// A Gmsh model whose TOML gives the modulus in Pa: `osteon info` and `osteon solve` say so.
#[test]
fn a_gmsh_model_in_si_units_warns() {
    let dir = tempfile::tempdir().expect("tmp");
    let msh = root().join("crates/io/tests/fixtures/gmsh/box_tet4_v41.msh");
    let toml = dir.path().join("model.toml");
    std::fs::write(
        &toml,
        "[[material]]\nname = \"bone\"\nE = 1.7e10\nnu = 0.3\n\n[[section]]\ngroup = \"Bone\"\nmaterial = \"bone\"\n\n\
         [[boundary]]\ngroup = \"Distal\"\ndofs = [1, 2, 3]\n\n[[step]]\nname = \"press\"\n[[step.pressure]]\ngroup = \"Plateau\"\np = 1.0\n",
    )
    .expect("write");
    let o = osteon(&[
        "info",
        "--no-estimate",
        &msh.to_string_lossy(),
        "--model",
        &toml.to_string_lossy(),
    ]);
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", text(&o.stderr));
    assert!(
        stdout.contains("model.toml: warning:") && stdout.contains("Pa"),
        "{stdout}"
    );
}

/// `-q` is quiet in a study too: no progress, no stage lines, no "done in" on stderr; the
/// metric table and the checks still come on stdout. The progress lines otherwise name
/// the load case of every solve.
#[test]
fn study_progress_names_the_case_and_quiet_silences_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let study = root().join("examples/tibia_study.toml");
    let args = |quiet: bool| {
        let mut a = vec![
            "study".to_string(),
            study.to_string_lossy().into_owned(),
            "--mesh-size".into(),
            "6".into(),
            "--no-vtu".into(),
            "--threads".into(),
            "2".into(),
            "-o".into(),
            dir.path().to_string_lossy().into_owned(),
        ];
        if quiet {
            a.insert(0, "-q".into());
        }
        a
    };
    let loud = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args(false))
        .output()
        .expect("run osteon");
    assert!(loud.status.success(), "{}", text(&loud.stderr));
    let stderr = text(&loud.stderr);
    assert!(
        // the phases name the load case (the frictional default's contact analysis:
        // set-up, analysis and recovery per case, Newton iterations between them); a case
        // that is a multiple of an earlier one says so instead of iterating
        stderr.contains("analyse [implanted: seed: axial, partial weight-bearing 50 % BW]")
            && stderr.contains(
                "recover [implanted: walking, axial peak force + peak torsion, 100 % weight-bearing]"
            )
            && stderr.contains(
                "seed: axial, full weight-bearing 100 % BW: 2.0000 × the solution of \"seed: axial, partial weight-bearing 50 % BW\""
            )
            && stderr.contains("done in"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("done in") || !stderr.contains(" 0.000 s"),
        "{stderr}"
    );

    let quiet = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args(true))
        .output()
        .expect("run osteon");
    assert!(quiet.status.success(), "{}", text(&quiet.stderr));
    assert!(quiet.stderr.is_empty(), "{}", text(&quiet.stderr));
    assert!(text(&quiet.stdout).contains("100 % BW"));
}

/// The memory guard (issue 16): a factorisation that does not fit is refused before it
/// allocates, with exit status 3, both numbers and the way out, and no result written; a
/// limit that is not a size is an input error.
#[test]
fn a_factorisation_over_the_memory_limit_is_refused_with_both_numbers() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = root().join("examples/decks/tibia_shaft.inp");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args([
            "solve",
            &deck.to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
        ])
        .env("OSTEON_MEMORY_LIMIT", "64K")
        .output()
        .expect("run osteon");
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("needs")
            && stderr.contains("only 0.1 MiB is available (OSTEON_MEMORY_LIMIT)")
            && stderr.contains("--solver cg"),
        "{stderr}"
    );
    let written = std::fs::read_dir(&out).map_or(0, |d| d.count());
    assert_eq!(written, 0, "no partial output");
    let bad = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args([
            "solve",
            &deck.to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
        ])
        .env("OSTEON_MEMORY_LIMIT", "lots")
        .output()
        .expect("run osteon");
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
    assert!(text(&bad.stderr).contains("OSTEON_MEMORY_LIMIT=lots is not a size"));
}
