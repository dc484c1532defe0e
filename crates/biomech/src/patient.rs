//! An imported patient mesh in place of the parametric tibia.
//!
//! The study file names a mesh with `[patient_mesh]`:
//!
//! ```toml
//! [patient_mesh]
//! path = "tibia.inp"                  # or "tibia.msh"; relative to the study file
//! # the set names below are the defaults; matching ignores case
//! cortical_set = "CORTICAL"           # element set, required
//! cancellous_set = "CANCELLOUS"       # element set; may be absent when every element is cortical
//! marrow_set = "MARROW"               # element set counted as cancellous when present (osteon ct decks)
//! # lps_lateral = "+x"                # an osteon ct deck (LPS frame): lateral side "+x" (left tibia) or "-x"
//! distal_fixation_set = "DISTAL_END"  # node set (or surface) fixed in x, y, z; not needed with loads.distal_fixation_mm > 0
//! plateau_medial_surface = "PLATEAU_MEDIAL"    # element-face surface, loaded with the medial share
//! plateau_lateral_surface = "PLATEAU_LATERAL"  # element-face surface, loaded with the rest
//! # diaphysis_mm = [50.0, 290.0]     # z range of the shaft; default: the surrogate's proportions
//! ```
//!
//! **Required sets** (names configurable as above):
//!
//! | set | kind | used for |
//! |---|---|---|
//! | `CORTICAL` | element set | cortical bone (E 17000 MPa) |
//! | `CANCELLOUS` | element set | cancellous bone (E 400 MPa); may be missing only if `CORTICAL` holds every element |
//! | `DISTAL_END` | node set (or surface) | the distal fixation, unless `loads.distal_fixation_mm > 0` (then every bone node with z ≤ that value is fixed) |
//! | `PLATEAU_MEDIAL`, `PLATEAU_LATERAL` | element-face surfaces | the plateau load: uniform pressure, `medial_share` of the axial force on the medial surface |
//!
//! Every element must be in exactly one of the two bone sets. In an `.inp` the sets are
//! `*ELSET`, `*NSET` and `*SURFACE, TYPE=ELEMENT`; in a `.msh` they are physical groups (3-D
//! groups become element sets, 2-D groups face surfaces, every group a node set). An `.inp`
//! is read as a mesh only (`osteon_io::inp::read_inp_mesh`): materials and sections in it are
//! not needed (the study assigns its own by set). The mesh must be in mm
//! with z along the tibial axis (+z proximal) and +x lateral, like the parametric tibia.
//!
//! **Defect**: `defect.length_mm` and `defect.center_mm` (default: the middle of the bone's z
//! extent) give a z range; every bone element whose centroid lies in it becomes the porous-Ta
//! prosthesis, bonded to the bone through the shared nodes of the faces between them (the
//! docking interfaces, found by matching faces). **Limitations**: the lateral flange, the
//! screws and `implant.fill_canal` are built on the parametric tibia only — a patient-mesh
//! study must disable them (`implant.flange.enabled = false`, `implant.screws.enabled =
//! false`), otherwise it stops with a clear error.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use osteon_mesh::{FaceRef, Mesh, Surface, check_jacobians, face_corner_key};

use crate::builder::{CellCounts, InterfaceSet, Reconstruction, Region};
use crate::error::BiomechError;
use crate::spec::{DefectSpec, ImplantSpec, LoadSpec};

/// Proportions of the surrogate's metaphyses (biomechanics.md §2: 50 mm distal and 70 mm
/// proximal flares on 360 mm), used for the default shaft range of a patient mesh.
const DISTAL_METAPHYSIS_FRACTION: f64 = 50.0 / 360.0;
const PROXIMAL_METAPHYSIS_FRACTION: f64 = 70.0 / 360.0;

