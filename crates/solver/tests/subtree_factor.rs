//! The subtree-parallel supernodal kernel (`CholeskySolver::with_parallel_subtrees`, on by
//! default) against faer's own supernodal kernel: the same factor to round-off for every
//! thread count, a forest of disconnected parts, and the same unknown named for a singular
//! system.

mod common;

use common::{FULL_SUPPORT, Support, elastic_grid, relative_residual, rhs};
use osteon_solver::{
    CholeskyOptions, CholeskySolver, FactorKind, LinearSolver, Ordering, SolverError, SymmetricCsr,
    UnknownGroups,
};

fn solver(threads: usize, subtrees: bool) -> CholeskySolver {
    CholeskySolver::new(CholeskyOptions {
        ordering: Ordering::NestedDissection,
        threads,
    })
    .with_factor_kind(FactorKind::Supernodal)
    .with_parallel_subtrees(subtrees)
}

/// Analyses, factorises and solves `A x = b`; returns x and the solver.
fn solve(
    a: &SymmetricCsr,
    b: &[f64],
    threads: usize,
    subtrees: bool,
) -> (Vec<f64>, CholeskySolver) {
    let groups = UnknownGroups::uniform(a.n(), 3);
    let mut s = solver(threads, subtrees);
    s.analyse(a, Some(&groups)).unwrap();
    s.factorise(a).unwrap();
    let mut x = vec![0.0; a.n()];
    let report = s.solve(a, b, &mut x).unwrap();
    assert!(
        report.relative_residual < 1e-12,
        "{}",
        report.relative_residual
    );
    (x, s)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// The two kernels compute the same factor: solutions agree to round-off on a 3-D elastic grid
/// for 1–4 threads, and with two or more threads most of the work runs in parallel subtrees.
#[test]
fn subtree_kernel_matches_faer_kernel_for_every_thread_count() {
    let a = elastic_grid(11, 10, 12, FULL_SUPPORT, 8);
    let b = rhs(a.n(), 3);
    let (reference, faer) = solve(&a, &b, 2, false);
    assert_eq!(faer.factor_stats().subtrees, 0);
    let scale = max_abs(&reference);
    for threads in 1..=4 {
        let (x, s) = solve(&a, &b, threads, true);
        let diff = x
            .iter()
            .zip(&reference)
            .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
        assert!(
            diff <= 1e-12 * scale,
            "{threads} threads: max |Δx| {diff:e}, max |x| {scale:e}"
        );
        let st = s.factor_stats();
        assert_eq!(st.nnz_l, faer.factor_stats().nnz_l);
        if threads == 1 {
            assert_eq!(st.subtrees, 0);
        } else {
            assert!(
                st.subtrees >= threads,
                "{threads} threads: {} subtrees",
                st.subtrees
            );
            assert!(
                st.subtree_flop_share > 0.5,
                "{threads} threads: {:.2} of the flops in subtrees",
                st.subtree_flop_share
            );
        }
    }
}

/// The direct sum of matrices: a block-diagonal matrix whose parts share no unknowns.
fn block_diagonal(parts: &[&SymmetricCsr]) -> SymmetricCsr {
    let mut triplets = Vec::new();
    let mut offset = 0;
    for a in parts {
        for i in 0..a.n() {
            for k in a.row_ptr()[i]..a.row_ptr()[i + 1] {
                triplets.push((offset + i, offset + a.col_idx()[k], a.values()[k]));
            }
        }
        offset += a.n();
    }
    SymmetricCsr::from_triplets(offset, &triplets).unwrap()
}

/// Disconnected parts make an elimination forest (several roots); each part is solved as if
/// alone, and a refactorisation with new values reuses the schedule.
#[test]
fn disconnected_parts_form_a_forest() {
    let parts = [
        elastic_grid(6, 5, 7, FULL_SUPPORT, 1),
        elastic_grid(4, 4, 4, FULL_SUPPORT, 2),
        elastic_grid(7, 3, 5, FULL_SUPPORT, 3),
    ];
    let mut a = block_diagonal(&[&parts[0], &parts[1], &parts[2]]);
    let b = rhs(a.n(), 9);
    let (x, mut s) = solve(&a, &b, 2, true);
    let mut offset = 0;
    for part in &parts {
        let n = part.n();
        let (alone, _) = solve(part, &b[offset..offset + n], 1, false);
        let diff = x[offset..offset + n]
            .iter()
            .zip(&alone)
            .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
        assert!(
            diff <= 1e-12 * max_abs(&alone),
            "part at {offset}: {diff:e}"
        );
        offset += n;
    }
    // Scale the whole matrix by 2: the solution halves.
    for v in a.values_mut() {
        *v *= 2.0;
    }
    s.factorise(&a).unwrap();
    let mut y = vec![0.0; a.n()];
    s.solve(&a, &b, &mut y).unwrap();
    assert!(relative_residual(&a, &y, &b) < 1e-12);
    for (p, q) in y.iter().zip(&x) {
        assert!((2.0 * p - q).abs() <= 1e-12 * max_abs(&x));
    }
}

/// A grid supported only in y and z has rigid-body modes in x: both kernels refuse it and name
/// the same unknown (an x direction), whichever part of the tree meets the zero pivot.
#[test]
fn singular_system_names_the_same_unknown_as_faer() {
    let support = Support {
        x: false,
        y: true,
        z: true,
    };
    let a = elastic_grid(8, 8, 8, support, 4);
    let groups = UnknownGroups::uniform(a.n(), 3);
    let unknown = |subtrees: bool, threads: usize| {
        let mut s = solver(threads, subtrees);
        s.analyse(&a, Some(&groups)).unwrap();
        match s.factorise(&a) {
            Err(SolverError::NotPositiveDefinite { unknown, .. }) => unknown,
            other => panic!("expected a singular system, got {other:?}"),
        }
    };
    let reference = unknown(false, 2);
    assert_eq!(
        reference % 3,
        0,
        "unknown {reference} is not an x direction"
    );
    for threads in [1, 2, 3] {
        assert_eq!(unknown(true, threads), reference, "{threads} threads");
    }
}
