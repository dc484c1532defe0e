//! Pairing: each slave node is projected once, in the undeformed configuration, onto the
//! closest master face (small sliding). The projection point (face, natural coordinates,
//! shape-function values), the master normal there, the node's tributary area and its
//! penalty stiffnesses stay fixed for the whole analysis.
//!
//! - **Tributary area** A_s of a slave node: Σ over its slave faces of ∫ N_a dA for linear
//!   faces (Tri3, Quad4: the consistent nodal area), and for quadratic faces (Tri6, Quad8,
//!   whose ∫ N_a dA is zero or negative at corners) the face area split in proportion to
//!   ∫ N_a² dA (Hinton–Rock–Zienkiewicz lumping), which is positive at every node.
//!   Limitation of node-to-surface contact on quadratic slave faces: the consistent nodal
//!   forces of a uniform pressure are negative at Quad8 corners (zero at Tri6 corners), which
//!   a compression-only node cannot carry, so some corner nodes stay open while the mid-side
//!   nodes carry the load (totals stay right; measured in tests/block_friction.rs). Prefer
//!   linear (or Tet10) slave surfaces where nodal pressures matter.
//!   A node-based slave surface ([`ContactPair::slave_nodes`]) keeps only its own nodes, each
//!   with its share of every exterior face around it — CalculiX's rule for nodal slave
//!   surfaces (its `tiefaccont`: a slave node collects the area of every external face that
//!   contains it), so a node on an edge also collects area from the side faces.
//! - **Penalty scale**: k_ref = min(M_s/h_s, M_m/h_m), with M = (D₁₁+D₂₂+D₃₃)/3 the P-wave
//!   modulus of the element behind the face (MPa) and h its thickness normal to the face
//!   (V/A for hexahedra, 3V/A for tetrahedra; mm): the stiffness of one element layer per
//!   unit area (MPa/mm). Hard contact uses k_N = factor × k_ref.
//! - **Normal**: the master's nodal normals (area-weighted averages of the adjacent master
//!   faces' unit normals) interpolated with the face shape functions at the projection point:
//!   equal to the face normal on flat surfaces, continuous over the kinks of a faceted curved
//!   surface (a slave node facing a master node of a faceted cylinder gets the radial
//!   normal, not the tilted normal of whichever facet won the projection tie).
//! - A slave node is **paired** when its closest master point lies within the search
//!   distance and in front of a master face (the offset along the face is at most
//!   1 % of the face size plus the normal distance, which admits nodes over the kinks of a
//!   faceted curved surface but not nodes beyond the edge of the master surface).

use std::collections::{BTreeMap, HashMap, HashSet};

use nalgebra::{Point3, Vector3};
use osteon_assembly::{Model, element_materials, material_stiffnesses};
use osteon_mesh::geometry::{element_volume, outward_area_vector};
use osteon_mesh::search::FaceLocator;
use osteon_mesh::{FaceRef, FaceType, Mesh};

use crate::error::ContactError;
use osteon_assembly::contact::{ContactPair, InitialGap, NormalBehaviour};

/// Largest number of nodes of a master face (Quad8).
pub const MAX_FACE_NODES: usize = 8;

/// A slave node paired with a point of a master face; constant for the analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactNode {
    /// Index of the pair in the problem.
    pub pair: usize,
    /// Slave node index.
    pub slave: usize,
    /// Master face.
    pub master_face: FaceRef,
    /// Master face nodes (first `n_master` valid).
    pub master_nodes: [usize; MAX_FACE_NODES],
    /// Number of master face nodes.
    pub n_master: usize,
    /// Master shape functions at the projection point.
    pub shape: [f64; MAX_FACE_NODES],
    /// Natural coordinates of the projection point on the master face.
    pub st: [f64; 2],
    /// Unit outward normal of the master surface at the projection point.
    pub normal: [f64; 3],
    /// First unit tangent (CalculiX convention: e_x projected on the tangent plane, or e_z
    /// when the normal is along x).
    pub tangent1: [f64; 3],
    /// Second unit tangent, n × t₁.
    pub tangent2: [f64; 3],
    /// Tributary area (mm²).
    pub area: f64,
    /// Initial normal gap g₀ (mm; negative: interference).
    pub gap0: f64,
    /// Normal penalty stiffness k_N (MPa/mm).
    pub k_normal: f64,
    /// Tangential (stick) stiffness k_T (MPa/mm).
    pub k_tangent: f64,
    /// Friction coefficient μ.
    pub mu: f64,
    /// Hard contact with augmented-Lagrangian updates (else linear penalty).
    pub augmented: bool,
    /// Largest penetration accepted at convergence (mm; hard contact only).
    pub penetration_tolerance: f64,
    /// Slave element thickness h_s (mm).
    pub thickness: f64,
}

