//! The smooth-surface path of `osteon ct --mesh tet`: the segmented bone meshed into
//! quadratic tetrahedra (C3D10) instead of voxel bricks (`docs/imaging.md §7`).
//!
//! 1. the marching-tetrahedra surface of the segmentation ([`bone_surface`]);
//! 2. Taubin λ/μ smoothing ([`taubin_smooth`]): the voxel staircase goes, the volume stays;
//! 3. edge-collapse decimation to the element size ([`decimate()`]), closed and manifold;
//! 4. gmsh fills it with C3D10 ([`super::gmsh`]); the decimated surface is the mesh's
//!    boundary, triangle for triangle, and is what `bone.stl` holds;
//! 5. the modulus of each element from the CT voxels in it ([`map_tet_materials`], the voxel
//!    path's rule), binned into the deck's materials; element sets by region, node sets
//!    DISTAL and PROXIMAL ([`name_tet_sets`]); the same loads and supports as the voxel deck.
//!
//! Units: mm, MPa, HU, g/cm³ (apparent density).

use std::path::{Path, PathBuf};
use std::time::Instant;

use osteon_assembly::Model;
use osteon_imaging::{
    MaterialBins, Segmentation, TaubinOptions, TetMapping, TriangleMesh, Volume, bin_moduli,
    bone_surface, decimate, dihedral_angle_range, map_tet_materials, name_tet_sets, taubin_smooth,
};
use osteon_mesh::{Mesh, QualityReport, check_jacobians};

use super::gmsh::{find_gmsh, mesh_surface};
use super::{BODY_WEIGHT_N, CtError, CtFiles, CtOptions, deck_model, segment, write_files};

/// Default tetrahedron edge in voxels (geometric-mean spacing): 3, i.e. 1.5 mm on 0.5 mm
/// voxels (an engineering choice, `docs/imaging.md §7`).
pub const DEFAULT_EDGE_VOXELS: f64 = 3.0;

/// Options of the tetrahedral path besides [`CtOptions`] (whose `element_size_mm` is the
/// target tetrahedron edge here, not rounded to voxels).
#[derive(Clone, Debug, Default)]
pub struct TetOptions {
    /// Smoothing of the marching-tetrahedra surface.
    pub smoothing: TaubinOptions,
    /// The gmsh executable; `None`: `$OSTEON_GMSH`, else `gmsh` on `PATH`.
    pub gmsh: Option<PathBuf>,
}

/// The target tetrahedron edge (mm): `element_size_mm`, or [`DEFAULT_EDGE_VOXELS`] times
/// the geometric-mean voxel spacing.
///
/// # Errors
/// [`CtError::ElementSize`] for an edge that is not finite and > 0.
pub fn tet_edge_mm(spacing: [f64; 3], element_size_mm: Option<f64>) -> Result<f64, CtError> {
    match element_size_mm {
        None => Ok(DEFAULT_EDGE_VOXELS * (spacing[0] * spacing[1] * spacing[2]).cbrt()),
        Some(h) if h.is_finite() && h > 0.0 => Ok(h),
        Some(h) => Err(CtError::ElementSize(h)),
    }
}

