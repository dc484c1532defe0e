//! DICOM CT series: read a folder of single-frame CT slices into a [`Volume`], write a
//! volume as such a series.
//!
//! Reading (with `dicom-object`): every file with the `DICM` marker (or named `*.dcm`) is one
//! slice; all must be CT of one series (SeriesInstanceUID), of the same size, pixel spacing
//! and orientation. The slice normal is `row × column` of ImageOrientationPatient; slices are
//! sorted by ImagePositionPatient projected on it, and the slice spacing is the median step.
//! A step of about two or more spacings is a missing slice, any other step off the median by
//! more than [`SPACING_TOLERANCE`] is an uneven series, a step of zero a duplicated slice; a
//! slice whose position moves within the plane (gantry tilt) is refused too. Stored values
//! become HU by RescaleSlope/RescaleIntercept (1 and 0 when absent, DICOM's meaning).
//!
//! Pixel data are decoded here, not by `dicom-pixeldata`: osteon reads native
//! (uncompressed) little-endian pixel data only — 16 bits allocated, signed or unsigned,
//! BitsStored honoured — which is a few lines, while `dicom-pixeldata` would add its image
//! and codec dependency tree for the same result. Compressed (encapsulated) series are
//! refused with [`ImagingError::UnsupportedCompression`], naming the transfer syntax.
//!
//! A single file (a folder with one slice, or [`read_dicom_file`]) gets its slice spacing
//! from SpacingBetweenSlices, else SliceThickness.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

use dicom_core::value::Value;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{
    DefaultDicomObject, FileMetaTableBuilder, InMemDicomObject, OpenFileOptions, Tag,
};

use crate::error::ImagingError;
use crate::output::write_atomically;
use crate::volume::{Volume, Voxels, cross, dot, norm};

/// Relative tolerance on slice spacing and in-plane alignment: a step between slices may
/// differ from the median spacing by 1 % (plus 0.01 mm for rounding in the files).
pub const SPACING_TOLERANCE: f64 = 0.01;

const NATIVE_SYNTAXES: [&str; 2] = [
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
];

/// One decoded slice.
struct Slice {
    path: PathBuf,
    series: String,
    position: [f64; 3],
    row_dir: [f64; 3],
    col_dir: [f64; 3],
    rows: usize,
    cols: usize,
    pixel_spacing: [f64; 2],
    slice_spacing: Option<f64>,
    hu: Vec<f32>,
    integral: bool,
}

fn get<'a>(
    obj: &'a DefaultDicomObject,
    tag: Tag,
    name: &str,
    path: &Path,
) -> Result<&'a dicom_object::mem::InMemElement, ImagingError> {
    obj.get(tag).ok_or_else(|| ImagingError::MissingAttribute {
        file: path.into(),
        attribute: format!("{name} ({:04X},{:04X})", tag.0, tag.1),
    })
}

fn floats(
    obj: &DefaultDicomObject,
    tag: Tag,
    name: &str,
    n: usize,
    path: &Path,
) -> Result<Vec<f64>, ImagingError> {
    let v = get(obj, tag, name, path)?
        .to_multi_float64()
        .map_err(|e| ImagingError::format(path, format!("{name}: {e}")))?;
    if v.len() < n || v.iter().any(|x| !x.is_finite()) {
        return Err(ImagingError::format(
            path,
            format!(
                "{name} has {} value(s) {v:?}, expected {n} finite numbers",
                v.len()
            ),
        ));
    }
    Ok(v)
}

fn uint(
    obj: &DefaultDicomObject,
    tag: Tag,
    name: &str,
    path: &Path,
) -> Result<usize, ImagingError> {
    get(obj, tag, name, path)?
        .to_int::<u32>()
        .map(|x| x as usize)
        .map_err(|e| ImagingError::format(path, format!("{name}: {e}")))
}

fn opt_float(obj: &DefaultDicomObject, tag: Tag) -> Option<f64> {
    obj.get(tag)
        .and_then(|e| e.to_float64().ok())
        .filter(|x| x.is_finite())
}