/// What the pairing found for one contact pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairingReport {
    /// Pair name.
    pub pair: String,
    /// Nodes of the slave surface.
    pub slave_nodes: usize,
    /// Slave nodes paired with a master face.
    pub paired: usize,
    /// Slave node indices left unpaired (too far, beyond the master edge, or on the master
    /// surface itself).
    pub unpaired: Vec<usize>,
    /// Search distance used (mm).
    pub search_distance: f64,
    /// Smallest and largest normal penalty stiffness (MPa/mm).
    pub normal_stiffness: (f64, f64),
    /// Penetration tolerance of hard contact (mm; 0 for linear contact).
    pub penetration_tolerance: f64,
    /// Smallest and largest initial gap of the paired nodes (mm).
    pub initial_gap: (f64, f64),
    /// Sum of the tributary areas of the paired nodes (mm²).
    pub paired_area: f64,
}

/// Per-node data gathered from the slave faces.
#[derive(Clone, Copy, Default)]
struct SlaveAccumulator {
    area: f64,
    /// Σ area contribution × element layer stiffness M/h.
    stiffness_area: f64,
    /// Σ area contribution × h.
    thickness_area: f64,
}

/// Element layer data behind a face: (face area mm², thickness h mm, P-wave modulus M MPa).
fn face_layer(mesh: &Mesh, moduli: &[f64], face: FaceRef) -> Result<(f64, f64, f64), ContactError> {
    let el = mesh.element(face.element);
    let n = el.etype.n_nodes();
    let x = mesh.element_coords(face.element);
    let ft = el.etype.face_type();
    let mut area = 0.0;
    for (st, w) in ft.load_rule().iter() {
        let (_, a) = outward_area_vector(el.etype, face.face as usize, &x[..n], [st[0], st[1]])
            .ok_or(osteon_mesh::MeshError::InvalidFace {
                element: el.id,
                etype: el.etype.abaqus_name(),
                face: face.face as usize + 1,
            })?;
        area += w * Vector3::from(a).norm();
    }
    let volume = element_volume(el.etype, &x[..n]).abs();
    let h = if area > 0.0 {
        volume / area * if el.etype.is_tet() { 3.0 } else { 1.0 }
    } else {
        0.0
    };
    Ok((area, h, moduli[face.element]))
}

/// Nodal area weights of one face: ∫ N_a dA (linear faces) or HRZ-lumped (quadratic faces).
fn face_node_areas(
    mesh: &Mesh,
    face: FaceRef,
    out: &mut [f64; MAX_FACE_NODES],
) -> Result<usize, ContactError> {
    let el = mesh.element(face.element);
    let n = el.etype.n_nodes();
    let x = mesh.element_coords(face.element);
    let ft = el.etype.face_type();
    let m = ft.n_nodes();
    let quadratic = matches!(ft, FaceType::Tri6 | FaceType::Quad8);
    let mut lin = [0.0; MAX_FACE_NODES];
    let mut sq = [0.0; MAX_FACE_NODES];
    let mut total = 0.0;
    for (st, w) in ft.load_rule().iter() {
        let st = [st[0], st[1]];
        let (_, a) = outward_area_vector(el.etype, face.face as usize, &x[..n], st).ok_or(
            osteon_mesh::MeshError::InvalidFace {
                element: el.id,
                etype: el.etype.abaqus_name(),
                face: face.face as usize + 1,
            },
        )?;
        let da = w * Vector3::from(a).norm();
        total += da;
        let sh = ft.shape(st);
        for k in 0..m {
            lin[k] += sh.n[k] * da;
            sq[k] += sh.n[k] * sh.n[k] * da;
        }
    }
    if quadratic {
        let s: f64 = sq[..m].iter().sum();
        for k in 0..m {
            out[k] = if s > 0.0 { total * sq[k] / s } else { 0.0 };
        }
    } else {
        out[..m].copy_from_slice(&lin[..m]);
    }
    Ok(m)
}

