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

/// `(A + N) x = b` by a dense LU factorisation with full pivoting (the independent answer):
/// `a` symmetric (upper triangle stored), `coupling` non-symmetric entries.
fn dense_solution(a: &SymmetricCsr, coupling: &[(usize, usize, f64)], b: &[f64]) -> Vec<f64> {
    let n = a.n();
    let mut m = faer::Mat::<f64>::zeros(n, n);
    for i in 0..n {
        for slot in a.row_ptr()[i]..a.row_ptr()[i + 1] {
            let j = a.col_idx()[slot];
            m[(i, j)] += a.values()[slot];
            if i != j {
                m[(j, i)] += a.values()[slot];
            }
        }
    }
    for &(i, j, v) in coupling {
        m[(i, j)] += v;
    }
    let rhs = faer::Mat::<f64>::from_fn(n, 1, |i, _| b[i]);
    let x = faer::linalg::solvers::Solve::solve(&m.full_piv_lu(), &rhs);
    (0..n).map(|i| x[(i, 0)]).collect()
}

/// ‖(A + N) x − b‖ / ‖b‖.
fn coupled_residual(
    a: &SymmetricCsr,
    coupling: &[(usize, usize, f64)],
    x: &[f64],
    b: &[f64],
) -> f64 {
    let mut ax = vec![0.0; a.n()];
    a.mul_vec(x, &mut ax);
    for &(i, j, v) in coupling {
        ax[i] += v * x[j];
    }
    let r: f64 = ax.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum::<f64>();
    let bn: f64 = b.iter().map(|q| q * q).sum::<f64>();
    (r / bn).sqrt()
}

/// The non-symmetric coupling of slipping contact nodes: one rank-one block `c nᵀ` per node
/// between two interface points (the frictional force follows the normal pressure).
fn slip_coupling(points: &[(usize, usize)], strength: f64) -> Vec<(usize, usize, f64)> {
    let c = [0.6 * strength, -0.3 * strength, 0.1 * strength];
    let n = [0.0, 0.0, 1.0];
    let mut out = Vec::new();
    for &(p, q) in points {
        for (r, cr) in c.iter().enumerate() {
            for (s, ns) in n.iter().enumerate() {
                if *ns == 0.0 {
                    continue;
                }
                // rows of both points, columns of the relative normal motion
                out.push((p + r, p + s, cr * ns));
                out.push((p + r, q + s, -cr * ns));
                out.push((q + r, p + s, -cr * ns));
                out.push((q + r, q + s, cr * ns));
            }
        }
    }
    out
}