fn text(obj: &DefaultDicomObject, tag: Tag) -> Option<String> {
    obj.get(tag)
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).trim().to_string())
}

/// True when `path` starts with the DICOM Part 10 preamble and `DICM` marker.
fn has_dicm_marker(path: &Path) -> bool {
    let mut head = [0u8; 132];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head[128..132] == b"DICM"
}

fn read_slice(path: &Path) -> Result<Slice, ImagingError> {
    let obj = OpenFileOptions::new().open_file(path).map_err(|e| {
        ImagingError::format(
            path,
            format!("not a readable DICOM file (truncated or corrupt?): {e}"),
        )
    })?;
    let ts = obj
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' '])
        .to_string();
    let modality = text(&obj, tags::MODALITY).ok_or_else(|| ImagingError::MissingAttribute {
        file: path.into(),
        attribute: "Modality (0008,0060)".into(),
    })?;
    if modality != "CT" {
        return Err(ImagingError::NotCt {
            file: path.into(),
            modality,
        });
    }
    let series =
        text(&obj, tags::SERIES_INSTANCE_UID).ok_or_else(|| ImagingError::MissingAttribute {
            file: path.into(),
            attribute: "SeriesInstanceUID (0020,000E)".into(),
        })?;
    let pixel = get(&obj, tags::PIXEL_DATA, "PixelData", path)?;
    if !NATIVE_SYNTAXES.contains(&ts.as_str()) || matches!(pixel.value(), Value::PixelSequence(_)) {
        return Err(ImagingError::UnsupportedCompression {
            file: path.into(),
            transfer_syntax: ts,
        });
    }
    let rows = uint(&obj, tags::ROWS, "Rows", path)?;
    let cols = uint(&obj, tags::COLUMNS, "Columns", path)?;
    let bits = uint(&obj, tags::BITS_ALLOCATED, "BitsAllocated", path)?;
    let stored = obj
        .get(tags::BITS_STORED)
        .and_then(|e| e.to_int::<u32>().ok())
        .map_or(bits, |b| b as usize);
    let signed = uint(
        &obj,
        tags::PIXEL_REPRESENTATION,
        "PixelRepresentation",
        path,
    )? == 1;
    let samples = obj
        .get(tags::SAMPLES_PER_PIXEL)
        .and_then(|e| e.to_int::<u32>().ok())
        .unwrap_or(1);
    let frames = obj
        .get(tags::NUMBER_OF_FRAMES)
        .and_then(|e| e.to_int::<u32>().ok())
        .unwrap_or(1);
    if bits != 16 || samples != 1 || frames != 1 || stored == 0 || stored > 16 {
        return Err(ImagingError::format(
            path,
            format!(
                "{bits} bits allocated ({stored} stored), {samples} sample(s) per pixel, {frames} frame(s): osteon reads single-frame greyscale CT with 16 bits allocated"
            ),
        ));
    }
    let pos = floats(
        &obj,
        tags::IMAGE_POSITION_PATIENT,
        "ImagePositionPatient",
        3,
        path,
    )?;
    let ori = floats(
        &obj,
        tags::IMAGE_ORIENTATION_PATIENT,
        "ImageOrientationPatient",
        6,
        path,
    )?;
    let ps = floats(&obj, tags::PIXEL_SPACING, "PixelSpacing", 2, path)?;
    if ps[0] <= 0.0 || ps[1] <= 0.0 {
        return Err(ImagingError::format(
            path,
            format!("PixelSpacing {ps:?} must be > 0"),
        ));
    }
    let unit = |v: [f64; 3]| {
        let n = norm(v);
        v.map(|x| x / n)
    };
    let row_dir = unit([ori[0], ori[1], ori[2]]);
    let col_dir = unit([ori[3], ori[4], ori[5]]);
    if dot(row_dir, col_dir).abs() > 1e-3 || !row_dir.iter().chain(&col_dir).all(|x| x.is_finite())
    {
        return Err(ImagingError::format(
            path,
            format!(
                "ImageOrientationPatient {ori:?}: rows and columns are not orthogonal unit directions"
            ),
        ));
    }
    let slope = opt_float(&obj, tags::RESCALE_SLOPE).unwrap_or(1.0);
    let intercept = opt_float(&obj, tags::RESCALE_INTERCEPT).unwrap_or(0.0);
    let bytes: Cow<'_, [u8]> = pixel
        .to_bytes()
        .map_err(|e| ImagingError::format(path, format!("PixelData: {e}")))?;
    let need = rows * cols * 2;
    if bytes.len() < need {
        return Err(ImagingError::format(
            path,
            format!(
                "truncated pixel data: {} bytes, {rows} × {cols} pixels of 16 bits need {need}",
                bytes.len()
            ),
        ));
    }
    let mask: u32 = if stored == 16 {
        0xFFFF
    } else {
        (1 << stored) - 1
    };
    let integral = slope.fract() == 0.0 && intercept.fract() == 0.0;
    let hu = bytes[..need]
        .chunks_exact(2)
        .map(|b| {
            let raw = u32::from(u16::from_le_bytes([b[0], b[1]])) & mask;
            let v = if signed && raw & (1 << (stored - 1)) != 0 {
                raw as i64 - (1i64 << stored)
            } else {
                i64::from(raw)
            };
            (slope * v as f64 + intercept) as f32
        })
        .collect();
    let slice_spacing = opt_float(&obj, tags::SPACING_BETWEEN_SLICES)
        .or_else(|| opt_float(&obj, tags::SLICE_THICKNESS))
        .filter(|s| *s > 0.0);
    Ok(Slice {
        path: path.into(),
        series,
        position: [pos[0], pos[1], pos[2]],
        row_dir,
        col_dir,
        rows,
        cols,
        pixel_spacing: [ps[0], ps[1]],
        slice_spacing,
        hu,
        integral,
    })
}

