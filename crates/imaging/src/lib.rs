//! # osteon-imaging
//!
//! From the patient's CT to the model: read a CT series (DICOM) or a volume / label map
//! (NIfTI), segment the bone, export its surface (STL), build a hexahedral voxel mesh and give
//! every element the modulus its CT numbers imply. Units: mm, MPa, g/cm³ for densities, HU
//! for CT numbers; positions in the DICOM patient frame (LPS).
//!
//! | module | what |
//! |---|---|
//! | [`volume`] | [`Volume`]: grid, spacing, origin, direction cosines, HU or label values |
//! | [`dicom`] | DICOM CT series read/write (one file per slice, sorted along the slice normal) |
//! | [`nifti`] | NIfTI-1 read/write (RAS on disk, LPS in memory) |
//! | [`phantom`] | a tibia-like CT with known geometry and density |
//! | [`segment`] | thresholds, largest component, slice-wise hole filling, label maps → regions |
//! | [`surface`] | closed, outward-oriented bone surface (marching tetrahedra) as binary STL |
//! | [`calibration`] | HU → mineral → ash → apparent density → modulus |
//! | [`voxel_mesh`] | C3D8 mesh of the segmented voxels (coarsened by an integer factor), region and end sets |
//! | [`mapping`] | per-element modulus from the voxels' CT numbers; binning into materials |

// Index loops over grid axes and components mirror the formulas; iterator chains would hide them.
#![allow(clippy::needless_range_loop)]

pub mod calibration;
pub mod dicom;
mod error;
pub mod mapping;
pub mod nifti;
mod output;
pub mod phantom;
pub mod segment;
pub mod surface;
pub mod volume;
pub mod voxel_mesh;

pub use calibration::{DensityCalibration, ModulusLaw};
pub use dicom::{SeriesInfo, read_dicom_file, read_dicom_series, write_dicom_series};
pub use error::ImagingError;
pub use mapping::{ElementProperties, MappingOptions, MaterialBins, bin_moduli, map_materials};
pub use nifti::{read_nifti, write_nifti};
pub use phantom::{TibiaPhantom, Tissue};
pub use segment::{
    LabelMapping, Region, Segmentation, ThresholdOptions, segment_labels, segment_threshold,
};
pub use surface::{TriangleMesh, bone_surface};
pub use volume::{Volume, VoxelBox, Voxels};
pub use voxel_mesh::{VoxelMesh, mesh_voxels};