/// Few changed unknowns take the low-rank (Woodbury) update, many the dense one; both give
/// the solution of a dense LU factorisation of the same matrix, with and without a
/// non-symmetric coupling, and the solve reports the residual of the coupled matrix. The
/// condensed path (condense, solve on the interface, expand) gives the same solutions, and
/// its condensed right-hand side is `b_C − A_CI A_II⁻¹ b_I`, checked through `A_II⁻¹` by
/// the expansion of a zero interface.
#[test]
fn low_rank_and_dense_updates_solve_the_coupled_matrix() {
    let (nx, ny, nz) = (5, 5, 6);
    let a = elastic_grid(nx, ny, nz, FULL_SUPPORT, 5);
    let interface = plane_unknowns(nx, ny, 3);
    let groups = UnknownGroups::uniform(a.n(), 3);
    let mut solver = InterfaceCholesky::new(OPTIONS, interface.clone());
    solver.analyse(&a, Some(&groups)).unwrap();
    // before a factorisation there is nothing to condense with
    assert!(matches!(
        solver.condense(&rhs(a.n(), 1)),
        Err(SolverError::NotFactorised)
    ));
    solver.factorise(&a).unwrap();
    let b = rhs(a.n(), 7);
    let mut x = vec![0.0; a.n()];
    let point = |x: usize, y: usize| 3 * (x + nx * (y + ny * 3));
    let condensed = condensed_solution(&mut solver, &b);
    let difference = max_relative_difference(&condensed, &dense_solution(&a, &[], &b));
    assert!(difference < 1e-11, "condensed reference: {difference:e}");
    // g = b_C − A_CI A_II⁻¹ b_I: with x_C = 0, the expanded interior is A_II⁻¹ b_I, and
    // b_C − A_CI x_I must equal g
    let rhs0 = solver.condense(&b).unwrap();
    let g = rhs0.interface().to_vec();
    let order = solver.interface().to_vec();
    let mut x_i = vec![0.0; a.n()];
    solver.expand(rhs0, &vec![0.0; g.len()], &mut x_i).unwrap();
    let mut ax = vec![0.0; a.n()];
    a.mul_vec(&x_i, &mut ax); // interior rows: b_I; interface rows: A_CI x_I
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (k, &i) in order.iter().enumerate() {
        assert!((b[i] - ax[i] - g[k]).abs() < 1e-11 * scale, "g at {i}");
    }
    let on_interface: std::collections::HashSet<usize> = order.iter().copied().collect();
    for i in (0..a.n()).filter(|i| !on_interface.contains(i)) {
        assert!((ax[i] - b[i]).abs() < 1e-11 * scale, "interior row {i}");
    }

    // two springs and one slipping pair: 4 of the 25 interface points touched
    let mut few = a.clone();
    add_springs(
        &mut few,
        &[
            (point(1, 1), point(2, 1), -0.4),
            (point(1, 1) + 2, point(2, 1) + 2, 2.0),
        ],
    );
    let coupling = slip_coupling(&[(point(3, 3), point(3, 4))], 0.8);
    for n in [Vec::new(), coupling.clone()] {
        solver.factorise_with_coupling(&few, &n).unwrap();
        let report = solver.solve(&few, &b, &mut x).unwrap();
        let expected = dense_solution(&few, &n, &b);
        let difference = max_relative_difference(&x, &expected);
        assert!(difference < 1e-11, "low rank: {difference:e}");
        assert!(report.relative_residual < 1e-12, "{report:?}");
        assert!(coupled_residual(&few, &n, &x, &b) < 1e-12);
        let difference = max_relative_difference(&condensed_solution(&mut solver, &b), &expected);
        assert!(difference < 1e-11, "condensed low rank: {difference:e}");
    }
    let stats = solver.interface_stats().clone();
    assert_eq!(
        (
            stats.full_factorisations,
            stats.updates,
            stats.low_rank_updates
        ),
        (1, 2, 2)
    );
    assert!(stats.inverse_seconds > 0.0);

    // springs across the whole plane and a slipping pair in every row: the dense update
    let pairs: Vec<(usize, usize, f64)> = (0..nx - 1)
        .flat_map(|x| (0..ny).map(move |y| (x, y)))
        .flat_map(|(x, y)| (0..3).map(move |c| (point(x, y) + c, point(x + 1, y) + c, 1.5)))
        .collect();
    let mut many = a.clone();
    add_springs(&mut many, &pairs);
    let coupling: Vec<(usize, usize, f64)> = slip_coupling(
        &(0..ny)
            .map(|y| (point(0, y), point(4, y)))
            .collect::<Vec<_>>(),
        0.5,
    );
    solver.factorise_with_coupling(&many, &coupling).unwrap();
    let report = solver.solve(&many, &b, &mut x).unwrap();
    let expected = dense_solution(&many, &coupling, &b);
    let difference = max_relative_difference(&x, &expected);
    assert!(difference < 1e-11, "dense: {difference:e}");
    assert!(report.relative_residual < 1e-11, "{report:?}");
    let difference = max_relative_difference(&condensed_solution(&mut solver, &b), &expected);
    assert!(difference < 1e-11, "condensed dense: {difference:e}");
    // a wrong length is an error, not a panic
    assert!(matches!(
        solver.solve_interface(&mut [0.0; 3]),
        Err(SolverError::DimensionMismatch { .. })
    ));
    let stats = solver.interface_stats().clone();
    assert_eq!(
        (
            stats.full_factorisations,
            stats.updates,
            stats.low_rank_updates
        ),
        (1, 3, 2)
    );

    // a coupling off the interface is refused
    let off = [(0usize, 1usize, 1.0)];
    assert!(matches!(
        solver.factorise_with_coupling(&a, &off),
        Err(SolverError::InvalidInterface { unknown: 0, .. })
    ));
}

