//! Segmentation: which voxels are bone, and which bone.
//!
//! From CT numbers ([`segment_threshold`]): voxels at or above `bone_hu` are bone; only the
//! largest 6-connected piece is kept (the bone of interest, not the fibula, table or a
//! calcified vessel); then the holes are filled **slice by slice** in planes across the long
//! axis (the grid axis along which the bone is longest): every background pixel that cannot
//! be reached from the slice's border through background (4-connected) is filled. The 2-D
//! fill closes the marrow canal and the cancellous interior even when the region of interest
//! cuts the shaft, where a 3-D fill would see the canal open at both ends and leave it empty.
//! Filled and bone voxels are then split by CT number: `≥ cortical_hu` cortical, `≥
//! cancellous_hu` cancellous, below that marrow.
//!
//! From a label map ([`segment_labels`]): a volume on the CT's grid whose label numbers are
//! mapped to regions by a [`LabelMapping`]; other labels are outside.

use std::collections::VecDeque;
use std::path::Path;

use crate::error::ImagingError;
use crate::volume::Volume;

/// A region of the segmented bone; the codes are those written to the VTU `region` array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// Cortical (compact) bone: code 1.
    Cortical = 1,
    /// Cancellous (trabecular) bone: code 2.
    Cancellous = 2,
    /// Marrow and other soft content of the filled bone: code 3.
    Marrow = 3,
}

impl Region {
    /// All regions, in code order.
    pub const ALL: [Region; 3] = [Region::Cortical, Region::Cancellous, Region::Marrow];

    /// The label code (1, 2, 3; 0 is outside).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The region of a code, `None` for 0 (outside) or an unknown code.
    pub fn from_code(code: u8) -> Option<Region> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Lower-case name, also the element set name of the voxel mesh.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cortical => "cortical",
            Self::Cancellous => "cancellous",
            Self::Marrow => "marrow",
        }
    }
}

/// A label per voxel of the CT grid: 0 outside the bone, else a [`Region`] code.
#[derive(Clone, Debug, PartialEq)]
pub struct Segmentation {
    /// Grid dimensions (those of the CT volume).
    pub dims: [usize; 3],
    /// One label per voxel, in the CT volume's order.
    pub labels: Vec<u8>,
}

impl Segmentation {
    /// Number of voxels in `region`.
    pub fn count(&self, region: Region) -> usize {
        self.labels.iter().filter(|&&l| l == region.code()).count()
    }

    /// Number of voxels inside the bone (any region).
    pub fn bone_voxels(&self) -> usize {
        self.labels.iter().filter(|&&l| l != 0).count()
    }

    /// The region of voxel `index`, `None` outside.
    pub fn region(&self, index: usize) -> Option<Region> {
        Region::from_code(self.labels[index])
    }
}

/// Thresholds of [`segment_threshold`] (HU).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThresholdOptions {
    /// Bone surface threshold (HU). Default 700: about halfway between soft tissue (≈ 40)
    /// and compact bone (≳ 1400), where partial-volume voxels on the periosteal surface are
    /// half bone (`docs/imaging.md §3`).
    pub bone_hu: f64,
    /// Voxels of the filled bone at or above this are cortical (HU). Default 700.
    pub cortical_hu: f64,
    /// Voxels of the filled bone below `cortical_hu` and at or above this are cancellous,
    /// below it marrow (HU). Default 150.
    pub cancellous_hu: f64,
    /// Fill the canal and the cancellous interior slice by slice (default true).
    pub fill_holes: bool,
}

impl Default for ThresholdOptions {
    fn default() -> Self {
        Self {
            bone_hu: 700.0,
            cortical_hu: 700.0,
            cancellous_hu: 150.0,
            fill_holes: true,
        }
    }
}

/// Segment `ct` by thresholds (see the module docs).
///
/// # Errors
/// [`ImagingError::InvalidParameter`] for a non-finite threshold,
/// [`ImagingError::EmptySegmentation`] when no voxel reaches `bone_hu`.
pub fn segment_threshold(
    ct: &Volume,
    opts: &ThresholdOptions,
) -> Result<Segmentation, ImagingError> {
    for (name, v) in [
        ("bone threshold (HU)", opts.bone_hu),
        ("cortical threshold (HU)", opts.cortical_hu),
        ("cancellous threshold (HU)", opts.cancellous_hu),
    ] {
        if !v.is_finite() {
            return Err(ImagingError::invalid(name, v, "a finite CT number"));
        }
    }
    let n = ct.len();
    let mut mask: Vec<bool> = (0..n)
        .map(|i| f64::from(ct.voxels.get(i)) >= opts.bone_hu)
        .collect();
    if !mask.iter().any(|&m| m) {
        let (lo, hi) = ct.value_range();
        return Err(ImagingError::EmptySegmentation(format!(
            "no voxel at or above {} HU (the image spans {lo}..{hi} HU)",
            opts.bone_hu
        )));
    }
    mask = largest_component(&mask, ct.dims);
    if opts.fill_holes {
        let axis = long_axis(&mask, ct);
        fill_slices(&mut mask, ct.dims, axis);
    }
    let labels = (0..n)
        .map(|i| {
            if !mask[i] {
                return 0;
            }
            let hu = f64::from(ct.voxels.get(i));
            let r = if hu >= opts.cortical_hu {
                Region::Cortical
            } else if hu >= opts.cancellous_hu {
                Region::Cancellous
            } else {
                Region::Marrow
            };
            r.code()
        })
        .collect();
    Ok(Segmentation {
        dims: ct.dims,
        labels,
    })
}

