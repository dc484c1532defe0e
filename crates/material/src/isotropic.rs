//! Isotropic linear elasticity: two constants, Young's modulus E (MPa) and Poisson's
//! ratio ν.

use crate::error::{require_finite, require_positive};
use crate::{ElasticLaw, MaterialError, Voigt6x6};

/// Isotropic linear elastic law (Hooke's law), `σ = D ε`.
///
/// With the Lamé constants
///
/// - μ = G = E / (2(1 + ν))                (MPa)
/// - λ = E ν / ((1 + ν)(1 − 2ν))           (MPa)
///
/// the stiffness in Voigt order xx, yy, zz, xy, yz, xz with engineering shear strains is
///
/// ```text
///       ⎡λ+2μ  λ    λ    0 0 0⎤
///       ⎢ λ   λ+2μ  λ    0 0 0⎥
///   D = ⎢ λ    λ   λ+2μ  0 0 0⎥      (MPa)
///       ⎢ 0    0    0    μ 0 0⎥
///       ⎢ 0    0    0    0 μ 0⎥
///       ⎣ 0    0    0    0 0 μ⎦
/// ```
///
/// It is positive definite exactly when E > 0 and −1 < ν < 0.5 (ν = 0.5 is
/// incompressible: λ is infinite). [`IsotropicElastic::new`] enforces that.
///
/// ```
/// use osteon_material::IsotropicElastic;
/// // Cortical bone default, biomechanics.md §3.1 (Reilly & Burstein 1975).
/// let bone = IsotropicElastic::new(17000.0, 0.3)?;
/// let d = bone.stiffness();
/// assert!((d[3][3] - 17000.0 / 2.6).abs() < 1e-9); // μ on the shear diagonal
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct IsotropicElastic {
    /// Young's modulus E (MPa).
    pub e: f64,
    /// Poisson's ratio ν (dimensionless), −1 < ν < 0.5.
    pub nu: f64,
}

impl IsotropicElastic {
    /// Build the law from Young's modulus `e` (MPa) and Poisson's ratio `nu`.
    ///
    /// # Errors
    /// - [`MaterialError::InvalidParameter`] when `e` is not finite and positive or `nu`
    ///   is not finite;
    /// - [`MaterialError::NotPositiveDefinite`] (naming the law and its constants) when
    ///   ν ∉ (−1, 0.5).
    pub fn new(e: f64, nu: f64) -> Result<Self, MaterialError> {
        let law = Self { e, nu };
        law.validate()?;
        Ok(law)
    }

    /// Re-check the constants (the fields are public and may have been edited).
    ///
    /// # Errors
    /// As [`IsotropicElastic::new`].
    pub fn validate(&self) -> Result<(), MaterialError> {
        require_positive("E", self.e)?;
        require_finite("nu", self.nu)?;
        if !(self.nu > -1.0 && self.nu < 0.5) {
            return Err(MaterialError::NotPositiveDefinite {
                material: self.describe(),
                detail: format!(
                    "Poisson's ratio nu = {} must satisfy -1 < nu < 0.5 \
                     (nu = 0.5 is incompressible, the bulk modulus is infinite)",
                    self.nu
                ),
            });
        }
        Ok(())
    }

    /// Human-readable description with the constants, used in error messages.
    pub fn describe(&self) -> String {
        format!("isotropic elastic (E = {} MPa, nu = {})", self.e, self.nu)
    }

    /// Shear modulus μ = G = E / (2(1 + ν)) (MPa).
    pub fn shear_modulus(&self) -> f64 {
        self.e / (2.0 * (1.0 + self.nu))
    }

    /// First Lamé constant λ = E ν / ((1 + ν)(1 − 2ν)) (MPa).
    pub fn lame_lambda(&self) -> f64 {
        self.e * self.nu / ((1.0 + self.nu) * (1.0 - 2.0 * self.nu))
    }

    /// Bulk modulus K = E / (3(1 − 2ν)) (MPa).
    pub fn bulk_modulus(&self) -> f64 {
        self.e / (3.0 * (1.0 - 2.0 * self.nu))
    }

    /// Stiffness D (MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear
    /// (see the type docs for the Lamé form).
    pub fn stiffness(&self) -> Voigt6x6 {
        let mu = self.shear_modulus();
        let lambda = self.lame_lambda();
        let mut d = [[0.0; 6]; 6];
        for (i, row) in d.iter_mut().enumerate().take(3) {
            for (j, x) in row.iter_mut().enumerate().take(3) {
                *x = if i == j { lambda + 2.0 * mu } else { lambda };
            }
        }
        for (i, row) in d.iter_mut().enumerate().skip(3) {
            row[i] = mu;
        }
        d
    }

    /// Compliance S = D⁻¹ (1/MPa) in closed form: 1/E on the normal diagonal, −ν/E off
    /// it, 1/G = 2(1 + ν)/E on the shear diagonal (engineering shear strain).
    pub fn compliance(&self) -> Voigt6x6 {
        let mut s = [[0.0; 6]; 6];
        for (i, row) in s.iter_mut().enumerate().take(3) {
            for (j, x) in row.iter_mut().enumerate().take(3) {
                *x = if i == j {
                    1.0 / self.e
                } else {
                    -self.nu / self.e
                };
            }
        }
        let inv_g = 1.0 / self.shear_modulus();
        for (i, row) in s.iter_mut().enumerate().skip(3) {
            row[i] = inv_g;
        }
        s
    }
}

impl ElasticLaw for IsotropicElastic {
    fn stiffness(&self) -> Voigt6x6 {
        Self::stiffness(self)
    }
}
