//! The frictional bone–implant interface (DESIGN.md §5 micromotion), with `osteon-contact`.
//!
//! [`split_docking_interface`] turns the bonded reconstruction (bone and prosthesis sharing
//! nodes at the docking faces) into two bodies: every node shared by a bone element and a
//! prosthesis element is duplicated, the prosthesis elements get the copies (appended after
//! all existing nodes), the bone keeps the originals. The flange tie and the screw
//! embeddings stay as they are (a tie equation whose master face belongs to the prosthesis
//! is moved onto the copies), so the prosthesis is held by the flange and cannot move as a
//! rigid body: the contact pairs only add stiffness.
//!
//! Contact pairs (node-to-surface, small sliding): the prosthesis end faces are the
//! **slaves** (porous Ta, 1–15 GPa, is the softer side; the meshes are conforming, so
//! neither side is finer), the bone docking faces (`DISTAL_DOCKING`, `PROXIMAL_DOCKING`)
//! the **masters**; hard contact with the default penalty and augmentation, Coulomb
//! friction with the study's μ and stick stiffness k_T (a property of the interface,
//! [`crate::InterfaceModel::stick_stiffness`], so the elastic micromotion of a sticking
//! interface, τ/k_T, does not depend on the mesh), geometric initial gap (zero: the copies
//! coincide with the originals).
//!
//! [`solve_frictional`] solves every load case **from the unloaded state** (one
//! [`ContactProblem`] with one step per load case), so the slip of a case is the
//! micromotion relative to the unloaded state; the step solutions (stress recovered by the
//! contact solver) are those of the linear solver's type.

use osteon_assembly::{
    ElasticOperator, Equation, Event, Labelled, Model, Observer, PhaseTimings, SolveOptions,
    SolverChoice, StaticSolution, SystemStats,
};
use osteon_contact::{
    ContactError, ContactOptions, ContactPair, ContactProblem, FactorCache, Friction, InitialGap,
    Micromotion,
};
use osteon_mesh::{FaceRef, Mesh};

use crate::builder::{Reconstruction, Region};
use crate::error::BiomechError;

/// The reconstruction with separate nodes for the prosthesis at the docking faces, and the
/// contact pairs between the prosthesis end faces and the bone docking faces.
#[derive(Clone, Debug)]
pub struct FrictionalSplit {
    /// The reconstruction whose mesh has the duplicated nodes (elements, regions, sets and
    /// bone nodes unchanged; the intact reference must still be taken from the bonded one).
    pub reconstruction: Reconstruction,
    /// (bone node, prosthesis copy) for every duplicated node.
    pub copies: Vec<(usize, usize)>,
    /// "distal docking" and "proximal docking": prosthesis faces (slave) on bone faces
    /// (master); "flange–bone" after them when the flange is frictional.
    pub pairs: Vec<ContactPair>,
    /// The bonded share of the docking area as built (whole [`BONDED_PATCH_MM`] patches,
    /// so within about one patch of the fraction asked for); 0 when all frictional.
    pub bonded_area_fraction: f64,
}

fn faces_of(mesh: &Mesh, name: &str) -> Result<Vec<FaceRef>, BiomechError> {
    Ok(mesh.surface_faces(name)?.to_vec())
}

/// Duplicate the docking-face nodes of the prosthesis and build the contact pairs with
/// Coulomb friction `friction` (μ and stick stiffness k_T; see the module documentation).
///
/// Stages: check the friction → find the nodes shared by bone and prosthesis and number
/// their copies → the prosthesis end faces (slaves) → the split mesh → the constraints on
/// the copies → one contact pair per docking face.
pub fn split_docking_interface(
    rec: &Reconstruction,
    friction: Friction,
) -> Result<FrictionalSplit, BiomechError> {
    split_docking_interface_with_gap(rec, friction, 0.0)
}

/// [`split_docking_interface`] with an initial gap `gap_mm` (mm, ≥ 0) between every paired
/// prosthesis end-face node and the bone docking face: the pairs start with that clearance
/// ([`InitialGap::Clearance`]) whatever the (conforming) geometry, so the faces touch only
/// once the load has closed it.
pub fn split_docking_interface_with_gap(
    rec: &Reconstruction,
    friction: Friction,
    gap_mm: f64,
) -> Result<FrictionalSplit, BiomechError> {
    split_docking_interface_with(
        rec,
        friction,
        &SplitOptions {
            gap_mm,
            ..SplitOptions::default()
        },
    )
}

/// The interface states of [`split_docking_interface_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SplitOptions {
    /// Initial gap at the docking faces (mm, ≥ 0).
    pub gap_mm: f64,
    /// Bonded fraction of the docking area (0 ≤ f < 1).
    pub bonded_fraction: f64,
    /// The flange's bone side in frictional contact (same friction) instead of tied; its
    /// prosthesis side stays tied (the flange is printed with the prosthesis) and the
    /// embedded screws hold it to the bone.
    pub flange_frictional: bool,
}

