//! Porous metals: the Gibson–Ashby open-cell scaling law and porous tantalum.
//!
//! # The porous-tantalum modulus conflict (biomechanics.md §4)
//!
//! The seed paper (biomechanics.md §0) designs a 72 %-porous SLM tantalum prosthesis with
//! a "design E 10–30 GPa", and a review table (Stem Cell Res Ther 2019, Table 1) lists
//! porous Ta at 10–30 GPa. The Gibson–Ashby open-cell estimate with C = 1 gives
//! 186000 · 0.28² = 14582.4 MPa ≈ 14.6 GPa (derived), inside that range but already an
//! *ideal upper* estimate. Measured SLM porous-Ta lattices are much softer:
//! E = 1.30–5.72 GPa (Int J Bioprinting 2023, 9(4)); CVD Trabecular Metal ~3 GPa
//! (J Am Acad Orthop Surg 2006;14:646); porous Ta on SiC ≈ 4.8 GPa (PMC7597802).
//! biomechanics.md therefore recommends a sweep E_Ta ∈ {1.3, 3, 10, 14.6, 30} GPa
//! ([`crate::library::POROUS_TA_MODULUS_SWEEP_MPA`]); use
//! [`PorousTantalum::with_measured_modulus`] to pin a measured value.
//!
//! # Strength
//! Gibson–Ashby also gives a plastic-collapse strength σ/σ_ys = C2 (ρ/ρ_s)^1.5 (C2 ≈ 0.3,
//! unverified, biomechanics.md §4), but biomechanics.md has no yield strength for dense
//! tantalum, so no collapse-strength estimate is provided here. Use the measured
//! strength floors in [`crate::library`] (seed: 20 MPa static, 10 MPa at 10⁶ cycles).

use crate::error::{require_finite, require_positive};
use crate::library::{DENSE_TA_DENSITY_T_PER_MM3, DENSE_TA_E_MPA, DENSE_TA_NU, POROUS_TA_NU};
use crate::{Elastic, IsotropicElastic, Material, MaterialError};

/// Gibson–Ashby scaling of the Young's modulus of a cellular solid:
/// `E / E_s = C · (ρ/ρ_s)^n` with relative density ρ/ρ_s = 1 − porosity.
///
/// Default C = 1, n = 2: open cells, bending-dominated (Gibson & Ashby, *Cellular
/// Solids*, 1997, via biomechanics.md §4; the exponent is from that source, C ≈ 1 is
/// **unverified**).
///
/// ```
/// use osteon_material::GibsonAshby;
/// let ga = GibsonAshby::default();
/// assert!((ga.relative_modulus(0.28)? - 0.0784).abs() < 1e-15);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GibsonAshby {
    /// Prefactor C (dimensionless); 1 by default (unverified, biomechanics.md §4).
    pub c: f64,
    /// Exponent n (dimensionless); 2 for open-cell bending-dominated foams
    /// (Gibson & Ashby 1997, biomechanics.md §4).
    pub n: f64,
}

impl Default for GibsonAshby {
    /// C = 1 (unverified), n = 2 (open cell, Gibson & Ashby 1997); biomechanics.md §4.
    fn default() -> Self {
        Self { c: 1.0, n: 2.0 }
    }
}

impl GibsonAshby {
    /// A scaling law with prefactor `c` and exponent `n` (both dimensionless).
    ///
    /// # Errors
    /// [`MaterialError::InvalidParameter`] unless both are finite and positive.
    pub fn new(c: f64, n: f64) -> Result<Self, MaterialError> {
        require_positive("Gibson-Ashby C", c)?;
        require_positive("Gibson-Ashby n", n)?;
        Ok(Self { c, n })
    }

    /// Relative modulus E/E_s = C · (ρ/ρ_s)^n (dimensionless) at relative density
    /// `relative_density` = ρ/ρ_s = 1 − porosity.
    ///
    /// # Errors
    /// [`MaterialError::InvalidParameter`] unless `0 <= relative_density <= 1`.
    pub fn relative_modulus(&self, relative_density: f64) -> Result<f64, MaterialError> {
        if !(0.0..=1.0).contains(&relative_density) {
            return Err(MaterialError::InvalidParameter {
                name: "relative density",
                value: relative_density,
                expected: "0 <= relative density <= 1",
            });
        }
        Ok(self.c * relative_density.powf(self.n))
    }
}

