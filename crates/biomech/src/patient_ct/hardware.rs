//! The lateral flange and the locking screws on a CT model.
//!
//! **Flange.** The CT's voxel mesh is a staircase of axis-aligned bricks. Its lateral
//! surface is the height field U(y, z): the largest lateral coordinate u = ±x (`lateral`)
//! of the bone and prosthesis bricks whose (y, z) footprint holds the point. The flange is a
//! structured plate of C3D20 bricks (quadratic, so that one layer bends correctly) over
//! that surface: `overlap_mm` beyond each docking plane along z (its ends and cell planes
//! on the voxel lattice's z planes, so that a section across the defect cuts whole elements
//! of every part, as on the parametric tibia), `width_mm` along the surface profile at the
//! defect's mid-height, centred on `flange_center_y_mm` (default: the middle of the
//! envelope's y extent there). Each inner node sits at (U(y, z), y, z), which is a point of
//! the top face of a boundary brick, so the tie to the bone and prosthesis faces is exact
//! (every tied node lies on its master face: no offset that would resist a rigid rotation).
//! The outer nodes sit t·√(1 + U_y²) further out along u, t the thickness and U_y the
//! profile's slope (a least-squares fit over ±2 elements, which averages the voxel steps):
//! the thickness normal to the local surface is t, as on the parametric flange. The plate
//! therefore follows the voxel steps, outer face included: where the bone's outline steps
//! by a voxel the plate kinks by one, so the flange's stress next to a step depends on the
//! voxel size (its peak is reported as singular; the 99th percentile is the measure).
//!
//! **Screws.** Each screw is a threadless C3D20 cylinder of the study's diameter along a
//! trajectory: a point on its axis (`entry_mm`, at or near the lateral bone surface) and a
//! direction into the bone. The head end is the middle of the axis' run through the flange,
//! the tip the middle of the far cortex — the last cortical run after the canal, before the
//! axis leaves the bone: a bicortical screw; without one the study stops — or `length_mm`
//! from the head. Without trajectories, one screw per
//! `implant.screws.offsets_mm` entry goes into each fragment at that distance from the
//! docking plane, perpendicular to the long axis through the flange's centre line, medially
//! (the parametric study's placement). The nodes are embedded in the flange (first) and the
//! bone, as on the parametric tibia ([`crate::embed`]); the CT's marrow is meshed, so the
//! nodes in the canal are embedded in it (a soft host) rather than left free.

use std::collections::HashMap;

use osteon_assembly::{Tie, adjust_tied_nodes, tie_equations};
use osteon_mesh::generate::{StructuredSpec, structured_mesh};
use osteon_mesh::{ElementType, FaceRef, Mesh, check_jacobians};
use serde::{Deserialize, Serialize};

use crate::builder::{
    Fragment, InterfaceSet, Reconstruction, Region, ScrewBlocks, ScrewMesh, ScrewPlacement,
    bone_node_flags, embed_screws, screw_cylinder,
};
use crate::embed::ElementLocator;
use crate::error::BiomechError;
use crate::spec::ImplantSpec;

/// One planned screw trajectory on a CT (world mm, LPS).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrewTrajectory {
    /// A point on the screw axis at or near the lateral bone surface (mm); the axis must
    /// pass through the flange.
    pub entry_mm: [f64; 3],
    /// Direction of the axis into the bone (any length > 0).
    pub direction: [f64; 3],
    /// Length from the flange's mid-plane to the tip (mm); `None`: to the middle of the far
    /// cortex.
    #[serde(default)]
    pub length_mm: Option<f64>,
}

/// What the flange and screws need to know about the CT model.
pub(super) struct CtFrame {
    /// +1: lateral is +x; −1: lateral is −x.
    pub lateral: f64,
    /// Element edge along world x, y, z (mm).
    pub cell_mm: [f64; 3],
    /// The flange's centre line y (mm); `None`: the envelope's middle.
    pub center_y_mm: Option<f64>,
}

/// An axis-aligned box (mm).
#[derive(Clone, Copy, Debug)]
struct Aabb {
    lo: [f64; 3],
    hi: [f64; 3],
}