/// [`split_docking_interface_with_gap`] with a fraction `bonded_fraction` (0 ≤ f < 1) of the
/// docking area grown in: docking nodes carrying that share of the prosthesis end-face area
/// stay shared by bone and prosthesis (bonded), the others are split and in frictional
/// contact. The bonded nodes come in [`BONDED_PATCH_MM`] patches scattered over both faces
/// (ordered by a hash of the patch index, so the choice is reproducible, independent of the
/// load and, patch by patch, of the mesh), as bone grows in over the whole face rather than
/// from one side; the seed reports 35 % ingrowth at 12 months (unverified). The
/// contact pairs are then node-based (the split nodes, each with its share of every end
/// face around it), and the micromotion is that of the frictional part.
pub fn split_docking_interface_with(
    rec: &Reconstruction,
    friction: Friction,
    options: &SplitOptions,
) -> Result<FrictionalSplit, BiomechError> {
    let SplitOptions {
        gap_mm,
        bonded_fraction,
        flange_frictional,
    } = *options;
    validate_friction(&friction)?;
    if !(gap_mm >= 0.0 && gap_mm.is_finite()) {
        return Err(BiomechError::invalid(
            "interface.initial_gap_mm",
            gap_mm,
            "a gap ≥ 0 mm",
        ));
    }
    if !(0.0..1.0).contains(&bonded_fraction) {
        return Err(BiomechError::invalid(
            "interface.bonded_fraction",
            bonded_fraction,
            "0 ≤ fraction < 1 (a fully bonded interface is model = \"bonded\")",
        ));
    }
    let sides = NodeSides::of(rec);
    let shared: Vec<bool> = (0..rec.mesh.n_nodes())
        .map(|a| sides.bone[a] && sides.implant[a])
        .collect();
    let (distal, proximal) = prosthesis_end_faces(rec, &shared)?;
    let (bonded, bonded_area_fraction) = bonded_nodes(
        rec,
        &shared,
        distal.iter().chain(&proximal),
        bonded_fraction,
    )?;
    let copies = sides.copies(&bonded);
    if copies.is_empty() {
        return Err(BiomechError::construction(
            "no node is shared by bone and prosthesis: nothing to split for the frictional interface",
        ));
    }
    let n = rec.mesh.n_nodes();
    let mut copy_of = vec![usize::MAX; n];
    for &(a, c) in &copies {
        copy_of[a] = c;
    }
    let split = split_mesh(rec, &copies, &copy_of)?;
    let (tied, flange_on_bone) = if flange_frictional {
        flange_bone_ties(rec, &sides)?
    } else {
        (rec.equations.clone(), Vec::new())
    };
    let equations = equations_on_copies(&tied, &sides, &copy_of);
    let node_based = bonded.iter().any(|&b| b);
    let pair = |name: &str, slaves: Vec<FaceRef>, masters: &str| {
        // with bonded nodes the contact points are the split nodes only (split numbering)
        let slave_nodes = node_based.then(|| {
            let mut nodes: Vec<usize> = slaves
                .iter()
                .filter_map(|&f| rec.mesh.face_nodes(f).ok())
                .flatten()
                .filter(|&a| copy_of[a] != usize::MAX)
                .map(|a| copy_of[a])
                .collect();
            nodes.sort_unstable();
            nodes.dedup();
            nodes
        });
        let mut p = ContactPair::new(name, slaves, faces_of(&rec.mesh, masters)?, friction.mu);
        p.slave_nodes = slave_nodes;
        p.interaction.friction = Some(friction);
        if gap_mm > 0.0 {
            p.initial_gap = InitialGap::Clearance(gap_mm);
        }
        Ok::<_, BiomechError>(p)
    };
    let mut pairs = vec![
        pair("distal docking", distal, "DISTAL_DOCKING")?,
        pair("proximal docking", proximal, "PROXIMAL_DOCKING")?,
    ];
    if flange_frictional {
        pairs.push(flange_pair(rec, &sides, flange_on_bone, friction)?);
    }
    let mut reconstruction = rec.clone();
    reconstruction.mesh = split;
    reconstruction.equations = equations;
    Ok(FrictionalSplit {
        reconstruction,
        copies,
        pairs,
        bonded_area_fraction,
    })
}

/// The name of the docking faces' aggregate in [`FrictionalSolution::micromotion`]: the
/// micromotion the study judges against the tissue thresholds.
pub const DOCKING_GROUP: &str = "docking faces";

/// True for the contact pairs between a prosthesis end face and a bone docking face
/// ("distal docking", "proximal docking"), false for the flange–bone pair.
pub fn is_docking_pair(name: &str) -> bool {
    name.ends_with("docking")
}

