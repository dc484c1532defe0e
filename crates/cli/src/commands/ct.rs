//! `osteon ct`: from a patient's CT to a model — read the series, segment the bone, write its
//! surface, mesh the voxels and map the modulus from the CT numbers (`osteon-imaging`).
//!
//! ```text
//! osteon ct ct_series/ -o out/                    # → out/bone.inp, out/bone.vtu, out/bone.stl
//! osteon ct ct.nii.gz --labels seg.nii.gz --element-size 1.5 --calibration 0.00081,-0.002 -o out/
//! osteon ct ct_series/ -o out/ --mesh tet         # C3D10 on the smoothed surface (needs gmsh)
//! osteon ct ct_series/ -o out/ --smooth-surface 20 --element c3d20   # smoothed voxel mesh, quadratic bricks
//! ```
//!
//! The pipeline is the library's ([`osteon::ct`], which the Python package's `osteon.ct`
//! calls too); this parses the flags and prints what was built. The deck is complete: one material per modulus bin (`--materials`), the node set DISTAL
//! clamped and one step with an axial compression of one body weight (686.7 N, 70 kg,
//! `docs/biomechanics.md §1`) spread over the PROXIMAL nodes, so that `osteon solve` and
//! CalculiX run it as written.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use osteon::ct::tet::{TetOptions, build_tet};
use osteon::ct::{self, CtError, CtOptions, Segmenting, VoxelOptions};
use osteon_assembly::{Event, Observer};
use osteon_imaging::{
    DensityCalibration, ElementProperties, LabelMapping, MappingOptions, MaterialBins, ModulusLaw,
    Region, Segmentation, SurfaceSmoothing, TaubinOptions, ThresholdOptions, Volume, VoxelBox,
    read_nifti,
};

use crate::progress::Spinners;

/// The kind of mesh `osteon ct` builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MeshKind {
    /// C3D8 bricks on the voxel grid (staircase surface).
    Voxel,
    /// C3D10 quadratic tetrahedra on the smoothed surface, by gmsh (an external program).
    Tet,
}

/// The element of the voxel mesh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VoxelElement {
    /// 8-node linear bricks.
    C3d8,
    /// 20-node quadratic bricks, mid-edge nodes shared between neighbours.
    C3d20,
}

/// Build a model from a CT: segmentation, STL surface, C3D8 voxel mesh (or C3D10 on the smoothed surface), modulus per element.
#[derive(Debug, Args)]
pub struct CtArgs {
    /// A folder with one DICOM CT series, a DICOMDIR (or its folder: its one CT series), a single DICOM file, or a NIfTI volume (.nii, .nii.gz) in HU.
    pub input: PathBuf,
    /// Output folder (created if missing): bone.inp, bone.vtu, bone.stl.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Bone surface threshold (HU); voxels at or above it are bone before hole filling.
    #[arg(long, default_value_t = 700.0, allow_hyphen_values = true)]
    pub threshold: f64,
    /// Cortical threshold (HU): filled-bone voxels at or above it are cortical (default: --threshold).
    #[arg(long, allow_hyphen_values = true)]
    pub cortical: Option<f64>,
    /// Cancellous threshold (HU): filled-bone voxels below --cortical and at or above this are cancellous, below it marrow.
    #[arg(long, default_value_t = 150.0, allow_hyphen_values = true)]
    pub cancellous: f64,
    /// The series to read from a folder or DICOMDIR holding several: its SeriesInstanceUID or SeriesNumber (default: the one CT series that is not a localiser).
    #[arg(long)]
    pub series: Option<String>,
    /// Label map on the CT grid (NIfTI) instead of the thresholds.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Label numbers → regions for --labels, e.g. 1=cortical,2=cancellous,5=marrow.
    #[arg(long, default_value = "1=cortical,2=cancellous,3=marrow")]
    pub label_map: String,
    /// Region of interest as voxel index ranges i0:i1,j0:j1,k0:k1 (upper bounds excluded), e.g. :,:,40:200.
    #[arg(long)]
    pub roi: Option<String>,
    /// Element edge (mm): voxel mesh, rounded to a whole number of voxels (default one voxel); tet mesh, the target edge (default 3 voxels).
    #[arg(long)]
    pub element_size: Option<f64>,
    /// Mesh: voxel (C3D8 bricks) or tet (C3D10 on the Taubin-smoothed, decimated surface, meshed by gmsh; docs/imaging.md §7).
    #[arg(long, value_enum, default_value_t = MeshKind::Voxel)]
    pub mesh: MeshKind,
    /// Element of the voxel mesh: c3d8 (default) or c3d20 (quadratic bricks on the same corners).
    #[arg(long, value_enum, default_value_t = VoxelElement::C3d8)]
    pub element: VoxelElement,
    /// Voxel mesh: Taubin λ/μ passes over its boundary nodes (0: the voxel staircase); elements are kept at or above --min-jacobian (docs/imaging.md §9).
    #[arg(long, default_value_t = 0)]
    pub smooth_surface: usize,
    /// Smallest scaled Jacobian of an element after --smooth-surface, in (0, 1).
    #[arg(long, default_value_t = 0.2)]
    pub min_jacobian: f64,
    /// The gmsh executable for --mesh tet (default: $OSTEON_GMSH, else gmsh on PATH; `pip install gmsh`).
    #[arg(long)]
    pub gmsh: Option<PathBuf>,
    /// Taubin λ/μ smoothing passes of the surface for --mesh tet (λ 0.5, μ −0.53).
    #[arg(long, default_value_t = 20)]
    pub smooth_passes: usize,
    /// Scanner calibration line SLOPE,INTERCEPT: mineral density (g/cm³) = INTERCEPT + SLOPE × HU (default 0.0008,0; docs/imaging.md §2).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub calibration: Option<Vec<f64>>,
    /// Density → modulus law: morgan-femoral-neck (default, whole bone; docs/imaging.md §3), morgan-tibia, morgan-vertebra, morgan-trochanter, carter-hayes, keller-femur, keller-vertebra (Keller 1994 in ash density, unverified transcription).
    #[arg(long, default_value = "morgan-femoral-neck")]
    pub law: String,
    /// Smallest element modulus (MPa).
    #[arg(long, default_value_t = 1.0)]
    pub floor: f64,
    /// Modulus of marrow voxels (MPa) instead of the density chain (default: the chain, as Bonemat; docs/imaging.md §5).
    #[arg(long)]
    pub marrow_modulus: Option<f64>,
    /// Number of materials in the deck (moduli binned in equal steps of log E).
    #[arg(long, default_value_t = 20)]
    pub materials: usize,
}