/// The lateral height field of the intact model's bricks, with the bricks bucketed by their
/// (y, z) footprint so that a query looks at one column of bricks, not all of them.
struct HeightField {
    boxes: Vec<Aabb>,
    lateral: f64,
    eps: f64,
    /// Bucket size along y and z (mm): the element edges.
    cell: [f64; 2],
    buckets: HashMap<[i64; 2], Vec<u32>>,
}

impl HeightField {
    /// The boxes of elements `0..n` of `mesh` (the intact model: bone and prosthesis), in
    /// buckets of `cell` (mm, the element edges along y and z).
    fn new(mesh: &Mesh, n: usize, lateral: f64, cell: [f64; 2]) -> Self {
        let boxes: Vec<Aabb> = (0..n)
            .map(|e| {
                let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
                for &a in mesh.element(e).nodes {
                    for k in 0..3 {
                        lo[k] = lo[k].min(mesh.coords[a][k]);
                        hi[k] = hi[k].max(mesh.coords[a][k]);
                    }
                }
                Aabb { lo, hi }
            })
            .collect();
        let eps = 1e-9 * cell[0].max(cell[1]);
        let key = |v: f64, c: usize| (v / cell[c]).floor() as i64;
        let mut buckets: HashMap<[i64; 2], Vec<u32>> = HashMap::new();
        for (i, b) in boxes.iter().enumerate() {
            for ky in key(b.lo[1] - eps, 0)..=key(b.hi[1] + eps, 0) {
                for kz in key(b.lo[2] - eps, 1)..=key(b.hi[2] + eps, 1) {
                    buckets.entry([ky, kz]).or_default().push(i as u32);
                }
            }
        }
        Self {
            boxes,
            lateral,
            eps,
            cell,
            buckets,
        }
    }

    /// U(y, z): the largest lateral coordinate u = lateral · x of the boxes whose (y, z)
    /// footprint holds the point (closed); `None` outside the bone.
    fn at(&self, y: f64, z: f64) -> Option<f64> {
        let e = self.eps;
        let key = [
            (y / self.cell[0]).floor() as i64,
            (z / self.cell[1]).floor() as i64,
        ];
        self.buckets
            .get(&key)?
            .iter()
            .map(|&i| &self.boxes[i as usize])
            .filter(|b| {
                b.lo[1] - e <= y && y <= b.hi[1] + e && b.lo[2] - e <= z && z <= b.hi[2] + e
            })
            .map(|b| {
                if self.lateral > 0.0 {
                    b.hi[0]
                } else {
                    -b.lo[0]
                }
            })
            .reduce(f64::max)
    }

    /// dU/dy at (y, z): the least-squares slope of U over nine samples half an element `dy`
    /// apart (±2 elements; the samples off the bone left out), which averages the voxel
    /// steps into the slope of the surface they approximate; 0 with fewer than two samples.
    fn slope(&self, y: f64, z: f64, dy: f64) -> f64 {
        let samples: Vec<(f64, f64)> = (-4..=4)
            .filter_map(|j| {
                let yj = y + 0.5 * f64::from(j) * dy;
                self.at(yj, z).map(|u| (yj, u))
            })
            .collect();
        if samples.len() < 2 {
            return 0.0;
        }
        let n = samples.len() as f64;
        let (my, mu) = samples
            .iter()
            .fold((0.0, 0.0), |a, s| (a.0 + s.0 / n, a.1 + s.1 / n));
        let sxy: f64 = samples.iter().map(|s| (s.0 - my) * (s.1 - mu)).sum();
        let sxx: f64 = samples.iter().map(|s| (s.0 - my).powi(2)).sum();
        sxy / sxx
    }

    /// The y extent [min, max] of the boxes crossing the plane z (mm).
    fn y_extent(&self, z: f64) -> Option<[f64; 2]> {
        let mut out: Option<[f64; 2]> = None;
        for b in self.boxes.iter().filter(|b| b.lo[2] <= z && z <= b.hi[2]) {
            let r = out.get_or_insert([b.lo[1], b.hi[1]]);
            r[0] = r[0].min(b.lo[1]);
            r[1] = r[1].max(b.hi[1]);
        }
        out
    }
}