/// How label numbers of a label map become regions.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelMapping {
    /// Labels that are cortical bone (default `[1]`).
    pub cortical: Vec<i32>,
    /// Labels that are cancellous bone (default `[2]`).
    pub cancellous: Vec<i32>,
    /// Labels that are marrow (default `[3]`).
    pub marrow: Vec<i32>,
}

impl Default for LabelMapping {
    fn default() -> Self {
        Self {
            cortical: vec![1],
            cancellous: vec![2],
            marrow: vec![3],
        }
    }
}

impl LabelMapping {
    /// Parse `"1=cortical,2=cancellous,4=marrow"` (label numbers, region names as in
    /// [`Region::name`]).
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] for a malformed entry or an unknown region.
    pub fn parse(text: &str) -> Result<Self, ImagingError> {
        let mut m = Self {
            cortical: vec![],
            cancellous: vec![],
            marrow: vec![],
        };
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || {
                ImagingError::invalid(
                    "label mapping entry",
                    item,
                    "LABEL=REGION with REGION one of cortical, cancellous, marrow, e.g. 1=cortical",
                )
            };
            let (label, region) = item.split_once('=').ok_or_else(bad)?;
            let label: i32 = label.trim().parse().map_err(|_| bad())?;
            match region.trim().to_ascii_lowercase().as_str() {
                "cortical" => m.cortical.push(label),
                "cancellous" => m.cancellous.push(label),
                "marrow" => m.marrow.push(label),
                _ => return Err(bad()),
            }
        }
        Ok(m)
    }

    fn region(&self, label: i32) -> Option<Region> {
        if self.cortical.contains(&label) {
            Some(Region::Cortical)
        } else if self.cancellous.contains(&label) {
            Some(Region::Cancellous)
        } else if self.marrow.contains(&label) {
            Some(Region::Marrow)
        } else {
            None
        }
    }
}

/// Segment from a label map `labels` (read from `label_file`) on the grid of `ct`.
///
/// # Errors
/// [`ImagingError::GridMismatch`] naming `label_file` when its grid is not the CT's (to
/// 1e-3 mm), [`ImagingError::Format`] when a label is not an integer,
/// [`ImagingError::EmptySegmentation`] when no voxel carries a mapped label.
pub fn segment_labels(
    labels: &Volume,
    label_file: &Path,
    ct: &Volume,
    mapping: &LabelMapping,
) -> Result<Segmentation, ImagingError> {
    if !labels.same_grid(ct, 1e-3) {
        return Err(ImagingError::GridMismatch {
            file: label_file.into(),
            message: format!(
                "label map grid {:?} voxels, spacing {:?} mm, origin {:?} mm differs from the CT's {:?}, {:?}, {:?}: resample the labels onto the CT grid",
                labels.dims, labels.spacing, labels.origin, ct.dims, ct.spacing, ct.origin
            ),
        });
    }
    let mut out = Vec::with_capacity(labels.len());
    for i in 0..labels.len() {
        let v = labels.voxels.get(i);
        if v.fract() != 0.0 {
            return Err(ImagingError::format(
                label_file,
                format!(
                    "label value {v} at voxel {i} is not an integer: a label map holds integers"
                ),
            ));
        }
        out.push(mapping.region(v as i32).map_or(0, Region::code));
    }
    let seg = Segmentation {
        dims: ct.dims,
        labels: out,
    };
    if seg.bone_voxels() == 0 {
        return Err(ImagingError::EmptySegmentation(format!(
            "{}: no voxel carries a label mapped to a region ({mapping:?})",
            label_file.display()
        )));
    }
    Ok(seg)
}

fn neighbours6(idx: usize, dims: [usize; 3]) -> impl Iterator<Item = usize> {
    let [nx, ny, nz] = dims;
    let (i, j, k) = (idx % nx, (idx / nx) % ny, idx / (nx * ny));
    let mut out = [usize::MAX; 6];
    if i > 0 {
        out[0] = idx - 1;
    }
    if i + 1 < nx {
        out[1] = idx + 1;
    }
    if j > 0 {
        out[2] = idx - nx;
    }
    if j + 1 < ny {
        out[3] = idx + nx;
    }
    if k > 0 {
        out[4] = idx - nx * ny;
    }
    if k + 1 < nz {
        out[5] = idx + nx * ny;
    }
    out.into_iter().filter(|&x| x != usize::MAX)
}

