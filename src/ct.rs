//! From a patient's CT to a solvable model, the pipeline of `osteon ct`: read the volume
//! (DICOM series or file, NIfTI), segment the bone (thresholds or a label map), extract its
//! surface, mesh the voxels (C3D8) and map a modulus onto each element from the CT numbers
//! ([`osteon_imaging`], `docs/imaging.md`). The command line and the Python package
//! (`osteon.ct`) both run it through [`build`] and [`CtModel::write`].
//!
//! [`build_voxel`] adds the voxel mesh's options ([`VoxelOptions`]): its boundary nodes
//! smoothed with every element kept valid, and quadratic bricks (C3D20). The files and the
//! deck's model are made in one place for both paths (`deck`).
//!
//! [`tet::build_tet`] is the smooth-surface alternative (`osteon ct --mesh tet`): the
//! smoothed, decimated bone surface filled with C3D10 by gmsh ([`gmsh`], an external
//! program), mapped by the same rule and written the same way.
//!
//! Units: mm, MPa, HU, g/cm³ (apparent density), N.
//!
//! The model ([`CtModel::model`]) is complete: one isotropic material (ν 0.3) per modulus
//! bin, the node set DISTAL clamped and one step with an axial compression of one body
//! weight ([`BODY_WEIGHT_N`], 70 kg, `docs/biomechanics.md §1`) spread over the PROXIMAL
//! nodes.

mod deck;
pub mod gmsh;
pub mod tet;

use std::path::{Path, PathBuf};

use deck::{deck_model, write_files};
use std::time::Instant;

use osteon_assembly::Model;
use osteon_imaging::{
    ElementProperties, ImagingError, LabelMapping, MappingOptions, MaterialBins, Segmentation,
    SmoothingReport, SurfaceSmoothing, ThresholdOptions, TriangleMesh, Volume, VoxelMesh,
    bin_moduli, bone_surface, make_quadratic, map_materials, mesh_voxels, segment_labels,
    segment_threshold, smooth_voxel_surface,
};
use osteon_io::IoError;
use osteon_material::MaterialError;
use osteon_mesh::MeshError;

/// Axial load of the model's step: one body weight of 70 kg, 686.7 N
/// (`docs/biomechanics.md §1`).
pub const BODY_WEIGHT_N: f64 = 686.7;
/// Poisson's ratio of the mapped bone, 0.3 (`docs/biomechanics.md §3.1`).
pub const POISSON: f64 = 0.3;

/// What can go wrong between the CT and the model.
#[derive(Debug, thiserror::Error)]
pub enum CtError {
    /// Reading, segmenting, meshing or mapping the image.
    #[error(transparent)]
    Imaging(#[from] ImagingError),
    /// The input path is neither a folder, a NIfTI volume nor a file.
    #[error(
        "{}: no such file or folder (expected a DICOM series folder, a DICOM file or a NIfTI volume)",
        path.display()
    )]
    NoSuchInput {
        /// The path.
        path: PathBuf,
    },
    /// The element edge is not a finite length > 0.
    #[error("element size {0}: a finite edge length > 0 (mm)")]
    ElementSize(f64),
    /// A bin's material (a modulus that is not finite and > 0).
    #[error(transparent)]
    Material(#[from] MaterialError),
    /// The voxel mesh lacks a node set the model needs (DISTAL, PROXIMAL).
    #[error(transparent)]
    Mesh(#[from] MeshError),
    /// The output folder cannot be created.
    #[error("creating {}", path.display())]
    OutputFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing the VTU or the deck, or reading gmsh's mesh.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The tetrahedral mesh needs gmsh, which is not installed (or not where it was named).
    #[error(
        "gmsh not found (tried {tried}): the tetrahedral mesh (--mesh tet) runs the gmsh \
         executable; install it with `pip install gmsh` (Linux also needs libGLU and the X11 \
         client libraries, e.g. apt-get install libglu1-mesa libxcursor1 libxft2 \
         libxinerama1), or name it with --gmsh PATH or {}=PATH",
        gmsh::GMSH_ENV
    )]
    GmshNotFound {
        /// What was looked for.
        tried: String,
    },
    /// gmsh ran but did not make the mesh.
    #[error(
        "gmsh ({}) {what}; its input and output are kept in {}; last lines of its output:\n{log}",
        program.display(),
        dir.display()
    )]
    Gmsh {
        /// The executable.
        program: PathBuf,
        /// What went wrong (exit status, the first error line, no element).
        what: String,
        /// The last lines of its output (stdout then stderr).
        log: String,
        /// The scratch folder with `bone.geo`, `surface.stl` and whatever gmsh wrote.
        dir: PathBuf,
    },
}