/// Fit the flange (when enabled) and the screws (when enabled, with trajectories or the
/// default offsets) onto the CT reconstruction `rec`: their elements and nodes are appended,
/// the tie and embedding equations, the interface sets (flange–bone, screw holes), the
/// screw placements and the flange's z range recorded.
///
/// # Errors
/// [`BiomechError::Construction`] when the flange does not fit on the bone (no bone under
/// part of it, an invalid element), a flange node cannot be tied, or a screw misses the
/// flange, crosses the prosthesis, finds no cortex or is not anchored; the parametric
/// study's validation errors for the flange and screw dimensions.
pub(super) fn fit_flange_and_screws(
    rec: &mut Reconstruction,
    implant: &ImplantSpec,
    trajectories: &[ScrewTrajectory],
    frame: &CtFrame,
) -> Result<(), BiomechError> {
    if !implant.flange.enabled {
        return Ok(());
    }
    crate::builder::validate_hardware(implant)?;
    let h = frame.cell_mm.iter().copied().fold(0.0, f64::max);
    let field = HeightField::new(
        &rec.mesh,
        rec.n_intact_elements,
        frame.lateral,
        [frame.cell_mm[1], frame.cell_mm[2]],
    );
    let planes = flange_planes(rec, implant.flange.overlap_mm, frame.cell_mm[2])?;
    let fz = [planes[0], planes[planes.len() - 1]];
    let z_mid = 0.5 * (rec.defect_z[0] + rec.defect_z[1]);
    let y_c = match frame.center_y_mm {
        Some(y) => y,
        None => {
            let [a, b] = field.y_extent(z_mid).ok_or_else(|| {
                BiomechError::construction(format!(
                    "no bone at the defect's mid-plane z = {z_mid:.1} mm"
                ))
            })?;
            0.5 * (a + b)
        }
    };
    let band = band_for_width(
        &field,
        y_c,
        z_mid,
        implant.flange.width_mm,
        frame.cell_mm[1],
    )?;
    let inner = add_flange(rec, implant, &field, &planes, band, frame)?;
    tie_flange(rec, &inner, fz, band, frame, h)?;
    rec.flange_z = Some(fz);
    if implant.screws.enabled && (!trajectories.is_empty() || !implant.screws.offsets_mm.is_empty())
    {
        let list = screw_list(rec, implant, trajectories, &field, y_c, frame)?;
        add_screws(rec, implant, &list, h)?;
    }
    rec.quality = check_jacobians(&rec.mesh)?;
    Ok(())
}

/// The flange's cell planes: the voxel lattice's z planes (the bone nodes' z values) from
/// the one nearest `defect_z[0] − overlap` to the one nearest `defect_z[1] + overlap`,
/// within the bone.
fn flange_planes(rec: &Reconstruction, overlap: f64, dz: f64) -> Result<Vec<f64>, BiomechError> {
    // the lattice's planes: corner nodes only (a C3D20 mesh's mid-side nodes lie between)
    let mut zs: Vec<f64> = (0..rec.n_intact_elements)
        .flat_map(|e| {
            let el = rec.mesh.element(e);
            el.nodes[..el.etype.n_corners()]
                .iter()
                .map(|&a| rec.mesh.coords[a][2])
                .collect::<Vec<f64>>()
        })
        .collect();
    zs.sort_by(f64::total_cmp);
    zs.dedup_by(|a, b| (*a - *b).abs() < 1e-6 * dz);
    let nearest = |z: f64| {
        zs.iter()
            .copied()
            .min_by(|a, b| (a - z).abs().total_cmp(&(b - z).abs()))
            .unwrap_or(z)
    };
    let lo = nearest(rec.defect_z[0] - overlap);
    let hi = nearest(rec.defect_z[1] + overlap);
    let planes: Vec<f64> = zs
        .into_iter()
        .filter(|&z| z >= lo - 1e-6 * dz && z <= hi + 1e-6 * dz)
        .collect();
    if planes.len() < 3 {
        return Err(BiomechError::construction(format!(
            "the flange span [{lo:.1}, {hi:.1}] mm holds fewer than two element layers of the CT mesh"
        )));
    }
    Ok(planes)
}

