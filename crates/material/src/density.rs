//! Bone density → Young's modulus relations for CT-based material mapping
//! (biomechanics.md §3.3).
//!
//! Densities here are apparent wet densities ρ in **g/cm³** (as in the source papers);
//! convert to the model's t/mm³ with [`g_per_cm3_to_t_per_mm3`] (1 g/cm³ = 1e-9 t/mm³).
//! Moduli are in MPa. Following biomechanics.md §3.3, densities from
//! [`hu_to_density`] are clamped to ρ ≥ 0.01 g/cm³ ([`MIN_DENSITY_G_PER_CM3`]) and
//! moduli to E ≥ 1 MPa ([`MIN_MODULUS_MPA`]), so that air or marrow voxels still give a
//! (very soft) positive definite element.
//!
//! ```
//! use osteon_material::density::{MorganSite, hu_to_density, morgan2003};
//! // Calibration phantom fit ρ = a + b·HU (inputs, not literature values).
//! let rho = hu_to_density(800.0, 0.0, 1e-3)?; // 0.8 g/cm³
//! let e = morgan2003(MorganSite::ProximalTibia, rho)?; // MPa
//! assert!((e - 15490.0 * 0.8_f64.powf(1.93)).abs() < 1e-9);
//! # Ok::<(), osteon_material::MaterialError>(())
//! ```

use crate::MaterialError;
use crate::error::{require_finite, require_non_negative};

/// Lower clamp for densities from CT, 0.01 g/cm³ (biomechanics.md §3.3).
pub const MIN_DENSITY_G_PER_CM3: f64 = 0.01;

/// Lower clamp for moduli from density, 1 MPa (biomechanics.md §3.3).
pub const MIN_MODULUS_MPA: f64 = 1.0;

/// 1 g/cm³ expressed in t/mm³ (biomechanics.md §1).
pub const G_PER_CM3_IN_T_PER_MM3: f64 = 1e-9;

/// Convert a density from g/cm³ to the model's t/mm³ (× 1e-9).
pub fn g_per_cm3_to_t_per_mm3(rho_g_per_cm3: f64) -> f64 {
    rho_g_per_cm3 * G_PER_CM3_IN_T_PER_MM3
}

/// Anatomic site of a Morgan, Bayraktar & Keaveny 2003 (J Biomech 36:897) power law
/// `E = a · ρ^b` (E in MPa, ρ apparent wet density in g/cm³). Values as tabulated in
/// Keaveny/Morgan/Yeh, "Bone Mechanics", Table 9.4 (biomechanics.md §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MorganSite {
    /// Proximal tibia: E = 15490 ρ^1.93 (r² 0.84) — osteon's default for the tibia.
    ProximalTibia,
    /// Vertebra: E = 4730 ρ^1.56.
    Vertebra,
    /// Greater trochanter: E = 15010 ρ^2.18.
    GreaterTrochanter,
    /// Femoral neck: E = 6850 ρ^1.49.
    FemoralNeck,
}

impl MorganSite {
    /// Coefficient `a` (MPa per (g/cm³)^b).
    pub fn coefficient(self) -> f64 {
        match self {
            Self::ProximalTibia => 15490.0,
            Self::Vertebra => 4730.0,
            Self::GreaterTrochanter => 15010.0,
            Self::FemoralNeck => 6850.0,
        }
    }

    /// Exponent `b` (dimensionless).
    pub fn exponent(self) -> f64 {
        match self {
            Self::ProximalTibia => 1.93,
            Self::Vertebra => 1.56,
            Self::GreaterTrochanter => 2.18,
            Self::FemoralNeck => 1.49,
        }
    }
}

/// Young's modulus (MPa) of trabecular bone at apparent wet density `rho_app_g_cm3`
/// (g/cm³), Morgan, Bayraktar & Keaveny 2003: `E = a · ρ^b` with the site's `(a, b)`
/// ([`MorganSite`]), clamped to E ≥ 1 MPa (biomechanics.md §3.3).
///
/// # Errors
/// [`MaterialError::InvalidParameter`] when `rho_app_g_cm3` is negative or not finite.
///
/// ```
/// use osteon_material::density::{MorganSite, morgan2003};
/// assert_eq!(morgan2003(MorganSite::ProximalTibia, 1.0)?, 15490.0);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
pub fn morgan2003(site: MorganSite, rho_app_g_cm3: f64) -> Result<f64, MaterialError> {
    require_non_negative("apparent density (g/cm3)", rho_app_g_cm3)?;
    let e = site.coefficient() * rho_app_g_cm3.powf(site.exponent());
    Ok(e.max(MIN_MODULUS_MPA))
}

