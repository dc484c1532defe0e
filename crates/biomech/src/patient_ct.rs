//! A patient CT in place of the parametric tibia: `[patient_ct]` in the study file.
//!
//! ```toml
//! [patient_ct]
//! image = "tibia.nii.gz"        # DICOM folder, DICOMDIR, DICOM file or NIfTI; relative to the study file
//! # series = "5"                # which series of a folder/DICOMDIR holding several (UID or number)
//! # bone_hu = 700.0             # thresholds (HU), as `osteon ct`; or a label map:
//! # labels = "seg.nii.gz"       # label map on the CT grid (NIfTI), relative to the study file
//! # label_map = "1=cortical,2=cancellous,3=marrow"
//! # roi = [[0, 80], [0, 80], [10, 300]]   # voxel index ranges i, j, k (upper bounds excluded)
//! # calibration = [0.0008, 0.0] # scanner line: mineral density (g/cm³) = intercept + slope × HU
//! # law = "morgan-femoral-neck" # density → modulus law (docs/imaging.md §3)
//! element_size_mm = 3.0         # element edge, rounded to whole voxels; default one voxel
//! # floor_mpa = 1.0             # smallest element modulus (MPa)
//! # homogeneous_bone = false    # true: the study's cortical/cancellous materials instead of the CT's
//! # flange_center_y_mm = 0.0    # the flange's centre line; default: the envelope's middle
//!
//! # planned screws (world mm); default: implant.screws.offsets_mm from each docking plane
//! # [[patient_ct.screws]]
//! # entry_mm = [13.0, 0.0, 68.0]  # a point of the axis at or near the lateral bone surface
//! # direction = [-1.0, 0.0, 0.0]  # into the bone
//! # length_mm = 30.0              # from the flange's mid-plane; default: to mid far cortex
//! ```
//!
//! The CT goes through the library pipeline of `osteon ct` ([`osteon_imaging`]: read,
//! optional crop, segmentation by thresholds or labels with the canal filled slice by slice,
//! C3D8 voxel mesh coarsened to `element_size_mm`, optional C3D20, modulus per element).
//! The mesh is the **periosteal envelope**: cortical, cancellous and marrow elements. Marrow
//! elements join the cancellous region (`CANCELLOUS`): they keep their CT-mapped modulus
//! (or `marrow_modulus_mpa`), and with `homogeneous_bone` they get the cancellous material.
//! The plateau is the proximal end face of the mesh (its boundary faces on the last node
//! layer along the long axis), split at its mean x into `PLATEAU_MEDIAL` and
//! `PLATEAU_LATERAL` (`lateral = "+x"`: the lateral half at larger x; LPS +x is the patient's
//! left, so a left tibia has `"+x"`, a right tibia `"-x"`); `DISTAL_END` is the distal end
//! face (a face surface, so the ankle coupling weighs its nodes by area). The defect (the
//! study's `[defect]`, z range in world mm, the two cutting planes) turns every element
//! whose centroid lies between the planes into the porous-Ta prosthesis, which therefore
//! fills the whole envelope there; from there on the study runs as on an imported patient
//! mesh ([`crate::patient`]).
//!
//! **Moduli**: each bone element keeps the modulus that `osteon_imaging::map_materials`
//! gives it (the mean of its voxels' moduli through `calibration` and `law`, at least
//! `floor_mpa`), isotropic with ν [`crate::CT_BONE_POISSON`]; the intact model uses
//! the same modulus for the same element, the defect elements included.
//!
//! **Flange and screws** (`patient_ct/hardware.rs`): the lateral flange follows the bone's lateral
//! surface (in frictional contact with it, or tied with `interface.flange = "tied"`),
//! the screws go along planned trajectories (`[[patient_ct.screws]]`) or the parametric
//! study's default placement; with them the frictional interface is the default, as on the
//! parametric tibia. They need the CT's grid axes along the world axes (a scan without
//! gantry tilt or oblique reformatting).
//!
//! **Limitations**: `implant.fill_canal` is ignored (the prosthesis always fills the
//! envelope). The world frame must have z along the bone (+z proximal, the DICOM/LPS
//! superior direction).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use osteon_imaging::{
    DensityCalibration, ElementProperties, LabelMapping, MappingOptions, ModulusLaw,
    ThresholdOptions, Volume, VoxelBox, VoxelMesh, make_quadratic, map_materials, mesh_voxels,
    read_nifti, read_volume_selecting, segment_labels, segment_threshold, voxels_per_element,
};
use osteon_mesh::Mesh;

use crate::builder::Reconstruction;
use crate::error::BiomechError;
use crate::patient::{PatientMeshSpec, build_on_mesh};
use crate::spec::{DefectSpec, ImplantSpec, LoadSpec};

