//! The locking screws. Drilled (the default, [`crate::ScrewModel::Drilled`]): each screw
//! fills a hole through flange and both cortices ([`super::holes`]); this module adds its
//! shaft across the canal and counts what it shares. Embedded: solid O-grid cylinders along
//! their axis, from mid-flange to mid-far-cortex (along x on the parametric tibia, along
//! the planned trajectory on a CT), whose nodes are embedded ([`crate::embed`]) in the
//! flange (priority: the screw is locked in it) or the bone they lie in; nodes in the empty
//! canal stay free.

use std::ops::Range;

use osteon_assembly::Equation;
use osteon_mesh::{ElementType, Mesh};

use super::elements::{Proto, add_block, merge_block};
use super::holes::{HoleLayout, canal_blocks};
use super::ogrid::ogrid_blocks;
use super::{Fragment, InterfaceSet, Layout, MERGE_TOLERANCE, Region, ScrewPlacement};
use crate::embed::{Embedding, embed_nodes, embedding_equations};
use crate::error::BiomechError;
use crate::geometry::TibiaGeometry;
use crate::merge::NodeMerger;
use crate::spec::{ImplantSpec, ScrewSpec};

/// The screw blocks: one placement and one range of (global) nodes per screw (sorted by z
/// on the parametric tibia, in the planned order on a CT).
pub(crate) struct ScrewBlocks {
    /// The screws (embedding counts still zero).
    pub placements: Vec<ScrewPlacement>,
    /// The nodes of each screw.
    pub node_ranges: Vec<Range<usize>>,
}

/// The screw axes (fragment, z in mm), one per offset and fragment, sorted by z: the
/// screws' order, drilled or embedded.
pub(super) fn screw_axes(implant: &ImplantSpec, defect_z: [f64; 2]) -> Vec<(Fragment, f64)> {
    let mut list = Vec::new();
    for &off in &implant.screws.offsets_mm {
        list.push((Fragment::Distal, defect_z[0] - off));
        list.push((Fragment::Proximal, defect_z[1] + off));
    }
    list.sort_by(|a, b| a.1.total_cmp(&b.1));
    list
}

/// Step 5 of the build with drilled holes: each screw's shaft across the canal, its nodes
/// merged with those of the shaft in the two cortices (`bone`, step 1b), its elements
/// appended to `protos`; the placements, tip flush with the far periosteum, head end on the
/// flange's outer face (their node counts follow from the numbered mesh,
/// [`count_drilled`]).
pub(super) fn drilled_screws(
    geometry: &TibiaGeometry,
    implant: &ImplantSpec,
    layout: &Layout,
    holes: &HoleLayout,
    bone: &mut NodeMerger,
    protos: &mut Vec<Proto>,
) -> Result<ScrewBlocks, BiomechError> {
    let mut placements = Vec::new();
    for (i, hole) in holes.holes.iter().enumerate() {
        let (inner, outer) = (
            geometry.inner_semi_axes(hole.z),
            geometry.outer_semi_axes(hole.z),
        );
        let cells = ((2.0 * inner[0] / layout.h) - 1e-9).ceil().max(2.0) as usize;
        for block in canal_blocks(geometry, hole, holes, cells, layout.etype)? {
            let map = merge_block(&block, bone);
            add_block(&block, &map, |_| Region::Screw(i), protos);
        }
        placements.push(ScrewPlacement {
            fragment: hole.fragment,
            z_mm: hole.z,
            head_mm: [outer[0] + implant.flange.thickness_mm, 0.0, hole.z],
            tip_mm: [-outer[0], 0.0, hole.z],
            bone_entry_mm: [outer[0], 0.0, hole.z],
            n_nodes: 0,
            embedded_in_flange: 0,
            embedded_in_bone: 0,
            free: 0,
        });
    }
    Ok(ScrewBlocks {
        placements,
        node_ranges: Vec::new(),
    })
}

