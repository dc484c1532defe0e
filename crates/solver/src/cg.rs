//! [`ConjugateGradient`]: Jacobi-preconditioned conjugate gradients on a [`SymmetricCsr`].

use rayon::prelude::*;

use crate::csr::{SpmvPlan, SymmetricCsr};
use crate::error::SolverError;
use crate::ordering::UnknownGroups;
use crate::parallel::{ThreadContext, dot, norm};
use crate::traits::{LinearSolver, SolveReport};

/// Entries per chunk of the parallel vector updates.
const UPDATE_CHUNK: usize = 16_384;

/// A search direction p along which the Jacobi-scaled Rayleigh quotient
/// μ = pᵀAp / pᵀDp (D = diag A) is at most this fraction of the largest μ met so far (an
/// estimate of λ_max(D⁻¹A)) lies in the null space of A: the matrix is singular. For an SPD
/// matrix μ ≥ λ_min(D⁻¹A), so only a condition number above 1e12 — beyond what the
/// iteration could resolve in double precision anyway — could be mistaken for singular; a
/// true null direction gives μ at round-off level, 1e-16 and below.
const SINGULAR_RAYLEIGH: f64 = 1e-12;

/// Options of [`ConjugateGradient`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CgOptions {
    /// Stop when `||b - A x|| / ||b|| <= rel_tol`.
    pub rel_tol: f64,
    /// Iteration limit; reaching it gives [`SolverError::NotConverged`].
    pub max_iter: usize,
    /// Threads, from the rayon pool the caller runs in: `1` sequential, `k > 1` work split
    /// into `k` parts, `0` every thread of that pool (no pool of its own).
    pub threads: usize,
}

impl Default for CgOptions {
    /// `rel_tol = 1e-10`, `max_iter = 10 000`, every thread of the caller's pool (`threads:
    /// 0`, as the analyses default to).
    fn default() -> Self {
        Self {
            rel_tol: 1e-10,
            max_iter: 10_000,
            threads: 0,
        }
    }
}

/// Jacobi-preconditioned conjugate gradients implementing [`LinearSolver`].
///
/// * `analyse` records the pattern (nothing else: no ordering or fill);
/// * `factorise` builds the inverse diagonal and fails with
///   [`SolverError::NotPositiveDefinite`] when a diagonal entry is `<= 0` (that unknown is
///   unconstrained);
/// * `solve` iterates from `x = 0` until the recurrence residual reaches `rel_tol`, then
///   confirms with the true residual `||b - A x|| / ||b||` (restarting from the current
///   iterate if round-off made the two drift apart).
///
/// A singular matrix (a rigid-body mode or mechanism left free) whose right-hand side has a
/// component in the null space (a load on the free part) has no solution: the iterates
/// would grow along the null space without bound. `solve` detects it and returns
/// [`SolverError::NotPositiveDefinite`] instead, when pᵀAp ≤ 0 along a search direction p
/// or when the Jacobi-scaled Rayleigh quotient pᵀAp / pᵀDp (D = diag A, `pivot` in the
/// error) drops below 1e-12 times the largest one met (CG's search directions become null
/// vectors once the rest of the residual is resolved). `unknown` is then the unknown that
/// moves most (D-weighted) along p: one of the unknowns of the free mode. pᵀDp is carried by
/// the recurrence ‖p_k‖²_D = rₖᵀzₖ + β² ‖p_{k−1}‖²_D, so the check costs no extra pass
/// over the vectors (the true value is computed only to confirm a detection). A singular
/// system whose right-hand side has no null-space component (a self-equilibrated load on a
/// free part) is consistent: CG then converges to one of its solutions — the one without a
/// null-space component — and does not report it.
///
/// All reductions are summed in fixed chunks, so results are reproducible for a given input
/// whatever the thread count.
///
/// # Examples
/// ```
/// use osteon_solver::{CgOptions, ConjugateGradient, LinearSolver, SymmetricCsr};
/// let a = SymmetricCsr::from_triplets(3, &[(0, 0, 4.0), (0, 1, 1.0), (1, 1, 3.0), (2, 2, 2.0)])?;
/// let mut cg = ConjugateGradient::new(CgOptions::default());
/// cg.analyse(&a, None)?;
/// cg.factorise(&a)?;
/// let mut x = vec![0.0; 3];
/// let report = cg.solve(&a, &[5.0, 4.0, 2.0], &mut x)?;
/// assert!(report.relative_residual <= 1e-10);
/// assert!((x[0] - 1.0).abs() < 1e-9 && (x[1] - 1.0).abs() < 1e-9 && (x[2] - 1.0).abs() < 1e-9);
/// # Ok::<(), osteon_solver::SolverError>(())
/// ```
#[derive(Debug)]
pub struct ConjugateGradient {
    options: CgOptions,
    ctx: ThreadContext,
    pattern: Option<(usize, usize, u64)>,
    inv_diagonal: Vec<f64>,
    factorised: bool,
}

