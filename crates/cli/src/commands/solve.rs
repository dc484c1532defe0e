//! `osteon solve`: read → solve every step → write VTU (+ PVD) and the JSON summary.
//! A deck with `*CONTACT PAIR`s is solved by the frictional contact analysis instead
//! ([`contact`]).

mod contact;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use osteon_assembly::{SolveOptions, SolverChoice, solve_linear_static_observed};
use osteon_io::InputFormat;
use osteon_io::summary::{RunSummary, write_summary};
use osteon_io::vtu::{VtuEncoding, write_results};
use osteon_solver::Ordering;

use super::input;
use crate::progress::Spinners;

/// Linear solver choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SolverArg {
    /// Sparse Cholesky with METIS nested-dissection ordering (default).
    Cholesky,
    /// Sparse Cholesky with AMD ordering.
    CholeskyAmd,
    /// Jacobi-preconditioned conjugate gradients (least memory).
    Cg,
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
    /// Relative residual for --solver cg.
    #[arg(long, default_value_t = 1e-10)]
    pub cg_tolerance: f64,
    /// Write VTU arrays as ASCII instead of base64 binary.
    #[arg(long)]
    pub ascii: bool,
}

/// Run `osteon solve`.
pub fn run(args: &SolveArgs, quiet: bool) -> Result<()> {
    // before any work: the readers may use rayon too
    let threads = crate::threads::start_pool(args.threads)?;
    let mut progress = Spinners::new(quiet);
    progress.start("read");
    let t = Instant::now();
    let is_deck = matches!(InputFormat::from_path(&args.input), Ok(InputFormat::Inp));
    let input = if is_deck {
        // read the deck once: a deck with contact pairs goes to the contact analysis
        let deck = osteon_io::inp::read_inp(&args.input)?;
        let warnings = input::deck_warnings(&deck);
        if deck.has_contact() {
            let read_seconds = t.elapsed().as_secs_f64();
            progress.finish("read", read_seconds);
            if !quiet {
                for w in &warnings {
                    eprintln!("{w}");
                }
            }
            if deck.model.load_cases.is_empty() {
                bail!(
                    "{}: the model has no step (*STEP ... *END STEP): nothing to solve",
                    args.input.display()
                );
            }
            return contact::run(
                args,
                quiet,
                threads,
                &deck,
                warnings,
                read_seconds,
                &mut progress,
            );
        }
        input::Input {
            model: deck.model,
            warnings,
        }
    } else {
        input::read(&args.input, args.model.as_ref())?
    };
    let read_seconds = t.elapsed().as_secs_f64();
    progress.finish("read", read_seconds);
    for w in &input.warnings {
        if !quiet {
            eprintln!("{w}");
        }
    }
    let model = &input.model;
    if model.load_cases.is_empty() {
        bail!(
            "{}: the model has no step (*STEP ... *END STEP): nothing to solve",
            args.input.display()
        );
    }
    let solver = match args.solver {
        SolverArg::Cholesky => SolverChoice::Cholesky(Ordering::NestedDissection),
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
    let solution = solve_linear_static_observed(model, &options, &mut progress)?;
    progress.start("write");
    let t = Instant::now();
    let (stem, encoding) = output_target(args)?;
    let written = write_results(&args.output, &stem, model, &solution.cases, encoding)?;
    let json = args.output.join(format!("{stem}.json"));
    let mut summary =
        RunSummary::new(&args.input, model, &solution).context("summarising the results")?;
    summary.warnings = input.warnings.clone();
    summary.set_io_seconds(read_seconds, t.elapsed().as_secs_f64());
    summary.peak_memory_bytes = osteon_solver::memory::peak_resident_bytes();
    write_summary(&json, &summary)?;
    progress.finish("write", t.elapsed().as_secs_f64());
    print_results(&summary, &written, &json, quiet);
    Ok(())
}

/// The reader's warnings and the untied slave nodes of each tie, one line each (as
/// [`input::read`] reports them for a deck).
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
