//! `osteon ct` end to end on the tibia phantom: the three files, a deck that osteon solves
//! and that CalculiX solves to the same displacements, label maps, and bad inputs as exit
//! status 2 with the file named; the same for `--mesh tet` (C3D10 by gmsh, skipped with a
//! notice when gmsh is not installed), and a missing gmsh as exit status 2 saying what to
//! install.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use osteon_assembly::{SolveOptions, solve_linear_static};
use osteon_imaging::{
    SeriesInfo, TibiaPhantom, Tissue, Volume, Voxels, write_dicom_series, write_nifti,
};

use common::ccx;

fn osteon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .output()
        .expect("run osteon")
}

/// Largest displacement magnitude of the first step that `osteon solve` wrote in `json`.
fn max_displacement(json: &Path) -> f64 {
    let text = std::fs::read_to_string(json).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    v["cases"][0]["max_displacement_mm"]
        .as_f64()
        .unwrap_or(f64::NAN)
}

/// A coarse phantom (1 mm voxels) with noise, quick to mesh and solve.
fn phantom() -> (TibiaPhantom, Volume) {
    let p = TibiaPhantom {
        voxel_mm: [1.0; 3],
        supersampling: 2,
        noise_sigma_hu: 15.0,
        ..TibiaPhantom::default()
    };
    let ct = p.generate().expect("phantom");
    (p, ct)
}

