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
//! - z stations are shared by all bone blocks: `size_mm` over the flange span,
//!   `interface_size_mm` (default `size_mm`/2) across each docking face (± one wall
//!   thickness) and over each screw (± one radius),
//!   `far_factor` × `size_mm` elsewhere, with nodes exactly at the flare ends and the docking
//!   faces.
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
//! is a solid cylinder along x. By default it fills a hole drilled through flange, near
//! cortex and far cortex, meshed to conform ([`holes`]): it shares its nodes with the hole
//! walls (locked head, bonded thread) and touches nothing across the canal. The simplified
//! alternative embeds an O-grid cylinder from mid-flange to mid-far-cortex
//! ([`crate::embed`]) in the flange (priority: the screw is locked in it) or the bone its
//! nodes lie in; nodes in the empty canal stay free.
//!
//! # Numbering
//!
//! Bone elements come first, then the defect ring elements (bone in the intact model,
//! prosthesis in the implanted one) and the drilled screws' shafts in the cortices (bone in
//! the intact model, screw in the implanted one), then the prosthesis core, flange and
//! screws; bone, defect-ring and shaft nodes come first too. The intact reference model is the prefix of both
//! numberings, so bone integration points coincide one to one between the two models.

mod bone;
mod elements;
mod flange;
mod holes;
mod ogrid;
mod reconstruction;
mod screws;
mod stations;
mod surfaces;
mod validate;

use serde::{Deserialize, Serialize};

use osteon_assembly::{Equation, TieReport};
use osteon_mesh::{ElementType, Mesh, QualityReport};

use crate::error::BiomechError;
use crate::geometry::{TibiaGeometry, ellipse_perimeter};
use crate::spec::{DefectSpec, ImplantSpec, MeshSpec, ScrewModel};

use bone::{BoneBlocks, bone_blocks};
use elements::{Numbered, number_elements};
use flange::{flange_block, tie_flange};
use holes::HoleLayout;
use screws::{count_drilled, drilled_screws, screw_blocks};
use stations::bone_stations;
use surfaces::plane_surfaces;
use validate::{validate_flange, validate_mesh_spec, validate_screws};

pub use ogrid::ogrid_point;
pub use reconstruction::faces_area;
pub(crate) use screws::{
    ScrewBlocks, ScrewMesh, distance_to_segment, embed_screws, screw_cylinder,
};
pub use stations::defect_planes;

/// Node-merging tolerance (mm).
const MERGE_TOLERANCE: f64 = 1e-6;

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
    /// z where the axis enters the bone (mm).
    pub z_mm: f64,
    /// The head end of the axis, at the flange's mid-thickness (drilled: on its outer face)
    /// (mm).
    pub head_mm: [f64; 3],
    /// The tip of the axis, in the middle of the far cortex (drilled: on the far
    /// periosteum) (mm).
    pub tip_mm: [f64; 3],
    /// Where the axis enters the bone, on its periosteal surface (mm).
    pub bone_entry_mm: [f64; 3],
    /// Nodes of the screw.
    pub n_nodes: usize,
    /// Nodes embedded in the flange (drilled: shared with the flange's hole wall).
    pub embedded_in_flange: usize,
    /// Nodes embedded in bone (drilled: shared with the cortices' hole walls).
    pub embedded_in_bone: usize,
    /// Nodes in no host (in the canal), free (drilled: on no hole wall).
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
    /// Element length along z across the docking faces and over the screws (mm).
    #[serde(default)]
    pub interface_size_mm: f64,
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
    /// How the screws were built (`None`: no screws); a CT model's are embedded.
    pub screw_model: Option<ScrewModel>,
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
    /// CT-mapped Young's modulus (MPa) of each element of the intact model (elements
    /// `0..n_intact_elements`: the bone, then the defect elements as the bone they were),
    /// used instead of the cortical and cancellous materials (isotropic, ν
    /// [`crate::CT_BONE_POISSON`]); `None`: the homogeneous materials
    /// ([`crate::patient_ct`]).
    pub bone_moduli_mpa: Option<Vec<f64>>,
    /// The knee frame of the load data in the mesh's frame (identity but on a CT).
    pub knee_frame: crate::model::KneeFrame,
}

/// The resolved mesh layout the construction steps share.
struct Layout {
    /// Element type of every block.
    etype: ElementType,
    /// Element size near the implant (mm).
    h: f64,
    /// Element size far from it (mm).
    h_far: f64,
    /// Outer semi-axes at mid-defect (mm).
    dia: [f64; 2],
    /// Cells around the circumference (a multiple of 8).
    around: usize,
    /// Cells through the cortical wall.
    through_wall: usize,
    /// Distal and proximal docking planes (mm).
    defect_z: [f64; 2],
    /// z stations of the bone mesh (mm).
    stations: Vec<f64>,
    /// Drilled screw holes and the first z cell of each patch along the stations.
    holes: Option<(HoleLayout, Vec<usize>)>,
}