/// Step 8 with drilled holes: count each screw's nodes — all, shared with the flange's hole
/// wall, shared with the bone's (`bone` flags the bone's nodes), on neither — and set
/// SCREW_HOLES, the bone nodes a screw shares (its hole walls in the two cortices).
pub(crate) fn count_drilled(
    mesh: &mut Mesh,
    regions: &[Region],
    placements: &mut [ScrewPlacement],
    bone: &[bool],
) -> InterfaceSet {
    let n = mesh.n_nodes();
    let mut flange = vec![false; n];
    let mut screw: Vec<Vec<bool>> = vec![vec![false; n]; placements.len()];
    for (e, r) in regions.iter().enumerate() {
        let flags = match r {
            Region::Flange => &mut flange,
            Region::Screw(k) if *k < placements.len() => &mut screw[*k],
            _ => continue,
        };
        mesh.element(e).nodes.iter().for_each(|&a| flags[a] = true);
    }
    let mut holes = Vec::new();
    for (p, on) in placements.iter_mut().zip(&screw) {
        let nodes: Vec<usize> = (0..n).filter(|&a| on[a]).collect();
        p.n_nodes = nodes.len();
        p.embedded_in_flange = nodes.iter().filter(|&&a| flange[a]).count();
        p.embedded_in_bone = nodes.iter().filter(|&&a| bone[a]).count();
        p.free = nodes.iter().filter(|&&a| !flange[a] && !bone[a]).count();
        holes.extend(nodes.into_iter().filter(|&a| bone[a]));
    }
    holes.sort_unstable();
    holes.dedup();
    mesh.set_node_set("SCREW_HOLES", holes.clone());
    InterfaceSet {
        name: "screw holes".into(),
        set: "SCREW_HOLES".into(),
        nodes: holes,
    }
}