/// The imported mesh and the names of its bone sets (see the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PatientMeshSpec {
    /// The mesh file, `.inp` or `.msh`; relative paths are relative to the study file.
    pub path: PathBuf,
    /// Element set of cortical bone; "CORTICAL".
    pub cortical_set: String,
    /// Element set of cancellous bone; "CANCELLOUS" (may be absent from the mesh when every
    /// element is cortical).
    pub cancellous_set: String,
    /// Node set (or surface) fixed at the distal end; "DISTAL_END".
    pub distal_fixation_set: String,
    /// Element-face surface of the medial plateau; "PLATEAU_MEDIAL".
    pub plateau_medial_surface: String,
    /// Element-face surface of the lateral plateau; "PLATEAU_LATERAL".
    pub plateau_lateral_surface: String,
    /// Element set of marrow, counted as cancellous bone when the mesh has it (the decks of
    /// `osteon ct` mesh the canal); "MARROW".
    pub marrow_set: String,
    /// The mesh is in the DICOM patient frame LPS (an `osteon ct` deck) with the lateral
    /// side towards "+x" (a left tibia) or "-x" (a right one): the knee loads are mapped
    /// into it ([`crate::KneeFrame::lps`]); `None`: the mesh is in the knee frame (+x
    /// lateral, +y anterior, +z proximal).
    pub lps_lateral: Option<String>,
    /// z range of the diaphysis (mm) for the shielding zones; `None`: the bone's z extent
    /// less the surrogate's metaphysis proportions (50/360 distal, 70/360 proximal).
    pub diaphysis_mm: Option<[f64; 2]>,
}

impl Default for PatientMeshSpec {
    fn default() -> Self {
        Self {
            path: PathBuf::new(),
            cortical_set: "CORTICAL".into(),
            cancellous_set: "CANCELLOUS".into(),
            distal_fixation_set: "DISTAL_END".into(),
            plateau_medial_surface: "PLATEAU_MEDIAL".into(),
            plateau_lateral_surface: "PLATEAU_LATERAL".into(),
            marrow_set: "MARROW".into(),
            lps_lateral: None,
            diaphysis_mm: None,
        }
    }
}

impl PatientMeshSpec {
    /// The knee frame of the mesh: the identity, or the LPS frame of `lps_lateral`.
    ///
    /// # Errors
    /// [`BiomechError::InvalidParameter`] for an `lps_lateral` other than "+x" or "-x".
    pub fn knee_frame(&self) -> Result<crate::model::KneeFrame, BiomechError> {
        match self.lps_lateral.as_deref().map(str::trim) {
            None => Ok(crate::model::KneeFrame::IDENTITY),
            Some("+x" | "x") => Ok(crate::model::KneeFrame::lps(1.0)),
            Some("-x") => Ok(crate::model::KneeFrame::lps(-1.0)),
            Some(other) => Err(BiomechError::invalid(
                "patient_mesh.lps_lateral",
                f64::NAN,
                format!("\"+x\" (a left tibia) or \"-x\" (a right one), not \"{other}\""),
            )),
        }
    }

    /// Check the values that need no file (`lps_lateral`).
    ///
    /// # Errors
    /// As [`PatientMeshSpec::knee_frame`].
    pub fn validate(&self) -> Result<(), BiomechError> {
        self.knee_frame().map(|_| ())
    }
}

/// Read the mesh file (`.inp` through the deck reader, `.msh` through the Gmsh reader).
pub fn read_patient_mesh(spec: &PatientMeshSpec) -> Result<Mesh, BiomechError> {
    let path = &spec.path;
    let file = path.display().to_string();
    if path.as_os_str().is_empty() {
        return Err(BiomechError::PatientMesh {
            file,
            detail: "patient_mesh.path is empty: name an .inp or .msh file".into(),
        });
    }
    let wrong = || BiomechError::PatientMesh {
        file: file.clone(),
        detail: "expected an Abaqus/CalculiX deck (.inp) or a Gmsh mesh (.msh)".into(),
    };
    match osteon_io::InputFormat::from_path(path).map_err(|_| wrong())? {
        osteon_io::InputFormat::Inp => Ok(osteon_io::inp::read_inp_mesh(path)?),
        osteon_io::InputFormat::Msh => Ok(osteon_io::gmsh::read_msh(path)?.mesh),
        osteon_io::InputFormat::Toml => Err(wrong()),
    }
}

/// The key of `map` equal to `name` ignoring case.
fn find<'a, V>(map: &'a std::collections::BTreeMap<String, V>, name: &str) -> Option<&'a V> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn names<V>(map: &std::collections::BTreeMap<String, V>, kind: &str) -> String {
    if map.is_empty() {
        format!("no {kind}s")
    } else {
        let list: Vec<&str> = map.keys().map(String::as_str).take(30).collect();
        format!("{kind}s {}", list.join(", "))
    }
}

