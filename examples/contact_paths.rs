//! # Contact on the interface against full factorisations, on the default study
//!
//! The frictional Newton iterations of osteon's study run condensed onto the contact
//! unknowns: the bone and implant interiors are factorised once with those unknowns last,
//! each iteration updates the dense Schur complement on them and solves there, and the
//! interior is substituted once per load case (`crates/contact/src/condensed.rs`). This
//! program solves the default study's implanted model both ways — condensed interface
//! updates, and a full sparse factorisation of the whole Newton matrix in every iteration
//! — and prints, per load case, the largest displacement difference relative to the largest
//! displacement, the contact states and the time of each path.
//!
//! ```text
//! cargo run --release --example contact_paths                          # seed 50 % + walking with torsion
//! cargo run --release --example contact_paths -- --correction 1e-10    # a tighter stalled-Newton rule
//! cargo run --release --example contact_paths -- --mesh-size 6         # the coarse mesh of the tests
//! ```
//!
//! Options: `--mesh-size MM` (default 3, the study's), `--correction TOL` (the correction
//! tolerance of the Newton's stalled-residual rule, default that of `ContactOptions`),
//! `--threads N`. The full path costs one sparse factorisation per Newton iteration (about
//! 3 s each at 210 k unknowns on 2 cores), so it takes a few minutes.

use std::time::Instant;

use osteon_assembly::{Silent, StepSolution};
use osteon_biomech::{Activity, ActivityCase, InterfaceModel, MeshSpec, Study, build_study};
use osteon_contact::{
    ContactOptions, ContactProblem, ContactSolution, TangentFactorisation, solve_contact,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut mesh_size = 3.0;
    let mut correction = ContactOptions::default().correction_tolerance;
    let mut threads = 2;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .and_then(|v| v.parse::<f64>().map_err(|e| format!("{name} {v}: {e}")))
        };
        match arg.as_str() {
            "--mesh-size" => mesh_size = value("--mesh-size")?,
            "--correction" => correction = value("--correction")?,
            "--threads" => threads = value("--threads")? as usize,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    let mut study = Study {
        mesh: MeshSpec {
            size_mm: mesh_size,
            ..MeshSpec::default()
        },
        threads: Some(threads),
        interface: InterfaceModel::frictional(0.74),
        ..Study::default()
    };
    // the seed's partial weight-bearing (sticking docking faces, a few flange nodes
    // slipping) and walking with its peak torsion (slipping docking faces)
    study.loads.fractions = vec![0.5];
    study.loads.activities = vec![ActivityCase {
        activity: Activity::WalkingTorsion,
        weight_bearing: 1.0,
    }];
    study.metrics.headline_analyses = false;
    let setup = build_study(&study, &mut Silent)?;
    let model = &setup.implanted_model;
    println!(
        "default study at {mesh_size} mm: {} nodes, {} load cases, correction tolerance {correction:e}",
        model.mesh.n_nodes(),
        model.load_cases.len()
    );
    let run = |factorisation| -> Result<(ContactSolution, f64), Box<dyn std::error::Error>> {
        let problem = ContactProblem {
            model,
            steps: model.load_cases.clone(),
            options: ContactOptions {
                factorisation,
                steps_from_unloaded: true,
                recover: false,
                threads,
                correction_tolerance: correction,
                ..ContactOptions::default()
            },
        };
        let t = Instant::now();
        let solution = solve_contact(&problem)?;
        Ok((solution, t.elapsed().as_secs_f64()))
    };
    let (condensed, condensed_s) = run(TangentFactorisation::InterfaceUpdate)?;
    let (full, full_s) = run(TangentFactorisation::Full)?;
    for (name, (solution, seconds)) in [
        ("interface (condensed)", (&condensed, condensed_s)),
        ("full factorisations", (&full, full_s)),
    ] {
        let t = &solution.timings;
        println!(
            "{name}: {seconds:.1} s; {} Newton solves ({} on the {} contact unknowns alone), {} factorisations ({} interface updates); factorise {:.1} s, solve {:.1} s, contact {:.1} s",
            t.solves,
            t.condensed_solves,
            t.interface_unknowns,
            t.factorisations,
            t.interface_updates,
            t.factorise,
            t.solve,
            t.contact
        );
    }
    println!(
        "load case: max |Δu| / max |u| (condensed vs full); contact nodes (contact, stick, slip) each"
    );
    for (case, (a, b)) in model
        .load_cases
        .iter()
        .zip(condensed.steps.iter().zip(&full.steps))
    {
        println!(
            "  {}: {:.2e}; {:?} vs {:?}; Newton solves {} vs {}",
            case.name,
            relative_difference(a, b),
            a.contact.as_ref().map(|c| c.counts()),
            b.contact.as_ref().map(|c| c.counts()),
            a.diagnostics.newton_iterations,
            b.diagnostics.newton_iterations
        );
    }
    Ok(())
}

/// The largest displacement component difference over the largest displacement of `b`.
fn relative_difference(a: &StepSolution, b: &StepSolution) -> f64 {
    a.max_displacement_difference(b).unwrap_or(f64::INFINITY) / b.max_displacement()
}
