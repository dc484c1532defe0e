//! Integration tests of the Cholesky solver: accuracy with every ordering, reuse of the
//! analysis, several right-hand sides, misuse, singular systems, fill and memory.

mod common;

use common::{
    FULL_SUPPORT, Support, elastic_grid, laplacian_2d, random_spd, relative_residual, rhs,
    spring_chain,
};
use osteon_solver::{
    CgOptions, CholeskyOptions, CholeskySolver, ConjugateGradient, FactorKind, LinearSolver,
    Ordering, SolverError, SymmetricCsr, UnknownGroups,
};

const ORDERINGS: [Ordering; 3] = [Ordering::NestedDissection, Ordering::Amd, Ordering::Natural];

fn solver(ordering: Ordering, threads: usize) -> CholeskySolver {
    CholeskySolver::new(CholeskyOptions { ordering, threads })
}

/// Analyse, factorise and solve; returns x after checking the residual.
fn solve_checked(
    s: &mut CholeskySolver,
    a: &SymmetricCsr,
    groups: Option<&UnknownGroups>,
    b: &[f64],
) -> Vec<f64> {
    s.analyse(a, groups).unwrap();
    s.factorise(a).unwrap();
    let mut x = vec![0.0; a.n()];
    let report = s.solve(a, b, &mut x).unwrap();
    assert!(report.relative_residual < 1e-12, "{report:?}");
    assert_eq!(report.iterations, 0);
    // The reported residual is the true one.
    let independent = relative_residual(a, &x, b);
    assert!((independent - report.relative_residual).abs() < 1e-13);
    x
}

#[test]
fn random_spd_solves_with_every_ordering_and_kind() {
    let a = random_spd(400, 600, 5, 0.1, 7);
    let b = rhs(a.n(), 1);
    let mut reference: Option<Vec<f64>> = None;
    for ordering in ORDERINGS {
        for kind in [
            FactorKind::Auto,
            FactorKind::Supernodal,
            FactorKind::Simplicial,
        ] {
            for threads in [1, 2] {
                let mut s = solver(ordering, threads).with_factor_kind(kind);
                let x = solve_checked(&mut s, &a, None, &b);
                match &reference {
                    None => reference = Some(x),
                    Some(r) => {
                        for (p, q) in x.iter().zip(r) {
                            approx::assert_relative_eq!(p, q, epsilon = 1e-8, max_relative = 1e-8);
                        }
                    }
                }
                let stats = s.factor_stats();
                assert_eq!(stats.n, 400);
                assert_eq!(stats.ordering, ordering);
                match kind {
                    FactorKind::Supernodal => assert!(stats.supernodal),
                    FactorKind::Simplicial => assert!(!stats.supernodal),
                    FactorKind::Auto => {}
                }
                assert!(stats.nnz_l >= a.nnz_stored());
                assert!(stats.flops > 0.0);
                assert_eq!(stats.factorisations, 1);
            }
        }
    }
}

#[test]
fn elastic_grid_with_groups_solves_with_every_ordering() {
    let a = elastic_grid(7, 6, 5, FULL_SUPPORT, 3);
    let groups = UnknownGroups::uniform(a.n(), 3);
    let b = rhs(a.n(), 2);
    for ordering in ORDERINGS {
        for groups in [None, Some(&groups)] {
            let mut s = solver(ordering, 2);
            solve_checked(&mut s, &a, groups, &b);
            assert!(s.factor_stats().supernodal);
            if let (Some(_), Some(perm)) = (groups, s.permutation()) {
                // Grouped orderings keep the three unknowns of a point together.
                for triple in perm.chunks(3) {
                    assert_eq!(triple[0] % 3, 0);
                    assert_eq!(triple[1], triple[0] + 1);
                    assert_eq!(triple[2], triple[0] + 2);
                }
            }
        }
    }
}

#[test]
fn threads_zero_one_and_many_agree() {
    let a = elastic_grid(6, 6, 6, FULL_SUPPORT, 11);
    let b = rhs(a.n(), 4);
    let xs: Vec<Vec<f64>> = [0, 1, 3]
        .into_iter()
        .map(|t| solve_checked(&mut solver(Ordering::NestedDissection, t), &a, None, &b))
        .collect();
    for x in &xs[1..] {
        for (p, q) in x.iter().zip(&xs[0]) {
            approx::assert_relative_eq!(p, q, epsilon = 1e-9, max_relative = 1e-9);
        }
    }
}