/// Young's modulus (MPa) of bone, Carter & Hayes 1977 (J Bone Joint Surg Am 59:954):
/// `E = 3790 · ε̇^0.06 · ρ³` with ρ the apparent density in g/cm³ and ε̇ the strain rate
/// in 1/s, clamped to E ≥ 1 MPa. **Unverified transcription** (biomechanics.md §3.3).
///
/// # Errors
/// [`MaterialError::InvalidParameter`] when `rho_g_cm3` is negative or not finite, or
/// `strain_rate_per_s` is not finite and positive.
///
/// ```
/// use osteon_material::density::carter_hayes_1977;
/// assert!((carter_hayes_1977(1.0, 1.0)? - 3790.0).abs() < 1e-12);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
pub fn carter_hayes_1977(rho_g_cm3: f64, strain_rate_per_s: f64) -> Result<f64, MaterialError> {
    require_non_negative("apparent density (g/cm3)", rho_g_cm3)?;
    if !(strain_rate_per_s.is_finite() && strain_rate_per_s > 0.0) {
        return Err(MaterialError::InvalidParameter {
            name: "strain rate (1/s)",
            value: strain_rate_per_s,
            expected: "a finite strain rate > 0 (1/s)",
        });
    }
    let e = 3790.0 * strain_rate_per_s.powf(0.06) * rho_g_cm3.powi(3);
    Ok(e.max(MIN_MODULUS_MPA))
}

/// The sites of Keller 1994's power laws in ash density.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KellerSite {
    /// Femur (cortical and trabecular specimens): `E = 10500 · ρ_ash^2.29`.
    Femur,
    /// Vertebra (trabecular): `E = 1890 · ρ_ash^1.92`.
    Vertebra,
}

impl KellerSite {
    /// Coefficient (MPa).
    pub fn coefficient(self) -> f64 {
        match self {
            Self::Femur => 10500.0,
            Self::Vertebra => 1890.0,
        }
    }

    /// Exponent of the ash density.
    pub fn exponent(self) -> f64 {
        match self {
            Self::Femur => 2.29,
            Self::Vertebra => 1.92,
        }
    }
}

/// Young's modulus (MPa) of bone, Keller 1994 (J Biomech 27:1159): `E = a · ρ_ash^b` with
/// ρ_ash the ash density in g/cm³, clamped to E ≥ 1 MPa. **Unverified transcription**: the
/// paper was not accessed; the femur fit (10500, 2.29; quoted as valid for cortical and
/// trabecular bone) and the vertebra fit (1890, 1.92) are those that CT-to-FE codes and
/// reviews quote (biomechanics.md §3.3), and secondary sources disagree on the pooled fit,
/// which is therefore not offered.
///
/// # Errors
/// [`MaterialError::InvalidParameter`] when `rho_ash_g_cm3` is negative or not finite.
///
/// ```
/// use osteon_material::density::{KellerSite, keller1994};
/// assert_eq!(keller1994(KellerSite::Femur, 1.0)?, 10500.0);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
pub fn keller1994(site: KellerSite, rho_ash_g_cm3: f64) -> Result<f64, MaterialError> {
    require_non_negative("ash density (g/cm3)", rho_ash_g_cm3)?;
    let e = site.coefficient() * rho_ash_g_cm3.powf(site.exponent());
    Ok(e.max(MIN_MODULUS_MPA))
}