/// P-wave modulus (D₁₁+D₂₂+D₃₃)/3 (MPa) of every element.
pub(crate) fn element_moduli(model: &Model) -> Result<Vec<f64>, ContactError> {
    let materials = element_materials(model)?;
    let d = material_stiffnesses(model)?;
    Ok(materials
        .iter()
        .map(|&m| (d[m][0][0] + d[m][1][1] + d[m][2][2]) / 3.0)
        .collect())
}

/// Pair every slave node of `pairs` with its master face.
///
/// Per pair: check the surfaces and the interaction → the slave nodes with their tributary
/// areas, thicknesses and layer stiffnesses ([`slave_nodes`]) → the master surface's nodes,
/// layer stiffnesses and nodal normals ([`MasterSurface`]) → each slave node projected and
/// paired ([`pair_node`]).
pub fn pair_nodes(
    model: &Model,
    pairs: &[ContactPair],
) -> Result<(Vec<ContactNode>, Vec<PairingReport>), ContactError> {
    let mesh = &model.mesh;
    let moduli = element_moduli(model)?;
    let mut nodes = Vec::new();
    let mut reports = Vec::with_capacity(pairs.len());
    for (p, pair) in pairs.iter().enumerate() {
        let invalid = |detail: String| ContactError::InvalidPair {
            pair: pair.name.clone(),
            detail,
        };
        check_surfaces(mesh, pair).map_err(|e| match e {
            SurfaceProblem::Invalid(detail) => invalid(detail),
            SurfaceProblem::Mesh(m) => ContactError::Mesh(m),
        })?;
        validate_interaction(pair).map_err(invalid)?;
        let acc = slave_nodes(mesh, &moduli, pair)?;
        let total_area: f64 = acc.values().map(|a| a.area).sum();
        let mean_h =
            acc.values().map(|a| a.thickness_area).sum::<f64>() / total_area.max(f64::MIN_POSITIVE);
        if !(total_area.is_finite() && total_area > 0.0 && mean_h.is_finite() && mean_h > 0.0) {
            return Err(invalid("the slave faces have no area".into()));
        }
        let search = pair.search_distance.unwrap_or(mean_h);
        if !(search > 0.0 && search.is_finite()) {
            return Err(invalid(format!(
                "search distance {search} mm must be positive"
            )));
        }
        let tolerance = match pair.interaction.normal {
            NormalBehaviour::Hard {
                penetration_tolerance,
                ..
            } => penetration_tolerance.unwrap_or(1e-3 * mean_h),
            NormalBehaviour::Linear { .. } => 0.0,
        };
        let master = MasterSurface::new(mesh, &moduli, &pair.master_faces)?;
        let locator = FaceLocator::new(mesh, &pair.master_faces, search);
        let mut report = PairingReport {
            pair: pair.name.clone(),
            slave_nodes: acc.len(),
            search_distance: search,
            penetration_tolerance: tolerance,
            normal_stiffness: (f64::INFINITY, 0.0),
            initial_gap: (f64::INFINITY, f64::NEG_INFINITY),
            ..Default::default()
        };
        for (&s, a) in &acc {
            let found = if master.nodes[s] || a.area <= 0.0 {
                None
            } else {
                let slave = SlaveNode {
                    pair: p,
                    node: s,
                    data: *a,
                    search,
                    tolerance,
                };
                pair_node(mesh, pair, &master, &locator, &slave)?
            };
            let Some(node) = found else {
                report.unpaired.push(s);
                continue;
            };
            report.paired += 1;
            report.paired_area += node.area;
            report.normal_stiffness.0 = report.normal_stiffness.0.min(node.k_normal);
            report.normal_stiffness.1 = report.normal_stiffness.1.max(node.k_normal);
            report.initial_gap.0 = report.initial_gap.0.min(node.gap0);
            report.initial_gap.1 = report.initial_gap.1.max(node.gap0);
            nodes.push(node);
        }
        if report.paired == 0 {
            return Err(ContactError::NoContactNodes {
                pair: pair.name.clone(),
                slave_nodes: report.slave_nodes,
                search_distance: search,
            });
        }
        reports.push(report);
    }
    Ok((nodes, reports))
}

/// Why a pair's surfaces are unusable.
enum SurfaceProblem {
    Invalid(String),
    Mesh(osteon_mesh::MeshError),
}