/// μ ≥ 0 and, when given, a stick stiffness k_T > 0 (MPa/mm).
fn validate_friction(friction: &Friction) -> Result<(), BiomechError> {
    let mu = friction.mu;
    if !(mu >= 0.0 && mu.is_finite()) {
        return Err(BiomechError::invalid(
            "interface.mu",
            mu,
            "a friction coefficient ≥ 0",
        ));
    }
    if let Some(k) = friction.stick_slope
        && !(k > 0.0 && k.is_finite())
    {
        return Err(BiomechError::invalid(
            "interface.stick_stiffness_mpa_per_mm",
            k,
            "a tangential stiffness > 0 (MPa/mm)",
        ));
    }
    Ok(())
}

/// Per node: it belongs to a bone element, to a prosthesis element.
struct NodeSides {
    bone: Vec<bool>,
    implant: Vec<bool>,
}

impl NodeSides {
    fn of(rec: &Reconstruction) -> Self {
        let mesh = &rec.mesh;
        let n = mesh.n_nodes();
        let mut bone = vec![false; n];
        let mut implant = vec![false; n];
        for (e, r) in rec.regions.iter().enumerate() {
            let flags = if r.is_bone() {
                &mut bone
            } else if *r == Region::Implant {
                &mut implant
            } else {
                continue;
            };
            for &a in mesh.element(e).nodes {
                flags[a] = true;
            }
        }
        Self { bone, implant }
    }

    /// (original, copy) for every node on both sides that is not `bonded`, the copies
    /// numbered after the mesh's `n` nodes in the originals' order.
    fn copies(&self, bonded: &[bool]) -> Vec<(usize, usize)> {
        let n = self.bone.len();
        (0..n)
            .filter(|&a| self.bone[a] && self.implant[a] && !bonded[a])
            .enumerate()
            .map(|(k, a)| (a, n + k))
            .collect()
    }
}

/// The tie equations without those of the flange's inner nodes (FLANGE_INNER) tied to bone
/// faces (every master term a bone node), and those flange nodes. Screw embeddings and the
/// flange's tie to the prosthesis stay.
fn flange_bone_ties(
    rec: &Reconstruction,
    sides: &NodeSides,
) -> Result<(Vec<Equation>, Vec<usize>), BiomechError> {
    let mut inner = vec![false; rec.mesh.n_nodes()];
    for &a in rec.mesh.node_set("FLANGE_INNER")? {
        inner[a] = true;
    }
    let mut kept = Vec::with_capacity(rec.equations.len());
    let mut nodes = Vec::new();
    for eq in &rec.equations {
        let on_bone = eq.terms.len() > 1
            && inner[eq.terms[0].0]
            && eq.terms[1..].iter().all(|t| sides.bone[t.0]);
        if on_bone {
            nodes.push(eq.terms[0].0);
        } else {
            kept.push(eq.clone());
        }
    }
    nodes.sort_unstable();
    nodes.dedup();
    Ok((kept, nodes))
}

/// The flange–bone contact pair: the flange nodes that were tied to bone (slave, node-based,
/// with their share of the flange's inner faces) on the bone's periosteal faces under the
/// flange (every node in FLANGE_BONE).
fn flange_pair(
    rec: &Reconstruction,
    sides: &NodeSides,
    slave_nodes: Vec<usize>,
    friction: Friction,
) -> Result<ContactPair, BiomechError> {
    let mesh = &rec.mesh;
    let inner: std::collections::HashSet<usize> =
        mesh.node_set("FLANGE_INNER")?.iter().copied().collect();
    let bone_side: std::collections::HashSet<usize> =
        mesh.node_set("FLANGE_BONE")?.iter().copied().collect();
    let slave_faces = element_faces_where(rec, |r| r == Region::Flange, |a| inner.contains(&a));
    // on a CT's voxel staircase (no parametric geometry) only the bone faces that face the
    // flange (within 75° of its mean inward normal) are masters: the risers between steps
    // are left out, so that every contact normal is a surface normal of the bone, not a
    // step of the voxelisation; the parametric tibia's periosteal faces are all kept
    let facing = mean_unit_normal(mesh, &slave_faces).map_or([0.0; 3], |v| v.map(|c| -c));
    let staircase = rec.geometry.is_none();
    let master_faces: Vec<FaceRef> = element_faces_where(
        rec,
        |r| r.is_bone(),
        |a| bone_side.contains(&a) && sides.bone[a],
    )
    .into_iter()
    .filter(|&f| {
        let n = mean_unit_normal(mesh, &[f]).unwrap_or([0.0; 3]);
        !staircase || (0..3).map(|i| n[i] * facing[i]).sum::<f64>() > FACING_COSINE
    })
    .collect();
    if slave_nodes.is_empty() || slave_faces.is_empty() || master_faces.is_empty() {
        return Err(BiomechError::construction(format!(
            "the flange–bone interface is empty ({} flange nodes, {} flange faces, {} bone faces)",
            slave_nodes.len(),
            slave_faces.len(),
            master_faces.len()
        )));
    }
    let mut p = ContactPair::new("flange–bone", slave_faces, master_faces, friction.mu);
    p.slave_nodes = Some(slave_nodes);
    p.interaction.friction = Some(friction);
    Ok(p)
}

