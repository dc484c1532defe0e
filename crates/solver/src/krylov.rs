//! Flexible GMRES (Saad 1993) with a given preconditioner, restarted: for a non-symmetric
//! matrix that is a small perturbation of one with a factorisation — the consistent slip
//! tangent of contact `K_sym + N` (one rank-one block per slipping node) preconditioned with
//! the Cholesky factor of `K_sym`, in the whole space or on the interface of
//! [`crate::InterfaceCholesky`].

/// Outcome of a GMRES solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GmresReport {
    /// Krylov iterations (preconditioner applications beyond the initial one).
    pub iterations: usize,
    /// ‖b − A x‖ / ‖b‖ estimated by the Arnoldi recurrence (exact at restarts).
    pub relative_residual: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solve A x = b. `x` holds the start value on entry (e.g. the preconditioned right-hand
/// side). `apply(v, out)` computes A v, `precondition(v, out)` an approximation of A⁻¹ v.
/// Stops when the residual estimate falls to `rtol` × ‖b‖, or after `max_iterations`
/// iterations (restarted every `restart`): the report then carries the true relative
/// residual, and the caller decides whether it suffices.
///
/// # Errors
/// The preconditioner's error, passed on.
pub fn fgmres<E>(
    mut apply: impl FnMut(&[f64], &mut [f64]),
    mut precondition: impl FnMut(&[f64], &mut [f64]) -> Result<(), E>,
    b: &[f64],
    x: &mut [f64],
    rtol: f64,
    restart: usize,
    max_iterations: usize,
) -> Result<GmresReport, E> {
    let n = b.len();
    let b_norm = dot(b, b).sqrt();
    if b_norm == 0.0 {
        x.fill(0.0);
        return Ok(GmresReport {
            iterations: 0,
            relative_residual: 0.0,
        });
    }
    let m = restart.max(1);
    let mut iterations = 0;
    let mut r = vec![0.0; n];
    let mut w = vec![0.0; n];
    loop {
        apply(x, &mut r);
        for (ri, bi) in r.iter_mut().zip(b) {
            *ri = bi - *ri;
        }
        let beta = dot(&r, &r).sqrt();
        if beta <= rtol * b_norm || iterations >= max_iterations {
            return Ok(GmresReport {
                iterations,
                relative_residual: beta / b_norm,
            });
        }
        let mut v: Vec<Vec<f64>> = vec![r.iter().map(|ri| ri / beta).collect()];
        let mut z: Vec<Vec<f64>> = Vec::with_capacity(m);
        let mut h = vec![vec![0.0; m]; m + 1]; // h[i][j]
        let (mut cs, mut sn) = (vec![0.0; m], vec![0.0; m]);
        let mut g = vec![0.0; m + 1];
        g[0] = beta;
        let mut k = 0;
        while k < m && iterations < max_iterations {
            let mut zk = vec![0.0; n];
            precondition(&v[k], &mut zk)?;
            apply(&zk, &mut w);
            z.push(zk);
            iterations += 1;
            for i in 0..=k {
                let hik = dot(&w, &v[i]);
                h[i][k] = hik;
                for (wj, vj) in w.iter_mut().zip(&v[i]) {
                    *wj -= hik * vj;
                }
            }
            let hn = dot(&w, &w).sqrt();
            h[k + 1][k] = hn;
            for i in 0..k {
                let t = cs[i] * h[i][k] + sn[i] * h[i + 1][k];
                h[i + 1][k] = -sn[i] * h[i][k] + cs[i] * h[i + 1][k];
                h[i][k] = t;
            }
            let d = h[k][k].hypot(h[k + 1][k]);
            if d == 0.0 {
                break;
            }
            cs[k] = h[k][k] / d;
            sn[k] = h[k + 1][k] / d;
            h[k][k] = d;
            h[k + 1][k] = 0.0;
            g[k + 1] = -sn[k] * g[k];
            g[k] *= cs[k];
            k += 1;
            if g[k].abs() <= rtol * b_norm || hn == 0.0 {
                break;
            }
            v.push(w.iter().map(|wj| wj / hn).collect());
        }
        // back substitution and update x += Z y
        let mut y = vec![0.0; k];
        for i in (0..k).rev() {
            let s: f64 = (i + 1..k).map(|j| h[i][j] * y[j]).sum();
            y[i] = (g[i] - s) / h[i][i];
        }
        for (j, yj) in y.iter().enumerate() {
            for (xi, zi) in x.iter_mut().zip(&z[j]) {
                *xi += yj * zi;
            }
        }
        if g[k].abs() <= rtol * b_norm {
            return Ok(GmresReport {
                iterations,
                relative_residual: g[k].abs() / b_norm,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_nonsymmetric_system_with_a_symmetric_preconditioner() {
        // A = S + u vᵀ with S diagonal; preconditioner S⁻¹: converges in two iterations
        let n = 50;
        let s: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
        let u: Vec<f64> = (0..n).map(|i| (i as f64 * 0.3).sin()).collect();
        let vv: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).cos()).collect();
        let apply = |x: &[f64], out: &mut [f64]| {
            let d = dot(&vv, x);
            for i in 0..n {
                out[i] = s[i] * x[i] + u[i] * d;
            }
        };
        let pre = |x: &[f64], out: &mut [f64]| -> Result<(), ()> {
            for i in 0..n {
                out[i] = x[i] / s[i];
            }
            Ok(())
        };
        let b: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        let mut x = vec![0.0; n];
        let rep = fgmres(apply, pre, &b, &mut x, 1e-12, 30, 60).expect("no error");
        assert!(rep.iterations <= 3, "{rep:?}");
        let mut ax = vec![0.0; n];
        apply(&x, &mut ax);
        let err: f64 = ax
            .iter()
            .zip(&b)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err < 1e-10, "{err}");
    }
}
