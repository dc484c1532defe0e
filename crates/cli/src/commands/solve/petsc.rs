//! `osteon solve --backend petsc`: the linear static analysis distributed over MPI processes
//! with PETSc (osteon-petsc), started as `mpirun -n N osteon solve --backend petsc DECK`.
//!
//! Every process reads the input (each needs the whole mesh to find its own elements and
//! the rows they touch; reading is a small part of a run that needs a distributed solve);
//! each assembles its own elements; rank 0 gathers the displacements, recovers stresses and
//! writes the same VTU and JSON files as the serial path, atomically, with the per-process
//! figures added to the JSON. Only rank 0 shows progress and prints results.

use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use osteon_assembly::{Observer, Silent};
use osteon_io::summary::{Counts, DistributedSummary, PhaseSeconds, RunSummary, write_summary};
use osteon_io::vtu::write_results;
use osteon_petsc::{
    DistributedOptions, KrylovOptions, PetscError, Session, solve_linear_static_distributed,
};

use super::{SolveArgs, output_target, print_results, read_input};
use crate::exit;

/// Run the distributed solve; exits the process with the status of the run's failure
/// (3 when numerical on any process, else 2) after PETSc and MPI are finalised. Rank 0
/// prints the error, the others exit silently with the same status.
pub fn run(args: &SolveArgs, quiet: bool) -> Result<()> {
    let session = Session::start(&args.petsc_options).context("starting MPI and PETSc")?;
    let root = session.rank() == 0;
    let result = solve(&session, args, quiet || !root);
    let Err(err) = result else {
        drop(session);
        return Ok(());
    };
    let petsc = err.chain().find_map(|e| e.downcast_ref::<PetscError>());
    let numerical = petsc.is_some_and(PetscError::is_numerical);
    // rank 0 speaks for all: a failure elsewhere reaches it as PetscError::OtherRank with
    // that process's message; the other processes failed the same way or are silent
    if root {
        eprintln!("error: {}", exit::message(&err));
    }
    let code = if numerical {
        exit::NUMERICAL_FAILURE
    } else {
        exit::code_for(&err)
    };
    drop(session); // PETSc, then MPI, finalised before exiting
    std::process::exit(code);
}

/// Read, solve, and on rank 0 summarise and write.
fn solve(session: &Session, args: &SolveArgs, quiet: bool) -> Result<()> {
    // one worker thread per process unless asked: the processes share the cores
    crate::threads::start_pool(Some(args.threads.unwrap_or(1)))?;
    let (input, mut progress) = read_input(args, quiet)?;
    if !quiet {
        eprintln!(
            "  PETSc backend on {} process(es){}",
            session.size(),
            if args.petsc_options.is_empty() {
                String::new()
            } else {
                format!(", options \"{}\"", args.petsc_options)
            }
        );
    }
    let model = &input.model;
    osteon::run::require_steps(&args.input, model)?;
    if !model.contact_pairs.is_empty() {
        return Err(anyhow!(
            "{}: the model has contact pairs; --backend petsc solves linear models — solve it without --backend petsc",
            args.input.display()
        ));
    }
    let options = DistributedOptions {
        krylov: KrylovOptions {
            rel_tol: args.cg_tolerance,
            ..KrylovOptions::default()
        },
        ..DistributedOptions::default()
    };
    let mut silent = Silent;
    let observer: &mut dyn Observer = if quiet { &mut silent } else { &mut progress };
    let solution = solve_linear_static_distributed(session, model, &options, observer)
        .with_context(|| format!("solving {} with PETSc", args.input.display()))?;
    if session.rank() != 0 {
        return Ok(());
    }
    progress.start("write");
    let t = Instant::now();
    let (stem, encoding) = output_target(args)?;
    let written = write_results(&args.output, &stem, model, &solution.cases, encoding)?;
    let json = args.output.join(format!("{stem}.json"));
    let counts = Counts {
        dofs_free: solution.stats.n_free,
        ..Counts::of_model(model)
    };
    let mut summary = RunSummary::from_steps(
        &args.input,
        model,
        &solution.cases,
        counts,
        PhaseSeconds::from_timings(&solution.timings),
    )
    .context("summarising the results")?;
    summary.warnings = input.warnings.clone();
    summary.distributed = Some(DistributedSummary {
        backend: "petsc".into(),
        ranks: session.size(),
        ksp_type: solution.ksp_type.clone(),
        pc_type: solution.pc_type.clone(),
        options: args.petsc_options.clone(),
        per_rank: solution.ranks.clone(),
    });
    summary.set_io_seconds(input.read_seconds, t.elapsed().as_secs_f64());
    summary.peak_memory_bytes = osteon_solver::memory::peak_resident_bytes();
    write_summary(&json, &summary)?;
    progress.finish("write", t.elapsed().as_secs_f64());
    if !quiet {
        for case in &summary.cases {
            eprintln!(
                "  {:<28} {} iterations of {} + {}",
                case.name, case.solver.iterations, solution.ksp_type, solution.pc_type
            );
        }
        for r in &solution.ranks {
            eprintln!(
                "  process {}: {} rows, {} elements, {} stored entries, peak {}",
                r.rank,
                r.owned_rows,
                r.owned_elements,
                r.stored_entries,
                r.peak_memory_bytes.map_or_else(
                    || "-".to_string(),
                    |b| format!("{:.3} GiB", b as f64 / (1u64 << 30) as f64)
                )
            );
        }
    }
    print_results(&summary, &written, &json, quiet);
    Ok(())
}
