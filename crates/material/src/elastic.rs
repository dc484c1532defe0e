//! The [`ElasticLaw`] trait and the owned sum type [`Elastic`] that a model stores.

use crate::voigt::inverse_spd;
use crate::{
    AnisotropicElastic, IsotropicElastic, MaterialError, OrthotropicElastic,
    TransverselyIsotropicElastic, Voigt6x6,
};

/// Linear elastic material law. Object-safe; `Send + Sync`, so laws can be shared by
/// parallel element kernels.
///
/// ```
/// use osteon_material::{ElasticLaw, IsotropicElastic};
/// let laws: Vec<Box<dyn ElasticLaw>> = vec![Box::new(IsotropicElastic::new(400.0, 0.3)?)];
/// assert!(laws[0].stiffness()[0][0] > 0.0);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
pub trait ElasticLaw: std::fmt::Debug + Send + Sync {
    /// 6×6 stiffness D (MPa), Voigt order xx,yy,zz,xy,yz,xz, engineering shear.
    fn stiffness(&self) -> Voigt6x6;
}

/// One of the elastic laws of this crate, owned (what a model stores per material).
///
/// Material axes are the global axes for now; a later issue may add orientations.
// A given D-matrix (288 bytes) is larger than the engineering-constant laws; a model
// holds one `Elastic` per material (a handful), so boxing would buy nothing but an
// awkward API.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Elastic {
    /// Two constants E, ν.
    Isotropic(IsotropicElastic),
    /// Five constants, symmetry axis 3 = z.
    TransverselyIsotropic(TransverselyIsotropicElastic),
    /// Nine engineering constants.
    Orthotropic(OrthotropicElastic),
    /// A given 6×6 D-matrix.
    Anisotropic(AnisotropicElastic),
}

impl Elastic {
    /// Stiffness D (MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear.
    pub fn stiffness(&self) -> Voigt6x6 {
        match self {
            Self::Isotropic(law) => law.stiffness(),
            Self::TransverselyIsotropic(law) => law.stiffness(),
            Self::Orthotropic(law) => law.stiffness(),
            Self::Anisotropic(law) => law.stiffness(),
        }
    }

    /// Compliance S = D⁻¹ (1/MPa): closed form for the engineering-constant laws,
    /// Cholesky inverse for a given D-matrix.
    ///
    /// # Errors
    /// The law's validation error when its (public, editable) constants are
    /// inadmissible, e.g. [`MaterialError::NotPositiveDefinite`].
    ///
    /// ```
    /// use osteon_material::{Elastic, IsotropicElastic};
    /// let s = Elastic::Isotropic(IsotropicElastic::new(17000.0, 0.3)?).compliance()?;
    /// assert!((s[0][1] + 0.3 / 17000.0).abs() < 1e-18); // −ν/E
    /// # Ok::<(), osteon_material::MaterialError>(())
    /// ```
    pub fn compliance(&self) -> Result<Voigt6x6, MaterialError> {
        self.validate()?;
        match self {
            Self::Isotropic(law) => Ok(law.compliance()),
            Self::TransverselyIsotropic(law) => Ok(law.compliance()),
            Self::Orthotropic(law) => Ok(law.compliance()),
            Self::Anisotropic(law) => {
                inverse_spd(&law.d).map_err(|failure| MaterialError::NotPositiveDefinite {
                    material: self.describe(),
                    detail: failure.to_string(),
                })
            }
        }
    }

    /// Check the constants (positivity, positive definiteness).
    ///
    /// # Errors
    /// The law's validation error.
    pub fn validate(&self) -> Result<(), MaterialError> {
        match self {
            Self::Isotropic(law) => law.validate(),
            Self::TransverselyIsotropic(law) => law.validate(),
            Self::Orthotropic(law) => law.validate(),
            Self::Anisotropic(law) => law.validate(),
        }
    }

    /// Human-readable description of the law with its constants.
    pub fn describe(&self) -> String {
        match self {
            Self::Isotropic(law) => law.describe(),
            Self::TransverselyIsotropic(law) => law.describe(),
            Self::Orthotropic(law) => law.describe(),
            Self::Anisotropic(_) => AnisotropicElastic::DESCRIPTION.to_string(),
        }
    }
}

impl ElasticLaw for Elastic {
    fn stiffness(&self) -> Voigt6x6 {
        Self::stiffness(self)
    }
}

impl From<IsotropicElastic> for Elastic {
    fn from(law: IsotropicElastic) -> Self {
        Self::Isotropic(law)
    }
}

impl From<TransverselyIsotropicElastic> for Elastic {
    fn from(law: TransverselyIsotropicElastic) -> Self {
        Self::TransverselyIsotropic(law)
    }
}

impl From<OrthotropicElastic> for Elastic {
    fn from(law: OrthotropicElastic) -> Self {
        Self::Orthotropic(law)
    }
}

impl From<AnisotropicElastic> for Elastic {
    fn from(law: AnisotropicElastic) -> Self {
        Self::Anisotropic(law)
    }
}
