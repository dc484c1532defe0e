//! The homogenisation law E/E_s = C·(ρ/ρ_s)ⁿ fitted to computed points.

use crate::LatticeError;

/// A power law E/E_s = C·(ρ/ρ_s)ⁿ fitted by least squares in log–log.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerLaw {
    /// Prefactor C (1).
    pub c: f64,
    /// Exponent n (1).
    pub n: f64,
    /// Largest |log(fit / point)| over the points (1; natural log).
    pub max_log_error: f64,
}

impl PowerLaw {
    /// Fits `points` = (ρ/ρ_s, E/E_s) pairs; at least two with distinct densities.
    ///
    /// # Errors
    /// [`LatticeError::OutOfRange`] for fewer than two distinct points or a value ≤ 0.
    pub fn fit(points: &[(f64, f64)]) -> Result<Self, LatticeError> {
        if let Some(&(x, y)) = points.iter().find(|(x, y)| !(*x > 0.0 && *y > 0.0)) {
            return Err(LatticeError::OutOfRange {
                name: "fit point",
                value: x.min(y),
                range: "positive relative density and modulus",
            });
        }
        let m = points.len() as f64;
        let (lx, ly): (Vec<f64>, Vec<f64>) = points.iter().map(|(x, y)| (x.ln(), y.ln())).unzip();
        let mx = lx.iter().sum::<f64>() / m;
        let my = ly.iter().sum::<f64>() / m;
        let sxx: f64 = lx.iter().map(|x| (x - mx).powi(2)).sum();
        if points.len() < 2 || sxx <= 1e-24 {
            return Err(LatticeError::OutOfRange {
                name: "fit points",
                value: points.len() as f64,
                range: "at least two distinct relative densities",
            });
        }
        let sxy: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
        let n = sxy / sxx;
        let log_c = my - n * mx;
        let max_log_error = lx
            .iter()
            .zip(&ly)
            .map(|(x, y)| (log_c + n * x - y).abs())
            .fold(0.0, f64::max);
        Ok(Self {
            c: log_c.exp(),
            n,
            max_log_error,
        })
    }

    /// E/E_s at relative density `rho` (1).
    pub fn relative_modulus(&self, rho: f64) -> f64 {
        self.c * rho.powf(self.n)
    }
}
