//! Small dense helpers for 6×6 Voigt matrices: products, symmetry check, Cholesky
//! factorisation and SPD inverse; principal values of a Voigt stress or strain
//! ([`principal_values`], [`symmetric_eigenvalues`]).
//!
//! Voigt order everywhere in osteon: **xx, yy, zz, xy, yz, xz**, with *engineering*
//! shear strains (γ_xy = 2 ε_xy). A stiffness `D` maps strain to stress,
//! σ = D ε (MPa); a compliance `S = D⁻¹` maps stress to strain (1/MPa).
//!
//! These are deliberately tiny, allocation-free routines: a 6×6 Cholesky costs
//! ~70 flops and is all a material law needs.

use crate::MaterialError;

/// A 6×6 matrix in osteon's Voigt order xx, yy, zz, xy, yz, xz (engineering shear
/// strains). As a stiffness D its entries are in MPa; as a compliance S in 1/MPa.
pub type Voigt6x6 = [[f64; 6]; 6];

/// Names of the six Voigt components, in osteon order (index → component).
pub const VOIGT_LABELS: [&str; 6] = ["xx", "yy", "zz", "xy", "yz", "xz"];

/// Relative tolerance for [`symmetry_violation`] used by this crate: entries `(i, j)` and
/// `(j, i)` may differ by at most `1e-9 · max|a_kl|`.
pub const SYMMETRY_RELATIVE_TOLERANCE: f64 = 1e-9;

/// A Cholesky pivot is rejected when it is not greater than this factor times the
/// original diagonal entry `a_kk` (so a numerically singular matrix fails, too).
pub const PIVOT_RELATIVE_TOLERANCE: f64 = 64.0 * f64::EPSILON;

/// The 6×6 zero matrix.
pub const fn zeros() -> Voigt6x6 {
    [[0.0; 6]; 6]
}

/// The 6×6 identity matrix.
pub fn identity() -> Voigt6x6 {
    let mut m = zeros();
    for (i, row) in m.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    m
}

/// Matrix product `a · b`.
pub fn mat_mul(a: &Voigt6x6, b: &Voigt6x6) -> Voigt6x6 {
    let mut c = zeros();
    for i in 0..6 {
        for j in 0..6 {
            c[i][j] = (0..6).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    c
}

/// Matrix–vector product `a · v` (for example σ = D ε, or ε = S σ).
pub fn mat_vec(a: &Voigt6x6, v: &[f64; 6]) -> [f64; 6] {
    let mut out = [0.0; 6];
    for (o, row) in out.iter_mut().zip(a.iter()) {
        *o = row.iter().zip(v.iter()).map(|(x, y)| x * y).sum();
    }
    out
}

/// Transpose of `a`.
pub fn transpose(a: &Voigt6x6) -> Voigt6x6 {
    let mut t = zeros();
    for (i, row) in a.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            t[j][i] = x;
        }
    }
    t
}

/// Largest absolute entry of `a` (NaN entries are ignored).
pub fn max_abs(a: &Voigt6x6) -> f64 {
    a.iter().flatten().fold(0.0_f64, |m, &x| m.max(x.abs()))
}

/// First pair `(i, j)` with `i < j` whose entries differ by more than
/// `rel_tol · max|a_kl|`, or `None` when `a` is symmetric within that tolerance.
/// A NaN entry counts as a violation.
pub fn symmetry_violation(a: &Voigt6x6, rel_tol: f64) -> Option<(usize, usize)> {
    let tol = rel_tol * max_abs(a);
    for (i, row) in a.iter().enumerate() {
        for (j, &upper) in row.iter().enumerate().skip(i + 1) {
            let diff = (upper - a[j][i]).abs();
            if diff.is_nan() || diff > tol {
                return Some((i, j));
            }
        }
    }
    None
}

/// `(a + aᵀ) / 2`.
pub fn symmetrize(a: &Voigt6x6) -> Voigt6x6 {
    let mut s = zeros();
    for i in 0..6 {
        for j in 0..6 {
            s[i][j] = 0.5 * (a[i][j] + a[j][i]);
        }
    }
    s
}

/// Where a Cholesky factorisation stopped: the pivot `index` (0-based Voigt row, see
/// [`VOIGT_LABELS`]) whose value `pivot = a_kk − Σ l_kj²` was not positive (or was
/// negligible against the diagonal entry `diagonal = a_kk`, or NaN).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PivotFailure {
    /// 0-based row of the failing pivot.
    pub index: usize,
    /// Value of the pivot before the square root (units of the matrix).
    pub pivot: f64,
    /// The original diagonal entry `a_kk` (units of the matrix).
    pub diagonal: f64,
}

