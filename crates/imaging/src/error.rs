//! The one error type of this crate: every variant names the file (or the parameter) at fault.

use std::path::PathBuf;

/// What went wrong while reading, segmenting, meshing or mapping an image.
#[derive(Debug, thiserror::Error)]
pub enum ImagingError {
    /// An operating-system error on a path (missing file, permission, full disk).
    #[error("{}: {source}", path.display())]
    Os {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file that cannot be decoded as the format it claims (truncated, corrupt, wrong
    /// header); the message says what was found and what was expected.
    #[error("{}: {message}", file.display())]
    Format {
        /// The file.
        file: PathBuf,
        /// What was found and what was expected.
        message: String,
    },
    /// A DICOM file that is not a CT image (osteon maps Hounsfield units only).
    #[error("{}: modality is '{modality}', expected 'CT'", file.display())]
    NotCt {
        /// The file.
        file: PathBuf,
        /// The Modality (0008,0060) found.
        modality: String,
    },
    /// A DICOM file whose transfer syntax osteon does not decode (JPEG-LS, JPEG XL, big
    /// endian, …).
    #[error(
        "{}: unsupported transfer syntax {transfer_syntax} (a compression or byte order osteon does not decode); \
         convert the series to explicit VR little endian first, e.g. `gdcmconv --raw`",
        file.display()
    )]
    UnsupportedCompression {
        /// The file.
        file: PathBuf,
        /// The transfer syntax UID.
        transfer_syntax: String,
    },
    /// A DICOM file without a required attribute (pixel data, geometry, size).
    #[error("{}: missing {attribute}", file.display())]
    MissingAttribute {
        /// The file.
        file: PathBuf,
        /// The attribute's name and tag, e.g. `PixelData (7FE0,0010)`.
        attribute: String,
    },
    /// A file of another series than the first file of the folder.
    #[error(
        "{}: belongs to series {found}, but {} belongs to series {expected}: one series per folder",
        file.display(),
        first.display()
    )]
    MixedSeries {
        /// The file of the other series.
        file: PathBuf,
        /// The first file read.
        first: PathBuf,
        /// SeriesInstanceUID of the first file.
        expected: String,
        /// SeriesInstanceUID of `file`.
        found: String,
    },
    /// Two files at the same slice position.
    #[error(
        "{}: duplicated slice, same position ({position_mm:.3} mm along the slice normal) as {}",
        file.display(),
        other.display()
    )]
    DuplicateSlice {
        /// One file.
        file: PathBuf,
        /// The other file at that position.
        other: PathBuf,
        /// The position along the slice normal (mm).
        position_mm: f64,
    },
    /// A gap in the series: the distance to the next slice is a multiple of the spacing.
    #[error(
        "{}: {missing} slice(s) missing after this file: next slice {} is {gap_mm:.3} mm away, slice spacing {spacing_mm:.3} mm",
        file.display(),
        next.display()
    )]
    MissingSlice {
        /// The last file before the gap.
        file: PathBuf,
        /// The first file after the gap.
        next: PathBuf,
        /// Number of slices missing.
        missing: usize,
        /// The gap (mm).
        gap_mm: f64,
        /// The series' slice spacing (mm, the median).
        spacing_mm: f64,
    },
    /// Two frames of one multi-frame file at the same slice position.
    #[error(
        "{}: duplicated slice, frame {frame} is at the same position ({position_mm:.3} mm along the slice normal) as frame {other_frame}",
        file.display()
    )]
    DuplicateFrame {
        /// The multi-frame file.
        file: PathBuf,
        /// One frame (1-based).
        frame: usize,
        /// The other frame at that position (1-based).
        other_frame: usize,
        /// The position along the slice normal (mm).
        position_mm: f64,
    },
    /// A gap between two neighbouring frames of one multi-frame file: their distance is a
    /// multiple of the slice spacing.
    #[error(
        "{}: {missing} slice(s) missing between frame {frame} and frame {next_frame}: {gap_mm:.3} mm apart, slice spacing {spacing_mm:.3} mm",
        file.display()
    )]
    MissingFrame {
        /// The multi-frame file.
        file: PathBuf,
        /// The last frame before the gap (1-based).
        frame: usize,
        /// The first frame after the gap (1-based).
        next_frame: usize,
        /// Number of slices missing.
        missing: usize,
        /// The gap (mm).
        gap_mm: f64,
        /// The slice spacing (mm, the median).
        spacing_mm: f64,
    },
    /// Slices that are not evenly spaced, or not stacked straight (gantry tilt), or whose
    /// size, pixel spacing or orientation differs from the first slice.
    #[error("{}: {message}", file.display())]
    InconsistentSeries {
        /// The file that does not fit.
        file: PathBuf,
        /// What differs, with the values.
        message: String,
    },
    /// A folder or DICOMDIR medium with several CT series (localisers set aside) and no
    /// choice among them, or a choice that matches none.
    #[error(
        "{}: {problem}; choose one by its SeriesInstanceUID or SeriesNumber (osteon ct --series, [patient_ct] series):\n{listing}",
        source_path.display()
    )]
    SeveralSeries {
        /// The folder or the DICOMDIR.
        source_path: PathBuf,
        /// What is wrong ("3 CT series", "no series 7").
        problem: String,
        /// One line per series: images, first file, UID, number, description.
        listing: String,
    },
    /// A folder without a single DICOM file.
    #[error("{}: no DICOM file (files with the 'DICM' marker or the .dcm extension) in this folder", dir.display())]
    EmptySeries {
        /// The folder.
        dir: PathBuf,
    },
    /// A parameter out of range (threshold, element size, calibration, region of interest).
    #[error("invalid {name} = {value}: {expected}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Its value, as text.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// Two volumes that should share a grid (CT and label map) do not.
    #[error("{}: {message}", file.display())]
    GridMismatch {
        /// The file whose grid differs.
        file: PathBuf,
        /// Dimensions or geometry of both.
        message: String,
    },
    /// A segmentation that selects nothing (threshold above every voxel, empty label map).
    #[error("empty segmentation: {0}")]
    EmptySegmentation(String),
    /// A density → modulus law rejected its input.
    #[error(transparent)]
    Material(#[from] osteon_material::MaterialError),
    /// The voxel mesh could not be built.
    #[error(transparent)]
    Mesh(#[from] osteon_mesh::MeshError),
}

impl ImagingError {
    /// An operating-system error on `path`.
    pub fn os(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Os {
            path: path.into(),
            source,
        }
    }

    /// A decoding error in `file`.
    pub fn format(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Format {
            file: file.into(),
            message: message.into(),
        }
    }

    /// A parameter out of range.
    pub fn invalid(name: &'static str, value: impl ToString, expected: impl Into<String>) -> Self {
        Self::InvalidParameter {
            name,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}
