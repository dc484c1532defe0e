//! `osteon solve --backend petsc` against the serial direct solver, on one and two MPI
//! processes (`mpirun`): the displacements of every step of every deck (the fixture decks,
//! the tibia shaft, the CalculiX cross-check's decks and a CT model from `osteon ct`) agree
//! to 1e-8 of the largest, the JSON says what each process did, and a singular model exits
//! with status 3 and PETSc's reason in words, without writing results. Built only with the feature
//! `petsc` (`cargo test -p osteon-cli --features petsc --release`), which needs PETSc and
//! OpenMPI (`mpirun` on PATH).
#![cfg(feature = "petsc")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::crosscheck_decks;

fn osteon() -> &'static str {
    env!("CARGO_BIN_EXE_osteon")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `osteon solve` on `ranks` processes with the PETSc backend (0: the serial solver).
fn solve(deck: &Path, out: &Path, ranks: usize) -> Output {
    let mut cmd = if ranks == 0 {
        Command::new(osteon())
    } else {
        let mut c = Command::new("mpirun");
        // as root in CI containers; more processes than cores on small machines
        c.args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-n",
            &ranks.to_string(),
            osteon(),
        ]);
        c
    };
    cmd.args(["solve", "--ascii", "-q"])
        .arg(deck)
        .arg("-o")
        .arg(out);
    if ranks > 0 {
        cmd.args(["--backend", "petsc", "--cg-tolerance", "1e-12"]);
    }
    cmd.output().expect("running osteon (and mpirun)")
}

/// The `displacement` arrays of every VTU file in `dir`, by file name.
fn displacements(dir: &Path) -> Vec<(String, Vec<f64>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vtu"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let start = text
                .find("Name=\"displacement\"")
                .expect("displacement array");
            let body = &text[start..];
            let body = &body[body.find('>').unwrap() + 1..body.find("</DataArray>").unwrap()];
            let values = body
                .split_whitespace()
                .map(|v| v.parse::<f64>().unwrap())
                .collect();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                values,
            )
        })
        .collect()
}

/// Each deck solved by the serial direct solver and by the PETSc backend on one and two
/// processes: the displacements of every step agree to 1e-8 of the largest, and the JSON
/// says what each process did.
fn agree_with_the_direct_solver(decks: &[PathBuf], tmp: &Path) {
    for deck in decks {
        let name = deck.file_stem().unwrap().to_string_lossy().into_owned();
        let serial_dir = tmp.join(format!("{name}_serial"));
        let out = solve(deck, &serial_dir, 0);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reference = displacements(&serial_dir);
        assert!(!reference.is_empty());
        for ranks in [1, 2] {
            let dir = tmp.join(format!("{name}_petsc{ranks}"));
            let out = solve(deck, &dir, ranks);
            assert!(
                out.status.success(),
                "{name} on {ranks}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let got = displacements(&dir);
            assert_eq!(got.len(), reference.len(), "{name}: files");
            for ((file, u), (_, u_ref)) in got.iter().zip(&reference) {
                let scale = u_ref.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let diff = u
                    .iter()
                    .zip(u_ref)
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
                assert!(
                    diff <= 1e-8 * scale,
                    "{name} ({file}) on {ranks} process(es): max |Δu| = {diff:.3e} of {scale:.3e}"
                );
            }
            let json: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
            )
            .unwrap();
            let dist = &json["distributed"];
            assert_eq!(dist["backend"], "petsc");
            assert_eq!(dist["ranks"], ranks);
            assert_eq!(dist["ksp_type"], "cg");
            assert_eq!(dist["pc_type"], "gamg");
            let per_rank = dist["per_rank"].as_array().unwrap();
            assert_eq!(per_rank.len(), ranks);
            let rows: u64 = per_rank
                .iter()
                .map(|r| r["owned_rows"].as_u64().unwrap())
                .sum();
            assert_eq!(
                rows,
                3 * json["counts"]["nodes"].as_u64().unwrap(),
                "{name}"
            );
            for case in json["cases"].as_array().unwrap() {
                assert!(case["solver"]["relative_residual"].as_f64().unwrap() < 1e-10);
            }
        }
    }
}