/// Apparent density (g/cm³) from a CT number: the linear calibration
/// `ρ = a + b · HU` (a in g/cm³, b in g/cm³ per HU), fitted to a phantom in the same scan,
/// clamped to ρ ≥ 0.01 g/cm³ (biomechanics.md §3.3). `(a, b)` are inputs: the published
/// regressions (Rho, Hobatho & Ashman 1995) are unverified and not hard-coded.
///
/// # Errors
/// [`MaterialError::InvalidParameter`] when `hu`, `a` or `b` is not finite.
///
/// ```
/// use osteon_material::density::hu_to_density;
/// assert_eq!(hu_to_density(-1000.0, 0.0, 1e-3)?, 0.01); // air → clamp
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
pub fn hu_to_density(hu: f64, a: f64, b: f64) -> Result<f64, MaterialError> {
    require_finite("HU", hu)?;
    require_finite("a (g/cm3)", a)?;
    require_finite("b (g/cm3 per HU)", b)?;
    Ok((a + b * hu).max(MIN_DENSITY_G_PER_CM3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn morgan_proximal_tibia_at_unit_density_is_coefficient() {
        assert_eq!(morgan2003(MorganSite::ProximalTibia, 1.0).unwrap(), 15490.0);
        assert_eq!(morgan2003(MorganSite::Vertebra, 1.0).unwrap(), 4730.0);
        assert_eq!(
            morgan2003(MorganSite::GreaterTrochanter, 1.0).unwrap(),
            15010.0
        );
        assert_eq!(morgan2003(MorganSite::FemoralNeck, 1.0).unwrap(), 6850.0);
    }

    #[test]
    fn morgan_power_law_values() {
        // ρ = 0.5 g/cm³: 15490 · 0.5^1.93 and 4730 · 0.5^1.56, written out.
        assert_relative_eq!(
            morgan2003(MorganSite::ProximalTibia, 0.5).unwrap(),
            15490.0 * (1.93 * 0.5_f64.ln()).exp(),
            max_relative = 1e-14
        );
        assert_relative_eq!(
            morgan2003(MorganSite::Vertebra, 0.5).unwrap(),
            4730.0 * (1.56 * 0.5_f64.ln()).exp(),
            max_relative = 1e-14
        );
        // At equal density tibia is stiffer than vertebra (biomechanics.md §3.3).
        for rho in [0.1, 0.3, 0.6, 1.0] {
            assert!(
                morgan2003(MorganSite::ProximalTibia, rho).unwrap()
                    > morgan2003(MorganSite::Vertebra, rho).unwrap()
            );
        }
    }

    #[test]
    fn modulus_clamped_at_one_mpa() {
        assert_eq!(morgan2003(MorganSite::ProximalTibia, 0.0).unwrap(), 1.0);
        // 15490 · 0.001^1.93 ≈ 0.0024 MPa < 1 → clamp.
        assert_eq!(morgan2003(MorganSite::ProximalTibia, 0.001).unwrap(), 1.0);
        assert_eq!(carter_hayes_1977(0.01, 1.0).unwrap(), 1.0);
    }

    #[test]
    fn density_clamped_at_0_01() {
        assert_eq!(hu_to_density(-1000.0, 0.0, 1e-3).unwrap(), 0.01);
        assert_eq!(hu_to_density(0.0, -0.5, 1e-3).unwrap(), 0.01);
        assert_relative_eq!(
            hu_to_density(1000.0, 0.1, 8e-4).unwrap(),
            0.9,
            max_relative = 1e-14
        );
    }

    #[test]
    fn carter_hayes_values() {
        // ε̇ = 0.01 /s, ρ = 1.8 g/cm³: 3790 · 0.01^0.06 · 1.8³.
        let expected = 3790.0 * (0.06 * 0.01_f64.ln()).exp() * 1.8 * 1.8 * 1.8;
        assert_relative_eq!(
            carter_hayes_1977(1.8, 0.01).unwrap(),
            expected,
            max_relative = 1e-14
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(morgan2003(MorganSite::ProximalTibia, -0.1).is_err());
        assert!(morgan2003(MorganSite::ProximalTibia, f64::NAN).is_err());
        assert!(morgan2003(MorganSite::ProximalTibia, f64::INFINITY).is_err());
        assert!(carter_hayes_1977(-1.0, 1.0).is_err());
        assert!(carter_hayes_1977(1.0, 0.0).is_err());
        assert!(carter_hayes_1977(1.0, f64::NAN).is_err());
        assert!(hu_to_density(f64::NAN, 0.0, 1e-3).is_err());
        assert!(hu_to_density(100.0, f64::INFINITY, 1e-3).is_err());
        assert!(hu_to_density(100.0, 0.0, f64::NAN).is_err());
    }

    #[test]
    fn unit_conversion() {
        assert_relative_eq!(g_per_cm3_to_t_per_mm3(16.6), 16.6e-9, max_relative = 1e-15);
    }
}
