//! `*EQUATION` sets that only resolve together (CalculiX's `opt2.inp` structure): equations
//! whose first DOF another one already eliminated, that name each other through zero
//! coefficients, and auxiliary nodes that carry a prescribed value into an equation. The
//! fixture `equation_chains_opt2.inp` has a closed-form answer (uniaxial tension of a
//! quarter bar); it is also compared with CalculiX when `ccx` is on PATH.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use osteon_assembly::{SolveOptions, SolverChoice, StaticSolution, solve_linear_static};
use osteon_io::inp::{Deck, read_inp};

const FIXTURE: &str = "equation_chains_opt2.inp";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inp")
        .join(FIXTURE)
}

fn read() -> Deck {
    read_inp(&fixture()).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"))
}

fn solve(deck: &Deck, solver: SolverChoice) -> StaticSolution {
    solve_linear_static(
        &deck.model,
        &SolveOptions {
            threads: 1,
            solver,
            ..SolveOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{FIXTURE}: {e}"))
}

/// Exact displacement (mm) of the fixture: ε = 0.01, ν = 0.3, u = (−ν ε x, −ν ε y, ε z).
fn exact(x: [f64; 3]) -> [f64; 3] {
    let (eps, nu) = (0.01, 0.3);
    [-nu * eps * x[0], -nu * eps * x[1], eps * x[2]]
}

#[test]
fn opt2_like_equations_resolve_and_give_the_closed_form() {
    let deck = read();
    let model = &deck.model;
    // first block: 2 single-term + 3 (A) + 4 (B) + 4 symmetry + 1 (C); then 3 (A) + 1 (C) + 4 (D)
    assert_eq!(model.equations.len(), 22);
    for solver in [
        SolverChoice::default(),
        SolverChoice::ConjugateGradient {
            rel_tol: 1e-13,
            max_iter: 1000,
        },
    ] {
        let solution = solve(&deck, solver.clone());
        let u = &solution.cases[0].displacement;
        // every equation holds to round-off
        for (k, eq) in model.equations.iter().enumerate() {
            let sum: f64 = eq.terms.iter().map(|&(n, c, a)| a * u[n][c]).sum();
            let size: f64 = eq.terms.iter().map(|&(n, c, a)| (a * u[n][c]).abs()).sum();
            assert!(
                sum.abs() <= 1e-13 * size.max(1e-3),
                "{solver:?}: equation {} leaves {sum:e}",
                k + 1
            );
        }
        // the closed form at the bar's nodes (1..=12), the prescribed values at the
        // auxiliary ones (their other components have no stiffness: reported 0)
        for id in 1..=12 {
            let n = model.mesh.node_index(id).expect("node");
            let want = exact(model.mesh.coords[n]);
            for c in 0..3 {
                assert!(
                    (u[n][c] - want[c]).abs() < 1e-12,
                    "{solver:?}: node {id} component {c}: {} vs exact {}",
                    u[n][c],
                    want[c]
                );
            }
        }
        for (id, value) in [(101, 0.0), (102, 0.02), (103, 0.004242640687119)] {
            let n = model.mesh.node_index(id).expect("aux node");
            assert_eq!(u[n], [value, 0.0, 0.0], "aux node {id}");
        }
    }
}

/// Node id → displacement from the `.dat` file of a `ccx` run of the fixture, or None when
/// `ccx` is not installed.
fn calculix_displacements(dir: &Path) -> Option<HashMap<i64, [f64; 3]>> {
    std::fs::copy(fixture(), dir.join("opt2like.inp")).expect("copy the deck");
    let out = Command::new("ccx")
        .arg("-i")
        .arg("opt2like")
        .current_dir(dir)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .ok()?;
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !log.contains("*ERROR"),
        "ccx failed:\n{log}"
    );
    let dat = std::fs::read_to_string(dir.join("opt2like.dat")).expect("ccx wrote no .dat");
    let mut u = HashMap::new();
    for line in dat.lines() {
        let v: Vec<f64> = line
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if v.len() == 4 && !line.contains("time") {
            u.insert(v[0] as i64, [v[1], v[2], v[3]]);
        }
    }
    Some(u)
}

#[test]
fn opt2_like_equations_agree_with_calculix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(reference) = calculix_displacements(dir.path()) else {
        eprintln!(
            "NOTICE: ccx (CalculiX) not found on PATH; comparison skipped (apt-get install calculix-ccx)"
        );
        return;
    };
    assert_eq!(reference.len(), 12, "ccx printed {reference:?}");
    let deck = read();
    let solution = solve(&deck, SolverChoice::default());
    let u = &solution.cases[0].displacement;
    // ccx prints 7 significant digits of displacements up to 0.02 mm
    for (id, want) in &reference {
        let n = deck
            .model
            .mesh
            .node_index(*id)
            .expect("ccx node is in the deck");
        for c in 0..3 {
            assert!(
                (u[n][c] - want[c]).abs() <= 1e-7 * 0.02,
                "node {id} component {c}: osteon {} vs ccx {}",
                u[n][c],
                want[c]
            );
        }
    }
}
