//! The memory guard of the Cholesky solver: a factorisation over the cap is refused before
//! any allocation, naming both numbers; under the cap it runs.

use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver, SolverError, SymmetricCsr};

/// The 1-D Laplacian of size n.
fn laplacian(n: usize) -> SymmetricCsr {
    let t: Vec<_> = (0..n)
        .flat_map(|i| [(i, i, 2.0), (i, i + 1, -1.0)])
        .filter(|&(_, j, _)| j < n)
        .collect();
    SymmetricCsr::from_triplets(n, &t).expect("matrix")
}

#[test]
fn over_the_cap_is_refused_under_it_factorises() {
    let a = laplacian(2000);
    let mut tight = CholeskySolver::new(CholeskyOptions::default()).with_memory_limit(1000);
    tight.analyse(&a, None).expect("analyse");
    match tight.factorise(&a) {
        Err(SolverError::InsufficientMemory {
            factor_bytes,
            available_bytes,
            ..
        }) => {
            assert_eq!(available_bytes, 1000);
            // at least the factor's values: n diagonal + n − 1 off-diagonal entries
            assert!(factor_bytes >= 8 * (2 * 2000 - 1) as u64, "{factor_bytes}");
        }
        other => panic!("expected InsufficientMemory, got {other:?}"),
    }
    assert!(!tight.is_factorised());
    let mut roomy = CholeskySolver::new(CholeskyOptions::default()).with_memory_limit(1 << 30);
    roomy.analyse(&a, None).expect("analyse");
    roomy.factorise(&a).expect("fits");
    // A x = b for x = (1, …, 1): b = (1, 0, …, 0, 1)
    let mut b = vec![0.0; 2000];
    b[0] = 1.0;
    b[1999] = 1.0;
    let mut x = vec![0.0; 2000];
    roomy.solve(&a, &b, &mut x).expect("solve");
    assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-9), "{:?}", &x[..3]);
}
