//! DICOMDIR media: a phantom series behind a DICOMDIR written here reads as the series
//! itself, whether the DICOMDIR or its folder is given; a medium with several CT series
//! lists them with their folders unless one is named; pydicom's real `dicomdirtests` medium
//! (CR, CT and MR series) sets its scout aside and lists its two CT volumes, and the one
//! named by its series number, a real 5-slice CT series, reads with the HU pydicom gives,
//! pixel for pixel (skipped with a notice without pydicom).

use std::path::{Path, PathBuf};

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, Length, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use osteon_imaging::dicom::dicomdir::dicomdir_series;
use osteon_imaging::{
    SeriesInfo, TibiaPhantom, read_dicom_series, read_dicomdir, read_volume, read_volume_selecting,
    write_dicom_series,
};

fn record(kind: &str, extra: Vec<DataElement<InMemDicomObject>>) -> InMemDicomObject {
    let mut items = vec![DataElement::new(
        tags::DIRECTORY_RECORD_TYPE,
        VR::CS,
        PrimitiveValue::from(kind),
    )];
    items.extend(extra);
    InMemDicomObject::from_element_iter(items)
}

fn text(tag: dicom_object::Tag, vr: VR, s: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(s))
}

/// Write a DICOMDIR into `root` listing `series`: (modality, UID, files relative to root).
fn write_dicomdir(root: &Path, series: &[(&str, &str, Vec<String>)]) -> PathBuf {
    let mut records = vec![
        record("PATIENT", vec![text(tags::PATIENT_ID, VR::LO, "PHANTOM")]),
        record(
            "STUDY",
            vec![text(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.1")],
        ),
    ];
    for (modality, uid, files) in series {
        records.push(record(
            "SERIES",
            vec![
                text(tags::MODALITY, VR::CS, modality),
                text(tags::SERIES_INSTANCE_UID, VR::UI, uid),
            ],
        ));
        for f in files {
            let parts: Vec<String> = f.split('/').map(str::to_string).collect();
            records.push(record(
                "IMAGE",
                vec![DataElement::new(
                    tags::REFERENCED_FILE_ID,
                    VR::CS,
                    PrimitiveValue::Strs(parts.into()),
                )],
            ));
        }
    }
    let obj = InMemDicomObject::from_element_iter([
        text(tags::FILE_SET_ID, VR::CS, "OSTEON"),
        DataElement::new(
            tags::DIRECTORY_RECORD_SEQUENCE,
            VR::SQ,
            DataSetSequence::new(records, Length::UNDEFINED),
        ),
    ]);
    let meta = FileMetaTableBuilder::new()
        .media_storage_sop_class_uid(uids::MEDIA_STORAGE_DIRECTORY_STORAGE)
        .media_storage_sop_instance_uid("2.25.99")
        .transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN)
        .build()
        .expect("meta");
    let path = root.join("DICOMDIR");
    obj.with_exact_meta(meta)
        .write_to_file(&path)
        .expect("DICOMDIR written");
    path
}

/// A small phantom series in `root/DICOM/<folder>`; its files relative to `root`.
fn phantom_series(root: &Path, folder: &str, seed: u64) -> Vec<String> {
    let ct = TibiaPhantom {
        voxel_mm: [2.0; 3],
        length_mm: 40.0,
        ..TibiaPhantom::default()
    }
    .generate()
    .expect("phantom");
    let dir = root.join("DICOM").join(folder);
    let info = SeriesInfo {
        uid_seed: seed,
        ..SeriesInfo::default()
    };
    write_dicom_series(&dir, &ct, &info)
        .expect("series")
        .iter()
        .map(|p| {
            format!(
                "DICOM/{folder}/{}",
                p.file_name().expect("name").to_string_lossy()
            )
        })
        .collect()
}

#[test]
fn a_ct_series_behind_a_dicomdir_reads_as_the_series() {
    let root = tempfile::tempdir().expect("temp dir");
    let files = phantom_series(root.path(), "SER1", 1);
    let uid = {
        let first = root.path().join(&files[0]);
        let obj = dicom_object::open_file(&first).expect("slice");
        obj.element(tags::SERIES_INSTANCE_UID)
            .expect("uid")
            .to_str()
            .expect("text")
            .trim_end_matches('\0')
            .to_string()
    };
    // an MR series beside it (its record only: it is never read)
    let dicomdir = write_dicomdir(
        root.path(),
        &[
            ("MR", "2.25.7", vec!["DICOM/MR/IM1".into()]),
            ("CT", &uid, files.clone()),
        ],
    );
    let listed = dicomdir_series(&dicomdir).expect("records");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].files.len(), files.len());
    let expected = read_dicom_series(&root.path().join("DICOM/SER1")).expect("series");
    for path in [dicomdir.clone(), root.path().to_path_buf()] {
        let v = read_volume(&path).expect("read through the DICOMDIR");
        assert_eq!(v.dims, expected.dims);
        assert_eq!(v.origin, expected.origin);
        assert_eq!(v.spacing, expected.spacing);
        assert_eq!(v.voxels, expected.voxels, "{}", path.display());
    }
    // two CT series: refused, both folders named
    let second = phantom_series(root.path(), "SER2", 2);
    write_dicomdir(
        root.path(),
        &[("CT", &uid, files), ("CT", "2.25.8", second)],
    );
    let e = read_volume(root.path())
        .expect_err("two CT series")
        .to_string();
    assert!(
        e.contains("2 CT series") && e.contains("SER1") && e.contains("SER2"),
        "{e}"
    );
    let v = read_volume_selecting(root.path(), Some(&uid)).expect("the named series");
    assert_eq!(v.voxels, expected.voxels);
    // a DICOMDIR without any record sequence
    let bogus = root.path().join("other").join("DICOMDIR");
    std::fs::create_dir_all(bogus.parent().expect("folder")).expect("folder");
    std::fs::write(&bogus, b"not dicom").expect("write");
    let e = read_volume(&bogus).expect_err("not a DICOMDIR").to_string();
    assert!(e.contains("DICOMDIR"), "{e}");
}