/// The y band [y₀, y₁] (mm) centred on `y_c` whose surface profile U(y, z_mid), as a
/// polyline through samples one element `dy` apart, has length `width` (mm).
fn band_for_width(
    field: &HeightField,
    y_c: f64,
    z_mid: f64,
    width: f64,
    dy: f64,
) -> Result<[f64; 2], BiomechError> {
    let missing = |y: f64| {
        BiomechError::construction(format!(
            "the flange ({width} mm wide, centred at y = {y_c:.1} mm) runs off the bone at y = {y:.1} mm, z = {z_mid:.1} mm"
        ))
    };
    let mut half = [0.0; 2];
    for (side, sign) in [(0, -1.0), (1, 1.0)] {
        let (mut y, mut u) = (y_c, field.at(y_c, z_mid).ok_or_else(|| missing(y_c))?);
        let mut length = 0.0;
        loop {
            let y_next = y + sign * dy;
            let u_next = field.at(y_next, z_mid).ok_or_else(|| missing(y_next))?;
            let step = (dy * dy + (u_next - u).powi(2)).sqrt();
            if length + step >= 0.5 * width {
                half[side] = (y - y_c).abs() + dy * (0.5 * width - length) / step;
                break;
            }
            length += step;
            (y, u) = (y_next, u_next);
        }
    }
    Ok([y_c - half[0], y_c + half[1]])
}

/// z at the block coordinate `p` ∈ [0, 1], piecewise linear through `planes` (plane k at
/// p = k / (planes.len() − 1), so quadratic mid-side nodes sit mid-cell).
fn plane_at(planes: &[f64], p: f64) -> f64 {
    let n = planes.len() - 1;
    let s = (p * n as f64).clamp(0.0, n as f64);
    let k = (s.floor() as usize).min(n - 1);
    planes[k] + (s - k as f64) * (planes[k + 1] - planes[k])
}

/// Append the flange block (region `Flange`, element set FLANGE, node set FLANGE_INNER);
/// returns its inner nodes.
fn add_flange(
    rec: &mut Reconstruction,
    implant: &ImplantSpec,
    field: &HeightField,
    planes: &[f64],
    band: [f64; 2],
    frame: &CtFrame,
) -> Result<Vec<usize>, BiomechError> {
    let flange = &implant.flange;
    let [dx, dy, _] = frame.cell_mm;
    let t_cells = (flange.thickness_mm / dx).round().max(1.0) as usize;
    let w_cells = ((band[1] - band[0]) / dy).ceil().max(2.0) as usize;
    let s = frame.lateral;
    // missing bone under the flange is reported after the block is built
    let off_bone = std::cell::Cell::new(None::<[f64; 2]>);
    let height = |y: f64, z: f64| {
        field.at(y, z).unwrap_or_else(|| {
            off_bone.set(Some([y, z]));
            0.0
        })
    };
    let block = structured_mesh(
        &StructuredSpec {
            cells: [t_cells, w_cells, planes.len() - 1],
            element: ElementType::Hex20,
            periodic: [false; 3],
            face_names: [["INNER", ""], ["", ""], ["", ""]],
        },
        |p| {
            let z = plane_at(planes, p[2]);
            // (u, y, z) right-handed for lateral +x: y grows with p[1]; mirrored for −x
            let q = if s > 0.0 { p[1] } else { 1.0 - p[1] };
            let y = band[0] + q * (band[1] - band[0]);
            let slope = field.slope(y, z, dy);
            let u = height(y, z) + p[0] * flange.thickness_mm * (1.0 + slope * slope).sqrt();
            [s * u, y, z]
        },
    )?;
    if let Some([y, z]) = off_bone.get() {
        return Err(BiomechError::construction(format!(
            "no bone under the flange at y = {y:.1} mm, z = {z:.1} mm: narrow it (implant.flange.width_mm), shorten it (overlap_mm) or move it (patient_ct.flange_center_y_mm)"
        )));
    }
    let base = append_part(rec, &block, Region::Flange)?;
    let inner: Vec<usize> = block.node_set("INNER")?.iter().map(|&i| base + i).collect();
    let flange_elements: Vec<usize> = (0..rec.regions.len())
        .filter(|&e| rec.regions[e] == Region::Flange)
        .collect();
    rec.mesh.set_element_set("FLANGE", flange_elements);
    rec.mesh.set_node_set("FLANGE_INNER", inner.clone());
    Ok(inner)
}

