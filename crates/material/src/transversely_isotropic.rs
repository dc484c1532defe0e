//! Transversely isotropic linear elasticity: isotropic in the 1-2 plane, axis 3 (= z,
//! the tibial long axis, biomechanics.md §1) is the symmetry axis. Five independent
//! constants.
//!
//! Material axes coincide with the global axes for now (a later issue may add material
//! orientations).

use crate::error::{require_finite, require_positive};
use crate::{ElasticLaw, MaterialError, OrthotropicElastic, Voigt6x6};

/// Transversely isotropic linear elastic law, symmetry axis 3 = z, names as in the Abaqus
/// manual ("p" = in the plane of isotropy 1-2, "t" = transverse to it, along axis 3).
///
/// | field   | meaning                                   | orthotropic equivalent |
/// |---------|-------------------------------------------|------------------------|
/// | `e_p`   | in-plane Young's modulus (MPa)            | E1 = E2                |
/// | `e_t`   | axial Young's modulus (MPa)               | E3                     |
/// | `nu_p`  | in-plane Poisson's ratio                  | ν12                    |
/// | `nu_pt` | ε3 = −ν_pt σ1 / E_p (Abaqus ν13)          | ν13 = ν23              |
/// | `g_t`   | shear modulus in planes containing axis 3 | G13 = G23              |
///
/// Derived: the in-plane shear modulus is fixed by isotropy of the 1-2 plane,
/// G12 = G_p = E_p / (2(1 + ν_p)) ([`TransverselyIsotropicElastic::g_p`]); the reverse
/// Poisson's ratio is ν_tp = ν31 = ν_pt · E_t / E_p ([`TransverselyIsotropicElastic::nu_tp`]).
///
/// The stiffness is that of the equivalent [`OrthotropicElastic`]
/// ([`TransverselyIsotropicElastic::to_orthotropic`]).
///
/// ```
/// use osteon_material::TransverselyIsotropicElastic;
/// let law = TransverselyIsotropicElastic::new(11500.0, 17000.0, 0.5, 0.31, 3300.0)?;
/// let d = law.stiffness();
/// assert!((d[3][3] - 11500.0 / 3.0).abs() < 1e-9); // G12 = E_p / (2(1 + ν_p))
/// assert_eq!(d[4][4], 3300.0); // yz
/// assert_eq!(d[5][5], 3300.0); // xz
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TransverselyIsotropicElastic {
    /// In-plane Young's modulus E_p = E1 = E2 (MPa).
    pub e_p: f64,
    /// Axial (transverse-to-plane) Young's modulus E_t = E3 (MPa).
    pub e_t: f64,
    /// In-plane Poisson's ratio ν_p = ν12.
    pub nu_p: f64,
    /// Poisson's ratio ν_pt = ν13 = ν23 in the Abaqus sense: ε3 = −ν_pt σ1 / E_p.
    pub nu_pt: f64,
    /// Shear modulus G_t = G13 = G23 (MPa) in the planes containing the symmetry axis.
    pub g_t: f64,
}

impl TransverselyIsotropicElastic {
    /// Build the law from `e_p` (MPa), `e_t` (MPa), `nu_p`, `nu_pt` (Abaqus ν13) and `g_t`
    /// (MPa); see the type docs.
    ///
    /// # Errors
    /// - [`MaterialError::InvalidParameter`] when a modulus is not finite and positive or a
    ///   Poisson's ratio is not finite;
    /// - [`MaterialError::NotPositiveDefinite`] (naming the law and its constants) when the
    ///   compliance is not positive definite.
    pub fn new(e_p: f64, e_t: f64, nu_p: f64, nu_pt: f64, g_t: f64) -> Result<Self, MaterialError> {
        let law = Self {
            e_p,
            e_t,
            nu_p,
            nu_pt,
            g_t,
        };
        law.validate()?;
        Ok(law)
    }

    /// Re-check the constants (the fields are public and may have been edited).
    ///
    /// # Errors
    /// As [`TransverselyIsotropicElastic::new`].
    pub fn validate(&self) -> Result<(), MaterialError> {
        require_positive("E_p", self.e_p)?;
        require_positive("E_t", self.e_t)?;
        require_finite("nu_p", self.nu_p)?;
        require_finite("nu_pt", self.nu_pt)?;
        require_positive("G_t", self.g_t)?;
        if !(self.nu_p > -1.0 && self.nu_p < 1.0) {
            // G_p = E_p / (2(1 + ν_p)) must be positive and 1 − ν_p² > 0.
            return Err(MaterialError::NotPositiveDefinite {
                material: self.describe(),
                detail: format!(
                    "in-plane Poisson's ratio nu_p = {} must satisfy -1 < nu_p < 1",
                    self.nu_p
                ),
            });
        }
        self.to_orthotropic().validate().map_err(|err| match err {
            MaterialError::NotPositiveDefinite { detail, .. } => {
                MaterialError::NotPositiveDefinite {
                    material: self.describe(),
                    detail,
                }
            }
            other => other,
        })
    }

    /// Human-readable description with the constants, used in error messages.
    pub fn describe(&self) -> String {
        format!(
            "transversely isotropic elastic (axis 3; E_p = {} MPa, E_t = {} MPa, nu_p = {}, \
             nu_pt = {}, G_t = {} MPa)",
            self.e_p, self.e_t, self.nu_p, self.nu_pt, self.g_t
        )
    }

    /// In-plane shear modulus G_p = G12 = E_p / (2(1 + ν_p)) (MPa).
    pub fn g_p(&self) -> f64 {
        self.e_p / (2.0 * (1.0 + self.nu_p))
    }

    /// Reverse Poisson's ratio ν_tp = ν31 = ν32 = ν_pt · E_t / E_p
    /// (ε1 = −ν_tp σ3 / E_t).
    pub fn nu_tp(&self) -> f64 {
        self.nu_pt * self.e_t / self.e_p
    }

    /// The same law as nine orthotropic engineering constants:
    /// E1 = E2 = E_p, E3 = E_t, ν12 = ν_p, ν13 = ν23 = ν_pt, G12 = G_p, G13 = G23 = G_t.
    pub fn to_orthotropic(&self) -> OrthotropicElastic {
        OrthotropicElastic {
            e1: self.e_p,
            e2: self.e_p,
            e3: self.e_t,
            nu12: self.nu_p,
            nu13: self.nu_pt,
            nu23: self.nu_pt,
            g12: self.g_p(),
            g13: self.g_t,
            g23: self.g_t,
        }
    }

    /// Stiffness D (MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear.
    pub fn stiffness(&self) -> Voigt6x6 {
        self.to_orthotropic().stiffness()
    }

    /// Compliance S = D⁻¹ (1/MPa), closed form (see [`OrthotropicElastic`]).
    pub fn compliance(&self) -> Voigt6x6 {
        self.to_orthotropic().compliance()
    }
}

impl ElasticLaw for TransverselyIsotropicElastic {
    fn stiffness(&self) -> Voigt6x6 {
        Self::stiffness(self)
    }
}