#[test]
fn refactorise_with_new_values_reuses_the_analysis() {
    let mut a = elastic_grid(6, 5, 4, FULL_SUPPORT, 5);
    let groups = UnknownGroups::uniform(a.n(), 3);
    let b = rhs(a.n(), 9);
    let mut s = solver(Ordering::NestedDissection, 2);
    let x1 = solve_checked(&mut s, &a, Some(&groups), &b);
    let perm_before = s.permutation().unwrap().to_vec();
    let symbolic_before = s.factor_stats().symbolic_seconds;

    // New values, same pattern: a stiffer material everywhere plus a local change.
    for v in a.values_mut() {
        *v *= 3.0;
    }
    let slot = a.slot(10, 10).unwrap();
    a.values_mut()[slot] += 5.0;
    s.factorise(&a).unwrap();
    let mut x2 = vec![0.0; a.n()];
    let report = s.solve(&a, &b, &mut x2).unwrap();
    assert!(report.relative_residual < 1e-12);
    assert_eq!(s.factor_stats().factorisations, 2);
    assert_eq!(s.factor_stats().symbolic_seconds, symbolic_before);
    assert_eq!(s.permutation().unwrap(), &perm_before[..]);
    // Roughly a third of the first solution, but not exactly (the local change).
    let ratio = x1[0] / x2[0];
    assert!((ratio - 3.0).abs() < 0.5);
    assert!(x1.iter().zip(&x2).any(|(p, q)| (p / q - 3.0).abs() > 1e-6));
}

#[test]
fn two_right_hand_sides_one_by_one_and_together() {
    let a = random_spd(300, 500, 4, 0.5, 21);
    let (b1, b2) = (rhs(a.n(), 1), rhs(a.n(), 2));
    let mut s = solver(Ordering::Amd, 1);
    let x1 = solve_checked(&mut s, &a, None, &b1);
    let mut x2 = vec![0.0; a.n()];
    assert!(s.solve(&a, &b2, &mut x2).unwrap().relative_residual < 1e-12);
    assert!(relative_residual(&a, &x2, &b2) < 1e-12);

    let b: Vec<f64> = b1.iter().chain(&b2).copied().collect();
    let mut x = vec![0.0; 2 * a.n()];
    let reports = s.solve_many(&a, &b, &mut x, 2).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.relative_residual < 1e-12));
    for (p, q) in x.iter().zip(x1.iter().chain(&x2)) {
        approx::assert_relative_eq!(p, q, epsilon = 1e-12, max_relative = 1e-12);
    }
    // A zero right-hand side gives x = 0 and residual 0.
    let mut x0 = vec![1.0; a.n()];
    let r = s.solve(&a, &vec![0.0; a.n()], &mut x0).unwrap();
    assert_eq!(r.relative_residual, 0.0);
    assert!(x0.iter().all(|&v| v == 0.0));
}

#[test]
fn misuse_gives_errors_not_panics() {
    let a = random_spd(50, 80, 3, 1.0, 1);
    let b = rhs(a.n(), 1);
    let mut x = vec![0.0; a.n()];
    let mut s = solver(Ordering::NestedDissection, 1);
    assert_eq!(s.factorise(&a), Err(SolverError::NotAnalysed));
    assert_eq!(s.solve(&a, &b, &mut x), Err(SolverError::NotAnalysed));
    s.analyse(&a, None).unwrap();
    assert_eq!(s.solve(&a, &b, &mut x), Err(SolverError::NotFactorised));
    s.factorise(&a).unwrap();
    assert!(matches!(
        s.solve(&a, &b[1..], &mut x),
        Err(SolverError::DimensionMismatch {
            what: "right-hand side",
            ..
        })
    ));
    assert!(matches!(
        s.solve(&a, &b, &mut x[1..]),
        Err(SolverError::DimensionMismatch {
            what: "solution",
            ..
        })
    ));
    assert!(matches!(
        s.solve_many(&a, &b, &mut x, 2),
        Err(SolverError::DimensionMismatch { .. })
    ));
    // A matrix with another pattern.
    let other = random_spd(50, 80, 3, 1.0, 2);
    assert!(matches!(
        s.factorise(&other),
        Err(SolverError::PatternChanged { .. })
    ));
    let smaller = random_spd(40, 80, 3, 1.0, 2);
    assert!(matches!(
        s.factorise(&smaller),
        Err(SolverError::DimensionMismatch { .. })
    ));
    // A failed factorisation invalidates the old factor.
    assert_eq!(s.solve(&a, &b, &mut x), Err(SolverError::NotFactorised));
    // Non-finite values.
    let mut bad = a.clone();
    let slot = bad.slot(3, 3).unwrap();
    bad.values_mut()[slot] = f64::INFINITY;
    assert!(matches!(
        s.factorise(&bad),
        Err(SolverError::NonFiniteValue { row: 3, col: 3, .. })
    ));
    // Invalid groups.
    let groups = UnknownGroups::uniform(a.n() + 3, 3);
    assert!(matches!(
        s.analyse(&a, Some(&groups)),
        Err(SolverError::InvalidGroups { .. })
    ));
    assert_eq!(s.factorise(&a), Err(SolverError::NotAnalysed));
    // And the solver recovers with a fresh analysis.
    s.analyse(&a, None).unwrap();
    s.factorise(&a).unwrap();
    assert!(s.solve(&a, &b, &mut x).unwrap().relative_residual < 1e-12);
    assert_eq!(s.name(), "cholesky");
}

