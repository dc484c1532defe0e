//! Hexahedral (C3D8) mesh of the segmented voxels.
//!
//! Every block of `factor × factor × factor` voxels (`factor` = 1 meshes voxel by voxel; the
//! element edge is `factor × spacing`) becomes one 8-node brick when at least half of its
//! voxels are bone; its region is the region most of its bone voxels have (ties to the lower
//! code, cortical first). Nodes sit on voxel corners, placed in the world (LPS, mm) through
//! the volume's origin, spacing and direction cosines; a mirrored grid (negative
//! handedness) gets its node order flipped so that every Jacobian is positive. Voxels
//! beyond the last whole block at the far side of each axis (fewer than `factor` layers) are
//! not meshed; [`VoxelMesh::dropped_bone_voxels`] counts the bone voxels lost there.
//!
//! Sets (upper case, as everywhere in osteon's decks): element sets `CORTICAL`,
//! `CANCELLOUS`, `MARROW` (those present) and `ALL`; node sets `DISTAL` and `PROXIMAL`, the
//! nodes of the first and last node layers along the bone's long axis (the grid axis of the
//! largest extent), `PROXIMAL` being the end with the larger world z (superior in LPS).

use osteon_mesh::{ElementType, Mesh};

use crate::error::ImagingError;
use crate::segment::{Region, Segmentation};
use crate::volume::Volume;

/// A voxel mesh with the bookkeeping needed to map voxel values onto its elements.
#[derive(Clone, Debug)]
pub struct VoxelMesh {
    /// The C3D8 mesh (ids from 1, sets as in the module docs); C3D20 after
    /// [`crate::hex20::make_quadratic`].
    pub mesh: Mesh,
    /// Voxels per element edge.
    pub factor: usize,
    /// Lowest voxel index `(i, j, k)` of each element's block, in element order.
    pub blocks: Vec<[usize; 3]>,
    /// Region of each element.
    pub regions: Vec<Region>,
    /// Grid axis along which the bone is longest (0, 1 or 2).
    pub long_axis: usize,
    /// Bone voxels beyond the last whole block (not meshed).
    pub dropped_bone_voxels: usize,
}

impl VoxelMesh {
    /// Linear indices of the bone voxels of element `e`.
    pub fn element_voxels<'a>(
        &'a self,
        e: usize,
        seg: &'a Segmentation,
    ) -> impl Iterator<Item = usize> + 'a {
        let [i0, j0, k0] = self.blocks[e];
        let f = self.factor;
        let [nx, ny, _] = seg.dims;
        (0..f * f * f)
            .map(move |q| (i0 + q % f) + nx * ((j0 + (q / f) % f) + ny * (k0 + q / (f * f))))
            .filter(move |&idx| seg.labels[idx] != 0)
    }
}

/// Voxels per element edge for an element edge of `element_size_mm` (mm) on a grid of
/// `spacing` (mm): the edge over the geometric-mean spacing, rounded, at least 1; 1 for
/// `None` (one voxel per element).
///
/// # Errors
/// [`ImagingError::InvalidParameter`] for an edge that is not finite and > 0.
pub fn voxels_per_element(
    spacing: [f64; 3],
    element_size_mm: Option<f64>,
) -> Result<usize, ImagingError> {
    match element_size_mm {
        None => Ok(1),
        Some(h) if h.is_finite() && h > 0.0 => {
            let mean = (spacing[0] * spacing[1] * spacing[2]).cbrt();
            Ok(((h / mean).round() as usize).max(1))
        }
        Some(h) => Err(ImagingError::invalid(
            "element size (mm)",
            h,
            "a finite edge length > 0",
        )),
    }
}