/// Cosine of the largest angle (75°) between a bone face's outward normal and the flange's
/// mean inward normal for the face to be a master of the flange–bone contact on a CT.
const FACING_COSINE: f64 = 0.26;

/// The area-weighted mean outward unit normal of element faces (at their centres).
fn mean_unit_normal(mesh: &Mesh, faces: &[FaceRef]) -> Option<[f64; 3]> {
    let mut sum = [0.0; 3];
    for &f in faces {
        let el = mesh.element(f.element);
        let x = mesh.element_coords(f.element);
        let (_, a) = osteon_mesh::geometry::outward_area_vector(
            el.etype,
            f.face as usize,
            &x[..el.etype.n_nodes()],
            [0.0, 0.0],
        )?;
        for i in 0..3 {
            sum[i] += a[i];
        }
    }
    let n = (sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]).sqrt();
    (n > 0.0).then(|| sum.map(|v| v / n))
}

/// Edge length (mm) of the square patches in which the docking faces grow in
/// ([`SplitOptions::bonded_fraction`]): whole patches bond, so the bonded pattern is set in
/// millimetres, not by the mesh, and it converges under refinement. 5 mm is an engineering
/// choice, not a measured patch size: larger than the default study's 3 mm elements, so a
/// patch holds several docking nodes, and small against the ~25 mm docking face, so a
/// fraction is met to within about one patch (a few % of the docking area). On meshes
/// coarser than the patch, each patch holds one node or none and the pattern is the mesh's.
pub const BONDED_PATCH_MM: f64 = 5.0;