/// pydicom's `dicomdirtests` medium: three CT series among CR and MR ones, one a scout; the
/// 5-slice CT series `98892001/CT5N` (series number 5), named through the medium or read
/// from its folder, gives pydicom's HU, slice by slice.
#[test]
fn a_real_medium_lists_its_ct_series_and_one_reads_like_pydicom() {
    let script = "import sys, os\ntry:\n    import pydicom\n    import numpy\nexcept ImportError:\n    sys.exit(3)\n\
d = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files', 'dicomdirtests')\n\
if not os.path.isfile(os.path.join(d, 'DICOMDIR')):\n    sys.exit(4)\nprint(d)\n\
s = os.path.join(d, '98892001', 'CT5N')\n\
ds = sorted((pydicom.dcmread(os.path.join(s, f)) for f in os.listdir(s)), key=lambda x: float(x.ImagePositionPatient[2]))\n\
print(ds[0].Rows, ds[0].Columns, len(ds))\n\
print(' '.join(repr(float(v)) for x in ds for v in (x.pixel_array.astype(float) * float(x.RescaleSlope) + float(x.RescaleIntercept)).ravel()))\n";
    let out = match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            println!("NOTICE: python3 not runnable ({e}); test skipped");
            return;
        }
    };
    if !out.status.success() {
        println!(
            "NOTICE: pydicom's dicomdirtests not available (pip install pydicom numpy); test skipped"
        );
        return;
    }
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = text.lines();
    let root = PathBuf::from(lines.next().expect("folder"));
    let size: Vec<usize> = lines
        .next()
        .expect("size")
        .split(' ')
        .map(|x| x.parse().expect("number"))
        .collect();
    let hu: Vec<f64> = lines
        .next()
        .expect("pixels")
        .split(' ')
        .map(|x| x.parse().expect("number"))
        .collect();

    // three CT series, one a scout (ImageType LOCALIZER, set aside): two remain, listed
    let e = read_dicomdir(&root.join("DICOMDIR"), None)
        .expect_err("two CT volumes")
        .to_string();
    println!("{e}");
    assert!(e.contains("2 CT series"), "{e}");
    for folder in ["CT2", "CT2N", "CT5N"] {
        assert!(e.contains(folder), "{folder}: {e}");
    }
    assert!(e.contains("localiser"), "{e}");
    let e = read_volume(&root)
        .expect_err("the medium's folder")
        .to_string();
    assert!(e.contains("2 CT series"), "{e}");

    // named by its SeriesNumber through the medium, or read from its folder
    let v = read_volume_selecting(&root, Some("5")).expect("series 5 of the medium");
    let from_folder = read_volume(&root.join("98892001").join("CT5N")).expect("the folder");
    assert_eq!(v.voxels, from_folder.voxels);
    assert_eq!(v.dims, [size[1], size[0], size[2]]);
    assert!((v.spacing[2] - 2.5).abs() < 1e-9, "{:?}", v.spacing);
    assert_eq!(v.len(), hu.len());
    // osteon stacks slices along the slice normal (+z here, increasing position), as sorted
    for (n, &h) in hu.iter().enumerate() {
        assert_eq!(f64::from(v.voxels.get(n)), h, "voxel {n}");
    }
}