/// Read one CT slice file as a volume one voxel thick.
///
/// # Errors
/// As [`read_dicom_series`], for the one file.
pub fn read_dicom_file(path: &Path) -> Result<Volume, ImagingError> {
    assemble(vec![read_slice(path)?])
}

/// Read the CT series in folder `dir` (every file with the `DICM` marker or the `.dcm`
/// extension; other files are ignored).
///
/// # Errors
/// Each names the file at fault: [`ImagingError::Format`] (not DICOM, truncated, pixel data
/// cut short, unsupported pixel layout), [`ImagingError::NotCt`],
/// [`ImagingError::UnsupportedCompression`], [`ImagingError::MissingAttribute`] (no pixel
/// data or geometry), [`ImagingError::MixedSeries`], [`ImagingError::DuplicateSlice`],
/// [`ImagingError::MissingSlice`], [`ImagingError::InconsistentSeries`];
/// [`ImagingError::EmptySeries`] for a folder without DICOM files, [`ImagingError::Os`]
/// when the folder cannot be listed.
pub fn read_dicom_series(dir: &Path) -> Result<Volume, ImagingError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ImagingError::os(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            has_dicm_marker(p) || p.extension().is_some_and(|e| e.eq_ignore_ascii_case("dcm"))
        })
        .collect();
    if files.is_empty() {
        return Err(ImagingError::EmptySeries { dir: dir.into() });
    }
    files.sort();
    let slices = files
        .iter()
        .map(|p| read_slice(p))
        .collect::<Result<Vec<_>, _>>()?;
    assemble(slices)
}