#[test]
fn empty_and_one_by_one_systems() {
    let empty = SymmetricCsr::from_pattern(0, vec![0], vec![]).unwrap();
    let one = SymmetricCsr::from_parts(1, vec![0, 1], vec![0], vec![4.0]).unwrap();
    for ordering in ORDERINGS {
        let mut s = solver(ordering, 2);
        s.analyse(&empty, None).unwrap();
        s.factorise(&empty).unwrap();
        let mut x: Vec<f64> = vec![];
        assert_eq!(s.solve(&empty, &[], &mut x).unwrap().relative_residual, 0.0);
        assert_eq!(s.solve_many(&empty, &[], &mut x, 2).unwrap().len(), 2);

        s.analyse(&one, Some(&UnknownGroups::uniform(1, 3)))
            .unwrap();
        s.factorise(&one).unwrap();
        let mut x = vec![0.0];
        s.solve(&one, &[2.0], &mut x).unwrap();
        assert_eq!(x, vec![0.5]);
    }
}

/// A floating chain of springs with exactly representable stiffness: the last pivot of the
/// natural order is exactly zero, so faer itself stops; the error names the last unknown.
#[test]
fn floating_chain_exact_zero_pivot_names_the_last_unknown() {
    let a = spring_chain(&[1.0; 39], None);
    for kind in [FactorKind::Simplicial, FactorKind::Supernodal] {
        let mut s = solver(Ordering::Natural, 1).with_factor_kind(kind);
        s.analyse(&a, None).unwrap();
        match s.factorise(&a) {
            Err(SolverError::NotPositiveDefinite { unknown, .. }) => assert_eq!(unknown, 39),
            other => panic!("{kind:?}: expected NotPositiveDefinite, got {other:?}"),
        }
        assert!(!s.is_factorised());
    }
}

/// A floating chain with random stiffness: round-off leaves a tiny pivot of either sign.
/// Every ordering and kernel must report it; any unknown of the chain is in the free mode.
#[test]
fn floating_chain_random_stiffness_is_singular_for_every_ordering() {
    let mut rng = common::Rng::new(17);
    let k: Vec<f64> = (0..199).map(|_| 1.0 + 9.0 * rng.uniform()).collect();
    let a = spring_chain(&k, None);
    let grounded = spring_chain(&k, Some(1.0));
    for ordering in ORDERINGS {
        for kind in [
            FactorKind::Auto,
            FactorKind::Simplicial,
            FactorKind::Supernodal,
        ] {
            let mut s = solver(ordering, 1).with_factor_kind(kind);
            s.analyse(&a, None).unwrap();
            match s.factorise(&a) {
                Err(SolverError::NotPositiveDefinite { unknown, pivot }) => {
                    assert!(unknown < a.n());
                    assert!(pivot.is_nan() || pivot.abs() < 1e-8, "pivot {pivot}");
                    if ordering == Ordering::Natural {
                        assert_eq!(unknown, a.n() - 1);
                    }
                }
                other => {
                    panic!("{ordering:?}/{kind:?}: expected NotPositiveDefinite, got {other:?}")
                }
            }
            // Grounding one end makes it regular (same pattern: reuse the analysis).
            s.factorise(&grounded).unwrap();
            let b = rhs(a.n(), 3);
            let mut x = vec![0.0; a.n()];
            assert!(s.solve(&grounded, &b, &mut x).unwrap().relative_residual < 1e-10);
        }
    }
}