/// Append the nodes and elements of `part` to the reconstruction's mesh (new ids after the
/// largest), every element of region `region`; returns the index of its first node.
fn append_part(
    rec: &mut Reconstruction,
    part: &Mesh,
    region: Region,
) -> Result<usize, BiomechError> {
    let mesh = &mut rec.mesh;
    let base = mesh.n_nodes();
    let next_node = mesh.node_ids.iter().copied().max().unwrap_or(0) + 1;
    for (i, &x) in part.coords.iter().enumerate() {
        mesh.add_node(next_node + i as i64, x)?;
    }
    let next_element = (0..mesh.n_elements())
        .map(|e| mesh.element(e).id)
        .max()
        .unwrap_or(0)
        + 1;
    for (k, el) in part.elements().enumerate() {
        let nodes: Vec<usize> = el.nodes.iter().map(|&a| base + a).collect();
        mesh.push_element(el.etype, next_element + k as i64, &nodes)?;
        rec.regions.push(region);
    }
    Ok(base)
}

/// Tie the flange's inner nodes to the lateral-facing boundary faces of the bone and
/// prosthesis under it; sets FLANGE_BONE and the flange–bone interface.
fn tie_flange(
    rec: &mut Reconstruction,
    inner: &[usize],
    fz: [f64; 2],
    band: [f64; 2],
    frame: &CtFrame,
    h: f64,
) -> Result<(), BiomechError> {
    let mesh = &rec.mesh;
    let masters: Vec<FaceRef> = osteon_mesh::boundary_faces(mesh, rec.n_intact_elements)
        .into_iter()
        .filter(|&f| {
            let Ok(nodes) = mesh.face_nodes(f) else {
                return false;
            };
            let pts: Vec<[f64; 3]> = nodes.iter().map(|&a| mesh.coords[a]).collect();
            let lo = |k: usize| pts.iter().map(|p| p[k]).fold(f64::INFINITY, f64::min);
            let hi = |k: usize| pts.iter().map(|p| p[k]).fold(f64::NEG_INFINITY, f64::max);
            let facing = outward_normal_x(mesh, f) * frame.lateral > 0.5;
            facing
                && hi(1) >= band[0] - h
                && lo(1) <= band[1] + h
                && hi(2) >= fz[0] - h
                && lo(2) <= fz[1] + h
        })
        .collect();
    let tie = Tie {
        name: "flange".into(),
        slave_nodes: inner.to_vec(),
        master_faces: masters,
        position_tolerance: Some(1e-6 * h),
    };
    adjust_tied_nodes(&mut rec.mesh, &tie)?;
    let (equations, report) = tie_equations(&rec.mesh, &tie)?;
    if let Some(&(node, d)) = report.too_far.first() {
        return Err(BiomechError::construction(format!(
            "{} flange nodes lie off the bone surface (e.g. node {} at {d:.3} mm)",
            report.too_far.len(),
            rec.mesh.node_ids[node]
        )));
    }
    let bone_node = bone_node_flags(&rec.mesh, rec.n_bone_elements);
    let mut flange_bone: Vec<usize> = equations
        .iter()
        .flat_map(|eq| eq.terms[1..].iter().map(|t| t.0))
        .filter(|&a| bone_node[a])
        .collect();
    flange_bone.sort_unstable();
    flange_bone.dedup();
    rec.mesh.set_node_set("FLANGE_BONE", flange_bone.clone());
    rec.interfaces.push(InterfaceSet {
        name: "flange–bone".into(),
        set: "FLANGE_BONE".into(),
        nodes: flange_bone,
    });
    rec.equations.extend(equations);
    rec.tie = Some(report);
    Ok(())
}