impl std::fmt::Display for PivotFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = VOIGT_LABELS.get(self.index).copied().unwrap_or("?");
        write!(
            f,
            "Cholesky pivot {} ({label}) = {:e} is not positive (diagonal entry {:e}); \
             the leading {}×{} block is not positive definite",
            self.index,
            self.pivot,
            self.diagonal,
            self.index + 1,
            self.index + 1
        )
    }
}

/// Cholesky factor `L` (lower triangular, `a = L Lᵀ`) of a symmetric positive definite
/// matrix. Only the lower triangle of `a` is read.
///
/// # Errors
/// [`PivotFailure`] at the first pivot that is NaN or `<= PIVOT_RELATIVE_TOLERANCE · a_kk`.
///
/// ```
/// use osteon_material::voigt::{cholesky, identity};
/// let mut a = identity();
/// a[0][0] = 4.0;
/// let l = cholesky(&a).unwrap();
/// assert_eq!(l[0][0], 2.0);
/// ```
pub fn cholesky(a: &Voigt6x6) -> Result<Voigt6x6, PivotFailure> {
    let mut l = zeros();
    for j in 0..6 {
        let pivot = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        let threshold = PIVOT_RELATIVE_TOLERANCE * a[j][j].abs();
        if pivot.is_nan() || pivot <= threshold {
            return Err(PivotFailure {
                index: j,
                pivot,
                diagonal: a[j][j],
            });
        }
        let ljj = pivot.sqrt();
        l[j][j] = ljj;
        for i in (j + 1)..6 {
            let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = s / ljj;
        }
    }
    Ok(l)
}

/// Inverse of a symmetric positive definite matrix via its Cholesky factor
/// (for example the compliance `S = D⁻¹`, 1/MPa, of a stiffness `D`, MPa).
/// The result is exactly symmetric.
///
/// # Errors
/// [`PivotFailure`] when `a` is not positive definite (see [`cholesky`]).
pub fn inverse_spd(a: &Voigt6x6) -> Result<Voigt6x6, PivotFailure> {
    let l = cholesky(a)?;
    let mut inv = zeros();
    for col in 0..6 {
        // Solve L y = e_col, then Lᵀ x = y.
        let mut y = [0.0; 6];
        for i in 0..6 {
            let rhs = if i == col { 1.0 } else { 0.0 };
            let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
            y[i] = (rhs - s) / l[i][i];
        }
        let mut x = [0.0; 6];
        for i in (0..6).rev() {
            let s: f64 = ((i + 1)..6).map(|k| l[k][i] * x[k]).sum();
            x[i] = (y[i] - s) / l[i][i];
        }
        for (row, &xi) in inv.iter_mut().zip(x.iter()) {
            row[col] = xi;
        }
    }
    Ok(symmetrize(&inv))
}

/// Check that a 6×6 stiffness (MPa) or compliance (1/MPa) is symmetric (within
/// [`SYMMETRY_RELATIVE_TOLERANCE`] relative to its largest entry), finite and positive
/// definite (Cholesky), naming the material `name` in any error.
///
/// # Errors
/// - [`MaterialError::NotSymmetric`] for the first asymmetric pair;
/// - [`MaterialError::NotPositiveDefinite`] with the failing pivot (index, Voigt component,
///   value) when the Cholesky factorisation breaks down, or naming a NaN/infinite entry.
///
/// ```
/// use osteon_material::{check_positive_definite, voigt::identity};
/// assert!(check_positive_definite("unit", &identity()).is_ok());
/// let mut d = identity();
/// d[3][3] = -1.0;
/// let err = check_positive_definite("broken", &d).unwrap_err();
/// assert!(err.to_string().contains("broken"));
/// assert!(err.to_string().contains("pivot 3 (xy)"));
/// ```
pub fn check_positive_definite(name: &str, d: &Voigt6x6) -> Result<(), MaterialError> {
    for (i, row) in d.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            if !x.is_finite() {
                return Err(MaterialError::NotPositiveDefinite {
                    material: name.to_string(),
                    detail: format!(
                        "entry ({i},{j}) ({}-{}) is {x}, not a finite number",
                        VOIGT_LABELS[i], VOIGT_LABELS[j]
                    ),
                });
            }
        }
    }
    if let Some((row, col)) = symmetry_violation(d, SYMMETRY_RELATIVE_TOLERANCE) {
        return Err(MaterialError::NotSymmetric {
            material: name.to_string(),
            row,
            col,
            upper: d[row][col],
            lower: d[col][row],
        });
    }
    cholesky(d)
        .map(|_| ())
        .map_err(|failure| MaterialError::NotPositiveDefinite {
            material: name.to_string(),
            detail: failure.to_string(),
        })
}