mod hardware;
mod report;
pub use hardware::ScrewTrajectory;
pub(crate) use report::{bone_material_rows, bone_note, geometry_note};

/// The CT, how it is segmented and mapped, and the mesh options (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PatientCtSpec {
    /// The CT in HU: a folder with one DICOM series, a DICOMDIR, a DICOM file, or a NIfTI
    /// volume (`.nii`, `.nii.gz`); relative paths are relative to the study file. Required.
    pub image: PathBuf,
    /// The series to read from a folder or DICOMDIR holding several: its SeriesInstanceUID
    /// or SeriesNumber; `None`: the one CT series that is not a localiser.
    pub series: Option<String>,
    /// Bone surface threshold (HU): voxels at or above it are bone before the canal is
    /// filled; 700 (docs/imaging.md §3). Ignored with `labels`.
    pub bone_hu: f64,
    /// Filled-bone voxels at or above this are cortical (HU); `None`: `bone_hu`.
    pub cortical_hu: Option<f64>,
    /// Filled-bone voxels below `cortical_hu` and at or above this are cancellous, below it
    /// marrow (HU); 150.
    pub cancellous_hu: f64,
    /// A label map on the CT grid (NIfTI) instead of the thresholds; relative to the study
    /// file; `None`.
    pub labels: Option<PathBuf>,
    /// Label numbers → regions for `labels`; "1=cortical,2=cancellous,3=marrow".
    pub label_map: String,
    /// Region of interest: half-open voxel index ranges `[[i0, i1], [j0, j1], [k0, k1]]` of
    /// the CT (and label map); `None`: the whole volume.
    pub roi: Option<[[usize; 2]; 3]>,
    /// Scanner calibration line `[slope, intercept]`: mineral density (g/cm³) = intercept +
    /// slope × HU (slope in g/cm³ per HU); `None`: [0.0008, 0] (docs/imaging.md §2).
    pub calibration: Option<[f64; 2]>,
    /// Density → modulus law: "morgan-femoral-neck" (default, docs/imaging.md §3),
    /// "morgan-tibia", "morgan-vertebra", "morgan-trochanter", "carter-hayes",
    /// "keller-femur", "keller-vertebra".
    pub law: String,
    /// Element edge (mm), rounded to a whole number of voxels; `None`: one voxel.
    pub element_size_mm: Option<f64>,
    /// Smallest element modulus (MPa); 1.
    pub floor_mpa: f64,
    /// Modulus of marrow voxels (MPa) instead of the density chain; `None`: the chain.
    pub marrow_modulus_mpa: Option<f64>,
    /// Quadratic bricks (C3D20, mid-edge nodes shared) instead of C3D8; false.
    pub quadratic: bool,
    /// Give the bone the study's homogeneous materials (`[bone]`: cortical, cancellous; the
    /// marrow as cancellous) instead of the CT-mapped moduli; false.
    pub homogeneous_bone: bool,
    /// Which side of the plateau's centre is lateral: "+x" (larger x; a left tibia in LPS)
    /// or "-x" (a right tibia); "+x".
    pub lateral: String,
    /// z range of the diaphysis (mm) for the shielding zones; `None`: the bone's z extent
    /// less the surrogate's metaphysis proportions (as `[patient_mesh]`).
    pub diaphysis_mm: Option<[f64; 2]>,
    /// y of the flange's centre line (mm); `None`: the middle of the envelope's y extent
    /// at the defect's mid-height.
    pub flange_center_y_mm: Option<f64>,
    /// Planned screw trajectories; empty: `implant.screws.offsets_mm` from each docking
    /// plane, perpendicular to the long axis through the flange's centre line.
    pub screws: Vec<ScrewTrajectory>,
}

impl Default for PatientCtSpec {
    fn default() -> Self {
        Self {
            image: PathBuf::new(),
            series: None,
            bone_hu: 700.0,
            cortical_hu: None,
            cancellous_hu: 150.0,
            labels: None,
            label_map: "1=cortical,2=cancellous,3=marrow".into(),
            roi: None,
            calibration: None,
            law: "morgan-femoral-neck".into(),
            element_size_mm: None,
            floor_mpa: osteon_material::density::MIN_MODULUS_MPA,
            marrow_modulus_mpa: None,
            quadratic: false,
            homogeneous_bone: false,
            lateral: "+x".into(),
            diaphysis_mm: None,
            flange_center_y_mm: None,
            screws: Vec::new(),
        }
    }
}