/// A low-rank change that frees part of the model (the only spring to the second chain
/// removed, on a wide interface) makes the capacitance matrix singular: the update falls back
/// to the dense path, which names the unknown, as the full factorisation fails.
#[test]
fn low_rank_update_falls_back_on_a_singular_change() {
    let springs = [1.0; 19];
    let a = spring_chain(&springs, Some(1.0));
    let interface: Vec<usize> = (4..16).collect();
    let mut solver = InterfaceCholesky::new(OPTIONS, interface);
    solver.analyse(&a, None).unwrap();
    solver.factorise(&a).unwrap();
    let mut open = a.clone();
    add_springs(&mut open, &[(9, 10, -1.0)]);
    assert!(matches!(
        plain_solution(&open, &[1.0; 20]),
        Err(SolverError::NotPositiveDefinite { .. })
    ));
    assert!(matches!(
        solver.factorise(&open),
        Err(SolverError::NotPositiveDefinite { .. })
    ));
    assert_eq!(solver.interface_stats().low_rank_updates, 0);
    // a regular low-rank change afterwards
    let mut soft = a.clone();
    add_springs(&mut soft, &[(9, 10, -0.5)]);
    solver.factorise(&soft).unwrap();
    let mut x = vec![0.0; 20];
    solver.solve(&soft, &[1.0; 20], &mut x).unwrap();
    let expected = plain_solution(&soft, &[1.0; 20]).unwrap();
    assert!(max_relative_difference(&x, &expected) < 1e-12);
    assert_eq!(solver.interface_stats().low_rank_updates, 1);
}

/// Springs between neighbouring points of an interface plane as factored terms: term `j`
/// has the three rows of the relative displacement `u_p − u_q` of its two points.
fn spring_terms(pairs: &[(usize, usize)]) -> Vec<Vec<(usize, f64)>> {
    pairs
        .iter()
        .flat_map(|&(p, q)| (0..3).map(move |c| vec![(p + c, 1.0), (q + c, -1.0)]))
        .collect()
}

/// `k + Σ_j B_jᵀ S_j B_j` for 3 × 3 row-major `S_j` (symmetric) on the pattern of `k`.
fn with_terms(k: &SymmetricCsr, pairs: &[(usize, usize)], s: &[f64]) -> SymmetricCsr {
    let mut a = k.clone();
    for (j, &(p, q)) in pairs.iter().enumerate() {
        for a_ in 0..3 {
            for b in 0..3 {
                let v = s[9 * j + 3 * a_ + b];
                for (i, wi) in [(p + a_, 1.0), (q + a_, -1.0)] {
                    for (l, wl) in [(p + b, 1.0), (q + b, -1.0)] {
                        if i <= l {
                            let slot = a.slot(i, l).expect("in the pattern");
                            a.values_mut()[slot] += wi * v * wl;
                        }
                    }
                }
            }
        }
    }
    a
}

/// The coupling Σ_j B_jᵀ C_j B_j as matrix entries, for the independent dense solution.
fn term_entries(pairs: &[(usize, usize)], c: &[f64]) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for (j, &(p, q)) in pairs.iter().enumerate() {
        for a_ in 0..3 {
            for b in 0..3 {
                let v = c[9 * j + 3 * a_ + b];
                for (i, wi) in [(p + a_, 1.0), (q + a_, -1.0)] {
                    for (l, wl) in [(p + b, 1.0), (q + b, -1.0)] {
                        out.push((i, l, wi * v * wl));
                    }
                }
            }
        }
    }
    out
}

