//! Integration tests of the Jacobi-preconditioned conjugate gradient solver.

mod common;

use common::{
    FULL_SUPPORT, Support, elastic_grid, random_spd, relative_residual, rhs, spring_chain,
};
use osteon_solver::{
    CgOptions, CholeskyOptions, CholeskySolver, ConjugateGradient, LinearSolver, Ordering,
    SolverError, SymmetricCsr,
};

fn cholesky_solution(a: &SymmetricCsr, b: &[f64]) -> Vec<f64> {
    let mut s = CholeskySolver::new(CholeskyOptions {
        ordering: Ordering::NestedDissection,
        threads: 1,
    });
    s.analyse(a, None).unwrap();
    s.factorise(a).unwrap();
    let mut x = vec![0.0; a.n()];
    s.solve(a, b, &mut x).unwrap();
    x
}

#[test]
fn cg_matches_cholesky_on_spd_matrices() {
    for (a, threads) in [
        (random_spd(500, 800, 4, 0.5, 3), 1),
        (elastic_grid(8, 7, 6, FULL_SUPPORT, 1), 2),
        (elastic_grid(8, 7, 6, FULL_SUPPORT, 1), 0),
    ] {
        let b = rhs(a.n(), 5);
        let reference = cholesky_solution(&a, &b);
        let mut cg = ConjugateGradient::new(CgOptions {
            rel_tol: 1e-12,
            max_iter: 20_000,
            threads,
        });
        cg.analyse(&a, None).unwrap();
        cg.factorise(&a).unwrap();
        let mut x = vec![f64::NAN; a.n()];
        let report = cg.solve(&a, &b, &mut x).unwrap();
        assert!(report.relative_residual <= 1e-12, "{report:?}");
        assert!(report.iterations > 1);
        assert!(relative_residual(&a, &x, &b) <= 1e-12);
        let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (p, q) in x.iter().zip(&reference) {
            assert!((p - q).abs() <= 1e-8 * scale, "{p} vs {q}");
        }
        assert_eq!(cg.name(), "jacobi-pcg");
    }
}

#[test]
fn cg_is_reproducible_across_thread_counts() {
    let a = elastic_grid(10, 10, 10, FULL_SUPPORT, 9);
    let b = rhs(a.n(), 1);
    let run = |threads| {
        let mut cg = ConjugateGradient::new(CgOptions {
            rel_tol: 1e-8,
            max_iter: 5_000,
            threads,
        });
        cg.analyse(&a, None).unwrap();
        cg.factorise(&a).unwrap();
        let mut x = vec![0.0; a.n()];
        let r = cg.solve(&a, &b, &mut x).unwrap();
        (x, r.iterations)
    };
    // Same thread count: bitwise identical (fixed-chunk reductions, fixed SpMV split).
    let (x2, it2) = run(2);
    let (x2_again, it2_again) = run(2);
    assert_eq!(it2, it2_again);
    assert!(
        x2.iter()
            .zip(&x2_again)
            .all(|(p, q)| p.to_bits() == q.to_bits())
    );
    // Other thread counts: the same solution up to round-off of the SpMV split.
    for threads in [1, 3] {
        let (x, it) = run(threads);
        assert!(it.abs_diff(it2) <= 2);
        for (p, q) in x.iter().zip(&x2) {
            assert!((p - q).abs() <= 1e-6 * p.abs().max(1e-3), "{p} vs {q}");
        }
    }
}

#[test]
fn cg_reports_non_convergence_and_misuse() {
    let a = elastic_grid(6, 6, 6, FULL_SUPPORT, 2);
    let b = rhs(a.n(), 2);
    let mut x = vec![0.0; a.n()];
    let mut cg = ConjugateGradient::new(CgOptions {
        rel_tol: 1e-12,
        max_iter: 3,
        threads: 1,
    });
    assert_eq!(cg.factorise(&a), Err(SolverError::NotAnalysed));
    assert_eq!(cg.solve(&a, &b, &mut x), Err(SolverError::NotAnalysed));
    cg.analyse(&a, None).unwrap();
    assert_eq!(cg.solve(&a, &b, &mut x), Err(SolverError::NotFactorised));
    cg.factorise(&a).unwrap();
    match cg.solve(&a, &b, &mut x) {
        Err(SolverError::NotConverged {
            iterations,
            relative_residual,
        }) => {
            assert_eq!(iterations, 3);
            assert!(relative_residual > 1e-12 && relative_residual.is_finite());
        }
        other => panic!("expected NotConverged, got {other:?}"),
    }
    assert!(matches!(
        cg.solve(&a, &b[1..], &mut x),
        Err(SolverError::DimensionMismatch { .. })
    ));
    // Zero right-hand side.
    let report = cg.solve(&a, &vec![0.0; a.n()], &mut x).unwrap();
    assert_eq!(report.relative_residual, 0.0);
    assert!(x.iter().all(|&v| v == 0.0));
    // A pattern change.
    let other = elastic_grid(6, 6, 5, FULL_SUPPORT, 2);
    assert!(cg.factorise(&other).is_err());
    assert_eq!(cg.options().max_iter, 3);
}

#[test]
fn cg_rejects_a_non_positive_diagonal_entry() {
    let mut a = random_spd(30, 40, 3, 1.0, 8);
    let slot = a.slot(12, 12).unwrap();
    a.values_mut()[slot] = 0.0;
    let mut cg = ConjugateGradient::new(CgOptions::default());
    cg.analyse(&a, None).unwrap();
    assert_eq!(
        cg.factorise(&a),
        Err(SolverError::NotPositiveDefinite {
            unknown: 12,
            pivot: 0.0
        })
    );
    a.values_mut()[slot] = -1.0;
    assert!(matches!(
        cg.factorise(&a),
        Err(SolverError::NotPositiveDefinite { unknown: 12, .. })
    ));
}

