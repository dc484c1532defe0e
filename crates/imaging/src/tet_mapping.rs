//! CT-based material mapping onto tetrahedra (C3D4, C3D10), which do not follow the voxels.
//!
//! The rule is the voxel mesh's ([`crate::mapping`], `docs/imaging.md §4`) applied to an
//! element that cuts through voxels: the element's modulus is the **mean modulus of the bone
//! it holds**, the CT taken as constant within each voxel. The mean is taken over equally
//! weighted sample points that fill the element: the centroids of its regular subdivision
//! into n³ tetrahedra of equal volume, `n = ⌈longest edge / smallest voxel spacing⌉` (at
//! least 2, at most [`MAX_SUBDIVISION`]), so that every sample stands for at most about one
//! voxel of the element. Each sample takes the value of the voxel it falls in (nearest voxel
//! centre), not a trilinear blend: at the periosteal surface a blend mixes soft-tissue HU
//! into the bone, which the voxel path keeps out by averaging bone voxels only. Samples in
//! voxels outside the segmentation are left out, as the voxel path leaves out non-bone
//! voxels. The element's region is the region most of its bone samples have (ties to the
//! lower code, cortical first).
//!
//! The corner nodes define the element: midside nodes of a C3D10 lie on straight edges in
//! the meshes osteon makes (a discrete surface, no curved boundary), and a curved edge's
//! bulge is far below a voxel.
//!
//! An element of the smoothed surface can lie entirely in voxels the segmentation calls
//! outside (the smoothed surface departs from the voxel faces by up to about half a voxel).
//! It takes the nearest bone voxel to its centroid, within [`FALLBACK_REACH`] voxels, and is
//! counted in [`TetMapping::nearest_voxel_elements`]; with none in reach (not seen in a mesh
//! of the segmented surface) it is mapped from all its samples, bone or not, as region
//! marrow, and counted in [`TetMapping::unmapped_elements`].

use std::collections::HashMap;

use osteon_mesh::{ElementType, Mesh};

use crate::error::ImagingError;
use crate::mapping::{ElementProperties, MappingOptions, voxel_means};
use crate::segment::{Region, Segmentation};
use crate::volume::Volume;

/// Largest number of subdivisions per element edge (n³ = 4096 samples).
pub const MAX_SUBDIVISION: usize = 16;
/// How far (voxels, along each grid axis) an element without bone samples looks for the
/// nearest bone voxel.
pub const FALLBACK_REACH: i64 = 4;

/// The result of [`map_tet_materials`].
#[derive(Clone, Debug, PartialEq)]
pub struct TetMapping {
    /// Per element: mean HU, apparent density (g/cm³) and modulus (MPa) of its bone samples.
    pub properties: ElementProperties,
    /// Region of each element.
    pub regions: Vec<Region>,
    /// Elements without a bone sample that took the nearest bone voxel.
    pub nearest_voxel_elements: usize,
    /// Elements with no bone voxel within reach: mapped from all their samples, bone or
    /// not, region marrow.
    pub unmapped_elements: usize,
    /// Sample points per element: smallest and largest n³.
    pub samples_per_element: (usize, usize),
}

/// The `n³` equally weighted points of the reference simplex `{0 ≤ z ≤ y ≤ x ≤ 1}`: the
/// centroids of the Kuhn tetrahedra of the `n`-grid that lie in it (each of volume
/// `1 / (6 n³)`), scaled to the unit simplex.
pub fn subdivision_points(n: usize) -> Vec<[f64; 3]> {
    const ORDERS: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    let mut pts = Vec::with_capacity(n * n * n);
    for k in 0..n {
        for j in 0..n {
            for i in 0..n {
                for order in ORDERS {
                    // the Kuhn simplex c → c + e_a → c + e_a + e_b → c + 1, centroid
                    let mut c = [i as f64, j as f64, k as f64];
                    for (step, &axis) in order.iter().enumerate() {
                        c[axis] += (3 - step) as f64 / 4.0;
                    }
                    if c[0] > c[1] && c[1] > c[2] {
                        pts.push(c.map(|x| x / n as f64));
                    }
                }
            }
        }
    }
    pts
}

fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// The voxel (linear index) holding world point `x`, `None` outside the grid.
fn voxel_at(ct: &Volume, x: [f64; 3]) -> Option<usize> {
    let g = ct.grid(x);
    let mut ijk = [0usize; 3];
    for c in 0..3 {
        let r = g[c].round();
        if !(r >= 0.0 && r < ct.dims[c] as f64) {
            return None;
        }
        ijk[c] = r as usize;
    }
    Some(ct.index(ijk[0], ijk[1], ijk[2]))
}

/// The bone voxel nearest to world point `x` within [`FALLBACK_REACH`] voxels.
fn nearest_bone_voxel(ct: &Volume, seg: &Segmentation, x: [f64; 3]) -> Option<usize> {
    let g = ct.grid(x).map(|v| v.round() as i64);
    let mut best: Option<(f64, usize)> = None;
    let r = FALLBACK_REACH;
    for dk in -r..=r {
        for dj in -r..=r {
            for di in -r..=r {
                let p = [g[0] + di, g[1] + dj, g[2] + dk];
                if (0..3).any(|c| p[c] < 0 || p[c] >= ct.dims[c] as i64) {
                    continue;
                }
                let idx = ct.index(p[0] as usize, p[1] as usize, p[2] as usize);
                if seg.labels[idx] == 0 {
                    continue;
                }
                let d = dist(ct.world(p.map(|v| v as f64)), x);
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, idx));
                }
            }
        }
    }
    best.map(|(_, idx)| idx)
}

