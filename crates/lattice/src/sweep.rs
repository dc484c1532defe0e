//! A designed cell homogenised, and the porosity sweep behind the fitted law.

use osteon_material::IsotropicElastic;

use crate::{
    CellKind, Design, EffectiveConstants, HomogeniseOptions, Homogenised, LatticeError, PhaseCell,
    PowerLaw, VoxelCell, homogenise, keep_largest_component, parameter_for_porosity,
};

/// One sized, cleaned and homogenised lattice cell.
#[derive(Debug, Clone)]
pub struct LatticeResult {
    /// The design (geometry before the removal of loose voxels).
    pub design: Design,
    /// The cell that was solved (loose voxels removed).
    pub cell: PhaseCell,
    /// Solid voxels removed as loose fragments (not face-connected to the main solid).
    pub removed_voxels: usize,
    /// Porosity of the solved cell (1).
    pub porosity: f64,
    /// The micro-FE result.
    pub homogenised: Homogenised,
    /// Its engineering constants.
    pub constants: EffectiveConstants,
    /// Mean Young's modulus over the solid's: E/E_s (1).
    pub relative_modulus: f64,
}

/// Removes loose voxels from `design`'s cell and homogenises it, struts of `solid`.
///
/// # Errors
/// As [`homogenise`] and [`EffectiveConstants::from_stiffness`].
pub fn analyse_design(
    design: Design,
    solid: &IsotropicElastic,
    options: HomogeniseOptions,
) -> Result<LatticeResult, LatticeError> {
    let mut cell = PhaseCell::from_cell(&design.cell);
    let removed_voxels = keep_largest_component(cell.resolution, &mut cell.phase);
    let homogenised = homogenise(&cell, &[solid.stiffness()], options)?;
    let constants = EffectiveConstants::from_stiffness(&homogenised.stiffness_mpa)?;
    Ok(LatticeResult {
        porosity: 1.0 - cell.solid_fraction(),
        relative_modulus: constants.mean_youngs_modulus_mpa() / solid.e,
        design,
        cell,
        removed_voxels,
        homogenised,
        constants,
    })
}

/// One point of a porosity sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Target porosity (1).
    pub target_porosity: f64,
    /// Porosity of the solved cell (1).
    pub porosity: f64,
    /// Mean Young's modulus (MPa).
    pub youngs_modulus_mpa: f64,
    /// Mean shear modulus (MPa).
    pub shear_modulus_mpa: f64,
    /// E/E_s (1).
    pub relative_modulus: f64,
}

/// Homogenises `kind` at each porosity of `porosities` (resolution voxels per edge; the
/// modulus does not depend on the cell size) and fits E/E_s = C·(ρ/ρ_s)ⁿ to the points.
///
/// # Errors
/// As [`parameter_for_porosity`], [`homogenise`] and [`PowerLaw::fit`].
pub fn porosity_sweep(
    kind: CellKind,
    porosities: &[f64],
    resolution: usize,
    solid: &IsotropicElastic,
    options: HomogeniseOptions,
) -> Result<(Vec<SweepPoint>, PowerLaw), LatticeError> {
    let mut points = Vec::with_capacity(porosities.len());
    for &target in porosities {
        let p = parameter_for_porosity(kind, target, resolution)?;
        let voxels = VoxelCell::sample(kind, p, resolution, 1.0, [0.0; 3])?;
        let mut cell = PhaseCell::from_cell(&voxels);
        keep_largest_component(resolution, &mut cell.phase);
        let h = homogenise(&cell, &[solid.stiffness()], options)?;
        let c = EffectiveConstants::from_stiffness(&h.stiffness_mpa)?;
        let e = c.mean_youngs_modulus_mpa();
        points.push(SweepPoint {
            target_porosity: target,
            porosity: 1.0 - cell.solid_fraction(),
            youngs_modulus_mpa: e,
            shear_modulus_mpa: c.shear_modulus_mpa.iter().sum::<f64>() / 3.0,
            relative_modulus: e / solid.e,
        });
    }
    let pairs: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (1.0 - p.porosity, p.relative_modulus))
        .collect();
    let law = PowerLaw::fit(&pairs)?;
    Ok((points, law))
}