/// A grid with springs between neighbouring points of its middle plane (one rank-3 term
/// each, as contact's slave nodes), the plane's unknowns the interface of an analysed
/// solver that declares the terms, and every spring's stiffness when stuck.
struct SpringPlane {
    k: SymmetricCsr,
    pairs: Vec<(usize, usize)>,
    solver: InterfaceCholesky,
    stick: Vec<f64>,
}

fn spring_plane() -> SpringPlane {
    spring_plane_with(usize::MAX)
}

/// [`spring_plane`] with at most `springs` springs.
fn spring_plane_with(springs: usize) -> SpringPlane {
    let (nx, ny, nz) = (6, 5, 6);
    let k = elastic_grid(nx, ny, nz, FULL_SUPPORT, 9);
    let point = |x: usize, y: usize| 3 * (x + nx * (y + ny * 3));
    let pairs: Vec<(usize, usize)> = (0..nx - 1)
        .flat_map(|x| (0..ny).map(move |y| (point(x, y), point(x + 1, y))))
        .take(springs)
        .collect();
    let interface = plane_unknowns(nx, ny, 3);
    let groups = UnknownGroups::uniform(k.n(), 3);
    let mut solver = InterfaceCholesky::new(OPTIONS, interface).with_terms(spring_terms(&pairs), 3);
    solver.analyse(&k, Some(&groups)).unwrap();
    let stick: Vec<f64> = pairs
        .iter()
        .flat_map(|_| [4.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 9.0])
        .collect();
    SpringPlane {
        k,
        pairs,
        solver,
        stick,
    }
}

/// Updates in factored form (one rank-3 term per spring, as contact's slave nodes): few
/// changed terms go through their capacitance matrix, many through the unknown-wise path,
/// and a statement of the terms that does not match the matrix is caught and solved
/// unknown by unknown; every solution agrees with a dense LU factorisation of the matrix.
#[test]
fn term_updates_solve_the_coupled_matrix() {
    let SpringPlane {
        k,
        pairs,
        mut solver,
        stick,
    } = spring_plane();
    let a_ref = with_terms(&k, &pairs, &stick);
    solver.factorise_with_terms(&a_ref, &stick, &[]).unwrap();
    let b = rhs(k.n(), 4);
    let mut x = vec![0.0; k.n()];
    let check = |solver: &mut InterfaceCholesky,
                 a: &SymmetricCsr,
                 coupling: &[(usize, usize, f64)],
                 x: &mut Vec<f64>,
                 what: &str| {
        let report = solver.solve(a, &b, x).unwrap();
        let expected = dense_solution(a, coupling, &b);
        let difference = max_relative_difference(x, &expected);
        assert!(difference < 1e-10, "{what}: {difference:e}");
        assert!(report.relative_residual < 1e-11, "{what}: {report:?}");
    };
    check(&mut solver, &a_ref, &[], &mut x, "reference");

    // three springs open, one slips (tangential stiffness gone, a non-symmetric coupling)
    let mut now = stick.clone();
    for j in [2, 7, 11] {
        now[9 * j..9 * j + 9].fill(0.0);
    }
    now[9 * 15..9 * 15 + 9].copy_from_slice(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0]);
    let mut coupling = vec![0.0; stick.len()];
    coupling[9 * 15 + 2] = -3.0; // x force from the normal (z) motion
    coupling[9 * 15 + 5] = 1.0;
    let a_now = with_terms(&k, &pairs, &now);
    solver
        .factorise_with_terms(&a_now, &now, &coupling)
        .unwrap();
    check(
        &mut solver,
        &a_now,
        &term_entries(&pairs, &coupling),
        &mut x,
        "few terms",
    );
    let stats = solver.interface_stats().clone();
    assert_eq!(
        (stats.full_factorisations, stats.updates, stats.term_updates),
        (1, 1, 1)
    );

    // terms stated wrongly (the matrix has the springs open, the statement says stuck):
    // caught, solved unknown by unknown
    solver.factorise_with_terms(&a_now, &stick, &[]).unwrap();
    check(&mut solver, &a_now, &[], &mut x, "mismatch");

    // most springs half as stiff: the unknown-wise path
    let soft: Vec<f64> = stick.iter().map(|v| 0.5 * v).collect();
    let a_soft = with_terms(&k, &pairs, &soft);
    solver
        .factorise_with_terms(&a_soft, &soft, &coupling)
        .unwrap();
    check(
        &mut solver,
        &a_soft,
        &term_entries(&pairs, &coupling),
        &mut x,
        "many terms",
    );
    let stats = solver.interface_stats().clone();
    assert_eq!((stats.full_factorisations, stats.updates), (1, 3));
    assert_eq!(stats.term_updates, 1, "{stats:?}");

    // wrong lengths are refused
    assert!(matches!(
        solver.factorise_with_terms(&a_soft, &soft[1..], &[]),
        Err(SolverError::DimensionMismatch { .. })
    ));
}

