//! The lateral flange: a curved plate block on the periosteal surface at +x, its inner face
//! tied to the bone and prosthesis surface ([`osteon_assembly::tie_equations`]).

use osteon_assembly::{Equation, Tie, TieReport, adjust_tied_nodes, tie_equations};
use osteon_mesh::generate::{StructuredSpec, structured_mesh};
use osteon_mesh::{FaceRef, Mesh};

use super::elements::{Proto, add_block, add_block_where, merge_block};
use super::holes::{Layers, disk_blocks, flange_point, in_patch, patch_blocks};
use super::{InterfaceSet, Layout, MERGE_TOLERANCE, Region};
use crate::error::BiomechError;
use crate::geometry::{TibiaGeometry, ellipse_arc_length};
use crate::merge::NodeMerger;
use crate::spec::FlangeSpec;

/// The half-angle θ_f (rad) of the flange: the arc of the ellipse (a cos θ, b sin θ) from
/// −θ_f to θ_f has length `width`.
pub(super) fn flange_half_angle(a: f64, b: f64, width: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, std::f64::consts::PI * 0.999);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if ellipse_arc_length(a, b, -mid, mid) < width {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Step 4 of the build: the flange block, thickness × arc × length over `fz` on the
/// periosteal surface at +x (with drilled holes: less the holes' patches, which hold the
/// patch blocks and the screws' locking heads), its elements appended to `protos` and its
/// nodes to `coords` — but the heads' nodes on the periosteum, which are the screw shafts'
/// nodes in `bone`; returns the (global) nodes of its inner face.
#[allow(clippy::too_many_arguments)]
pub(super) fn flange_block(
    geometry: &TibiaGeometry,
    flange: &FlangeSpec,
    layout: &Layout,
    fz: [f64; 2],
    bone: &NodeMerger,
    coords: &mut Vec<[f64; 3]>,
    protos: &mut Vec<Proto>,
) -> Result<Vec<usize>, BiomechError> {
    let (etype, h, dia) = (layout.etype, layout.h, layout.dia);
    let theta_f = flange_half_angle(dia[0], dia[1], flange.width_mm);
    let g = geometry.clone();
    let t_cells = (flange.thickness_mm / h).round().max(1.0) as usize;
    // cells across the width: with holes, the patch's 2k (it spans the width)
    let w_cells = match &layout.holes {
        Some((holes, _)) => 2 * holes.k,
        None => (flange.width_mm / h).ceil().max(2.0) as usize,
    };
    let planes = flange_planes(&layout.stations, fz);
    let z_cells = planes.len() - 1;
    let thickness = flange.thickness_mm;
    let block = structured_mesh(
        &StructuredSpec {
            cells: [t_cells, w_cells, z_cells],
            element: etype,
            periodic: [false; 3],
            face_names: [["", ""], ["", ""], ["", ""]],
        },
        move |p| {
            let z = plane_at(&planes, p[2]);
            let o = g.outer_semi_axes(z);
            flange_point(o, -theta_f + 2.0 * theta_f * p[1], p[0] * thickness, z)
        },
    )?;
    let mut local = NodeMerger::new(MERGE_TOLERANCE);
    let mut elements = Vec::new();
    let patch = match &layout.holes {
        Some((holes, _)) => Some((
            holes,
            holes.first_cells(&flange_planes(&layout.stations, fz))?,
        )),
        None => None,
    };
    let kept = |e: usize| match &patch {
        Some((holes, firsts)) => {
            let cell = [(e / t_cells) % w_cells, e / (t_cells * w_cells)];
            !in_patch(cell, &[holes.k], w_cells, holes.k, firsts)
        }
        None => true,
    };
    add_block_where(&block, &mut local, kept, |_| Region::Flange, &mut elements);
    if let Some((holes, _)) = &patch {
        let layers = Layers::Flange {
            geometry,
            thickness,
        };
        for (i, hole) in holes.holes.iter().enumerate() {
            let (half, radial) = (holes.flange_half_angle, holes.radial[1]);
            for b in patch_blocks(layers, hole, holes, half, radial, t_cells, etype)? {
                let map = merge_block(&b, &mut local);
                add_block(&b, &map, |_| Region::Flange, &mut elements);
            }
            for b in disk_blocks(layers, hole, holes, t_cells, etype)? {
                let map = merge_block(&b, &mut local);
                add_block(&b, &map, |_| Region::Screw(i), &mut elements);
            }
        }
    }
    // global numbering: a locking head's nodes on the periosteum are its shaft's
    let mut head = vec![false; local.len()];
    for p in elements
        .iter()
        .filter(|p| matches!(p.region(), Region::Screw(_)))
    {
        p.nodes().iter().for_each(|&n| head[n] = true);
    }
    let global: Vec<usize> = local
        .coords()
        .iter()
        .zip(&head)
        .map(|(&x, &on_head)| match bone.find(x).filter(|_| on_head) {
            Some(n) => n,
            None => {
                coords.push(x);
                coords.len() - 1
            }
        })
        .collect();
    let mut inner: Vec<usize> = elements
        .iter()
        .filter(|p| p.region() == Region::Flange)
        .flat_map(|p| p.nodes().iter().copied())
        .filter(|&n| on_periosteum(geometry, local.coords()[n]))
        .map(|n| global[n])
        .collect();
    inner.sort_unstable();
    inner.dedup();
    protos.extend(elements.into_iter().map(|p| p.renumbered(&global)));
    Ok(inner)
}

/// Whether `x` (mm) lies on the periosteal ellipse of its height (to 1e-9 of the ellipse
/// equation): the flange's inner face, and the bone faces it meets.
fn on_periosteum(geometry: &TibiaGeometry, x: [f64; 3]) -> bool {
    let o = geometry.outer_semi_axes(x[2]);
    ((x[0] / o[0]).powi(2) + (x[1] / o[1]).powi(2) - 1.0).abs() < 1e-9
}

/// The z planes of the flange's cells: its ends and the bone stations between them, so
/// that across the defect its element layers are the bone's and the prosthesis' (a section
/// there cuts whole elements of every part, which makes the load sharing exact).
fn flange_planes(stations: &[f64], fz: [f64; 2]) -> Vec<f64> {
    let mut planes = vec![fz[0]];
    planes.extend(
        stations
            .iter()
            .copied()
            .filter(|&z| z > fz[0] + 1e-6 && z < fz[1] - 1e-6),
    );
    planes.push(fz[1]);
    planes
}

/// z at the structured-block coordinate `p` ∈ [0, 1]: piecewise linear through `planes`,
/// plane k at p = k / (planes.len() − 1) (so quadratic mid-side nodes sit mid-cell).
fn plane_at(planes: &[f64], p: f64) -> f64 {
    let n = planes.len() - 1;
    let s = (p * n as f64).clamp(0.0, n as f64);
    let k = (s.floor() as usize).min(n - 1);
    planes[k] + (s - k as f64) * (planes[k + 1] - planes[k])
}

/// The flange tie: its equations, what it did, and the bone nodes it ties to.
pub(super) struct FlangeTie {
    /// Tie equations (flange inner nodes on the bone and prosthesis faces).
    pub equations: Vec<Equation>,
    /// What the tie did.
    pub report: TieReport,
    /// The FLANGE_BONE interface set.
    pub interface: InterfaceSet,
}

/// Step 8 (flange part): tie the flange's inner nodes to the periosteal faces of the ring
/// (bone and prosthesis, elements `0..n_intact_elements`) on the lateral side near the
/// flange span `fz`; sets the node sets FLANGE_INNER and FLANGE_BONE (the tied bone nodes,
/// `bone_node` flags the bone's nodes).
pub(super) fn tie_flange(
    mesh: &mut Mesh,
    geometry: &TibiaGeometry,
    layout: &Layout,
    fz: [f64; 2],
    n_intact_elements: usize,
    flange_inner_nodes: &[usize],
    bone_node: &[bool],
) -> Result<FlangeTie, BiomechError> {
    let (etype, h, h_far) = (layout.etype, layout.h, layout.h_far);
    // master: periosteal faces of the ring (bone and prosthesis) on the lateral side near the
    // flange, not those of a drilled screw's shaft (the locking head shares its nodes)
    let screw: std::collections::HashSet<usize> =
        mesh.element_set("SCREWS")?.iter().copied().collect();
    let mut masters = Vec::new();
    for e in (0..n_intact_elements).filter(|e| !screw.contains(e)) {
        let el = mesh.element(e);
        for f in 0..6 {
            let nodes = etype.face_nodes(f).unwrap_or_default();
            let pts: Vec<[f64; 3]> = nodes.iter().map(|&l| mesh.coords[el.nodes[l]]).collect();
            let on_outer = pts.iter().all(|&x| on_periosteum(geometry, x));
            let xc = pts.iter().map(|x| x[0]).sum::<f64>() / pts.len() as f64;
            let zlo = pts.iter().map(|x| x[2]).fold(f64::INFINITY, f64::min);
            let zhi = pts.iter().map(|x| x[2]).fold(f64::NEG_INFINITY, f64::max);
            if on_outer && xc > 0.0 && zhi > fz[0] - h_far && zlo < fz[1] + h_far {
                masters.push(FaceRef {
                    element: e,
                    face: f as u8,
                });
            }
        }
    }
    mesh.set_node_set("FLANGE_INNER", flange_inner_nodes.to_vec());
    // a drilled hole's rim on the periosteum is shared by flange, screw and bone: not tied
    let tie = Tie {
        name: "flange".into(),
        slave_nodes: flange_inner_nodes
            .iter()
            .copied()
            .filter(|&n| !bone_node[n])
            .collect(),
        master_faces: masters,
        position_tolerance: Some(0.05 * h),
    };
    // the flange's faceted inner surface lies up to the tolerance off the bone's curved faces:
    // move the tied nodes onto them (ADJUST, as Abaqus/CalculiX ties do by default) so that
    // the tie carries moments exactly (a slave node off its master point would resist a
    // rigid rotation and move forces over the offset)
    adjust_tied_nodes(mesh, &tie)?;
    let (eqs, report) = tie_equations(mesh, &tie)?;
    if !report.too_far.is_empty() {
        let (node, d) = report.too_far[0];
        return Err(BiomechError::construction(format!(
            "{} flange nodes could not be tied to the bone surface (e.g. node {} at {:.3} mm, tolerance {:.3} mm)",
            report.too_far.len(),
            mesh.node_ids[node],
            d,
            report.tolerance
        )));
    }
    let mut flange_bone: Vec<usize> = eqs
        .iter()
        .flat_map(|eq| eq.terms[1..].iter().map(|t| t.0))
        .filter(|&n| bone_node[n])
        .collect();
    flange_bone.sort_unstable();
    flange_bone.dedup();
    mesh.set_node_set("FLANGE_BONE", flange_bone.clone());
    Ok(FlangeTie {
        equations: eqs,
        report,
        interface: InterfaceSet {
            name: "flange–bone".into(),
            set: "FLANGE_BONE".into(),
            nodes: flange_bone,
        },
    })
}