/// The docking nodes to keep bonded: the nodes of whole [`BONDED_PATCH_MM`] patches (a
/// square grid in x, y, one grid per docking face, told apart by z), taken in the order of a
/// hash of the patch index until they carry `fraction` of the tributary area of the end
/// `faces`; with the share of the area they carry.
fn bonded_nodes<'a>(
    rec: &Reconstruction,
    shared: &[bool],
    faces: impl Iterator<Item = &'a FaceRef>,
    fraction: f64,
) -> Result<(Vec<bool>, f64), BiomechError> {
    let mesh = &rec.mesh;
    let mut bonded = vec![false; mesh.n_nodes()];
    if fraction <= 0.0 {
        return Ok((bonded, 0.0));
    }
    let mut area = vec![0.0; mesh.n_nodes()];
    for &f in faces {
        let nodes = mesh.face_nodes(f)?;
        let a = crate::builder::faces_area(mesh, &[f]);
        for &node in &nodes {
            area[node] += a / nodes.len() as f64;
        }
    }
    let total: f64 = area.iter().sum();
    // the patch of each docking node: (ix, iy, face), face = above or below the defect's middle
    let z_mid = 0.5 * (rec.defect_z[0] + rec.defect_z[1]);
    let patch_of = |a: usize| {
        let x = mesh.coords[a];
        let cell = |v: f64| (v / BONDED_PATCH_MM).floor() as i64;
        (cell(x[0]), cell(x[1]), i64::from(x[2] > z_mid))
    };
    let mut patches: std::collections::BTreeMap<(i64, i64, i64), (f64, Vec<usize>)> =
        std::collections::BTreeMap::new();
    for a in (0..mesh.n_nodes()).filter(|&a| shared[a] && area[a] > 0.0) {
        let e = patches.entry(patch_of(a)).or_default();
        e.0 += area[a];
        e.1.push(a);
    }
    // SplitMix64 of the patch index: a fixed, well-mixed order, the same at every mesh size
    let mix = |(i, j, f): (i64, i64, i64)| {
        let id = (i as u64)
            .wrapping_mul(0x0001_0000_0001)
            .wrapping_add((j as u64).wrapping_mul(0x9E37))
            .wrapping_add(f as u64);
        let mut z = id.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<_> = patches.into_iter().collect();
    order.sort_by_key(|(key, _)| mix(*key));
    let mut covered = 0.0;
    for (_, (patch_area, nodes)) in order {
        // the patch that brings the covered area closest to the target is the last one
        if covered + 0.5 * patch_area > fraction * total {
            break;
        }
        covered += patch_area;
        for a in nodes {
            bonded[a] = true;
        }
    }
    Ok((bonded, if total > 0.0 { covered / total } else { 0.0 }))
}

/// The faces of the elements of the regions `region` accepts whose nodes `on` all accepts.
fn element_faces_where(
    rec: &Reconstruction,
    region: impl Fn(Region) -> bool,
    on: impl Fn(usize) -> bool,
) -> Vec<FaceRef> {
    let mesh = &rec.mesh;
    let mut out = Vec::new();
    for (e, r) in rec.regions.iter().enumerate() {
        if !region(*r) {
            continue;
        }
        for f in 0u8.. {
            let face = FaceRef {
                element: e,
                face: f,
            };
            let Ok(nodes) = mesh.face_nodes(face) else {
                break;
            };
            if nodes.iter().all(|&a| on(a)) {
                out.push(face);
            }
        }
    }
    out
}

/// Prosthesis faces whose nodes are all shared with bone (original numbering), split at the
/// defect's mid-plane into (distal, proximal); both must exist.
fn prosthesis_end_faces(
    rec: &Reconstruction,
    shared: &[bool],
) -> Result<(Vec<FaceRef>, Vec<FaceRef>), BiomechError> {
    let mesh = &rec.mesh;
    let mid = 0.5 * (rec.defect_z[0] + rec.defect_z[1]);
    let (distal, proximal): (Vec<FaceRef>, Vec<FaceRef>) =
        element_faces_where(rec, |r| r == Region::Implant, |a| shared[a])
            .into_iter()
            .partition(|&face| {
                let nodes = mesh.face_nodes(face).unwrap_or_default();
                let z = nodes.iter().map(|&a| mesh.coords[a][2]).sum::<f64>()
                    / nodes.len().max(1) as f64;
                z < mid
            });
    if distal.is_empty() || proximal.is_empty() {
        return Err(BiomechError::construction(format!(
            "prosthesis end faces not found on both docking faces ({} distal, {} proximal)",
            distal.len(),
            proximal.len()
        )));
    }
    Ok((distal, proximal))
}

/// The split mesh: the same nodes, then the copies (new ids after the largest); the same
/// elements and sets, the prosthesis elements on the copies.
fn split_mesh(
    rec: &Reconstruction,
    copies: &[(usize, usize)],
    copy_of: &[usize],
) -> Result<Mesh, BiomechError> {
    let mesh = &rec.mesh;
    let next_id = mesh.node_ids.iter().copied().max().unwrap_or(0) + 1;
    let mut split = Mesh::new();
    for a in 0..mesh.n_nodes() {
        split.add_node(mesh.node_ids[a], mesh.coords[a])?;
    }
    for (k, &(a, _)) in copies.iter().enumerate() {
        split.add_node(next_id + k as i64, mesh.coords[a])?;
    }
    for e in 0..mesh.n_elements() {
        let el = mesh.element(e);
        let nodes: Vec<usize> = if rec.regions[e] == Region::Implant {
            el.nodes.iter().map(|&a| copied(copy_of, a)).collect()
        } else {
            el.nodes.to_vec()
        };
        split.push_element(el.etype, el.id, &nodes)?;
    }
    split.node_sets = mesh.node_sets.clone();
    split.element_sets = mesh.element_sets.clone();
    split.surfaces = mesh.surfaces.clone();
    Ok(split)
}

/// The copy of node `a` when it has one, else `a`.
fn copied(copy_of: &[usize], a: usize) -> usize {
    if copy_of[a] != usize::MAX {
        copy_of[a]
    } else {
        a
    }
}

/// Constraints of the split mesh: an equation on a prosthesis face (it names a
/// prosthesis-only node) moves onto the copies; the others (bone faces, screw embeddings)
/// keep the bone nodes.
fn equations_on_copies(
    equations: &[Equation],
    sides: &NodeSides,
    copy_of: &[usize],
) -> Vec<Equation> {
    equations
        .iter()
        .map(|eq| {
            if eq
                .terms
                .iter()
                .any(|t| sides.implant[t.0] && !sides.bone[t.0])
            {
                Equation {
                    terms: eq
                        .terms
                        .iter()
                        .map(|&(a, c, w)| (copied(copy_of, a), c, w))
                        .collect(),
                }
            } else {
                eq.clone()
            }
        })
        .collect()
}

/// The frictional solution of a study: per load case the linear-static-like case solution
/// (displacement, reactions, recovered fields) and the interface samples.
pub struct FrictionalSolution {
    /// Case solutions in the form of the linear solver's (for the metrics and VTU output).
    pub solution: StaticSolution,
    /// Per load case: the micromotion relative to the unloaded state
    /// ([`Micromotion::between`], the definition `osteon solve` uses too), with
    /// [`Micromotion::all`] over the docking pairs only ([`DOCKING_GROUP`]); a frictional
    /// flange's pair is reported in [`Micromotion::interfaces`] beside them.
    pub micromotion: Vec<Micromotion>,
    /// Per load case: increments, Newton solves, nodes (in contact, stick, slip).
    pub summary: Vec<ContactCaseSummary>,
    /// How the Newton matrices were factorised (all cases together).
    pub interface: InterfaceSolverSummary,
}

/// How the Newton matrices of a frictional study were factorised: full sparse factorisations
/// or dense updates of the Schur complement on the contact unknowns
/// ([`osteon_contact::TangentFactorisation`]).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InterfaceSolverSummary {
    /// Contact unknowns eliminated last and updated (0: every Newton matrix factorised in
    /// full).
    pub contact_unknowns: usize,
    /// Newton matrices factorised, all load cases together.
    pub factorisations: usize,
    /// Of those, interface updates; the others were full sparse factorisations.
    pub interface_updates: usize,
    /// Of the interface updates, the low-rank ones (the others factorised the dense Schur
    /// complement).
    #[serde(default)]
    pub low_rank_updates: usize,
    /// Seconds of the full factorisations (with forming the reference Schur complement).
    #[serde(default)]
    pub full_factorisation_s: f64,
    /// Seconds of the interface updates (with forming the terms' projections, or the inverse
    /// of the reference Schur complement, for the low-rank ones).
    #[serde(default)]
    pub interface_update_s: f64,
    /// Newton solves, all load cases together.
    #[serde(default)]
    pub solves: usize,
    /// Of those, the solves on the contact unknowns alone (the interior substituted at the
    /// end of each Newton run).
    #[serde(default)]
    pub condensed_solves: usize,
}

