//! The inverse: cell parameter for a target porosity, cell size for a target pore size.

use crate::voxel::sample_field;
use crate::{CellKind, LatticeError, VoxelCell};

/// A sized lattice cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The architecture.
    pub kind: CellKind,
    /// Strut radius (diamond, octet) or gyroid level t, cell units.
    pub parameter: f64,
    /// Cell edge (mm), chosen so the pore size hits the target.
    pub cell_size_mm: f64,
    /// The voxel cell at that size.
    pub cell: VoxelCell,
    /// Achieved porosity (1).
    pub porosity: f64,
    /// Achieved pore size (µm).
    pub pore_size_um: f64,
}

/// The cell parameter for `target` porosity at `resolution` voxels per edge. The solid is
/// the sublevel set {field < p} of the cell's field, so the voxel porosity of p is the
/// fraction of sampling points whose field is ≥ p: sorting the field once gives every
/// reachable porosity, and p is taken halfway between the two field values that bracket
/// the solid-voxel count closest to the target.
pub fn parameter_for_porosity(
    kind: CellKind,
    target: f64,
    resolution: usize,
) -> Result<f64, LatticeError> {
    parameter_for_porosity_shifted(kind, target, resolution, [0.0; 3])
}

/// [`parameter_for_porosity`] for the cell sampled with its origin shifted by `shift` (cell
/// units), as [`VoxelCell::sample`] with that shift.
pub fn parameter_for_porosity_shifted(
    kind: CellKind,
    target: f64,
    resolution: usize,
    shift: [f64; 3],
) -> Result<f64, LatticeError> {
    if !(target > 0.0 && target < 1.0) {
        return Err(LatticeError::OutOfRange {
            name: "porosity",
            value: target,
            range: "(0, 1)",
        });
    }
    let mut field = sample_field(kind, resolution, shift)?;
    field.sort_by(f64::total_cmp);
    let total = field.len();
    let (lo, hi) = kind.parameter_range();
    // reachable solid counts: points with field < p for p in (lo, hi]
    let reachable_min = field.iter().filter(|&&f| f < lo).count();
    let reachable_max = field.iter().filter(|&&f| f < hi).count();
    let porosity_of = |solid: usize| 1.0 - solid as f64 / total as f64;
    let wanted = ((1.0 - target) * total as f64).round() as usize;
    if wanted < reachable_min.max(1) || wanted > reachable_max {
        return Err(LatticeError::Unreachable {
            target,
            min: porosity_of(reachable_max),
            max: porosity_of(reachable_min.max(1)),
        });
    }
    // `wanted` solid points: p just above field[wanted − 1]. Equal field values switch
    // together (the sampling offset makes exact ties rare), so the count achieved is the
    // first index whose value exceeds field[wanted − 1].
    let below = field[wanted - 1];
    let above = field.get(wanted).copied().unwrap_or(hi);
    Ok(if above > below {
        0.5 * (below + above)
    } else {
        below.next_up()
    })
}

/// Sizes `kind` for `porosity` (1) and `pore_size_um` (µm) at `resolution` voxels per edge.
/// At fixed porosity the pore size scales linearly with the cell edge, so the cell is
/// sampled at unit size and scaled.
pub fn design(
    kind: CellKind,
    porosity: f64,
    pore_size_um: f64,
    resolution: usize,
) -> Result<Design, LatticeError> {
    if !(pore_size_um.is_finite() && pore_size_um > 0.0) {
        return Err(LatticeError::OutOfRange {
            name: "pore_size_um",
            value: pore_size_um,
            range: "> 0",
        });
    }
    let parameter = parameter_for_porosity(kind, porosity, resolution)?;
    let unit = VoxelCell::sample(kind, parameter, resolution, 1.0, [0.0; 3])?;
    let unit_pore_um = unit.pore_size_um()?;
    let cell_size_mm = pore_size_um / unit_pore_um;
    let cell = VoxelCell::from_mask(resolution, cell_size_mm, unit.solid().to_vec())?;
    Ok(Design {
        kind,
        parameter,
        cell_size_mm,
        porosity: cell.porosity(),
        pore_size_um: cell.pore_size_um()?,
        cell,
    })
}
