//! Newton on the interface unknowns alone: the state of one Newton run condensed onto the
//! contact unknowns by the interface solver ([`osteon_solver::InterfaceCholesky`]).
//!
//! Only the interface block of the Newton matrix changes between iterations, and the contact
//! forces act on interface unknowns only, so the interior equations are linear:
//! `K_EE x_E + K_EC x_C = f_E − (Tᵀ K g)_E`. Eliminating them once leaves, for the change
//! `δ` from the run's start `x₀`,
//!
//! ```text
//! r_C(δ) = ρ_C − S_K δ_C − f_c,C(x₀ + δ),   ρ = condensed (f − Tᵀ K g − K x₀),
//! ```
//!
//! with `S_K = K_CC − K_CE K_EE⁻¹ K_EC` the elastic Schur complement. The Newton step
//! `(S_K + J) Δ_C = r_C` is the interface solver's dense solve (`J` the contact tangent, in
//! the update it holds); `S_K δ_C` is carried along without a dense product, since every
//! step satisfies `S_K Δ_C = r_C − J Δ_C` and `J` is a sum of small per-node terms. The
//! interior follows once, at the end: `δ_E = K_EE⁻¹ (ρ_E − K_EC δ_C)`, one backward
//! substitution.
//!
//! From the first step on, the iterates are those of Newton on the whole system: a step of
//! the whole system solves the interior equations exactly, so its interior residual is zero
//! after it, and its interface part is the condensed step. A run therefore costs one forward
//! and one backward substitution over the interior, and per iteration the contact law, the
//! interface factorisation and a dense solve on the `m` interface unknowns.

use osteon_solver::{CondensedRhs, InterfaceCholesky, SolverError};

/// The condensed state of one Newton run (see the module documentation).
pub(crate) struct Condensed {
    /// Free unknown of each local interface index (the solver's elimination order).
    interface: Vec<usize>,
    /// The run's start `x₀` (all free unknowns, interior consistent with it).
    x0: Vec<f64>,
    /// `ρ = f − Tᵀ K g − K x₀` after the forward substitution.
    rhs: CondensedRhs,
    /// `S_K δ_C` at the current iterate, local order.
    pub s: Vec<f64>,
    /// `‖f_E‖²`: the reduced loads off the interface, which the interior carries at every
    /// iterate (the internal force's norm in the convergence scale).
    f_interior_sq: f64,
}

impl Condensed {
    /// Condenses the run that starts at `x0` with reduced loads `f` and lifting `kg`; `kx`
    /// is `K x0`.
    ///
    /// # Errors
    /// The solver holding no reference factorisation.
    pub fn new(
        solver: &mut InterfaceCholesky,
        x0: &[f64],
        f: &[f64],
        kg: &[f64],
        kx: &[f64],
    ) -> Result<Self, SolverError> {
        let b: Vec<f64> = (0..x0.len()).map(|i| f[i] - kg[i] - kx[i]).collect();
        let rhs = solver.condense(&b)?;
        let interface = solver.interface().to_vec();
        let mut on_interface = vec![false; x0.len()];
        for &i in &interface {
            on_interface[i] = true;
        }
        let f_interior_sq = f
            .iter()
            .zip(&on_interface)
            .filter(|&(_, &inside)| !inside)
            .map(|(v, _)| v * v)
            .sum();
        Ok(Self {
            s: vec![0.0; interface.len()],
            interface,
            x0: x0.to_vec(),
            rhs,
            f_interior_sq,
        })
    }

    /// Free unknown of each local interface index.
    pub fn interface(&self) -> &[usize] {
        &self.interface
    }

    /// The residual at the iterate whose interface values are in `x` and whose `S_K δ_C` is
    /// `s` (local), with contact forces `fc` (reduced): a whole-length vector, zero off the
    /// interface (the interior is in equilibrium at every condensed iterate).
    pub fn residual(&self, s: &[f64], fc: &[f64]) -> Vec<f64> {
        let mut r = vec![0.0; self.x0.len()];
        for ((&i, rho), s) in self.interface.iter().zip(self.rhs.interface()).zip(s) {
            r[i] = rho - s - fc[i];
        }
        r
    }