/// Mean z of an element's nodes.
fn centroid_z(mesh: &Mesh, e: usize) -> f64 {
    let el = mesh.element(e);
    el.nodes.iter().map(|&n| mesh.coords[n][2]).sum::<f64>() / el.nodes.len() as f64
}

/// Build the reconstruction on an imported mesh: bone regions from the sets, the defect z
/// range turned into the prosthesis, docking interfaces, the canonical sets the models use
/// (CORTICAL, CANCELLOUS, BONE, IMPLANT, DISTAL_END, PLATEAU_MEDIAL, PLATEAU_LATERAL,
/// PROXIMAL_DOCKING, DISTAL_DOCKING).
///
/// Stages: check the implant (`require_bare_prosthesis`) → read the mesh → bone regions
/// from the element sets → plateau surfaces and distal fixation → locate the defect →
/// renumber (bone first, then the prosthesis) with the canonical sets → docking interfaces.
pub fn build_patient_reconstruction(
    spec: &PatientMeshSpec,
    defect: &DefectSpec,
    implant: &ImplantSpec,
    loads: &LoadSpec,
) -> Result<Reconstruction, BiomechError> {
    require_bare_prosthesis(implant)?;
    let knee_frame = spec.knee_frame()?;
    let source = read_patient_mesh(spec)?;
    let mut rec = build_on_mesh(spec, spec.path.display().to_string(), source, defect, loads)?;
    rec.knee_frame = knee_frame;
    Ok(rec)
}

/// The stages of [`build_patient_reconstruction`] after reading: `source` is the bone mesh
/// with the sets `spec` names, `file` what messages call it (the mesh file, or the CT of a
/// `[patient_ct]` study, [`crate::patient_ct`]). The implant is not checked here. Element
/// ids are kept, so a caller can find each element of `source` in the result by its id.
pub(crate) fn build_on_mesh(
    spec: &PatientMeshSpec,
    file: String,
    source: Mesh,
    defect: &DefectSpec,
    loads: &LoadSpec,
) -> Result<Reconstruction, BiomechError> {
    let import = Import { spec, file, source };
    if import.source.n_elements() == 0 {
        return Err(import.error("the mesh has no 3-D elements".into()));
    }
    let region = import.bone_regions()?;
    let sets = import.load_and_support_sets(loads)?;
    let located = import.locate_defect(defect)?;
    import.check_plateau_outside_defect(&sets, &located.in_defect)?;
    let built = import.renumber(&region, &sets, &located)?;
    let mut mesh = built.mesh;
    let quality = check_jacobians(&mesh)?;
    let interfaces = import.docking_interfaces(&mut mesh, built.n_bone_elements, &located)?;
    let n_nodes = mesh.n_nodes();
    Ok(Reconstruction {
        mesh,
        regions: built.regions,
        n_bone_elements: built.n_bone_elements,
        n_intact_elements: import.source.n_elements(),
        n_intact_nodes: n_nodes,
        equations: Vec::new(),
        tie: None,
        screws: Vec::new(),
        z_stations: Vec::new(),
        defect_z: located.defect_z,
        flange_z: None,
        interfaces,
        quality,
        cells: CellCounts::default(),
        geometry: None,
        bone_z: located.bone_z,
        diaphysis_z: located.diaphysis_z,
        defect_bone_regions: built.defect_bone_regions,
        bone_moduli_mpa: None,
        knee_frame: crate::model::KneeFrame::IDENTITY,
        screw_model: None,
    })
}

/// A patient mesh carries the prosthesis alone: the flange, the screws and `fill_canal` are
/// built on the parametric tibia only.
fn require_bare_prosthesis(implant: &ImplantSpec) -> Result<(), BiomechError> {
    if implant.flange.enabled
        || (implant.screws.enabled && !implant.screws.offsets_mm.is_empty())
        || implant.fill_canal
    {
        return Err(BiomechError::NotYetAvailable {
            feature: "the flange, the screws and fill_canal on a patient mesh".into(),
            detail: "they are built on the parametric tibia only; set implant.flange.enabled = false, implant.screws.enabled = false and implant.fill_canal = false (the prosthesis is then bonded to the bone at its docking faces)".into(),
        });
    }
    Ok(())
}

/// The mesh as read, with its spec, for the stages and their error messages.
struct Import<'a> {
    spec: &'a PatientMeshSpec,
    /// The mesh file, for messages.
    file: String,
    source: Mesh,
}

