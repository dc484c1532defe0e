//! A 3-D image on a regular grid, placed in the patient's world frame.
//!
//! Voxel `(i, j, k)` sits at linear index `i + nx·(j + ny·k)`: `i` runs along the rows of a
//! slice (DICOM columns), `j` down the slice (DICOM rows), `k` from slice to slice. Its centre
//! is at `origin + i·sx·d₀ + j·sy·d₁ + k·sz·d₂` in **world millimetres, LPS** (x towards the
//! patient's left, y posterior, z superior — the DICOM patient frame), where `d₀, d₁, d₂` are
//! the unit direction cosines of the three grid axes (`direction[c]` is axis `c`).
//! NIfTI files are RAS; [`crate::nifti`] converts them to LPS on reading and back on writing.

use crate::error::ImagingError;

/// Voxel values: CT numbers (HU) or labels, stored compactly.
#[derive(Clone, Debug, PartialEq)]
pub enum Voxels {
    /// 16-bit signed integers (the usual CT storage; exact HU when the rescale is integral).
    I16(Vec<i16>),
    /// 32-bit floats (rescaled values that are not integers, filtered images).
    F32(Vec<f32>),
}

impl Voxels {
    /// Number of voxels.
    pub fn len(&self) -> usize {
        match self {
            Self::I16(v) => v.len(),
            Self::F32(v) => v.len(),
        }
    }

    /// True when there is no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value of voxel `index` as f32 (HU or label).
    pub fn get(&self, index: usize) -> f32 {
        match self {
            Self::I16(v) => f32::from(v[index]),
            Self::F32(v) => v[index],
        }
    }

    /// All values as f32.
    pub fn to_f32(&self) -> Vec<f32> {
        match self {
            Self::I16(v) => v.iter().map(|&x| f32::from(x)).collect(),
            Self::F32(v) => v.clone(),
        }
    }
}

/// A 3-D image: grid size, voxel spacing (mm), placement in the world (LPS, mm) and values.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    /// Number of voxels along each grid axis `[nx, ny, nz]`.
    pub dims: [usize; 3],
    /// Distance between voxel centres along each grid axis (mm).
    pub spacing: [f64; 3],
    /// World position (LPS, mm) of the centre of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Unit direction of each grid axis in the world frame (LPS): `direction[c]` is axis `c`.
    pub direction: [[f64; 3]; 3],
    /// Voxel values (HU for CT, integers for label maps), `i` fastest, then `j`, then `k`.
    pub voxels: Voxels,
}

/// A box of voxel indices, half open: `lo[c] ≤ index[c] < hi[c]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoxelBox {
    /// First index included along each axis.
    pub lo: [usize; 3],
    /// One past the last index included along each axis.
    pub hi: [usize; 3],
}