/// Determinant of a 3×3 matrix (cofactor expansion along the first row).
fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// Eigenvalues of a symmetric 3×3 matrix, ascending, in the matrix's units (MPa for a
/// stress, mm/mm for a strain).
///
/// Closed form: the trigonometric solution of the characteristic cubic (Smith 1961), with
/// q = tr(m)/3, p = ‖m − qI‖_F/√6 and φ = acos(det((m − qI)/p)/2)/3; a diagonal matrix
/// (off-diagonal terms below 1e-30 of the squared diagonal) is sorted directly. Only the
/// upper triangle is read.
pub fn symmetric_eigenvalues(m: [[f64; 3]; 3]) -> [f64; 3] {
    let p1 = m[0][1].powi(2) + m[0][2].powi(2) + m[1][2].powi(2);
    let q = (m[0][0] + m[1][1] + m[2][2]) / 3.0;
    if p1 <= 1e-30 * (m[0][0].abs() + m[1][1].abs() + m[2][2].abs()).powi(2) {
        let mut d = [m[0][0], m[1][1], m[2][2]];
        d.sort_by(f64::total_cmp);
        return d;
    }
    let p2 = (m[0][0] - q).powi(2) + (m[1][1] - q).powi(2) + (m[2][2] - q).powi(2) + 2.0 * p1;
    let p = (p2 / 6.0).sqrt();
    let b: [[f64; 3]; 3] = std::array::from_fn(|i| {
        std::array::from_fn(|j| (m[i][j] - if i == j { q } else { 0.0 }) / p)
    });
    let r = (det3(&b) / 2.0).clamp(-1.0, 1.0);
    let phi = r.acos() / 3.0;
    let e1 = q + 2.0 * p * phi.cos();
    let e3 = q + 2.0 * p * (phi + 2.0 * std::f64::consts::PI / 3.0).cos();
    let e2 = 3.0 * q - e1 - e3;
    [e3, e2, e1]
}