/// The plateau surfaces (element faces) and the distal fixation nodes, in the source mesh.
struct LoadSets {
    medial: Vec<FaceRef>,
    lateral: Vec<FaceRef>,
    /// Empty when `loads.distal_fixation_mm > 0` (the models fix the bone below that z).
    fixation: Vec<usize>,
    /// The element faces of the fixation when the mesh gives it as a face surface (the
    /// ankle coupling then weighs its nodes by face area, as on the parametric tibia).
    fixation_faces: Option<Vec<FaceRef>>,
}

/// Where the defect is (mm) and which source elements it takes.
struct DefectLocation {
    /// z extent of the bone.
    bone_z: [f64; 2],
    /// Docking planes.
    defect_z: [f64; 2],
    /// Centre of the defect.
    center: f64,
    /// z range of the diaphysis.
    diaphysis_z: [f64; 2],
    /// Per source element: its centroid lies in the defect.
    in_defect: Vec<bool>,
    /// How many do.
    n_defect: usize,
}

/// The renumbered mesh: bone elements first, then the prosthesis.
struct Renumbered {
    mesh: Mesh,
    regions: Vec<Region>,
    /// Bone region of each prosthesis element before the defect took it.
    defect_bone_regions: Vec<Region>,
    n_bone_elements: usize,
}