impl Volume {
    /// A volume with identity directions, checked: every dimension ≥ 1, spacings finite and
    /// > 0, one value per voxel.
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] when a check fails.
    pub fn new(
        dims: [usize; 3],
        spacing: [f64; 3],
        origin: [f64; 3],
        voxels: Voxels,
    ) -> Result<Self, ImagingError> {
        let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        Self::with_direction(dims, spacing, origin, identity, voxels)
    }

    /// A volume with the given axis directions (unit vectors, world LPS), checked as in
    /// [`Volume::new`]; the directions must be unit length and mutually orthogonal (to 1e-4).
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] when a check fails.
    pub fn with_direction(
        dims: [usize; 3],
        spacing: [f64; 3],
        origin: [f64; 3],
        direction: [[f64; 3]; 3],
        voxels: Voxels,
    ) -> Result<Self, ImagingError> {
        if dims.contains(&0) {
            return Err(ImagingError::invalid(
                "volume dimensions",
                format!("{dims:?}"),
                "≥ 1 voxel along every axis",
            ));
        }
        if spacing.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(ImagingError::invalid(
                "voxel spacing (mm)",
                format!("{spacing:?}"),
                "finite and > 0",
            ));
        }
        if origin.iter().any(|o| !o.is_finite()) {
            return Err(ImagingError::invalid(
                "volume origin (mm)",
                format!("{origin:?}"),
                "finite",
            ));
        }
        for a in 0..3 {
            if (norm(direction[a]) - 1.0).abs() > 1e-4 {
                return Err(ImagingError::invalid(
                    "direction cosines",
                    format!("{direction:?}"),
                    "unit vectors",
                ));
            }
            for b in a + 1..3 {
                if dot(direction[a], direction[b]).abs() > 1e-4 {
                    return Err(ImagingError::invalid(
                        "direction cosines",
                        format!("{direction:?}"),
                        "mutually orthogonal axes",
                    ));
                }
            }
        }
        let n = dims[0] * dims[1] * dims[2];
        if voxels.len() != n {
            return Err(ImagingError::invalid(
                "voxel count",
                voxels.len(),
                format!("{n} = {} × {} × {}", dims[0], dims[1], dims[2]),
            ));
        }
        Ok(Self {
            dims,
            spacing,
            origin,
            direction,
            voxels,
        })
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.dims[0] * self.dims[1] * self.dims[2]
    }

    /// True when the volume has no voxel (never, for a checked volume).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Linear index of voxel `(i, j, k)`.
    #[inline]
    pub fn index(&self, i: usize, j: usize, k: usize) -> usize {
        i + self.dims[0] * (j + self.dims[1] * k)
    }

    /// Value of voxel `(i, j, k)` (HU or label).
    #[inline]
    pub fn value(&self, i: usize, j: usize, k: usize) -> f32 {
        self.voxels.get(self.index(i, j, k))
    }

    /// Volume of one voxel (mm³).
    pub fn voxel_volume(&self) -> f64 {
        self.spacing[0] * self.spacing[1] * self.spacing[2]
    }

    /// World position (LPS, mm) of the point with continuous grid coordinates `(i, j, k)`
    /// (integers are voxel centres).
    pub fn world(&self, ijk: [f64; 3]) -> [f64; 3] {
        let mut x = self.origin;
        for c in 0..3 {
            for d in 0..3 {
                x[d] += ijk[c] * self.spacing[c] * self.direction[c][d];
            }
        }
        x
    }

    /// Continuous grid coordinates of the world point `x` (LPS, mm): the inverse of
    /// [`Volume::world`] (the directions are orthonormal).
    pub fn grid(&self, x: [f64; 3]) -> [f64; 3] {
        let r = [
            x[0] - self.origin[0],
            x[1] - self.origin[1],
            x[2] - self.origin[2],
        ];
        [0, 1, 2].map(|c| dot(r, self.direction[c]) / self.spacing[c])
    }

    /// Determinant of the direction matrix: +1 for a right-handed grid, −1 for a mirrored one.
    pub fn handedness(&self) -> f64 {
        dot(
            cross(self.direction[0], self.direction[1]),
            self.direction[2],
        )
    }

    /// Smallest and largest value (HU or label).
    pub fn value_range(&self) -> (f32, f32) {
        let mut lo = f32::INFINITY;
        let mut hi = f32::NEG_INFINITY;
        for i in 0..self.len() {
            let v = self.voxels.get(i);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        (lo, hi)
    }

    /// The sub-volume inside `roi` (a region of interest), with its origin moved so that
    /// every kept voxel stays where it was in the world.
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] when the box is empty or reaches outside the volume.
    pub fn crop(&self, roi: VoxelBox) -> Result<Volume, ImagingError> {
        for c in 0..3 {
            if roi.lo[c] >= roi.hi[c] || roi.hi[c] > self.dims[c] {
                return Err(ImagingError::invalid(
                    "region of interest",
                    format!("{:?}..{:?}", roi.lo, roi.hi),
                    format!(
                        "a non-empty box inside the volume 0..{:?} (voxel indices, upper bound excluded)",
                        self.dims
                    ),
                ));
            }
        }
        let dims = [0, 1, 2].map(|c| roi.hi[c] - roi.lo[c]);
        let mut keep = Vec::with_capacity(dims[0] * dims[1] * dims[2]);
        for k in roi.lo[2]..roi.hi[2] {
            for j in roi.lo[1]..roi.hi[1] {
                let start = self.index(roi.lo[0], j, k);
                keep.push(start..start + dims[0]);
            }
        }
        let voxels = match &self.voxels {
            Voxels::I16(v) => Voxels::I16(
                keep.into_iter()
                    .flat_map(|r| v[r].iter().copied())
                    .collect(),
            ),
            Voxels::F32(v) => Voxels::F32(
                keep.into_iter()
                    .flat_map(|r| v[r].iter().copied())
                    .collect(),
            ),
        };
        let origin = self.world(roi.lo.map(|x| x as f64));
        Volume::with_direction(dims, self.spacing, origin, self.direction, voxels)
    }

    /// True when `other` has the same dimensions and, to `tol_mm`, the same voxel positions
    /// (spacing, origin, directions).
    pub fn same_grid(&self, other: &Volume, tol_mm: f64) -> bool {
        if self.dims != other.dims {
            return false;
        }
        let far = self.dims.map(|n| (n - 1) as f64);
        let corners = [
            [0.0; 3],
            far,
            [far[0], 0.0, 0.0],
            [0.0, far[1], 0.0],
            [0.0, 0.0, far[2]],
        ];
        corners
            .iter()
            .all(|&c| dist(self.world(c), other.world(c)) <= tol_mm)
    }
}

pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(crate) fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

pub(crate) fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

pub(crate) fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    norm([a[0] - b[0], a[1] - b[1], a[2] - b[2]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_and_grid_are_inverse_and_crop_keeps_positions() {
        let n = 4 * 3 * 2;
        let dir = [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
        let v = Volume::with_direction(
            [4, 3, 2],
            [0.5, 0.7, 2.0],
            [10.0, -5.0, 3.0],
            dir,
            Voxels::F32((0..n).map(|x| x as f32).collect()),
        )
        .unwrap();
        let p = v.world([1.0, 2.0, 1.0]);
        let expected = [10.0 - 1.4, -5.0 + 0.5, 5.0];
        assert!((0..3).all(|c| (p[c] - expected[c]).abs() < 1e-12), "{p:?}");
        let g = v.grid(p);
        assert!(
            (g[0] - 1.0).abs() < 1e-12 && (g[1] - 2.0).abs() < 1e-12 && (g[2] - 1.0).abs() < 1e-12
        );
        let c = v
            .crop(VoxelBox {
                lo: [1, 1, 1],
                hi: [3, 3, 2],
            })
            .unwrap();
        assert_eq!(c.dims, [2, 2, 1]);
        assert_eq!(c.value(0, 1, 0), v.value(1, 2, 1));
        assert!(dist(c.world([0.0, 1.0, 0.0]), v.world([1.0, 2.0, 1.0])) < 1e-12);
        assert!(
            v.crop(VoxelBox {
                lo: [0, 0, 0],
                hi: [5, 1, 1]
            })
            .is_err()
        );
    }
}