fn assemble(mut slices: Vec<Slice>) -> Result<Volume, ImagingError> {
    let first = &slices[0];
    let inconsistent = |s: &Slice, what: String| ImagingError::InconsistentSeries {
        file: s.path.clone(),
        message: what,
    };
    for s in &slices[1..] {
        if s.series != first.series {
            return Err(ImagingError::MixedSeries {
                file: s.path.clone(),
                first: first.path.clone(),
                expected: first.series.clone(),
                found: s.series.clone(),
            });
        }
        if (s.rows, s.cols) != (first.rows, first.cols) {
            return Err(inconsistent(
                s,
                format!(
                    "{} × {} pixels, {} has {} × {}",
                    s.rows,
                    s.cols,
                    first.path.display(),
                    first.rows,
                    first.cols
                ),
            ));
        }
        if (0..2).any(|c| {
            (s.pixel_spacing[c] - first.pixel_spacing[c]).abs() > 1e-4 * first.pixel_spacing[c]
        }) {
            return Err(inconsistent(
                s,
                format!(
                    "PixelSpacing {:?}, {} has {:?}",
                    s.pixel_spacing,
                    first.path.display(),
                    first.pixel_spacing
                ),
            ));
        }
        if (0..3).any(|c| {
            (s.row_dir[c] - first.row_dir[c]).abs() > 1e-4
                || (s.col_dir[c] - first.col_dir[c]).abs() > 1e-4
        }) {
            return Err(inconsistent(
                s,
                format!(
                    "ImageOrientationPatient differs from {}",
                    first.path.display()
                ),
            ));
        }
    }
    let normal = cross(first.row_dir, first.col_dir);
    let along = |s: &Slice| dot(s.position, normal);
    slices.sort_by(|a, b| along(a).total_cmp(&along(b)));
    let first = &slices[0];
    let spacing_z = if slices.len() == 1 {
        first.slice_spacing.ok_or_else(|| ImagingError::MissingAttribute { file: first.path.clone(), attribute: "SliceThickness (0018,0050) or SpacingBetweenSlices (0018,0088) (a single slice)".into() })?
    } else {
        let mut steps: Vec<f64> = slices
            .windows(2)
            .map(|w| along(&w[1]) - along(&w[0]))
            .collect();
        let tol_abs = 1e-3 * first.pixel_spacing[0].min(first.pixel_spacing[1]);
        for (w, &step) in slices.windows(2).zip(&steps) {
            if step <= tol_abs {
                return Err(ImagingError::DuplicateSlice {
                    file: w[1].path.clone(),
                    other: w[0].path.clone(),
                    position_mm: along(&w[0]),
                });
            }
        }
        steps.sort_by(f64::total_cmp);
        let median = steps[steps.len() / 2];
        let tol = SPACING_TOLERANCE * median + 0.01;
        for w in slices.windows(2) {
            let step = along(&w[1]) - along(&w[0]);
            let ratio = step / median;
            if ratio > 1.5 && (ratio - ratio.round()).abs() * median <= tol {
                return Err(ImagingError::MissingSlice {
                    file: w[0].path.clone(),
                    next: w[1].path.clone(),
                    missing: ratio.round() as usize - 1,
                    gap_mm: step,
                    spacing_mm: median,
                });
            }
            if (step - median).abs() > tol {
                return Err(inconsistent(
                    &w[1],
                    format!(
                        "uneven slice spacing: {step:.4} mm from {}, the series' spacing is {median:.4} mm (tolerance {tol:.4} mm)",
                        w[0].path.display()
                    ),
                ));
            }
        }
        median
    };
    let tol_plane = SPACING_TOLERANCE * first.pixel_spacing[0].min(first.pixel_spacing[1]) + 0.01;
    for s in &slices[1..] {
        let d = [0, 1, 2].map(|c| s.position[c] - first.position[c]);
        let shift = (dot(d, first.row_dir).powi(2) + dot(d, first.col_dir).powi(2)).sqrt();
        if shift > tol_plane {
            return Err(inconsistent(
                s,
                format!(
                    "slice shifted by {shift:.4} mm within the image plane relative to {} (gantry tilt?): the slices are not stacked straight",
                    first.path.display()
                ),
            ));
        }
    }
    let (rows, cols, n) = (first.rows, first.cols, slices.len());
    // PixelSpacing = (row spacing, column spacing): i runs along a row (column spacing)
    let spacing = [first.pixel_spacing[1], first.pixel_spacing[0], spacing_z];
    let direction = [first.row_dir, first.col_dir, normal];
    let origin = first.position;
    let fits = slices.iter().all(|s| {
        s.integral
            && s.hu
                .iter()
                .all(|&v| v >= f32::from(i16::MIN) && v <= f32::from(i16::MAX))
    });
    let voxels = if fits {
        Voxels::I16(
            slices
                .iter()
                .flat_map(|s| s.hu.iter().map(|&v| v as i16))
                .collect(),
        )
    } else {
        Voxels::F32(slices.iter().flat_map(|s| s.hu.iter().copied()).collect())
    };
    Volume::with_direction([cols, rows, n], spacing, origin, direction, voxels)
}