/// Build the voxel mesh of `seg` on the grid of `ct` with elements of `factor` voxels a side.
///
/// # Errors
/// [`ImagingError::InvalidParameter`] when `factor` is 0 or larger than the grid, or when
/// `seg` is not on the grid of `ct`; [`ImagingError::EmptySegmentation`] when no block is
/// half bone.
pub fn mesh_voxels(
    ct: &Volume,
    seg: &Segmentation,
    factor: usize,
) -> Result<VoxelMesh, ImagingError> {
    if seg.dims != ct.dims {
        return Err(ImagingError::invalid(
            "segmentation grid",
            format!("{:?}", seg.dims),
            format!("the CT grid {:?}", ct.dims),
        ));
    }
    if factor == 0 || ct.dims.iter().any(|&n| n < factor) {
        return Err(ImagingError::invalid(
            "coarsening factor (voxels per element edge)",
            factor,
            format!("1 ≤ factor ≤ the smallest grid dimension {:?}", ct.dims),
        ));
    }
    let [nx, ny, nz] = ct.dims;
    let nb = [nx / factor, ny / factor, nz / factor];
    let half = factor * factor * factor;
    let mut blocks = Vec::new();
    let mut regions = Vec::new();
    for bk in 0..nb[2] {
        for bj in 0..nb[1] {
            for bi in 0..nb[0] {
                let mut count = [0usize; 4];
                for dk in 0..factor {
                    for dj in 0..factor {
                        for di in 0..factor {
                            let idx =
                                ct.index(bi * factor + di, bj * factor + dj, bk * factor + dk);
                            count[seg.labels[idx] as usize & 3] += 1;
                        }
                    }
                }
                let bone = count[1] + count[2] + count[3];
                if 2 * bone >= half && bone > 0 {
                    let best = (1..4)
                        .max_by(|&a, &b| count[a].cmp(&count[b]).then(b.cmp(&a)))
                        .unwrap_or(1);
                    blocks.push([bi * factor, bj * factor, bk * factor]);
                    regions.push(Region::from_code(best as u8).unwrap_or(Region::Cortical));
                }
            }
        }
    }
    if blocks.is_empty() {
        return Err(ImagingError::EmptySegmentation(format!(
            "no block of {factor}³ voxels is at least half bone"
        )));
    }
    let mut dropped = 0;
    for k in 0..nz {
        for j in 0..ny {
            let row = &seg.labels[ct.index(0, j, k)..ct.index(0, j, k) + nx];
            let whole_row = k >= nb[2] * factor || j >= nb[1] * factor;
            let from = if whole_row { 0 } else { nb[0] * factor };
            dropped += row[from..].iter().filter(|&&l| l != 0).count();
        }
    }
    // nodes on block corners, created on first use; the blocks come layer by layer along
    // the third grid axis, so only the two node layers of the current block layer are kept
    let np = [nb[0] + 1, nb[1] + 1, nb[2] + 1];
    let plane = np[0] * np[1];
    let mut node_of = vec![u32::MAX; 2 * plane];
    let mut layer = 0; // node layer held in the first half of `node_of`
    let mut mesh = Mesh::new();
    let flip = ct.handedness() < 0.0;
    let corners = corner_offsets(flip);
    let mut layer_of_node: Vec<usize> = Vec::new();
    let axis = crate::segment::long_axis(&seg.labels, ct);
    for (e, b) in blocks.iter().enumerate() {
        let bk = b[2] / factor;
        if bk != layer {
            // the upper layer becomes the lower one when the next block layer is adjacent
            if bk == layer + 1 {
                node_of.copy_within(plane.., 0);
            } else {
                node_of[..plane].fill(u32::MAX);
            }
            node_of[plane..].fill(u32::MAX);
            layer = bk;
        }
        let mut nodes = [0usize; 8];
        for (slot, c) in nodes.iter_mut().zip(corners) {
            let p = [0, 1, 2].map(|a| b[a] / factor + c[a]);
            let key = p[0] + np[0] * p[1] + plane * (p[2] - layer);
            if node_of[key] == u32::MAX {
                let g = [0, 1, 2].map(|a| (p[a] * factor) as f64 - 0.5);
                let id = mesh.n_nodes() as i64 + 1;
                node_of[key] = mesh.add_node(id, ct.world(g))? as u32;
                layer_of_node.push(p[axis]);
            }
            *slot = node_of[key] as usize;
        }
        mesh.push_element(ElementType::Hex8, e as i64 + 1, &nodes)?;
    }
    for r in Region::ALL {
        let set: Vec<usize> = (0..blocks.len()).filter(|&e| regions[e] == r).collect();
        if !set.is_empty() {
            mesh.set_element_set(r.name().to_ascii_uppercase(), set);
        }
    }
    mesh.set_element_set("ALL", (0..blocks.len()).collect());
    let lo = layer_of_node.iter().copied().min().unwrap_or(0);
    let hi = layer_of_node.iter().copied().max().unwrap_or(0);
    let at = |layer: usize| {
        (0..layer_of_node.len())
            .filter(|&n| layer_of_node[n] == layer)
            .collect::<Vec<_>>()
    };
    let (first, last) = (at(lo), at(hi));
    // proximal = the end with the larger world z (superior in LPS)
    let z_first = first.iter().map(|&n| mesh.coords[n][2]).sum::<f64>() / first.len().max(1) as f64;
    let z_last = last.iter().map(|&n| mesh.coords[n][2]).sum::<f64>() / last.len().max(1) as f64;
    let (distal, proximal) = if z_last >= z_first {
        (first, last)
    } else {
        (last, first)
    };
    mesh.set_node_set("DISTAL", distal);
    mesh.set_node_set("PROXIMAL", proximal);
    Ok(VoxelMesh {
        mesh,
        factor,
        blocks,
        regions,
        long_axis: axis,
        dropped_bone_voxels: dropped,
    })
}

/// Block-corner offsets of the eight nodes of an element in C3D8 order: the bottom face
/// (lower third grid index) counter-clockwise about the third axis, then the top face; a
/// mirrored grid (`flip`) swaps the two faces so that the Jacobian stays positive.
pub(crate) fn corner_offsets(flip: bool) -> [[usize; 3]; 8] {
    let bottom = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]];
    let (k0, k1) = if flip { (1, 0) } else { (0, 1) };
    let mut c = [[0; 3]; 8];
    for q in 0..4 {
        c[q] = [bottom[q][0], bottom[q][1], k0];
        c[q + 4] = [bottom[q][0], bottom[q][1], k1];
    }
    c
}