/// Both surfaces have faces of existing elements; the nodes of a node-based slave surface
/// exist and each lies on a slave face.
fn check_surfaces(mesh: &Mesh, pair: &ContactPair) -> Result<(), SurfaceProblem> {
    if pair.slave_faces.is_empty() || pair.master_faces.is_empty() {
        return Err(SurfaceProblem::Invalid(
            "the slave and the master surface must both have faces".into(),
        ));
    }
    let mut on_slave_face = vec![false; mesh.n_nodes()];
    for (k, f) in pair
        .slave_faces
        .iter()
        .chain(&pair.master_faces)
        .enumerate()
    {
        if f.element >= mesh.n_elements() {
            return Err(SurfaceProblem::Invalid(format!(
                "face refers to element index {}, which does not exist",
                f.element
            )));
        }
        let face_nodes = mesh.face_nodes(*f).map_err(SurfaceProblem::Mesh)?;
        if k < pair.slave_faces.len() {
            for a in face_nodes {
                on_slave_face[a] = true;
            }
        }
    }
    for &a in pair.slave_nodes.iter().flatten() {
        match on_slave_face.get(a) {
            None => {
                return Err(SurfaceProblem::Invalid(format!(
                    "slave node index {a} does not exist"
                )));
            }
            Some(false) => {
                return Err(SurfaceProblem::Invalid(format!(
                    "slave node {} lies on no exterior face of the slave body, so it has no tributary area",
                    mesh.node_ids[a]
                )));
            }
            Some(true) => {}
        }
    }
    Ok(())
}

/// The slave nodes of `pair` with their tributary area, thickness and layer stiffness,
/// accumulated over the slave faces; for a node-based slave surface only its nodes.
fn slave_nodes(
    mesh: &Mesh,
    moduli: &[f64],
    pair: &ContactPair,
) -> Result<BTreeMap<usize, SlaveAccumulator>, ContactError> {
    let only: Option<HashSet<usize>> = pair
        .slave_nodes
        .as_ref()
        .map(|v| v.iter().copied().collect());
    let mut acc: BTreeMap<usize, SlaveAccumulator> = BTreeMap::new();
    let mut weights = [0.0; MAX_FACE_NODES];
    for &f in &pair.slave_faces {
        let (_, h, modulus) = face_layer(mesh, moduli, f)?;
        let m = face_node_areas(mesh, f, &mut weights)?;
        for (k, &node) in mesh.face_nodes(f)?.iter().enumerate().take(m) {
            if only.as_ref().is_some_and(|o| !o.contains(&node)) {
                continue;
            }
            let a = acc.entry(node).or_default();
            a.area += weights[k];
            a.stiffness_area += weights[k] * if h > 0.0 { modulus / h } else { 0.0 };
            a.thickness_area += weights[k] * h;
        }
    }
    Ok(acc)
}

/// The master surface of a pair: which nodes are on it, each face's area and layer
/// stiffness, and the area-weighted nodal normals.
struct MasterSurface {
    /// Per mesh node: on the master surface.
    nodes: Vec<bool>,
    /// Per master face: (area mm², layer stiffness M/h MPa/mm).
    layer: HashMap<FaceRef, (f64, f64)>,
    /// Σ over the adjacent master faces of unit normal × face area.
    normals: HashMap<usize, Vector3<f64>>,
}

impl MasterSurface {
    fn new(mesh: &Mesh, moduli: &[f64], faces: &[FaceRef]) -> Result<Self, ContactError> {
        let mut surface = Self {
            nodes: vec![false; mesh.n_nodes()],
            layer: HashMap::new(),
            normals: HashMap::new(),
        };
        for &f in faces {
            let fnodes = mesh.face_nodes(f)?;
            let (area, h, modulus) = face_layer(mesh, moduli, f)?;
            surface
                .layer
                .insert(f, (area, if h > 0.0 { modulus / h } else { 0.0 }));
            let el = mesh.element(f.element);
            let xe = mesh.element_coords(f.element);
            for (k, &n) in fnodes.iter().enumerate() {
                surface.nodes[n] = true;
                let st = el.etype.face_type().node_coords()[k];
                if let Some((_, a)) =
                    outward_area_vector(el.etype, f.face as usize, &xe[..el.etype.n_nodes()], st)
                {
                    *surface.normals.entry(n).or_insert_with(Vector3::zeros) +=
                        unit(Vector3::from(a)) * area;
                }
            }
        }
        Ok(surface)
    }
}