/// The x component of the outward unit normal at the centre of face `f`.
fn outward_normal_x(mesh: &Mesh, f: FaceRef) -> f64 {
    let el = mesh.element(f.element);
    let x = mesh.element_coords(f.element);
    osteon_mesh::geometry::outward_area_vector(
        el.etype,
        f.face as usize,
        &x[..el.etype.n_nodes()],
        [0.0, 0.0],
    )
    .map(|(_, a)| {
        a[0] / (a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
            .sqrt()
            .max(f64::MIN_POSITIVE)
    })
    .unwrap_or(0.0)
}

/// A screw axis before meshing: head (flange mid-plane), tip and bone entry (mm).
struct PlannedScrew {
    fragment: Fragment,
    head: [f64; 3],
    tip: [f64; 3],
    entry: [f64; 3],
}

/// The screws' axes: the given trajectories, or the default placement (module docs).
fn screw_list(
    rec: &Reconstruction,
    implant: &ImplantSpec,
    trajectories: &[ScrewTrajectory],
    field: &HeightField,
    y_c: f64,
    frame: &CtFrame,
) -> Result<Vec<PlannedScrew>, BiomechError> {
    let owned: Vec<ScrewTrajectory>;
    let list = if trajectories.is_empty() {
        let mut zs: Vec<f64> = implant
            .screws
            .offsets_mm
            .iter()
            .flat_map(|&off| [rec.defect_z[0] - off, rec.defect_z[1] + off])
            .collect();
        zs.sort_by(f64::total_cmp);
        owned = zs
            .into_iter()
            .map(|z| {
                let u = field.at(y_c, z).ok_or_else(|| {
                    BiomechError::construction(format!(
                        "no bone at the screw position y = {y_c:.1} mm, z = {z:.1} mm"
                    ))
                })?;
                Ok(ScrewTrajectory {
                    entry_mm: [frame.lateral * u, y_c, z],
                    direction: [-frame.lateral, 0.0, 0.0],
                    length_mm: None,
                })
            })
            .collect::<Result<_, BiomechError>>()?;
        &owned
    } else {
        trajectories
    };
    let locator = Locator::new(rec);
    list.iter()
        .enumerate()
        .map(|(k, t)| plan_screw(rec, &locator, k, t, frame))
        .collect()
}

/// Finds which part a point is in: the flange, or an intact element (bone or prosthesis).
struct Locator {
    flange: ElementLocator,
    intact: ElementLocator,
}

/// What lies at a point of a screw axis.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Hit {
    Flange,
    Part(Region),
    Outside,
}

impl Locator {
    fn new(rec: &Reconstruction) -> Self {
        let flange: Vec<usize> = (0..rec.regions.len())
            .filter(|&e| rec.regions[e] == Region::Flange)
            .collect();
        let intact: Vec<usize> = (0..rec.n_intact_elements).collect();
        Self {
            flange: ElementLocator::new(&rec.mesh, &flange),
            intact: ElementLocator::new(&rec.mesh, &intact),
        }
    }

    fn hit(&self, rec: &Reconstruction, p: [f64; 3]) -> Hit {
        if self.flange.locate(&rec.mesh, p).is_some() {
            Hit::Flange
        } else if let Some((e, _)) = self.intact.locate(&rec.mesh, p) {
            Hit::Part(rec.regions[e])
        } else {
            Hit::Outside
        }
    }
}

