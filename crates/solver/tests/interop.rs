//! Conversions to and from nalgebra-sparse and faer, and the nalgebra field views: round
//! trips, products against hand-computed values and against `SymmetricCsr::mul_vec`, and
//! node indexing of the views.
#![cfg(feature = "nalgebra")]

mod common;

use faer::linalg::matmul::matmul;
use faer::sparse::linalg::matmul::sparse_dense_matmul;
use faer::{Accum, Mat, Par};
use nalgebra::{DVector, Vector3};
use nalgebra_sparse::{CooMatrix, CscMatrix, CsrMatrix};
use osteon_solver::interop::{
    SymmetryCheck, nodal_triples, nodal_vectors, nodal_vectors_from_triples, nodal_vectors_mut,
    voigt_fields, voigt_fields_from_arrays,
};
use osteon_solver::{SolverError, SymmetricCsr};

use common::{Rng, laplacian_2d, random_spd};

/// A = [4 1 0 2; 1 3 1 0; 0 1 2 0; 2 0 0 5].
const DENSE: [[f64; 4]; 4] = [
    [4.0, 1.0, 0.0, 2.0],
    [1.0, 3.0, 1.0, 0.0],
    [0.0, 1.0, 2.0, 0.0],
    [2.0, 0.0, 0.0, 5.0],
];

fn small() -> SymmetricCsr {
    let mut t = Vec::new();
    for (i, row) in DENSE.iter().enumerate() {
        for (j, &v) in row.iter().enumerate().skip(i) {
            if v != 0.0 {
                t.push((i, j, v));
            }
        }
    }
    SymmetricCsr::from_triplets(4, &t).unwrap_or_else(|e| panic!("{e}"))
}

/// Dense copy of a nalgebra-sparse CSR matrix.
fn dense_of(m: &CsrMatrix<f64>) -> Vec<Vec<f64>> {
    let mut d = vec![vec![0.0; m.ncols()]; m.nrows()];
    for (i, j, &v) in m.triplet_iter() {
        d[i][j] += v;
    }
    d
}

fn same_matrix(a: &SymmetricCsr, b: &SymmetricCsr) {
    assert_eq!(a.n(), b.n());
    assert_eq!(a.row_ptr(), b.row_ptr());
    assert_eq!(a.col_idx(), b.col_idx());
    assert_eq!(a.values(), b.values());
}

fn test_matrices() -> Vec<SymmetricCsr> {
    vec![
        small(),
        SymmetricCsr::from_triplets(0, &[]).unwrap_or_else(|e| panic!("{e}")),
        SymmetricCsr::from_triplets(1, &[(0, 0, 7.0)]).unwrap_or_else(|e| panic!("{e}")),
        laplacian_2d(7, 5),
        random_spd(300, 500, 4, 0.1, 11),
        random_spd(40, 10, 6, 1.0, 12),
    ]
}

#[test]
fn nalgebra_forms_hold_the_expected_triangles() {
    let a = small();
    let upper = dense_of(&a.to_nalgebra_csr_upper());
    let full = dense_of(&a.to_nalgebra_csr_full());
    for i in 0..4 {
        for j in 0..4 {
            assert_eq!(full[i][j], DENSE[i][j], "full ({i}, {j})");
            let expected_upper = if j >= i { DENSE[i][j] } else { 0.0 };
            assert_eq!(upper[i][j], expected_upper, "upper ({i}, {j})");
        }
    }
    // CSC forms: the same entries (the CSC of the upper triangle has column j = rows <= j).
    let csc_upper = a.to_nalgebra_csc_upper();
    assert_eq!(csc_upper.col_offsets(), &[0, 1, 3, 5, 7]);
    assert_eq!(csc_upper.row_indices(), &[0, 0, 1, 1, 2, 0, 3]);
    assert_eq!(csc_upper.values(), &[4.0, 1.0, 3.0, 1.0, 2.0, 2.0, 5.0]);
    let csc_full = a.to_nalgebra_csc_full();
    assert_eq!(csc_full.nnz(), 10);
    for (i, j, &v) in csc_full.triplet_iter() {
        assert_eq!(v, DENSE[i][j]);
    }
    assert_eq!(full.iter().flatten().filter(|v| **v != 0.0).count(), 10);
}

