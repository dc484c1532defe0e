//! DICOM series: phantom round trip voxel for voxel, a real scanner file against pydicom,
//! and every malformed input of issue 15 as a typed error naming the file.

use std::path::{Path, PathBuf};

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use osteon_imaging::{
    ImagingError, SeriesInfo, TibiaPhantom, Volume, read_dicom_file, read_dicom_series,
    read_dicom_series_selecting, write_dicom_series,
};

/// A small noisy phantom (1 mm voxels, 37 × 37 × 67) and its series in a temporary folder.
fn series() -> (Volume, tempfile::TempDir, Vec<PathBuf>) {
    let ct = TibiaPhantom {
        voxel_mm: [1.0, 1.0, 1.0],
        supersampling: 1,
        noise_sigma_hu: 20.0,
        ..TibiaPhantom::default()
    }
    .generate()
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    (ct, dir, files)
}

fn edit(path: &Path, f: impl FnOnce(&mut dicom_object::DefaultDicomObject)) {
    let mut obj = dicom_object::open_file(path).unwrap();
    f(&mut obj);
    obj.write_to_file(path).unwrap();
}

fn names(err: &ImagingError, file: &Path) {
    let text = err.to_string();
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(text.contains(&*name), "error does not name {name}: {text}");
}

#[test]
fn phantom_round_trip_voxel_for_voxel() {
    let (ct, dir, files) = series();
    assert_eq!(files.len(), ct.dims[2]);
    let back = read_dicom_series(dir.path()).unwrap();
    assert_eq!(back.dims, ct.dims);
    assert_eq!(back.voxels, ct.voxels, "HU voxel for voxel");
    for c in 0..3 {
        assert!((back.spacing[c] - ct.spacing[c]).abs() < 1e-9);
        assert!((back.origin[c] - ct.origin[c]).abs() < 1e-9);
        assert_eq!(back.direction[c], ct.direction[c]);
    }
}

#[test]
fn slices_are_sorted_by_position_not_by_name() {
    let (ct, dir, files) = series();
    // rename so that the file names run backwards along z
    let n = files.len();
    for (k, f) in files.iter().enumerate() {
        std::fs::rename(f, dir.path().join(format!("x{:04}", n - k))).unwrap();
    }
    let back = read_dicom_series(dir.path()).unwrap();
    assert_eq!(back.voxels, ct.voxels);
}

