//! DICOM CT: read a folder of CT slices, or one multi-frame CT file, into a [`Volume`];
//! write a volume as a single-frame series.
//!
//! Reading (with `dicom-object`): every file with the `DICM` marker (or named `*.dcm`) holds
//! one slice, or one slice per frame when it is a multi-frame CT (Enhanced CT, Legacy
//! Converted Enhanced CT, or any CT with NumberOfFrames > 1). All must be CT of one series
//! (SeriesInstanceUID), of the same size, pixel spacing and orientation. The slice normal is
//! `row × column` of ImageOrientationPatient; slices are sorted by ImagePositionPatient
//! projected on it, and the slice spacing is the median step. A step of about two or more
//! spacings is a missing slice, any other step off the median by more than
//! [`SPACING_TOLERANCE`] is an uneven series, a step of zero a duplicated slice; a slice whose
//! position moves within the plane (gantry tilt) is refused too. Stored values become HU by
//! RescaleSlope/RescaleIntercept (1 and 0 when absent, DICOM's meaning).
//!
//! **Multi-frame files.** Frame *k* takes its ImagePositionPatient from item *k* of
//! PerFrameFunctionalGroupsSequence → PlanePositionSequence (required for every frame when
//! there are several), and its ImageOrientationPatient (PlaneOrientationSequence),
//! PixelSpacing, SpacingBetweenSlices and SliceThickness (PixelMeasuresSequence) and
//! RescaleSlope/RescaleIntercept (PixelValueTransformationSequence) from its per-frame item,
//! else the SharedFunctionalGroupsSequence item, else the top-level attribute. The frames are
//! then sorted and checked exactly as the files of a series; errors name the file and the
//! frame. A folder holding one multi-frame file reads as that volume.
//!
//! **Pixel data.** Native (uncompressed) little-endian pixel data — Implicit and Explicit VR
//! Little Endian, and Deflated Explicit VR Little Endian, whose data set `dicom-object`
//! inflates — are read in place here: 16 bits allocated, signed or unsigned, BitsStored
//! honoured. That path is a few lines, copies nothing and is by far the common case, so it
//! stays hand-written. `dicom-pixeldata` is not used: it would wrap the same registry
//! decoders in one more layer (and, with its default features, the `image` and `ndarray`
//! crates) and copy the native data, for the same stored values. Encapsulated (compressed)
//! pixel data are decoded frame by frame by the codecs of `dicom-transfer-syntax-registry`
//! (features `rle`, `jpeg`, `openjp2`, `deflate`: all pure Rust, no system library, no C
//! toolchain) into the same native layout — raw stored values — and then converted to HU by
//! the same function as native pixels:
//!
//! | transfer syntax | UID | codec |
//! |---|---|---|
//! | RLE Lossless | 1.2.840.10008.1.2.5 | the registry's own |
//! | JPEG Baseline (Process 1), Extended (Process 2 & 4) | …1.2.4.50, …1.2.4.51 | `jpeg-decoder` |
//! | JPEG Lossless (Process 14; Process 14 SV1) | …1.2.4.57, …1.2.4.70 | `jpeg-decoder` |
//! | JPEG 2000 (Lossless Only; lossy) | …1.2.4.90, …1.2.4.91 | `jpeg2k` on `openjp2` (OpenJPEG ported to Rust) |
//! | Encapsulated Uncompressed Explicit VR Little Endian | …1.2.1.98 | the registry's own |
//!
//! JPEG-LS (…1.2.4.80/81: its codec, CharLS, is C++), JPEG XL, Explicit VR Big Endian and
//! any other syntax are refused with [`ImagingError::UnsupportedCompression`] naming the
//! file and the transfer syntax UID. A codec failing on a corrupt stream is an
//! [`ImagingError::Format`] naming the file and the frame; a panic inside a codec is caught
//! and reported the same way (the panic hook may still print its message to stderr).
//!
//! A single file (a folder with one slice, or [`read_dicom_file`]) gets its slice spacing
//! from SpacingBetweenSlices, else SliceThickness.
//!
//! **Several series.** A DICOMDIR (the index of a scanner's CD or USB stick) is read by
//! [`read_dicomdir`] ([`dicomdir`]); there and in a folder holding several series, the
//! localisers are set aside and the one CT series left is read, or the one the caller names
//! ([`series`]).

pub mod dicomdir;
mod frames;
mod pixels;
pub mod series;
mod write;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use write::{SeriesInfo, write_dicom_series};

use crate::error::ImagingError;
use crate::volume::{Volume, Voxels, cross, dot};

/// Relative tolerance on slice spacing and in-plane alignment: a step between slices may
/// differ from the median spacing by 1 % (plus 0.01 mm for rounding in the files).
pub const SPACING_TOLERANCE: f64 = 0.01;