#[test]
fn cg_detects_an_indefinite_matrix() {
    // Positive diagonal, indefinite: [[1, 2], [2, 1]] has eigenvalues 3 and -1.
    let a = SymmetricCsr::from_triplets(2, &[(0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0)]).unwrap();
    let mut cg = ConjugateGradient::new(CgOptions::default());
    cg.analyse(&a, None).unwrap();
    cg.factorise(&a).unwrap();
    let mut x = vec![0.0; 2];
    assert!(matches!(
        cg.solve(&a, &[1.0, -1.0], &mut x),
        Err(SolverError::NotPositiveDefinite { .. })
    ));
}

/// Solve with CG (default tolerance, `threads`, iteration limit `max_iter`).
fn cg_solve(a: &SymmetricCsr, b: &[f64], threads: usize) -> Result<Vec<f64>, SolverError> {
    let mut cg = ConjugateGradient::new(CgOptions {
        threads,
        ..CgOptions::default()
    });
    cg.analyse(a, None)?;
    cg.factorise(a)?;
    let mut x = vec![0.0; a.n()];
    cg.solve(a, b, &mut x)?;
    Ok(x)
}

fn chain_stiffness(n_springs: usize) -> Vec<f64> {
    // 1, 1.5, 2, 0.5, 1, ...: uneven, so the Jacobi scaling is not trivial
    (0..n_springs).map(|i| 0.5 + 0.5 * (i % 4) as f64).collect()
}

#[test]
fn cg_refuses_a_floating_spring_chain_under_an_unbalanced_load() {
    // no ground spring: the rigid translation (1, 1, ..., 1) is a null vector, and a load at
    // one end has a component along it (Σ b ≠ 0): no solution exists
    for n_springs in [10, 199, 1000] {
        let a = spring_chain(&chain_stiffness(n_springs), None);
        let mut b = vec![0.0; a.n()];
        b[n_springs] = 1.0;
        for threads in [1, 2] {
            match cg_solve(&a, &b, threads) {
                Err(SolverError::NotPositiveDefinite { unknown, pivot }) => {
                    assert!(unknown < a.n());
                    assert!(pivot <= 1e-12, "{n_springs} springs: pivot {pivot}");
                }
                other => panic!(
                    "{n_springs} springs, {threads} threads: expected NotPositiveDefinite, got {other:?}"
                ),
            }
        }
    }
}

#[test]
fn cg_solves_a_weakly_grounded_spring_chain() {
    // ground spring g = 1e-3 at unknown 0 (κ(D⁻¹A) ~ 1e6, far from singular for the
    // detection): a unit load at the far end passes through every spring and the ground
    // spring, so u_0 = 1/g and u_n − u_0 = Σ 1/k_i
    let k = chain_stiffness(199);
    let g = 1e-3;
    let a = spring_chain(&k, Some(g));
    let n = a.n();
    let mut b = vec![0.0; n];
    b[n - 1] = 1.0;
    let x = cg_solve(&a, &b, 1).expect("SPD, however weakly held");
    let extension: f64 = k.iter().map(|k| 1.0 / k).sum();
    assert!((x[0] - 1.0 / g).abs() < 1e-6 / g, "u_0 = {}", x[0]);
    assert!(
        ((x[n - 1] - x[0]) - extension).abs() < 1e-6 * extension,
        "extension {} vs {extension}",
        x[n - 1] - x[0]
    );
}

#[test]
fn cg_solves_a_floating_spring_chain_under_a_balanced_load_without_rigid_motion() {
    // equal and opposite end forces: consistent, every spring carries 1, so
    // u_{i+1} − u_i = 1/k_i; CG from 0 adds no null-space component: Σ d_i u_i = 0 (d = diag)
    let k = chain_stiffness(199);
    let a = spring_chain(&k, None);
    let n = a.n();
    let mut b = vec![0.0; n];
    b[0] = -1.0;
    b[n - 1] = 1.0;
    let x = cg_solve(&a, &b, 1).expect("consistent");
    let extension: f64 = k.iter().map(|k| 1.0 / k).sum();
    for (i, ki) in k.iter().enumerate() {
        assert!(
            ((x[i + 1] - x[i]) - 1.0 / ki).abs() < 1e-8 * extension,
            "spring {i}"
        );
    }
    let d = a.diagonal();
    let weighted: f64 = d.iter().zip(&x).map(|(d, u)| d * u).sum();
    let scale: f64 = d.iter().zip(&x).map(|(d, u)| (d * u).abs()).sum();
    assert!(weighted.abs() < 1e-8 * scale, "{weighted} of {scale}");
}

#[test]
fn cg_refuses_a_3d_grid_free_in_one_direction() {
    // ground springs in x and z only: the grid slides in y; a load with a net y component
    let support = Support {
        x: true,
        y: false,
        z: true,
    };
    let a = elastic_grid(6, 5, 4, support, 3);
    let b = rhs(a.n(), 9);
    match cg_solve(&a, &b, 2) {
        Err(SolverError::NotPositiveDefinite { unknown, pivot }) => {
            assert!(pivot <= 1e-12, "pivot {pivot}");
            // the unknown moving most along the null vector (a y translation) is a y DOF
            assert_eq!(unknown % 3, 1, "unknown {unknown}");
        }
        other => panic!("expected NotPositiveDefinite, got {other:?}"),
    }
    // the supported grid still converges
    let a = elastic_grid(6, 5, 4, FULL_SUPPORT, 3);
    let x = cg_solve(&a, &b, 2).expect("SPD");
    assert!(relative_residual(&a, &x, &b) <= 1e-10);
}