#[test]
fn rotated_series_keeps_its_geometry() {
    // slices whose rows run along LPS +y and columns along −x (normal +z)
    let dirs = [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let vals: Vec<i16> = (0..4 * 3 * 5).map(|x| x as i16 * 7 - 100).collect();
    let v = Volume::with_direction(
        [4, 3, 5],
        [0.6, 0.8, 1.5],
        [5.0, -7.5, 100.0],
        dirs,
        osteon_imaging::Voxels::I16(vals),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_dicom_series(dir.path(), &v, &SeriesInfo::default()).unwrap();
    let back = read_dicom_series(dir.path()).unwrap();
    assert_eq!(back.voxels, v.voxels);
    assert_eq!(back.dims, v.dims);
    assert_eq!(back.direction, v.direction);
    assert!(
        (0..3).all(|c| (back.spacing[c] - v.spacing[c]).abs() < 1e-12
            && (back.origin[c] - v.origin[c]).abs() < 1e-12)
    );
}

#[test]
fn truncated_file() {
    let (_ct, dir, files) = series();
    let bytes = std::fs::read(&files[3]).unwrap();
    std::fs::write(&files[3], &bytes[..bytes.len() / 2]).unwrap();
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(matches!(err, ImagingError::Format { .. }), "{err}");
    names(&err, &files[3]);
    // cut inside the header too
    std::fs::write(&files[3], &bytes[..200]).unwrap();
    let err = read_dicom_series(dir.path()).unwrap_err();
    names(&err, &files[3]);
}

#[test]
fn missing_pixel_data() {
    let (_ct, dir, files) = series();
    edit(&files[5], |o| {
        o.remove_element(tags::PIXEL_DATA);
    });
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(
        matches!(err, ImagingError::MissingAttribute { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("PixelData"));
    names(&err, &files[5]);
}

#[test]
fn wrong_modality() {
    let (_ct, dir, files) = series();
    edit(&files[0], |o| {
        o.put(DataElement::new(
            tags::MODALITY,
            VR::CS,
            PrimitiveValue::from("MR"),
        ));
    });
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(
        matches!(&err, ImagingError::NotCt { modality, .. } if modality == "MR"),
        "{err}"
    );
    names(&err, &files[0]);
}

#[test]
fn gap_in_the_series() {
    let (_ct, dir, files) = series();
    std::fs::remove_file(&files[10]).unwrap();
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(
        matches!(err, ImagingError::MissingSlice { missing: 1, .. }),
        "{err}"
    );
    names(&err, &files[9]);
}

#[test]
fn duplicated_slice() {
    let (_ct, dir, files) = series();
    let copy = dir.path().join("copy_of_7.dcm");
    std::fs::copy(&files[6], &copy).unwrap();
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(matches!(err, ImagingError::DuplicateSlice { .. }), "{err}");
    assert!(
        err.to_string().contains("copy_of_7.dcm") || err.to_string().contains("slice_0007.dcm"),
        "{err}"
    );
}

#[test]
fn inconsistent_spacing() {
    let (ct, dir, files) = series();
    // move slice 21 by 0.3 of a spacing along z: steps of 1.3 and 0.7 mm around it
    let p = ct.world([0.0, 0.0, 20.3]);
    edit(&files[20], |o| {
        o.put(DataElement::new(
            tags::IMAGE_POSITION_PATIENT,
            VR::DS,
            PrimitiveValue::from(format!("{}\\{}\\{}", p[0], p[1], p[2])),
        ));
    });
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(
        matches!(err, ImagingError::InconsistentSeries { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("uneven"), "{err}");
    names(&err, &files[20]);
}

#[test]
fn mixed_series() {
    let (_ct, dir, files) = series();
    edit(&files[12], |o| {
        o.put(DataElement::new(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.12345"),
        ));
    });
    // two CT series, neither a localiser: listed, each with its first file, not guessed
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(matches!(err, ImagingError::SeveralSeries { .. }), "{err}");
    names(&err, &files[12]);
    assert!(err.to_string().contains("2.25.12345"), "{err}");
    // naming one reads it (here the stray slice: a volume one slice thick)
    let one = read_dicom_series_selecting(dir.path(), Some("2.25.12345")).unwrap();
    assert_eq!(one.dims[2], 1);
    let err = read_dicom_series_selecting(dir.path(), Some("2.25.999")).unwrap_err();
    assert!(err.to_string().contains("no series 2.25.999"), "{err}");
}

/// A localiser beside the series (ImageType LOCALIZER, its own series) is set aside; it can
/// still be read by naming its series number.
#[test]
fn a_localiser_in_the_folder_is_set_aside() {
    let (ct, dir, files) = series();
    let scout = dir.path().join("scout.dcm");
    std::fs::copy(&files[0], &scout).unwrap();
    edit(&scout, |o| {
        o.put(DataElement::new(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.777"),
        ));
        o.put(DataElement::new(
            tags::SERIES_NUMBER,
            VR::IS,
            PrimitiveValue::from("1"),
        ));
        o.put(DataElement::new(
            tags::IMAGE_TYPE,
            VR::CS,
            PrimitiveValue::Strs(
                ["ORIGINAL", "PRIMARY", "LOCALIZER"]
                    .map(String::from)
                    .to_vec()
                    .into(),
            ),
        ));
    });
    let v = read_dicom_series(dir.path()).unwrap();
    assert_eq!(v.dims, ct.dims);
    assert_eq!(
        v.voxels,
        read_dicom_series_selecting(dir.path(), None)
            .unwrap()
            .voxels
    );
    let s = read_dicom_series_selecting(dir.path(), Some("1")).unwrap();
    assert_eq!(s.dims[2], 1);
}

#[test]
fn compressed_transfer_syntax_is_refused() {
    // JPEG-LS Lossless: no pure-Rust decoder is built in (RLE and JPEG are decoded:
    // tests/dicom_formats.rs)
    let (_ct, dir, files) = series();
    edit(&files[2], |o| {
        o.update_meta(|m| m.transfer_syntax = "1.2.840.10008.1.2.4.80".to_string());
    });
    let err = read_dicom_series(dir.path()).unwrap_err();
    names(&err, &files[2]);
    assert!(
        matches!(err, ImagingError::UnsupportedCompression { .. }),
        "{err}"
    );
}

#[test]
fn empty_folder_and_not_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    assert!(matches!(
        read_dicom_series(dir.path()),
        Err(ImagingError::EmptySeries { .. })
    ));
    assert!(matches!(
        read_dicom_series(&dir.path().join("absent")),
        Err(ImagingError::Os { .. })
    ));
}

/// pydicom's `CT_small.dcm` (a real scanner slice, 128 × 128, slope 1, intercept −1024):
/// osteon's HU must equal pydicom's `pixel_array * slope + intercept` pixel for pixel.
#[test]
fn real_scanner_file_matches_pydicom() {
    let script = "import sys\ntry:\n    import pydicom\n    from pydicom.data import get_testdata_file\nexcept ImportError:\n    sys.exit(3)\n\
p = get_testdata_file('CT_small.dcm')\nds = pydicom.dcmread(p)\na = ds.pixel_array.astype(float) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)\n\
print(p)\nprint(ds.Rows, ds.Columns)\nprint(' '.join(str(float(x)) for x in ds.ImagePositionPatient))\nprint(' '.join(str(float(x)) for x in ds.PixelSpacing))\n\
print(' '.join(repr(float(x)) for x in a.ravel()))\n";
    let out = match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            println!("skipped: python3 not runnable ({e})");
            return;
        }
    };
    if !out.status.success() {
        println!(
            "skipped: pydicom (with numpy) is not installed; `python3 -m pip install pydicom numpy` runs this test"
        );
        return;
    }
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let path = PathBuf::from(lines.next().unwrap());
    let size: Vec<usize> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let pos: Vec<f64> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let ps: Vec<f64> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let hu: Vec<f64> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let v = read_dicom_file(&path).unwrap();
    assert_eq!(v.dims, [size[1], size[0], 1]);
    assert_eq!(v.origin.to_vec(), pos);
    assert_eq!([v.spacing[1], v.spacing[0]].to_vec(), ps);
    assert_eq!(v.len(), hu.len());
    // pydicom's array is rows × columns, row-major: the same order as osteon's i + nx·j
    for (n, &h) in hu.iter().enumerate() {
        assert_eq!(f64::from(v.voxels.get(n)), h, "pixel {n}");
    }
    // the same file as a one-slice series folder
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&path, dir.path().join("CT_small.dcm")).unwrap();
    assert_eq!(read_dicom_series(dir.path()).unwrap().voxels, v.voxels);
}
