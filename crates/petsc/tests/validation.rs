//! The analytic validation suite (`osteon-validation`: bar, self-weight, cantilever, simply
//! supported beam, torsion, Lamé cylinder, bone + tantalum bar, patch tests and the
//! convergence study, every element type) with its models solved by the distributed
//! backend instead of the direct solver.
//!
//! Every solve is checked twice: against the direct solver's displacements (to 1e-8 of the
//! largest) and, through the suite's own checks, against the closed forms with the suite's
//! tolerances. `cargo test` runs it on one process; CI runs the same binary again under
//! `mpirun -n 2`. MPI and PETSc start once per process, so the file has one test.
//!
//! Under MPI every process runs the same cases in the same order (each solve is
//! collective). Rank 0 holds the distributed solution and judges it; the other processes
//! take part in each solve and carry on with the direct solver's solution, so that every
//! process follows the same path through the cases.

use std::cell::{Cell, RefCell};

use osteon_assembly::{Model, Silent, StepSolution};
use osteon_mesh::ElementType;
use osteon_petsc::{DistributedOptions, KrylovOptions, Session, solve_linear_static_distributed};
use osteon_validation::{Backend, CaseError, CheckResult, Direct, cases, convergence, error_row};

/// The distributed backend, with the direct solver alongside as the reference.
struct Distributed<'s> {
    session: &'s Session,
    options: DistributedOptions,
    /// Solves whose displacements differ from the direct solver's (rank 0).
    mismatches: RefCell<Vec<String>>,
    /// Solves done.
    solves: Cell<usize>,
    /// Largest difference seen, relative to the largest displacement.
    worst: Cell<f64>,
}

impl Backend for Distributed<'_> {
    fn solve(&self, model: &Model) -> Result<Vec<StepSolution>, CaseError> {
        let direct = Direct.solve(model)?;
        let distributed =
            solve_linear_static_distributed(self.session, model, &self.options, &mut Silent)
                .map_err(|e| CaseError::Backend(e.to_string()))?;
        self.solves.set(self.solves.get() + 1);
        if self.session.rank() != 0 {
            return Ok(direct);
        }
        if distributed.cases.len() != direct.len() {
            self.mismatches.borrow_mut().push(format!(
                "{} load cases distributed, {} direct",
                distributed.cases.len(),
                direct.len()
            ));
            return Ok(direct);
        }
        for (got, want) in distributed.cases.iter().zip(&direct) {
            let scale = want
                .displacement
                .iter()
                .flatten()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            let diff = got
                .displacement
                .iter()
                .flatten()
                .zip(want.displacement.iter().flatten())
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            let rel = diff / scale.max(f64::MIN_POSITIVE);
            self.worst.set(self.worst.get().max(rel));
            if rel > 1e-8 {
                self.mismatches.borrow_mut().push(format!(
                    "{} nodes, case '{}': max |Δu| = {diff:.3e} of {scale:.3e}",
                    model.mesh.n_nodes(),
                    want.name
                ));
            }
        }
        Ok(distributed.cases)
    }
}

#[test]
fn analytic_suite_through_the_distributed_backend() {
    let session = Session::start("").expect("MPI and PETSc start");
    let backend = Distributed {
        session: &session,
        options: DistributedOptions {
            krylov: KrylovOptions {
                rel_tol: 1e-12,
                ..KrylovOptions::default()
            },
            ..DistributedOptions::default()
        },
        mismatches: RefCell::new(Vec::new()),
        solves: Cell::new(0),
        worst: Cell::new(0.0),
    };
    let mut rows: Vec<CheckResult> = Vec::new();
    for case in cases() {
        for etype in ElementType::ALL {
            match (case.run)(etype, &backend) {
                Ok(checks) => rows.extend(checks),
                Err(e) => rows.push(error_row(case.name, etype, &e)),
            }
        }
    }
    for etype in ElementType::ALL {
        match convergence::lame_l2_study(etype, &backend) {
            Ok(study) => rows.extend(study.checks()),
            Err(e) => rows.push(error_row("8 convergence", etype, &e)),
        }
    }
    if session.rank() != 0 {
        return;
    }
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "{} {} {}: {:.6e} vs {:.6e} (error {:.2e} > {:.0e})",
                r.case,
                r.element.abaqus_name(),
                r.quantity,
                r.computed,
                r.reference,
                r.rel_error,
                r.tolerance
            )
        })
        .collect();
    println!(
        "{} checks against closed forms on {} process(es), {} distributed solves, largest |Δu| vs the direct solver {:.1e} of max |u|",
        rows.len(),
        session.size(),
        backend.solves.get(),
        backend.worst.get()
    );
    assert!(
        failed.is_empty(),
        "closed forms missed:\n{}",
        failed.join("\n")
    );
    let mismatches = backend.mismatches.borrow();
    assert!(rows.len() > 150, "the suite has its checks: {}", rows.len());
    assert!(
        mismatches.is_empty(),
        "distributed and direct solutions differ:\n{}",
        mismatches.join("\n")
    );
}
