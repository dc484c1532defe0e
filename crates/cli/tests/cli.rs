//! The `osteon` binary end to end: exit codes, messages, outputs and their atomicity.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOOD: &str = "\
** a 20 x 2 x 2 mm bar of 5 C3D8 elements, fixed at x = 0, pulled with 40 N
*HEADING
bar
*NODE, NSET=NALL
1, 0., 0., 0.
2, 4., 0., 0.
3, 8., 0., 0.
4, 12., 0., 0.
5, 16., 0., 0.
6, 20., 0., 0.
7, 0., 2., 0.
8, 4., 2., 0.
9, 8., 2., 0.
10, 12., 2., 0.
11, 16., 2., 0.
12, 20., 2., 0.
13, 0., 0., 2.
14, 4., 0., 2.
15, 8., 0., 2.
16, 12., 0., 2.
17, 16., 0., 2.
18, 20., 0., 2.
19, 0., 2., 2.
20, 4., 2., 2.
21, 8., 2., 2.
22, 12., 2., 2.
23, 16., 2., 2.
24, 20., 2., 2.
*ELEMENT, TYPE=C3D8, ELSET=BAR
1, 1, 2, 8, 7, 13, 14, 20, 19
2, 2, 3, 9, 8, 14, 15, 21, 20
3, 3, 4, 10, 9, 15, 16, 22, 21
4, 4, 5, 11, 10, 16, 17, 23, 22
5, 5, 6, 12, 11, 17, 18, 24, 23
*NSET, NSET=FIXED
1, 7, 13, 19
*NSET, NSET=END
6, 12, 18, 24
*MATERIAL, NAME=BONE
*ELASTIC
17000., 0.3
*SOLID SECTION, ELSET=BAR, MATERIAL=BONE
*BOUNDARY
FIXED, 1, 3
*STEP
*STATIC
*CLOAD
END, 1, 10.
*NODE PRINT, NSET=NALL
U
*END STEP
";

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write deck");
    p
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn solve_writes_vtu_and_json_and_reports_equilibrium() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = write(dir.path(), "bar.inp", GOOD.as_bytes());
    let out = dir.path().join("out");
    let o = osteon(&[
        "solve",
        deck.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
        "--threads",
        "2",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        files_in(&out),
        vec!["bar.json".to_string(), "bar.vtu".to_string()]
    );
    // F L / (E A) = 40 · 20 / (17000 · 4); the fully clamped end stops the Poisson contraction
    // there, so the coarse bar is a little stiffer than the 1-D value
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("bar.json")).unwrap_or_default())
            .expect("valid JSON");
    let umax = json["cases"][0]["max_displacement_mm"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let exact = 40.0 * 20.0 / (17000.0 * 4.0);
    assert!((umax - exact).abs() < 0.03 * exact, "{umax} vs {exact}");
    let eq = json["cases"][0]["equilibrium_error_n"]
        .as_f64()
        .unwrap_or(f64::NAN);
    assert!(eq < 1e-9 * 40.0, "equilibrium error {eq} N");
    assert!(stdout.contains("reaction on FIXED"), "{stdout}");
}

#[test]
fn quiet_prints_results_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = write(dir.path(), "bar.inp", GOOD.as_bytes());
    let o = osteon(&[
        "--quiet",
        "solve",
        deck.to_str().unwrap_or_default(),
        "-o",
        dir.path().to_str().unwrap_or_default(),
    ]);
    assert!(o.status.success());
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stdout.contains("phase timings"), "{stdout}");
    assert!(stdout.contains("max |u|"));
}

#[test]
fn info_describes_the_model_and_the_direct_solve() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = write(dir.path(), "bar.inp", GOOD.as_bytes());
    let o = osteon(&["info", deck.to_str().unwrap_or_default()]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{s}");
    for expected in [
        "nodes        24",
        "5 C3D8",
        "FIXED (4)",
        "BONE",
        "free DOFs            60",
        "memory estimate",
    ] {
        assert!(s.contains(expected), "missing '{expected}' in:\n{s}");
    }
}

