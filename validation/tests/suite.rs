//! The analytic validation suite: runs every case with every element type, prints the
//! table and the convergence rates, ends with the line `N passed, M failed` and the wall
//! time, and exits with status 1 if any check failed.
//!
//! ```text
//! cargo test -p osteon-validation --release --test suite
//! ```

use std::process::ExitCode;
use std::time::Instant;

use osteon_mesh::ElementType;
use osteon_validation::{CheckResult, Direct, cases, convergence, error_row, report};

fn main() -> ExitCode {
    let start = Instant::now();
    let mut rows: Vec<CheckResult> = Vec::new();
    for case in cases() {
        for etype in ElementType::ALL {
            let t = Instant::now();
            match (case.run)(etype, &Direct) {
                Ok(checks) => rows.extend(checks),
                Err(e) => rows.push(error_row(case.name, etype, &e)),
            }
            eprintln!(
                "  {:<22} {:<7} {:>7.2} s",
                case.name,
                etype.abaqus_name(),
                t.elapsed().as_secs_f64()
            );
        }
    }
    let mut studies = Vec::new();
    for etype in ElementType::ALL {
        let t = Instant::now();
        match convergence::lame_l2_study(etype, &Direct) {
            Ok(study) => {
                rows.extend(study.checks());
                studies.push(study);
            }
            Err(e) => rows.push(error_row("8 convergence", etype, &e)),
        }
        eprintln!(
            "  {:<22} {:<7} {:>7.2} s",
            "8 convergence",
            etype.abaqus_name(),
            t.elapsed().as_secs_f64()
        );
    }
    println!();
    print!("{}", report::format_table(&rows));
    println!();
    print!("{}", report::format_convergence(&studies));
    println!();
    println!("{}", report::summary_line(&rows));
    println!("suite wall time: {:.2} s", start.elapsed().as_secs_f64());
    if rows.iter().all(CheckResult::passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
