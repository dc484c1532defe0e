//! The interface-updated Cholesky factorisation against a plain sparse factorisation of the
//! same matrices: changes confined to the interface block are factorised as a dense update of
//! the interface Schur complement, and give the same solution to round-off.

mod common;

use common::{FULL_SUPPORT, elastic_grid, relative_residual, rhs, spring_chain};
use osteon_solver::{
    CholeskyOptions, CholeskySolver, InterfaceCholesky, LinearSolver, Ordering, SolverError,
    SymmetricCsr, UnknownGroups,
};

const OPTIONS: CholeskyOptions = CholeskyOptions {
    ordering: Ordering::NestedDissection,
    threads: 1,
};

fn plain_solution(a: &SymmetricCsr, b: &[f64]) -> Result<Vec<f64>, SolverError> {
    let mut s = CholeskySolver::new(OPTIONS);
    s.analyse(a, None)?;
    s.factorise(a)?;
    let mut x = vec![0.0; a.n()];
    s.solve(a, b, &mut x)?;
    Ok(x)
}

fn max_relative_difference(x: &[f64], y: &[f64]) -> f64 {
    let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    x.iter()
        .zip(y)
        .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()))
        / scale
}

/// The unknowns of the grid points in the plane `z = plane` of an `nx × ny × nz` grid.
fn plane_unknowns(nx: usize, ny: usize, plane: usize) -> Vec<usize> {
    (0..nx * ny)
        .flat_map(|p| (0..3).map(move |c| 3 * (p + nx * ny * plane) + c))
        .collect()
}

/// Adds `k (e_i − e_j)(e_i − e_j)ᵀ` for every pair (i, j) of `pairs` (a spring between two
/// unknowns whose coupling is in the pattern).
fn add_springs(a: &mut SymmetricCsr, pairs: &[(usize, usize, f64)]) {
    for &(i, j, k) in pairs {
        for (p, q, v) in [(i, i, k), (j, j, k), (i.min(j), i.max(j), -k)] {
            let slot = a.slot(p, q).expect("coupling in the pattern");
            a.values_mut()[slot] += v;
        }
    }
}

#[test]
fn interface_updates_match_full_factorisations() {
    let (nx, ny, nz) = (7, 6, 8);
    let mut a = elastic_grid(nx, ny, nz, FULL_SUPPORT, 11);
    let interface = plane_unknowns(nx, ny, 4);
    let groups = UnknownGroups::uniform(a.n(), 3);
    let mut solver = InterfaceCholesky::new(OPTIONS, interface.clone());
    solver.analyse(&a, Some(&groups)).unwrap();
    assert_eq!(solver.interface().len(), interface.len());
    let b = rhs(a.n(), 3);
    let mut x = vec![0.0; a.n()];

    solver.factorise(&a).unwrap();
    solver.solve(&a, &b, &mut x).unwrap();
    let reference = plain_solution(&a, &b).unwrap();
    assert!(max_relative_difference(&x, &reference) < 1e-12);

    // Stiffen and soften couplings inside the interface plane, as contact does from one
    // Newton iteration to the next (stick → slip → open), each time from the reference.
    let point = |x: usize, y: usize| 3 * (x + nx * (y + ny * 4));
    for (round, k) in [(0, 5.0), (1, 0.5), (2, -0.3)] {
        let pairs: Vec<(usize, usize, f64)> = (0..nx - 1)
            .flat_map(|x| (0..ny).map(move |y| (x, y)))
            .filter(|&(x, y)| (x + y + round) % 2 == 0)
            .flat_map(|(x, y)| (0..3).map(move |c| (point(x, y) + c, point(x + 1, y) + c, k)))
            .collect();
        let mut changed = a.clone();
        add_springs(&mut changed, &pairs);
        solver.factorise(&changed).unwrap();
        let report = solver.solve(&changed, &b, &mut x).unwrap();
        let expected = plain_solution(&changed, &b).unwrap();
        let difference = max_relative_difference(&x, &expected);
        assert!(difference < 1e-11, "round {round}: {difference:e}");
        assert!(report.relative_residual < 1e-12);
        assert!(relative_residual(&changed, &x, &b) < 1e-12);
    }
    let stats = solver.interface_stats().clone();
    assert_eq!((stats.full_factorisations, stats.updates), (1, 3));

    // A change outside the interface block: a full factorisation, a new reference.
    let slot = a.slot(0, 0).unwrap();
    a.values_mut()[slot] *= 1.5;
    solver.factorise(&a).unwrap();
    solver.solve(&a, &b, &mut x).unwrap();
    assert!(max_relative_difference(&x, &plain_solution(&a, &b).unwrap()) < 1e-12);
    assert_eq!(solver.interface_stats().full_factorisations, 2);
}

#[test]
fn interface_grows_to_whole_groups() {
    let a = elastic_grid(4, 4, 4, FULL_SUPPORT, 2);
    let groups = UnknownGroups::uniform(a.n(), 3);
    // one unknown of point 5 and two of point 9: both points join the interface whole
    let mut solver = InterfaceCholesky::new(OPTIONS, vec![16, 27, 28, 16]);
    solver.analyse(&a, Some(&groups)).unwrap();
    let mut interface = solver.interface().to_vec();
    interface.sort_unstable();
    assert_eq!(interface, vec![15, 16, 17, 27, 28, 29]);

    let mut bad = InterfaceCholesky::new(OPTIONS, vec![a.n()]);
    assert!(matches!(
        bad.analyse(&a, None),
        Err(SolverError::InvalidInterface { .. })
    ));
}

/// Two chains joined by one spring across the interface {9, 10}; the second chain is held
/// only through it. Removing the spring (contact opening) frees the second chain: the update
/// must report the singular matrix as the full factorisation does, and a later regular
/// update must still work.
#[test]
fn interface_update_detects_a_freed_part() {
    let springs = [1.0; 19];
    let a = spring_chain(&springs, Some(1.0));
    let mut solver = InterfaceCholesky::new(OPTIONS, vec![9, 10]);
    solver.analyse(&a, None).unwrap();
    solver.factorise(&a).unwrap();

    let mut open = a.clone();
    add_springs(&mut open, &[(9, 10, -1.0)]);
    assert!(matches!(
        plain_solution(&open, &[1.0; 20]),
        Err(SolverError::NotPositiveDefinite { .. })
    ));
    match solver.factorise(&open) {
        Err(SolverError::NotPositiveDefinite { unknown, .. }) => assert_eq!(unknown, 10),
        other => panic!("expected a singular matrix, got {other:?}"),
    }
    let mut x = vec![0.0; 20];
    assert!(matches!(
        solver.solve(&open, &[1.0; 20], &mut x),
        Err(SolverError::NotFactorised)
    ));

    let mut stiff = a.clone();
    add_springs(&mut stiff, &[(9, 10, 3.0)]);
    solver.factorise(&stiff).unwrap();
    solver.solve(&stiff, &[1.0; 20], &mut x).unwrap();
    let expected = plain_solution(&stiff, &[1.0; 20]).unwrap();
    assert!(max_relative_difference(&x, &expected) < 1e-13);
    assert_eq!(solver.interface_stats().full_factorisations, 1);
}