/// A 3-D elastic-like block held only in y and z at its base: the x translation is free.
/// The unknown reported must be an x unknown (index ≡ 0 mod 3), for every ordering.
#[test]
fn elastic_grid_free_in_x_reports_an_x_unknown() {
    let support = Support {
        x: false,
        y: true,
        z: true,
    };
    let a = elastic_grid(6, 5, 4, support, 8);
    let groups = UnknownGroups::uniform(a.n(), 3);
    for ordering in ORDERINGS {
        for groups in [None, Some(&groups)] {
            let mut s = solver(ordering, 2);
            s.analyse(&a, groups).unwrap();
            match s.factorise(&a) {
                Err(SolverError::NotPositiveDefinite { unknown, pivot }) => {
                    assert_eq!(
                        unknown % 3,
                        0,
                        "{ordering:?}: unknown {unknown} is not an x DOF"
                    );
                    assert!(pivot.is_nan() || pivot < 1e-10 * 10.0);
                }
                other => panic!("{ordering:?}: expected NotPositiveDefinite, got {other:?}"),
            }
        }
    }
}

/// One unknown of a supported grid without any stiffness (a zero row in the pattern): the
/// error names exactly that unknown, before any factorisation work.
#[test]
fn unknown_without_stiffness_is_named_exactly() {
    let a = elastic_grid(5, 4, 4, FULL_SUPPORT, 2);
    let target = 3 * 37 + 1;
    let mut t = Vec::new();
    for i in 0..a.n() {
        for p in a.row_ptr()[i]..a.row_ptr()[i + 1] {
            let j = a.col_idx()[p];
            let v = if i == target || j == target {
                0.0
            } else {
                a.values()[p]
            };
            t.push((i, j, v));
        }
    }
    let b = SymmetricCsr::from_triplets(a.n(), &t).unwrap();
    for ordering in ORDERINGS {
        let mut s = solver(ordering, 1);
        s.analyse(&b, None).unwrap();
        assert_eq!(
            s.factorise(&b),
            Err(SolverError::NotPositiveDefinite {
                unknown: target,
                pivot: 0.0
            })
        );
    }
}

/// Two extra unknowns joined to each other by a spring and to nothing else: a floating pair.
/// The error names one of the two (whichever is eliminated second).
#[test]
fn floating_pair_names_one_of_its_unknowns() {
    let base = elastic_grid(5, 5, 3, FULL_SUPPORT, 4);
    let n = base.n();
    let mut t = Vec::new();
    for i in 0..n {
        for p in base.row_ptr()[i]..base.row_ptr()[i + 1] {
            t.push((i, base.col_idx()[p], base.values()[p]));
        }
    }
    // Put the pair in the middle of the numbering: shift unknowns >= 30 by two.
    let shift = |i: usize| if i >= 30 { i + 2 } else { i };
    let mut t: Vec<_> = t
        .into_iter()
        .map(|(i, j, v)| (shift(i), shift(j), v))
        .collect();
    t.extend([(30, 30, 3.0), (31, 31, 3.0), (30, 31, -3.0)]);
    let a = SymmetricCsr::from_triplets(n + 2, &t).unwrap();
    for ordering in ORDERINGS {
        let mut s = solver(ordering, 1);
        s.analyse(&a, None).unwrap();
        match s.factorise(&a) {
            Err(SolverError::NotPositiveDefinite { unknown, .. }) => {
                assert!(unknown == 30 || unknown == 31, "{ordering:?}: {unknown}");
            }
            other => panic!("{ordering:?}: expected NotPositiveDefinite, got {other:?}"),
        }
    }
}

/// A regular but ill-conditioned system (very soft supports) is not mistaken for a singular
/// one; a tolerance above its pivots does flag it.
#[test]
fn soft_supports_are_regular_under_the_default_tolerance() {
    let mut rng = common::Rng::new(5);
    let k: Vec<f64> = (0..99).map(|_| 1.0 + rng.uniform()).collect();
    let a = spring_chain(&k, Some(1e-6));
    let mut s = solver(Ordering::NestedDissection, 1);
    s.analyse(&a, None).unwrap();
    s.factorise(&a).unwrap();
    let b = rhs(a.n(), 1);
    let mut x = vec![0.0; a.n()];
    // x is dominated by a rigid translation of ~1e8, so merely evaluating A x loses ~1e-8
    // relative to b: the residual floor of this system is about 1e-8 (measured 4.5e-8).
    let residual = s.solve(&a, &b, &mut x).unwrap().relative_residual;
    assert!(residual < 1e-6, "{residual:e}");

    let mut strict = solver(Ordering::Natural, 1).with_pivot_tolerance(1e-3);
    assert_eq!(strict.pivot_tolerance(), 1e-3);
    strict.analyse(&a, None).unwrap();
    assert!(matches!(
        strict.factorise(&a),
        Err(SolverError::NotPositiveDefinite { .. })
    ));
}