/// Identification written into a generated series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesInfo {
    /// PatientName and PatientID.
    pub patient: String,
    /// SeriesDescription.
    pub description: String,
    /// A number that makes the UIDs unique (the UIDs are `2.25.` followed by a decimal built
    /// from it, the slice number and the grid size; the same seed gives the same UIDs).
    pub uid_seed: u64,
}

impl Default for SeriesInfo {
    fn default() -> Self {
        Self {
            patient: "PHANTOM".into(),
            description: "osteon tibia phantom".into(),
            uid_seed: 1,
        }
    }
}

fn uid(seed: u64, kind: u64, index: u64) -> String {
    // a 2.25 UID (UUID-derived form): a decimal below 2^128 without leading zeros
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for x in [seed, kind, index] {
        h ^= u128::from(x);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
    }
    format!("2.25.{}", (h >> 1).max(1))
}

/// A DS (decimal string) value of at most 16 characters.
fn ds(x: f64) -> String {
    for p in (0..=10).rev() {
        let s = format!("{x:.p$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        if s.len() <= 16 {
            return if s == "-0" { "0".into() } else { s };
        }
    }
    format!("{x:.6e}")
}

fn ds_multi(v: &[f64]) -> String {
    v.iter().map(|&x| ds(x)).collect::<Vec<_>>().join("\\")
}