/// Read a CT volume (values in HU): a folder with one DICOM series, a DICOMDIR medium (the
/// file or its folder: its one CT series), a single DICOM file, or a NIfTI volume (`.nii`,
/// `.nii.gz`).
///
/// # Errors
/// [`CtError::NoSuchInput`] when `path` does not exist; [`CtError::Imaging`] when it does
/// not read as a CT.
pub fn read_volume(path: &Path) -> Result<Volume, CtError> {
    read_volume_selecting(path, None)
}

/// [`read_volume`] reading, from a folder or DICOMDIR with several series, the one `series`
/// names by its SeriesInstanceUID or SeriesNumber (`None`: the one CT series that is not a
/// localiser, [`osteon_imaging::dicom::series`]).
///
/// # Errors
/// As [`read_volume`].
pub fn read_volume_selecting(path: &Path, series: Option<&str>) -> Result<Volume, CtError> {
    if !path.exists() {
        return Err(CtError::NoSuchInput {
            path: path.to_path_buf(),
        });
    }
    Ok(osteon_imaging::read_volume_selecting(path, series)?)
}

/// How the bone is told from the rest.
#[derive(Clone, Debug)]
pub enum Segmenting {
    /// HU thresholds with hole filling ([`segment_threshold`]).
    Threshold(ThresholdOptions),
    /// A label map on the CT grid ([`segment_labels`]).
    Labels {
        /// The label map (same grid as the CT).
        labels: Box<Volume>,
        /// The file it was read from (for messages).
        source: PathBuf,
        /// Label numbers → regions.
        mapping: LabelMapping,
    },
}

/// Options of [`build`].
#[derive(Clone, Debug)]
pub struct CtOptions {
    /// Segmentation.
    pub segmenting: Segmenting,
    /// Element edge (mm), rounded to a whole number of voxels; `None`: one voxel.
    pub element_size_mm: Option<f64>,
    /// Calibration, density → modulus law, modulus floor and marrow modulus.
    pub mapping: MappingOptions,
    /// Number of materials of the model (moduli binned in equal steps of log E), ≥ 1.
    pub materials: usize,
}

/// Options of the voxel mesh beyond [`CtOptions`] ([`build_voxel`]); the default is the plain
/// C3D8 staircase mesh of [`build`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VoxelOptions {
    /// Smooth the mesh's boundary nodes, every element's scaled Jacobian kept at or above a
    /// threshold ([`smooth_voxel_surface`], `docs/imaging.md §9`); `None`: no smoothing.
    pub smoothing: Option<SurfaceSmoothing>,
    /// Quadratic bricks (C3D20, mid-edge nodes shared between neighbours,
    /// [`make_quadratic`]) instead of C3D8.
    pub quadratic: bool,
}

/// Voxels per element edge for an element edge of `element_size_mm` (mm) on a grid of
/// `spacing` (mm): the edge over the geometric-mean spacing, rounded, at least 1; 1 for
/// `None`.
///
/// # Errors
/// [`CtError::ElementSize`] for an edge that is not finite and > 0.
pub fn voxels_per_element(
    spacing: [f64; 3],
    element_size_mm: Option<f64>,
) -> Result<usize, CtError> {
    osteon_imaging::voxels_per_element(spacing, element_size_mm)
        .map_err(|_| CtError::ElementSize(element_size_mm.unwrap_or(f64::NAN)))
}

