//! `osteon ct`: from a patient's CT to a model — read the series, segment the bone, write its
//! surface, mesh the voxels and map the modulus from the CT numbers (`osteon-imaging`).
//!
//! ```text
//! osteon ct ct_series/ -o out/                    # → out/bone.inp, out/bone.vtu, out/bone.stl
//! osteon ct ct.nii.gz --labels seg.nii.gz --element-size 1.5 --calibration 0.00081,-0.002 -o out/
//! ```
//!
//! The deck is complete: one material per modulus bin (`--materials`), the node set DISTAL
//! clamped and one step with an axial compression of one body weight (686.7 N, 70 kg,
//! `docs/biomechanics.md §1`) spread over the PROXIMAL nodes, so that `osteon solve` and
//! CalculiX run it as written.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use osteon_assembly::{LoadCase, Model, NodalLoad};
use osteon_imaging::{
    DensityCalibration, LabelMapping, MappingOptions, ModulusLaw, Region, Segmentation,
    ThresholdOptions, Volume, VoxelBox, bin_moduli, bone_surface, map_materials, mesh_voxels,
    read_dicom_file, read_dicom_series, read_nifti, segment_labels, segment_threshold,
};
use osteon_io::vtu::{DataArray, VtuFields, write_vtu};
use osteon_material::{IsotropicElastic, Material};

/// Axial load of the written step: one body weight of 70 kg, 686.7 N (`docs/biomechanics.md §1`).
const BODY_WEIGHT_N: f64 = 686.7;
/// Poisson's ratio of the mapped bone, 0.3 (`docs/biomechanics.md §3.1`).
const POISSON: f64 = 0.3;

