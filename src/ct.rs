//! From a patient's CT to a solvable model, the pipeline of `osteon ct`: read the volume
//! (DICOM series or file, NIfTI), segment the bone (thresholds or a label map), extract its
//! surface, mesh the voxels (C3D8) and map a modulus onto each element from the CT numbers
//! ([`osteon_imaging`], `docs/imaging.md`). The command line and the Python package
//! (`osteon.ct`) both run it through [`build`] and [`CtModel::write`].
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

pub mod gmsh;
pub mod tet;

use std::path::{Path, PathBuf};
use std::time::Instant;

use osteon_assembly::{LoadCase, Model, NodalLoad};
use osteon_imaging::{
    ElementProperties, ImagingError, LabelMapping, MappingOptions, MaterialBins, Region,
    Segmentation, ThresholdOptions, TriangleMesh, Volume, VoxelMesh, bin_moduli, bone_surface,
    map_materials, mesh_voxels, read_dicom_file, read_dicom_series, read_nifti, segment_labels,
    segment_threshold,
};
use osteon_io::IoError;
use osteon_io::vtu::{DataArray, VtuFields, write_vtu};
use osteon_material::{IsotropicElastic, Material, MaterialError};
use osteon_mesh::Mesh;
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

/// Read a CT volume (values in HU): a folder with one DICOM series, a single DICOM file,
/// or a NIfTI volume (`.nii`, `.nii.gz`).
///
/// # Errors
/// [`CtError::NoSuchInput`] when `path` does not exist; [`CtError::Imaging`] when it does
/// not read as a CT.
pub fn read_volume(path: &Path) -> Result<Volume, CtError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let v = if path.is_dir() {
        read_dicom_series(path)?
    } else if name.ends_with(".nii") || name.ends_with(".nii.gz") {
        read_nifti(path)?
    } else if path.is_file() {
        read_dicom_file(path)?
    } else {
        return Err(CtError::NoSuchInput {
            path: path.to_path_buf(),
        });
    };
    Ok(v)
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
    match element_size_mm {
        None => Ok(1),
        Some(h) if h.is_finite() && h > 0.0 => {
            let mean = (spacing[0] * spacing[1] * spacing[2]).cbrt();
            Ok(((h / mean).round() as usize).max(1))
        }
        Some(h) => Err(CtError::ElementSize(h)),
    }
}