/// Porous tantalum as an isotropic linear elastic solid whose modulus follows
/// Gibson–Ashby from the porosity, unless a measured modulus is given.
///
/// - solid: dense Ta, E_s = 186000 MPa (Stem Cell Res Ther 2019, Table 1), ν = 0.34
///   (unverified), biomechanics.md §4;
/// - modulus: `E = C · E_s · (1 − p)^n` (MPa), or `measured_modulus` when set;
/// - Poisson's ratio of the porous solid: 0.3 (unverified, biomechanics.md defaults
///   table);
/// - density: `(1 − p) · 16.6e-9` t/mm³ (dense Ta 16.6 g/cm³, unverified,
///   biomechanics.md §4; the product is derived).
///
/// See the [module docs](crate::porous) for the conflict between this estimate and
/// measured lattices.
///
/// ```
/// use osteon_material::PorousTantalum;
/// // Seed design: 72 % porosity (biomechanics.md §0).
/// let ta = PorousTantalum::from_porosity(0.72)?;
/// assert!((ta.modulus() - 14582.4).abs() < 1e-9); // 186000 · 0.28², MPa
/// let measured = PorousTantalum::with_measured_modulus(0.72, 3000.0)?;
/// assert_eq!(measured.modulus(), 3000.0);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PorousTantalum {
    /// Porosity p = 1 − ρ/ρ_s (dimensionless), 0 < p < 1.
    pub porosity: f64,
    /// The dense (strut) material; E in MPa.
    pub solid: IsotropicElastic,
    /// Modulus scaling law.
    pub scaling: GibsonAshby,
    /// Measured Young's modulus (MPa) that overrides the scaling law, if any.
    pub measured_modulus: Option<f64>,
    /// Poisson's ratio of the porous solid (dimensionless).
    pub nu: f64,
}

impl PorousTantalum {
    /// Porous Ta of porosity `p` (0 < p < 1, dimensionless) with dense-Ta struts, default
    /// Gibson–Ashby scaling (C = 1, n = 2) and ν = 0.3.
    ///
    /// # Errors
    /// [`MaterialError::InvalidParameter`] unless `0 < p < 1`.
    pub fn from_porosity(p: f64) -> Result<Self, MaterialError> {
        require_finite("porosity", p)?;
        if !(p > 0.0 && p < 1.0) {
            return Err(MaterialError::InvalidParameter {
                name: "porosity",
                value: p,
                expected: "0 < porosity < 1",
            });
        }
        Ok(Self {
            porosity: p,
            solid: IsotropicElastic {
                e: DENSE_TA_E_MPA,
                nu: DENSE_TA_NU,
            },
            scaling: GibsonAshby::default(),
            measured_modulus: None,
            nu: POROUS_TA_NU,
        })
    }

    /// Porous Ta of porosity `p` whose modulus is the measured `e_mpa` (MPa), e.g. from
    /// a compression test of the printed lattice (1300–5720 MPa in Int J Bioprinting
    /// 2023, biomechanics.md §4).
    ///
    /// # Errors
    /// [`MaterialError::InvalidParameter`] unless `0 < p < 1` and `e_mpa > 0`.
    pub fn with_measured_modulus(p: f64, e_mpa: f64) -> Result<Self, MaterialError> {
        require_positive("measured modulus", e_mpa)?;
        let mut ta = Self::from_porosity(p)?;
        ta.measured_modulus = Some(e_mpa);
        Ok(ta)
    }

    /// Relative density ρ/ρ_s = 1 − porosity (dimensionless).
    pub fn relative_density(&self) -> f64 {
        1.0 - self.porosity
    }

    /// Young's modulus (MPa): the measured value when set, else
    /// `C · E_s · (1 − p)^n` (Gibson–Ashby).
    pub fn modulus(&self) -> f64 {
        match self.measured_modulus {
            Some(e) => e,
            None => self.scaling.c * self.solid.e * self.relative_density().powf(self.scaling.n),
        }
    }

    /// Mass density (t/mm³): `(1 − p) · 16.6e-9` (dense Ta 16.6 g/cm³, unverified,
    /// biomechanics.md §4).
    pub fn density(&self) -> f64 {
        self.relative_density() * DENSE_TA_DENSITY_T_PER_MM3
    }

    /// The isotropic elastic law E = [`PorousTantalum::modulus`] (MPa), ν = `self.nu`.
    pub fn to_elastic(&self) -> Elastic {
        Elastic::Isotropic(IsotropicElastic {
            e: self.modulus(),
            nu: self.nu,
        })
    }

    /// A [`Material`] called `name` with [`PorousTantalum::to_elastic`] and
    /// [`PorousTantalum::density`].
    pub fn to_material(&self, name: impl Into<String>) -> Material {
        Material::new(name, self.to_elastic()).with_density(self.density())
    }
}
