//! The inverse: cell parameter for a target porosity, cell size for a target pore size.

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

/// Bisection on the cell parameter for `target` porosity at `resolution` voxels per edge
/// (porosity falls monotonically as the struts or sheet thicken). 40 halvings.
pub fn parameter_for_porosity(
    kind: CellKind,
    target: f64,
    resolution: usize,
) -> Result<f64, LatticeError> {
    if !(target > 0.0 && target < 1.0) {
        return Err(LatticeError::OutOfRange {
            name: "porosity",
            value: target,
            range: "(0, 1)",
        });
    }
    let porosity = |p: f64| -> Result<f64, LatticeError> {
        Ok(VoxelCell::sample(kind, p, resolution, 1.0, [0.0; 3])?.porosity())
    };
    let (mut lo, mut hi) = kind.parameter_range();
    let (max, min) = (porosity(lo)?, porosity(hi)?);
    if target > max || target < min {
        return Err(LatticeError::Unreachable { target, min, max });
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if porosity(mid)? > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // The voxel porosity is a step function: take the side closer to the target.
    let (plo, phi) = (porosity(lo)?, porosity(hi)?);
    Ok(if (plo - target).abs() <= (phi - target).abs() {
        lo
    } else {
        hi
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
