//! [`Material`]: a named, owned elastic law plus an optional mass density.

use crate::error::require_positive;
use crate::{Elastic, ElasticLaw, MaterialError, Voigt6x6, check_positive_definite};

/// What a model stores per material: a name (kept from input to output), an owned
/// elastic law and an optional mass density.
///
/// ```
/// use osteon_material::{Elastic, IsotropicElastic, Material};
/// let ti = Material::new("Ti6Al4V", Elastic::Isotropic(IsotropicElastic::new(110000.0, 0.34)?))
///     .with_density(4.43e-9); // t/mm³ (= 4.43 g/cm³)
/// assert_eq!(ti.density, Some(4.43e-9));
/// ti.validate()?;
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Material {
    /// Material name (as in the deck's `*MATERIAL, NAME=` or the library function).
    pub name: String,
    /// The elastic law.
    pub elastic: Elastic,
    /// Mass density in tonne/mm³ (1 g/cm³ = 1e-9 t/mm³), if known.
    pub density: Option<f64>,
}

impl Material {
    /// A material called `name` with law `elastic` and no density.
    pub fn new(name: impl Into<String>, elastic: Elastic) -> Self {
        Self {
            name: name.into(),
            elastic,
            density: None,
        }
    }

    /// Set the mass density `rho` in tonne/mm³ (1 g/cm³ = 1e-9 t/mm³). Not checked here;
    /// see [`Material::validate`].
    pub fn with_density(mut self, rho: f64) -> Self {
        self.density = Some(rho);
        self
    }

    /// Stiffness D (MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear.
    pub fn stiffness(&self) -> Voigt6x6 {
        self.elastic.stiffness()
    }

    /// Compliance S = D⁻¹ (1/MPa).
    ///
    /// # Errors
    /// As [`Elastic::compliance`], with the material's name in the message.
    pub fn compliance(&self) -> Result<Voigt6x6, MaterialError> {
        self.elastic.compliance().map_err(|err| self.rename(err))
    }

    /// Check the law (constants and positive definiteness of D) and the density
    /// (finite, > 0 t/mm³ when given). Errors name this material.
    ///
    /// # Errors
    /// [`MaterialError::NotPositiveDefinite`] / [`MaterialError::NotSymmetric`] naming
    /// `self.name`, or [`MaterialError::InvalidParameter`] for a bad constant or density.
    pub fn validate(&self) -> Result<(), MaterialError> {
        self.elastic.validate().map_err(|err| self.rename(err))?;
        check_positive_definite(&self.name, &self.stiffness())?;
        if let Some(rho) = self.density {
            require_positive("density", rho)?;
        }
        Ok(())
    }

    /// Put this material's name in front of the law description in an error.
    fn rename(&self, err: MaterialError) -> MaterialError {
        match err {
            MaterialError::NotPositiveDefinite { material, detail } => {
                MaterialError::NotPositiveDefinite {
                    material: format!("{}: {material}", self.name),
                    detail,
                }
            }
            MaterialError::NotSymmetric {
                material,
                row,
                col,
                upper,
                lower,
            } => MaterialError::NotSymmetric {
                material: format!("{}: {material}", self.name),
                row,
                col,
                upper,
                lower,
            },
            other => other,
        }
    }
}

impl ElasticLaw for Material {
    fn stiffness(&self) -> Voigt6x6 {
        Self::stiffness(self)
    }
}