impl Import<'_> {
    /// A required set that the mesh lacks: what it holds, what the mesh has instead.
    fn missing(
        &self,
        kind: &'static str,
        name: &str,
        role: &str,
        key: &str,
        available: String,
    ) -> BiomechError {
        BiomechError::MissingSet {
            file: self.file.clone(),
            kind,
            name: name.into(),
            detail: format!(
                "it holds {role}; the mesh has {available}. Name it in the mesh, or point patient_mesh.{key} at the set that holds it"
            ),
        }
    }

    /// Anything else wrong with the mesh.
    fn error(&self, detail: String) -> BiomechError {
        BiomechError::PatientMesh {
            file: self.file.clone(),
            detail,
        }
    }

    /// Stage 1: every element's bone region from the cortical and cancellous element sets
    /// (each element in exactly one).
    fn bone_regions(&self) -> Result<Vec<Region>, BiomechError> {
        let (source, spec) = (&self.source, self.spec);
        let cortical = find(&source.element_sets, &spec.cortical_set).ok_or_else(|| {
            self.missing(
                "element set",
                &spec.cortical_set,
                "cortical bone",
                "cortical_set",
                names(&source.element_sets, "element set"),
            )
        })?;
        let cancellous = find(&source.element_sets, &spec.cancellous_set);
        let marrow = find(&source.element_sets, &spec.marrow_set);
        let mut region: Vec<Option<Region>> = vec![None; source.n_elements()];
        for &e in cortical {
            region[e] = Some(Region::Cortical);
        }
        // marrow joins the cancellous bone; an element may be in both sets, not in the cortex
        for &e in marrow.into_iter().flatten() {
            if region[e] == Some(Region::Cortical) {
                return Err(self.error(format!(
                    "element {} is in both {} and {}: marrow cannot be cortical bone",
                    source.element(e).id,
                    spec.cortical_set,
                    spec.marrow_set
                )));
            }
        }
        for &e in cancellous.into_iter().flatten() {
            if region[e].is_some() {
                return Err(self.error(format!(
                    "element {} is in both {} and {}: every element must be in exactly one bone set",
                    source.element(e).id,
                    spec.cortical_set,
                    spec.cancellous_set
                )));
            }
            region[e] = Some(Region::Cancellous);
        }
        for &e in marrow.into_iter().flatten() {
            region[e] = Some(Region::Cancellous);
        }
        if let Some(e) = region.iter().position(Option::is_none) {
            return Err(self.unassigned(
                e,
                region.iter().filter(|r| r.is_none()).count(),
                cancellous.is_some(),
            ));
        }
        Ok(region
            .into_iter()
            .map(|r| r.unwrap_or(Region::Cortical))
            .collect())
    }

    /// `count` elements (the first `e`) in no bone set: the cancellous set is missing, or
    /// the sets leave them out.
    fn unassigned(&self, e: usize, count: usize, has_cancellous: bool) -> BiomechError {
        let (source, spec) = (&self.source, self.spec);
        if !has_cancellous {
            return self.missing(
                "element set",
                &spec.cancellous_set,
                &format!(
                    "cancellous bone; needed because {count} element(s), e.g. {}, are not in {}",
                    source.element(e).id,
                    spec.cortical_set
                ),
                "cancellous_set",
                names(&source.element_sets, "element set"),
            );
        }
        self.error(format!(
            "{count} element(s), e.g. element {}, are in neither {} nor {}: every element must be in exactly one bone set",
            source.element(e).id,
            spec.cortical_set,
            spec.cancellous_set
        ))
    }

    /// Stage 2: the plateau surfaces that carry the load and the distal fixation.
    fn load_and_support_sets(&self, loads: &LoadSpec) -> Result<LoadSets, BiomechError> {
        let (source, spec) = (&self.source, self.spec);
        let plateau = |name: &str, key: &str| -> Result<Vec<FaceRef>, BiomechError> {
            match find(&source.surfaces, name) {
                Some(Surface::Faces(f)) if !f.is_empty() => Ok(f.clone()),
                Some(_) => Err(self.error(format!(
                    "surface '{name}' (patient_mesh.{key}) must be made of element faces (*SURFACE, TYPE=ELEMENT, or a 2-D physical group): the plateau load is a pressure on them"
                ))),
                None => Err(self.missing(
                    "surface",
                    name,
                    "element faces of the plateau that carry the load",
                    key,
                    names(&source.surfaces, "surface"),
                )),
            }
        };
        let medial = plateau(&spec.plateau_medial_surface, "plateau_medial_surface")?;
        let lateral = plateau(&spec.plateau_lateral_surface, "plateau_lateral_surface")?;
        let mut fixation_faces = None;
        let fixation: Vec<usize> = if loads.distal_fixation_mm > 0.0 {
            Vec::new()
        } else if let Some(n) = find(&source.node_sets, &spec.distal_fixation_set) {
            n.clone()
        } else if let Some(s) = find(&source.surfaces, &spec.distal_fixation_set) {
            if let Surface::Faces(f) = s {
                fixation_faces = Some(f.clone());
            }
            source.surface_nodes(s)
        } else {
            return Err(self.missing(
                "node set",
                &spec.distal_fixation_set,
                "the distal fixation, fixed in x, y and z (or set loads.distal_fixation_mm > 0 to fix the bone below a z)",
                "distal_fixation_set",
                names(&source.node_sets, "node set"),
            ));
        };
        if loads.distal_fixation_mm == 0.0 && fixation.is_empty() {
            return Err(self.error(format!(
                "node set '{}' (the distal fixation) is empty",
                spec.distal_fixation_set
            )));
        }
        Ok(LoadSets {
            medial,
            lateral,
            fixation,
            fixation_faces,
        })
    }

    /// Stage 3: the defect's z range, the diaphysis, and the bone elements whose centroid
    /// lies in the defect (there must be some, and bone on both sides).
    fn locate_defect(&self, defect: &DefectSpec) -> Result<DefectLocation, BiomechError> {
        let source = &self.source;
        let (lo, hi) = source.bounding_box();
        let bone_z = [lo[2], hi[2]];
        if !(defect.length_mm > 0.0 && defect.length_mm.is_finite()) {
            return Err(BiomechError::invalid(
                "defect.length_mm",
                defect.length_mm,
                "a positive length in mm",
            ));
        }
        let center = defect.center_mm.unwrap_or(0.5 * (bone_z[0] + bone_z[1]));
        let defect_z = [
            center - 0.5 * defect.length_mm,
            center + 0.5 * defect.length_mm,
        ];
        let diaphysis_z = self.diaphysis(bone_z)?;
        let zc: Vec<f64> = (0..source.n_elements())
            .map(|e| centroid_z(source, e))
            .collect();
        let in_defect: Vec<bool> = zc
            .iter()
            .map(|&z| z > defect_z[0] && z < defect_z[1])
            .collect();
        let n_defect = in_defect.iter().filter(|&&d| d).count();
        let below = zc.iter().any(|&z| z <= defect_z[0]);
        let above = zc.iter().any(|&z| z >= defect_z[1]);
        if n_defect == 0 || !below || !above {
            return Err(BiomechError::invalid(
                "defect.length_mm",
                defect.length_mm,
                format!(
                    "a defect [{:.1}, {:.1}] mm that holds element centroids and leaves bone on both sides, inside the mesh's z extent [{:.1}, {:.1}] mm (move defect.center_mm or shorten it)",
                    defect_z[0], defect_z[1], bone_z[0], bone_z[1]
                ),
            ));
        }
        Ok(DefectLocation {
            bone_z,
            defect_z,
            center,
            diaphysis_z,
            in_defect,
            n_defect,
        })
    }

    /// The diaphysis' z range: the spec's, or the surrogate's proportions of the bone.
    fn diaphysis(&self, bone_z: [f64; 2]) -> Result<[f64; 2], BiomechError> {
        let length = bone_z[1] - bone_z[0];
        let diaphysis_z = self.spec.diaphysis_mm.unwrap_or([
            bone_z[0] + DISTAL_METAPHYSIS_FRACTION * length,
            bone_z[1] - PROXIMAL_METAPHYSIS_FRACTION * length,
        ]);
        if !(diaphysis_z[0] >= bone_z[0] - 1e-9
            && diaphysis_z[1] <= bone_z[1] + 1e-9
            && diaphysis_z[0] < diaphysis_z[1])
        {
            return Err(BiomechError::invalid(
                "patient_mesh.diaphysis_mm",
                diaphysis_z[0],
                format!(
                    "an increasing z range inside the bone [{:.1}, {:.1}] mm",
                    bone_z[0], bone_z[1]
                ),
            ));
        }
        Ok(diaphysis_z)
    }

    /// The loaded plateau must stay bone: no face of it on an element of the defect.
    fn check_plateau_outside_defect(
        &self,
        sets: &LoadSets,
        in_defect: &[bool],
    ) -> Result<(), BiomechError> {
        for (name, faces) in [
            (&self.spec.plateau_medial_surface, &sets.medial),
            (&self.spec.plateau_lateral_surface, &sets.lateral),
        ] {
            if let Some(f) = faces.iter().find(|f| in_defect[f.element]) {
                return Err(self.error(format!(
                    "surface '{name}' has a face on element {}, which lies in the defect",
                    self.source.element(f.element).id
                )));
            }
        }
        Ok(())
    }

    /// Stage 4: renumber (used nodes in order; bone elements first, then the defect
    /// elements as the prosthesis) and name the canonical sets.
    fn renumber(
        &self,
        region: &[Region],
        sets: &LoadSets,
        located: &DefectLocation,
    ) -> Result<Renumbered, BiomechError> {
        let source = &self.source;
        let n_el = source.n_elements();
        let in_defect = &located.in_defect;
        let mut node_map = vec![usize::MAX; source.n_nodes()];
        let mut mesh = Mesh::new();
        let order: Vec<usize> = (0..n_el)
            .filter(|&e| !in_defect[e])
            .chain((0..n_el).filter(|&e| in_defect[e]))
            .collect();
        let mut new_index = vec![0usize; n_el];
        for &e in &order {
            for &n in source.element(e).nodes {
                if node_map[n] == usize::MAX {
                    node_map[n] = mesh.add_node(source.node_ids[n], source.coords[n])?;
                }
            }
        }
        let mut regions = Vec::with_capacity(n_el);
        let mut defect_bone_regions = Vec::with_capacity(located.n_defect);
        for (k, &e) in order.iter().enumerate() {
            let el = source.element(e);
            let nodes: Vec<usize> = el.nodes.iter().map(|&n| node_map[n]).collect();
            mesh.push_element(el.etype, el.id, &nodes)?;
            new_index[e] = k;
            if in_defect[e] {
                regions.push(Region::Implant);
                defect_bone_regions.push(region[e]);
            } else {
                regions.push(region[e]);
            }
        }
        name_canonical_sets(&mut mesh, &regions, sets, &node_map, &new_index);
        Ok(Renumbered {
            mesh,
            regions,
            defect_bone_regions,
            n_bone_elements: n_el - located.n_defect,
        })
    }

    /// Stage 5: the docking interfaces, bone faces shared with a prosthesis element, split
    /// at the defect's centre into proximal and distal; both must exist.
    fn docking_interfaces(
        &self,
        mesh: &mut Mesh,
        n_bone_elements: usize,
        located: &DefectLocation,
    ) -> Result<Vec<InterfaceSet>, BiomechError> {
        let mut docking = docking_faces(mesh, n_bone_elements, located.center);
        let mut interfaces = Vec::new();
        for (proximal, name, set) in [
            (true, "proximal docking", "PROXIMAL_DOCKING"),
            (false, "distal docking", "DISTAL_DOCKING"),
        ] {
            let faces = docking.remove(&proximal).unwrap_or_default();
            if faces.is_empty() {
                return Err(self.error(format!(
                    "no bone face touches the prosthesis on the {} side of the defect [{:.1}, {:.1}] mm: is the mesh conforming (shared nodes) across it?",
                    if proximal { "proximal" } else { "distal" },
                    located.defect_z[0],
                    located.defect_z[1]
                )));
            }
            let nodes = mesh.surface_nodes(&Surface::Faces(faces.clone()));
            mesh.set_node_set(set, nodes.clone());
            mesh.surfaces.insert(set.into(), Surface::Faces(faces));
            interfaces.push(InterfaceSet {
                name: name.into(),
                set: set.into(),
                nodes,
            });
        }
        Ok(interfaces)
    }
}

