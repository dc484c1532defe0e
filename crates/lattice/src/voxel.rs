//! A voxelised unit cell: solid fraction, porosity and pore size.

use crate::distance::periodic_squared_distance;
use crate::{CellKind, LatticeError};

/// A sub-voxel offset of the sampling points (voxel units). The cells are symmetric about
/// the voxel centres, so without it whole shells of voxels lie at the same distance from a
/// strut and switch together, and the porosity moves in steps of several per cent; the
/// offset (1 % of a voxel, distinct per axis) splits those ties.
const TIE_BREAK: [f64; 3] = [0.0101, 0.0073, 0.0047];

/// The largest resolution accepted (voxels per edge): 1024³ voxels are 1 GB of mask.
pub const MAX_RESOLUTION: usize = 1024;

/// The cell's level-set field ([`CellKind::field`]) at the sampling points of an n³ grid
/// (voxel centres offset by [`TIE_BREAK`]), origin shifted by `shift` (cell units); index
/// i + n·(j + n·k).
pub(crate) fn sample_field(
    kind: CellKind,
    resolution: usize,
    shift: [f64; 3],
) -> Result<Vec<f64>, LatticeError> {
    if !(2..=MAX_RESOLUTION).contains(&resolution) {
        return Err(LatticeError::Resolution(resolution));
    }
    let n = resolution;
    let c = |m: usize, a: usize| {
        ((m as f64 + 0.5 + TIE_BREAK[a]) / n as f64 + shift[a]).rem_euclid(1.0)
    };
    let mut field = Vec::with_capacity(n * n * n);
    for k in 0..n {
        for j in 0..n {
            for i in 0..n {
                field.push(kind.field([c(i, 0), c(j, 1), c(k, 2)]));
            }
        }
    }
    Ok(field)
}

/// A cubic unit cell of side `cell_size_mm` (mm) on an n³ grid of voxels, periodic in all
/// three axes. Voxel (i, j, k) is at index i + n·(j + n·k).
#[derive(Debug, Clone, PartialEq)]
pub struct VoxelCell {
    resolution: usize,
    cell_size_mm: f64,
    solid: Vec<bool>,
}

impl VoxelCell {
    /// Samples `kind` with parameter `p` at the voxel centres (offset by 1 % of a voxel to split ties),
    /// origin shifted by `shift` (cell units).
    pub fn sample(
        kind: CellKind,
        p: f64,
        resolution: usize,
        cell_size_mm: f64,
        shift: [f64; 3],
    ) -> Result<Self, LatticeError> {
        let field = sample_field(kind, resolution, shift)?;
        let solid = field.iter().map(|&f| f < p).collect();
        Self::from_mask(resolution, cell_size_mm, solid)
    }

    /// A cell from an explicit solid mask of length resolution³.
    pub fn from_mask(
        resolution: usize,
        cell_size_mm: f64,
        solid: Vec<bool>,
    ) -> Result<Self, LatticeError> {
        if !(2..=MAX_RESOLUTION).contains(&resolution) {
            return Err(LatticeError::Resolution(resolution));
        }
        if !(cell_size_mm.is_finite() && cell_size_mm > 0.0) {
            return Err(LatticeError::OutOfRange {
                name: "cell_size_mm",
                value: cell_size_mm,
                range: "> 0",
            });
        }
        let expected = resolution * resolution * resolution;
        if solid.len() != expected {
            return Err(LatticeError::MaskLength {
                got: solid.len(),
                expected,
            });
        }
        Ok(Self {
            resolution,
            cell_size_mm,
            solid,
        })
    }

    /// Voxels per cell edge.
    pub fn resolution(&self) -> usize {
        self.resolution
    }

    /// Cell edge (mm).
    pub fn cell_size_mm(&self) -> f64 {
        self.cell_size_mm
    }

    /// The solid mask, index i + n·(j + n·k).
    pub fn solid(&self) -> &[bool] {
        &self.solid
    }

    /// Solid volume fraction ρ/ρ_s (1).
    pub fn solid_fraction(&self) -> f64 {
        self.solid.iter().filter(|s| **s).count() as f64 / self.solid.len() as f64
    }

    /// Porosity 1 − ρ/ρ_s (1).
    pub fn porosity(&self) -> f64 {
        1.0 - self.solid_fraction()
    }

    /// Pore size (µm): the diameter of the largest sphere inscribed in the pore space,
    /// 2·(d_max − ½ voxel), d_max the largest periodic distance from a void voxel centre to
    /// the nearest solid voxel centre (exact Euclidean distance transform on the grid; the
    /// half voxel moves the centre-to-centre distance to the solid voxel's face).
    pub fn pore_size_um(&self) -> Result<f64, LatticeError> {
        if self.solid.iter().all(|&s| s) {
            return Err(LatticeError::NoPores);
        }
        if !self.solid.iter().any(|&s| s) {
            return Ok(self.cell_size_mm * 1000.0);
        }
        let d2 = periodic_squared_distance(self.resolution, &self.solid);
        let best2 = d2
            .iter()
            .zip(&self.solid)
            .filter(|(_, s)| !**s)
            .map(|(d, _)| *d)
            .max()
            .unwrap_or(0);
        let voxel_um = self.cell_size_mm * 1000.0 / self.resolution as f64;
        Ok(2.0 * ((best2 as f64).sqrt() - 0.5) * voxel_um)
    }
}
