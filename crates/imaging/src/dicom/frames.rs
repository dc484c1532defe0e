//! One DICOM file → its slices: a single-frame CT image is one slice; a multi-frame CT
//! (Enhanced CT, Legacy Converted Enhanced CT, or any CT with NumberOfFrames > 1) is one
//! slice per frame, each with the geometry and rescale of its functional groups.

use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::mem::InMemElement;
use dicom_object::{InMemDicomObject, OpenFileOptions, Tag};

use super::Slice;
use super::pixels::{PixelFormat, pixel_source};
use crate::error::ImagingError;
use crate::volume::{dot, norm};

fn missing(path: &Path, attribute: String) -> ImagingError {
    ImagingError::MissingAttribute {
        file: path.into(),
        attribute,
    }
}

fn tag_name(name: &str, tag: Tag) -> String {
    format!("{name} ({:04X},{:04X})", tag.0, tag.1)
}

fn uint(obj: &InMemDicomObject, tag: Tag, name: &str, path: &Path) -> Result<usize, ImagingError> {
    obj.get(tag)
        .ok_or_else(|| missing(path, tag_name(name, tag)))?
        .to_int::<u32>()
        .map(|x| x as usize)
        .map_err(|e| ImagingError::format(path, format!("{name}: {e}")))
}

fn opt_uint(obj: &InMemDicomObject, tag: Tag) -> Option<usize> {
    obj.get(tag)
        .and_then(|e| e.to_int::<u32>().ok())
        .map(|x| x as usize)
}

fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    obj.get(tag)
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).trim().to_string())
}

/// Where the attributes of one frame are looked up: the functional group macro `sequence`
/// in the frame's item of PerFrameFunctionalGroupsSequence, then in the item of
/// SharedFunctionalGroupsSequence, then the top level of the data set (a single-frame image,
/// or a multi-frame image that states the attribute once for all frames).
struct Groups<'a> {
    per_frame: Option<&'a InMemDicomObject>,
    shared: Option<&'a InMemDicomObject>,
    top: &'a InMemDicomObject,
    /// 1-based frame number of a multi-frame file.
    frame: Option<usize>,
}

impl<'a> Groups<'a> {
    fn in_group(
        group: Option<&'a InMemDicomObject>,
        sequence: Tag,
        tag: Tag,
    ) -> Option<&'a InMemElement> {
        group?.get(sequence)?.items()?.first()?.get(tag)
    }

    fn find(&self, sequence: Tag, tag: Tag) -> Option<&'a InMemElement> {
        Self::in_group(self.per_frame, sequence, tag)
            .or_else(|| Self::in_group(self.shared, sequence, tag))
            .or_else(|| self.top.get(tag))
    }

    /// Where an attribute was expected, for the error message.
    fn place(&self, name: &str, tag: Tag, sequence: &str) -> String {
        match self.frame {
            Some(f) => format!(
                "{} of frame {f} (PerFrameFunctionalGroupsSequence item {f} > {sequence}, or SharedFunctionalGroupsSequence)",
                tag_name(name, tag)
            ),
            None => tag_name(name, tag),
        }
    }

    fn floats(
        &self,
        el: Option<&InMemElement>,
        name: &str,
        tag: Tag,
        sequence: &str,
        n: usize,
        path: &Path,
    ) -> Result<Vec<f64>, ImagingError> {
        let what = self.place(name, tag, sequence);
        let v = el
            .ok_or_else(|| missing(path, what.clone()))?
            .to_multi_float64()
            .map_err(|e| ImagingError::format(path, format!("{what}: {e}")))?;
        if v.len() < n || v.iter().any(|x| !x.is_finite()) {
            return Err(ImagingError::format(
                path,
                format!(
                    "{what} has {} value(s) {v:?}, expected {n} finite numbers",
                    v.len()
                ),
            ));
        }
        Ok(v)
    }

    fn opt_float(&self, sequence: Tag, tag: Tag) -> Option<f64> {
        self.find(sequence, tag)
            .and_then(|e| e.to_float64().ok())
            .filter(|x| x.is_finite())
    }
}

/// True when `obj` stores several frames or is one of the enhanced (functional group) CT
/// storage classes.
fn is_multi_frame(obj: &InMemDicomObject, frames: usize) -> bool {
    frames > 1
        || obj
            .get(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE)
            .is_some()
}

