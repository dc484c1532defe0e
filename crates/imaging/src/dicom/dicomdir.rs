//! DICOMDIR: the index file of a DICOM medium (a CD, a USB stick from the scanner). It holds
//! a sequence of directory records (DirectoryRecordSequence (0004,1220)); each has a type
//! (DirectoryRecordType (0004,1430): PATIENT, STUDY, SERIES, IMAGE, …) and an IMAGE record
//! names its file by ReferencedFileID (0004,1500), path components relative to the
//! DICOMDIR's folder.
//!
//! osteon reads the records in file order, each IMAGE record belonging to the SERIES record
//! before it (the depth-first order media creators write; a file whose series differs from
//! its record's is still caught when the slices are checked, [`ImagingError::MixedSeries`]).
//! The CT series is the one SERIES record of modality CT; a medium with several CT series
//! (a localiser, other reconstructions, other exams) is refused with the list of them, their
//! size and their folder, so that the user passes the folder of the one to mesh.

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};

use crate::error::ImagingError;

/// One series listed in a DICOMDIR.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectorySeries {
    /// Modality (0008,0060) of the SERIES record ("CT", "MR", …; empty when absent).
    pub modality: String,
    /// SeriesInstanceUID (0020,000E) of the SERIES record.
    pub uid: String,
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

/// The files of the one CT series a DICOMDIR lists.
///
/// # Errors
/// Those of [`dicomdir_series`]; [`ImagingError::Format`] naming the DICOMDIR when it lists
/// no CT series with images, or several (each with its modality, UID, description, number
/// of images and folder).
pub fn dicomdir_ct_files(path: &Path) -> Result<Vec<PathBuf>, ImagingError> {
    let all = dicomdir_series(path)?;
    let ct: Vec<&DirectorySeries> = all
        .iter()
        .filter(|s| s.modality.eq_ignore_ascii_case("CT") && !s.files.is_empty())
        .collect();
    match ct.as_slice() {
        [one] => Ok(one.files.clone()),
        [] => Err(ImagingError::format(
            path,
            format!(
                "no CT series with images among its {} series ({})",
                all.len(),
                all.iter()
                    .map(|s| if s.modality.is_empty() {
                        "?"
                    } else {
                        s.modality.as_str()
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        several => Err(ImagingError::format(
            path,
            format!(
                "{} CT series: read one by passing its folder instead of the DICOMDIR:\n{}",
                several.len(),
                several
                    .iter()
                    .map(|s| format!(
                        "  {} image(s) in {}: series {}{}",
                        s.files.len(),
                        s.files[0].parent().unwrap_or(Path::new(".")).display(),
                        s.uid,
                        if s.description.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", s.description)
                        }
                    ))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )),
    }
}