/// A CT turned into a model, with everything computed on the way.
#[derive(Clone, Debug)]
pub struct CtModel {
    /// Region of every voxel.
    pub segmentation: Segmentation,
    /// The bone surface (mm, patient frame LPS).
    pub surface: TriangleMesh,
    /// The voxel mesh, C3D8 or C3D20 (node sets DISTAL and PROXIMAL), region of each element.
    pub voxel_mesh: VoxelMesh,
    /// What the surface smoothing did, when it was asked for ([`VoxelOptions::smoothing`]).
    pub smoothing: Option<SmoothingReport>,
    /// Per element: mean HU, apparent density (g/cm³) and modulus (MPa).
    pub properties: ElementProperties,
    /// The moduli binned into the model's materials.
    pub bins: MaterialBins,
    /// The solvable model (see the module docs).
    pub model: Model,
    /// The density → modulus law, as the heading of the deck names it.
    pub law: String,
    /// Seconds spent in each stage: segment, surface, mesh, (smooth), map, (quadratic).
    pub timings: Vec<(&'static str, f64)>,
}

/// Files written by [`CtModel::write`].
#[derive(Clone, Debug)]
pub struct CtFiles {
    /// The deck (`bone.inp`).
    pub inp: PathBuf,
    /// The voxel mesh with hu, density, youngs_modulus, region and material per cell
    /// (`bone.vtu`).
    pub vtu: PathBuf,
    /// The bone surface (`bone.stl`).
    pub stl: PathBuf,
}

/// Segment `ct` by thresholds or a label map, as `options` say.
fn segment(ct: &Volume, options: &CtOptions) -> Result<Segmentation, CtError> {
    Ok(match &options.segmenting {
        Segmenting::Threshold(opts) => segment_threshold(ct, opts)?,
        Segmenting::Labels {
            labels,
            source,
            mapping,
        } => segment_labels(labels, source, ct, mapping)?,
    })
}

/// Segment `ct`, extract the bone surface, mesh the voxels (C3D8) and map the moduli.
///
/// # Errors
/// [`CtError::Imaging`] when a stage fails (parameters out of range, no bone, label map on
/// another grid); [`CtError::ElementSize`] for an element edge that is not finite and > 0.
pub fn build(ct: &Volume, options: &CtOptions) -> Result<CtModel, CtError> {
    build_voxel(ct, options, &VoxelOptions::default())
}

/// [`build`] with the voxel mesh's options: surface smoothing (after meshing) and quadratic
/// bricks (last; the moduli are those of the elements' voxel blocks either way).
///
/// # Errors
/// As [`build`]; [`CtError::Imaging`] for smoothing parameters out of range.
pub fn build_voxel(
    ct: &Volume,
    options: &CtOptions,
    voxel: &VoxelOptions,
) -> Result<CtModel, CtError> {
    let mut timings = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
        timings.push((name, t.elapsed().as_secs_f64()));
        t = Instant::now();
    };
    let segmentation = segment(ct, options)?;
    lap("segment", &mut timings);
    let surface = bone_surface(ct, &segmentation)?;
    lap("surface", &mut timings);
    let factor = voxels_per_element(ct.spacing, options.element_size_mm)?;
    let mut voxel_mesh = mesh_voxels(ct, &segmentation, factor)?;
    lap("mesh", &mut timings);
    let smoothing = match &voxel.smoothing {
        Some(opts) => {
            let report = smooth_voxel_surface(&mut voxel_mesh, ct, opts)?;
            lap("smooth", &mut timings);
            Some(report)
        }
        None => None,
    };
    let properties = map_materials(ct, &segmentation, &voxel_mesh, &options.mapping)?;
    let bins = bin_moduli(&properties.modulus_mpa, options.materials)?;
    lap("map", &mut timings);
    if voxel.quadratic {
        make_quadratic(&mut voxel_mesh)?;
        lap("quadratic", &mut timings);
    }
    // the plateau and distal end faces, named for a study's [patient_mesh]
    osteon_imaging::add_end_surfaces(&mut voxel_mesh.mesh, 1.0)?;
    let model = deck_model(
        &voxel_mesh.mesh,
        ct.direction[voxel_mesh.long_axis],
        &bins.modulus_mpa,
        &bins.element_bin,
    )?;
    Ok(CtModel {
        segmentation,
        surface,
        voxel_mesh,
        smoothing,
        properties,
        bins,
        model,
        law: options.mapping.law.describe(),
        timings,
    })
}

impl CtModel {
    /// The deck's heading: where the model comes from (`input`), the element size, the
    /// materials and the boundary conditions.
    pub fn heading(&self, input: &Path) -> String {
        let kind = match self.voxel_mesh.mesh.blocks.first() {
            Some(b) if b.etype != osteon_mesh::ElementType::Hex8 => {
                format!(" of {}", b.etype.abaqus_name())
            }
            _ => String::new(),
        };
        let smoothed = match &self.smoothing {
            Some(r) => format!(
                ", surface smoothed (scaled Jacobian ≥ {:.2})",
                r.min_scaled_jacobian
            ),
            None => String::new(),
        };
        format!(
            "osteon ct {}: voxel mesh{kind} ({} voxel(s) per element edge{smoothed}), {} materials by {}; DISTAL clamped, {BODY_WEIGHT_N} N axial on PROXIMAL",
            input.display(),
            self.voxel_mesh.factor,
            self.bins.modulus_mpa.len(),
            self.law
        )
    }

    /// Write `bone.stl`, `bone.vtu` and `bone.inp` (the model, headed `heading`) into
    /// `dir`, created if missing.
    ///
    /// # Errors
    /// [`CtError::OutputFolder`], [`CtError::Imaging`] or [`CtError::Io`] when a file
    /// cannot be written.
    pub fn write(&self, dir: &Path, heading: &str) -> Result<CtFiles, CtError> {
        write_files(
            dir,
            &self.surface,
            &self.voxel_mesh.mesh,
            &self.properties,
            &self.voxel_mesh.regions,
            &self.bins,
            &self.model,
            heading,
        )
    }
}