/// Nested dissection and AMD reduce the fill of a 2-D grid Laplacian against the natural
/// (banded) order.
#[test]
fn orderings_reduce_fill_on_a_2d_grid() {
    let a = laplacian_2d(60, 60);
    let nnz_l = |ordering| {
        let mut s = solver(ordering, 1);
        s.analyse(&a, None).unwrap();
        s.factor_stats().nnz_l
    };
    let natural = nnz_l(Ordering::Natural);
    let nd = nnz_l(Ordering::NestedDissection);
    let amd = nnz_l(Ordering::Amd);
    assert!(nd < natural, "ND {nd} vs natural {natural}");
    assert!(amd < natural, "AMD {amd} vs natural {natural}");
    // Natural order of an n×n grid: bandwidth n, nnz(L) ≈ n³ = 216 000.
    assert!(natural > 200_000);
    assert!(nd < natural * 2 / 3);
}

/// The numeric factorisation needs the factor plus a small scratch. faer's kernel holds a
/// permuted copy of `A` (8-byte value and 8-byte row index per stored entry); the subtree
/// kernel reads `A` in place through a permuted view, whose transposed entries take at most
/// 8 bytes each (two `u32`) plus two arrays of `n + 1` offsets. Beyond that, the scratch is
/// at most 10 % of L for a 3-D grid with nested dissection, and L is allocated once.
#[test]
fn factorisation_memory_is_close_to_the_factor() {
    let a = elastic_grid(18, 18, 18, FULL_SUPPORT, 6);
    let groups = UnknownGroups::uniform(a.n(), 3);
    for subtrees in [true, false] {
        let mut s = solver(Ordering::NestedDissection, 2).with_parallel_subtrees(subtrees);
        s.analyse(&a, Some(&groups)).unwrap();
        s.factorise(&a).unwrap();
        let st = s.factor_stats().clone();
        assert_eq!(st.l_bytes, st.l_storage_len * 8);
        assert!(st.l_storage_len >= st.nnz_l);
        let permuted = if subtrees {
            8 * a.nnz_stored() + 16 * (a.n() + 1)
        } else {
            16 * a.nnz_stored()
        };
        assert!(
            st.peak_scratch_bytes as f64 <= permuted as f64 + 0.1 * st.l_bytes as f64,
            "subtrees {subtrees}: L {} bytes, scratch {} bytes, permuted A {permuted} bytes",
            st.l_bytes,
            st.peak_scratch_bytes
        );
        s.factorise(&a).unwrap();
        assert_eq!(s.factor_stats().l_bytes, st.l_bytes);
        assert_eq!(s.factor_stats().factorisations, 2);
    }
}

/// Both solvers are `Send` and work behind `Box<dyn LinearSolver>`, moved to another thread.
#[test]
fn solvers_work_as_trait_objects_on_other_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<CholeskySolver>();
    assert_send::<ConjugateGradient>();
    let a = elastic_grid(5, 5, 5, FULL_SUPPORT, 12);
    let b = rhs(a.n(), 6);
    let solvers: Vec<Box<dyn LinearSolver>> = vec![
        Box::new(CholeskySolver::new(CholeskyOptions::default())),
        Box::new(ConjugateGradient::new(CgOptions::default())),
    ];
    std::thread::scope(|scope| {
        for mut solver in solvers {
            let (a, b) = (&a, &b);
            scope.spawn(move || {
                solver
                    .analyse(a, Some(&UnknownGroups::uniform(a.n(), 3)))
                    .unwrap();
                solver.factorise(a).unwrap();
                let mut x = vec![0.0; a.n()];
                let report = solver.solve(a, b, &mut x).unwrap();
                assert!(
                    report.relative_residual <= 1e-10,
                    "{}: {report:?}",
                    solver.name()
                );
                assert!(relative_residual(a, &x, b) <= 1e-10);
            });
        }
    });
}
