//! Reading a CT volume whatever its form: a folder with one DICOM series, a DICOMDIR medium,
//! a single DICOM file, or a NIfTI volume. The one entry point of `osteon ct` and of a study's
//! `[patient_ct]` (`osteon-biomech`).

use std::path::Path;

use crate::dicom::dicomdir::{dicomdir_in, is_dicomdir};
use crate::dicom::{read_dicom_file, read_dicom_series_selecting, read_dicomdir};
use crate::error::ImagingError;
use crate::nifti::read_nifti;
use crate::volume::Volume;

/// Read a CT volume (values in HU, positions in mm, LPS): a folder holding a `DICOMDIR` (or
/// that file itself) as a series of the medium, any other folder as a DICOM series, a
/// `.nii` / `.nii.gz` file as NIfTI, any other file as a single DICOM file. Where there are
/// several series, the one CT series that is not a localiser is read
/// ([`crate::dicom::series`]); [`read_volume_selecting`] names one.
///
/// # Errors
/// [`ImagingError::Os`] (kind `NotFound`) naming `path` when it does not exist; the
/// readers' errors when it does not read as a CT.
pub fn read_volume(path: &Path) -> Result<Volume, ImagingError> {
    read_volume_selecting(path, None)
}

/// [`read_volume`] reading, from a folder or a DICOMDIR with several series, the one
/// `series` names by its SeriesInstanceUID or SeriesNumber (ignored for a single file or
/// NIfTI).
///
/// # Errors
/// As [`read_volume`]; [`ImagingError::SeveralSeries`] when `series` matches none.
pub fn read_volume_selecting(path: &Path, series: Option<&str>) -> Result<Volume, ImagingError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if path.is_dir() {
        match dicomdir_in(path) {
            Some(index) => read_dicomdir(&index, series),
            None => read_dicom_series_selecting(path, series),
        }
    } else if path.is_file() && is_dicomdir(path) {
        read_dicomdir(path, series)
    } else if !path.is_file() {
        Err(ImagingError::Os {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file or folder (expected a DICOM series folder, a DICOMDIR, a DICOM file or a NIfTI volume)",
            ),
        })
    } else if name.ends_with(".nii") || name.ends_with(".nii.gz") {
        read_nifti(path)
    } else {
        read_dicom_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_named() {
        let e = read_volume(Path::new("/no/such/ct.nii.gz")).expect_err("missing");
        let text = e.to_string();
        assert!(
            text.contains("/no/such/ct.nii.gz") && text.contains("no such file"),
            "{text}"
        );
    }
}