/// Principal values, ascending, of a symmetric tensor in osteon's Voigt order (xx, yy, zz,
/// xy, yz, xz), in the tensor's units (MPa for a stress, mm/mm for a strain).
/// `engineering_shear`: the shear entries are engineering strains γ = 2ε and are halved
/// (strains); `false` for stresses, whose shear entries are the tensor components.
pub fn principal_values(v: &[f64; 6], engineering_shear: bool) -> [f64; 3] {
    let f = if engineering_shear { 0.5 } else { 1.0 };
    symmetric_eigenvalues([
        [v[0], f * v[3], f * v[5]],
        [f * v[3], v[1], f * v[4]],
        [f * v[5], f * v[4], v[2]],
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spd_example() -> Voigt6x6 {
        // A = B Bᵀ + I with a fixed B: symmetric positive definite by construction.
        let mut b = zeros();
        for (i, row) in b.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = ((i * 7 + j * 3) % 5) as f64 - 2.0;
            }
        }
        let mut a = mat_mul(&b, &transpose(&b));
        for (i, row) in a.iter_mut().enumerate() {
            row[i] += 1.0;
        }
        a
    }

    #[test]
    fn cholesky_reconstructs_matrix() {
        let a = spd_example();
        let l = cholesky(&a).unwrap();
        let llt = mat_mul(&l, &transpose(&l));
        for i in 0..6 {
            for j in 0..6 {
                assert!((llt[i][j] - a[i][j]).abs() < 1e-12, "({i},{j})");
            }
        }
    }

    #[test]
    fn inverse_times_matrix_is_identity() {
        let a = spd_example();
        let inv = inverse_spd(&a).unwrap();
        let p = mat_mul(&a, &inv);
        let id = identity();
        for i in 0..6 {
            for j in 0..6 {
                assert!(
                    (p[i][j] - id[i][j]).abs() < 1e-10,
                    "({i},{j}) = {}",
                    p[i][j]
                );
            }
        }
    }

    #[test]
    fn cholesky_reports_failing_pivot() {
        let mut a = identity();
        a[2][2] = -1.0;
        let err = cholesky(&a).unwrap_err();
        assert_eq!(err.index, 2);
        assert_eq!(err.pivot, -1.0);
        assert!(err.to_string().contains("(zz)"));
        // A singular matrix (two equal rows) also fails, at the second of them.
        let mut s = identity();
        s[0][1] = 1.0;
        s[1][0] = 1.0;
        assert_eq!(cholesky(&s).unwrap_err().index, 1);
        // NaN fails.
        let mut n = identity();
        n[4][4] = f64::NAN;
        assert_eq!(cholesky(&n).unwrap_err().index, 4);
    }

    #[test]
    fn symmetry_violation_finds_pair() {
        let mut a = identity();
        assert_eq!(symmetry_violation(&a, 1e-9), None);
        a[1][4] = 1e-3;
        assert_eq!(symmetry_violation(&a, 1e-9), Some((1, 4)));
        a[4][1] = 1e-3 + 1e-12;
        assert_eq!(symmetry_violation(&a, 1e-9), None);
    }

    #[test]
    fn mat_vec_matches_hand_product() {
        let a = spd_example();
        let v = [1.0, -2.0, 0.5, 0.0, 3.0, -1.0];
        let r = mat_vec(&a, &v);
        for i in 0..6 {
            let expected: f64 = (0..6).map(|k| a[i][k] * v[k]).sum();
            assert_eq!(r[i], expected);
        }
    }

    fn close3(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
        a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn diagonal_tensor_eigenvalues_are_its_sorted_diagonal() {
        let d = symmetric_eigenvalues([[-1.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 2.0]]);
        assert_eq!(d, [-1.0, 2.0, 4.0]);
        // uniaxial stress σ_zz = 10 MPa
        assert_eq!(
            principal_values(&[0.0, 0.0, 10.0, 0.0, 0.0, 0.0], false),
            [0.0, 0.0, 10.0]
        );
    }

    #[test]
    fn rotated_diagonal_tensor_keeps_its_eigenvalues() {
        // R diag(1, 3, 5) Rᵀ with R a rotation by θ about z: the xy block becomes
        // [[c²·1 + s²·3, c·s·(1 − 3)], [·, s²·1 + c²·3]].
        let t = 0.3f64;
        let (c, s) = (t.cos(), t.sin());
        let (a, b) = (1.0, 3.0);
        let m = [
            [c * c * a + s * s * b, c * s * (a - b), 0.0],
            [c * s * (a - b), s * s * a + c * c * b, 0.0],
            [0.0, 0.0, 5.0],
        ];
        assert!(close3(symmetric_eigenvalues(m), [1.0, 3.0, 5.0], 1e-12));
        // the same as a Voigt stress (tensor shear) and a Voigt strain (engineering shear)
        let sigma = [m[0][0], m[1][1], m[2][2], m[0][1], 0.0, 0.0];
        assert!(close3(
            principal_values(&sigma, false),
            [1.0, 3.0, 5.0],
            1e-12
        ));
        let eps = [m[0][0], m[1][1], m[2][2], 2.0 * m[0][1], 0.0, 0.0];
        assert!(close3(principal_values(&eps, true), [1.0, 3.0, 5.0], 1e-12));
        // [[2, 1], [1, 2]] ⊕ 5: eigenvalues 1, 3, 5
        let e = symmetric_eigenvalues([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]]);
        assert!(close3(e, [1.0, 3.0, 5.0], 1e-12), "{e:?}");
    }

    #[test]
    fn pure_shear_has_principal_values_plus_minus_tau() {
        // stress τ_yz = 7 MPa → ±7, 0
        let p = principal_values(&[0.0, 0.0, 0.0, 0.0, 7.0, 0.0], false);
        assert!(close3(p, [-7.0, 0.0, 7.0], 1e-12), "{p:?}");
        // engineering shear strain γ_xy = 2e-3 → ε = ±1e-3, 0
        let p = principal_values(&[0.0, 0.0, 0.0, 2e-3, 0.0, 0.0], true);
        assert!(close3(p, [-1e-3, 0.0, 1e-3], 1e-15), "{p:?}");
    }

    #[test]
    fn full_symmetric_matrix_keeps_trace_and_determinant() {
        let m = [[3.0, -1.0, 0.5], [-1.0, 2.0, 0.25], [0.5, 0.25, -4.0]];
        let e = symmetric_eigenvalues(m);
        assert!((e.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((e[0] * e[1] * e[2] - det3(&m)).abs() < 1e-10);
        assert!(e[0] <= e[1] && e[1] <= e[2]);
    }
}
