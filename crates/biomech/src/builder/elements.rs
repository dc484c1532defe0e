//! Elements before numbering ([`Proto`]: merged nodes and region, collected block by block)
//! and their numbering into the final mesh with its element sets.

use osteon_mesh::{ElementType, Mesh, QualityReport, check_jacobians};

use super::Region;
use crate::error::BiomechError;
use crate::merge::NodeMerger;

/// One element before numbering: its nodes (merged indices) and region.
pub(super) struct Proto {
    nodes: Vec<usize>,
    region: Region,
    /// Cortical bone in the intact model, `region` in the implanted one (a drilled screw's
    /// shaft in a cortex).
    replaces_bone: bool,
}

impl Proto {
    /// An element on the merged nodes `nodes`, of region `region`.
    pub(super) fn new(nodes: Vec<usize>, region: Region) -> Self {
        Self {
            nodes,
            region,
            replaces_bone: false,
        }
    }

    /// The element's region.
    pub(super) fn region(&self) -> Region {
        self.region
    }

    /// The element's (merged) nodes.
    pub(super) fn nodes(&self) -> &[usize] {
        &self.nodes
    }

    /// The element with its nodes mapped by `map` (local → global index).
    pub(super) fn renumbered(mut self, map: &[usize]) -> Self {
        self.nodes.iter_mut().for_each(|n| *n = map[*n]);
        self
    }

    /// Mark the element as cortical bone of the intact model.
    pub(super) fn set_replacing_bone(&mut self) {
        self.replaces_bone = true;
    }
}

/// Elements of one block mesh, mapped to merged node indices.
pub(super) fn add_block(
    block: &Mesh,
    map: &[usize],
    region: impl Fn(&[[f64; 3]]) -> Region,
    out: &mut Vec<Proto>,
) {
    out.extend(
        block
            .elements()
            .map(|el| block_proto(block, el.nodes, el.etype.n_corners(), map, &region)),
    );
}

/// The element on the block's nodes `nodes` (the first `corners` its corners), mapped by
/// `map`, its region from its corners.
fn block_proto(
    block: &Mesh,
    nodes: &[usize],
    corners: usize,
    map: &[usize],
    region: &impl Fn(&[[f64; 3]]) -> Region,
) -> Proto {
    let at: Vec<[f64; 3]> = nodes[..corners].iter().map(|&n| block.coords[n]).collect();
    Proto::new(nodes.iter().map(|&n| map[n]).collect(), region(&at))
}

pub(super) fn merge_block(block: &Mesh, merger: &mut NodeMerger) -> Vec<usize> {
    block.coords.iter().map(|&x| merger.insert(x)).collect()
}

/// The elements `keep` of one block mesh, their nodes merged (in the block's node order)
/// and mapped; returns how many were added.
pub(super) fn add_block_where(
    block: &Mesh,
    merger: &mut NodeMerger,
    keep: impl Fn(usize) -> bool,
    region: impl Fn(&[[f64; 3]]) -> Region,
    out: &mut Vec<Proto>,
) -> usize {
    let mut used = vec![false; block.n_nodes()];
    for (e, el) in block.elements().enumerate() {
        if keep(e) {
            for &n in el.nodes {
                used[n] = true;
            }
        }
    }
    let map: Vec<usize> = block
        .coords
        .iter()
        .zip(&used)
        .map(|(&x, &u)| if u { merger.insert(x) } else { usize::MAX })
        .collect();
    let before = out.len();
    out.extend(
        block
            .elements()
            .enumerate()
            .filter(|(e, _)| keep(*e))
            .map(|(_, el)| block_proto(block, el.nodes, el.etype.n_corners(), &map, &region)),
    );
    out.len() - before
}

pub(super) fn mean_z(corners: &[[f64; 3]]) -> f64 {
    corners.iter().map(|c| c[2]).sum::<f64>() / corners.len() as f64
}

/// The numbered mesh with its regions.
pub(super) struct Numbered {
    /// The mesh with the element sets CORTICAL, CANCELLOUS, BONE, IMPLANT, FLANGE, SCREWS.
    pub mesh: Mesh,
    /// Region of every element.
    pub regions: Vec<Region>,
    /// Elements `0..n_bone_elements` are bone in both models.
    pub n_bone_elements: usize,
    /// Elements `0..n_intact_elements` form the intact model (the defect ring as cortex).
    pub n_intact_elements: usize,
    /// Jacobian check of the whole mesh.
    pub quality: QualityReport,
}

/// Step 6 of the build: number the elements — bone, defect ring (the implant elements among
/// the first `ring_elements`) and the drilled screws' shafts in the cortices (bone of the
/// intact model), prosthesis core, flange, screws — and the nodes as in `coords`; set the
/// element sets and check every element's Jacobian.
pub(super) fn number_elements(
    coords: &[[f64; 3]],
    protos: &[Proto],
    ring_elements: usize,
    etype: ElementType,
) -> Result<Numbered, BiomechError> {
    let rank = |p: &Proto, i: usize| -> (usize, usize) {
        let r = match p.region {
            Region::Cortical | Region::Cancellous => 0,
            _ if p.replaces_bone => 1,
            Region::Implant => {
                if i < ring_elements {
                    1
                } else {
                    2
                }
            }
            Region::Flange => 3,
            Region::Screw(k) => 4 + k,
        };
        (r, i)
    };
    let mut order: Vec<usize> = (0..protos.len()).collect();
    order.sort_by_key(|&i| rank(&protos[i], i));
    let n_bone_elements = protos.iter().filter(|p| p.region.is_bone()).count();
    let n_defect_ring = protos
        .iter()
        .take(ring_elements)
        .filter(|p| p.region == Region::Implant)
        .count();
    let n_replacing = protos.iter().filter(|p| p.replaces_bone).count();
    let n_intact_elements = n_bone_elements + n_defect_ring + n_replacing;

    let mut mesh = Mesh::new();
    for (i, &x) in coords.iter().enumerate() {
        mesh.add_node(i as i64 + 1, x)?;
    }
    let mut regions = Vec::with_capacity(protos.len());
    for (e, &i) in order.iter().enumerate() {
        mesh.push_element(etype, e as i64 + 1, &protos[i].nodes)?;
        regions.push(protos[i].region);
    }
    let elements_where = |f: &dyn Fn(Region) -> bool| -> Vec<usize> {
        (0..regions.len()).filter(|&e| f(regions[e])).collect()
    };
    mesh.set_element_set("CORTICAL", elements_where(&|r| r == Region::Cortical));
    mesh.set_element_set("CANCELLOUS", elements_where(&|r| r == Region::Cancellous));
    mesh.set_element_set("BONE", elements_where(&|r| r.is_bone()));
    mesh.set_element_set("IMPLANT", elements_where(&|r| r == Region::Implant));
    mesh.set_element_set("FLANGE", elements_where(&|r| r == Region::Flange));
    mesh.set_element_set("SCREWS", elements_where(&|r| matches!(r, Region::Screw(_))));
    let quality = check_jacobians(&mesh)?;
    Ok(Numbered {
        mesh,
        regions,
        n_bone_elements,
        n_intact_elements,
        quality,
    })
}
