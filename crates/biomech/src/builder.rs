//! The model builder: parametric tibia, segmental defect, porous-Ta prosthesis, lateral
//! flange and locking screws, as one quadratic-brick mesh with constraints.
//!
//! # Meshing
//!
//! Cross-sections are multi-block structured grids swept along z:
//!
//! ```text
//!            cortical ring (one periodic block)          O-grid core (metaphyses only)
//!              _.-''''''-._                                  _.-'''-._
//!            .'  .-''''-.  '.                              .' \ N   / '.
//!           /   /        \   \                            / W  +---+  E \
//!          |   |  canal   |   |   + x lateral            |    | C |     |
//!           \   \        /   /                            \    +---+    /
//!            '.  '-....-'  .'                              '. / S   \ .'
//!              '-......-'                                    '-.....-'
//! ```
//!
//! - the cortex is one ring block, wall × circumference × length, with the z-dependent
//!   flare map (biomechanics.md §2), mid-edge nodes placed on the exact ellipses;
//! - the metaphyses' cancellous core is an O-grid: a central square and four blocks out to
//!   the endosteal ellipse, over the two flares only (the diaphyseal canal stays empty);
//! - blocks are merged by coincident nodes ([`crate::merge::NodeMerger`]);
//! - z stations are shared by all bone blocks: `size_mm` over the flange span, `far_factor`
//!   × `size_mm` elsewhere, with nodes exactly at the flare ends and the docking faces.
//!
//! # Defect and prosthesis
//!
//! The ring elements between the docking faces become the prosthesis (porous Ta), so the
//! prosthesis has the bone's cross-section there and shares the bone's nodes at the docking
//! faces (bonded, conforming). With `fill_canal`, an O-grid core of prosthesis fills the
//! canal over the defect as well.
//!
//! # Flange and screws
//!
//! The flange is a curved plate block on the lateral periosteal surface, its inner face
//! tied to the bone and prosthesis surface ([`osteon_assembly::tie_equations`]). Each screw
//! is a solid O-grid cylinder along x, from mid-flange to mid-far-cortex, whose nodes are
//! embedded ([`crate::embed`]) in the flange (priority: the screw is locked in it) or the
//! bone they lie in; nodes in the empty canal stay free.
//!
//! # Numbering
//!
//! Bone elements come first, then the defect ring elements (bone in the intact model,
//! prosthesis in the implanted one), then the prosthesis core, flange and screws; bone and
//! defect-ring nodes come first too. The intact reference model is the prefix of both
//! numberings, so bone integration points coincide one to one between the two models.

use std::f64::consts::{FRAC_PI_2, TAU};

use serde::{Deserialize, Serialize};

use osteon_assembly::{Equation, Tie, TieReport, tie_equations};
use osteon_mesh::generate::{StructuredSpec, structured_mesh};
use osteon_mesh::geometry::outward_area_vector;
use osteon_mesh::{ElementType, FaceRef, Mesh, QualityReport, Surface, check_jacobians};

use crate::embed::{Embedding, embed_nodes, embedding_equations};
use crate::error::BiomechError;
use crate::geometry::{TibiaGeometry, ellipse_arc_length, ellipse_perimeter};
use crate::merge::NodeMerger;
use crate::spec::{DefectSpec, ImplantSpec, MeshSpec};

/// Half-width of the O-grid's central square in the unit disk (engineering choice: corner
/// radius 0.64 keeps the four outer blocks well shaped).
const OGRID_SQUARE: f64 = 0.45;
/// Node-merging tolerance (mm).
const MERGE_TOLERANCE: f64 = 1e-6;
/// Geometric tolerance for "on the plane z = z0" and "on the surface" tests (mm).
const ON_TOLERANCE: f64 = 1e-7;

/// What an element is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Cortical bone.
    Cortical,
    /// Cancellous bone.
    Cancellous,
    /// Porous-Ta prosthesis body (defect ring and optional core).
    Implant,
    /// Lateral flange.
    Flange,
    /// Locking screw number `i` (0-based, in [`Reconstruction::screws`] order).
    Screw(usize),
}

impl Region {
    /// True for bone.
    pub fn is_bone(self) -> bool {
        matches!(self, Region::Cortical | Region::Cancellous)
    }
}

/// Which fragment a screw is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fragment {
    /// Below the defect.
    Distal,
    /// Above the defect.
    Proximal,
}

/// One placed screw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrewPlacement {
    /// Fragment.
    pub fragment: Fragment,
    /// z of the axis (mm).
    pub z_mm: f64,
    /// x of the head end (mid-flange) and of the tip (mid far cortex) (mm).
    pub x_range_mm: [f64; 2],
    /// Nodes of the screw.
    pub n_nodes: usize,
    /// Nodes embedded in the flange.
    pub embedded_in_flange: usize,
    /// Nodes embedded in bone.
    pub embedded_in_bone: usize,
    /// Nodes in no host (in the canal), free.
    pub free: usize,
}