#[test]
fn fixture_decks_agree_with_the_direct_solver_on_one_and_two_processes() {
    let fixtures = root().join("crates/io/tests/fixtures/inp");
    let decks = [
        fixtures.join("block_c3d10.inp"),
        fixtures.join("equation_c3d8.inp"),
        fixtures.join("equation_chains_opt2.inp"),
        fixtures.join("tie_boxes.inp"),
        fixtures.join("tie_boxes_3x3.inp"),
        fixtures.join("two_steps.inp"),
        fixtures.join("cantilever_c3d20r.inp"),
        root().join("examples/decks/tibia_shaft.inp"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    agree_with_the_direct_solver(&decks, tmp.path());
}

/// The CalculiX cross-check's decks (every element type and keyword of the first set; see
/// `ccx_crosscheck.rs`), which the serial solver matches to ccx's printed digits.
#[test]
fn calculix_crosscheck_decks_agree_with_the_direct_solver_on_one_and_two_processes() {
    let tmp = tempfile::tempdir().unwrap();
    let decks: Vec<PathBuf> = crosscheck_decks::decks(tmp.path())
        .iter()
        .map(|d| d.write(tmp.path()).unwrap())
        .collect();
    assert!(decks.len() >= 12);
    agree_with_the_direct_solver(&decks, tmp.path());
}

/// A model from a CT: `osteon ct` on the synthetic tibia phantom (NIfTI, 1 mm voxels, merged
/// into 2 mm C3D8 elements, eight modulus bins) writes a complete deck, which runs through the
/// backend like any other.
#[test]
fn ct_model_agrees_with_the_direct_solver_on_one_and_two_processes() {
    use osteon_imaging::{TibiaPhantom, write_nifti};
    let tmp = tempfile::tempdir().unwrap();
    let ct = TibiaPhantom {
        voxel_mm: [1.0; 3],
        supersampling: 2,
        noise_sigma_hu: 15.0,
        ..TibiaPhantom::default()
    }
    .generate()
    .unwrap();
    let image = tmp.path().join("ct.nii.gz");
    write_nifti(&image, &ct).unwrap();
    let model_dir = tmp.path().join("model");
    let out = Command::new(osteon())
        .arg("ct")
        .arg(&image)
        .arg("-o")
        .arg(&model_dir)
        .args(["--element-size", "2", "--materials", "8"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    agree_with_the_direct_solver(&[model_dir.join("bone.inp")], tmp.path());
}

/// Two 10 mm cubes that share no node: A clamped, B pulled and held by nothing. The model as
/// a whole cannot move (A is clamped), so the rigid-body check passes; B alone is free.
const LOOSE_CUBE: &str = "\
*NODE
1, 0., 0., 0.
2, 10., 0., 0.
3, 10., 10., 0.
4, 0., 10., 0.
5, 0., 0., 10.
6, 10., 0., 10.
7, 10., 10., 10.
8, 0., 10., 10.
11, 10., 0., 0.
12, 20., 0., 0.
13, 20., 10., 0.
14, 10., 10., 0.
15, 10., 0., 10.
16, 20., 0., 10.
17, 20., 10., 10.
18, 10., 10., 10.
*ELEMENT, TYPE=C3D8, ELSET=ALL
101, 1, 2, 3, 4, 5, 6, 7, 8
205, 11, 12, 13, 14, 15, 16, 17, 18
*MATERIAL, NAME=M
*ELASTIC
1000., 0.3
*SOLID SECTION, ELSET=ALL, MATERIAL=M
*BOUNDARY
1, 1, 3
4, 1, 3
5, 1, 3
8, 1, 3
*STEP
*STATIC
*CLOAD
12, 1, 25.
13, 1, 25.
16, 1, 25.
17, 1, 25.
*END STEP
";

#[test]
fn singular_models_exit_3_with_a_reason_and_no_results() {
    let tmp = tempfile::tempdir().unwrap();
    // free as a whole: the rigid-body check names the mode before PETSc runs
    let free = tmp.path().join("free.inp");
    std::fs::write(
        &free,
        LOOSE_CUBE.replace("*BOUNDARY\n1, 1, 3\n4, 1, 3\n5, 1, 3\n8, 1, 3\n", ""),
    )
    .unwrap();
    // a loose part: only the Krylov solver can find it
    let loose = tmp.path().join("loose.inp");
    std::fs::write(&loose, LOOSE_CUBE).unwrap();
    for (deck, expect) in [(&free, "rigid body"), (&loose, "did not converge")] {
        for ranks in [1, 2] {
            let out_dir = tmp.path().join(format!("out_{ranks}"));
            let out = solve(deck, &out_dir, ranks);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{}: {stderr}", deck.display());
            assert!(stderr.contains(expect), "{}: {stderr}", deck.display());
            assert!(
                !out_dir
                    .join(format!(
                        "{}.json",
                        deck.file_stem().unwrap().to_string_lossy()
                    ))
                    .exists(),
                "no results for a failed run"
            );
        }
    }
}

#[test]
fn without_mpirun_one_process_is_the_whole_run() {
    // started directly, the binary is a one-process MPI run (a singleton)
    let tmp = tempfile::tempdir().unwrap();
    let deck = root().join("crates/io/tests/fixtures/inp/block_c3d10.inp");
    let out = Command::new(osteon())
        .args([
            "solve",
            "-q",
            "--backend",
            "petsc",
            "--petsc-options",
            "-ksp_type cg -pc_type jacobi",
        ])
        .arg(&deck)
        .arg("-o")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("block_c3d10.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["distributed"]["pc_type"], "jacobi",
        "--petsc-options reach PETSc"
    );
    assert_eq!(json["distributed"]["ranks"], 1);
}

/// A small study: the seed's two cases on a coarse mesh, no headline analyses.
/// A small bonded study (the linear analyses; the frictional default's Newton counts and
/// contact timings depend on the solver; frictional contact through PETSc is compared in
/// `crates/petsc/tests/backend.rs`).
const SMALL_STUDY: &str = "\
name = \"coarse seed study\"
[interface]
model = \"bonded\"
[loads]
activities = []
[mesh]
size_mm = 8.0
far_factor = 2.0
[metrics]
headline_analyses = false
";

/// Every number of `a` and `b` (report.json) agrees to 1e-6 of the larger plus 1e-6 in its
/// unit (which absorbs the round-off-sized moments, ~1e-7 N·mm, of an axial case), except
/// the timings, the solver's name, the notes and the places of peaks and of the largest
/// sphere means (ties between symmetric points, broken by round-off).
fn same_numbers(a: &serde_json::Value, b: &serde_json::Value, path: &str, compared: &mut usize) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let skip = ["timings", "linear_solver", "notes", "study"].contains(&k.as_str())
                    || k == "at_mm"
                    || k.ends_with("_at_mm");
                if !skip {
                    let w = y.get(k).unwrap_or_else(|| panic!("{path}.{k} missing"));
                    same_numbers(v, w, &format!("{path}.{k}"), compared);
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same_numbers(v, w, &format!("{path}[{i}]"), compared);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-6 * x.abs().max(y.abs()) + 1e-6,
                "{path}: {x} (direct) vs {y} (PETSc)"
            );
            *compared += 1;
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn study_through_petsc_reports_what_the_direct_solver_does() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = tmp.path().join("small.toml");
    std::fs::write(&toml, SMALL_STUDY).unwrap();
    let run = |backend: &str, out: &Path| {
        let o = Command::new(osteon())
            .args(["study", "-q", "--no-vtu", "--backend", backend])
            .arg(&toml)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(out.join("report.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let direct = run("serial", &tmp.path().join("serial"));
    let petsc = run("petsc", &tmp.path().join("petsc"));
    let mut compared = 0;
    same_numbers(&direct, &petsc, "report", &mut compared);
    assert!(compared > 500, "{compared} numbers compared");
    assert_eq!(petsc["cases"].as_array().unwrap().len(), 2);
    let solver = petsc["linear_solver"].as_str().unwrap();
    assert!(solver.starts_with("PETSc cg + gamg"), "{solver}");
    assert!(
        direct["linear_solver"]
            .as_str()
            .unwrap()
            .contains("Cholesky")
    );
    let md = std::fs::read_to_string(tmp.path().join("petsc/report.md")).unwrap();
    assert!(
        md.contains("Linear solver of every solve: PETSc cg + gamg"),
        "{md}"
    );
}

#[test]
fn study_under_mpirun_is_refused_with_a_way_forward() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = tmp.path().join("small.toml");
    std::fs::write(&toml, SMALL_STUDY).unwrap();
    let o = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-n",
            "2",
            osteon(),
        ])
        .args(["study", "-q", "--backend", "petsc"])
        .arg(&toml)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("start it without mpirun"), "{stderr}");
    assert!(!tmp.path().join("out/report.json").exists());
}
