//! Choosing one series among several: a folder or a DICOMDIR medium that holds more than
//! one CT series (a scanner's export usually adds a localiser, often a second
//! reconstruction).
//!
//! Each file's header is read without its pixel data (Modality, SeriesInstanceUID,
//! SeriesNumber, SeriesDescription, ImageType). Localisers — ImageType (0008,0008) holding
//! `LOCALIZER`, the scout views planned on, not a volume — are set aside. With one CT series
//! left, it is read. With several, osteon does not guess: it stops with the list (images,
//! first file, UID, number, description), and the user names one by its SeriesInstanceUID
//! or its SeriesNumber (`osteon ct --series`, `[patient_ct] series`), which also selects a
//! localiser or any series explicitly.

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions, Tag};

use crate::error::ImagingError;

/// What a file's header says about its series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesHeader {
    /// Modality (0008,0060).
    pub modality: String,
    /// SeriesInstanceUID (0020,000E).
    pub uid: String,
    /// SeriesNumber (0020,0011), as written (empty when absent).
    pub number: String,
    /// SeriesDescription (0008,103E) (empty when absent).
    pub description: String,
    /// ImageType (0008,0008) holds LOCALIZER.
    pub localizer: bool,
}

fn text(obj: &InMemDicomObject, tag: Tag) -> String {
    obj.get(tag)
        .and_then(|e| e.to_str().ok())
        .map(|s| {
            s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_string()
        })
        .unwrap_or_default()
}

/// Read the series attributes of `path`, stopping before the pixel data.
///
/// # Errors
/// [`ImagingError::Format`] when the file does not read as DICOM.
pub fn series_header(path: &Path) -> Result<SeriesHeader, ImagingError> {
    let file = OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
        .map_err(|e| {
            ImagingError::format(
                path,
                format!("not a readable DICOM file (truncated or corrupt?): {e}"),
            )
        })?;
    let obj: &InMemDicomObject = &file;
    let localizer = obj
        .get(tags::IMAGE_TYPE)
        .and_then(|e| e.to_multi_str().ok())
        .is_some_and(|v| {
            v.iter()
                .any(|s| s.trim_matches(|c: char| c == '\0' || c.is_whitespace()) == "LOCALIZER")
        });
    Ok(SeriesHeader {
        modality: text(obj, tags::MODALITY),
        uid: text(obj, tags::SERIES_INSTANCE_UID),
        number: text(obj, tags::SERIES_NUMBER),
        description: text(obj, tags::SERIES_DESCRIPTION),
        localizer,
    })
}

/// One series: its header (from its first file) and its files.
#[derive(Clone, Debug)]
pub struct SeriesFiles {
    /// The header of its first file.
    pub header: SeriesHeader,
    /// Its files.
    pub files: Vec<PathBuf>,
}

impl SeriesFiles {
    /// True when `selector` is its SeriesInstanceUID or its SeriesNumber.
    fn matches(&self, selector: &str) -> bool {
        let s = selector.trim();
        s == self.header.uid || (!self.header.number.is_empty() && s == self.header.number)
    }

    /// One line of a listing.
    fn line(&self) -> String {
        let h = &self.header;
        format!(
            "  {} image(s), first {}: series {}{}{}{}",
            self.files.len(),
            self.files[0].display(),
            h.uid,
            if h.number.is_empty() {
                String::new()
            } else {
                format!(", number {}", h.number)
            },
            if h.description.is_empty() {
                String::new()
            } else {
                format!(" ({})", h.description)
            },
            if h.localizer { ", localiser" } else { "" }
        )
    }
}

/// Group `files` by SeriesInstanceUID (in order of first appearance), reading headers only.
///
/// # Errors
/// [`series_header`]'s.
pub fn group_by_series(files: &[PathBuf]) -> Result<Vec<SeriesFiles>, ImagingError> {
    let mut groups: Vec<SeriesFiles> = Vec::new();
    for f in files {
        let header = series_header(f)?;
        match groups.iter_mut().find(|g| g.header.uid == header.uid) {
            Some(g) => g.files.push(f.clone()),
            None => groups.push(SeriesFiles {
                header,
                files: vec![f.clone()],
            }),
        }
    }
    Ok(groups)
}

/// The files to read among `groups` found in `source` (a folder or a DICOMDIR): the series
/// `selector` names, or the one CT series that is not a localiser. With no CT series, or
/// only localisers, every file is returned (the reader then says what is wrong with them,
/// or reads the lone localiser).
///
/// # Errors
/// [`ImagingError::SeveralSeries`] when `selector` matches no series, or when it is `None`
/// and several CT series remain.
pub fn choose_series(
    source: &Path,
    groups: Vec<SeriesFiles>,
    selector: Option<&str>,
) -> Result<Vec<PathBuf>, ImagingError> {
    let listing = |groups: &[SeriesFiles]| {
        groups
            .iter()
            .map(SeriesFiles::line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let Some(sel) = selector {
        return match groups.iter().find(|g| g.matches(sel)) {
            Some(g) => Ok(g.files.clone()),
            None => Err(ImagingError::SeveralSeries {
                source_path: source.to_path_buf(),
                problem: format!("no series {sel} here"),
                listing: listing(&groups),
            }),
        };
    }
    let volumes: Vec<&SeriesFiles> = groups
        .iter()
        .filter(|g| g.header.modality.eq_ignore_ascii_case("CT") && !g.header.localizer)
        .collect();
    match volumes.as_slice() {
        [one] => Ok(one.files.clone()),
        [] => Ok(groups.into_iter().flat_map(|g| g.files).collect()),
        several => Err(ImagingError::SeveralSeries {
            source_path: source.to_path_buf(),
            problem: format!(
                "{} CT series{}",
                several.len(),
                if several.len() < groups.len() {
                    format!(" (and {} other series)", groups.len() - several.len())
                } else {
                    String::new()
                }
            ),
            listing: listing(&groups),
        }),
    }
}