/// A slave node about to be paired.
struct SlaveNode {
    pair: usize,
    node: usize,
    data: SlaveAccumulator,
    /// Search distance (mm).
    search: f64,
    /// Penetration tolerance (mm).
    tolerance: f64,
}

/// Project slave node `s` onto the master surface: `None` when it is unpaired (no master
/// face within the search distance, or beyond the master's edge).
fn pair_node(
    mesh: &Mesh,
    pair: &ContactPair,
    master: &MasterSurface,
    locator: &FaceLocator,
    s: &SlaveNode,
) -> Result<Option<ContactNode>, ContactError> {
    let xs = mesh.coords[s.node];
    let Some(proj) = locator.closest(mesh, xs, |n| n == s.node) else {
        return Ok(None);
    };
    let el = mesh.element(proj.face.element);
    let xe = mesh.element_coords(proj.face.element);
    let Some((_, av)) = outward_area_vector(
        el.etype,
        proj.face.face as usize,
        &xe[..el.etype.n_nodes()],
        proj.st,
    ) else {
        return Ok(None);
    };
    let face_normal = unit(Vector3::from(av));
    let d = Point3::from(xs) - Point3::from(proj.point);
    let offset = (d - face_normal * d.dot(&face_normal)).norm();
    let nodes_m = mesh.face_nodes(proj.face)?;
    let sh = el.etype.face_type().shape(proj.st);
    // smoothed normal: the master's averaged nodal normals interpolated at the projection
    // point (continuous across the kinks of a faceted curved surface)
    let mut smooth = Vector3::zeros();
    for (k, n) in nodes_m.iter().enumerate() {
        smooth += master.normals.get(n).map_or(face_normal, |v| unit(*v)) * sh.n[k];
    }
    let normal = if smooth.norm() > 0.5 {
        unit(smooth)
    } else {
        face_normal
    };
    let g_geom = d.dot(&normal);
    let (face_area, master_stiffness) = master.layer.get(&proj.face).copied().unwrap_or((0.0, 0.0));
    if proj.distance > s.search || offset > 0.01 * face_area.sqrt() + g_geom.abs() {
        return Ok(None);
    }
    let gap0 = match pair.initial_gap {
        InitialGap::Geometric => g_geom,
        InitialGap::Adjust { tolerance } if g_geom.abs() <= tolerance => 0.0,
        InitialGap::Adjust { .. } => g_geom,
        InitialGap::Clearance(c) => c,
    };
    let a = s.data;
    let slave_stiffness = a.stiffness_area / a.area;
    let k_ref = if master_stiffness > 0.0 {
        slave_stiffness.min(master_stiffness)
    } else {
        slave_stiffness
    };
    let (k_normal, augmented) = match pair.interaction.normal {
        NormalBehaviour::Hard { penalty_factor, .. } => (penalty_factor * k_ref, true),
        NormalBehaviour::Linear { stiffness } => (stiffness, false),
    };
    let (mu, k_tangent) = match pair.interaction.friction {
        Some(fr) => (fr.mu, fr.stick_slope.unwrap_or(k_normal)),
        None => (0.0, k_normal),
    };
    let (tangent1, tangent2) = tangents(normal);
    let mut master_nodes = [0usize; MAX_FACE_NODES];
    let mut shape = [0.0; MAX_FACE_NODES];
    master_nodes[..nodes_m.len()].copy_from_slice(&nodes_m);
    shape[..nodes_m.len()].copy_from_slice(&sh.n[..nodes_m.len()]);
    Ok(Some(ContactNode {
        pair: s.pair,
        slave: s.node,
        master_face: proj.face,
        master_nodes,
        n_master: nodes_m.len(),
        shape,
        st: proj.st,
        normal: normal.into(),
        tangent1: tangent1.into(),
        tangent2: tangent2.into(),
        area: a.area,
        gap0,
        k_normal,
        k_tangent,
        mu,
        augmented,
        penetration_tolerance: s.tolerance,
        thickness: a.thickness_area / a.area,
    }))
}