/// A bone-side interface node set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterfaceSet {
    /// Name for reports ("proximal docking", ...).
    pub name: String,
    /// Node set name in the mesh ("PROXIMAL_DOCKING", ...).
    pub set: String,
    /// Bone node indices.
    pub nodes: Vec<usize>,
}

/// Mesh resolution actually used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CellCounts {
    /// Cells around the circumference.
    pub around: usize,
    /// Cells through the cortical wall.
    pub through_wall: usize,
    /// Radial cells of the O-grid core blocks.
    pub core_radial: usize,
    /// Cells along z.
    pub axial: usize,
    /// Element size near the implant and far from it (mm).
    pub size_mm: [f64; 2],
}

/// The built reconstruction: the implanted mesh with regions, sets, constraints and the
/// bookkeeping that extracts the intact reference from it.
#[derive(Clone, Debug)]
pub struct Reconstruction {
    /// The implanted mesh (mm). Element sets CORTICAL, CANCELLOUS, BONE, IMPLANT, FLANGE,
    /// SCREWS; node sets and surfaces PLATEAU_MEDIAL, PLATEAU_LATERAL, DISTAL_END,
    /// PROXIMAL_DOCKING, DISTAL_DOCKING; node sets FLANGE_BONE, SCREW_HOLES, FLANGE_INNER.
    pub mesh: Mesh,
    /// Region of every element.
    pub regions: Vec<Region>,
    /// Elements `0..n_bone_elements` are bone in both models.
    pub n_bone_elements: usize,
    /// Elements `0..n_intact_elements` form the intact model (the defect ring as cortex).
    pub n_intact_elements: usize,
    /// Nodes `0..n_intact_nodes` are the intact model's nodes.
    pub n_intact_nodes: usize,
    /// Tie and embedding equations of the implanted model.
    pub equations: Vec<Equation>,
    /// What the flange tie did.
    pub tie: Option<TieReport>,
    /// The screws.
    pub screws: Vec<ScrewPlacement>,
    /// z stations of the bone mesh (mm).
    pub z_stations: Vec<f64>,
    /// Distal and proximal docking planes (mm).
    pub defect_z: [f64; 2],
    /// z range of the flange (mm).
    pub flange_z: Option<[f64; 2]>,
    /// Bone-side interface node sets.
    pub interfaces: Vec<InterfaceSet>,
    /// Jacobian check of the whole mesh.
    pub quality: QualityReport,
    /// Resolution used.
    pub cells: CellCounts,
    /// The parametric geometry the mesh was built from; `None` for an imported patient mesh.
    pub geometry: Option<TibiaGeometry>,
    /// z range of the bone [distal end, proximal end] (mm).
    pub bone_z: [f64; 2],
    /// z range of the diaphysis (mm): bone below is the distal metaphysis, above the
    /// proximal one (stress-shielding zones and the diaphyseal strain peak).
    pub diaphysis_z: [f64; 2],
    /// The bone region each defect element has in the intact model (elements
    /// `n_bone_elements..n_intact_elements`, in order).
    pub defect_bone_regions: Vec<Region>,
}

/// One element before numbering: its nodes (merged indices) and region.
struct Proto {
    nodes: Vec<usize>,
    region: Region,
}

/// Elements of one block mesh, mapped to merged node indices.
fn add_block(
    block: &Mesh,
    map: &[usize],
    region: impl Fn(&[[f64; 3]]) -> Region,
    out: &mut Vec<Proto>,
) {
    for el in block.elements() {
        let nodes: Vec<usize> = el.nodes.iter().map(|&n| map[n]).collect();
        let corners: Vec<[f64; 3]> = el.nodes[..el.etype.n_corners()]
            .iter()
            .map(|&n| block.coords[n])
            .collect();
        out.push(Proto {
            nodes,
            region: region(&corners),
        });
    }
}

fn merge_block(block: &Mesh, merger: &mut NodeMerger) -> Vec<usize> {
    block.coords.iter().map(|&x| merger.insert(x)).collect()
}

fn mean_z(corners: &[[f64; 3]]) -> f64 {
    corners.iter().map(|c| c[2]).sum::<f64>() / corners.len() as f64
}

/// Piecewise-linear map of the unit interval onto the stations (cell boundaries).
fn station_map(stations: &[f64], p: f64) -> f64 {
    let n = stations.len() - 1;
    let s = (p * n as f64).clamp(0.0, n as f64);
    let i = (s.floor() as usize).min(n - 1);
    stations[i] + (s - i as f64) * (stations[i + 1] - stations[i])
}

/// A point of the unit-disk O-grid: block 0 is the central square, blocks 1..=4 the outer
/// blocks east, north, west, south; (p0, p1) ∈ [0, 1]², right-handed in every block.
pub fn ogrid_point(block: usize, p0: f64, p1: f64) -> [f64; 2] {
    let c = OGRID_SQUARE;
    if block == 0 {
        return [c * (2.0 * p0 - 1.0), c * (2.0 * p1 - 1.0)];
    }
    let (s, t) = (p0, p1);
    let phi = (t - 0.5) * FRAC_PI_2;
    let inner = [c, c * (2.0 * t - 1.0)];
    let outer = [phi.cos(), phi.sin()];
    let local = [
        (1.0 - s) * inner[0] + s * outer[0],
        (1.0 - s) * inner[1] + s * outer[1],
    ];
    let rot = (block - 1) as f64 * FRAC_PI_2;
    let (sn, cs) = rot.sin_cos();
    [cs * local[0] - sn * local[1], sn * local[0] + cs * local[1]]
}