/// March along trajectory `t` (number `k`, 0-based) and place the head, the bone entry and
/// the tip.
fn plan_screw(
    rec: &Reconstruction,
    locator: &Locator,
    k: usize,
    t: &ScrewTrajectory,
    frame: &CtFrame,
) -> Result<PlannedScrew, BiomechError> {
    let name = format!(
        "screw {} (entry {:?} mm, direction {:?})",
        k + 1,
        t.entry_mm,
        t.direction
    );
    let norm = t.direction.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !(norm > 0.0 && norm.is_finite()) || t.entry_mm.iter().any(|v| !v.is_finite()) {
        return Err(BiomechError::invalid(
            "patient_ct.screws.direction",
            norm,
            format!("{name}: a finite entry point and a nonzero direction"),
        ));
    }
    let d = t.direction.map(|v| v / norm);
    let at = |s: f64| -> [f64; 3] { std::array::from_fn(|i| t.entry_mm[i] + s * d[i]) };
    let step = 0.125 * frame.cell_mm.iter().copied().fold(f64::INFINITY, f64::min);
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for x in &rec.mesh.coords {
        for i in 0..3 {
            lo[i] = lo[i].min(x[i]);
            hi[i] = hi[i].max(x[i]);
        }
    }
    let reach = (0..3).map(|i| (hi[i] - lo[i]).powi(2)).sum::<f64>().sqrt();
    let start = -reach;
    let n = ((reach - start) / step).ceil() as usize;
    let hits: Vec<(f64, Hit)> = (0..=n)
        .map(|i| {
            let s = start + i as f64 * step;
            (s, locator.hit(rec, at(s)))
        })
        .collect();
    let hit_at = |s: f64| locator.hit(rec, at(s));
    let runs = refined_runs(&runs_of(&hits), &hit_at, 1e-9 * step);
    let flange = runs.iter().find(|r| r.0 == Hit::Flange).ok_or_else(|| {
        BiomechError::construction(format!("{name} does not pass through the flange"))
    })?;
    let s_head = 0.5 * (flange.1 + flange.2);
    let entry = runs
        .iter()
        .find(|r| r.1 >= flange.2 && matches!(r.0, Hit::Part(_)))
        .ok_or_else(|| {
            BiomechError::construction(format!("{name} enters no bone after the flange"))
        })?;
    let tip = match t.length_mm {
        Some(l) if l > 0.0 && l.is_finite() => Ok(s_head + l),
        Some(l) => {
            return Err(BiomechError::invalid(
                "patient_ct.screws.length_mm",
                l,
                "a positive length in mm",
            ));
        }
        None => far_cortex(&runs, entry.1)
            .map(|cortex| 0.5 * (cortex.1 + cortex.2))
            .ok_or_else(|| {
                BiomechError::construction(format!(
                    "{name} meets no far cortex (cortical bone after the canal, before the axis leaves the bone): give its length_mm for a unicortical screw"
                ))
            }),
    };
    // the prosthesis first: a screw aimed into the defect finds no far cortex either
    let reach_end = tip.as_ref().copied().unwrap_or_else(|_| {
        runs.iter()
            .filter(|r| matches!(r.0, Hit::Part(_)))
            .map(|r| r.2)
            .fold(entry.2, f64::max)
    });
    if runs
        .iter()
        .any(|r| r.0 == Hit::Part(Region::Implant) && r.2 >= entry.1 && r.1 <= reach_end)
    {
        return Err(BiomechError::construction(format!(
            "{name} crosses the prosthesis: a screw must stay in its fragment"
        )));
    }
    let s_tip = tip?;
    let entry_point = at(entry.1);
    let z_mid = 0.5 * (rec.defect_z[0] + rec.defect_z[1]);
    Ok(PlannedScrew {
        fragment: if entry_point[2] < z_mid {
            Fragment::Distal
        } else {
            Fragment::Proximal
        },
        head: at(s_head),
        tip: at(s_tip),
        entry: entry_point,
    })
}

/// The far cortex along an axis: among the runs from the bone entry at `entry_s` to the
/// first point outside the bone, the last cortical run that comes after a run of another
/// part (the canal); `None` without one (the near cortex alone, or no canal crossed).
fn far_cortex(runs: &[(Hit, f64, f64)], entry_s: f64) -> Option<&(Hit, f64, f64)> {
    let inside: Vec<&(Hit, f64, f64)> = runs
        .iter()
        .skip_while(|r| r.1 < entry_s)
        .take_while(|r| matches!(r.0, Hit::Part(_)))
        .collect();
    let after_canal = inside
        .iter()
        .position(|r| r.0 != Hit::Part(Region::Cortical))?;
    inside[after_canal..]
        .iter()
        .rev()
        .find(|r| r.0 == Hit::Part(Region::Cortical))
        .copied()
}

/// The runs of equal hits along the axis: (what, first s, last s) (mm).
fn runs_of(hits: &[(f64, Hit)]) -> Vec<(Hit, f64, f64)> {
    let mut runs: Vec<(Hit, f64, f64)> = Vec::new();
    for &(s, hit) in hits {
        match runs.last_mut() {
            Some(r) if r.0 == hit => r.2 = s,
            _ => runs.push((hit, s, s)),
        }
    }
    runs
}

