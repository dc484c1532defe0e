//! From CT numbers to bone density and modulus: the calibration chain and the named laws.
//!
//! HU → equivalent mineral density ρ_QCT (g/cm³, K₂HPO₄ or hydroxyapatite equivalent) by the
//! scanner calibration line `ρ_QCT = intercept + slope · HU`; → ash density
//! `ρ_ash = 0.877 · ρ_QCT + 0.079` (g/cm³); → apparent wet density `ρ_app = ρ_ash / 0.6`
//! (g/cm³); → Young's modulus by a density law of `osteon-material`. The numbers, their
//! sources and the phantomless default are in `docs/imaging.md §2`. The whole chain is linear
//! up to the law, `ρ_app = A + B · HU`, and is evaluated through
//! [`osteon_material::hu_to_density`] (which clamps ρ ≥ 0.01 g/cm³).

use osteon_material::density::{
    KellerSite, MorganSite, carter_hayes_1977, hu_to_density, keller1994, morgan2003,
};

use crate::error::ImagingError;

/// The HU → apparent density chain (see the module docs and `docs/imaging.md §2`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DensityCalibration {
    /// Slope of the scanner calibration line (g/cm³ of ρ_QCT per HU). Default 0.0008
    /// (phantomless engineering default, `docs/imaging.md §2`).
    pub slope_g_cm3_per_hu: f64,
    /// Intercept of the scanner calibration line (g/cm³ of ρ_QCT at 0 HU). Default 0.
    pub intercept_g_cm3: f64,
    /// ρ_ash / ρ_QCT slope (dimensionless). Default 0.877 (Schileo et al. 2008).
    pub ash_slope: f64,
    /// ρ_ash at ρ_QCT = 0 (g/cm³). Default 0.079 (Schileo et al. 2008).
    pub ash_intercept_g_cm3: f64,
    /// ρ_ash / ρ_app (dimensionless). Default 0.6 (Schileo et al. 2008).
    pub ash_fraction: f64,
}

impl Default for DensityCalibration {
    fn default() -> Self {
        Self {
            slope_g_cm3_per_hu: 0.0008,
            intercept_g_cm3: 0.0,
            ash_slope: 0.877,
            ash_intercept_g_cm3: 0.079,
            ash_fraction: ASH_FRACTION,
        }
    }
}

impl DensityCalibration {
    /// The default chain with the scanner line `ρ_QCT = intercept + slope · HU` of a
    /// calibration phantom (slope in g/cm³ per HU, intercept in g/cm³).
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] when the slope is not finite and > 0 or the
    /// intercept is not finite.
    pub fn with_line(slope_g_cm3_per_hu: f64, intercept_g_cm3: f64) -> Result<Self, ImagingError> {
        if !(slope_g_cm3_per_hu.is_finite() && slope_g_cm3_per_hu > 0.0) {
            return Err(ImagingError::invalid(
                "calibration slope (g/cm3 per HU)",
                slope_g_cm3_per_hu,
                "finite and > 0 (e.g. 0.0008)",
            ));
        }
        if !intercept_g_cm3.is_finite() {
            return Err(ImagingError::invalid(
                "calibration intercept (g/cm3)",
                intercept_g_cm3,
                "finite",
            ));
        }
        Ok(Self {
            slope_g_cm3_per_hu,
            intercept_g_cm3,
            ..Self::default()
        })
    }

    /// `(A, B)` of the linear chain `ρ_app = A + B · HU` (A in g/cm³, B in g/cm³ per HU).
    pub fn apparent_line(&self) -> (f64, f64) {
        let a =
            (self.ash_slope * self.intercept_g_cm3 + self.ash_intercept_g_cm3) / self.ash_fraction;
        let b = self.ash_slope * self.slope_g_cm3_per_hu / self.ash_fraction;
        (a, b)
    }

    /// Equivalent mineral density ρ_QCT (g/cm³) at `hu`, unclamped.
    pub fn qct_density(&self, hu: f64) -> f64 {
        self.intercept_g_cm3 + self.slope_g_cm3_per_hu * hu
    }

    /// Apparent wet density ρ_app (g/cm³) at `hu`, clamped to ≥ 0.01 g/cm³.
    ///
    /// # Errors
    /// [`ImagingError::Material`] when `hu` is not finite.
    pub fn apparent_density(&self, hu: f64) -> Result<f64, ImagingError> {
        let (a, b) = self.apparent_line();
        Ok(hu_to_density(hu, a, b)?)
    }

    /// The CT number (HU) that maps to the apparent density `rho_app_g_cm3` (the inverse
    /// chain, for phantoms).
    pub fn hu_for_apparent_density(&self, rho_app_g_cm3: f64) -> f64 {
        let (a, b) = self.apparent_line();
        (rho_app_g_cm3 - a) / b
    }
}

/// A density → Young's modulus law of `osteon-material` (`docs/biomechanics.md §3.3`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ModulusLaw {
    /// Morgan, Bayraktar & Keaveny 2003, `E = a ρ_app^b` for the site.
    Morgan2003(MorganSite),
    /// Carter & Hayes 1977, `E = 3790 ε̇^0.06 ρ³` at the strain rate (1/s).
    CarterHayes1977 {
        /// Strain rate (1/s).
        strain_rate_per_s: f64,
    },
    /// Keller 1994, `E = a ρ_ash^b` for the site, the ash density taken as
    /// [`ASH_FRACTION`] of the apparent density (unverified transcription,
    /// [`osteon_material::density::keller1994`]).
    Keller1994(KellerSite),
}