/// Step 5 of the build (embedded screws): the screw cylinders, tip (medial, mid far cortex) → head
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
        let r = screws.shaft_radius_mm();
        for (k, (fragment, zs)) in screw_axes(implant, defect_z).into_iter().enumerate() {
            let o = geometry.outer_semi_axes(zs);
            let head = [o[0] + 0.5 * flange.thickness_mm, 0.0, zs];
            let tip = [-(o[0] - 0.5 * geometry.wall(zs)), 0.0, zs];
            let ScrewMesh {
                coords: screw_coords,
                elements,
            } = screw_cylinder(head, tip, r, h, etype)?;
            let base = coords.len();
            coords.extend_from_slice(&screw_coords);
            protos.extend(elements.into_iter().map(|nodes| {
                Proto::new(
                    nodes.into_iter().map(|n| base + n).collect(),
                    Region::Screw(k),
                )
            }));
            screw_node_ranges.push(base..coords.len());
            placements.push(ScrewPlacement {
                fragment,
                z_mm: zs,
                head_mm: head,
                tip_mm: tip,
                bone_entry_mm: [o[0], 0.0, zs],
                n_nodes: screw_coords.len(),
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

/// A screw's mesh on its own: node coordinates (mm) and elements (indices into them).
pub(crate) struct ScrewMesh {
    /// Node coordinates (mm).
    pub coords: Vec<[f64; 3]>,
    /// Element connectivity, local node indices.
    pub elements: Vec<Vec<usize>>,
}

/// One screw as a solid O-grid cylinder of radius `r` (mm) from `tip` to `head` (mm) in
/// cells about `h` long (at least two), of element type `etype`. The cross-section frame
/// (e₁, e₂) completes the axis a (tip → head) to a right-handed (a, e₁, e₂), e₁ the part of
/// y (of z when a is nearly along y) normal to a: for a screw along x, e₁ = y and e₂ = z.
pub(crate) fn screw_cylinder(
    head: [f64; 3],
    tip: [f64; 3],
    r: f64,
    h: f64,
    etype: ElementType,
) -> Result<ScrewMesh, BiomechError> {
    let d: [f64; 3] = std::array::from_fn(|i| head[i] - tip[i]);
    let length = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
    if !(length > 0.0 && length.is_finite() && r > 0.0 && h > 0.0) {
        return Err(BiomechError::construction(format!(
            "degenerate screw: axis from {tip:?} to {head:?} mm, radius {r} mm"
        )));
    }
    let [e1, e2] = cross_section_frame(d.map(|v| v / length));
    let axial = (length / h).ceil().max(2.0) as usize;
    let blocks = ogrid_blocks(2, 1, axial, etype, |q, p| {
        std::array::from_fn(|i| tip[i] + p * d[i] + r * (q[0] * e1[i] + q[1] * e2[i]))
    })?;
    let mut local = NodeMerger::new(MERGE_TOLERANCE);
    let mut elements = Vec::new();
    for block in &blocks {
        let map = merge_block(block, &mut local);
        elements.extend(
            block
                .elements()
                .map(|el| el.nodes.iter().map(|&n| map[n]).collect::<Vec<usize>>()),
        );
    }
    Ok(ScrewMesh {
        coords: local.coords().to_vec(),
        elements,
    })
}

/// Unit vectors e₁, e₂ with (a, e₁, e₂) right-handed and orthonormal, for a unit axis a.
fn cross_section_frame(a: [f64; 3]) -> [[f64; 3]; 2] {
    let reference = if a[1].abs() < 0.9 {
        [0.0, 1.0, 0.0]
    } else {
        [0.0, 0.0, 1.0]
    };
    let dot: f64 = (0..3).map(|i| reference[i] * a[i]).sum();
    let e1: [f64; 3] = std::array::from_fn(|i| reference[i] - dot * a[i]);
    let n = (e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]).sqrt();
    let e1 = e1.map(|v| v / n);
    let e2 = [
        a[1] * e1[2] - a[2] * e1[1],
        a[2] * e1[0] - a[0] * e1[2],
        a[0] * e1[1] - a[1] * e1[0],
    ];
    [e1, e2]
}

/// Step 8 (screw part): embed every screw's nodes in the flange and bone elements near it,
/// counting them in its placement; sets the node set SCREW_HOLES (the bone nodes of the
/// host elements, `bone_node` flags the bone's nodes). Returns the embedding equations and
/// the SCREW_HOLES interface set; an error when a screw is not anchored in both the flange
/// and bone.
pub(crate) fn embed_screws(
    mesh: &mut Mesh,
    screws: &ScrewSpec,
    built: &mut ScrewBlocks,
    bone_node: &[bool],
) -> Result<(Vec<Equation>, InterfaceSet), BiomechError> {
    let placements = &mut built.placements;
    let screw_node_ranges = &built.node_ranges;
    let mut equations = Vec::new();
    let flange_elems = mesh.element_set("FLANGE")?.to_vec();
    let bone_elems = mesh.element_set("BONE")?.to_vec();
    let mut holes = Vec::new();
    let r = screws.shaft_radius_mm();
    for (k, range) in screw_node_ranges.iter().enumerate() {
        let nodes: Vec<usize> = range.clone().collect();
        // only hosts that can reach the screw (flange first: the head is locked in it)
        let (tip, head) = (placements[k].tip_mm, placements[k].head_mm);
        let near = |e: &usize| element_near_segment(mesh, *e, tip, head, r);
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
                "screw {} at z = {:.1} mm is not anchored: {} nodes in the flange, {} in bone",
                k + 1,
                p.z_mm,
                p.embedded_in_flange,
                p.embedded_in_bone
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

/// True when element `e` may hold a point within `r` (mm) of the segment `a`–`b`: its
/// centroid lies within `r` plus its node radius (padded by 10 % for curved edges) of the
/// segment.
fn element_near_segment(mesh: &Mesh, e: usize, a: [f64; 3], b: [f64; 3], r: f64) -> bool {
    let el = mesh.element(e);
    let n = el.nodes.len() as f64;
    let c: [f64; 3] =
        std::array::from_fn(|i| el.nodes.iter().map(|&v| mesh.coords[v][i]).sum::<f64>() / n);
    let reach = el
        .nodes
        .iter()
        .map(|&v| distance(mesh.coords[v], c))
        .fold(0.0, f64::max);
    distance_to_segment(c, a, b) <= r + 1.1 * reach
}

fn distance(p: [f64; 3], q: [f64; 3]) -> f64 {
    (0..3).map(|i| (p[i] - q[i]).powi(2)).sum::<f64>().sqrt()
}

/// Distance (mm) from `p` to the segment `a`–`b`.
pub(crate) fn distance_to_segment(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let d: [f64; 3] = std::array::from_fn(|i| b[i] - a[i]);
    let dd: f64 = d.iter().map(|v| v * v).sum();
    let t = if dd > 0.0 {
        ((0..3).map(|i| (p[i] - a[i]) * d[i]).sum::<f64>() / dd).clamp(0.0, 1.0)
    } else {
        0.0
    };
    distance(p, std::array::from_fn(|i| a[i] + t * d[i]))
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