/// The runs with their ends moved onto the boundaries between them, found by bisection
/// between the last sample of one run and the first of the next to within `tol` (mm).
fn refined_runs(
    runs: &[(Hit, f64, f64)],
    hit_at: &dyn Fn(f64) -> Hit,
    tol: f64,
) -> Vec<(Hit, f64, f64)> {
    let mut out = runs.to_vec();
    for i in 1..runs.len() {
        let (mut lo, mut hi) = (runs[i - 1].2, runs[i].1);
        let inside = runs[i - 1].0;
        for _ in 0..64 {
            if hi - lo <= tol {
                break;
            }
            let mid = 0.5 * (lo + hi);
            if hit_at(mid) == inside {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let edge = 0.5 * (lo + hi);
        out[i - 1].2 = edge;
        out[i].1 = edge;
    }
    out
}

/// Mesh the planned screws, embed them and record their placements and the SCREW_HOLES
/// interface.
fn add_screws(
    rec: &mut Reconstruction,
    implant: &ImplantSpec,
    list: &[PlannedScrew],
    h: f64,
) -> Result<(), BiomechError> {
    let r = implant.screws.shaft_radius_mm();
    let mut built = ScrewBlocks {
        placements: Vec::new(),
        node_ranges: Vec::new(),
    };
    for (k, s) in list.iter().enumerate() {
        let ScrewMesh { coords, elements } =
            screw_cylinder(s.head, s.tip, r, h, ElementType::Hex20)?;
        let mut part = Mesh::new();
        for (i, &x) in coords.iter().enumerate() {
            part.add_node(i as i64 + 1, x)?;
        }
        for (i, nodes) in elements.iter().enumerate() {
            part.push_element(ElementType::Hex20, i as i64 + 1, nodes)?;
        }
        let base = append_part(rec, &part, Region::Screw(k))?;
        built.node_ranges.push(base..base + coords.len());
        built.placements.push(ScrewPlacement {
            fragment: s.fragment,
            z_mm: s.entry[2],
            head_mm: s.head,
            tip_mm: s.tip,
            bone_entry_mm: s.entry,
            n_nodes: coords.len(),
            embedded_in_flange: 0,
            embedded_in_bone: 0,
            free: 0,
        });
    }
    let screw_elements: Vec<usize> = (0..rec.regions.len())
        .filter(|&e| matches!(rec.regions[e], Region::Screw(_)))
        .collect();
    rec.mesh.set_element_set("SCREWS", screw_elements);
    let bone_node = bone_node_flags(&rec.mesh, rec.n_bone_elements);
    let (equations, holes) = embed_screws(&mut rec.mesh, &implant.screws, &mut built, &bone_node)?;
    rec.equations.extend(equations);
    rec.interfaces.push(holes);
    rec.screws = built.placements;
    rec.screw_model = (!rec.screws.is_empty()).then_some(crate::spec::ScrewModel::Embedded);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORTEX: Hit = Hit::Part(Region::Cortical);
    const CANAL: Hit = Hit::Part(Region::Cancellous);

    /// The far cortex is the last cortical run after the canal and before the axis leaves
    /// the bone: not the near cortex, not a cortex met again after leaving the bone.
    #[test]
    fn the_far_cortex_lies_past_the_canal_inside_the_bone() {
        let bicortical = [
            (Hit::Outside, -30.0, -3.1),
            (Hit::Flange, -3.0, 0.0),
            (CORTEX, 0.0, 5.0),
            (CANAL, 5.0, 15.0),
            (CORTEX, 15.0, 20.0),
            (Hit::Outside, 20.0, 90.0),
        ];
        assert_eq!(far_cortex(&bicortical, 0.0), Some(&bicortical[4]));
        // through the wall only, then into bone again further on: no far cortex
        let chord = [
            (Hit::Flange, -3.0, 0.0),
            (CORTEX, 0.0, 6.0),
            (Hit::Outside, 6.0, 9.0),
            (CORTEX, 9.0, 12.0),
        ];
        assert_eq!(far_cortex(&chord, 0.0), None);
        // the canal's far side segmented as cancellous bone: no cortex to hold the tip
        let thin = [
            (CORTEX, 0.0, 2.0),
            (CANAL, 2.0, 30.0),
            (Hit::Outside, 30.0, 40.0),
        ];
        assert_eq!(far_cortex(&thin, 0.0), None);
    }
}