fn parse_roi(text: &str, dims: [usize; 3]) -> Result<VoxelBox> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 3 {
        bail!("--roi {text}: three ranges i0:i1,j0:j1,k0:k1 expected (':' for a whole axis)");
    }
    let mut lo = [0; 3];
    let mut hi = dims;
    for (c, part) in parts.iter().enumerate() {
        let (a, b) = part
            .split_once(':')
            .with_context(|| format!("--roi {text}: range '{part}' is not START:END"))?;
        if !a.trim().is_empty() {
            lo[c] = a
                .trim()
                .parse()
                .with_context(|| format!("--roi {text}: '{a}' is not a voxel index"))?;
        }
        if !b.trim().is_empty() {
            hi[c] = b
                .trim()
                .parse()
                .with_context(|| format!("--roi {text}: '{b}' is not a voxel index"))?;
        }
    }
    Ok(VoxelBox { lo, hi })
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    })
}

/// Run `osteon ct`.
pub fn run(args: &CtArgs, quiet: bool) -> Result<()> {
    let start = Instant::now();
    let mut progress = Spinners::new(quiet);
    progress.notify(&Event::Stage("reading the CT"));
    let mut timings: Vec<(&str, f64)> = Vec::new();
    let law = ModulusLaw::from_name(&args.law)?;
    let calibration = match args.calibration.as_deref() {
        None => DensityCalibration::default(),
        Some([slope, intercept]) => DensityCalibration::with_line(*slope, *intercept)?,
        Some(other) => bail!(
            "--calibration takes SLOPE,INTERCEPT (g/cm³ per HU, g/cm³), got {} value(s)",
            other.len()
        ),
    };
    if args.materials == 0 {
        bail!("--materials 0: at least one material");
    }
    let mut ct = ct::read_volume_selecting(&args.input, args.series.as_deref())?;
    let mut labels = match &args.labels {
        Some(path) => Some(read_nifti(path)?),
        None => None,
    };
    if let Some(roi) = &args.roi {
        let b = parse_roi(roi, ct.dims)?;
        ct = ct.crop(b)?;
        labels = labels
            .map(|l| l.crop(b))
            .transpose()
            .with_context(|| format!("--roi {roi} on the label map"))?;
    }
    timings.push(("read", start.elapsed().as_secs_f64()));
    let segmenting = match (labels, &args.labels) {
        (Some(labels), Some(path)) => Segmenting::Labels {
            labels: Box::new(labels),
            source: path.clone(),
            mapping: LabelMapping::parse(&args.label_map)?,
        },
        _ => Segmenting::Threshold(ThresholdOptions {
            bone_hu: args.threshold,
            cortical_hu: args.cortical.unwrap_or(args.threshold),
            cancellous_hu: args.cancellous,
            fill_holes: true,
        }),
    };
    let options = CtOptions {
        segmenting,
        element_size_mm: args.element_size,
        mapping: MappingOptions {
            calibration,
            law,
            modulus_floor_mpa: args.floor,
            marrow_modulus_mpa: args.marrow_modulus,
        },
        materials: args.materials,
    };
    if args.mesh == MeshKind::Tet {
        if args.smooth_surface > 0 || args.element != VoxelElement::C3d8 {
            bail!(
                "--smooth-surface and --element are options of the voxel mesh; --mesh tet smooths its surface by --smooth-passes and makes C3D10"
            );
        }
        return run_tet(args, quiet, &mut progress, &ct, &options, start, timings);
    }
    let voxel = VoxelOptions {
        smoothing: (args.smooth_surface > 0).then_some(SurfaceSmoothing {
            taubin: TaubinOptions {
                passes: args.smooth_surface,
                ..TaubinOptions::default()
            },
            min_scaled_jacobian: args.min_jacobian,
        }),
        quadratic: args.element == VoxelElement::C3d20,
    };
    progress.notify(&Event::Stage("segmenting, meshing, mapping"));
    let built = match ct::build_voxel(&ct, &options, &voxel) {
        Ok(built) => built,
        Err(CtError::ElementSize(h)) => bail!("--element-size {h}: a finite edge length > 0 (mm)"),
        Err(err) => return Err(err.into()),
    };
    timings.extend(built.timings.iter().copied());
    let t = Instant::now();
    progress.notify(&Event::Stage("writing the model files"));
    let files = built.write(&args.output, &built.heading(&args.input))?;
    timings.push(("write", t.elapsed().as_secs_f64()));
    progress.notify(&Event::Done {
        seconds: start.elapsed().as_secs_f64(),
    });
    let (seg, surface, vm) = (&built.segmentation, &built.surface, &built.voxel_mesh);
    let mesh_volume = vm.mesh.volume();
    let factor = vm.factor;
    let edge = ct.spacing.map(|s| s * factor as f64);
    let surface_note = format!(
        "; surface encloses {:.0} mm³ ({} triangles)",
        surface.enclosed_volume(),
        surface.triangles.len()
    );
    print_input(args, &ct, seg, &surface_note);
    let element = vm
        .mesh
        .blocks
        .first()
        .map_or("C3D8", |b| b.etype.abaqus_name());
    println!(
        "mesh        {} {element} elements ({:.3} × {:.3} × {:.3} mm), {} nodes, {mesh_volume:.0} mm³; {} DISTAL and {} PROXIMAL nodes",
        vm.mesh.n_elements(),
        edge[0],
        edge[1],
        edge[2],
        vm.mesh.n_nodes(),
        vm.mesh.node_set("DISTAL").map_or(0, |s| s.len()),
        vm.mesh.node_set("PROXIMAL").map_or(0, |s| s.len())
    );
    if let Some(r) = &built.smoothing {
        println!(
            "smoothing   {} boundary nodes, Taubin λ 0.5 μ −0.53 × {}: moved {:.3} mm on average (at most {:.3} mm); {} backed off ({} back on their voxel corner) for a scaled Jacobian ≥ {}; smallest now {:.3}",
            r.boundary_nodes,
            args.smooth_surface,
            r.mean_displacement_mm,
            r.max_displacement_mm,
            r.backed_off_nodes,
            r.reset_nodes,
            args.min_jacobian,
            r.min_scaled_jacobian
        );
    }
    if vm.dropped_bone_voxels > 0 {
        eprintln!(
            "warning: {} bone voxels beyond the last whole element block are not meshed",
            vm.dropped_bone_voxels
        );
    }
    print_mapping(&built.properties, &built.bins, &options.mapping.law);
    print_files(&files);
    print_timings(quiet, &timings, start);
    Ok(())
}