/// A CT turned into a model, with everything computed on the way.
#[derive(Clone, Debug)]
pub struct CtModel {
    /// Region of every voxel.
    pub segmentation: Segmentation,
    /// The bone surface (mm, patient frame LPS).
    pub surface: TriangleMesh,
    /// The C3D8 voxel mesh (node sets DISTAL and PROXIMAL), region of each element.
    pub voxel_mesh: VoxelMesh,
    /// Per element: mean HU, apparent density (g/cm³) and modulus (MPa).
    pub properties: ElementProperties,
    /// The moduli binned into the model's materials.
    pub bins: MaterialBins,
    /// The solvable model (see the module docs).
    pub model: Model,
    /// The density → modulus law, as the heading of the deck names it.
    pub law: String,
    /// Seconds spent in each stage: segment, surface, mesh, map.
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

/// Segment `ct`, extract the bone surface, mesh the voxels and map the moduli.
///
/// # Errors
/// [`CtError::Imaging`] when a stage fails (parameters out of range, no bone, label map on
/// another grid); [`CtError::ElementSize`] for an element edge that is not finite and > 0.
pub fn build(ct: &Volume, options: &CtOptions) -> Result<CtModel, CtError> {
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
    let voxel_mesh = mesh_voxels(ct, &segmentation, factor)?;
    lap("mesh", &mut timings);
    let properties = map_materials(ct, &segmentation, &voxel_mesh, &options.mapping)?;
    let bins = bin_moduli(&properties.modulus_mpa, options.materials)?;
    lap("map", &mut timings);
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
        format!(
            "osteon ct {}: voxel mesh ({} voxel(s) per element edge), {} materials by {}; DISTAL clamped, {BODY_WEIGHT_N} N axial on PROXIMAL",
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

/// Write `bone.stl` (`surface`), `bone.vtu` (`mesh` with the cell data `hu`, `density`,
/// `youngs_modulus`, `region`, `material`) and `bone.inp` (`model`, headed `heading`) into
/// `dir`, created if missing.
#[allow(clippy::too_many_arguments)]
fn write_files(
    dir: &Path,
    surface: &TriangleMesh,
    mesh: &Mesh,
    properties: &ElementProperties,
    regions: &[Region],
    bins: &MaterialBins,
    model: &Model,
    heading: &str,
) -> Result<CtFiles, CtError> {
    std::fs::create_dir_all(dir).map_err(|source| CtError::OutputFolder {
        path: dir.to_path_buf(),
        source,
    })?;
    let stl = dir.join("bone.stl");
    surface.write_stl(&stl)?;
    let region_code: Vec<i32> = regions.iter().map(|r| i32::from(r.code())).collect();
    let element_bin: Vec<i32> = bins.element_bin.iter().map(|&b| b as i32).collect();
    let vtu = dir.join("bone.vtu");
    let fields = VtuFields::new()
        .with_cell_array(DataArray::float64("hu", 1, properties.hu.clone()))
        .with_cell_array(DataArray::float64(
            "density",
            1,
            properties.density_g_cm3.clone(),
        ))
        .with_cell_array(DataArray::float64(
            "youngs_modulus",
            1,
            properties.modulus_mpa.clone(),
        ))
        .with_cell_array(DataArray::int32("region", 1, region_code))
        .with_material(element_bin)
        .with_legend(
            "region",
            Region::ALL.map(|r| (i32::from(r.code()), r.name())),
        )
        .with_node_set_flags(["PROXIMAL", "DISTAL"]);
    write_vtu(&vtu, mesh, &fields)?;
    let inp = dir.join("bone.inp");
    osteon_io::deck_writer::write_model_inp(&inp, model, heading)?;
    Ok(CtFiles { inp, vtu, stl })
}

/// A mesh with the node sets DISTAL and PROXIMAL as a solvable model: one isotropic
/// material per bin (ν 0.3), DISTAL clamped, one body weight along `axis` (the bone's long
/// axis, a unit vector in the world) towards distal on the PROXIMAL nodes.
fn deck_model(
    mesh: &Mesh,
    axis: [f64; 3],
    moduli: &[f64],
    element_bin: &[usize],
) -> Result<Model, CtError> {
    let mut model = Model::new(mesh.clone());
    for (b, &e) in moduli.iter().enumerate() {
        let m = model.add_material(Material::new(
            format!("BONE_E{:.0}", e),
            IsotropicElastic::new(e, POISSON)?.into(),
        ));
        let elements: Vec<usize> = (0..element_bin.len())
            .filter(|&el| element_bin[el] == b)
            .collect();
        model.add_section(format!("BIN_{b}"), elements, m);
    }
    let distal = model.mesh.node_set("DISTAL")?.to_vec();
    let proximal = model.mesh.node_set("PROXIMAL")?.to_vec();
    model.fix(&distal, &[0, 1, 2]);
    // the long axis, pointing from the distal to the proximal end
    let mean = |nodes: &[usize]| {
        let mut c = [0.0; 3];
        for &n in nodes {
            for (d, x) in c.iter_mut().enumerate() {
                *x += model.mesh.coords[n][d] / nodes.len() as f64;
            }
        }
        c
    };
    let (p, d) = (mean(&proximal), mean(&distal));
    let sign = if (0..3).map(|c| (p[c] - d[c]) * axis[c]).sum::<f64>() >= 0.0 {
        1.0
    } else {
        -1.0
    };
    let mut case = LoadCase::new(format!("{BODY_WEIGHT_N} N axial compression on PROXIMAL"));
    for &node in &proximal {
        for (component, &a) in axis.iter().enumerate() {
            let value = -sign * a * BODY_WEIGHT_N / proximal.len() as f64;
            if value != 0.0 {
                case.nodal_loads.push(NodalLoad {
                    node,
                    component,
                    value,
                });
            }
        }
    }
    model.load_cases.push(case);
    Ok(model)
}