/// Read the slices of one file (one per frame).
pub(super) fn read_file(path: &Path) -> Result<Vec<Slice>, ImagingError> {
    let file = OpenFileOptions::new().open_file(path).map_err(|e| {
        ImagingError::format(
            path,
            format!("not a readable DICOM file (truncated or corrupt?): {e}"),
        )
    })?;
    let ts = file
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' '])
        .to_string();
    let obj: &InMemDicomObject = &file;
    let modality =
        text(obj, tags::MODALITY).ok_or_else(|| missing(path, "Modality (0008,0060)".into()))?;
    if modality != "CT" {
        return Err(ImagingError::NotCt {
            file: path.into(),
            modality,
        });
    }
    let series = text(obj, tags::SERIES_INSTANCE_UID)
        .ok_or_else(|| missing(path, "SeriesInstanceUID (0020,000E)".into()))?;
    let source = pixel_source(&file, &ts, path)?;
    let rows = uint(obj, tags::ROWS, "Rows", path)?;
    let cols = uint(obj, tags::COLUMNS, "Columns", path)?;
    let bits = uint(obj, tags::BITS_ALLOCATED, "BitsAllocated", path)?;
    let stored = opt_uint(obj, tags::BITS_STORED).unwrap_or(bits);
    let signed = uint(obj, tags::PIXEL_REPRESENTATION, "PixelRepresentation", path)? == 1;
    let samples = opt_uint(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1);
    let frames = match obj.get(tags::NUMBER_OF_FRAMES) {
        None => 1,
        Some(e) => e
            .to_int::<u32>()
            .ok()
            .filter(|&n| n > 0)
            .map(|n| n as usize)
            .ok_or_else(|| {
                ImagingError::format(
                    path,
                    format!(
                        "NumberOfFrames (0028,0008) is {:?}, expected a whole number ≥ 1",
                        e.to_str().unwrap_or_default()
                    ),
                )
            })?,
    };
    if bits != 16 || samples != 1 || stored == 0 || stored > 16 || rows == 0 || cols == 0 {
        return Err(ImagingError::format(
            path,
            format!(
                "{rows} × {cols} pixels, {bits} bits allocated ({stored} stored), {samples} sample(s) per pixel: osteon reads greyscale CT with 16 bits allocated"
            ),
        ));
    }
    let multi = is_multi_frame(obj, frames);
    let per_frame = obj
        .get(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE)
        .and_then(|e| e.items());
    let shared = obj
        .get(tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE)
        .and_then(|e| e.items())
        .and_then(|i| i.first());
    match per_frame {
        Some(items) if items.len() != frames => {
            return Err(ImagingError::format(
                path,
                format!(
                    "PerFrameFunctionalGroupsSequence (5200,9230) has {} item(s), NumberOfFrames is {frames}: one item per frame expected",
                    items.len()
                ),
            ));
        }
        None if frames > 1 => {
            return Err(missing(
                path,
                format!(
                    "PerFrameFunctionalGroupsSequence (5200,9230): the positions of the {frames} frames (NumberOfFrames {frames})"
                ),
            ));
        }
        _ => {}
    }
    let need = rows * cols * 2;
    let mut slices = Vec::with_capacity(frames);
    for f in 0..frames {
        let g = Groups {
            per_frame: per_frame.and_then(|items| items.get(f)),
            shared,
            top: obj,
            frame: multi.then_some(f + 1),
        };
        // every frame of a multi-frame file needs its own position
        let position_el = if frames > 1 {
            Groups::in_group(
                g.per_frame,
                tags::PLANE_POSITION_SEQUENCE,
                tags::IMAGE_POSITION_PATIENT,
            )
        } else {
            g.find(tags::PLANE_POSITION_SEQUENCE, tags::IMAGE_POSITION_PATIENT)
        };
        let pos = g.floats(
            position_el,
            "ImagePositionPatient",
            tags::IMAGE_POSITION_PATIENT,
            "PlanePositionSequence",
            3,
            path,
        )?;
        let ori = g.floats(
            g.find(
                tags::PLANE_ORIENTATION_SEQUENCE,
                tags::IMAGE_ORIENTATION_PATIENT,
            ),
            "ImageOrientationPatient",
            tags::IMAGE_ORIENTATION_PATIENT,
            "PlaneOrientationSequence",
            6,
            path,
        )?;
        let ps = g.floats(
            g.find(tags::PIXEL_MEASURES_SEQUENCE, tags::PIXEL_SPACING),
            "PixelSpacing",
            tags::PIXEL_SPACING,
            "PixelMeasuresSequence",
            2,
            path,
        )?;
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
        if dot(row_dir, col_dir).abs() > 1e-3
            || !row_dir.iter().chain(&col_dir).all(|x| x.is_finite())
        {
            return Err(ImagingError::format(
                path,
                format!(
                    "ImageOrientationPatient {ori:?}: rows and columns are not orthogonal unit directions"
                ),
            ));
        }
        let format = PixelFormat {
            stored,
            signed,
            slope: g
                .opt_float(
                    tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE,
                    tags::RESCALE_SLOPE,
                )
                .unwrap_or(1.0),
            intercept: g
                .opt_float(
                    tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE,
                    tags::RESCALE_INTERCEPT,
                )
                .unwrap_or(0.0),
        };
        let bytes = source.frame(&file, f, frames, need, path)?;
        let slice_spacing = g
            .opt_float(tags::PIXEL_MEASURES_SEQUENCE, tags::SPACING_BETWEEN_SLICES)
            .or_else(|| g.opt_float(tags::PIXEL_MEASURES_SEQUENCE, tags::SLICE_THICKNESS))
            .filter(|s| *s > 0.0);
        slices.push(Slice {
            path: path.into(),
            frame: g.frame,
            series: series.clone(),
            position: [pos[0], pos[1], pos[2]],
            row_dir,
            col_dir,
            rows,
            cols,
            pixel_spacing: [ps[0], ps[1]],
            slice_spacing,
            hu: format.hu_of(&bytes),
            integral: format.integral(),
        });
    }
    Ok(slices)
}