impl PatientCtSpec {
    /// The mapping options: calibration line, law, floor and marrow modulus.
    ///
    /// # Errors
    /// [`BiomechError::Imaging`] for an unknown law or a calibration out of range.
    pub fn mapping(&self) -> Result<MappingOptions, BiomechError> {
        let calibration = match self.calibration {
            None => DensityCalibration::default(),
            Some([slope, intercept]) => DensityCalibration::with_line(slope, intercept)?,
        };
        Ok(MappingOptions {
            calibration,
            law: ModulusLaw::from_name(&self.law)?,
            modulus_floor_mpa: self.floor_mpa,
            marrow_modulus_mpa: self.marrow_modulus_mpa,
        })
    }

    /// Check the values that need no file: the law, the calibration, the element size, the
    /// floor and `lateral`.
    ///
    /// # Errors
    /// [`BiomechError::InvalidParameter`] naming the key (`patient_ct.…`), or
    /// [`BiomechError::Imaging`] for the law and the calibration.
    pub fn validate(&self) -> Result<(), BiomechError> {
        self.mapping()?;
        if let Some(h) = self.element_size_mm
            && !(h.is_finite() && h > 0.0)
        {
            return Err(BiomechError::invalid(
                "patient_ct.element_size_mm",
                h,
                "a finite edge length > 0 mm",
            ));
        }
        if !(self.floor_mpa.is_finite() && self.floor_mpa > 0.0) {
            return Err(BiomechError::invalid(
                "patient_ct.floor_mpa",
                self.floor_mpa,
                "a finite modulus > 0 MPa",
            ));
        }
        if self.lateral_sign().is_none() {
            return Err(BiomechError::invalid(
                "patient_ct.lateral",
                f64::NAN,
                format!("\"+x\" or \"-x\", not \"{}\"", self.lateral),
            ));
        }
        Ok(())
    }

    /// +1 when lateral is +x, −1 when −x, `None` otherwise.
    fn lateral_sign(&self) -> Option<f64> {
        match self.lateral.trim() {
            "+x" | "x" => Some(1.0),
            "-x" => Some(-1.0),
            _ => None,
        }
    }

    /// The thresholds of the segmentation.
    fn thresholds(&self) -> ThresholdOptions {
        ThresholdOptions {
            bone_hu: self.bone_hu,
            cortical_hu: self.cortical_hu.unwrap_or(self.bone_hu),
            cancellous_hu: self.cancellous_hu,
            fill_holes: true,
        }
    }
}

/// The CT's voxel mesh and its per-element mapping, before the defect is cut.
#[derive(Clone, Debug)]
pub struct CtBone {
    /// The voxel mesh (C3D8 or C3D20) with its regions (cortical, cancellous, marrow).
    pub voxel_mesh: VoxelMesh,
    /// Mean HU, apparent density (g/cm³) and modulus (MPa) of each element.
    pub properties: ElementProperties,
    /// Element edge along world x, y and z (mm) when the CT's grid axes lie along the world
    /// axes; `None` for a tilted or oblique grid.
    pub cell_mm: Option<[f64; 3]>,
}

/// Read, crop, segment, mesh and map the CT of `spec` (the `osteon ct` pipeline of
/// [`osteon_imaging`]).
///
/// # Errors
/// [`BiomechError::Imaging`] naming the file or parameter at fault.
pub fn mesh_ct(spec: &PatientCtSpec) -> Result<CtBone, BiomechError> {
    spec.validate()?;
    let mut ct: Volume = read_volume_selecting(&spec.image, spec.series.as_deref())?;
    let mut labels = spec.labels.as_deref().map(read_nifti).transpose()?;
    if let Some(r) = spec.roi {
        let roi = VoxelBox {
            lo: r.map(|a| a[0]),
            hi: r.map(|a| a[1]),
        };
        ct = ct.crop(roi)?;
        labels = labels.map(|l| l.crop(roi)).transpose()?;
    }
    let seg = match (&labels, &spec.labels) {
        (Some(l), Some(path)) => {
            segment_labels(l, path, &ct, &LabelMapping::parse(&spec.label_map)?)?
        }
        _ => segment_threshold(&ct, &spec.thresholds())?,
    };
    let factor = voxels_per_element(ct.spacing, spec.element_size_mm)?;
    let mut voxel_mesh = mesh_voxels(&ct, &seg, factor)?;
    let axis = ct.direction[voxel_mesh.long_axis];
    if axis[2].abs() < 0.9 {
        return Err(BiomechError::PatientMesh {
            file: spec.image.display().to_string(),
            detail: format!(
                "the bone's long axis (grid axis {}, direction {axis:?}) is not along world z: a study needs z along the tibia (+z proximal)",
                voxel_mesh.long_axis
            ),
        });
    }
    let properties = map_materials(&ct, &seg, &voxel_mesh, &spec.mapping()?)?;
    if spec.quadratic {
        make_quadratic(&mut voxel_mesh)?;
    }
    let cell_mm = world_cell(&ct, factor);
    Ok(CtBone {
        voxel_mesh,
        properties,
        cell_mm,
    })
}