impl ConjugateGradient {
    /// A solver with the given options.
    pub fn new(options: CgOptions) -> Self {
        Self {
            options,
            ctx: ThreadContext::new(options.threads),
            pattern: None,
            inv_diagonal: Vec::new(),
            factorised: false,
        }
    }

    /// The options the solver was built with.
    pub fn options(&self) -> CgOptions {
        self.options
    }
}

impl LinearSolver for ConjugateGradient {
    fn analyse(
        &mut self,
        a: &SymmetricCsr,
        groups: Option<&UnknownGroups>,
    ) -> Result<(), SolverError> {
        if let Some(groups) = groups {
            groups.validate(a.n())?;
        }
        self.pattern = Some((a.n(), a.nnz_stored(), a.pattern_fingerprint()));
        self.factorised = false;
        Ok(())
    }

    fn factorise(&mut self, a: &SymmetricCsr) -> Result<(), SolverError> {
        self.factorised = false;
        let (n, nnz, fingerprint) = self.pattern.ok_or(SolverError::NotAnalysed)?;
        if a.n() != n {
            return Err(SolverError::DimensionMismatch {
                what: "matrix dimension",
                expected: n,
                found: a.n(),
            });
        }
        if a.nnz_stored() != nnz || a.pattern_fingerprint() != fingerprint {
            return Err(SolverError::PatternChanged {
                detail: "the pattern differs from the analysed one".into(),
            });
        }
        if let Some((row, col, value)) = a.first_non_finite() {
            return Err(SolverError::NonFiniteValue { row, col, value });
        }
        let diagonal = a.diagonal();
        if let Some(k) = diagonal.iter().position(|&d| d <= 0.0) {
            return Err(SolverError::NotPositiveDefinite {
                unknown: k,
                pivot: diagonal[k],
            });
        }
        self.inv_diagonal = diagonal.iter().map(|d| 1.0 / d).collect();
        self.factorised = true;
        Ok(())
    }

    fn solve(
        &mut self,
        a: &SymmetricCsr,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<SolveReport, SolverError> {
        let (n, nnz, _) = self.pattern.ok_or(SolverError::NotAnalysed)?;
        if !self.factorised {
            return Err(SolverError::NotFactorised);
        }
        for (what, expected, found) in [
            ("matrix dimension", n, a.n()),
            ("matrix stored entries", nnz, a.nnz_stored()),
            ("right-hand side", n, b.len()),
            ("solution", n, x.len()),
        ] {
            if expected != found {
                return Err(SolverError::DimensionMismatch {
                    what,
                    expected,
                    found,
                });
            }
        }
        let options = self.options;
        let inv_diagonal = &self.inv_diagonal;
        self.ctx
            .run(|_, threads| pcg(a, b, x, inv_diagonal, options, threads))
    }

    fn name(&self) -> &'static str {
        "jacobi-pcg"
    }
}