/// The five O-grid blocks of a disk with `m` cells per quarter (central square m × m) and
/// `n_r` radial cells, swept over `n_axial` cells, mapped by `map(disk point, p_axial)`.
fn ogrid_blocks(
    m: usize,
    n_r: usize,
    n_axial: usize,
    etype: ElementType,
    map: impl Fn([f64; 2], f64) -> [f64; 3],
) -> Result<Vec<Mesh>, BiomechError> {
    (0..5)
        .map(|b| {
            let cells = if b == 0 {
                [m, m, n_axial]
            } else {
                [n_r, m, n_axial]
            };
            let spec = StructuredSpec {
                cells,
                element: etype,
                periodic: [false; 3],
                face_names: [["", ""], ["", ""], ["", ""]],
            };
            Ok(structured_mesh(&spec, |p| {
                map(ogrid_point(b, p[0], p[1]), p[2])
            })?)
        })
        .collect()
}

/// The z stations: mandatory planes kept exactly, optional ones dropped when closer than
/// 0.3 · `size` to another, intervals cut into equal cells of at most `size` inside `near`
/// and `far` outside.
fn z_stations(
    mandatory: &[f64],
    optional: &[f64],
    near: [f64; 2],
    size: f64,
    far: f64,
) -> Vec<f64> {
    let mut keys: Vec<f64> = mandatory.to_vec();
    keys.sort_by(f64::total_cmp);
    keys.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    for &z in optional {
        if z > keys[0]
            && z < keys[keys.len() - 1]
            && keys.iter().all(|&k| (k - z).abs() > 0.3 * size)
        {
            keys.push(z);
            keys.sort_by(f64::total_cmp);
        }
    }
    let mut stations = vec![keys[0]];
    for w in keys.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mid = 0.5 * (a + b);
        let h = if mid >= near[0] && mid <= near[1] {
            size
        } else {
            far
        };
        let n = (((b - a) / h) - 1e-9).ceil().max(1.0) as usize;
        for k in 1..=n {
            stations.push(if k == n {
                b
            } else {
                a + (b - a) * k as f64 / n as f64
            });
        }
    }
    stations
}

/// Sorted stations within [lo, hi].
fn stations_between(stations: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    stations
        .iter()
        .copied()
        .filter(|&z| z >= lo - 1e-9 && z <= hi + 1e-9)
        .collect()
}

