//! # Are the study's metrics mesh-converged?
//!
//! Solution verification of the tibial study (biomechanics.md §10: < 5 % change of a
//! quantity of interest on refinement is common practice; the grid convergence index is the
//! better measure). The same study is run on a sequence of meshes — by default element size
//! 4, 3 (the default mesh) and 2 mm near the implant, with the far field and the wall
//! subdivision scaled alike — and every metric of every load case is tabulated with its
//! change between the last two meshes and its three-mesh GCI
//! ([`osteon::biomech::convergence`]).
//!
//! Peaks at stress singularities (the plateau rim under the load, embedded screw tips) are
//! listed as "singular": they grow under refinement by construction and are not judged; the
//! report's 99th percentiles and means are what converges.
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example mesh_convergence                      # frictional (default), 4/3/2 mm
//! cargo run --release --example mesh_convergence -- --bonded          # after ingrowth, no contact
//! cargo run --release --example mesh_convergence -- --sizes 3,2 examples/tibia_study.toml
//! ```
//!
//! Options: `[STUDY.toml]`, `--sizes MM,…` (coarse to fine), `--bonded`, `--frictional`
//! (the default), `--mu MU`,
//! `--threads N`, `--out DIR` (default `target/mesh_convergence`: `convergence.md` and
//! `convergence.json`). Exits with status 1 when a headline quantity moves by 5 % or more.
//! A study file's `mesh.interface_size_mm` keeps its ratio to the element size on every
//! mesh; fixed cell counts (`cells_around`, `cells_through_wall`) do not refine and are
//! flagged.

use std::path::PathBuf;
use std::time::Instant;

use osteon::assembly::Silent;
use osteon::biomech::convergence::{
    ConvergenceTable, HEADLINE_ANALYSES, QoiKind, headline_quantities, quantities,
};
use osteon::biomech::{InterfaceModel, MU_TA_CORTICAL, Study, run_study};
use osteon::io::write_atomically;

fn main() {
    match run() {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    // 1. the study and the mesh sequence
    let mut study = Study::default();
    let mut sizes = vec![4.0, 3.0, 2.0];
    let mut out = PathBuf::from("target/mesh_convergence");
    let mut frictional: Option<f64> = None;
    let mut bonded = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .ok_or("--sizes needs a comma-separated list in mm")?
                    .split(',')
                    .map(|s| s.trim().parse::<f64>())
                    .collect::<Result<_, _>>()?
            }
            "--frictional" => frictional = Some(frictional.unwrap_or(MU_TA_CORTICAL)),
            "--bonded" => bonded = true,
            "--mu" => frictional = Some(args.next().ok_or("--mu needs a value")?.parse()?),
            "--threads" => study.threads = Some(args.next().ok_or("--threads needs N")?.parse()?),
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a folder")?),
            "-h" | "--help" => {
                println!(
                    "usage: mesh_convergence [STUDY.toml] [--sizes MM,...] [--bonded | --frictional] [--mu MU] [--threads N] [--out DIR]"
                );
                return Ok(true);
            }
            file => {
                let threads = study.threads;
                study = Study::from_path(std::path::Path::new(file))?;
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
    if sizes.len() < 2 || sizes.windows(2).any(|w| w[1] >= w[0]) {
        return Err("--sizes needs at least two decreasing sizes (coarse to fine)".into());
    }
    match (bonded, frictional) {
        (true, Some(_)) => return Err("--bonded and --frictional/--mu exclude each other".into()),
        (true, None) => study.interface = InterfaceModel::Bonded,
        (false, Some(mu)) => study.interface = InterfaceModel::frictional(mu),
        (false, None) => {}
    }
    study.output = None;
    study.write_vtu = false;
    if study.name.is_empty() {
        study.name = "the default study (63 mm defect, 72 % porous Ta)".into();
    }
    println!(
        "{}, interface {}: meshes {:?} mm",
        study.name,
        study.interface.label(),
        sizes
    );

    // a graded interface size given in the file keeps its ratio to the element size; fixed
    // cell counts would not refine at all
    let interface_ratio = study.mesh.interface_size() / study.mesh.size_mm;
    if study.mesh.cells_around.is_some() || study.mesh.cells_through_wall.is_some() {
        println!(
            "warning: mesh.cells_around / mesh.cells_through_wall are fixed by the study file and do not refine with the element size"
        );
    }

    // 2. one full study per mesh
    let mut runs = Vec::new();
    let mut case_names = Vec::new();
    for &h in &sizes {
        study.mesh.size_mm = h;
        if study.mesh.interface_size_mm.is_some() {
            study.mesh.interface_size_mm = Some(interface_ratio * h);
        }
        let t = Instant::now();
        let run = run_study(&study, &mut Silent)?;
        let r = &run.report;
        println!(
            "  h = {h} mm: {} nodes, {} free DOF (implanted), {:.1} s",
            r.mesh.nodes[0],
            r.timings.implanted.free_dofs,
            t.elapsed().as_secs_f64()
        );
        case_names = r.cases.iter().map(|c| c.metrics.name.clone()).collect();
        let mut per_case: Vec<_> = r.cases.iter().map(|c| quantities(&c.metrics)).collect();
        // the study-level analyses of the headline case (construct stiffness, the bounding
        // moduli, in-vivo strain, interface sensitivity) as one more row group
        if let Some(h) = &r.headline {
            case_names.push(HEADLINE_ANALYSES.to_string());
            per_case.push(headline_quantities(h));
        }
        runs.push(per_case);
    }

    // 3. the table
    let table = ConvergenceTable::new(&sizes, &case_names, &runs, 0.05);
    let md = table.markdown();
    println!("{md}");
    std::fs::create_dir_all(&out)?;
    let json = serde_json::to_string_pretty(&table)?;
    write_atomically(&out.join("convergence.md"), |w| w.write_all(md.as_bytes()))?;
    write_atomically(&out.join("convergence.json"), |w| {
        w.write_all(json.as_bytes())
    })?;
    let failures = table.failures();
    for f in &failures {
        println!(
            "moves: {} / {}: {:+.2} % between h = {} and {} mm",
            f.case,
            f.name,
            100.0 * f.change,
            sizes[sizes.len() - 2],
            sizes[sizes.len() - 1]
        );
    }
    println!(
        "{} of {} headline quantities within 5 % between the last two meshes; written {}",
        table
            .rows
            .iter()
            .filter(|r| r.kind == QoiKind::Headline && r.passes(0.05))
            .count(),
        table
            .rows
            .iter()
            .filter(|r| r.kind == QoiKind::Headline)
            .count(),
        out.join("convergence.md").display()
    );
    Ok(failures.is_empty())
}