#[test]
fn products_through_nalgebra_sparse_equal_mul_vec() {
    // Hand-computed: A · (1, -1, 2, 0.5) = (4 - 1 + 1, 1 - 3 + 2, -1 + 4, 2 + 2.5).
    let a = small();
    let x = [1.0, -1.0, 2.0, 0.5];
    let expected = [4.0, 0.0, 3.0, 4.5];
    let y_csr = &a.to_nalgebra_csr_full() * &DVector::from_column_slice(&x);
    let y_csc = &a.to_nalgebra_csc_full() * &DVector::from_column_slice(&x);
    assert_eq!(y_csr.as_slice(), &expected);
    assert_eq!(y_csc.as_slice(), &expected);
    let mut y = [0.0; 4];
    a.mul_vec(&x, &mut y);
    assert_eq!(y, expected);

    for a in test_matrices() {
        let n = a.n();
        let mut rng = Rng::new(n as u64 + 3);
        let x: Vec<f64> = (0..n).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        let mut y = vec![0.0; n];
        a.mul_vec(&x, &mut y);
        let xv = DVector::from_column_slice(&x);
        let y_csr = &a.to_nalgebra_csr_full() * &xv;
        let y_csc = &a.to_nalgebra_csc_full() * &xv;
        // A·x from the upper triangle alone: U x + Uᵀ x − diag(A) x.
        let upper = a.to_nalgebra_csr_upper();
        let from_upper = &upper * &xv + upper.transpose() * &xv
            - DVector::from_iterator(n, a.diagonal().iter().zip(&x).map(|(d, xi)| d * xi));
        for i in 0..n {
            let tol = 1e-13 * (1.0 + y[i].abs());
            assert!((y_csr[i] - y[i]).abs() <= tol, "csr row {i}");
            assert!((y_csc[i] - y[i]).abs() <= tol, "csc row {i}");
            assert!((from_upper[i] - y[i]).abs() <= tol, "upper row {i}");
        }
    }
}

