//! Writing a volume as a single-frame CT series (explicit VR little endian, native pixels).

use std::path::{Path, PathBuf};

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject, Tag};

use crate::error::ImagingError;
use crate::output::write_atomically;
use crate::volume::Volume;

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
