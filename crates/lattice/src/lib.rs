//! # osteon-lattice
//!
//! Unit cells of printed porous lattices, voxelised on an n³ grid of a cubic cell of side
//! `cell_size_mm` (mm): a strut-based diamond cell, a stretch-dominated octet truss and a
//! sheet gyroid. For each cell the solid fraction, the porosity and the pore size (diameter
//! of the largest sphere inscribed in the pore space, µm) follow from the voxels, and
//! [`design`] inverts them: the strut radius or sheet thickness for a target porosity, then
//! the cell size for a target pore size.
//!
//! [`homogenise`] is the periodic voxel micro-FE: every voxel a trilinear brick, the
//! fluctuation numbered on the periodic node grid, six unit macroscopic strains solved with
//! one sparse Cholesky factorisation, and the effective 6 × 6 stiffness as the volume
//! average of the voxel stresses. [`EffectiveConstants`] turns it into moduli, Poisson
//! ratios, Zener anisotropies and an orthotropic [`osteon_material::Material`];
//! [`PowerLaw`] fits E/E_s = C·(ρ/ρ_s)ⁿ to a porosity sweep ([`sweep`]).
//!
//! ```
//! use osteon_lattice::{HomogeniseOptions, PhaseCell, homogenise};
//! use osteon_material::IsotropicElastic;
//!
//! // A fully solid cell returns the solid's own stiffness.
//! let solid = IsotropicElastic::new(186_000.0, 0.34)?.stiffness();
//! let cell = PhaseCell { resolution: 3, cell_size_mm: 1.0, phase: vec![1; 27] };
//! let h = homogenise(&cell, &[solid], HomogeniseOptions::default())?;
//! assert!((h.stiffness_mpa[0][0] - solid[0][0]).abs() < 1e-9 * solid[0][0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cell;
mod design;
mod distance;
mod effective;
mod error;
mod homogenise;
mod islands;
mod law;
mod periodic;
mod plot;
mod report;
mod sweep;
mod voxel;
mod voxel_element;

pub use cell::CellKind;
pub use design::{Design, design, parameter_for_porosity, parameter_for_porosity_shifted};
pub use effective::EffectiveConstants;
pub use error::LatticeError;
pub use homogenise::{
    HomogeniseOptions, Homogenised, MAX_FE_RESOLUTION, PhaseCell, StressConcentration, homogenise,
};
pub use islands::keep_largest_component;
pub use law::PowerLaw;
pub use plot::{
    MEASURED_TANTALUM, MEASURED_TANTALUM_BAND_GPA, Measurement, modulus_vs_porosity_svg,
};
pub use report::{
    ConcentrationReport, LatticeReport, SolidReport, SweepPointReport, SweepReport,
    UNIT_STRESS_CASES, write_unit_cell_vtu,
};
pub use sweep::{LatticeResult, SweepPoint, analyse_design, porosity_sweep};
pub use voxel::{MAX_RESOLUTION, VoxelCell};