/// Newton iterations change few terms from one to the next: an update whose terms differ
/// from an earlier update's in few rows solves its capacitance matrix as a low-rank change
/// of that update's LU factors — a term changed, a term changed for the first time, a term
/// back at its reference value — and a large change factorises it whole again (a new base).
/// With 25 springs on the 90 interface unknowns the projections come from `W = S⁻¹`, with
/// 12 from the interface factor (`X = L⁻¹ Bᵀ`, no `W`). Every solution agrees with a dense
/// LU factorisation of the matrix.
#[test]
fn term_updates_build_on_an_earlier_capacitance_matrix() {
    for springs in [25, 12] {
        term_updates_on_earlier_bases(springs);
    }
}

fn term_updates_on_earlier_bases(springs: usize) {
    let SpringPlane {
        k,
        pairs,
        mut solver,
        stick,
    } = spring_plane_with(springs);
    assert_eq!(pairs.len(), springs);
    let a_ref = with_terms(&k, &pairs, &stick);
    solver.factorise_with_terms(&a_ref, &stick, &[]).unwrap();
    let b = rhs(k.n(), 6);
    let mut x = vec![0.0; k.n()];
    let mut step = |now: &[f64], coupling: &[f64], what: &str| -> usize {
        let a = with_terms(&k, &pairs, now);
        solver.factorise_with_terms(&a, now, coupling).unwrap();
        let report = solver.solve(&a, &b, &mut x).unwrap();
        let expected = dense_solution(&a, &term_entries(&pairs, coupling), &b);
        let difference = max_relative_difference(&x, &expected);
        assert!(
            difference < 1e-10,
            "{springs} springs, {what}: {difference:e}"
        );
        assert!(report.relative_residual < 1e-11, "{what}: {report:?}");
        solver.interface_stats().term_updates_on_earlier
    };
    // most springs softened, one of them slipping: factorised whole, the base
    let base = 16.min(springs - 2);
    let mut now = stick.clone();
    for v in &mut now[..9 * base] {
        *v *= 0.5;
    }
    let mut coupling = vec![0.0; stick.len()];
    coupling[9 * 3 + 2] = -1.0;
    coupling[9 * 3 + 5] = 0.5;
    assert_eq!(step(&now, &coupling, "base"), 0);
    // the slipping spring's coupling changes: on the base
    coupling[9 * 3 + 2] = -2.0;
    assert_eq!(step(&now, &coupling, "one term"), 1);
    // a spring outside the base opens, one of the base is stuck again (the slipping spring as
    // in the base): on the base while those two are at most an eighth of the rows
    coupling[9 * 3 + 2] = -1.0;
    now[9 * (springs - 1)..9 * springs].fill(0.0);
    now[9 * 5..9 * 6].copy_from_slice(&stick[9 * 5..9 * 6]);
    let on_base = usize::from(8 * 6 <= 3 * (base + 1));
    assert_eq!(
        step(&now, &coupling, "a new term and a term back"),
        1 + on_base
    );
    // most springs of the base change again: factorised whole, the new base
    for v in &mut now[..9 * (base - 1)] {
        *v *= 0.5;
    }
    assert_eq!(step(&now, &coupling, "a new base"), 1 + on_base);
    coupling[9 * 3 + 5] = 0.25;
    assert_eq!(step(&now, &coupling, "on the new base"), 2 + on_base);
    let stats = solver.interface_stats();
    assert_eq!(stats.full_factorisations, 1);
    // what the reference holds: L_CC, X and G (12 springs), or L_CC, W, W Bᵀ and G (25)
    let (m, r) = (90, 3 * springs);
    let w = if springs == 12 { 0 } else { m * m };
    assert_eq!(stats.dense_bytes, 8 * (m * m + w + m * r + r * r));
}