/// Map the CT numbers of `ct` onto the tetrahedra of `mesh` (world mm, LPS), bone given by
/// `seg` (see the module docs).
///
/// # Errors
/// [`ImagingError::InvalidParameter`] for a modulus floor that is not finite and positive,
/// a segmentation on another grid, an element that is not a tetrahedron or one outside the
/// grid; [`ImagingError::Material`] for a non-finite CT number.
pub fn map_tet_materials(
    ct: &Volume,
    seg: &Segmentation,
    mesh: &Mesh,
    opts: &MappingOptions,
) -> Result<TetMapping, ImagingError> {
    crate::mapping::check_floor(opts)?;
    if seg.dims != ct.dims {
        return Err(ImagingError::invalid(
            "segmentation grid",
            format!("{:?}", seg.dims),
            format!("the CT grid {:?}", ct.dims),
        ));
    }
    let spacing = ct.spacing[0].min(ct.spacing[1]).min(ct.spacing[2]);
    let n = mesh.n_elements();
    let mut rules: HashMap<usize, Vec<[f64; 3]>> = HashMap::new();
    let mut out = TetMapping {
        properties: ElementProperties {
            hu: Vec::with_capacity(n),
            density_g_cm3: Vec::with_capacity(n),
            modulus_mpa: Vec::with_capacity(n),
        },
        regions: Vec::with_capacity(n),
        nearest_voxel_elements: 0,
        unmapped_elements: 0,
        samples_per_element: (usize::MAX, 0),
    };
    let mut voxels: Vec<usize> = Vec::new();
    for e in 0..n {
        let el = mesh.element(e);
        if !matches!(el.etype, ElementType::Tet4 | ElementType::Tet10) {
            return Err(ImagingError::invalid(
                "element type for tetrahedral mapping",
                format!("{:?}", el.etype),
                "C3D4 or C3D10",
            ));
        }
        let p = [0, 1, 2, 3].map(|q| mesh.coords[el.nodes[q]]);
        let longest = (0..4)
            .flat_map(|a| (a + 1..4).map(move |b| (a, b)))
            .map(|(a, b)| dist(p[a], p[b]))
            .fold(0.0, f64::max);
        let div = ((longest / spacing).ceil() as usize).clamp(2, MAX_SUBDIVISION);
        let rule = rules.entry(div).or_insert_with(|| subdivision_points(div));
        out.samples_per_element.0 = out.samples_per_element.0.min(rule.len());
        out.samples_per_element.1 = out.samples_per_element.1.max(rule.len());
        voxels.clear();
        let mut in_grid: Vec<usize> = Vec::new();
        for s in rule.iter() {
            // p0 + x (p1 − p0) + y (p2 − p1) + z (p3 − p2)
            let w = [1.0 - s[0], s[0] - s[1], s[1] - s[2], s[2]];
            let x = [0, 1, 2].map(|c| (0..4).map(|q| w[q] * p[q][c]).sum::<f64>());
            if let Some(idx) = voxel_at(ct, x) {
                if seg.labels[idx] != 0 {
                    voxels.push(idx);
                }
                in_grid.push(idx);
            }
        }
        let mut fallback_region = None;
        if voxels.is_empty() {
            let centroid = [0, 1, 2].map(|c| p.iter().map(|q| q[c]).sum::<f64>() / 4.0);
            if let Some(idx) = nearest_bone_voxel(ct, seg, centroid) {
                voxels.push(idx);
                out.nearest_voxel_elements += 1;
            } else if !in_grid.is_empty() {
                voxels = in_grid;
                out.unmapped_elements += 1;
                fallback_region = Some(Region::Marrow);
            } else {
                return Err(ImagingError::invalid(
                    "tetrahedral mesh",
                    format!("element {}", el.id),
                    "elements inside the CT grid",
                ));
            }
        }
        out.properties
            .push(voxel_means(ct, seg, opts, voxels.iter().copied())?);
        let mut count = [0usize; 4];
        for &idx in &voxels {
            count[seg.labels[idx] as usize & 3] += 1;
        }
        let best = (1..4)
            .max_by(|&a, &b| count[a].cmp(&count[b]).then(b.cmp(&a)))
            .unwrap_or(1);
        out.regions.push(
            fallback_region
                .or(Region::from_code(best as u8))
                .unwrap_or(Region::Cortical),
        );
    }
    if n == 0 {
        out.samples_per_element = (0, 0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdivision_fills_the_simplex_evenly() {
        for n in [1, 2, 3, 5] {
            let pts = subdivision_points(n);
            assert_eq!(pts.len(), n * n * n);
            // every point strictly inside, and their mean is the simplex centroid
            assert!(
                pts.iter()
                    .all(|p| 1.0 > p[0] && p[0] > p[1] && p[1] > p[2] && p[2] > 0.0)
            );
            let mean = [0, 1, 2].map(|c| pts.iter().map(|p| p[c]).sum::<f64>() / pts.len() as f64);
            for (m, exact) in mean.iter().zip([0.75, 0.5, 0.25]) {
                assert!((m - exact).abs() < 1e-12, "n = {n}: {mean:?}");
            }
            // equal weights integrate x² exactly only in the limit: ∫x² / V = 3/5
            let x2 = pts.iter().map(|p| p[0] * p[0]).sum::<f64>() / pts.len() as f64;
            assert!((x2 - 0.6).abs() < 0.1 / (n * n) as f64, "n = {n}: {x2}");
        }
    }
}