fn validate_interaction(pair: &ContactPair) -> Result<(), String> {
    match pair.interaction.normal {
        NormalBehaviour::Hard {
            penalty_factor,
            penetration_tolerance,
        } => {
            if !(penalty_factor > 0.0 && penalty_factor.is_finite()) {
                return Err(format!("penalty factor {penalty_factor} must be positive"));
            }
            if let Some(t) = penetration_tolerance
                && !(t > 0.0 && t.is_finite())
            {
                return Err(format!("penetration tolerance {t} mm must be positive"));
            }
        }
        NormalBehaviour::Linear { stiffness } => {
            if !(stiffness > 0.0 && stiffness.is_finite()) {
                return Err(format!(
                    "pressure-overclosure slope {stiffness} MPa/mm must be positive"
                ));
            }
        }
    }
    if let Some(f) = pair.interaction.friction {
        if !(f.mu >= 0.0 && f.mu.is_finite()) {
            return Err(format!("friction coefficient {} must be ≥ 0", f.mu));
        }
        if let Some(k) = f.stick_slope
            && !(k > 0.0 && k.is_finite())
        {
            return Err(format!("stick slope {k} MPa/mm must be positive"));
        }
    }
    if let InitialGap::Adjust { tolerance } = pair.initial_gap
        && (tolerance.is_nan() || tolerance < 0.0)
    {
        return Err(format!("adjust tolerance {tolerance} mm must be ≥ 0"));
    }
    if let InitialGap::Clearance(c) = pair.initial_gap
        && !c.is_finite()
    {
        return Err("clearance must be finite".into());
    }
    Ok(())
}

/// `v / |v|`, or zero for a zero vector. Scales by the reciprocal of the norm (as the
/// pairing always has: the CalculiX comparisons were made with this rounding) where
/// nalgebra's `normalize` divides.
fn unit(v: Vector3<f64>) -> Vector3<f64> {
    let n = v.norm();
    if n > 0.0 {
        v * (1.0 / n)
    } else {
        Vector3::zeros()
    }
}