/// `osteon ct --mesh tet`: the smoothed surface filled with C3D10 by gmsh.
fn run_tet(
    args: &CtArgs,
    quiet: bool,
    progress: &mut Spinners,
    ct: &Volume,
    options: &CtOptions,
    start: Instant,
    mut timings: Vec<(&'static str, f64)>,
) -> Result<()> {
    let tet = TetOptions {
        smoothing: TaubinOptions {
            passes: args.smooth_passes,
            ..TaubinOptions::default()
        },
        gmsh: args.gmsh.clone(),
    };
    progress.notify(&Event::Stage("segmenting, gmsh C3D10 mesh, mapping"));
    let built = match build_tet(ct, options, &tet) {
        Ok(built) => built,
        Err(CtError::ElementSize(h)) => bail!("--element-size {h}: a finite edge length > 0 (mm)"),
        Err(err) => return Err(err.into()),
    };
    timings.extend(built.timings.iter().copied());
    let t = Instant::now();
    progress.notify(&Event::Stage("writing the model files"));
    let files = built.write(&args.output, &built.heading(&args.input))?;
    timings.push(("write", t.elapsed().as_secs_f64()));
    progress.notify(&Event::Done {
        seconds: start.elapsed().as_secs_f64(),
    });
    let mesh = &built.mesh;
    print_input(args, ct, &built.segmentation, "");
    println!(
        "surface     {} marching-tetrahedra triangles ({:.0} mm³) → Taubin λ 0.5 μ −0.53 × {} ({:.0} mm³) → decimated to {} triangles ({:.0} mm³), the mesh's boundary, written as bone.stl",
        built.marching_triangles,
        built.marching_volume_mm3,
        tet.smoothing.passes,
        built.smoothed_volume_mm3,
        built.surface.triangles.len(),
        built.surface.enclosed_volume()
    );
    println!(
        "mesh        {} C3D10 elements (gmsh {}, edge {:.2} mm), {} nodes, {:.0} mm³; {} DISTAL and {} PROXIMAL nodes",
        mesh.n_elements(),
        built.gmsh.display(),
        built.edge_mm,
        mesh.n_nodes(),
        mesh.volume(),
        mesh.node_set("DISTAL").map_or(0, |s| s.len()),
        mesh.node_set("PROXIMAL").map_or(0, |s| s.len())
    );
    println!(
        "quality     min scaled Jacobian {:.3} (straight-edged C3D10); dihedral angles {:.1}° .. {:.1}°",
        built.quality.min_scaled_jacobian, built.dihedral_deg.0, built.dihedral_deg.1
    );
    let m = &built.mapping;
    println!(
        "sampling    {} .. {} points per element; {} element(s) without a bone sample took the nearest bone voxel",
        m.samples_per_element.0, m.samples_per_element.1, m.nearest_voxel_elements
    );
    if m.unmapped_elements > 0 {
        eprintln!(
            "warning: {} element(s) have no bone voxel within reach; mapped from their own voxels as marrow",
            m.unmapped_elements
        );
    }
    print_mapping(&m.properties, &built.bins, &options.mapping.law);
    print_files(&files);
    print_timings(quiet, &timings, start);
    Ok(())
}

/// The input, its HU range and the segmentation; `note` ends the segmentation's line.
fn print_input(args: &CtArgs, ct: &Volume, seg: &Segmentation, note: &str) {
    let (hu_lo, hu_hi) = ct.value_range();
    let bone = seg.bone_voxels();
    println!(
        "input       {} ({} × {} × {} voxels, {:.3} × {:.3} × {:.3} mm)",
        args.input.display(),
        ct.dims[0],
        ct.dims[1],
        ct.dims[2],
        ct.spacing[0],
        ct.spacing[1],
        ct.spacing[2]
    );
    println!("image HU    {hu_lo:.0} .. {hu_hi:.0}");
    println!(
        "segmented   {bone} bone voxels ({} cortical, {} cancellous, {} marrow), {:.0} mm³{note}",
        seg.count(Region::Cortical),
        seg.count(Region::Cancellous),
        seg.count(Region::Marrow),
        bone as f64 * ct.voxel_volume(),
    );
}

fn print_mapping(props: &ElementProperties, bins: &MaterialBins, law: &ModulusLaw) {
    let (bhu_lo, bhu_hi) = range(props.hu.iter().copied());
    let (e_lo, e_hi) = range(props.modulus_mpa.iter().copied());
    println!("element HU  {bhu_lo:.0} .. {bhu_hi:.0}");
    println!(
        "modulus     {e_lo:.0} .. {e_hi:.0} MPa by {}; {} materials (binning within {:.1} %)",
        law.describe(),
        bins.modulus_mpa.len(),
        100.0 * bins.max_relative_error
    );
}

fn print_files(files: &ct::CtFiles) {
    println!(
        "written     {}, {}, {}",
        files.inp.display(),
        files.vtu.display(),
        files.stl.display()
    );
}

fn print_timings(quiet: bool, timings: &[(&str, f64)], start: Instant) {
    if !quiet {
        let phases: Vec<String> = timings
            .iter()
            .map(|(n, t)| format!("{n} {t:.2} s"))
            .collect();
        println!(
            "timings     {}; total {:.2} s",
            phases.join(", "),
            start.elapsed().as_secs_f64()
        );
    }
}