/// The sets the models use on the renumbered mesh: CORTICAL, CANCELLOUS, BONE, IMPLANT
/// (element sets), PLATEAU_MEDIAL, PLATEAU_LATERAL (surfaces and node sets), DISTAL_END
/// (node set and node surface). `node_map` and `new_index` take source nodes and elements
/// to the new ones.
fn name_canonical_sets(
    mesh: &mut Mesh,
    regions: &[Region],
    sets: &LoadSets,
    node_map: &[usize],
    new_index: &[usize],
) {
    let where_ = |f: &dyn Fn(Region) -> bool| -> Vec<usize> {
        (0..regions.len()).filter(|&e| f(regions[e])).collect()
    };
    mesh.set_element_set("CORTICAL", where_(&|r| r == Region::Cortical));
    mesh.set_element_set("CANCELLOUS", where_(&|r| r == Region::Cancellous));
    mesh.set_element_set("BONE", where_(&|r| r.is_bone()));
    mesh.set_element_set("IMPLANT", where_(&|r| r == Region::Implant));
    let remap = |faces: &[FaceRef]| -> Vec<FaceRef> {
        faces
            .iter()
            .map(|f| FaceRef {
                element: new_index[f.element],
                face: f.face,
            })
            .collect()
    };
    for (name, faces) in [
        ("PLATEAU_MEDIAL", remap(&sets.medial)),
        ("PLATEAU_LATERAL", remap(&sets.lateral)),
    ] {
        let nodes = mesh.surface_nodes(&Surface::Faces(faces.clone()));
        mesh.set_node_set(name, nodes);
        mesh.surfaces.insert(name.into(), Surface::Faces(faces));
    }
    let fixed: Vec<usize> = sets
        .fixation
        .iter()
        .map(|&n| node_map[n])
        .filter(|&n| n != usize::MAX)
        .collect();
    mesh.set_node_set("DISTAL_END", fixed.clone());
    let distal = match &sets.fixation_faces {
        Some(f) => Surface::Faces(remap(f)),
        None => Surface::Nodes(fixed),
    };
    mesh.surfaces.insert("DISTAL_END".into(), distal);
}

/// Bone faces (of the first `n_bone_elements`) that match a face of a prosthesis element,
/// keyed by "the bone element lies above `center`" (proximal).
fn docking_faces(mesh: &Mesh, n_bone_elements: usize, center: f64) -> HashMap<bool, Vec<FaceRef>> {
    let mut defect_faces: HashSet<Vec<usize>> = HashSet::new();
    for e in n_bone_elements..mesh.n_elements() {
        for f in 0..mesh.element(e).etype.n_faces() {
            defect_faces.insert(face_corner_key(mesh, e, f));
        }
    }
    let mut docking: HashMap<bool, Vec<FaceRef>> = HashMap::new();
    for e in 0..n_bone_elements {
        for f in 0..mesh.element(e).etype.n_faces() {
            if defect_faces.contains(&face_corner_key(mesh, e, f)) {
                docking
                    .entry(centroid_z(mesh, e) > center)
                    .or_default()
                    .push(FaceRef {
                        element: e,
                        face: f as u8,
                    });
            }
        }
    }
    docking
}