/// Build the reconstruction mesh: tibia, defect, prosthesis, flange, screws, with the tie and
/// embedding equations and the interface sets, and check every element's Jacobian.
pub fn build_reconstruction(
    geometry: &TibiaGeometry,
    defect: &DefectSpec,
    implant: &ImplantSpec,
    mesh_spec: &MeshSpec,
) -> Result<Reconstruction, BiomechError> {
    let (defect_z, flange_z) = validated_planes(geometry, defect, implant, mesh_spec)?;
    let flange = &implant.flange;
    let layout = Layout::new(geometry, implant, mesh_spec, defect_z, flange_z)?;

    // 1.–3. cortical ring (defect ring as prosthesis, drilled holes with the screw shafts in
    // them), cancellous cores, prosthesis core
    let BoneBlocks {
        mut protos,
        mut merger,
        n_intact_nodes,
        ring_elements,
        core_radial,
    } = bone_blocks(geometry, implant, &layout)?;

    // 5a. drilled screws: the shafts across the canal, merged with those in the cortices
    let drilled = match &layout.holes {
        Some((holes, _)) => Some(drilled_screws(
            geometry,
            implant,
            &layout,
            holes,
            &mut merger,
            &mut protos,
        )?),
        None => None,
    };
    let mut coords = merger.coords().to_vec();

    // 4. flange: thickness × arc × length, on the periosteal surface at +x (with the drilled
    // holes and the screws' locking heads)
    let flange_inner_nodes = match flange_z {
        Some(fz) => flange_block(
            geometry,
            flange,
            &layout,
            fz,
            &merger,
            &mut coords,
            &mut protos,
        )?,
        None => Vec::new(),
    };

    // 5b. embedded screws: O-grid cylinders along x, tip (medial, mid far cortex) → head
    // (mid-flange)
    let mut screws = match drilled {
        Some(s) => s,
        None => screw_blocks(geometry, implant, &layout, &mut coords, &mut protos)?,
    };

    // 6. number the elements: bone, defect ring, prosthesis core, flange, screws
    let Numbered {
        mut mesh,
        regions,
        n_bone_elements,
        n_intact_elements,
        quality,
    } = number_elements(&coords, &protos, ring_elements, layout.etype)?;

    // 7. faces on planes: plateau halves, distal end, docking faces (bone side)
    plane_surfaces(
        &mut mesh,
        &regions,
        geometry,
        &layout,
        n_bone_elements,
        n_intact_elements,
    )?;

    // 8. constraints: flange tie, screw embedding (or the drilled screws' counts)
    let constraints = constraints(
        &mut mesh,
        &regions,
        geometry,
        implant,
        &layout,
        flange_z.map(|fz| (fz, flange_inner_nodes.as_slice())),
        &mut screws,
        [n_bone_elements, n_intact_elements],
    )?;

    Ok(Reconstruction {
        mesh,
        regions,
        n_bone_elements,
        n_intact_elements,
        n_intact_nodes,
        equations: constraints.equations,
        tie: constraints.tie,
        screw_model: (!screws.placements.is_empty()).then_some(if layout.holes.is_some() {
            ScrewModel::Drilled
        } else {
            ScrewModel::Embedded
        }),
        screws: screws.placements,
        cells: layout.cells(core_radial, mesh_spec),
        z_stations: layout.stations,
        defect_z,
        flange_z,
        interfaces: constraints.interfaces,
        quality,
        geometry: Some(geometry.clone()),
        bone_z: [0.0, geometry.length_mm],
        diaphysis_z: [geometry.diaphysis_start(), geometry.diaphysis_end()],
        defect_bone_regions: vec![Region::Cortical; n_intact_elements - n_bone_elements],
        bone_moduli_mpa: None,
        knee_frame: crate::model::KneeFrame::IDENTITY,
    })
}

/// Per node of `mesh`: it belongs to one of the bone elements `0..n_bone_elements`.
pub(crate) fn bone_node_flags(mesh: &Mesh, n_bone_elements: usize) -> Vec<bool> {
    let mut bone = vec![false; mesh.n_nodes()];
    for e in 0..n_bone_elements {
        for &n in mesh.element(e).nodes {
            bone[n] = true;
        }
    }
    bone
}

/// Validate the flange and screw dimensions (also for a CT model's flange and screws).
pub(crate) fn validate_hardware(implant: &ImplantSpec) -> Result<(), BiomechError> {
    validate_flange(&implant.flange)?;
    validate_screws(implant)
}