/// The element edge along world x, y, z (mm) when every grid axis of `ct` lies along a
/// world axis (to 1e-6), `factor` voxels per element edge.
fn world_cell(ct: &Volume, factor: usize) -> Option<[f64; 3]> {
    let mut cell = [f64::NAN; 3];
    for (g, d) in ct.direction.iter().enumerate() {
        let w = (0..3).find(|&w| (d[w].abs() - 1.0).abs() < 1e-6)?;
        cell[w] = ct.spacing[g] * factor as f64;
    }
    cell.iter().all(|c| c.is_finite()).then_some(cell)
}

/// Build the reconstruction of a `[patient_ct]` study: the CT's envelope mesh with the
/// canonical sets, the defect between the planes as the prosthesis, and (unless
/// `homogeneous_bone`) each bone element's CT-mapped modulus in
/// [`Reconstruction::bone_moduli_mpa`].
///
/// With the flange (and screws) enabled they are fitted onto the CT model
/// (`patient_ct/hardware.rs`).
///
/// # Errors
/// The CT pipeline's errors; those of [`crate::patient::build_patient_reconstruction`] for
/// the defect; [`BiomechError::NotYetAvailable`] for the flange on a tilted grid; the
/// flange's and screws' construction errors.
pub fn build_ct_reconstruction(
    spec: &PatientCtSpec,
    defect: &DefectSpec,
    implant: &ImplantSpec,
    loads: &LoadSpec,
) -> Result<Reconstruction, BiomechError> {
    crate::builder::validate_hardware(implant)?;
    let bone = mesh_ct(spec)?;
    let mesh = envelope_with_sets(&bone.voxel_mesh, spec.lateral_sign().unwrap_or(1.0))?;
    let as_patient = PatientMeshSpec {
        path: spec.image.clone(),
        distal_fixation_set: "DISTAL_END".into(),
        diaphysis_mm: spec.diaphysis_mm,
        ..PatientMeshSpec::default()
    };
    let file = format!("CT {}", spec.image.display());
    let mut rec = build_on_mesh(&as_patient, file, mesh, defect, loads)?;
    rec.knee_frame = crate::model::KneeFrame::lps(spec.lateral_sign().unwrap_or(1.0));
    if !spec.homogeneous_bone {
        let moduli = &bone.properties.modulus_mpa;
        let per_element = (0..rec.n_intact_elements)
            .map(|e| {
                let id = rec.mesh.element(e).id;
                usize::try_from(id - 1)
                    .ok()
                    .and_then(|k| moduli.get(k).copied())
                    .ok_or_else(|| {
                        BiomechError::construction(format!("element id {id} is not a CT element"))
                    })
            })
            .collect::<Result<Vec<f64>, _>>()?;
        rec.bone_moduli_mpa = Some(per_element);
    }
    if implant.flange.enabled {
        let cell_mm = bone.cell_mm.ok_or_else(|| BiomechError::NotYetAvailable {
            feature: "the flange on a CT whose grid axes are not along the world axes".into(),
            detail: "the flange is fitted to the axis-aligned voxel staircase; resample the CT without gantry tilt, or set implant.flange.enabled = false".into(),
        })?;
        let frame = hardware::CtFrame {
            lateral: spec.lateral_sign().unwrap_or(1.0),
            cell_mm,
            center_y_mm: spec.flange_center_y_mm,
        };
        hardware::fit_flange_and_screws(&mut rec, implant, &spec.screws, &frame)?;
    }
    Ok(rec)
}

/// The voxel mesh with the sets a patient mesh needs: CORTICAL, CANCELLOUS (cancellous and
/// marrow), the face surfaces PLATEAU_MEDIAL and PLATEAU_LATERAL (the proximal end face,
/// split at its mean x; `lateral` +1: lateral at larger x) and DISTAL_END (the distal end
/// face; [`osteon_imaging::add_end_surfaces`]).
fn envelope_with_sets(vm: &VoxelMesh, lateral: f64) -> Result<Mesh, BiomechError> {
    use osteon_imaging::Region as CtRegion;
    let mut mesh = vm.mesh.clone();
    let pick = |f: &dyn Fn(CtRegion) -> bool| -> Vec<usize> {
        (0..vm.regions.len())
            .filter(|&e| f(vm.regions[e]))
            .collect()
    };
    mesh.set_element_set("CORTICAL", pick(&|r| r == CtRegion::Cortical));
    mesh.set_element_set("CANCELLOUS", pick(&|r| r != CtRegion::Cortical));
    osteon_imaging::add_end_surfaces(&mut mesh, lateral)?;
    Ok(mesh)
}
