//! `osteon solve`: read → solve every step → write VTU (+ PVD) and the JSON summary.
//! A deck with `*CONTACT PAIR`s is solved by the frictional contact analysis instead
//! ([`contact`]). Reading, solving and summarising are the library's ([`osteon::run`], which
//! the Python package calls too); this adds the progress, the printed results and the files.

mod contact;
#[cfg(feature = "petsc")]
mod petsc;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use osteon_assembly::{SolveOptions, SolverChoice};
use osteon_io::summary::{RunSummary, write_summary};
use osteon_io::vtu::{VtuEncoding, write_results};
use osteon_solver::Ordering;

use super::input;
use crate::progress::Spinners;

/// Linear solver choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SolverArg {
    /// Sparse Cholesky with METIS nested-dissection ordering (default; on quadratic meshes
    /// of the corner nodes, the mid-edge nodes placed after).
    Cholesky,
    /// Sparse Cholesky with METIS nested dissection of every node: a factor 4–9 % smaller
    /// on quadratic meshes, twice the analysis time (for models near the memory limit).
    CholeskyAllNodes,
    /// Sparse Cholesky with AMD ordering.
    CholeskyAmd,
    /// Jacobi-preconditioned conjugate gradients (least memory).
    Cg,
}

/// Where the linear system is solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// osteon's own solvers in this process (`--solver`).
    Serial,
    /// PETSc over MPI: `mpirun -n N osteon solve --backend petsc DECK` (CG + GAMG by
    /// default; osteon built with `--features petsc`).
    Petsc,
}

/// Solve a model and write its results.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// Deck (.inp), Gmsh mesh (.msh with --model) or model TOML.
    pub input: PathBuf,
    /// Output folder (created if missing).
    #[arg(short, long, default_value = ".")]
    pub output: PathBuf,
    /// TOML model description for a .msh input.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Linear solver.
    #[arg(long, value_enum, default_value_t = SolverArg::Cholesky)]
    pub solver: SolverArg,
    /// Relative residual for --solver cg and --backend petsc.
    #[arg(long, default_value_t = 1e-10)]
    pub cg_tolerance: f64,
    /// Where the system is solved: in this process, or distributed with PETSc over the MPI
    /// processes `mpirun` started.
    #[arg(long, value_enum, default_value_t = BackendArg::Serial)]
    pub backend: BackendArg,
    /// PETSc options for --backend petsc, in PETSc's syntax ("-ksp_type cg -pc_type hypre",
    /// "-ksp_type preonly -pc_type lu -pc_factor_mat_solver_type mumps").
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub petsc_options: String,
    /// Write VTU arrays as ASCII instead of base64 binary.
    #[arg(long)]
    pub ascii: bool,
}

/// What `--backend petsc` says in an osteon built without the feature.
#[cfg(not(feature = "petsc"))]
pub const WITHOUT_PETSC: &str = "this osteon was built without the PETSc backend: build it with `cargo build --release -p osteon-cli --features petsc` (needs PETSc and MPI: apt-get install petsc-dev)";

/// Refuses a relative residual outside (0, 1): PETSc would read a negative value as "its
/// default" and CG would stop at once at 1 or more.
pub fn check_tolerance(t: f64) -> Result<()> {
    if !(t.is_finite() && t > 0.0 && t < 1.0) {
        anyhow::bail!(
            "--cg-tolerance {t}: a relative residual must lie between 0 and 1 (e.g. 1e-10)"
        );
    }
    Ok(())
}