#[test]
fn round_trips_through_nalgebra_sparse_are_exact() {
    for a in test_matrices() {
        let check = SymmetryCheck::Within(0.0);
        same_matrix(
            &a,
            &SymmetricCsr::from_nalgebra_csr(&a.to_nalgebra_csr_full(), check)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        same_matrix(
            &a,
            &SymmetricCsr::from_nalgebra_csc(&a.to_nalgebra_csc_full(), check)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let ignore = SymmetryCheck::IgnoreLower;
        same_matrix(
            &a,
            &SymmetricCsr::from_nalgebra_csr(&a.to_nalgebra_csr_upper(), ignore)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        same_matrix(
            &a,
            &SymmetricCsr::from_nalgebra_csc(&a.to_nalgebra_csc_upper(), ignore)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        // the full matrix with the lower triangle ignored is the same matrix
        same_matrix(
            &a,
            &SymmetricCsr::from_nalgebra_csr(&a.to_nalgebra_csr_full(), ignore)
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
}

#[test]
fn conversions_from_nalgebra_refuse_what_is_not_symmetric() {
    // 2 × 3: not square
    let rect = CsrMatrix::from(&CooMatrix::<f64>::new(2, 3));
    assert_eq!(
        SymmetricCsr::from_nalgebra_csr(&rect, SymmetryCheck::IgnoreLower).err(),
        Some(SolverError::NotSquare { rows: 2, cols: 3 })
    );
    let rect_csc = CscMatrix::from(&CooMatrix::<f64>::new(3, 1));
    assert_eq!(
        SymmetricCsr::from_nalgebra_csc(&rect_csc, SymmetryCheck::IgnoreLower).err(),
        Some(SolverError::NotSquare { rows: 3, cols: 1 })
    );

    // [[2, 1], [1.001, 2]]: asymmetric by 1e-3 of the largest entry 2 → relative 5e-4.
    let mut coo = CooMatrix::new(2, 2);
    coo.push(0, 0, 2.0);
    coo.push(0, 1, 1.0);
    coo.push(1, 0, 1.001);
    coo.push(1, 1, 2.0);
    let m = CsrMatrix::from(&coo);
    let Some(SolverError::NotSymmetric {
        row,
        col,
        upper,
        lower,
    }) = SymmetricCsr::from_nalgebra_csr(&m, SymmetryCheck::Within(1e-4)).err()
    else {
        panic!("asymmetry of 5e-4 must fail a 1e-4 check");
    };
    assert_eq!((row, col, upper, lower), (0, 1, 1.0, 1.001));
    // 5e-4 < 1e-3: accepted, and the upper value is what is kept
    let a = SymmetricCsr::from_nalgebra_csr(&m, SymmetryCheck::Within(1e-3))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.values(), &[2.0, 1.0, 2.0]);
    // the lower triangle alone (upper missing): |1 - 0| = 0.5 of the largest entry 2
    let mut coo = CooMatrix::new(2, 2);
    coo.push(1, 0, 1.0);
    coo.push(1, 1, 2.0);
    let m = CscMatrix::from(&coo);
    assert!(matches!(
        SymmetricCsr::from_nalgebra_csc(&m, SymmetryCheck::Within(0.4)),
        Err(SolverError::NotSymmetric { row: 0, col: 1, .. })
    ));
    // ignored: diagonal (0,0) missing is stored as an explicit zero
    let a = SymmetricCsr::from_nalgebra_csc(&m, SymmetryCheck::IgnoreLower)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.row_ptr(), &[0, 1, 2]);
    assert_eq!(a.values(), &[0.0, 2.0]);
}

#[test]
fn faer_conversions_multiply_like_the_matrix() {
    // Hand-computed product of the small matrix.
    let a = small();
    let full = a.to_faer_csc_full();
    let x = Mat::from_fn(4, 1, |i, _| [1.0, -1.0, 2.0, 0.5][i]);
    let mut y = Mat::<f64>::zeros(4, 1);
    sparse_dense_matmul(
        y.as_mut(),
        Accum::Replace,
        full.as_ref(),
        x.as_ref(),
        1.0,
        Par::Seq,
    );
    assert_eq!(
        (0..4).map(|i| y[(i, 0)]).collect::<Vec<_>>(),
        [4.0, 0.0, 3.0, 4.5]
    );
    // to_dense of the full form is A; of the lower view, A's lower triangle; of the upper
    // view, its upper triangle.
    let (d_full, d_lower, d_upper) = (
        full.to_dense(),
        a.as_faer_lower_csc().to_dense(),
        a.as_faer_upper_csr().to_dense(),
    );
    for i in 0..4 {
        for j in 0..4 {
            assert_eq!(d_full[(i, j)], DENSE[i][j]);
            assert_eq!(d_lower[(i, j)], if i >= j { DENSE[i][j] } else { 0.0 });
            assert_eq!(d_upper[(i, j)], if i <= j { DENSE[i][j] } else { 0.0 });
        }
    }

    for a in test_matrices() {
        let n = a.n();
        let mut rng = Rng::new(n as u64 + 17);
        let xs: Vec<f64> = (0..n).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        let mut expected = vec![0.0; n];
        a.mul_vec(&xs, &mut expected);
        let x = Mat::from_fn(n, 1, |i, _| xs[i]);
        // full CSC
        let mut y = Mat::<f64>::zeros(n, 1);
        let full = a.to_faer_csc_full();
        sparse_dense_matmul(
            y.as_mut(),
            Accum::Replace,
            full.as_ref(),
            x.as_ref(),
            1.0,
            Par::Seq,
        );
        // L x + Lᵀ x − D x from the zero-copy lower view
        let lower = a.as_faer_lower_csc();
        let mut z = Mat::<f64>::zeros(n, 1);
        sparse_dense_matmul(z.as_mut(), Accum::Replace, lower, x.as_ref(), 1.0, Par::Seq);
        sparse_dense_matmul(
            z.as_mut(),
            Accum::Add,
            lower.transpose(),
            x.as_ref(),
            1.0,
            Par::Seq,
        );
        let d = a.diagonal();
        // the dense path as an independent check of the full form
        let mut w = Mat::<f64>::zeros(n, 1);
        matmul(
            w.as_mut(),
            Accum::Replace,
            full.to_dense(),
            x.as_ref(),
            1.0,
            Par::Seq,
        );
        for i in 0..n {
            let tol = 1e-13 * (1.0 + expected[i].abs());
            assert!((y[(i, 0)] - expected[i]).abs() <= tol, "full row {i}");
            assert!(
                (z[(i, 0)] - d[i] * xs[i] - expected[i]).abs() <= tol,
                "lower row {i}"
            );
            assert!((w[(i, 0)] - expected[i]).abs() <= tol, "dense row {i}");
        }
        // and back
        same_matrix(
            &a,
            &SymmetricCsr::from_faer_csc(full.as_ref(), SymmetryCheck::Within(0.0))
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
}

#[test]
fn faer_round_trips_of_one_triangle() {
    // The stored triangle read as lower CSC holds the couplings below the diagonal only:
    // with the lower triangle ignored that leaves the diagonal.
    let a = small();
    let diag = SymmetricCsr::from_faer_csc(a.as_faer_lower_csc(), SymmetryCheck::IgnoreLower)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(diag.col_idx(), &[0, 1, 2, 3]);
    assert_eq!(diag.values(), &[4.0, 3.0, 2.0, 5.0]);
    let upper_csc = a
        .as_faer_upper_csr()
        .to_col_major()
        .unwrap_or_else(|e| panic!("{e}"));
    let back = SymmetricCsr::from_faer_csc(upper_csc.as_ref(), SymmetryCheck::IgnoreLower)
        .unwrap_or_else(|e| panic!("{e}"));
    same_matrix(&a, &back);
    // upper only with a symmetry check: every coupling is missing below
    assert!(matches!(
        SymmetricCsr::from_faer_csc(upper_csc.as_ref(), SymmetryCheck::Within(1e-12)),
        Err(SolverError::NotSymmetric {
            row: 0,
            col: 1,
            upper: 1.0,
            lower: 0.0
        })
    ));
}

#[test]
fn nodal_views_index_nodes() {
    // node j has coordinates (10 j + 1, 10 j + 2, 10 j + 3)
    let n = 5;
    let mut u: Vec<f64> = (0..n)
        .flat_map(|j| [1.0, 2.0, 3.0].map(|c| 10.0 * j as f64 + c))
        .collect();
    let view = nodal_vectors(&u).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.shape(), (3, n));
    for j in 0..n {
        let expected = Vector3::new(
            10.0 * j as f64 + 1.0,
            10.0 * j as f64 + 2.0,
            10.0 * j as f64 + 3.0,
        );
        assert_eq!(view.column(j), expected, "node {j}");
        assert_eq!(
            Vector3::from(nodal_triples(&u).unwrap_or_default()[j]),
            expected
        );
    }
    // no copy: the view points into u
    assert!(std::ptr::eq(view.as_ptr(), u.as_ptr()));
    // writing node 3's y through the mutable view writes u[3 * 3 + 1]
    {
        let mut m = nodal_vectors_mut(&mut u).unwrap_or_else(|e| panic!("{e}"));
        m[(1, 3)] = -7.0;
        m.column_mut(4).fill(0.0);
    }
    assert_eq!(u[10], -7.0);
    assert_eq!(&u[12..15], &[0.0, 0.0, 0.0]);
    // results stored as [[f64; 3]]
    let triples = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let v = nodal_vectors_from_triples(&triples);
    assert_eq!(v.column(1), Vector3::new(4.0, 5.0, 6.0));
    assert_eq!(v.row(2).iter().copied().collect::<Vec<_>>(), [3.0, 6.0]); // z of every node
    // empty field: zero nodes
    assert_eq!(nodal_vectors(&[]).map(|v| v.ncols()), Ok(0));
    // lengths that are not whole nodes
    assert_eq!(
        nodal_vectors(&[1.0; 7]).err(),
        Some(SolverError::FieldLength {
            components: 3,
            len: 7
        })
    );
    assert!(nodal_vectors_mut(&mut [0.0; 4]).is_err());
    assert!(nodal_triples(&[0.0; 2]).is_err());
}

#[test]
fn voigt_views_index_points() {
    // point j: σxx = j, σyy = 10 + j, σzz = 20 + j, τxy = 30 + j, τyz = 40 + j, τxz = 50 + j
    let s: Vec<f64> = (0..4)
        .flat_map(|j| (0..6).map(move |c| 10.0 * c as f64 + j as f64))
        .collect();
    let view = voigt_fields(&s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.shape(), (6, 4));
    assert_eq!(view[(0, 2)], 2.0); // σxx of point 2
    assert_eq!(view[(4, 3)], 43.0); // τyz of point 3
    assert_eq!(
        view.row(5).iter().copied().collect::<Vec<_>>(),
        [50.0, 51.0, 52.0, 53.0]
    );
    // trace of point 1: 1 + 11 + 21
    assert_eq!(view.fixed_view::<3, 1>(0, 1).sum(), 33.0);
    let arrays: Vec<[f64; 6]> = s
        .chunks_exact(6)
        .map(|c| [c[0], c[1], c[2], c[3], c[4], c[5]])
        .collect();
    assert_eq!(voigt_fields_from_arrays(&arrays), view);
    assert_eq!(
        voigt_fields(&[0.0; 9]).err(),
        Some(SolverError::FieldLength {
            components: 6,
            len: 9
        })
    );
}
