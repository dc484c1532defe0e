//! The locking screws: solid O-grid cylinders along x, from mid-flange to mid-far-cortex,
//! whose nodes are embedded ([`crate::embed`]) in the flange (priority: the screw is locked
//! in it) or the bone they lie in; nodes in the empty canal stay free.

use std::ops::Range;

use osteon_assembly::Equation;
use osteon_mesh::Mesh;

use super::elements::{Proto, add_block, merge_block};
use super::ogrid::ogrid_blocks;
use super::{Fragment, InterfaceSet, Layout, MERGE_TOLERANCE, Region, ScrewPlacement};
use crate::embed::{Embedding, embed_nodes, embedding_equations};
use crate::error::BiomechError;
use crate::geometry::TibiaGeometry;
use crate::merge::NodeMerger;
use crate::spec::{ImplantSpec, ScrewSpec};

/// The screw blocks: one placement and one range of (global) nodes per screw, sorted by z.
pub(super) struct ScrewBlocks {
    /// The screws (embedding counts still zero).
    pub placements: Vec<ScrewPlacement>,
    /// The nodes of each screw.
    pub node_ranges: Vec<Range<usize>>,
}

/// Step 5 of the build: the screw cylinders, tip (medial, mid far cortex) → head
/// (mid-flange), one per offset and fragment when the screws and the flange are enabled,
/// their nodes appended to `coords` and their elements to `protos`.
pub(super) fn screw_blocks(
    geometry: &TibiaGeometry,
    implant: &ImplantSpec,
    layout: &Layout,
    coords: &mut Vec<[f64; 3]>,
    protos: &mut Vec<Proto>,
) -> Result<ScrewBlocks, BiomechError> {
    let flange = &implant.flange;
    let screws = &implant.screws;
    let (etype, h, defect_z) = (layout.etype, layout.h, layout.defect_z);
    let mut placements = Vec::new();
    let mut screw_node_ranges = Vec::new();
    if screws.enabled && flange.enabled {
        let r = 0.5 * screws.diameter_mm;
        let mut list = Vec::new();
        for &off in &screws.offsets_mm {
            list.push((Fragment::Distal, defect_z[0] - off));
            list.push((Fragment::Proximal, defect_z[1] + off));
        }
        list.sort_by(|a, b| a.1.total_cmp(&b.1));
        for (k, &(fragment, zs)) in list.iter().enumerate() {
            let o = geometry.outer_semi_axes(zs);
            let x_head = o[0] + 0.5 * flange.thickness_mm;
            let x_tip = -(o[0] - 0.5 * geometry.wall(zs));
            let axial = ((x_head - x_tip) / h).ceil().max(2.0) as usize;
            let blocks = ogrid_blocks(2, 1, axial, etype, |d, p| {
                [x_tip + p * (x_head - x_tip), r * d[0], zs + r * d[1]]
            })?;
            let mut local = NodeMerger::new(MERGE_TOLERANCE);
            let maps: Vec<Vec<usize>> = blocks.iter().map(|b| merge_block(b, &mut local)).collect();
            let base = coords.len();
            coords.extend_from_slice(local.coords());
            for (block, map) in blocks.iter().zip(&maps) {
                let shifted: Vec<usize> = map.iter().map(|&i| base + i).collect();
                add_block(block, &shifted, |_| Region::Screw(k), protos);
            }
            screw_node_ranges.push(base..coords.len());
            placements.push(ScrewPlacement {
                fragment,
                z_mm: zs,
                x_range_mm: [x_head, x_tip],
                n_nodes: local.len(),
                embedded_in_flange: 0,
                embedded_in_bone: 0,
                free: 0,
            });
        }
    }
    Ok(ScrewBlocks {
        placements,
        node_ranges: screw_node_ranges,
    })
}

/// Step 8 (screw part): embed every screw's nodes in the flange and bone elements near it,
/// counting them in its placement; sets the node set SCREW_HOLES (the bone nodes of the
/// host elements, `bone_node` flags the bone's nodes). Returns the embedding equations and
/// the SCREW_HOLES interface set; an error when a screw is not anchored in both the flange
/// and bone.
pub(super) fn embed_screws(
    mesh: &mut Mesh,
    screws: &ScrewSpec,
    h_far: f64,
    built: &mut ScrewBlocks,
    bone_node: &[bool],
) -> Result<(Vec<Equation>, InterfaceSet), BiomechError> {
    let placements = &mut built.placements;
    let screw_node_ranges = &built.node_ranges;
    let mut equations = Vec::new();
    let flange_elems = mesh.element_set("FLANGE")?.to_vec();
    let bone_elems = mesh.element_set("BONE")?.to_vec();
    let mut holes = Vec::new();
    for (k, range) in screw_node_ranges.iter().enumerate() {
        let nodes: Vec<usize> = range.clone().collect();
        // only hosts near the screw: flange first (the head is locked in it), then bone
        let zs = placements[k].z_mm;
        let near = |e: &usize| {
            let el = mesh.element(*e);
            el.nodes
                .iter()
                .any(|&n| (mesh.coords[n][2] - zs).abs() < 0.5 * screws.diameter_mm + h_far)
        };
        let mut hosts: Vec<usize> = flange_elems.iter().copied().filter(near).collect();
        let n_flange_hosts = hosts.len();
        hosts.extend(bone_elems.iter().copied().filter(near));
        let flange_set: std::collections::HashSet<usize> =
            hosts[..n_flange_hosts].iter().copied().collect();
        let (found, free) = embed_nodes(mesh, &nodes, &hosts);
        let p = &mut placements[k];
        p.free = free.len();
        for emb in &found {
            if flange_set.contains(&emb.host) {
                p.embedded_in_flange += 1;
            } else {
                p.embedded_in_bone += 1;
                holes.extend(host_nodes_used(mesh, emb));
            }
            equations.extend(embedding_equations(mesh, emb));
        }
        if p.embedded_in_flange == 0 || p.embedded_in_bone == 0 {
            return Err(BiomechError::construction(format!(
                "screw {k} at z = {zs:.1} mm is not anchored: {} nodes in the flange, {} in bone",
                p.embedded_in_flange, p.embedded_in_bone
            )));
        }
    }
    holes.retain(|&n| bone_node[n]);
    holes.sort_unstable();
    holes.dedup();
    mesh.set_node_set("SCREW_HOLES", holes.clone());
    Ok((
        equations,
        InterfaceSet {
            name: "screw holes".into(),
            set: "SCREW_HOLES".into(),
            nodes: holes,
        },
    ))
}

/// The host element's nodes with a nonzero shape function at the embedded point.
fn host_nodes_used(mesh: &Mesh, emb: &Embedding) -> Vec<usize> {
    let el = mesh.element(emb.host);
    let shape = el.etype.shape(emb.xi);
    el.nodes
        .iter()
        .enumerate()
        .filter(|(a, _)| shape.n[*a].abs() > 1e-14)
        .map(|(_, &n)| n)
        .collect()
}