/// Run `osteon solve`.
pub fn run(args: &SolveArgs, quiet: bool) -> Result<()> {
    check_tolerance(args.cg_tolerance)?;
    if args.backend == BackendArg::Petsc {
        #[cfg(feature = "petsc")]
        return petsc::run(args, quiet);
        #[cfg(not(feature = "petsc"))]
        anyhow::bail!(WITHOUT_PETSC);
    }
    if !args.petsc_options.is_empty() {
        anyhow::bail!("--petsc-options applies to --backend petsc only");
    }
    // before any work: the readers may use rayon too
    let threads = crate::threads::start_pool(args.threads)?;
    let (input, mut progress) = read_input(args, quiet)?;
    let model = &input.model;
    osteon::run::require_steps(&args.input, model)?;
    // a deck with contact pairs goes to the contact analysis
    let is_contact = !model.contact_pairs.is_empty();
    if is_contact {
        contact::announce(args, quiet, model);
    }
    let solver = match args.solver {
        SolverArg::Cholesky => SolverChoice::Cholesky(Ordering::NestedDissection),
        SolverArg::CholeskyAllNodes => SolverChoice::Cholesky(Ordering::NestedDissectionAllNodes),
        SolverArg::CholeskyAmd => SolverChoice::Cholesky(Ordering::Amd),
        SolverArg::Cg => SolverChoice::ConjugateGradient {
            rel_tol: args.cg_tolerance,
            max_iter: 100_000,
        },
    };
    let options = SolveOptions {
        threads,
        solver,
        recover: true,
    };
    let solved = osteon::run::solve_input(&input, &options, &mut progress)?;
    if let Some(run) = &solved.contact
        && !quiet
    {
        eprintln!(
            "  {:<28} {:>9.3} s ({} increments, {} Newton solves)",
            "contact solve", run.seconds, run.increments, run.newton_solves
        );
    }
    progress.start("write");
    let t = Instant::now();
    let (stem, encoding) = output_target(args)?;
    let written = write_results(&args.output, &stem, model, &solved.steps, encoding)?;
    let json = args.output.join(format!("{stem}.json"));
    let mut summary = solved.summary;
    summary.set_io_seconds(input.read_seconds, t.elapsed().as_secs_f64());
    if !is_contact {
        summary.peak_memory_bytes = osteon_solver::memory::peak_resident_bytes();
    }
    write_summary(&json, &summary)?;
    progress.finish("write", t.elapsed().as_secs_f64());
    if is_contact {
        contact::print_results(&summary, &written, &json, quiet);
    } else {
        print_results(&summary, &written, &json, quiet);
    }
    Ok(())
}

/// Read the input with its progress line and print the reader's warnings (unless `quiet`);
/// returns the input and the progress display for the phases that follow.
fn read_input(args: &SolveArgs, quiet: bool) -> Result<(osteon::run::Input, Spinners)> {
    let mut progress = Spinners::new(quiet);
    progress.start("read");
    let input = input::read(&args.input, args.model.as_ref())?;
    progress.finish("read", input.read_seconds);
    if !quiet {
        for w in &input.warnings {
            eprintln!("{w}");
        }
    }
    Ok((input, progress))
}

/// Create the output folder; the file stem (from the input's name) and the VTU encoding.
fn output_target(args: &SolveArgs) -> Result<(String, VtuEncoding)> {
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating output folder {}", args.output.display()))?;
    let encoding = if args.ascii {
        VtuEncoding::Ascii
    } else {
        VtuEncoding::Binary
    };
    Ok((input::stem(&args.input), encoding))
}

fn print_results(summary: &RunSummary, written: &[PathBuf], json: &std::path::Path, quiet: bool) {
    for case in &summary.cases {
        let node = case
            .max_displacement_node_id
            .map_or_else(|| "-".to_string(), |id| id.to_string());
        println!(
            "step {}: max |u| = {:.6e} mm at node {node}, relative residual {:.2e}",
            case.name, case.max_displacement_mm, case.solver.relative_residual
        );
        if let Some(vm) = case.max_von_mises_mpa {
            println!("  max von Mises (nodal)   {vm:.6e} MPa");
        }
        for (set, f) in &case.reaction_sums_n {
            println!(
                "  reaction on {set:<16} ({:+.6e}, {:+.6e}, {:+.6e}) N",
                f[0], f[1], f[2]
            );
        }
        let a = case.applied_load_total_n;
        println!(
            "  applied load total      ({:+.6e}, {:+.6e}, {:+.6e}) N",
            a[0], a[1], a[2]
        );
        println!(
            "  equilibrium error       {:.3e} N",
            case.equilibrium_error_n
        );
    }
    print_footer(summary, written, json, quiet);
}

/// Phase timings, peak memory (unless `quiet`) and the files written; shared by the linear
/// and the contact runs (for contact, `solve` includes the contact evaluation and the
/// assembly of the elastic stiffness is part of `setup`).
fn print_footer(summary: &RunSummary, written: &[PathBuf], json: &std::path::Path, quiet: bool) {
    if !quiet {
        let t = &summary.phase_seconds;
        println!(
            "phase timings (s): read {:.3}  setup {:.3}  assemble {:.3}  analyse {:.3}  factorise {:.3}  solve {:.3}  recover {:.3}  write {:.3}  total {:.3}",
            t.read,
            t.solver.setup,
            t.solver.assemble,
            t.solver.analyse,
            t.solver.factorise,
            t.solver.solve,
            t.solver.recover,
            t.write,
            t.total
        );
        if let Some(peak) = summary.peak_memory_bytes {
            println!("peak memory: {:.3} GiB", peak as f64 / (1u64 << 30) as f64);
        }
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    println!("wrote {}", json.display());
}