/// One decoded slice (a single-frame file, or one frame of a multi-frame file).
struct Slice {
    path: PathBuf,
    /// 1-based frame number within a multi-frame file.
    frame: Option<usize>,
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

impl Slice {
    /// The file, and the frame within it, for messages.
    fn label(&self) -> String {
        match self.frame {
            Some(f) => format!("{} (frame {f})", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// True when `path` starts with the DICOM Part 10 preamble and `DICM` marker.
fn has_dicm_marker(path: &Path) -> bool {
    let mut head = [0u8; 132];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head[128..132] == b"DICM"
}

/// Read one CT file: a single-frame slice as a volume one voxel thick, a multi-frame CT as
/// the volume of its frames.
///
/// # Errors
/// As [`read_dicom_series`], for the one file.
pub fn read_dicom_file(path: &Path) -> Result<Volume, ImagingError> {
    assemble(frames::read_file(path)?)
}

/// Read the CT series in folder `dir` (every file with the `DICM` marker or the `.dcm`
/// extension; other files are ignored). A multi-frame file contributes all its frames. With
/// several series in the folder, the one CT series that is not a localiser is read
/// ([`series`]); [`read_dicom_series_selecting`] names one.
///
/// # Errors
/// Each names the file at fault: [`ImagingError::Format`] (not DICOM, truncated, pixel data
/// cut short or undecodable, unsupported pixel layout, a functional group sequence without
/// one item per frame), [`ImagingError::NotCt`], [`ImagingError::UnsupportedCompression`],
/// [`ImagingError::MissingAttribute`] (no pixel data or geometry, a frame without its
/// position), [`ImagingError::MixedSeries`], [`ImagingError::DuplicateSlice`],
/// [`ImagingError::MissingSlice`] (or [`ImagingError::DuplicateFrame`],
/// [`ImagingError::MissingFrame`] between frames of one file),
/// [`ImagingError::InconsistentSeries`]; [`ImagingError::SeveralSeries`] listing the series
/// when several CT series remain; [`ImagingError::EmptySeries`] for a folder without DICOM
/// files, [`ImagingError::Os`] when the folder cannot be listed.
pub fn read_dicom_series(dir: &Path) -> Result<Volume, ImagingError> {
    read_dicom_series_selecting(dir, None)
}

/// [`read_dicom_series`] reading the series `series` names by its SeriesInstanceUID or
/// SeriesNumber (`None`: the one CT series that is not a localiser).
///
/// # Errors
/// As [`read_dicom_series`]; [`ImagingError::SeveralSeries`] when `series` matches none.
pub fn read_dicom_series_selecting(
    dir: &Path,
    series: Option<&str>,
) -> Result<Volume, ImagingError> {
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
    let chosen = series::choose_series(dir, series::group_by_series(&files)?, series)?;
    read_files(&chosen)
}

/// Read a CT series of a DICOMDIR medium: `path` is the DICOMDIR file; the series is
/// chosen as in a folder ([`series`]): the one `series` names by its SeriesInstanceUID or
/// SeriesNumber, else the one CT series that is not a localiser.
///
/// # Errors
/// Those of [`dicomdir::dicomdir_groups`] and [`series::choose_series`], then those of
/// [`read_dicom_series`] for the chosen files.
pub fn read_dicomdir(path: &Path, series: Option<&str>) -> Result<Volume, ImagingError> {
    let chosen = series::choose_series(path, dicomdir::dicomdir_groups(path)?, series)?;
    read_files(&chosen)
}

/// The slices of `files` (at least one), checked and stacked into a volume.
fn read_files(files: &[PathBuf]) -> Result<Volume, ImagingError> {
    let mut slices = Vec::new();
    for p in files {
        slices.extend(frames::read_file(p)?);
    }
    assemble(slices)
}

/// Two neighbours at the same position.
fn duplicate(a: &Slice, b: &Slice, position_mm: f64) -> ImagingError {
    match (a.frame, b.frame) {
        (Some(fa), Some(fb)) if a.path == b.path => ImagingError::DuplicateFrame {
            file: b.path.clone(),
            frame: fb,
            other_frame: fa,
            position_mm,
        },
        _ => ImagingError::DuplicateSlice {
            file: b.path.clone(),
            other: a.path.clone(),
            position_mm,
        },
    }
}

/// A gap of `missing` slices between neighbours `a` and `b`.
fn gap(a: &Slice, b: &Slice, missing: usize, gap_mm: f64, spacing_mm: f64) -> ImagingError {
    match (a.frame, b.frame) {
        (Some(fa), Some(fb)) if a.path == b.path => ImagingError::MissingFrame {
            file: a.path.clone(),
            frame: fa,
            next_frame: fb,
            missing,
            gap_mm,
            spacing_mm,
        },
        _ => ImagingError::MissingSlice {
            file: a.path.clone(),
            next: b.path.clone(),
            missing,
            gap_mm,
            spacing_mm,
        },
    }
}

/// Sort the slices along the slice normal, check them, and stack them into a volume.
/// `slices` is never empty (a file holds at least one frame, a series one file).
fn assemble(mut slices: Vec<Slice>) -> Result<Volume, ImagingError> {
    let first = &slices[0];
    let inconsistent = |s: &Slice, what: String| ImagingError::InconsistentSeries {
        file: s.path.clone(),
        message: match s.frame {
            Some(f) => format!("frame {f}: {what}"),
            None => what,
        },
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
                    first.label(),
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
                    first.label(),
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
                format!("ImageOrientationPatient differs from {}", first.label()),
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
                return Err(duplicate(&w[0], &w[1], along(&w[0])));
            }
        }
        steps.sort_by(f64::total_cmp);
        let median = steps[steps.len() / 2];
        let tol = SPACING_TOLERANCE * median + 0.01;
        for w in slices.windows(2) {
            let step = along(&w[1]) - along(&w[0]);
            let ratio = step / median;
            if ratio > 1.5 && (ratio - ratio.round()).abs() * median <= tol {
                return Err(gap(&w[0], &w[1], ratio.round() as usize - 1, step, median));
            }
            if (step - median).abs() > tol {
                return Err(inconsistent(
                    &w[1],
                    format!(
                        "uneven slice spacing: {step:.4} mm from {}, the series' spacing is {median:.4} mm (tolerance {tol:.4} mm)",
                        w[0].label()
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
                    first.label()
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
