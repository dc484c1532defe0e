//! A voxelised unit cell: solid fraction, porosity and pore size.

use crate::{CellKind, LatticeError};

/// A sub-voxel offset of the sampling points (voxel units). The cells are symmetric about
/// the voxel centres, so without it whole shells of voxels lie at the same distance from a
/// strut and switch together, and the porosity moves in steps of several per cent; the
/// offset (1 % of a voxel, distinct per axis) splits those ties.
const TIE_BREAK: [f64; 3] = [0.0101, 0.0073, 0.0047];

/// The largest resolution accepted (voxels per edge): 1024³ voxels are 1 GB of mask.
pub const MAX_RESOLUTION: usize = 1024;

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
        if !(2..=MAX_RESOLUTION).contains(&resolution) {
            return Err(LatticeError::Resolution(resolution));
        }
        let n = resolution;
        let mut solid = Vec::with_capacity(n * n * n);
        for k in 0..n {
            for j in 0..n {
                for i in 0..n {
                    let c = |m: usize, a: usize| {
                        ((m as f64 + 0.5 + TIE_BREAK[a]) / n as f64 + shift[a]).rem_euclid(1.0)
                    };
                    solid.push(kind.is_solid([c(i, 0), c(j, 1), c(k, 2)], p));
                }
            }
        }
        Self::from_mask(n, cell_size_mm, solid)
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
    /// the nearest solid voxel centre (brute force, exact on the voxel grid; the half voxel
    /// moves the centre-to-centre distance to the solid voxel's face).
    pub fn pore_size_um(&self) -> Result<f64, LatticeError> {
        let n = self.resolution;
        let coords = |idx: usize| [idx % n, (idx / n) % n, idx / (n * n)];
        let solids: Vec<[usize; 3]> = (0..self.solid.len())
            .filter(|&i| self.solid[i])
            .map(coords)
            .collect();
        let mut best2 = 0usize;
        let mut any_void = false;
        for idx in (0..self.solid.len()).filter(|&i| !self.solid[i]) {
            any_void = true;
            let p = coords(idx);
            let mut near = usize::MAX;
            for s in &solids {
                let d2 = (0..3)
                    .map(|a| {
                        let d = p[a].abs_diff(s[a]);
                        let d = d.min(n - d);
                        d * d
                    })
                    .sum::<usize>();
                if d2 < near {
                    near = d2;
                    if near <= best2 {
                        break;
                    }
                }
            }
            best2 = best2.max(near);
        }
        if !any_void {
            return Err(LatticeError::NoPores);
        }
        if solids.is_empty() {
            return Ok(self.cell_size_mm * 1000.0);
        }
        let voxel_um = self.cell_size_mm * 1000.0 / n as f64;
        Ok(2.0 * ((best2 as f64).sqrt() - 0.5) * voxel_um)
    }
}