/// The half-angle θ_f (rad) of the flange: the arc of the ellipse (a cos θ, b sin θ) from
/// −θ_f to θ_f has length `width`.
fn flange_half_angle(a: f64, b: f64, width: f64) -> f64 {
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

/// Validate the defect against the geometry; returns the docking planes [z0, z1] (mm).
pub fn defect_planes(
    geometry: &TibiaGeometry,
    defect: &DefectSpec,
) -> Result<[f64; 2], BiomechError> {
    if !(defect.length_mm > 0.0 && defect.length_mm.is_finite()) {
        return Err(BiomechError::invalid(
            "defect.length_mm",
            defect.length_mm,
            "a positive length in mm",
        ));
    }
    let center = defect.center_mm.unwrap_or(0.5 * geometry.length_mm);
    let z = [
        center - 0.5 * defect.length_mm,
        center + 0.5 * defect.length_mm,
    ];
    if z[0] < geometry.diaphysis_start() - 1e-9 || z[1] > geometry.diaphysis_end() + 1e-9 {
        return Err(BiomechError::invalid(
            "defect.length_mm",
            defect.length_mm,
            format!(
                "the defect [{:.1}, {:.1}] mm must lie within the diaphysis [{:.1}, {:.1}] mm (move defect.center_mm or shorten it)",
                z[0],
                z[1],
                geometry.diaphysis_start(),
                geometry.diaphysis_end()
            ),
        ));
    }
    Ok(z)
}

/// Build the reconstruction mesh: tibia, defect, prosthesis, flange, screws, with the tie and
/// embedding equations and the interface sets, and check every element's Jacobian.
pub fn build_reconstruction(
    geometry: &TibiaGeometry,
    defect: &DefectSpec,
    implant: &ImplantSpec,
    mesh_spec: &MeshSpec,
) -> Result<Reconstruction, BiomechError> {
    geometry.validate()?;
    let defect_z = defect_planes(geometry, defect)?;
    validate_mesh_spec(mesh_spec)?;
    let flange = &implant.flange;
    let screws = &implant.screws;
    if flange.enabled {
        for (name, v) in [
            ("implant.flange.thickness_mm", flange.thickness_mm),
            ("implant.flange.width_mm", flange.width_mm),
            ("implant.flange.overlap_mm", flange.overlap_mm),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(BiomechError::invalid(name, v, "a positive length in mm"));
            }
        }
    }
    let flange_z = flange.enabled.then(|| {
        [
            (defect_z[0] - flange.overlap_mm).max(0.0),
            (defect_z[1] + flange.overlap_mm).min(geometry.length_mm),
        ]
    });
    if screws.enabled && !screws.offsets_mm.is_empty() {
        if !flange.enabled {
            return Err(BiomechError::invalid(
                "implant.screws.enabled",
                1.0,
                "screws need the flange (their heads are locked in it): enable implant.flange or disable the screws",
            ));
        }
        if !(screws.diameter_mm > 0.0 && screws.diameter_mm.is_finite()) {
            return Err(BiomechError::invalid(
                "implant.screws.diameter_mm",
                screws.diameter_mm,
                "a positive diameter in mm",
            ));
        }
        for &off in &screws.offsets_mm {
            if !(off - 0.5 * screws.diameter_mm > 0.0
                && off + 0.5 * screws.diameter_mm < flange.overlap_mm)
            {
                return Err(BiomechError::invalid(
                    "implant.screws.offsets_mm",
                    off,
                    format!(
                        "each screw must lie within its fragment under the flange: radius < offset < {} mm − radius",
                        flange.overlap_mm
                    ),
                ));
            }
        }
    }

    let etype = if mesh_spec.reduced_integration {
        ElementType::Hex20R
    } else {
        ElementType::Hex20
    };
    let h = mesh_spec.size_mm;
    let h_far = h * mesh_spec.far_factor;
    let mid_z = 0.5 * (defect_z[0] + defect_z[1]);
    let dia = geometry.outer_semi_axes(mid_z);
    let around = match mesh_spec.cells_around {
        Some(n) => n.div_ceil(8).max(2) * 8,
        None => ((ellipse_perimeter(dia[0], dia[1]) / (8.0 * h)).ceil() as usize).max(2) * 8,
    };
    let through_wall = mesh_spec
        .cells_through_wall
        .unwrap_or_else(|| (geometry.diaphysis_wall_mm / h).round().max(1.0) as usize)
        .max(1);
    let m = around / 4;

    // z stations
    let span = match flange_z {
        Some(f) => [f[0] - 10.0, f[1] + 10.0],
        None => [defect_z[0] - 10.0, defect_z[1] + 10.0],
    };
    let mandatory = [
        0.0,
        geometry.diaphysis_start(),
        geometry.diaphysis_end(),
        geometry.length_mm,
        defect_z[0],
        defect_z[1],
    ];
    let mut optional = vec![span[0], span[1]];
    if let Some(f) = flange_z {
        optional.extend_from_slice(&f);
    }
    let stations = z_stations(&mandatory, &optional, span, h, h_far);

    let mut protos: Vec<Proto> = Vec::new();
    let mut merger = NodeMerger::new(MERGE_TOLERANCE);

    // 1. cortical ring over the whole length
    let ring = {
        let g = geometry.clone();
        let st = stations.clone();
        structured_mesh(
            &StructuredSpec {
                cells: [through_wall, around, stations.len() - 1],
                element: etype,
                periodic: [false, true, false],
                face_names: [["", ""], ["", ""], ["", ""]],
            },
            move |p| {
                let z = station_map(&st, p[2]);
                let (o, i) = (g.outer_semi_axes(z), g.inner_semi_axes(z));
                let a = i[0] + p[0] * (o[0] - i[0]);
                let b = i[1] + p[0] * (o[1] - i[1]);
                let t = TAU * p[1];
                [a * t.cos(), b * t.sin(), z]
            },
        )?
    };
    let ring_map = merge_block(&ring, &mut merger);
    let in_defect = |corners: &[[f64; 3]]| {
        let z = mean_z(corners);
        z > defect_z[0] && z < defect_z[1]
    };
    add_block(
        &ring,
        &ring_map,
        |c| {
            if in_defect(c) {
                Region::Implant
            } else {
                Region::Cortical
            }
        },
        &mut protos,
    );

    // 2. cancellous cores of the metaphyses
    let max_inner = [0.0, geometry.length_mm]
        .iter()
        .map(|&z| geometry.inner_semi_axes(z))
        .fold(0.0f64, |acc, a| acc.max(a[0]).max(a[1]));
    let core_radial = ((1.0 - OGRID_SQUARE) * max_inner / h_far).round().max(1.0) as usize;
    let core = |lo: f64, hi: f64| -> Result<Vec<Mesh>, BiomechError> {
        let st = stations_between(&stations, lo, hi);
        let g = geometry.clone();
        ogrid_blocks(m, core_radial, st.len() - 1, etype, move |d, p| {
            let z = station_map(&st, p);
            let i = g.inner_semi_axes(z);
            [i[0] * d[0], i[1] * d[1], z]
        })
    };
    if geometry.cancellous_metaphyses {
        for (lo, hi) in [
            (0.0, geometry.diaphysis_start()),
            (geometry.diaphysis_end(), geometry.length_mm),
        ] {
            for block in core(lo, hi)? {
                let map = merge_block(&block, &mut merger);
                add_block(&block, &map, |_| Region::Cancellous, &mut protos);
            }
        }
    }
    let n_intact_nodes = merger.len();

    // 3. prosthesis core (solid prosthesis)
    if implant.fill_canal {
        for block in core(defect_z[0], defect_z[1])? {
            let map = merge_block(&block, &mut merger);
            add_block(&block, &map, |_| Region::Implant, &mut protos);
        }
    }
    let mut coords = merger.into_coords();

    // 4. flange: thickness × arc × length, on the periosteal surface at +x
    let mut flange_inner_nodes = Vec::new();
    if let Some(fz) = flange_z {
        let theta_f = flange_half_angle(dia[0], dia[1], flange.width_mm);
        let g = geometry.clone();
        let t_cells = (flange.thickness_mm / h).round().max(1.0) as usize;
        let w_cells = (flange.width_mm / h).ceil().max(2.0) as usize;
        let z_cells = ((fz[1] - fz[0]) / h).ceil().max(1.0) as usize;
        let thickness = flange.thickness_mm;
        let block = structured_mesh(
            &StructuredSpec {
                cells: [t_cells, w_cells, z_cells],
                element: etype,
                periodic: [false; 3],
                face_names: [["INNER", ""], ["", ""], ["", ""]],
            },
            move |p| {
                let z = fz[0] + p[2] * (fz[1] - fz[0]);
                let o = g.outer_semi_axes(z);
                let t = -theta_f + 2.0 * theta_f * p[1];
                let n = [t.cos() / o[0], t.sin() / o[1]];
                let nn = n[0].hypot(n[1]);
                let off = p[0] * thickness;
                [
                    o[0] * t.cos() + off * n[0] / nn,
                    o[1] * t.sin() + off * n[1] / nn,
                    z,
                ]
            },
        )?;
        let base = coords.len();
        coords.extend_from_slice(&block.coords);
        let map: Vec<usize> = (0..block.n_nodes()).map(|i| base + i).collect();
        add_block(&block, &map, |_| Region::Flange, &mut protos);
        flange_inner_nodes = block.node_set("INNER")?.iter().map(|&i| base + i).collect();
    }

    // 5. screws: O-grid cylinders along x, tip (medial, mid far cortex) → head (mid-flange)
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
                add_block(block, &shifted, |_| Region::Screw(k), &mut protos);
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

    // 6. number the elements: bone, defect ring, prosthesis core, flange, screws
    let rank = |p: &Proto, i: usize| -> (usize, usize) {
        let r = match p.region {
            Region::Cortical | Region::Cancellous => 0,
            Region::Implant => {
                if i < ring.n_elements() {
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
        .take(ring.n_elements())
        .filter(|p| p.region == Region::Implant)
        .count();
    let n_intact_elements = n_bone_elements + n_defect_ring;

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

    // 7. faces on planes: plateau halves, distal end, docking faces (bone side)
    let mut plateau = (Vec::new(), Vec::new());
    let mut distal_end = Vec::new();
    let mut docking = (Vec::new(), Vec::new()); // (distal, proximal)
    for (e, &el_region) in regions.iter().enumerate().take(n_intact_elements) {
        let el = mesh.element(e);
        let zc = mean_z(
            &el.nodes[..8]
                .iter()
                .map(|&n| mesh.coords[n])
                .collect::<Vec<_>>(),
        );
        for f in 0..6 {
            let nodes = etype.face_nodes(f).unwrap_or_default();
            let zs: Vec<f64> = nodes.iter().map(|&l| mesh.coords[el.nodes[l]][2]).collect();
            let on = |z0: f64| zs.iter().all(|&z| (z - z0).abs() < ON_TOLERANCE);
            let face = FaceRef {
                element: e,
                face: f as u8,
            };
            if on(geometry.length_mm) {
                let xc = nodes
                    .iter()
                    .map(|&l| mesh.coords[el.nodes[l]][0])
                    .sum::<f64>()
                    / nodes.len() as f64;
                if xc < 0.0 {
                    plateau.0.push(face)
                } else {
                    plateau.1.push(face)
                }
            }
            if on(0.0) {
                distal_end.push(face);
            }
            if e < n_bone_elements && el_region == Region::Cortical {
                if on(defect_z[0]) && zc < defect_z[0] {
                    docking.0.push(face);
                }
                if on(defect_z[1]) && zc > defect_z[1] {
                    docking.1.push(face);
                }
            }
        }
    }
    for (name, faces) in [
        ("PLATEAU_MEDIAL", plateau.0),
        ("PLATEAU_LATERAL", plateau.1),
        ("DISTAL_END", distal_end),
        ("DISTAL_DOCKING", docking.0),
        ("PROXIMAL_DOCKING", docking.1),
    ] {
        if faces.is_empty() {
            return Err(BiomechError::construction(format!(
                "no element faces found for surface {name}"
            )));
        }
        let nodes = mesh.surface_nodes(&Surface::Faces(faces.clone()));
        mesh.set_node_set(name, nodes);
        mesh.surfaces
            .insert(name.to_string(), Surface::Faces(faces));
    }

    // 8. constraints: flange tie, screw embedding
    let mut bone_node = vec![false; mesh.n_nodes()];
    for e in 0..n_bone_elements {
        for &n in mesh.element(e).nodes {
            bone_node[n] = true;
        }
    }
    let mut equations = Vec::new();
    let mut tie_report = None;
    let mut interfaces = vec![
        InterfaceSet {
            name: "proximal docking".into(),
            set: "PROXIMAL_DOCKING".into(),
            nodes: mesh.node_set("PROXIMAL_DOCKING")?.to_vec(),
        },
        InterfaceSet {
            name: "distal docking".into(),
            set: "DISTAL_DOCKING".into(),
            nodes: mesh.node_set("DISTAL_DOCKING")?.to_vec(),
        },
    ];
    if let Some(fz) = flange_z {
        // master: periosteal faces of the ring (bone and prosthesis) on the lateral side near the flange
        let mut masters = Vec::new();
        for e in 0..n_intact_elements {
            let el = mesh.element(e);
            for f in 0..6 {
                let nodes = etype.face_nodes(f).unwrap_or_default();
                let pts: Vec<[f64; 3]> = nodes.iter().map(|&l| mesh.coords[el.nodes[l]]).collect();
                let on_outer = pts.iter().all(|x| {
                    let o = geometry.outer_semi_axes(x[2]);
                    ((x[0] / o[0]).powi(2) + (x[1] / o[1]).powi(2) - 1.0).abs() < 1e-9
                });
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
        mesh.set_node_set("FLANGE_INNER", flange_inner_nodes.clone());
        let tie = Tie {
            name: "flange".into(),
            slave_nodes: flange_inner_nodes.clone(),
            master_faces: masters,
            position_tolerance: Some(0.05 * h),
        };
        let (eqs, report) = tie_equations(&mesh, &tie)?;
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
        interfaces.push(InterfaceSet {
            name: "flange–bone".into(),
            set: "FLANGE_BONE".into(),
            nodes: flange_bone,
        });
        equations.extend(eqs);
        tie_report = Some(report);
    }
    if !placements.is_empty() {
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
            let (found, free) = embed_nodes(&mesh, &nodes, &hosts);
            let p = &mut placements[k];
            p.free = free.len();
            for emb in &found {
                if flange_set.contains(&emb.host) {
                    p.embedded_in_flange += 1;
                } else {
                    p.embedded_in_bone += 1;
                    holes.extend(host_nodes_used(&mesh, emb));
                }
                equations.extend(embedding_equations(&mesh, emb));
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
        interfaces.push(InterfaceSet {
            name: "screw holes".into(),
            set: "SCREW_HOLES".into(),
            nodes: holes,
        });
    }

    Ok(Reconstruction {
        mesh,
        regions,
        n_bone_elements,
        n_intact_elements,
        n_intact_nodes,
        equations,
        tie: tie_report,
        screws: placements,
        z_stations: stations.clone(),
        defect_z,
        flange_z,
        interfaces,
        quality,
        cells: CellCounts {
            around,
            through_wall,
            core_radial,
            axial: stations.len() - 1,
            size_mm: [h, h_far],
        },
        geometry: Some(geometry.clone()),
        bone_z: [0.0, geometry.length_mm],
        diaphysis_z: [geometry.diaphysis_start(), geometry.diaphysis_end()],
        defect_bone_regions: vec![Region::Cortical; n_intact_elements - n_bone_elements],
    })
}

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

fn validate_mesh_spec(spec: &MeshSpec) -> Result<(), BiomechError> {
    if !(spec.size_mm > 0.0 && spec.size_mm.is_finite()) {
        return Err(BiomechError::invalid(
            "mesh.size_mm",
            spec.size_mm,
            "a positive element size in mm",
        ));
    }
    if spec.size_mm < 0.2 {
        return Err(BiomechError::invalid(
            "mesh.size_mm",
            spec.size_mm,
            "≥ 0.2 mm (finer meshes exceed one machine)",
        ));
    }
    if !(spec.far_factor >= 1.0 && spec.far_factor.is_finite()) {
        return Err(BiomechError::invalid(
            "mesh.far_factor",
            spec.far_factor,
            "≥ 1",
        ));
    }
    if let Some(n) = spec.cells_around
        && n < 8
    {
        return Err(BiomechError::invalid("mesh.cells_around", n as f64, "≥ 8"));
    }
    Ok(())
}

impl Reconstruction {
    /// The intact reference mesh: the first `n_intact_nodes` nodes and `n_intact_elements`
    /// elements, the defect ring counted as cortical bone, with the same plateau, distal and
    /// docking sets (no flange or screw sets).
    pub fn intact_mesh(&self) -> Result<Mesh, BiomechError> {
        let mut mesh = Mesh::new();
        for i in 0..self.n_intact_nodes {
            mesh.add_node(self.mesh.node_ids[i], self.mesh.coords[i])?;
        }
        for e in 0..self.n_intact_elements {
            let el = self.mesh.element(e);
            mesh.push_element(el.etype, el.id, el.nodes)?;
        }
        let regions = self.intact_regions();
        let cortical: Vec<usize> = (0..self.n_intact_elements)
            .filter(|&e| regions[e] == Region::Cortical)
            .collect();
        let cancellous: Vec<usize> = (0..self.n_intact_elements)
            .filter(|&e| regions[e] == Region::Cancellous)
            .collect();
        mesh.set_element_set("CORTICAL", cortical);
        mesh.set_element_set("CANCELLOUS", cancellous);
        mesh.set_element_set("BONE", (0..self.n_intact_elements).collect());
        for name in [
            "PLATEAU_MEDIAL",
            "PLATEAU_LATERAL",
            "DISTAL_END",
            "DISTAL_DOCKING",
            "PROXIMAL_DOCKING",
        ] {
            mesh.set_node_set(name, self.mesh.node_set(name)?.to_vec());
            mesh.surfaces
                .insert(name.to_string(), self.mesh.surface(name)?.clone());
        }
        for set in ["FLANGE_BONE", "SCREW_HOLES"] {
            if let Ok(nodes) = self.mesh.node_set(set) {
                mesh.set_node_set(set, nodes.to_vec());
            }
        }
        Ok(mesh)
    }

    /// Regions of the intact model's elements: the defect elements get back the bone region
    /// they replace (cortical for the parametric defect ring).
    pub fn intact_regions(&self) -> Vec<Region> {
        let mut r = self.regions[..self.n_bone_elements].to_vec();
        r.extend_from_slice(&self.defect_bone_regions);
        r
    }

    /// Number of elements per region: (cortical, cancellous, implant, flange, screws).
    pub fn region_counts(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for r in &self.regions {
            let i = match r {
                Region::Cortical => 0,
                Region::Cancellous => 1,
                Region::Implant => 2,
                Region::Flange => 3,
                Region::Screw(_) => 4,
            };
            c[i] += 1;
        }
        c
    }

    /// Total area (mm²) of a face surface of the mesh (by the face load rule).
    pub fn surface_area(&self, name: &str) -> Result<f64, BiomechError> {
        let Surface::Faces(faces) = self.mesh.surface(name)? else {
            return Ok(0.0);
        };
        Ok(faces_area(&self.mesh, faces))
    }
}

/// Area (mm²) of element faces by the face load rule.
pub fn faces_area(mesh: &Mesh, faces: &[FaceRef]) -> f64 {
    faces
        .iter()
        .map(|f| {
            let el = mesh.element(f.element);
            let x = mesh.element_coords(f.element);
            el.etype
                .face_type()
                .load_rule()
                .iter()
                .map(|(st, w)| {
                    let (_, a) = outward_area_vector(
                        el.etype,
                        f.face as usize,
                        &x[..el.etype.n_nodes()],
                        [st[0], st[1]],
                    )
                    .unwrap_or_default();
                    w * (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
                })
                .sum::<f64>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn coarse() -> MeshSpec {
        MeshSpec {
            size_mm: 6.0,
            far_factor: 2.0,
            ..MeshSpec::default()
        }
    }

    fn volume_of(mesh: &Mesh, elements: impl Iterator<Item = usize>) -> f64 {
        elements
            .map(|e| {
                osteon_mesh::geometry::element_volume(
                    mesh.element(e).etype,
                    &mesh.element_coords(e),
                )
            })
            .sum()
    }

    #[test]
    fn ogrid_blocks_are_right_handed_and_meet() {
        // outer arc on the unit circle, inner edges on the square, shared edges coincide
        for b in 1..5 {
            for t in [0.0, 0.3, 1.0] {
                let p = ogrid_point(b, 1.0, t);
                assert!((p[0].hypot(p[1]) - 1.0).abs() < 1e-15);
            }
        }
        let a = ogrid_point(1, 0.4, 1.0);
        let b = ogrid_point(2, 0.4, 0.0);
        assert!((a[0] - b[0]).abs() < 1e-15 && (a[1] - b[1]).abs() < 1e-15);
        let sq = ogrid_point(0, 1.0, 0.25);
        let east = ogrid_point(1, 0.0, 0.25);
        assert!((sq[0] - east[0]).abs() < 1e-15 && (sq[1] - east[1]).abs() < 1e-15);
    }

    #[test]
    fn block_volumes_match_the_analytic_ellipse_areas() {
        let g = TibiaGeometry::default();
        let rec = build_reconstruction(
            &g,
            &DefectSpec::default(),
            &ImplantSpec {
                fill_canal: true,
                ..ImplantSpec::default()
            },
            &coarse(),
        )
        .expect("builds");
        assert!(rec.quality.min_scaled_jacobian > 0.2, "{:?}", rec.quality);
        let m = &rec.mesh;
        // prosthesis ring + core over the 63 mm defect: the full outer ellipse, π·14·12.5·63
        let implant = volume_of(m, m.element_set("IMPLANT").expect("set").iter().copied());
        let exact = PI * 14.0 * 12.5 * 63.0;
        assert!(
            (implant - exact).abs() / exact < 2e-4,
            "{implant} vs {exact}"
        );
        // cortical bone: ∫ π(a_o b_o − a_i b_i) dz over the bone outside the defect (flares are
        // linear in z, so integrate the quadratic area exactly with Simpson per flare)
        let simpson = |f: &dyn Fn(f64) -> f64, a: f64, b: f64| {
            (b - a) / 6.0 * (f(a) + 4.0 * f(0.5 * (a + b)) + f(b))
        };
        let ca = |z: f64| g.cortical_area(z);
        let cortical_exact = simpson(&ca, 0.0, 50.0)
            + ca(100.0) * (290.0 - 50.0 - 63.0)
            + simpson(&ca, 290.0, 360.0);
        let cortical = volume_of(m, m.element_set("CORTICAL").expect("set").iter().copied());
        assert!(
            (cortical - cortical_exact).abs() / cortical_exact < 5e-4,
            "{cortical} vs {cortical_exact}"
        );
        let na = |z: f64| g.canal_area(z);
        let cancellous_exact = simpson(&na, 0.0, 50.0) + simpson(&na, 290.0, 360.0);
        let cancellous = volume_of(m, m.element_set("CANCELLOUS").expect("set").iter().copied());
        assert!(
            (cancellous - cancellous_exact).abs() / cancellous_exact < 5e-4,
            "{cancellous} vs {cancellous_exact}"
        );
        // plateau: the full outer ellipse at the top, split in two equal halves
        let (med, lat) = (
            rec.surface_area("PLATEAU_MEDIAL").expect("surface"),
            rec.surface_area("PLATEAU_LATERAL").expect("surface"),
        );
        let top = PI * 37.5 * 25.0;
        assert!(((med + lat) - top).abs() / top < 2e-4 && (med - lat).abs() / top < 1e-9);
        // docking faces: the cortical ring area
        let dock = rec.surface_area("PROXIMAL_DOCKING").expect("surface");
        assert!((dock - g.cortical_area(180.0)).abs() / dock < 2e-4);
    }

    #[test]
    fn the_intact_mesh_is_a_prefix_and_every_part_is_connected() {
        let rec = build_reconstruction(
            &TibiaGeometry::default(),
            &DefectSpec::default(),
            &ImplantSpec::default(),
            &coarse(),
        )
        .expect("builds");
        let intact = rec.intact_mesh().expect("intact");
        assert_eq!(intact.n_elements(), rec.n_intact_elements);
        for e in 0..intact.n_elements() {
            assert_eq!(intact.element(e).nodes, rec.mesh.element(e).nodes);
        }
        assert!(
            rec.mesh
                .element(rec.n_intact_elements)
                .nodes
                .iter()
                .all(|&n| n >= rec.n_intact_nodes)
        );
        // the ring is closed: no duplicated nodes in the bone
        let mut m = NodeMerger::new(1e-6);
        for x in &intact.coords {
            m.insert(*x);
        }
        assert_eq!(m.len(), intact.n_nodes());
        let [cort, canc, imp, fl, sc] = rec.region_counts();
        assert!(cort > 0 && canc > 0 && imp > 0 && fl > 0 && sc > 0);
        // every flange inner node is tied, every screw anchored in flange and bone
        let tie = rec.tie.as_ref().expect("tie");
        assert!(
            tie.too_far.is_empty() && tie.tied > 0 && tie.max_distance < 1e-3,
            "{tie:?}"
        );
        assert_eq!(rec.screws.len(), 4);
        for s in &rec.screws {
            assert!(
                s.embedded_in_flange > 0 && s.embedded_in_bone > 0 && s.free > 0,
                "{s:?}"
            );
            assert_eq!(
                s.embedded_in_flange + s.embedded_in_bone + s.free,
                s.n_nodes
            );
        }
        assert_eq!(rec.interfaces.len(), 4);
        assert!(rec.interfaces.iter().all(|i| !i.nodes.is_empty()));
        // the defect does not fit a flare
        let long = DefectSpec {
            length_mm: 300.0,
            center_mm: None,
        };
        assert!(
            build_reconstruction(
                &TibiaGeometry::default(),
                &long,
                &ImplantSpec::default(),
                &coarse()
            )
            .is_err()
        );
    }

    #[test]
    fn z_stations_keep_mandatory_planes() {
        let s = z_stations(
            &[0.0, 50.0, 148.5, 211.5, 290.0, 360.0],
            &[98.5, 261.5, 99.0],
            [98.5, 261.5],
            3.0,
            6.0,
        );
        for z in [0.0, 50.0, 148.5, 211.5, 290.0, 360.0, 98.5, 261.5] {
            assert!(s.iter().any(|&x| (x - z).abs() < 1e-12), "{z}");
        }
        assert!(!s.iter().any(|&x| (x - 99.0).abs() < 1e-12));
        assert!(
            s.windows(2)
                .all(|w| w[1] > w[0] && w[1] - w[0] <= 6.0 + 1e-9)
        );
        assert!(
            s.windows(2)
                .filter(|w| w[0] >= 98.5 && w[1] <= 261.5)
                .all(|w| w[1] - w[0] <= 3.0 + 1e-9)
        );
    }
}