/// Write `volume` into folder `dir` (created if missing) as a CT series: one file per slice
/// `slice_0001.dcm`, …, explicit VR little endian, CT Image Storage, 16-bit signed pixels
/// (BitsAllocated = BitsStored = 16, PixelRepresentation 1), RescaleSlope 1 and
/// RescaleIntercept 0 (stored values are HU, rounded to whole HU), ImagePositionPatient and
/// ImageOrientationPatient from the volume's geometry, PixelSpacing, SliceThickness and
/// SpacingBetweenSlices from its spacing. Each file is written atomically.
///
/// # Errors
/// [`ImagingError::InvalidParameter`] when a value is outside −32768…32767 HU or the slice
/// is larger than 65535 pixels a side; [`ImagingError::Os`] when writing fails.
pub fn write_dicom_series(
    dir: &Path,
    volume: &Volume,
    info: &SeriesInfo,
) -> Result<Vec<PathBuf>, ImagingError> {
    let [nx, ny, nz] = volume.dims;
    if nx > 65535 || ny > 65535 {
        return Err(ImagingError::invalid(
            "slice size (pixels)",
            format!("{nx} × {ny}"),
            "at most 65535 a side (DICOM Rows/Columns)",
        ));
    }
    let (lo, hi) = volume.value_range();
    if lo < f32::from(i16::MIN) || hi > f32::from(i16::MAX) {
        return Err(ImagingError::invalid(
            "CT numbers (HU)",
            format!("{lo}..{hi}"),
            "within −32768..32767 to be stored as 16-bit signed pixels",
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| ImagingError::os(dir, e))?;
    let size = (nx as u64) << 32 | (ny as u64) << 16 | nz as u64;
    let study = uid(info.uid_seed, 1, size);
    let series = uid(info.uid_seed, 2, size);
    let frame = uid(info.uid_seed, 3, size);
    let [d0, d1, _] = volume.direction;
    let orientation = ds_multi(&[d0[0], d0[1], d0[2], d1[0], d1[1], d1[2]]);
    let pixel_spacing = ds_multi(&[volume.spacing[1], volume.spacing[0]]);
    let mut paths = Vec::with_capacity(nz);
    for k in 0..nz {
        let mut bytes = Vec::with_capacity(nx * ny * 2);
        for j in 0..ny {
            for i in 0..nx {
                let v = volume.value(i, j, k).round() as i16;
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        let position = volume.world([0.0, 0.0, k as f64]);
        let str_el = |tag: Tag, vr: VR, s: &str| DataElement::new(tag, vr, PrimitiveValue::from(s));
        let u16_el = |tag: Tag, v: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(v));
        let sop = uid(info.uid_seed, 4 + k as u64, size);
        let obj = InMemDicomObject::from_element_iter([
            str_el(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE),
            str_el(tags::SOP_INSTANCE_UID, VR::UI, &sop),
            str_el(tags::MODALITY, VR::CS, "CT"),
            str_el(tags::PATIENT_NAME, VR::PN, &info.patient),
            str_el(tags::PATIENT_ID, VR::LO, &info.patient),
            str_el(tags::SERIES_DESCRIPTION, VR::LO, &info.description),
            str_el(tags::SLICE_THICKNESS, VR::DS, &ds(volume.spacing[2])),
            str_el(tags::SPACING_BETWEEN_SLICES, VR::DS, &ds(volume.spacing[2])),
            str_el(tags::STUDY_INSTANCE_UID, VR::UI, &study),
            str_el(tags::SERIES_INSTANCE_UID, VR::UI, &series),
            str_el(tags::INSTANCE_NUMBER, VR::IS, &(k + 1).to_string()),
            str_el(tags::IMAGE_POSITION_PATIENT, VR::DS, &ds_multi(&position)),
            str_el(tags::IMAGE_ORIENTATION_PATIENT, VR::DS, &orientation),
            str_el(tags::FRAME_OF_REFERENCE_UID, VR::UI, &frame),
            u16_el(tags::SAMPLES_PER_PIXEL, 1),
            str_el(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
            u16_el(tags::ROWS, ny as u16),
            u16_el(tags::COLUMNS, nx as u16),
            str_el(tags::PIXEL_SPACING, VR::DS, &pixel_spacing),
            u16_el(tags::BITS_ALLOCATED, 16),
            u16_el(tags::BITS_STORED, 16),
            u16_el(tags::HIGH_BIT, 15),
            u16_el(tags::PIXEL_REPRESENTATION, 1),
            str_el(tags::RESCALE_INTERCEPT, VR::DS, "0"),
            str_el(tags::RESCALE_SLOPE, VR::DS, "1"),
            str_el(tags::RESCALE_TYPE, VR::LO, "HU"),
            DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(bytes)),
        ]);
        let path = dir.join(format!("slice_{:04}.dcm", k + 1));
        let file = obj
            .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))
            .map_err(|e| ImagingError::format(&path, format!("file meta: {e}")))?;
        write_atomically(&path, |w| file.write_all(w).map_err(std::io::Error::other))?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings_fit_sixteen_characters() {
        for x in [0.0, -0.0, 0.5, 12.1 + 0.2, -123456.78901234, 1e-9, 3.0e12] {
            let s = ds(x);
            assert!(s.len() <= 16, "{s}");
            let back: f64 = s.parse().unwrap();
            assert!((back - x).abs() <= 1e-6 * x.abs().max(1.0), "{x} → {s}");
        }
        assert_ne!(uid(1, 2, 3), uid(1, 2, 4));
        assert!(uid(1, 2, 3).len() <= 64);
    }
}