/// `x` from the condensed path: the forward substitution once, the interface system with
/// the dense interface factors, the backward substitution once.
fn condensed_solution(solver: &mut InterfaceCholesky, b: &[f64]) -> Vec<f64> {
    let rhs = solver.condense(b).unwrap();
    let mut x_c = rhs.interface().to_vec();
    solver.solve_interface(&mut x_c).unwrap();
    let mut x = vec![f64::NAN; b.len()];
    solver.expand(rhs, &x_c, &mut x).unwrap();
    x
}

/// The terms-only factorisation of the condensed Newton (`factorise_interface_terms`, no
/// sparse matrix) solves the matrix the terms state: few changed terms through their
/// capacitance matrix, most terms changed through the block change they imply, each against
/// a dense LU factorisation of `K + Σ_j B_jᵀ (S_j + C_j) B_j`; before a reference with terms
/// it is refused.
#[test]
fn terms_alone_factorise_the_stated_matrix() {
    let SpringPlane {
        k,
        pairs,
        mut solver,
        stick,
    } = spring_plane();
    assert!(matches!(
        solver.factorise_interface_terms(&stick, &[]),
        Err(SolverError::NotAnalysed | SolverError::NotFactorised)
    ));
    solver
        .factorise_with_terms(&with_terms(&k, &pairs, &stick), &stick, &[])
        .unwrap();
    let b = rhs(k.n(), 4);
    let check = |solver: &mut InterfaceCholesky, now: &[f64], coupling: &[f64], what: &str| {
        solver.factorise_interface_terms(now, coupling).unwrap();
        let x = condensed_solution(solver, &b);
        let entries = if coupling.is_empty() {
            Vec::new()
        } else {
            term_entries(&pairs, coupling)
        };
        let expected = dense_solution(&with_terms(&k, &pairs, now), &entries, &b);
        let difference = max_relative_difference(&x, &expected);
        assert!(difference < 1e-10, "{what}: {difference:e}");
    };
    // three springs open, one slips with a non-symmetric coupling: the term update
    let mut now = stick.clone();
    for j in [2, 7, 11] {
        now[9 * j..9 * j + 9].fill(0.0);
    }
    now[9 * 15..9 * 15 + 9].copy_from_slice(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0]);
    let mut coupling = vec![0.0; stick.len()];
    coupling[9 * 15 + 2] = -3.0;
    coupling[9 * 15 + 5] = 1.0;
    check(&mut solver, &now, &coupling, "few terms");
    assert_eq!(solver.interface_stats().term_updates, 1);
    // every spring half as stiff: too many terms for the capacitance matrix, the change
    // they imply goes unknown by unknown
    let soft: Vec<f64> = stick.iter().map(|v| 0.5 * v).collect();
    check(&mut solver, &soft, &coupling, "all terms");
    assert_eq!(solver.interface_stats().term_updates, 1);
    // the reference's own terms: the reference factor itself
    check(&mut solver, &stick, &[], "reference");
}
