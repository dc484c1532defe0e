//! DICOMDIR: the index file of a DICOM medium (a CD, a USB stick from the scanner). It holds
//! a sequence of directory records (DirectoryRecordSequence (0004,1220)); each has a type
//! (DirectoryRecordType (0004,1430): PATIENT, STUDY, SERIES, IMAGE, …) and an IMAGE record
//! names its file by ReferencedFileID (0004,1500), path components relative to the
//! DICOMDIR's folder.
//!
//! osteon reads the records in file order, each IMAGE record belonging to the SERIES record
//! before it (the depth-first order media creators write; a file whose series differs from
//! its record's is still caught when the slices are checked, [`ImagingError::MixedSeries`]).
//! The series to read is then chosen as in a folder ([`super::series`]): the one CT series
//! that is not a localiser, or the one the user names.

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};

use super::series::{SeriesFiles, SeriesHeader, series_header};
use crate::error::ImagingError;

/// One series listed in a DICOMDIR.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectorySeries {
    /// Modality (0008,0060) of the SERIES record ("CT", "MR", …; empty when absent).
    pub modality: String,
    /// SeriesInstanceUID (0020,000E) of the SERIES record.
    pub uid: String,
    /// SeriesNumber (0020,0011) of the SERIES record (empty when absent).
    pub number: String,
    /// SeriesDescription (0008,103E) when the record has it.
    pub description: String,
    /// The files of its IMAGE records, in record order.
    pub files: Vec<PathBuf>,
}

/// The name of the index file in a medium's root folder.
pub const DICOMDIR_NAME: &str = "DICOMDIR";

/// The DICOMDIR in `dir` (its name matched without case), if any.
pub fn dicomdir_in(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(DICOMDIR_NAME))
        })
}

/// True when `path`'s file name is `DICOMDIR` (any case).
pub fn is_dicomdir(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(DICOMDIR_NAME))
}

/// The series a DICOMDIR lists, with the files of their IMAGE records.
///
/// # Errors
/// [`ImagingError::Format`] when the file does not read as DICOM or has no directory record
/// sequence.
pub fn dicomdir_series(path: &Path) -> Result<Vec<DirectorySeries>, ImagingError> {
    let file = OpenFileOptions::new()
        .open_file(path)
        .map_err(|e| ImagingError::format(path, format!("not a readable DICOMDIR: {e}")))?;
    let records = file
        .element(tags::DIRECTORY_RECORD_SEQUENCE)
        .ok()
        .and_then(|e| e.items())
        .ok_or_else(|| {
            ImagingError::format(
                path,
                "no DirectoryRecordSequence (0004,1220): not a DICOMDIR",
            )
        })?;
    let root = path.parent().unwrap_or(Path::new("."));
    let text = |r: &InMemDicomObject, tag| -> String {
        r.element(tag)
            .ok()
            .and_then(|e| e.to_str().ok())
            .map(|s| {
                s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .to_string()
            })
            .unwrap_or_default()
    };
    let mut series: Vec<DirectorySeries> = Vec::new();
    for record in records {
        match text(record, tags::DIRECTORY_RECORD_TYPE).as_str() {
            "SERIES" => series.push(DirectorySeries {
                modality: text(record, tags::MODALITY),
                uid: text(record, tags::SERIES_INSTANCE_UID),
                number: text(record, tags::SERIES_NUMBER),
                description: text(record, tags::SERIES_DESCRIPTION),
                files: Vec::new(),
            }),
            "IMAGE" => {
                let Some(current) = series.last_mut() else {
                    return Err(ImagingError::format(
                        path,
                        "an IMAGE record comes before any SERIES record",
                    ));
                };
                let Some(parts) = record
                    .element(tags::REFERENCED_FILE_ID)
                    .ok()
                    .and_then(|e| e.to_multi_str().ok())
                else {
                    continue;
                };
                let mut file = root.to_path_buf();
                for part in parts.iter() {
                    file.push(part.trim_matches(|c: char| c == '\0' || c.is_whitespace()));
                }
                current.files.push(file);
            }
            _ => {}
        }
    }
    Ok(series)
}

/// The series a DICOMDIR lists that have images (for the choice among them,
/// [`super::series::choose_series`]): a series whose record states another modality than
/// CT keeps its record's attributes; the others take the header of their first file (which
/// tells a localiser).
///
/// # Errors
/// Those of [`dicomdir_series`] and of [`super::series::series_header`] (a listed CT file
/// missing or unreadable, named).
pub fn dicomdir_groups(path: &Path) -> Result<Vec<SeriesFiles>, ImagingError> {
    dicomdir_series(path)?
        .into_iter()
        .filter(|s| !s.files.is_empty())
        .map(|s| {
            let other = !s.modality.is_empty() && !s.modality.eq_ignore_ascii_case("CT");
            let header = if other {
                SeriesHeader {
                    modality: s.modality,
                    uid: s.uid,
                    number: s.number,
                    description: s.description,
                    localizer: false,
                }
            } else {
                series_header(&s.files[0])?
            };
            Ok(SeriesFiles {
                header,
                files: s.files,
            })
        })
        .collect()
}