/// The largest 6-connected component of `mask`.
fn largest_component(mask: &[bool], dims: [usize; 3]) -> Vec<bool> {
    let mut seen = vec![false; mask.len()];
    let mut queue = VecDeque::new();
    let mut best = (0usize, 0usize); // (size, seed)
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        queue.push_back(start);
        let mut size = 0;
        while let Some(v) = queue.pop_front() {
            size += 1;
            for w in neighbours6(v, dims) {
                if mask[w] && !seen[w] {
                    seen[w] = true;
                    queue.push_back(w);
                }
            }
        }
        if size > best.0 {
            best = (size, start);
        }
    }
    let mut keep = vec![false; mask.len()];
    keep[best.1] = true;
    queue.push_back(best.1);
    while let Some(v) = queue.pop_front() {
        for w in neighbours6(v, dims) {
            if mask[w] && !keep[w] {
                keep[w] = true;
                queue.push_back(w);
            }
        }
    }
    keep
}

/// The grid axis along which the bounding box of the mask's set voxels (`true`, or a
/// non-zero label) is longest (mm).
pub(crate) fn long_axis<T: Copy + Default + PartialEq>(mask: &[T], ct: &Volume) -> usize {
    let [nx, ny, _] = ct.dims;
    let mut lo = [usize::MAX; 3];
    let mut hi = [0usize; 3];
    let empty = T::default();
    for (row, values) in mask.chunks(nx).enumerate() {
        let Some(first) = values.iter().position(|&m| m != empty) else {
            continue;
        };
        let last = values.iter().rposition(|&m| m != empty).unwrap_or(first);
        let (j, k) = (row % ny, row / ny);
        lo[0] = lo[0].min(first);
        hi[0] = hi[0].max(last);
        lo[1] = lo[1].min(j);
        hi[1] = hi[1].max(j);
        lo[2] = lo[2].min(k);
        hi[2] = hi[2].max(k);
    }
    let extent = [0, 1, 2].map(|c| (hi[c].saturating_sub(lo[c]) + 1) as f64 * ct.spacing[c]);
    (0..3)
        .max_by(|&a, &b| extent[a].total_cmp(&extent[b]).then(a.cmp(&b)))
        .unwrap_or(2)
}

/// Fill, in every plane across `axis`, the background not reachable from the plane's border.
fn fill_slices(mask: &mut [bool], dims: [usize; 3], axis: usize) {
    let (u, v) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let stride = [1, dims[0], dims[0] * dims[1]];
    let (nu, nv) = (dims[u], dims[v]);
    let mut outside = vec![false; nu * nv];
    let mut queue = VecDeque::new();
    for s in 0..dims[axis] {
        let at = |a: usize, b: usize| s * stride[axis] + a * stride[u] + b * stride[v];
        outside.iter_mut().for_each(|x| *x = false);
        for a in 0..nu {
            for b in 0..nv {
                if (a == 0 || b == 0 || a + 1 == nu || b + 1 == nv) && !mask[at(a, b)] {
                    outside[a + nu * b] = true;
                    queue.push_back((a, b));
                }
            }
        }
        while let Some((a, b)) = queue.pop_front() {
            let mut visit = |a2: usize, b2: usize| {
                if !outside[a2 + nu * b2] && !mask[at(a2, b2)] {
                    outside[a2 + nu * b2] = true;
                    queue.push_back((a2, b2));
                }
            };
            if a > 0 {
                visit(a - 1, b);
            }
            if a + 1 < nu {
                visit(a + 1, b);
            }
            if b > 0 {
                visit(a, b - 1);
            }
            if b + 1 < nv {
                visit(a, b + 1);
            }
        }
        for a in 0..nu {
            for b in 0..nv {
                if !outside[a + nu * b] {
                    mask[at(a, b)] = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_component_and_slice_fill() {
        // a 7×7×3 grid: a hollow square ring (5×5 outer, 3×3 hole) in every slice, plus one
        // stray voxel in a corner
        let dims = [7, 7, 3];
        let mut mask = vec![false; 7 * 7 * 3];
        for k in 0..3 {
            for j in 1..6 {
                for i in 1..6 {
                    let ring = i == 1 || i == 5 || j == 1 || j == 5;
                    mask[i + 7 * (j + 7 * k)] = ring;
                }
            }
        }
        mask[0] = true;
        let kept = largest_component(&mask, dims);
        assert!(!kept[0]);
        assert_eq!(kept.iter().filter(|&&m| m).count(), 16 * 3);
        let mut filled = kept.clone();
        fill_slices(&mut filled, dims, 2);
        assert_eq!(filled.iter().filter(|&&m| m).count(), 25 * 3);
        assert_eq!(
            LabelMapping::parse("1=cortical, 5=marrow")
                .unwrap()
                .region(5),
            Some(Region::Marrow)
        );
        assert!(LabelMapping::parse("1=bone").is_err());
    }
}