/// What the contact analysis of one load case did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContactCaseSummary {
    /// Load case name.
    pub case: String,
    /// Converged increments.
    pub increments: usize,
    /// Newton solves (linear systems).
    pub solves: usize,
    /// Paired slave nodes.
    pub slave_nodes: usize,
    /// Slave nodes in contact, sticking, slipping at the end.
    pub contact_stick_slip: [usize; 3],
    /// Wall-clock seconds of the case's load increments (the set-up and symbolic analysis,
    /// shared by all cases, are not included).
    pub seconds: f64,
    /// The same counts per interface: the docking faces, then each other pair (the flange);
    /// empty in reports written before it existed.
    #[serde(default)]
    pub interfaces: Vec<InterfaceNodeCounts>,
    /// A case whose loads are a positive multiple of an earlier case's, scaled from its
    /// solution instead of solved (see [`proportional_cases`]): that case's name and the
    /// factor; `None` for a case solved by its own Newton iterations.
    #[serde(default)]
    pub scaled_from: Option<(String, f64)>,
}

/// Slave nodes of one interface and their state at the end of a case.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InterfaceNodeCounts {
    /// "docking faces" or the pair's name ("flange–bone").
    pub interface: String,
    /// Paired slave nodes.
    pub slave_nodes: usize,
    /// Slave nodes in contact, sticking, slipping.
    pub contact_stick_slip: [usize; 3],
}

impl InterfaceNodeCounts {
    /// The counts of `pairs`, the docking pairs as one interface.
    fn of(pairs: &[osteon_assembly::contact::PairResult]) -> Vec<Self> {
        let mut out: Vec<Self> = Vec::new();
        for p in pairs {
            let name = if is_docking_pair(&p.name) {
                "docking faces"
            } else {
                p.name.as_str()
            };
            let (c, st, sl) = p.counts();
            match out.iter_mut().find(|g| g.interface == name) {
                Some(g) => {
                    g.slave_nodes += p.nodes.len();
                    g.contact_stick_slip = [
                        g.contact_stick_slip[0] + c,
                        g.contact_stick_slip[1] + st,
                        g.contact_stick_slip[2] + sl,
                    ];
                }
                None => out.push(Self {
                    interface: name.to_string(),
                    slave_nodes: p.nodes.len(),
                    contact_stick_slip: [c, st, sl],
                }),
            }
        }
        out
    }