#[test]
fn mesh_writes_a_deck_that_solves() {
    let dir = tempfile::tempdir().expect("tmp");
    let deck = dir.path().join("tube.inp");
    let o = osteon(&[
        "mesh",
        "tube",
        "--radial",
        "1",
        "--around",
        "8",
        "--axial",
        "4",
        "--length",
        "40",
        "-o",
        deck.to_str().unwrap_or_default(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&deck).unwrap_or_default();
    assert!(
        text.contains("*ELEMENT, TYPE=C3D10")
            && text.contains("*NSET, NSET=Z0")
            && text.contains("*SURFACE, NAME=INNER, TYPE=ELEMENT")
    );
    let o = osteon(&["info", "--no-estimate", deck.to_str().unwrap_or_default()]);
    assert!(o.status.success());
}

#[test]
fn numerical_failures_exit_3_and_name_the_cause() {
    let dir = tempfile::tempdir().expect("tmp");
    // no support at all in y and z: rigid-body modes
    let loose = GOOD.replace("FIXED, 1, 3", "FIXED, 1, 1");
    let deck = write(dir.path(), "loose.inp", loose.as_bytes());
    let out = dir.path().join("out");
    let o = osteon(&[
        "solve",
        deck.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rigid body") && err.contains("translation in y"),
        "{err}"
    );
    assert!(files_in(&out).is_empty());
    // element 3 turned inside out
    let inverted = GOOD.replace(
        "3, 3, 4, 10, 9, 15, 16, 22, 21",
        "3, 3, 9, 10, 4, 15, 21, 22, 16",
    );
    let deck = write(dir.path(), "inverted.inp", inverted.as_bytes());
    let o = osteon(&[
        "solve",
        deck.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("element 3 is inverted"), "{err}");
    assert!(files_in(&out).is_empty());
}

/// Malformed decks made from the good one: each must exit with 2, name the line, not panic,
/// and leave no output behind.
fn malformed() -> Vec<(String, Vec<u8>, usize)> {
    let lines: Vec<&str> = GOOD.lines().collect();
    let replace = |line: usize, with: &str| -> Vec<u8> {
        let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        l[line - 1] = with.to_string();
        (l.join("\n") + "\n").into_bytes()
    };
    let line_of = |needle: &str| lines.iter().position(|l| *l == needle).map_or(0, |i| i + 1);
    let mut v: Vec<(String, Vec<u8>, usize)> = vec![
        ("bad coordinate".into(), replace(6, "2, 4., zero, 0."), 6),
        ("NaN coordinate".into(), replace(7, "3, NaN, 0., 0."), 7),
        (
            "infinite coordinate".into(),
            replace(7, "3, inf, 0., 0."),
            7,
        ),
        (
            "fractional node id".into(),
            replace(7, "3.5, 8., 0., 0."),
            7,
        ),
        ("duplicate node".into(), replace(7, "2, 8., 0., 0."), 7),
        (
            "unknown element type".into(),
            replace(29, "*ELEMENT, TYPE=C3D27, ELSET=BAR"),
            29,
        ),
        (
            "too few element nodes".into(),
            replace(30, "1, 1, 2, 8, 7, 13, 14, 20"),
            30,
        ),
        (
            "undefined node in element".into(),
            replace(31, "2, 2, 3, 9, 8, 14, 15, 21, 99"),
            31,
        ),
        (
            "duplicate element".into(),
            replace(32, "2, 3, 4, 10, 9, 15, 16, 22, 21"),
            32,
        ),
        (
            "non-numeric element id".into(),
            replace(33, "four, 4, 5, 11, 10, 16, 17, 23, 22"),
            33,
        ),
        (
            "undefined node in set".into(),
            replace(line_of("1, 7, 13, 19"), "1, 7, 13, 190"),
            line_of("1, 7, 13, 19"),
        ),
        (
            "undefined set in boundary".into(),
            replace(line_of("FIXED, 1, 3"), "FIXD, 1, 3"),
            line_of("FIXED, 1, 3"),
        ),
        (
            "bad dof".into(),
            replace(line_of("FIXED, 1, 3"), "FIXED, one, 3"),
            line_of("FIXED, 1, 3"),
        ),
        (
            "bad Young's modulus".into(),
            replace(line_of("17000., 0.3"), "17000.x, 0.3"),
            line_of("17000., 0.3"),
        ),
        (
            "NaN Poisson ratio".into(),
            replace(line_of("17000., 0.3"), "17000., nan"),
            line_of("17000., 0.3"),
        ),
        (
            "section on a missing set".into(),
            replace(
                line_of("*SOLID SECTION, ELSET=BAR, MATERIAL=BONE"),
                "*SOLID SECTION, ELSET=BONES, MATERIAL=BONE",
            ),
            line_of("*SOLID SECTION, ELSET=BAR, MATERIAL=BONE"),
        ),
        (
            "undefined material".into(),
            replace(
                line_of("*SOLID SECTION, ELSET=BAR, MATERIAL=BONE"),
                "*SOLID SECTION, ELSET=BAR, MATERIAL=STEEL",
            ),
            line_of("*SOLID SECTION, ELSET=BAR, MATERIAL=BONE"),
        ),
        (
            "bad load value".into(),
            replace(line_of("END, 1, 10."), "END, 1, ten"),
            line_of("END, 1, 10."),
        ),
        (
            "load on undefined node".into(),
            replace(line_of("END, 1, 10."), "999, 1, 10."),
            line_of("END, 1, 10."),
        ),
        (
            "data line before any keyword".into(),
            replace(1, "1, 2, 3"),
            1,
        ),
        (
            "missing *END STEP".into(),
            GOOD.replace("*END STEP\n", "").into_bytes(),
            line_of("*STEP"),
        ),
        (
            "material without elastic constants".into(),
            GOOD.replace("*ELASTIC\n17000., 0.3\n", "").into_bytes(),
            line_of("*MATERIAL, NAME=BONE"),
        ),
    ];
    // truncations at many points cut a record or leave a step open
    for cut in [5usize, 28, 31, 42, 47, 50] {
        let text = lines[..cut].join("\n") + "\n";
        v.push((format!("truncated after line {cut}"), text.into_bytes(), 0));
    }
    for (i, len) in [100usize, 333, 500, 777].into_iter().enumerate() {
        v.push((
            format!("truncated mid-line {i}"),
            GOOD.as_bytes()[..len].to_vec(),
            0,
        ));
    }
    v.push(("empty file".into(), Vec::new(), 0));
    v.push(("only comments".into(), b"** nothing here\n**\n".to_vec(), 0));
    v.push((
        "binary garbage".into(),
        (0..2000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect(),
        0,
    ));
    v.push((
        "UTF-16 text".into(),
        GOOD.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        0,
    ));
    v.push((
        "include of a missing file".into(),
        format!("*INCLUDE, INPUT=nowhere.inp\n{GOOD}").into_bytes(),
        1,
    ));
    v.push(("element without a section".into(), GOOD.replace("5, 5, 6, 12, 11, 17, 18, 24, 23", "5, 5, 6, 12, 11, 17, 18, 24, 23\n*ELEMENT, TYPE=C3D8, ELSET=LOOSE\n6, 5, 6, 12, 11, 17, 18, 24, 23").into_bytes(), 0));
    v.push((
        "equation with a bad term count".into(),
        GOOD.replace("*STEP\n", "*EQUATION\nthree\n6, 1, 1., 12, 1, -1.\n*STEP\n")
            .into_bytes(),
        0,
    ));
    v.push((
        "pressure on a face that does not exist".into(),
        GOOD.replace("*CLOAD\nEND, 1, 10.\n", "*DLOAD\n5, P7, 1.\n")
            .into_bytes(),
        0,
    ));
    v.push((
        "negative Young's modulus".into(),
        GOOD.replace("17000., 0.3", "-17000., 0.3").into_bytes(),
        line_of("17000., 0.3"),
    ));
    v.push((
        "Poisson ratio 0.5".into(),
        GOOD.replace("17000., 0.3", "17000., 0.5").into_bytes(),
        line_of("17000., 0.3"),
    ));
    v.push((
        "unknown parameter value".into(),
        GOOD.replace("*ELASTIC\n", "*ELASTIC, TYPE=HYPERFOAM\n")
            .into_bytes(),
        line_of("*ELASTIC"),
    ));
    v.push((
        "missing NSET name".into(),
        GOOD.replace("*NSET, NSET=END", "*NSET").into_bytes(),
        line_of("*NSET, NSET=END"),
    ));
    v.push((
        "generate with a zero step".into(),
        GOOD.replace(
            "*NSET, NSET=END\n6, 12, 18, 24",
            "*NSET, NSET=END, GENERATE\n6, 24, 0",
        )
        .into_bytes(),
        line_of("6, 12, 18, 24"),
    ));
    v.push((
        "generate backwards".into(),
        GOOD.replace(
            "*NSET, NSET=END\n6, 12, 18, 24",
            "*NSET, NSET=END, GENERATE\n24, 6, 6",
        )
        .into_bytes(),
        line_of("6, 12, 18, 24"),
    ));
    v.push((
        "keyword without name".into(),
        GOOD.replace("*STATIC", "*").into_bytes(),
        line_of("*STATIC"),
    ));
    v
}

#[test]
fn malformed_decks_exit_2_name_the_line_and_leave_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let cases = malformed();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (i, (what, bytes, line)) in cases.iter().enumerate() {
        let deck = write(dir.path(), &format!("case{i}.inp"), bytes);
        let out = dir.path().join(format!("out{i}"));
        let o = osteon(&[
            "solve",
            deck.to_str().unwrap_or_default(),
            "-o",
            out.to_str().unwrap_or_default(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        let named = if *line > 0 {
            err.contains(&format!("case{i}.inp:{line}:")) || err.contains("nowhere.inp")
        } else {
            err.contains(".inp:")
        };
        if o.status.code() != Some(2)
            || !named
            || err.contains("panicked")
            || out.exists() && !files_in(&out).is_empty()
        {
            failures.push(format!(
                "{what}: exit {:?}, expected line {line}, stderr: {err}",
                o.status.code()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} malformed decks misbehaved:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_shipped_example_deck_solves_both_body_weight_steps() {
    let deck = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/decks/tibia_shaft.inp");
    let dir = tempfile::tempdir().expect("tmp");
    let o = osteon(&[
        "--quiet",
        "solve",
        deck.to_str().unwrap_or_default(),
        "-o",
        dir.path().to_str().unwrap_or_default(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "tibia_shaft.vtu",
        "tibia_shaft_step1.vtu",
        "tibia_shaft_step2.vtu",
        "tibia_shaft.pvd",
        "tibia_shaft.json",
    ] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("tibia_shaft.json")).unwrap_or_default(),
    )
    .expect("JSON");
    let u = |k: usize| {
        json["cases"][k]["max_displacement_mm"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    // linear model: 100 % body weight gives exactly twice the 50 % displacement
    assert!((u(1) / u(0) - 2.0).abs() < 1e-10, "{} {}", u(0), u(1));
    // hand calculation of the axial shortening F L / (E A) at 50 % BW, within 1 %
    let area = std::f64::consts::PI * (13.0f64.powi(2) - 7.0f64.powi(2));
    let shortening = 0.5 * 70.0 * 9.81 * 300.0 / (17_000.0 * area);
    assert!(
        (u(0) / shortening - 1.0).abs() < 0.01,
        "{} vs {shortening}",
        u(0)
    );
    // the pressure acts on the meshed end face, whose parabolic arcs (12 around) miss 0.02 %
    // of the circle's area
    let applied = json["cases"][1]["applied_load_total_n"][2]
        .as_f64()
        .unwrap_or(f64::NAN);
    assert!((applied / -686.7 - 1.0).abs() < 1e-3, "{applied}");
}
