//! Write the tibia phantom as a DICOM series and as NIfTI, ready for `osteon ct`:
//!
//! ```text
//! cargo run --release -p osteon-imaging --example tibia_phantom -- target/phantom
//! osteon ct target/phantom/dicom -o target/phantom/model      # or: ... target/phantom/ct.nii.gz
//! osteon ct target/phantom/ct.nii.gz --labels target/phantom/labels.nii.gz -o target/phantom/model_labels
//! ```
//!
//! Options: `--voxel MM` (default 0.5), `--noise HU` (default 20), `--blur MM` (default 0.3).

use std::path::PathBuf;

use osteon_imaging::{SeriesInfo, TibiaPhantom, Tissue, Voxels, write_dicom_series, write_nifti};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("target/phantom");
    let mut phantom = TibiaPhantom {
        noise_sigma_hu: 20.0,
        blur_sigma_mm: 0.3,
        ..TibiaPhantom::default()
    };
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> Result<f64, Box<dyn std::error::Error>> {
            Ok(args
                .next()
                .ok_or_else(|| format!("{name} needs a value"))?
                .parse::<f64>()?)
        };
        match a.as_str() {
            "--voxel" => phantom.voxel_mm = [value("--voxel")?; 3],
            "--noise" => phantom.noise_sigma_hu = value("--noise")?,
            "--blur" => phantom.blur_sigma_mm = value("--blur")?,
            other if !other.starts_with("--") => out = PathBuf::from(other),
            other => {
                return Err(format!(
                    "unknown option {other} (--voxel MM, --noise HU, --blur MM, OUTDIR)"
                )
                .into());
            }
        }
    }
    let ct = phantom.generate()?;
    let files = write_dicom_series(&out.join("dicom"), &ct, &SeriesInfo::default())?;
    std::fs::create_dir_all(&out)?;
    write_nifti(&out.join("ct.nii.gz"), &ct)?;
    // the true tissues at the voxel centres as a label map: 1 cortical, 2 cancellous, 3 marrow
    let mut labels = ct.clone();
    let [nx, ny, _] = ct.dims;
    labels.voxels = Voxels::I16(
        (0..ct.len())
            .map(|n| {
                match phantom.tissue(ct.world([
                    (n % nx) as f64,
                    ((n / nx) % ny) as f64,
                    (n / (nx * ny)) as f64,
                ])) {
                    Tissue::Cortical => 1,
                    Tissue::Cancellous => 2,
                    Tissue::Marrow => 3,
                    Tissue::SoftTissue => 0,
                }
            })
            .collect(),
    );
    write_nifti(&out.join("labels.nii.gz"), &labels)?;
    println!(
        "tibia phantom: {} × {} × {} voxels of {} mm; {} DICOM slices in {}, NIfTI {} (and labels.nii.gz, the true tissues)",
        ct.dims[0],
        ct.dims[1],
        ct.dims[2],
        phantom.voxel_mm[0],
        files.len(),
        out.join("dicom").display(),
        out.join("ct.nii.gz").display()
    );
    println!(
        "truth: bone volume {:.0} mm3, shaft cortex {:.1} mm, cortical density {} g/cm3, cancellous {} → {} g/cm3",
        phantom.bone_volume_mm3(),
        phantom.shaft_cortex_thickness_mm(),
        phantom.cortical_density_g_cm3,
        phantom.cancellous_end_density_g_cm3,
        phantom.cancellous_inner_density_g_cm3
    );
    Ok(())
}
