//! # The tibial-defect reconstruction study — osteon's main job
//!
//! A surgeon-engineer plans the reconstruction of a 63 mm mid-shaft tibial defect with a
//! 3D-printed porous-tantalum prosthesis (72 % porosity), a lateral Ti-6Al-4V fixation
//! flange and proximal and distal Ti-6Al-4V locking screws, and asks, at the seed's 50 % and
//! 100 % body weight (70 kg) and under the knee loads measured in vivo (walking, walking with
//! its peak torsion, stance, stairs): does the implant migrate less than 2 mm, how much is
//! the neighbouring bone shielded from stress, is the implant safe, is the bone strain below
//! 3000 µε — and what if the printed lattice is as soft as measured?
//!
//! ```text
//!   z = 360  plateau: knee force (60 % medial, 40 % lateral), shear, moments, torsion
//!            ┌───────────────┐  proximal metaphysis (cancellous core, 70 mm flare)
//!             \             /
//!              │  cortex   │   transversely isotropic (Reilly & Burstein 1975)
//!              │           │▌ flange (Ti-6Al-4V, on bone), screws ─┤ (Ti-6Al-4V, embedded)
//!   z = 211.5  ├───────────┤▌ proximal docking face
//!              │ porous Ta │▌ prosthesis, 63 mm
//!   z = 148.5  ├───────────┤▌ distal docking face
//!              │           │▌
//!             /             \
//!            └───────────────┘  distal metaphysis (50 mm flare)
//!   z = 0         (  ●  )       ankle: distributing coupling to a fixed reference point
//! ```
//!
//! Geometry, materials, loads and thresholds come from biomechanics.md (see the
//! `osteon-biomech` docs); the intact tibia under the same loads is the reference for stress
//! shielding. The program prints the progress, the headline table (one row per load case)
//! and the pass/fail checks, and writes `report.md`, `report.json`, the SVG plots
//! (`shielding.svg`, `shaft_profile.svg`) and one VTU per load case for the implanted and the
//! intact model.
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example tibia_load_cases                       # default study → target/tibia_study/
//! cargo run --release --example tibia_load_cases -- examples/tibia_study.toml
//! cargo run --release --example tibia_load_cases -- --mesh-size 2 --out target/tibia_fine
//! cargo run --release --example tibia_load_cases -- --bonded          # after ingrowth: no contact
//! ```
//!
//! Options: a study file (TOML, see `examples/tibia_study.toml`; every field optional),
//! `--mesh-size MM` (element size near the implant, default 3 mm), `--out DIR`,
//! `--threads N`, `--bonded` (the post-ingrowth construct: docking faces bonded, no
//! contact), `--frictional` (the default: frictional docking faces, μ = 0.74 for porous Ta
//! on cortical bone, biomechanics.md §4, unverified) and `--mu MU` (frictional with that μ).
//!
//! ## What it prints
//!
//! On the 2-core machine the default (frictional) study takes about 2 minutes (108–112 s
//! and 7.4 GB with the VTU files, later on 2026-12-07): ten load cases in one contact analysis (one
//! factorisation of the bone and implant interiors, then Newton iterations on the contact
//! unknowns alone, an interface update each), then the headline case at the two bounding
//! lattice moduli, the construct-stiffness unit cases and the interface sensitivity;
//! `--bonded` takes about 75 s. The table lists, per load case, the knee load,
//! implant migration ("n/a" when bonded: zero by construction), micromotion p95, the
//! porous-Ta peak stress, the diaphyseal peak bone strain (what the checks judge; the
//! check lines give the 99th percentiles beside them), the bone near the implant below the
//! remodelling lazy zone and the failed checks.

use std::path::PathBuf;

use osteon::assembly::ConsoleLog;
use osteon::biomech::report::{check_lines, headline_table, run_summary};
use osteon::biomech::{
    InterfaceModel, MU_TA_CORTICAL, OutputOptions, Study, run_study, write_study_outputs,
};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // 1. the study: the default (seed) case, or a study file, then command-line overrides
    let mut study = Study {
        name: "63 mm defect, 72 % porous Ta, flange + screws".into(),
        ..Study::default()
    };
    let mut out = None;
    let mut frictional: Option<f64> = None;
    let mut bonded = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mesh-size" => {
                study.mesh.size_mm = args
                    .next()
                    .ok_or("--mesh-size needs a value in mm")?
                    .parse()?
            }
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a folder")?)),
            "--threads" => {
                study.threads = Some(args.next().ok_or("--threads needs a number")?.parse()?)
            }
            "--frictional" => frictional = Some(frictional.unwrap_or(MU_TA_CORTICAL)),
            "--bonded" => bonded = true,
            "--mu" => {
                frictional = Some(
                    args.next()
                        .ok_or("--mu needs a friction coefficient")?
                        .parse()?,
                )
            }
            "-h" | "--help" => {
                println!(
                    "usage: tibia_load_cases [STUDY.toml] [--mesh-size MM] [--out DIR] [--threads N] [--bonded | --frictional] [--mu MU]"
                );
                return Ok(());
            }
            file => {
                let mesh = study.mesh.clone();
                let threads = study.threads;
                study = Study::from_path(std::path::Path::new(file))?;
                if mesh != osteon::biomech::MeshSpec::default() {
                    study.mesh = mesh;
                }
                study.threads = study.threads.or(threads);
            }
        }
    }
    // osteon builds no thread pool: the program sizes rayon's global pool once
    if let Some(n) = study.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    match (bonded, frictional) {
        (true, Some(_)) => return Err("--bonded and --frictional/--mu exclude each other".into()),
        (true, None) => {
            study.interface = InterfaceModel::Bonded;
            study.name = format!("{}, bonded (after ingrowth)", study.name);
        }
        (false, Some(mu)) => study.interface = InterfaceModel::frictional(mu),
        (false, None) => {}
    }
    study.output = out
        .or(study.output)
        .or_else(|| Some(PathBuf::from("target/tibia_study")));

    // 2. build, solve (implanted + intact), post-process
    let mut run = run_study(&study, &mut ConsoleLog::default())?;
    // 3. write the report, plots and VTU files
    if let Some(dir) = &study.output {
        write_study_outputs(&mut run, dir, &OutputOptions::from_study(&study))?;
    }
    let r = &run.report;

    // 4. the metric table and the checks
    println!("\n{}\n", headline_table(r));
    print!("{}", check_lines(r));
    println!("\n{}", run_summary(r));
    if let Some(dir) = &study.output {
        println!(
            "report: {}/report.md, {}/report.json",
            dir.display(),
            dir.display()
        );
        for p in &r.plots {
            println!("plot: {}", dir.join(&p.file).display());
        }
    }
    Ok(())
}