/// Validate the geometry, the defect, the mesh spec, the flange and the screws; the docking
/// planes and the flange's z range (mm; `None` without a flange).
fn validated_planes(
    geometry: &TibiaGeometry,
    defect: &DefectSpec,
    implant: &ImplantSpec,
    mesh_spec: &MeshSpec,
) -> Result<([f64; 2], Option<[f64; 2]>), BiomechError> {
    geometry.validate()?;
    let defect_z = defect_planes(geometry, defect)?;
    validate_mesh_spec(mesh_spec)?;
    let flange = &implant.flange;
    validate_flange(flange)?;
    let flange_z = flange.enabled.then(|| {
        [
            (defect_z[0] - flange.overlap_mm).max(0.0),
            (defect_z[1] + flange.overlap_mm).min(geometry.length_mm),
        ]
    });
    validate_screws(implant)?;

    Ok((defect_z, flange_z))
}

impl Layout {
    /// The cell counts and sizes of the report.
    fn cells(&self, core_radial: usize, mesh_spec: &MeshSpec) -> CellCounts {
        CellCounts {
            around: self.around,
            through_wall: self.through_wall,
            core_radial,
            axial: self.stations.len() - 1,
            size_mm: [self.h, self.h_far],
            interface_size_mm: mesh_spec.interface_size(),
        }
    }

    /// Element type, sizes, cells around and through the wall, the drilled holes and the z
    /// stations of the bone mesh.
    fn new(
        geometry: &TibiaGeometry,
        implant: &ImplantSpec,
        mesh_spec: &MeshSpec,
        defect_z: [f64; 2],
        flange_z: Option<[f64; 2]>,
    ) -> Result<Layout, BiomechError> {
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

        let holes = match flange_z {
            Some(fz) => {
                let h_interface = mesh_spec.interface_size();
                let holes = HoleLayout::new(geometry, implant, defect_z, around, dia, h_interface)?;
                if let Some(holes) = &holes {
                    holes.validate(geometry, fz, defect_z, 0.5 * mesh_spec.interface_size())?;
                }
                holes
            }
            None => None,
        };
        let stations = bone_stations(
            geometry,
            implant,
            mesh_spec,
            defect_z,
            flange_z,
            holes.as_ref(),
        );
        let holes = match holes {
            Some(holes) => {
                let firsts = holes.first_cells(&stations)?;
                Some((holes, firsts))
            }
            None => None,
        };
        Ok(Layout {
            etype,
            h,
            h_far,
            dia,
            around,
            through_wall,
            defect_z,
            stations,
            holes,
        })
    }
}

/// The constraint equations and interfaces of step 8.
struct Constraints {
    equations: Vec<Equation>,
    tie: Option<TieReport>,
    interfaces: Vec<InterfaceSet>,
}

/// Step 8: the docking interfaces, the flange tie (when there is a flange) and the screw
/// embedding (when there are screws). `flange`: its z range and inner (bone-side) nodes;
/// `counts`: bone elements, intact elements.
#[allow(clippy::too_many_arguments)]
fn constraints(
    mesh: &mut Mesh,
    regions: &[Region],
    geometry: &TibiaGeometry,
    implant: &ImplantSpec,
    layout: &Layout,
    flange: Option<([f64; 2], &[usize])>,
    screws: &mut screws::ScrewBlocks,
    counts: [usize; 2],
) -> Result<Constraints, BiomechError> {
    let [n_bone_elements, n_intact_elements] = counts;
    let bone_node = bone_node_flags(mesh, n_bone_elements);
    let mut equations = Vec::new();
    let mut tie = None;
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
    if let Some((fz, flange_inner_nodes)) = flange {
        let t = tie_flange(
            mesh,
            geometry,
            layout,
            fz,
            n_intact_elements,
            flange_inner_nodes,
            &bone_node,
        )?;
        interfaces.push(t.interface);
        equations.extend(t.equations);
        tie = Some(t.report);
    }
    if layout.holes.is_some() {
        interfaces.push(count_drilled(
            mesh,
            regions,
            &mut screws.placements,
            &bone_node,
        ));
    } else if !screws.placements.is_empty() {
        let (eqs, holes) = embed_screws(mesh, &implant.screws, screws, &bone_node)?;
        equations.extend(eqs);
        interfaces.push(holes);
    }
    Ok(Constraints {
        equations,
        tie,
        interfaces,
    })
}

/// A coarse mesh for the unit tests.
#[cfg(test)]
fn coarse() -> MeshSpec {
    MeshSpec {
        size_mm: 6.0,
        far_factor: 2.0,
        ..MeshSpec::default()
    }
}
