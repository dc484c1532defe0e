//! # osteon-imaging
//!
//! From the patient's CT to the model: read a CT series (DICOM) or a volume / label map
//! (NIfTI), segment the bone, export its surface (STL), build a hexahedral voxel mesh and give
//! every element the modulus its CT numbers imply. For a tetrahedral mesh it smooths and
//! decimates the surface (the mesher, gmsh, is driven by the `osteon` crate) and maps the
//! moduli onto the tetrahedra by the same rule. Units: mm, MPa, g/cm³ for densities, HU for
//! CT numbers; positions in the DICOM patient frame (LPS).
//!
//! | module | what |
//! |---|---|
//! | [`volume`] | [`Volume`]: grid, spacing, origin, direction cosines, HU or label values |
//! | [`dicom`] | DICOM CT series read/write (one file per slice, sorted along the slice normal) |
//! | [`input`] | [`read_volume`]: a DICOM folder or file, or a NIfTI volume, by what the path is |
//! | [`nifti`] | NIfTI-1 read/write (RAS on disk, LPS in memory) |
//! | [`phantom`] | a tibia-like CT with known geometry and density |
//! | [`segment`] | thresholds, largest component, slice-wise hole filling, label maps → regions |
//! | [`surface`] | closed, outward-oriented bone surface (marching tetrahedra) as binary STL |
//! | [`smooth`] | Taubin λ/μ smoothing of the surface (no shrinkage) |
//! | [`decimate`](mod@decimate) | edge-collapse decimation to a target edge length (closed, manifold) |
//! | [`calibration`] | HU → mineral → ash → apparent density → modulus |
//! | [`voxel_mesh`] | C3D8 mesh of the segmented voxels (coarsened by an integer factor), region and end sets |
//! | [`hex20`] | quadratic bricks (C3D20) on the voxel mesh, mid-edge nodes shared |
//! | [`hex_smooth`] | optional smoothing of the voxel mesh's boundary nodes, every element's scaled Jacobian kept above a threshold |
//! | [`mapping`] | per-element modulus from the voxels' CT numbers; binning into materials |
//! | [`tet_mapping`] | the same modulus rule on tetrahedra (equal-weight samples in each element) |
//! | [`tet_mesh`] | region and end sets of a tetrahedral bone mesh, dihedral angles |

// Index loops over grid axes and components mirror the formulas; iterator chains would hide them.
#![allow(clippy::needless_range_loop)]

pub mod calibration;
pub mod decimate;
pub mod dicom;
pub mod end_surfaces;
mod error;
pub mod hex20;
pub mod hex_smooth;
pub mod input;
pub mod mapping;
pub mod nifti;
mod output;
pub mod phantom;
pub mod segment;
pub mod smooth;
pub mod surface;
pub mod tet_mapping;
pub mod tet_mesh;
pub mod volume;
pub mod voxel_mesh;

pub use calibration::{DensityCalibration, ModulusLaw};
pub use decimate::decimate;
pub use dicom::{
    SeriesInfo, read_dicom_file, read_dicom_series, read_dicom_series_selecting, read_dicomdir,
    write_dicom_series,
};
pub use end_surfaces::{EndSurfaceCounts, add_end_surfaces};
pub use error::ImagingError;
pub use hex_smooth::{
    SmoothingReport, SurfaceSmoothing, min_scaled_jacobian, smooth_voxel_surface,
};
pub use hex20::make_quadratic;
pub use input::{read_volume, read_volume_selecting};
pub use mapping::{ElementProperties, MappingOptions, MaterialBins, bin_moduli, map_materials};
pub use nifti::{read_nifti, write_nifti};
pub use phantom::{TibiaPhantom, Tissue};
pub use segment::{
    LabelMapping, Region, Segmentation, ThresholdOptions, segment_labels, segment_threshold,
};
pub use smooth::{TaubinOptions, taubin_smooth};
pub use surface::{TriangleMesh, bone_surface};
pub use tet_mapping::{TetMapping, map_tet_materials};
pub use tet_mesh::{dihedral_angle_range, name_tet_sets};
pub use volume::{Volume, VoxelBox, Voxels};
pub use voxel_mesh::{VoxelMesh, mesh_voxels, voxels_per_element};