/// Tangent basis of the plane normal to `n` (CalculiX's convention, so that slip components
/// compare one to one with its `CDIS` output).
pub(crate) fn tangents(n: Vector3<f64>) -> (Vector3<f64>, Vector3<f64>) {
    let t1 = if 1.0 - n.x.abs() < 1.5231e-6 {
        Vector3::new(-n.z * n.x, -n.z * n.y, 1.0 - n.z * n.z)
    } else {
        Vector3::new(1.0 - n.x * n.x, -n.x * n.y, -n.x * n.z)
    };
    let t1 = unit(t1);
    (t1, n.cross(&t1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_material::{IsotropicElastic, Material};
    use osteon_mesh::ElementType;
    use osteon_mesh::generate::{BoxSpec, box_mesh};

    fn faces(mesh: &Mesh, name: &str) -> Vec<FaceRef> {
        mesh.surface_faces(name)
            .expect("the box generator names its faces")
            .to_vec()
    }

    #[test]
    fn tangent_basis_is_orthonormal() {
        for n in [
            Vector3::z(),
            Vector3::x(),
            Vector3::new(0.3, -0.4, 0.8).normalize(),
        ] {
            let (t1, t2) = tangents(n);
            assert!(
                t1.dot(&n).abs() < 1e-14 && t2.dot(&n).abs() < 1e-14 && t1.dot(&t2).abs() < 1e-14
            );
            assert!((t1.norm() - 1.0).abs() < 1e-14 && (t2.norm() - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn areas_sum_to_the_face_area_for_every_element_type() {
        for t in ElementType::ALL {
            let mesh = box_mesh(&BoxSpec {
                origin: [0.0; 3],
                size: [2.0, 3.0, 1.0],
                cells: [2, 3, 1],
                element: t,
            })
            .expect("box");
            let mut total = 0.0;
            let mut w = [0.0; MAX_FACE_NODES];
            for f in faces(&mesh, "ZMAX") {
                let m = face_node_areas(&mesh, f, &mut w).expect("face");
                assert!(w[..m].iter().all(|&v| v > 0.0), "{t}: {:?}", &w[..m]);
                total += w[..m].iter().sum::<f64>();
            }
            assert!((total - 6.0).abs() < 1e-12, "{t}: {total}");
        }
    }

    /// Two 2 × 2-cell blocks, the upper (1.5 × 2 mm) shifted a quarter cell in x: the model,
    /// the upper block's bottom faces (slave) and the lower's top faces (master).
    fn stacked_blocks() -> (Model, Vec<FaceRef>, Vec<FaceRef>) {
        let lower = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [2.0, 2.0, 1.0],
            cells: [2, 2, 1],
            element: ElementType::Hex8,
        })
        .expect("box");
        let mut mesh = lower.clone();
        let upper = box_mesh(&BoxSpec {
            origin: [0.25, 0.0, 1.0],
            size: [1.5, 2.0, 1.0],
            cells: [2, 2, 1],
            element: ElementType::Hex8,
        })
        .expect("box");
        let offset = mesh.n_nodes();
        for (i, x) in upper.coords.iter().enumerate() {
            mesh.add_node(1000 + i as i64, *x).expect("node");
        }
        let e0 = mesh.n_elements();
        for el in upper.elements() {
            let nodes: Vec<usize> = el.nodes.iter().map(|&n| n + offset).collect();
            mesh.push_element(ElementType::Hex8, 1000 + el.id, &nodes)
                .expect("element");
        }
        let slave: Vec<FaceRef> = faces(&upper, "ZMIN")
            .iter()
            .map(|f| FaceRef {
                element: f.element + e0,
                face: f.face,
            })
            .collect();
        let master = faces(&lower, "ZMAX");
        let mut model = Model::new(mesh);
        let m = model.add_material(Material::new(
            "m",
            IsotropicElastic::new(1000.0, 0.3).expect("valid").into(),
        ));
        model.add_section("ALL", (0..model.mesh.n_elements()).collect(), m);
        (model, slave, master)
    }

    #[test]
    fn a_block_resting_on_a_block_pairs_every_node() {
        let (model, slave, master) = stacked_blocks();
        let pair = ContactPair::new("p", slave, master, 0.3);
        let (nodes, reports) = pair_nodes(&model, &[pair]).expect("pairing");
        assert_eq!(nodes.len(), 9);
        assert_eq!(reports[0].paired, 9);
        assert!((reports[0].paired_area - 3.0).abs() < 1e-12);
        for n in &nodes {
            assert!(n.gap0.abs() < 1e-14 && (n.normal[2] - 1.0).abs() < 1e-14);
            let x: Vector3<f64> = (0..n.n_master)
                .map(|a| Vector3::from(model.mesh.coords[n.master_nodes[a]]) * n.shape[a])
                .sum();
            assert!((x - Vector3::from(model.mesh.coords[n.slave])).norm() < 1e-12);
            // M/h with h = 1, M = E(1−ν)/((1+ν)(1−2ν)) = 1346.15; factor 10
            assert!((n.k_normal - 10.0 * 1000.0 * 0.7 / (1.3 * 0.4)).abs() < 1e-9);
        }
    }

    #[test]
    fn a_node_slave_surface_pairs_only_its_nodes_and_names_a_node_off_the_faces() {
        let (model, slave, master) = stacked_blocks();
        // the upper block's bottom nodes on the middle row y = 1: three nodes, each with a
        // quarter of every bottom cell it touches (0.75 × 1 mm cells: four at the middle node,
        // 0.75 mm², two at each end, 0.375 mm²)
        let row: Vec<usize> = (0..model.mesh.n_nodes())
            .filter(|&a| model.mesh.node_ids[a] >= 1000)
            .filter(|&a| model.mesh.coords[a][2] == 1.0 && model.mesh.coords[a][1] == 1.0)
            .collect();
        assert_eq!(row.len(), 3);
        let mut pair = ContactPair::new("row", slave, master, 0.3);
        pair.slave_nodes = Some(row.clone());
        let (nodes, reports) = pair_nodes(&model, std::slice::from_ref(&pair)).expect("pairing");
        assert_eq!(reports[0].paired, 3);
        let mut paired: Vec<usize> = nodes.iter().map(|n| n.slave).collect();
        paired.sort_unstable();
        assert_eq!(paired, row);
        assert!((reports[0].paired_area - (0.75 + 2.0 * 0.375)).abs() < 1e-12);
        // a node of the upper block's top is on no slave face: named
        let top = (0..model.mesh.n_nodes())
            .find(|&a| model.mesh.node_ids[a] >= 1000 && model.mesh.coords[a][2] == 2.0)
            .expect("a top node");
        pair.slave_nodes = Some(vec![top]);
        let err = pair_nodes(&model, &[pair]).expect_err("a node off the slave faces");
        let message = err.to_string();
        assert!(
            message.contains(&model.mesh.node_ids[top].to_string())
                && message.contains("no exterior face"),
            "{message}"
        );
    }
}