/// A CT turned into a C3D10 model, with everything computed on the way.
#[derive(Clone, Debug)]
pub struct CtTetModel {
    /// Region of every voxel.
    pub segmentation: Segmentation,
    /// Triangles of the marching-tetrahedra surface (before smoothing and decimation).
    pub marching_triangles: usize,
    /// Volume enclosed by the marching-tetrahedra surface (mm³).
    pub marching_volume_mm3: f64,
    /// Volume enclosed by the smoothed surface, before decimation (mm³).
    pub smoothed_volume_mm3: f64,
    /// The smoothed, decimated surface that gmsh meshed (mm, LPS): the mesh's boundary.
    pub surface: TriangleMesh,
    /// Target tetrahedron edge (mm).
    pub edge_mm: f64,
    /// The C3D10 mesh with element sets by region and ALL, node sets DISTAL and PROXIMAL.
    pub mesh: Mesh,
    /// Grid axis along which the bone is longest.
    pub long_axis: usize,
    /// Per element: HU, density, modulus, region; fallback counts.
    pub mapping: TetMapping,
    /// The moduli binned into the model's materials.
    pub bins: MaterialBins,
    /// Jacobian check of every element (corners and integration points).
    pub quality: QualityReport,
    /// Smallest and largest dihedral angle of the corner tetrahedra (degrees).
    pub dihedral_deg: (f64, f64),
    /// The gmsh executable that ran.
    pub gmsh: PathBuf,
    /// The solvable model (as the voxel path's).
    pub model: Model,
    /// The density → modulus law, as the heading of the deck names it.
    pub law: String,
    /// Seconds spent in each stage: segment, surface, smooth, decimate, gmsh, map.
    pub timings: Vec<(&'static str, f64)>,
}

/// Segment `ct`, smooth and decimate its bone surface, fill it with C3D10 by gmsh and map
/// the moduli (see the module docs).
///
/// # Errors
/// [`CtError::GmshNotFound`] (checked first, before any work) when gmsh is not installed;
/// [`CtError::Gmsh`] when it fails; [`CtError::Imaging`] when a stage fails;
/// [`CtError::ElementSize`] for an edge that is not finite and > 0; [`CtError::Mesh`] for an
/// inverted element.
pub fn build_tet(
    ct: &Volume,
    options: &CtOptions,
    tet: &TetOptions,
) -> Result<CtTetModel, CtError> {
    let program = find_gmsh(tet.gmsh.as_deref())?;
    let edge_mm = tet_edge_mm(ct.spacing, options.element_size_mm)?;
    tet.smoothing.validate()?;
    let mut timings = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
        timings.push((name, t.elapsed().as_secs_f64()));
        t = Instant::now();
    };
    let segmentation = segment(ct, options)?;
    lap("segment", &mut timings);
    let marching = bone_surface(ct, &segmentation)?;
    lap("surface", &mut timings);
    let smoothed = taubin_smooth(&marching, &tet.smoothing)?;
    lap("smooth", &mut timings);
    let surface = decimate(&smoothed, edge_mm)?;
    lap("decimate", &mut timings);
    let gmsh = mesh_surface(&surface, edge_mm, &program)?;
    let mut mesh = gmsh.mesh;
    lap("gmsh", &mut timings);
    let quality = check_jacobians(&mesh)?;
    let dihedral_deg = dihedral_angle_range(&mesh).unwrap_or((0.0, 0.0));
    let mapping = map_tet_materials(ct, &segmentation, &mesh, &options.mapping)?;
    let long_axis = name_tet_sets(&mut mesh, &mapping.regions, ct, &segmentation)?;
    // the plateau and distal end faces, named for a study's [patient_mesh]
    osteon_imaging::add_end_surfaces(&mut mesh, 1.0)?;
    let bins = bin_moduli(&mapping.properties.modulus_mpa, options.materials)?;
    lap("map", &mut timings);
    let model = deck_model(
        &mesh,
        ct.direction[long_axis],
        &bins.modulus_mpa,
        &bins.element_bin,
    )?;
    Ok(CtTetModel {
        segmentation,
        marching_triangles: marching.triangles.len(),
        marching_volume_mm3: marching.enclosed_volume(),
        smoothed_volume_mm3: smoothed.enclosed_volume(),
        surface,
        edge_mm,
        mesh,
        long_axis,
        mapping,
        bins,
        quality,
        dihedral_deg,
        gmsh: gmsh.program,
        model,
        law: options.mapping.law.describe(),
        timings,
    })
}

impl CtTetModel {
    /// The deck's heading: where the model comes from (`input`), the element size, the
    /// materials and the boundary conditions.
    pub fn heading(&self, input: &Path) -> String {
        format!(
            "osteon ct {}: C3D10 mesh (gmsh, edge {:.2} mm, smoothed surface), {} materials by {}; DISTAL clamped, {BODY_WEIGHT_N} N axial on PROXIMAL",
            input.display(),
            self.edge_mm,
            self.bins.modulus_mpa.len(),
            self.law
        )
    }

    /// Write `bone.stl` (the meshed surface), `bone.vtu` and `bone.inp` (the model, headed
    /// `heading`) into `dir`, created if missing.
    ///
    /// # Errors
    /// [`CtError::OutputFolder`], [`CtError::Imaging`] or [`CtError::Io`] when a file
    /// cannot be written.
    pub fn write(&self, dir: &Path, heading: &str) -> Result<CtFiles, CtError> {
        write_files(
            dir,
            &self.surface,
            &self.mesh,
            &self.mapping.properties,
            &self.mapping.regions,
            &self.bins,
            &self.model,
            heading,
        )
    }
}