/// Build a model from a CT: segmentation, STL surface, C3D8 voxel mesh, modulus per element.
#[derive(Debug, Args)]
pub struct CtArgs {
    /// A folder with one DICOM CT series, a single DICOM file, or a NIfTI volume (.nii, .nii.gz) in HU.
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
    /// Label map on the CT grid (NIfTI) instead of the thresholds.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Label numbers → regions for --labels, e.g. 1=cortical,2=cancellous,5=marrow.
    #[arg(long, default_value = "1=cortical,2=cancellous,3=marrow")]
    pub label_map: String,
    /// Region of interest as voxel index ranges i0:i1,j0:j1,k0:k1 (upper bounds excluded), e.g. :,:,40:200.
    #[arg(long)]
    pub roi: Option<String>,
    /// Element edge (mm), rounded to a whole number of voxels (default: one voxel).
    #[arg(long)]
    pub element_size: Option<f64>,
    /// Scanner calibration line SLOPE,INTERCEPT: mineral density (g/cm³) = INTERCEPT + SLOPE × HU (default 0.0008,0; docs/imaging.md §2).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub calibration: Option<Vec<f64>>,
    /// Density → modulus law: morgan-femoral-neck (default, whole bone; docs/imaging.md §3), morgan-tibia, morgan-vertebra, morgan-trochanter, carter-hayes.
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

fn read_volume(path: &Path) -> Result<Volume> {
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
        bail!(
            "{}: no such file or folder (expected a DICOM series folder, a DICOM file or a NIfTI volume)",
            path.display()
        );
    };
    Ok(v)
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
    let mut timings: Vec<(&str, f64)> = Vec::new();
    let mut lap = {
        let mut t = Instant::now();
        move |name: &'static str, timings: &mut Vec<(&str, f64)>| {
            timings.push((name, t.elapsed().as_secs_f64()));
            t = Instant::now();
        }
    };
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
    let mut ct = read_volume(&args.input)?;
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
    lap("read", &mut timings);
    let seg: Segmentation = match (&labels, &args.labels) {
        (Some(l), Some(path)) => {
            segment_labels(l, path, &ct, &LabelMapping::parse(&args.label_map)?)?
        }
        _ => segment_threshold(
            &ct,
            &ThresholdOptions {
                bone_hu: args.threshold,
                cortical_hu: args.cortical.unwrap_or(args.threshold),
                cancellous_hu: args.cancellous,
                fill_holes: true,
            },
        )?,
    };
    lap("segment", &mut timings);
    let surface = bone_surface(&ct, &seg)?;
    lap("surface", &mut timings);
    let factor = match args.element_size {
        None => 1,
        Some(h) if h.is_finite() && h > 0.0 => {
            let mean = (ct.spacing[0] * ct.spacing[1] * ct.spacing[2]).cbrt();
            ((h / mean).round() as usize).max(1)
        }
        Some(h) => bail!("--element-size {h}: a finite edge length > 0 (mm)"),
    };
    let vm = mesh_voxels(&ct, &seg, factor)?;
    lap("mesh", &mut timings);
    let props = map_materials(
        &ct,
        &seg,
        &vm,
        &MappingOptions {
            calibration,
            law,
            modulus_floor_mpa: args.floor,
            marrow_modulus_mpa: args.marrow_modulus,
        },
    )?;
    let bins = bin_moduli(&props.modulus_mpa, args.materials)?;
    lap("map", &mut timings);

    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let stl = args.output.join("bone.stl");
    surface.write_stl(&stl)?;
    let mesh_volume = vm.mesh.volume();
    let region_code: Vec<i32> = vm.regions.iter().map(|r| i32::from(r.code())).collect();
    let element_bin: Vec<i32> = bins.element_bin.iter().map(|&b| b as i32).collect();
    let model = deck_model(&vm, &bins.modulus_mpa, &bins.element_bin, &ct)?;
    let vtu = args.output.join("bone.vtu");
    let fields = VtuFields::new()
        .with_cell_array(DataArray::float64("hu", 1, props.hu.clone()))
        .with_cell_array(DataArray::float64(
            "density",
            1,
            props.density_g_cm3.clone(),
        ))
        .with_cell_array(DataArray::float64(
            "youngs_modulus",
            1,
            props.modulus_mpa.clone(),
        ))
        .with_cell_array(DataArray::int32("region", 1, region_code))
        .with_material(element_bin)
        .with_legend(
            "region",
            Region::ALL.map(|r| (i32::from(r.code()), r.name())),
        )
        .with_node_set_flags(["PROXIMAL", "DISTAL"]);
    write_vtu(&vtu, &vm.mesh, &fields)?;
    let inp = args.output.join("bone.inp");
    let heading = format!(
        "osteon ct {}: voxel mesh ({factor} voxel(s) per element edge), {} materials by {}; DISTAL clamped, {BODY_WEIGHT_N} N axial on PROXIMAL",
        args.input.display(),
        bins.modulus_mpa.len(),
        law.describe()
    );
    osteon_io::deck_writer::write_model_inp(&inp, &model, &heading)?;
    lap("write", &mut timings);

    let (hu_lo, hu_hi) = ct.value_range();
    let (bhu_lo, bhu_hi) = range(props.hu.iter().copied());
    let (e_lo, e_hi) = range(props.modulus_mpa.iter().copied());
    let bone = seg.bone_voxels();
    let edge = ct.spacing.map(|s| s * factor as f64);
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
        "segmented   {bone} bone voxels ({} cortical, {} cancellous, {} marrow), {:.0} mm³; surface encloses {:.0} mm³ ({} triangles)",
        seg.count(Region::Cortical),
        seg.count(Region::Cancellous),
        seg.count(Region::Marrow),
        bone as f64 * ct.voxel_volume(),
        surface.enclosed_volume(),
        surface.triangles.len()
    );
    println!(
        "mesh        {} C3D8 elements ({:.3} × {:.3} × {:.3} mm), {} nodes, {mesh_volume:.0} mm³; {} DISTAL and {} PROXIMAL nodes",
        vm.mesh.n_elements(),
        edge[0],
        edge[1],
        edge[2],
        vm.mesh.n_nodes(),
        vm.mesh.node_set("DISTAL").map_or(0, |s| s.len()),
        vm.mesh.node_set("PROXIMAL").map_or(0, |s| s.len())
    );
    if vm.dropped_bone_voxels > 0 {
        eprintln!(
            "warning: {} bone voxels beyond the last whole element block are not meshed",
            vm.dropped_bone_voxels
        );
    }
    println!("element HU  {bhu_lo:.0} .. {bhu_hi:.0}");
    println!(
        "modulus     {e_lo:.0} .. {e_hi:.0} MPa by {}; {} materials (binning within {:.1} %)",
        law.describe(),
        bins.modulus_mpa.len(),
        100.0 * bins.max_relative_error
    );
    println!(
        "written     {}, {}, {}",
        inp.display(),
        vtu.display(),
        stl.display()
    );
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
    Ok(())
}

/// The voxel mesh as a solvable model: one isotropic material per bin (ν 0.3), DISTAL
/// clamped, one body weight along the bone axis towards distal on the PROXIMAL nodes.
fn deck_model(
    vm: &osteon_imaging::VoxelMesh,
    moduli: &[f64],
    element_bin: &[usize],
    ct: &Volume,
) -> Result<Model> {
    let mut model = Model::new(vm.mesh.clone());
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
    let axis = ct.direction[vm.long_axis];
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