/// The phantom written as a DICOM series into `series/` of a fresh temporary folder.
fn phantom_series() -> (tempfile::TempDir, std::path::PathBuf) {
    let (_p, ct) = phantom();
    let dir = tempfile::tempdir().unwrap();
    let series = dir.path().join("series");
    write_dicom_series(&series, &ct, &SeriesInfo::default()).unwrap();
    (dir, series)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Run `osteon ct ARGS`, assert it succeeded and wrote the three model files into `out`;
/// its standard output.
fn run_ct(args: &[&str], out: &Path) -> String {
    let run = osteon(args);
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{stdout}");
    for f in ["bone.inp", "bone.vtu", "bone.stl"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    stdout
}

/// Read `out/bone.inp` as osteon does and solve it (one thread): the model and the first
/// case's displacements (mm).
fn solve_deck(out: &Path) -> (osteon_assembly::Model, Vec<[f64; 3]>) {
    let model = osteon_io::inp::read_inp(&out.join("bone.inp"))
        .expect("osteon reads its own deck")
        .model;
    let solution = solve_linear_static(
        &model,
        &SolveOptions {
            threads: 1,
            ..SolveOptions::default()
        },
    )
    .expect("solve");
    let u = solution.cases[0].displacement.clone();
    (model, u)
}

/// Largest |u| (mm).
fn largest(u: &[[f64; 3]]) -> f64 {
    u.iter()
        .map(|d| (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt())
        .fold(0.0, f64::max)
}

/// CalculiX on `out/bone.inp` against osteon's displacements `u` of `model`: (max |Δu|,
/// CalculiX's max |u|) in mm, or `None` with a notice when ccx is not installed.
fn compare_with_ccx(
    out: &Path,
    model: &osteon_assembly::Model,
    u: &[[f64; 3]],
) -> Option<(f64, f64)> {
    if !ccx::available() {
        println!(
            "NOTICE: ccx (CalculiX) not found on PATH; comparison skipped (apt-get install calculix-ccx)"
        );
        return None;
    }
    let steps = ccx::run(out, "bone").expect("ccx");
    let reference = &steps[0].displacement;
    assert_eq!(reference.len(), model.mesh.n_nodes());
    let (mut worst, mut ccx_max): (f64, f64) = (0.0, 0.0);
    for (&id, r) in reference {
        let n = model.mesh.node_index(id).expect("ccx node in the deck");
        let d = (0..3).map(|c| (u[n][c] - r[c]).powi(2)).sum::<f64>().sqrt();
        worst = worst.max(d);
        ccx_max = ccx_max.max((r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).sqrt());
    }
    Some((worst, ccx_max))
}

#[test]
fn dicom_series_to_model_files_and_calculix_agrees() {
    let (dir, series) = phantom_series();
    let out = dir.path().join("model");
    let stdout = run_ct(
        &[
            "ct",
            s(&series),
            "-o",
            s(&out),
            "--element-size",
            "2",
            "--materials",
            "8",
        ],
        &out,
    );
    assert!(stdout.contains("C3D8 elements") && stdout.contains("MPa"));
    let vtu = std::fs::read_to_string(out.join("bone.vtu")).unwrap();
    for name in [
        "\"hu\"",
        "\"density\"",
        "\"youngs_modulus\"",
        "\"region\"",
        "\"material\"",
    ] {
        assert!(vtu.contains(&format!("Name={name}")), "VTU lacks {name}");
    }

    // osteon solves the deck as written
    let (model, u) = solve_deck(&out);
    assert!(!model.materials.is_empty() && model.materials.len() <= 8);
    assert!(
        model.mesh.element_set("CORTICAL").is_ok() && model.mesh.element_set("CANCELLOUS").is_ok()
    );
    let umax = largest(&u);
    assert!(umax > 0.0);
    let Some((worst, ccx_max)) = compare_with_ccx(&out, &model, &u) else {
        return;
    };
    println!("max |u|: osteon {umax:.6e} mm, CalculiX {ccx_max:.6e} mm; max |Δu| {worst:.3e} mm");
    assert!((umax - ccx_max).abs() <= 1e-5 * ccx_max);
    assert!(worst <= 1e-5 * ccx_max);
}

#[test]
fn nifti_with_label_map() {
    let (p, ct) = phantom();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("ct.nii.gz");
    write_nifti(&image, &ct).unwrap();
    // labels from the phantom's truth at voxel centres: 1 cortical, 2 cancellous, 3 marrow
    let labels: Vec<i16> = (0..ct.len())
        .map(|n| {
            let (i, j, k) = (
                n % ct.dims[0],
                (n / ct.dims[0]) % ct.dims[1],
                n / (ct.dims[0] * ct.dims[1]),
            );
            match p.tissue(ct.world([i as f64, j as f64, k as f64])) {
                Tissue::Cortical => 1,
                Tissue::Cancellous => 2,
                Tissue::Marrow => 3,
                Tissue::SoftTissue => 0,
            }
        })
        .collect();
    let mut label_volume = ct.clone();
    label_volume.voxels = Voxels::I16(labels);
    let label_path = dir.path().join("labels.nii.gz");
    write_nifti(&label_path, &label_volume).unwrap();
    let out = dir.path().join("model");
    let run = osteon(&[
        "ct",
        s(&image),
        "--labels",
        s(&label_path),
        "-o",
        s(&out),
        "--roi",
        ":,:,5:60",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("bone.inp").is_file());

    // a label map on another grid: exit 2, naming the label file
    let mut shifted = label_volume.clone();
    shifted.origin[0] += 5.0;
    let bad = dir.path().join("shifted_labels.nii.gz");
    write_nifti(&bad, &shifted).unwrap();
    let run = osteon(&["ct", s(&image), "--labels", s(&bad), "-o", s(&out)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("shifted_labels.nii.gz"));
}

#[test]
fn bad_inputs_exit_2_naming_the_file() {
    let (_p, ct) = phantom();
    let dir = tempfile::tempdir().unwrap();
    let series = dir.path().join("series");
    let files = write_dicom_series(&series, &ct, &SeriesInfo::default()).unwrap();
    let bytes = std::fs::read(&files[7]).unwrap();
    std::fs::write(&files[7], &bytes[..bytes.len() - 1000]).unwrap();
    let out = dir.path().join("model");
    let run = osteon(&["ct", s(&series), "-o", s(&out)]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("slice_0008.dcm"), "{stderr}");
    assert!(
        !out.join("bone.inp").exists(),
        "no output after a failed read"
    );

    let missing = dir.path().join("no_such_ct.nii.gz");
    let run = osteon(&["ct", s(&missing), "-o", s(&out)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no_such_ct.nii.gz"));

    let run = osteon(&["ct", s(&series), "-o", s(&out), "--law", "keller"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("morgan-femoral-neck"));
}

/// The DICOM faults of a series folder, through the command: a missing slice, a duplicated
/// one, a slice of another modality — each exits 2 naming the file, with no output; a
/// folder holding two CT series exits 2 listing them, and `--series` reads the one named.
#[test]
fn dicom_faults_exit_2_naming_the_file_and_series_are_chosen() {
    let (_p, ct) = phantom();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let fresh = |name: &str| {
        let series = dir.path().join(name);
        let files = write_dicom_series(&series, &ct, &SeriesInfo::default()).unwrap();
        (series, files)
    };
    let refused = |series: &Path, file: &str| {
        let run = osteon(&["ct", s(series), "-o", s(&out)]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains(file) && !stderr.contains("panicked"),
            "{file}: {stderr}"
        );
        assert!(
            !out.join("bone.inp").exists(),
            "no output after a failed read"
        );
        stderr.to_string()
    };
    // a gap: slice 10 removed
    let (gap, files) = fresh("gap");
    std::fs::remove_file(&files[9]).unwrap();
    let e = refused(&gap, "slice_0009.dcm");
    assert!(e.contains("missing"), "{e}");
    // a duplicated slice: slice 6 holds slice 5 again
    let (dup, files) = fresh("duplicate");
    std::fs::copy(&files[4], &files[5]).unwrap();
    refused(&dup, "slice_0006.dcm");
    // another modality: Modality (0008,0060) "CT" patched to "MR" in slice 3
    let (mr, files) = fresh("modality");
    let mut bytes = std::fs::read(&files[2]).unwrap();
    let tag = [0x08, 0x00, 0x60, 0x00, b'C', b'S', 0x02, 0x00, b'C', b'T'];
    let at = bytes
        .windows(tag.len())
        .position(|w| w == tag)
        .expect("Modality element");
    bytes[at + 8..at + 10].copy_from_slice(b"MR");
    std::fs::write(&files[2], bytes).unwrap();
    let e = refused(&mr, "slice_0003.dcm");
    assert!(e.contains("MR"), "{e}");

    // two CT series in one folder: listed, then chosen by UID
    let (both, _) = fresh("both");
    let other = write_dicom_series(
        &dir.path().join("other"),
        &ct,
        &SeriesInfo {
            uid_seed: 7,
            ..SeriesInfo::default()
        },
    )
    .unwrap();
    for f in &other {
        let name = format!("b_{}", f.file_name().unwrap().to_string_lossy());
        std::fs::copy(f, both.join(name)).unwrap();
    }
    let e = refused(&both, "b_slice_0001.dcm");
    assert!(e.contains("2 CT series") && e.contains("--series"), "{e}");
    let uid = osteon_imaging::dicom::series::series_header(&other[0])
        .unwrap()
        .uid;
    let run = osteon(&["ct", s(&both), "-o", s(&out), "--series", &uid]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("bone.inp").is_file());
}

#[test]
fn tet_mesh_deck_solves_like_the_voxel_deck_and_calculix_agrees() {
    if osteon::ct::gmsh::find_gmsh(None).is_err() {
        println!("NOTICE: gmsh not found (pip install gmsh, or OSTEON_GMSH=PATH); test skipped");
        return;
    }
    let (dir, series) = phantom_series();
    let mut compliance = Vec::new();
    let mut solutions = Vec::new();
    // C3D10 of 3 mm edge on the smoothed surface; C3D8 of one voxel (the voxel volume)
    for (mesh, size) in [("tet", Some("3")), ("voxel", None)] {
        let out = dir.path().join(mesh);
        let mut args = vec!["ct", s(&series), "-o", s(&out), "--mesh", mesh];
        args.extend(["--materials", "8"]);
        if let Some(size) = size {
            args.extend(["--element-size", size]);
        }
        run_ct(&args, &out);
        // `osteon solve` runs the deck as written
        let solved = out.join("solved");
        let run = osteon(&[
            "solve",
            s(&out.join("bone.inp")),
            "-o",
            s(&solved),
            "--threads",
            "2",
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(max_displacement(&solved.join("bone.json")) > 0.0);
        // the axial shortening: mean z displacement of the loaded PROXIMAL nodes
        let (model, u) = solve_deck(&out);
        let proximal = model.mesh.node_set("PROXIMAL").expect("PROXIMAL");
        compliance.push(proximal.iter().map(|&n| u[n][2]).sum::<f64>() / proximal.len() as f64);
        solutions.push((model, u));
    }
    // one bone, two meshes, one body weight: the same axial shortening (the voxel mesh holds
    // the voxel volume, the smooth surface the same to 0.6 %)
    println!(
        "mean proximal u_z: tet {:.4e} mm, voxel {:.4e} mm ({:+.2} %)",
        compliance[0],
        compliance[1],
        100.0 * (compliance[0] - compliance[1]) / compliance[1]
    );
    assert!(compliance[0] < 0.0);
    assert!(((compliance[0] - compliance[1]) / compliance[1]).abs() < 0.03);

    let out = dir.path().join("tet");
    let vtu = std::fs::read_to_string(out.join("bone.vtu")).unwrap();
    for name in ["hu", "density", "youngs_modulus", "region", "material"] {
        assert!(
            vtu.contains(&format!("Name=\"{name}\"")),
            "VTU lacks {name}"
        );
    }
    let (model, u) = &solutions[0];
    assert!(!model.materials.is_empty() && model.materials.len() <= 8);
    assert!(
        model
            .mesh
            .blocks
            .iter()
            .all(|b| b.etype == osteon_mesh::ElementType::Tet10)
    );
    assert!(model.mesh.element_set("CORTICAL").is_ok());
    let our_max = largest(u);
    let Some((worst, _)) = compare_with_ccx(&out, model, u) else {
        return;
    };
    println!("C3D10 deck: max |u| osteon {our_max:.6e} mm; max |Δu| to CalculiX {worst:.3e} mm");
    assert!(worst <= 1e-5 * our_max);
}

#[test]
fn smoothed_c3d20_voxel_deck_solves_and_calculix_agrees() {
    let (dir, series) = phantom_series();
    let out = dir.path().join("model");
    let stdout = run_ct(
        &[
            "ct",
            s(&series),
            "-o",
            s(&out),
            "--element-size",
            "2",
            "--materials",
            "8",
            "--element",
            "c3d20",
            "--smooth-surface",
            "10",
        ],
        &out,
    );
    assert!(stdout.contains("C3D20 elements") && stdout.contains("smoothing"));
    let vtu = std::fs::read_to_string(out.join("bone.vtu")).unwrap();
    assert!(vtu.contains("Name=\"youngs_modulus\""));
    // `osteon solve` runs the deck as written
    let solved = out.join("solved");
    let run = osteon(&["solve", s(&out.join("bone.inp")), "-o", s(&solved)]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let umax = max_displacement(&solved.join("bone.json"));
    assert!(umax > 0.0);
    let (model, u) = solve_deck(&out);
    assert!(
        model
            .mesh
            .blocks
            .iter()
            .all(|b| b.etype == osteon_mesh::ElementType::Hex20)
    );
    osteon_mesh::check_jacobians(&model.mesh).expect("no inverted element");
    let Some((worst, ccx_max)) = compare_with_ccx(&out, &model, &u) else {
        return;
    };
    println!(
        "smoothed C3D20 deck: max |u| osteon solve {umax:.6e} mm, CalculiX {ccx_max:.6e} mm; max |Δu| {worst:.3e} mm"
    );
    assert!((umax - ccx_max).abs() <= 1e-5 * ccx_max);
    assert!(worst <= 1e-5 * ccx_max);
}

#[test]
fn tet_mesh_without_gmsh_exits_2_saying_what_to_install() {
    let (_p, ct) = phantom();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("ct.nii.gz");
    write_nifti(&image, &ct).unwrap();
    let out = dir.path().join("model");
    let cases: [(&[&str], Option<&str>); 2] = [
        (&["--gmsh", "/nonexistent/gmsh"], None),
        (&[], Some("/nonexistent/osteon_gmsh")),
    ];
    for (extra, env) in cases {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_osteon"));
        cmd.args(["ct", s(&image), "-o", s(&out), "--mesh", "tet"])
            .args(extra);
        if let Some(path) = env {
            cmd.env("OSTEON_GMSH", path);
        }
        let run = cmd.output().expect("run osteon");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("pip install gmsh") && stderr.contains("/nonexistent/"),
            "{stderr}"
        );
        assert!(!out.join("bone.inp").exists());
    }
}