/// Ash over apparent density (–): 0.6, constant over the density range (Schileo et al.
/// 2008: 0.598 ± 0.004 cortical, 0.598 ± 0.036 trabecular); the chain's default, used by
/// the ash-density laws.
pub const ASH_FRACTION: f64 = 0.6;

impl Default for ModulusLaw {
    /// Morgan 2003, femoral neck (`E = 6850 ρ^1.49`), applied to the whole bone: of the
    /// Morgan fits it is the one whose value at cortical density (ρ ≈ 1.9 g/cm³ → 17.8 GPa)
    /// agrees with the cortical modulus of `docs/biomechanics.md §3.1` (17 GPa); the
    /// proximal-tibia fit, made on trabecular bone, gives 53 GPa there. See
    /// `docs/imaging.md §3`.
    fn default() -> Self {
        Self::Morgan2003(MorganSite::FemoralNeck)
    }
}

impl ModulusLaw {
    /// The names [`ModulusLaw::from_name`] accepts.
    pub const NAMES: &'static str = "morgan-tibia, morgan-vertebra, morgan-trochanter, morgan-femoral-neck, carter-hayes (strain rate 0.01/s), keller-femur, keller-vertebra";

    /// A law by name (see [`ModulusLaw::NAMES`]); Carter & Hayes at ε̇ = 0.01 /s, a
    /// quasi-static rate.
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] for an unknown name. Keller 1994's femur and
    /// vertebra fits are unverified transcriptions (`docs/biomechanics.md §3.3`).
    pub fn from_name(name: &str) -> Result<Self, ImagingError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "morgan-tibia" | "morgan" | "morgan2003" => Self::Morgan2003(MorganSite::ProximalTibia),
            "morgan-vertebra" => Self::Morgan2003(MorganSite::Vertebra),
            "morgan-trochanter" => Self::Morgan2003(MorganSite::GreaterTrochanter),
            "morgan-femoral-neck" => Self::Morgan2003(MorganSite::FemoralNeck),
            "carter-hayes" | "carter-hayes-1977" => Self::CarterHayes1977 {
                strain_rate_per_s: 0.01,
            },
            "keller-femur" => Self::Keller1994(KellerSite::Femur),
            "keller-vertebra" => Self::Keller1994(KellerSite::Vertebra),
            other => {
                return Err(ImagingError::invalid(
                    "density-modulus law",
                    other,
                    format!("one of {}", Self::NAMES),
                ));
            }
        })
    }

    /// A short description with the formula, for reports.
    pub fn describe(&self) -> String {
        match self {
            Self::Morgan2003(site) => format!(
                "Morgan 2003 ({site:?}): E = {} rho^{}",
                site.coefficient(),
                site.exponent()
            ),
            Self::CarterHayes1977 { strain_rate_per_s } => {
                format!("Carter & Hayes 1977: E = 3790 * {strain_rate_per_s}^0.06 * rho^3")
            }
            Self::Keller1994(site) => format!(
                "Keller 1994 ({site:?}, unverified transcription): E = {} rho_ash^{}, rho_ash = {ASH_FRACTION} rho",
                site.coefficient(),
                site.exponent()
            ),
        }
    }

    /// Young's modulus (MPa) at apparent density `rho_app_g_cm3` (g/cm³), ≥ 1 MPa.
    ///
    /// # Errors
    /// [`ImagingError::Material`] for a negative or non-finite density.
    pub fn modulus(&self, rho_app_g_cm3: f64) -> Result<f64, ImagingError> {
        Ok(match self {
            Self::Morgan2003(site) => morgan2003(*site, rho_app_g_cm3)?,
            Self::CarterHayes1977 { strain_rate_per_s } => {
                carter_hayes_1977(rho_app_g_cm3, *strain_rate_per_s)?
            }
            Self::Keller1994(site) => keller1994(*site, ASH_FRACTION * rho_app_g_cm3)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_written_out() {
        let c = DensityCalibration::default();
        // 1500 HU: ρ_QCT = 1.2, ρ_ash = 0.877·1.2 + 0.079 = 1.1314, ρ_app = 1.8857
        let rho = c.apparent_density(1500.0).unwrap();
        assert!((rho - (0.877 * 1.2 + 0.079) / 0.6).abs() < 1e-12);
        assert!((c.hu_for_apparent_density(rho) - 1500.0).abs() < 1e-9);
        assert_eq!(c.apparent_density(-1000.0).unwrap(), 0.01);
        assert!(DensityCalibration::with_line(0.0, 0.0).is_err());
        let e = ModulusLaw::default().modulus(rho).unwrap();
        assert!((e - 6850.0 * rho.powf(1.49)).abs() < 1e-9);
        let tibia = ModulusLaw::from_name("morgan-tibia")
            .unwrap()
            .modulus(rho)
            .unwrap();
        assert!((tibia - 15490.0 * rho.powf(1.93)).abs() < 1e-9);
        // Keller 1994 in ash density: the chain's ρ_ash = 0.877·1.2 + 0.079 = 1.1314 g/cm³
        let femur = ModulusLaw::from_name("keller-femur")
            .unwrap()
            .modulus(rho)
            .unwrap();
        assert!((femur - 10500.0 * 1.1314f64.powf(2.29)).abs() < 1e-6);
        let vertebra = ModulusLaw::from_name("keller-vertebra")
            .unwrap()
            .modulus(rho)
            .unwrap();
        assert!((vertebra - 1890.0 * 1.1314f64.powf(1.92)).abs() < 1e-6);
        // the pooled fit, on which the sources disagree, is not offered
        assert!(ModulusLaw::from_name("keller").is_err());
    }
}
