//! # osteon-material
//!
//! Linear elastic material laws for osteon's finite-element biomechanics, with every
//! constant sourced from `docs/biomechanics.md` (in the repository root).
//!
//! **Units**: mm, N, MPa; density in tonne/mm³ (1 g/cm³ = 1e-9 t/mm³).
//! **Voigt order** everywhere: xx, yy, zz, xy, yz, xz, with *engineering* shear strains
//! (γ = 2ε), so an isotropic D has the shear modulus G on diagonal entries 3, 4, 5.
//! **Poisson's ratios** follow Abaqus: ε_j = −ν_ij σ_i / E_i.
//! **Material axes** 1, 2, 3 are the global x, y, z for now (a later issue may add
//! orientations); axis 3 = z = tibial long axis.
//!
//! ## Entry points
//!
//! - Laws (each validated by its `new`, each implementing [`ElasticLaw`]):
//!   [`IsotropicElastic`], [`TransverselyIsotropicElastic`] (symmetry axis 3),
//!   [`OrthotropicElastic`] (nine engineering constants,
//!   [`OrthotropicElastic::from_abaqus_engineering_constants`]),
//!   [`AnisotropicElastic`] (a given D-matrix,
//!   [`AnisotropicElastic::from_abaqus_orthotropic`]).
//! - [`Elastic`]: the owned sum of the laws, with [`Elastic::stiffness`] and
//!   [`Elastic::compliance`]; [`Material`]: a named law plus density.
//! - [`check_positive_definite`]: Cholesky check of any 6×6 matrix, naming the failing
//!   pivot; small 6×6 helpers in [`voigt`].
//! - Porous metals: [`GibsonAshby`], [`PorousTantalum`] ([`porous`]).
//! - CT density → modulus: [`density::morgan2003`], [`density::carter_hayes_1977`],
//!   [`density::hu_to_density`].
//! - Named materials with sources: [`library`] (cortical and cancellous bone, dense and
//!   porous Ta, Ti-6Al-4V) and reference strengths.
//!
//! ```
//! use osteon_material::{Elastic, Material, OrthotropicElastic, library};
//!
//! let bone = library::cortical_bone();
//! let d = bone.stiffness(); // MPa
//! assert!((d[0][1] - 17000.0 * 0.3 / (1.3 * 0.4)).abs() < 1e-9); // λ
//!
//! // Abaqus *ELASTIC, TYPE=ENGINEERING CONSTANTS: E1,E2,E3, ν12,ν13,ν23, G12,G13,G23.
//! let law = OrthotropicElastic::from_abaqus_engineering_constants([
//!     12000.0, 13400.0, 20000.0, 0.376, 0.222, 0.235, 4530.0, 5610.0, 6230.0,
//! ])?;
//! let m = Material::new("femur", Elastic::Orthotropic(law));
//! let s = m.compliance()?; // 1/MPa
//! assert!((s[2][2] - 1.0 / 20000.0).abs() < 1e-18);
//! # Ok::<(), osteon_material::MaterialError>(())
//! ```

mod anisotropic;
pub mod density;
mod elastic;
mod error;
mod isotropic;
pub mod library;
mod material;
mod orthotropic;
pub mod porous;
mod transversely_isotropic;
pub mod voigt;

pub use anisotropic::AnisotropicElastic;
pub use density::{MorganSite, carter_hayes_1977, hu_to_density, morgan2003};
pub use elastic::{Elastic, ElasticLaw};
pub use error::MaterialError;
pub use isotropic::IsotropicElastic;
pub use material::Material;
pub use orthotropic::OrthotropicElastic;
pub use porous::{GibsonAshby, PorousTantalum};
pub use transversely_isotropic::TransverselyIsotropicElastic;
pub use voigt::{Voigt6x6, check_positive_definite};