    /// `‖K x + Tᵀ K g‖₂` at an iterate with residual `r` and contact forces `fc`: the
    /// interior carries `f_E`, the interface `f_C − f_c,C − r_C`.
    pub fn internal_norm(&self, f: &[f64], fc: &[f64], r: &[f64]) -> f64 {
        let interface_sq: f64 = self
            .interface
            .iter()
            .map(|&i| (f[i] - fc[i] - r[i]).powi(2))
            .sum();
        (self.f_interior_sq + interface_sq).sqrt()
    }

    /// `S_K Δ_C = r_C − (J Δ)_C` for the step `dx` just solved from the residual `r`
    /// (whole-length vectors; `j_dx` = `J dx`).
    pub fn schur_step(&self, r: &[f64], j_dx: &[f64]) -> Vec<f64> {
        self.interface.iter().map(|&i| r[i] - j_dx[i]).collect()
    }

    /// The whole iterate whose interface values are in `x`: the interior substituted.
    ///
    /// # Errors
    /// As [`InterfaceCholesky::expand`].
    pub fn whole(
        &self,
        solver: &mut InterfaceCholesky,
        x: &[f64],
    ) -> Result<Vec<f64>, SolverError> {
        let delta_c: Vec<f64> = self.interface.iter().map(|&i| x[i] - self.x0[i]).collect();
        let mut delta = vec![0.0; x.len()];
        solver.expand(self.rhs.clone(), &delta_c, &mut delta)?;
        Ok(self.x0.iter().zip(&delta).map(|(a, d)| a + d).collect())
    }

    /// The whole iterate at `x` and the largest change of any unknown, interior included,
    /// over the last step `alpha · dx` (`dx` zero off the interface); `before` is the whole
    /// iterate before that step when the caller kept it, else it is substituted too.
    ///
    /// # Errors
    /// As [`InterfaceCholesky::expand`].
    pub fn whole_and_correction(
        &self,
        solver: &mut InterfaceCholesky,
        x: &[f64],
        before: Option<Vec<f64>>,
        dx: &[f64],
        alpha: f64,
    ) -> Result<(Vec<f64>, f64), SolverError> {
        let now = self.whole(solver, x)?;
        let before = match before {
            Some(before) => before,
            None => {
                let x_before: Vec<f64> = x.iter().zip(dx).map(|(a, d)| a - alpha * d).collect();
                self.whole(solver, &x_before)?
            }
        };
        let correction = now
            .iter()
            .zip(&before)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        Ok((now, correction))
    }
}

/// `y += Σ_j B_jᵀ (S_j + C_j) B_j v`: the contact tangent `J` applied to `v` (free
/// unknowns), with the rows `B_j` of [`crate::system::term_rows`] (three per node) and the
/// nodes' 3 × 3 row-major matrices of [`crate::system::term_matrices`] (`coupling` may be
/// empty).
pub(crate) fn apply_terms(
    rows: &[Vec<(usize, f64)>],
    symmetric: &[f64],
    coupling: &[f64],
    v: &[f64],
    y: &mut [f64],
) {
    for (j, node_rows) in rows.chunks(3).enumerate() {
        let m = |a: usize, b: usize| {
            symmetric[9 * j + 3 * a + b] + coupling.get(9 * j + 3 * a + b).copied().unwrap_or(0.0)
        };
        if (0..9).all(|k| m(k / 3, k % 3) == 0.0) {
            continue;
        }
        let bv: [f64; 3] =
            std::array::from_fn(|a| node_rows[a].iter().map(|&(i, w)| w * v[i]).sum::<f64>());
        for (a, row) in node_rows.iter().enumerate() {
            let value: f64 = (0..3).map(|b| m(a, b) * bv[b]).sum();
            if value != 0.0 {
                for &(i, w) in row {
                    y[i] += w * value;
                }
            }
        }
    }
}