    /// "docking faces 512 (contact 474, stick 458, slip 16)".
    fn describe(groups: &[Self]) -> String {
        groups
            .iter()
            .map(|g| {
                format!(
                    "{} {} (contact {}, stick {}, slip {})",
                    g.interface,
                    g.slave_nodes,
                    g.contact_stick_slip[0],
                    g.contact_stick_slip[1],
                    g.contact_stick_slip[2]
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn contact_error(e: ContactError) -> BiomechError {
    match e {
        ContactError::Assembly(a) => BiomechError::Assembly(a),
        ContactError::Mesh(m) => BiomechError::Mesh(m),
        other => BiomechError::Contact(other),
    }
}

/// Largest initial gap (mm) of a contact node for which a frictional analysis counts as
/// gapless, hence positively homogeneous in its load (the default study's docking faces and
/// flange: 6e-14 mm at most, round-off of coincident nodes).
pub const HOMOGENEOUS_GAP_MM: f64 = 1e-9;

/// For each load case of `model`, an earlier case of which it is a positive multiple, with
/// the factor λ; `None` for a case that must be solved.
///
/// A frictional contact problem solved from the unloaded state in small strain, with no
/// initial gap, is positively homogeneous of degree one in its loads: if u solves it under
/// loads f, then λu solves it under λf for λ > 0 — the elastic response is linear, the
/// normal law and Coulomb's bound |t| ≤ μp scale alike, the stick law is linear in the slip,
/// and the contact statuses do not change. So a case with the same supports (none
/// prescribing a displacement) and loads λ times an earlier case's (to 1e-12 relative, the
/// coupled support's share included) needs no Newton iterations of its own. The caller
/// checks that no contact node starts with a gap ([`HOMOGENEOUS_GAP_MM`]).
pub fn proportional_cases(model: &Model) -> Result<Vec<Option<(usize, f64)>>, BiomechError> {
    let op = ElasticOperator::new(model)?;
    let mut solved: Vec<(usize, Vec<osteon_assembly::DirichletBc>, Vec<f64>)> = Vec::new();
    let mut out = Vec::with_capacity(model.load_cases.len());
    for (k, case) in model.load_cases.iter().enumerate() {
        let boundary = model.boundary_of(case);
        let f = op.case_loads(case)?.total();
        let norm = f.iter().map(|v| v * v).sum::<f64>().sqrt();
        let base = if norm > 0.0 && boundary.iter().all(|b| b.value == 0.0) {
            solved.iter().find_map(|(j, b, g)| {
                let gg: f64 = g.iter().map(|v| v * v).sum();
                if *b != boundary || gg == 0.0 {
                    return None;
                }
                let lambda = f.iter().zip(g).map(|(a, b)| a * b).sum::<f64>() / gg;
                let misfit = f
                    .iter()
                    .zip(g)
                    .map(|(a, b)| (a - lambda * b).powi(2))
                    .sum::<f64>()
                    .sqrt();
                (lambda > 0.0 && misfit <= 1e-12 * norm).then_some((*j, lambda))
            })
        } else {
            None
        };
        if base.is_none() {
            solved.push((k, boundary, f));
        }
        out.push(base);
    }
    Ok(out)
}

/// Solve every load case of `model` (the split implanted model, with the contact pairs of
/// [`split_docking_interface`] in [`Model::contact_pairs`]), each from the unloaded state
/// with a fresh contact history, in one contact analysis
/// ([`ContactOptions::steps_from_unloaded`]): the cases share the set-up, the symbolic
/// analysis and the factorisation of the bone and implant interiors, and their Newton
/// iterations update the Schur complement on the contact unknowns only
/// ([`osteon_contact::TangentFactorisation`]). The step solutions are the contact solver's
/// (recovered stress included).
///
/// `options` give the threads and the linear solver: osteon's Cholesky (whatever its
/// ordering or [`SolverChoice::ConjugateGradient`] ask — the Newton matrices are always
/// factorised) or an [`SolverChoice::External`] solver for every Newton matrix.
pub fn solve_frictional(
    model: &Model,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<FrictionalSolution, BiomechError> {
    solve_frictional_cached(model, options, observer, &mut FactorCache::new())
}

/// [`solve_frictional`] with a [`FactorCache`] kept across analyses of the same model (see
/// [`osteon_contact::solve_contact_cached`]).
pub fn solve_frictional_cached(
    model: &Model,
    options: &SolveOptions,
    observer: &mut dyn Observer,
    cache: &mut FactorCache,
) -> Result<FrictionalSolution, BiomechError> {
    solve_frictional_steps(model, options, observer, cache, true)
}

/// [`solve_frictional_cached`] with the load cases applied one after another, each from the
/// end of the previous one with its contact history (a load path: e.g. an axial preload,
/// then the preload with a torque); each case's load is the total load at its end. The
/// micromotion of each case is still measured from the unloaded state.
pub fn solve_frictional_in_sequence_cached(
    model: &Model,
    options: &SolveOptions,
    observer: &mut dyn Observer,
    cache: &mut FactorCache,
) -> Result<FrictionalSolution, BiomechError> {
    solve_frictional_steps(model, options, observer, cache, false)
}

fn solve_frictional_steps(
    model: &Model,
    options: &SolveOptions,
    observer: &mut dyn Observer,
    cache: &mut FactorCache,
    steps_from_unloaded: bool,
) -> Result<FrictionalSolution, BiomechError> {
    let external_solver = match &options.solver {
        SolverChoice::External(e) => Some(e.clone()),
        SolverChoice::Cholesky(_) | SolverChoice::ConjugateGradient { .. } => None,
    };
    // a case that is a positive multiple of an earlier one is scaled from its solution, once
    // the solved cases show that no contact node starts with a gap
    let bases = if steps_from_unloaded {
        proportional_cases(model)?
    } else {
        vec![None; model.load_cases.len()]
    };
    // the load cases without a base (`scaled` false) or with one (true)
    let cases_where = |bases: &[Option<(usize, f64)>], scaled: bool| -> Vec<_> {
        model
            .load_cases
            .iter()
            .zip(bases)
            .filter(|(_, b)| b.is_some() == scaled)
            .map(|(c, _)| c.clone())
            .collect()
    };
    let problem = ContactProblem {
        model,
        steps: cases_where(&bases, false),
        options: ContactOptions {
            threads: options.threads,
            steps_from_unloaded,
            external_solver,
            ..ContactOptions::default()
        },
    };
    // the contact solver names the step (the load case) in its phase details
    let mut labelled = Labelled {
        label: "implanted",
        inner: observer,
    };
    let mut sol = osteon_contact::solve_contact_cached(&problem, &mut labelled, cache)
        .map_err(contact_error)?;
    let gapless = sol.steps.iter().all(|step| {
        step.contact.as_ref().is_some_and(|c| {
            c.pairs
                .iter()
                .flat_map(|p| &p.nodes)
                .all(|n| n.initial_gap.abs() <= HOMOGENEOUS_GAP_MM)
        })
    });
    let bases = if gapless || bases.iter().all(Option::is_none) {
        bases
    } else {
        // a gap makes the problem inhomogeneous: solve the remaining cases too
        let rest = ContactProblem {
            steps: cases_where(&bases, true),
            ..problem
        };
        let more = osteon_contact::solve_contact_cached(&rest, &mut labelled, cache)
            .map_err(contact_error)?;
        let (mut solved, mut others) = (sol.steps.into_iter(), more.steps.into_iter());
        sol.steps = bases
            .iter()
            .filter_map(|b| match b {
                None => solved.next(),
                Some(_) => others.next(),
            })
            .collect();
        vec![None; model.load_cases.len()]
    };
    // every case's step: its own, or its base case's scaled
    let mut own = sol.steps.into_iter();
    let mut steps: Vec<osteon_assembly::StepSolution> = Vec::with_capacity(bases.len());
    for (case, base) in model.load_cases.iter().zip(&bases) {
        let step = match base {
            None => own.next().ok_or_else(|| {
                BiomechError::construction(
                    "the contact analysis returned fewer steps than load cases",
                )
            })?,
            Some((j, factor)) => steps[*j].scaled(&case.name, *factor),
        };
        steps.push(step);
    }
    let ct = sol.timings.phases();
    let timings = PhaseTimings {
        setup: ct.setup,
        analyse: ct.analyse,
        factorise: ct.factorise,
        solve: ct.solve,
        recover: ct.recover,
        ..PhaseTimings::default()
    };
    let stats = SystemStats {
        n_free: sol.n_unknowns,
        ..SystemStats::default()
    };
    let interface = InterfaceSolverSummary {
        contact_unknowns: sol.timings.interface_unknowns,
        factorisations: sol.timings.factorisations,
        interface_updates: sol.timings.interface_updates,
        low_rank_updates: sol.timings.interface_low_rank_updates,
        full_factorisation_s: sol.timings.factorise - sol.timings.interface_update_seconds,
        interface_update_s: sol.timings.interface_update_seconds,
        solves: sol.timings.solves,
        condensed_solves: sol.timings.condensed_solves,
    };
    let mut cases = Vec::new();
    let mut micromotion = Vec::new();
    let mut summary = Vec::new();
    for (k, (step, case)) in steps.into_iter().zip(&model.load_cases).enumerate() {
        let state = step.contact.as_ref().ok_or_else(|| {
            BiomechError::construction("the contact analysis returned no contact state")
        })?;
        let mut motion = Micromotion::between_grouped(
            &model.mesh,
            &model.contact_pairs,
            std::slice::from_ref(&step),
            0,
            None,
            DOCKING_GROUP,
            &is_docking_pair,
        )?
        .ok_or_else(|| BiomechError::construction("the contact step has no contact state"))?;
        motion.step = k; // measured from the unloaded state: name it by the study's case
        let (c, st, sl) = state.counts();
        let s = ContactCaseSummary {
            case: case.name.clone(),
            increments: step.diagnostics.increments,
            solves: step.diagnostics.newton_iterations,
            slave_nodes: state.pairs.iter().map(|p| p.nodes.len()).sum(),
            contact_stick_slip: [c, st, sl],
            seconds: state.increments.iter().map(|l| l.seconds).sum(),
            interfaces: InterfaceNodeCounts::of(&state.pairs),
            scaled_from: bases[k].map(|(j, f)| (model.load_cases[j].name.clone(), f)),
        };
        let how = match &s.scaled_from {
            Some((base, f)) => format!("{f:.4} × the solution of \"{base}\""),
            None => format!(
                "{} increments, {} Newton solves, {:.1} s",
                s.increments, s.solves, s.seconds
            ),
        };
        observer.notify(&Event::Stage(&format!(
            "  {}: {how}; {} interface nodes: {}",
            s.case,
            s.slave_nodes,
            InterfaceNodeCounts::describe(&s.interfaces),
        )));
        summary.push(s);
        micromotion.push(motion);
        cases.push(step);
    }
    if cases.len() != model.load_cases.len() {
        return Err(BiomechError::construction(
            "the contact analysis returned fewer steps than load cases",
        ));
    }
    Ok(FrictionalSolution {
        solution: StaticSolution {
            cases,
            timings,
            stats,
        },
        micromotion,
        summary,
        interface,
    })
}