/// Jacobi-PCG from `x = 0`; runs inside the solver's thread context.
fn pcg(
    a: &SymmetricCsr,
    b: &[f64],
    x: &mut [f64],
    inv_diagonal: &[f64],
    options: CgOptions,
    threads: usize,
) -> Result<SolveReport, SolverError> {
    let n = b.len();
    x.fill(0.0);
    let b_norm = norm(b, threads);
    if b_norm == 0.0 {
        return Ok(SolveReport {
            relative_residual: 0.0,
            iterations: 0,
        });
    }
    let mut plan = SpmvPlan::new(a, threads);
    let mut r = b.to_vec();
    let mut z = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut q = vec![0.0; n];
    let mut iterations = 0usize;
    // largest Jacobi-scaled Rayleigh quotient pᵀAp / pᵀDp met: an estimate of λ_max(D⁻¹A)
    let mut mu_max = 0.0f64;
    // Each pass restarts from the true residual of the current iterate; normally one pass
    // suffices and a second only confirms convergence lost to round-off drift.
    let mut relative_residual;
    loop {
        apply(threads, &mut z, |i0, zc| {
            for (k, zi) in zc.iter_mut().enumerate() {
                *zi = r[i0 + k] * inv_diagonal[i0 + k];
            }
        });
        p.copy_from_slice(&z);
        let mut rz = dot(&r, &z, threads);
        // pᵀDp for p = z = D⁻¹r is rᵀD⁻¹r = rz
        let mut p_d = rz;
        relative_residual = norm(&r, threads) / b_norm;
        while relative_residual > options.rel_tol && iterations < options.max_iter {
            a.mul_vec_planned(&p, &mut q, &mut plan);
            let pq = dot(&p, &q, threads);
            if pq.is_nan() || pq <= 0.0 {
                // pᵀ A p <= 0: A is not positive definite along p; name its largest component.
                let unknown = (0..n)
                    .max_by(|&i, &j| p[i].abs().total_cmp(&p[j].abs()))
                    .unwrap_or(0);
                return Err(SolverError::NotPositiveDefinite { unknown, pivot: pq });
            }
            let mu = pq / p_d;
            if mu <= SINGULAR_RAYLEIGH * mu_max {
                // confirm with the true pᵀDp (the recurrence only approximates it)
                let weighted = |i: usize| p[i] * p[i] / inv_diagonal[i];
                let p_d_true: f64 = (0..n).map(weighted).sum();
                let mu = pq / p_d_true;
                if mu <= SINGULAR_RAYLEIGH * mu_max {
                    // p is a null vector of A: name the unknown that moves most along it
                    let unknown = (0..n)
                        .max_by(|&i, &j| weighted(i).total_cmp(&weighted(j)))
                        .unwrap_or(0);
                    return Err(SolverError::NotPositiveDefinite { unknown, pivot: mu });
                }
            }
            mu_max = mu_max.max(mu);
            let alpha = rz / pq;
            apply(threads, x, |i0, xc| {
                for (k, xi) in xc.iter_mut().enumerate() {
                    *xi += alpha * p[i0 + k];
                }
            });
            apply(threads, &mut r, |i0, rc| {
                for (k, ri) in rc.iter_mut().enumerate() {
                    *ri -= alpha * q[i0 + k];
                }
            });
            iterations += 1;
            relative_residual = norm(&r, threads) / b_norm;
            if relative_residual <= options.rel_tol {
                break;
            }
            apply(threads, &mut z, |i0, zc| {
                for (k, zi) in zc.iter_mut().enumerate() {
                    *zi = r[i0 + k] * inv_diagonal[i0 + k];
                }
            });
            let rz_new = dot(&r, &z, threads);
            let beta = rz_new / rz;
            rz = rz_new;
            p_d = rz + beta * beta * p_d;
            apply(threads, &mut p, |i0, pc| {
                for (k, pi) in pc.iter_mut().enumerate() {
                    *pi = z[i0 + k] + beta * *pi;
                }
            });
        }
        // The true residual r = b - A x.
        a.mul_vec_planned(x, &mut q, &mut plan);
        apply(threads, &mut r, |i0, rc| {
            for (k, ri) in rc.iter_mut().enumerate() {
                *ri = b[i0 + k] - q[i0 + k];
            }
        });
        relative_residual = norm(&r, threads) / b_norm;
        if relative_residual <= options.rel_tol || iterations >= options.max_iter {
            break;
        }
    }
    if relative_residual <= options.rel_tol {
        Ok(SolveReport {
            relative_residual,
            iterations,
        })
    } else {
        Err(SolverError::NotConverged {
            iterations,
            relative_residual,
        })
    }
}

/// Runs `f(first_index, chunk)` over fixed chunks of `out`, in parallel when `threads > 1`.
fn apply(threads: usize, out: &mut [f64], f: impl Fn(usize, &mut [f64]) + Sync + Send) {
    if threads <= 1 {
        f(0, out);
    } else {
        out.par_chunks_mut(UPDATE_CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| f(c * UPDATE_CHUNK, chunk));
    }
}
