//! `osteon study`: run a reconstruction study (DESIGN.md §4) and print its metric table
//! with pass/fail against the clinical targets.
//!
//! ```text
//! osteon study examples/tibia_study.toml -o out/
//! ```
//!
//! Writes `report.md`, `report.json`, the SVG plots, one VTU per load case for the implanted
//! and the intact model and their PVD collections into the output folder.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use osteon_assembly::SolverChoice;
use osteon_biomech::metrics::Status;
use osteon_biomech::report::{check_lines, headline_table, run_summary};
use osteon_biomech::{OutputOptions, Study, run_study_using, write_study_outputs};

use super::solve::BackendArg;
use crate::progress::Spinners;

/// Run a tibial reconstruction study.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Study file (TOML; see examples/tibia_study.toml; every key optional).
    pub study: PathBuf,
    /// Output folder (created if missing); default: the study file's `output`, else `.`.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Worker threads (default: the study file's `threads`, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Element size near the implant (mm), overriding the study file's mesh.size_mm.
    #[arg(long)]
    pub mesh_size: Option<f64>,
    /// Skip the VTU files (report and plots only).
    #[arg(long)]
    pub no_vtu: bool,
    /// The linear solver of every solve: osteon's sparse Cholesky (`serial`), or PETSc's
    /// CG with GAMG on this process (`petsc`; osteon built with `--features petsc`) for
    /// models too big to factorise. The study runs on one process: start it without mpirun.
    #[arg(long, value_enum, default_value_t = BackendArg::Serial)]
    pub backend: BackendArg,
    /// Relative residual of PETSc's Krylov solves (--backend petsc; default 1e-10).
    #[arg(long)]
    pub cg_tolerance: Option<f64>,
    /// PETSc options for --backend petsc, in PETSc's syntax ("-pc_type hypre").
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub petsc_options: String,
}

/// Run `osteon study`.
pub fn run(args: &StudyArgs, quiet: bool) -> Result<()> {
    if args.backend == BackendArg::Serial
        && (!args.petsc_options.is_empty() || args.cg_tolerance.is_some())
    {
        anyhow::bail!("--petsc-options and --cg-tolerance apply to --backend petsc only");
    }
    if let Some(t) = args.cg_tolerance {
        super::solve::check_tolerance(t)?;
    }
    let mut study = Study::from_path(&args.study)?;
    if !quiet {
        for w in &study.warnings {
            eprintln!("{w}");
        }
    }
    if let Some(dir) = &args.output {
        study.output = Some(dir.clone());
    } else if study.output.is_none() {
        study.output = Some(PathBuf::from("."));
    }
    study.threads = Some(crate::threads::start_pool(args.threads.or(study.threads))?);
    if let Some(h) = args.mesh_size {
        study.mesh.size_mm = h;
    }
    if args.no_vtu {
        study.write_vtu = false;
    }
    let out = study.output.clone().unwrap_or_default();
    let solver = match args.backend {
        BackendArg::Serial => SolverChoice::default(),
        BackendArg::Petsc => petsc_solver(args)?,
    };
    if !quiet && args.backend == BackendArg::Petsc {
        eprintln!("  linear solver: {}", solver.describe());
    }
    let mut progress = Spinners::new(quiet);
    // the solver (and a PETSc session it owns) ends with the study, before the writing
    let mut run = run_study_using(&study, solver, &mut progress, None)
        .with_context(|| format!("study {}", args.study.display()))?;
    let writing = format!("writing {}", out.display());
    progress.start(&writing);
    let t = std::time::Instant::now();
    write_study_outputs(&mut run, &out, &OutputOptions::from_study(&study))
        .with_context(|| format!("writing the study into {}", out.display()))?;
    progress.finish(&writing, t.elapsed().as_secs_f64());
    let r = &run.report;

    println!("{}", headline_table(r));
    print!("{}", check_lines(r));
    let failed = r
        .cases
        .iter()
        .flat_map(|c| &c.checks)
        .filter(|c| c.status == Status::Fail)
        .count();
    if !quiet {
        println!("{}", run_summary(r));
    }
    println!(
        "{} check(s) failed against the clinical targets",
        if failed == 0 {
            "no".to_string()
        } else {
            failed.to_string()
        }
    );
    for f in ["report.md", "report.json"]
        .into_iter()
        .map(String::from)
        .chain(r.plots.iter().map(|p| p.file.clone()))
        .chain(r.files.iter().cloned())
    {
        println!("wrote {}", out.join(f).display());
    }
    Ok(())
}

/// PETSc's CG + GAMG for every solve of the study, on this process.
#[cfg(feature = "petsc")]
fn petsc_solver(args: &StudyArgs) -> Result<SolverChoice> {
    use osteon_petsc::{KrylovOptions, PetscSolverFactory, Session};
    use osteon_solver::ExternalSolver;
    let session = Session::start(&args.petsc_options).context("starting MPI and PETSc")?;
    if session.size() > 1 {
        anyhow::bail!(
            "osteon study runs on one process ({} were started by mpirun): start it without mpirun — --backend petsc then runs PETSc's solver inside the study on this process; a model that needs several processes goes through `osteon solve --backend petsc` (its deck, e.g. from `osteon ct`)",
            session.size()
        );
    }
    let defaults = KrylovOptions::default();
    let options = KrylovOptions {
        rel_tol: args.cg_tolerance.unwrap_or(defaults.rel_tol),
        ..defaults
    };
    let factory =
        PetscSolverFactory::new(session, options).context("setting up PETSc's Krylov solver")?;
    Ok(SolverChoice::External(ExternalSolver::new(factory)))
}

/// Without the PETSc backend: say how to build it.
#[cfg(not(feature = "petsc"))]
fn petsc_solver(_args: &StudyArgs) -> Result<SolverChoice> {
    anyhow::bail!(super::solve::WITHOUT_PETSC)
}
