//! DICOM beyond native single-frame slices (issue 15): RLE Lossless and JPEG Lossless series and
//! multi-frame (Enhanced) CT written here with known HU, compressed CT of pydicom's test data
//! against pydicom, and the errors of malformed multi-frame and undecodable files.

use std::path::{Path, PathBuf};

use dicom_core::value::{DataSetSequence, PixelFragmentSequence};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{DefaultDicomObject, FileMetaTableBuilder, InMemDicomObject, Tag};
use osteon_imaging::{
    ImagingError, SeriesInfo, Volume, Voxels, read_dicom_file, read_dicom_series,
    write_dicom_series,
};

/// The known HU pattern: every value of −1024…2975 HU occurs, and the first two rows of
/// each slice are air (−1000 HU), which gives the RLE encoder long runs.
fn pattern(i: usize, j: usize, k: usize) -> i16 {
    if j < 2 {
        -1000
    } else {
        ((i * 37 + j * 101 + k * 7919) % 4000) as i16 - 1024
    }
}

/// A rotated, anisotropic grid filled with [`pattern`].
fn volume(dims: [usize; 3]) -> Volume {
    let [nx, ny, nz] = dims;
    let mut v = Vec::with_capacity(nx * ny * nz);
    for k in 0..nz {
        for j in 0..ny {
            for i in 0..nx {
                v.push(pattern(i, j, k));
            }
        }
    }
    Volume::with_direction(
        dims,
        [0.7, 0.9, 1.25],
        [-12.5, 30.0, 101.0],
        [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        Voxels::I16(v),
    )
    .unwrap()
}

fn same_geometry(a: &Volume, b: &Volume) {
    assert_eq!(a.dims, b.dims);
    assert_eq!(a.direction, b.direction);
    for c in 0..3 {
        assert!((a.spacing[c] - b.spacing[c]).abs() < 1e-9, "spacing {c}");
        assert!((a.origin[c] - b.origin[c]).abs() < 1e-9, "origin {c}");
    }
}

fn every_voxel_is_the_pattern(v: &Volume) {
    let [nx, ny, nz] = v.dims;
    for k in 0..nz {
        for j in 0..ny {
            for i in 0..nx {
                assert_eq!(
                    v.value(i, j, k),
                    f32::from(pattern(i, j, k)),
                    "voxel ({i}, {j}, {k})"
                );
            }
        }
    }
}

fn names(err: &ImagingError, file: &Path) {
    let text = err.to_string();
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(text.contains(&*name), "error does not name {name}: {text}");
}

/// PackBits as DICOM PS3.5 Annex G.3.1 wants it: a header byte n in 0…127 is followed by
/// n + 1 literal bytes, n in −127…−1 by one byte repeated 1 − n times (−128 is unused).
fn packbits(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let mut run = 1;
        while i + run < src.len() && src[i + run] == src[i] && run < 128 {
            run += 1;
        }
        if run >= 3 {
            out.push((1i16 - run as i16) as i8 as u8);
            out.push(src[i]);
            i += run;
        } else {
            // literal bytes up to the next run of three (or 128 bytes)
            let start = i;
            while i < src.len()
                && i - start < 128
                && !(i + 2 < src.len() && src[i] == src[i + 1] && src[i] == src[i + 2])
            {
                i += 1;
            }
            out.push((i - start - 1) as u8);
            out.extend_from_slice(&src[start..i]);
        }
    }
    out
}

/// One RLE Lossless frame of 16-bit little-endian samples (Annex G): a 64-byte header
/// (number of segments, then their offsets), segment 1 the high bytes, segment 2 the low
/// bytes, each segment padded to an even length.
fn rle_frame(le16: &[u8]) -> Vec<u8> {
    let high: Vec<u8> = le16.chunks_exact(2).map(|b| b[1]).collect();
    let low: Vec<u8> = le16.chunks_exact(2).map(|b| b[0]).collect();
    let mut segments = [packbits(&high), packbits(&low)];
    for s in &mut segments {
        if s.len() % 2 == 1 {
            s.push(0x80); // a no-op header byte
        }
    }
    let mut header = [0u32; 16];
    header[0] = 2;
    header[1] = 64;
    header[2] = 64 + segments[0].len() as u32;
    let mut out: Vec<u8> = header.iter().flat_map(|x| x.to_le_bytes()).collect();
    out.extend_from_slice(&segments[0]);
    out.extend_from_slice(&segments[1]);
    out
}

#[test]
fn packbits_decodes_back() {
    // a reference PackBits decoder, independent of the codec under test
    let unpack = |src: &[u8]| {
        let (mut out, mut i) = (Vec::new(), 0);
        while i < src.len() {
            let n = src[i] as i8;
            i += 1;
            if n >= 0 {
                out.extend_from_slice(&src[i..i + n as usize + 1]);
                i += n as usize + 1;
            } else if n != -128 {
                out.extend(std::iter::repeat_n(src[i], 1 + (-(n as i16)) as usize));
                i += 1;
            }
        }
        out
    };
    let data: Vec<u8> = (0..1000u32)
        .map(|x| {
            if x % 300 < 150 {
                7
            } else {
                (x * 31 % 251) as u8
            }
        })
        .collect();
    assert_eq!(unpack(&packbits(&data)), data);
    assert_eq!(unpack(&packbits(&[1, 1, 2])), vec![1, 1, 2]);
}

/// The 16-bit little-endian stored values of a file's native pixel data.
fn native_pixels(obj: &DefaultDicomObject) -> Vec<u8> {
    obj.element(tags::PIXEL_DATA)
        .unwrap()
        .to_bytes()
        .unwrap()
        .into_owned()
}

fn put_str(obj: &mut InMemDicomObject, tag: Tag, vr: VR, s: &str) {
    obj.put(DataElement::new(tag, vr, PrimitiveValue::from(s)));
}

fn put_u16(obj: &mut InMemDicomObject, tag: Tag, v: u16) {
    obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
}

/// Store `hu` as 12-bit unsigned values with RescaleIntercept −1024 and junk in the four
/// bits above BitsStored of every fifth pixel (which the reader must mask off).
fn to_stored_12_bit(hu_le16: &[u8]) -> Vec<u8> {
    hu_le16
        .chunks_exact(2)
        .enumerate()
        .flat_map(|(n, b)| {
            let hu = i16::from_le_bytes([b[0], b[1]]);
            let mut s = (i32::from(hu) + 1024) as u16;
            assert!(s < 4096);
            if n % 5 == 0 {
                s |= 0xA000;
            }
            s.to_le_bytes()
        })
        .collect()
}

fn set_12_bit_unsigned(obj: &mut InMemDicomObject) {
    put_u16(obj, tags::BITS_STORED, 12);
    put_u16(obj, tags::HIGH_BIT, 11);
    put_u16(obj, tags::PIXEL_REPRESENTATION, 0);
    put_str(obj, tags::RESCALE_INTERCEPT, VR::DS, "-1024");
    put_str(obj, tags::RESCALE_SLOPE, VR::DS, "1");
}

fn encapsulate(frames: Vec<Vec<u8>>) -> DataElement<InMemDicomObject> {
    DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PixelFragmentSequence::new(Vec::<u32>::new(), frames),
    )
}

#[test]
fn rle_lossless_series_reads_the_known_hu() {
    let ct = volume([23, 17, 9]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    for f in &files {
        let mut obj = dicom_object::open_file(f).unwrap();
        let stored = to_stored_12_bit(&native_pixels(&obj));
        set_12_bit_unsigned(&mut obj);
        obj.put(encapsulate(vec![rle_frame(&stored)]));
        obj.update_meta(|m| m.transfer_syntax = uids::RLE_LOSSLESS.to_string());
        obj.write_to_file(f).unwrap();
    }
    // the files really are RLE-encapsulated
    let check = dicom_object::open_file(&files[0]).unwrap();
    assert_eq!(
        check.meta().transfer_syntax().trim_end_matches('\0'),
        uids::RLE_LOSSLESS
    );
    assert!(
        check
            .element(tags::PIXEL_DATA)
            .unwrap()
            .fragments()
            .is_some()
    );
    let back = read_dicom_series(dir.path()).unwrap();
    same_geometry(&back, &ct);
    every_voxel_is_the_pattern(&back);
    assert!(matches!(back.voxels, Voxels::I16(_)));
}

/// A JPEG Lossless image, Process 14, selection value 1 (DICOM's 1.2.840.10008.1.2.4.70;
/// ITU T.81 Annex H), 16-bit precision, of `rows` × `cols` samples: prediction from the left
/// neighbour (the first row's first sample from 2^15, the other rows' first sample from
/// above), the difference coded by its category SSSS with a Huffman table of 17 codes of
/// 5 bits (code = SSSS), then SSSS extra bits.
fn jpeg_lossless_sv1(samples: &[u16], rows: usize, cols: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    // SOF3: lossless, Huffman; P = 16, Y, X, one component (id 1, 1 × 1, no quantiser)
    out.extend([0xFF, 0xC3, 0, 11, 16]);
    out.extend((rows as u16).to_be_bytes());
    out.extend((cols as u16).to_be_bytes());
    out.extend([1, 1, 0x11, 0]);
    // DHT: table class 0, id 0; BITS: 17 codes of length 5; HUFFVAL: categories 0…16
    out.extend([0xFF, 0xC4, 0, 36, 0x00]);
    let mut bits = [0u8; 16];
    bits[4] = 17;
    out.extend(bits);
    out.extend(0..=16u8);
    // SOS: one component, table 0; Ss = predictor 1, Se = 0, Ah = Al = 0
    out.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0]);
    let (mut acc, mut n): (u32, u32) = (0, 0);
    let mut put = |out: &mut Vec<u8>, value: u32, len: u32| {
        for b in (0..len).rev() {
            acc = acc << 1 | (value >> b & 1);
            n += 1;
            if n == 8 {
                out.push(acc as u8);
                if acc == 0xFF {
                    out.push(0); // byte stuffing
                }
                (acc, n) = (0, 0);
            }
        }
    };
    for r in 0..rows {
        for c in 0..cols {
            let x = samples[r * cols + c];
            let pred = match (r, c) {
                (0, 0) => 1 << 15,
                (_, 0) => samples[(r - 1) * cols],
                _ => samples[r * cols + c - 1],
            };
            let d = i32::from(x.wrapping_sub(pred) as i16);
            let ssss = 32 - d.unsigned_abs().leading_zeros();
            put(&mut out, ssss, 5);
            if ssss > 0 && ssss < 16 {
                let extra = if d > 0 { d } else { d - 1 } as u32 & ((1 << ssss) - 1);
                put(&mut out, extra, ssss);
            }
        }
    }
    put(&mut out, 0x7F, 7); // pad the last byte with 1-bits
    out.extend([0xFF, 0xD9]);
    out
}

#[test]
fn jpeg_lossless_series_reads_the_known_hu() {
    let ct = volume([21, 14, 6]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    for f in &files {
        let mut obj = dicom_object::open_file(f).unwrap();
        let stored = to_stored_12_bit(&native_pixels(&obj));
        let samples: Vec<u16> = stored
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        set_12_bit_unsigned(&mut obj);
        let mut frame = jpeg_lossless_sv1(&samples, ct.dims[1], ct.dims[0]);
        if frame.len() % 2 == 1 {
            frame.push(0); // fragments have even length
        }
        obj.put(encapsulate(vec![frame]));
        obj.update_meta(|m| m.transfer_syntax = uids::JPEG_LOSSLESS_SV1.to_string());
        obj.write_to_file(f).unwrap();
    }
    let back = read_dicom_series(dir.path()).unwrap();
    same_geometry(&back, &ct);
    every_voxel_is_the_pattern(&back);
}

#[test]
fn deflated_series_reads_the_known_hu() {
    let ct = volume([20, 15, 4]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    for f in &files {
        let before = std::fs::metadata(f).unwrap().len();
        edit(f, |o| {
            o.update_meta(|m| {
                m.transfer_syntax = uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.to_string()
            });
        });
        // the data set really is deflated (the air rows compress)
        assert!(std::fs::metadata(f).unwrap().len() < before);
    }
    let back = read_dicom_series(dir.path()).unwrap();
    same_geometry(&back, &ct);
    every_voxel_is_the_pattern(&back);
}

#[test]
fn corrupt_rle_stream_is_an_error_naming_the_file() {
    let ct = volume([8, 6, 3]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    let mut obj = dicom_object::open_file(&files[1]).unwrap();
    let mut frame = rle_frame(&native_pixels(&obj));
    frame.truncate(frame.len() / 2); // the low-byte segment now points past the end
    obj.put(encapsulate(vec![frame]));
    obj.update_meta(|m| m.transfer_syntax = uids::RLE_LOSSLESS.to_string());
    obj.write_to_file(&files[1]).unwrap();
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(matches!(err, ImagingError::Format { .. }), "{err}");
    names(&err, &files[1]);
}

#[test]
fn unsupported_compression_names_file_and_syntax() {
    let ct = volume([8, 6, 3]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    // JPEG-LS Lossless: its codec (CharLS) is C++ and not built into osteon
    let jpeg_ls = "1.2.840.10008.1.2.4.80";
    let mut obj = dicom_object::open_file(&files[2]).unwrap();
    obj.put(encapsulate(vec![vec![0xFF, 0xD8, 0xFF, 0xD9]]));
    obj.update_meta(|m| m.transfer_syntax = jpeg_ls.to_string());
    obj.write_to_file(&files[2]).unwrap();
    let err = read_dicom_series(dir.path()).unwrap_err();
    assert!(
        matches!(&err, ImagingError::UnsupportedCompression { transfer_syntax, .. } if transfer_syntax == jpeg_ls),
        "{err}"
    );
    names(&err, &files[2]);
    assert!(err.to_string().contains(jpeg_ls), "{err}");
}

// ---------------------------------------------------------------- multi-frame (Enhanced CT)

fn ds3(p: [f64; 3]) -> String {
    format!("{}\\{}\\{}", p[0], p[1], p[2])
}

fn item(elements: Vec<DataElement<InMemDicomObject>>) -> InMemDicomObject {
    InMemDicomObject::from_element_iter(elements)
}

fn sq(tag: Tag, items: Vec<InMemDicomObject>) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
}

fn s(tag: Tag, vr: VR, v: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(v))
}

/// Write `ct` as one Enhanced CT file whose frame `f` is slice `order[f]`: per-frame
/// PlanePositionSequence, orientation, pixel measures and rescale (intercept −1024 on
/// 12-bit unsigned stored values) in SharedFunctionalGroupsSequence, and deliberately wrong
/// top-level PixelSpacing and RescaleIntercept that the functional groups override. RLE
/// Lossless (one fragment per frame) when `rle`, else native.
fn write_enhanced(path: &Path, ct: &Volume, order: &[usize], rle: bool) {
    let [nx, ny, _] = ct.dims;
    let [d0, d1, _] = ct.direction;
    let mut per_frame = Vec::new();
    let mut frames = Vec::new();
    for &k in order {
        let mut le = Vec::with_capacity(nx * ny * 2);
        for j in 0..ny {
            for i in 0..nx {
                le.extend_from_slice(&(ct.value(i, j, k) as i16).to_le_bytes());
            }
        }
        frames.push(to_stored_12_bit(&le));
        let position = ct.world([0.0, 0.0, k as f64]);
        per_frame.push(item(vec![sq(
            tags::PLANE_POSITION_SEQUENCE,
            vec![item(vec![s(
                tags::IMAGE_POSITION_PATIENT,
                VR::DS,
                &ds3(position),
            )])],
        )]));
    }
    let shared = item(vec![
        sq(
            tags::PIXEL_MEASURES_SEQUENCE,
            vec![item(vec![
                s(
                    tags::PIXEL_SPACING,
                    VR::DS,
                    &format!("{}\\{}", ct.spacing[1], ct.spacing[0]),
                ),
                s(tags::SLICE_THICKNESS, VR::DS, &ct.spacing[2].to_string()),
            ])],
        ),
        sq(
            tags::PLANE_ORIENTATION_SEQUENCE,
            vec![item(vec![s(
                tags::IMAGE_ORIENTATION_PATIENT,
                VR::DS,
                &format!("{}\\{}", ds3(d0), ds3(d1)),
            )])],
        ),
        sq(
            tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE,
            vec![item(vec![
                s(tags::RESCALE_INTERCEPT, VR::DS, "-1024"),
                s(tags::RESCALE_SLOPE, VR::DS, "1"),
                s(tags::RESCALE_TYPE, VR::LO, "HU"),
            ])],
        ),
    ]);
    let pixel = if rle {
        encapsulate(frames.iter().map(|f| rle_frame(f)).collect())
    } else {
        DataElement::new(
            tags::PIXEL_DATA,
            VR::OW,
            PrimitiveValue::from(frames.concat()),
        )
    };
    let u16_el = |tag: Tag, v: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(v));
    let obj = InMemDicomObject::from_element_iter([
        s(tags::SOP_CLASS_UID, VR::UI, uids::ENHANCED_CT_IMAGE_STORAGE),
        s(tags::SOP_INSTANCE_UID, VR::UI, "2.25.4242"),
        s(tags::MODALITY, VR::CS, "CT"),
        s(tags::SERIES_INSTANCE_UID, VR::UI, "2.25.4243"),
        s(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.4244"),
        s(tags::NUMBER_OF_FRAMES, VR::IS, &order.len().to_string()),
        u16_el(tags::SAMPLES_PER_PIXEL, 1),
        s(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
        u16_el(tags::ROWS, ny as u16),
        u16_el(tags::COLUMNS, nx as u16),
        u16_el(tags::BITS_ALLOCATED, 16),
        u16_el(tags::BITS_STORED, 12),
        u16_el(tags::HIGH_BIT, 11),
        u16_el(tags::PIXEL_REPRESENTATION, 0),
        // wrong on purpose: the functional groups take precedence
        s(tags::PIXEL_SPACING, VR::DS, "9\\9"),
        s(tags::RESCALE_INTERCEPT, VR::DS, "0"),
        sq(tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE, vec![shared]),
        sq(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, per_frame),
        pixel,
    ]);
    let ts = if rle {
        uids::RLE_LOSSLESS
    } else {
        uids::EXPLICIT_VR_LITTLE_ENDIAN
    };
    obj.with_meta(FileMetaTableBuilder::new().transfer_syntax(ts))
        .unwrap()
        .write_to_file(path)
        .unwrap();
}

/// A fixed shuffle of 0..n.
fn shuffled(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for a in (1..n).rev() {
        order.swap(a, (a * 7 + 3) % (a + 1));
    }
    assert_ne!(order, (0..n).collect::<Vec<_>>());
    order
}

#[test]
fn enhanced_multi_frame_ct_in_shuffled_order() {
    let ct = volume([19, 13, 11]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enhanced.dcm");
    write_enhanced(&path, &ct, &shuffled(11), false);
    let v = read_dicom_file(&path).unwrap();
    same_geometry(&v, &ct);
    every_voxel_is_the_pattern(&v);
    // a folder holding the one file reads as the same volume
    let w = read_dicom_series(dir.path()).unwrap();
    assert_eq!(w.voxels, v.voxels);
    same_geometry(&w, &ct);
}

#[test]
fn enhanced_multi_frame_ct_rle_compressed() {
    let ct = volume([16, 12, 7]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enhanced_rle.dcm");
    write_enhanced(&path, &ct, &shuffled(7), true);
    let v = read_dicom_file(&path).unwrap();
    same_geometry(&v, &ct);
    every_voxel_is_the_pattern(&v);
}

fn edit(path: &Path, f: impl FnOnce(&mut DefaultDicomObject)) {
    let mut obj = dicom_object::open_file(path).unwrap();
    f(&mut obj);
    obj.write_to_file(path).unwrap();
}

/// Change the items of PerFrameFunctionalGroupsSequence.
fn per_frame_items(
    obj: &mut DefaultDicomObject,
    mut f: impl FnMut(&mut dicom_core::value::C<InMemDicomObject>),
) {
    assert!(
        obj.update_value(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, |v| f(v
            .items_mut()
            .unwrap()))
    );
}

#[test]
fn multi_frame_without_a_frame_position_names_file_and_frame() {
    let ct = volume([8, 6, 5]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_position.dcm");
    write_enhanced(&path, &ct, &[0, 1, 2, 3, 4], false);
    edit(&path, |o| {
        per_frame_items(o, |items| {
            items[2].remove_element(tags::PLANE_POSITION_SEQUENCE);
        });
    });
    let err = read_dicom_file(&path).unwrap_err();
    assert!(
        matches!(err, ImagingError::MissingAttribute { .. }),
        "{err}"
    );
    names(&err, &path);
    let text = err.to_string();
    assert!(
        text.contains("ImagePositionPatient") && text.contains("frame 3"),
        "{text}"
    );
}

#[test]
fn multi_frame_with_wrong_frame_count_is_refused() {
    let ct = volume([8, 6, 5]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("count.dcm");
    write_enhanced(&path, &ct, &[0, 1, 2, 3, 4], false);
    edit(&path, |o| {
        per_frame_items(o, |items| {
            items.pop();
        });
    });
    let err = read_dicom_file(&path).unwrap_err();
    assert!(matches!(err, ImagingError::Format { .. }), "{err}");
    names(&err, &path);
    assert!(err.to_string().contains("NumberOfFrames"), "{err}");
    // NumberOfFrames larger than the pixel data holds
    write_enhanced(&path, &ct, &[0, 1, 2, 3, 4], false);
    edit(&path, |o| {
        o.put(s(tags::NUMBER_OF_FRAMES, VR::IS, "6"));
        per_frame_items(o, |items| {
            items.push(item(vec![sq(
                tags::PLANE_POSITION_SEQUENCE,
                vec![item(vec![s(
                    tags::IMAGE_POSITION_PATIENT,
                    VR::DS,
                    "0\\0\\500",
                )])],
            )]));
        });
    });
    let err = read_dicom_file(&path).unwrap_err();
    assert!(matches!(err, ImagingError::Format { .. }), "{err}");
    assert!(err.to_string().contains("truncated pixel data"), "{err}");
    names(&err, &path);
}

#[test]
fn multi_frame_gap_and_duplicate_name_the_frames() {
    let ct = volume([8, 6, 6]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gap.dcm");
    // slice 3 left out: frames 1…5 hold slices 0, 1, 2, 4, 5
    write_enhanced(&path, &ct, &[0, 1, 2, 4, 5], false);
    let err = read_dicom_file(&path).unwrap_err();
    assert!(
        matches!(
            err,
            ImagingError::MissingFrame {
                missing: 1,
                frame: 3,
                next_frame: 4,
                ..
            }
        ),
        "{err}"
    );
    names(&err, &path);
    write_enhanced(&path, &ct, &[0, 1, 2, 2, 3], false);
    let err = read_dicom_file(&path).unwrap_err();
    assert!(matches!(err, ImagingError::DuplicateFrame { .. }), "{err}");
    names(&err, &path);
}

#[test]
fn legacy_multi_frame_without_functional_groups_is_refused() {
    // a CT Image Storage file with NumberOfFrames 3 and no per-frame positions
    let ct = volume([8, 6, 1]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_dicom_series(dir.path(), &ct, &SeriesInfo::default()).unwrap();
    edit(&files[0], |o| {
        o.put(s(tags::NUMBER_OF_FRAMES, VR::IS, "3"));
    });
    let err = read_dicom_file(&files[0]).unwrap_err();
    assert!(
        matches!(err, ImagingError::MissingAttribute { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("PerFrameFunctionalGroupsSequence"));
    names(&err, &files[0]);
}

// ------------------------------------------------------------- pydicom's compressed files

/// pydicom's reading of test file `name`: path, rows, columns, HU (its `pixel_array` with
/// the file's rescale), or `None` (with a notice) when pydicom or its decoder is missing.
fn pydicom_hu(name: &str) -> Option<(PathBuf, usize, usize, Vec<f64>)> {
    let script = format!(
        "import sys\ntry:\n    import pydicom\n    from pydicom.data import get_testdata_file\nexcept ImportError:\n    sys.exit(3)\n\
p = get_testdata_file('{name}')\nif p is None:\n    sys.exit(4)\nds = pydicom.dcmread(p)\ntry:\n    a = ds.pixel_array.astype(float)\nexcept Exception:\n    sys.exit(5)\n\
a = a * float(ds.get('RescaleSlope', 1)) + float(ds.get('RescaleIntercept', 0))\n\
print(p)\nprint(ds.Rows, ds.Columns)\nprint(' '.join(repr(float(x)) for x in a.ravel()))\n"
    );
    let out = match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            println!("skipped: python3 not runnable ({e})");
            return None;
        }
    };
    if !out.status.success() {
        println!(
            "skipped {name}: pydicom, its test file or a decoder for it is missing (exit {:?}); `python3 -m pip install pydicom numpy pillow` runs this test",
            out.status.code()
        );
        return None;
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
    let hu = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    Some((path, size[0], size[1], hu))
}

fn assert_pixels_equal(v: &Volume, rows: usize, cols: usize, hu: &[f64], what: &str) {
    assert_eq!(v.dims, [cols, rows, 1], "{what}");
    assert_eq!(v.len(), hu.len(), "{what}");
    let wrong = (0..hu.len())
        .filter(|&n| f64::from(v.voxels.get(n)) != hu[n])
        .count();
    assert_eq!(wrong, 0, "{what}: {wrong} pixels differ from pydicom");
}

/// pydicom's `MR_small_RLE.dcm` (RLE Lossless written by another encoder) decodes to the
/// same pixels as pydicom reads; osteon reads only CT, so a copy is relabelled CT first.
#[test]
fn rle_file_of_another_encoder_matches_pydicom() {
    let Some((path, rows, cols, hu)) = pydicom_hu("MR_small_RLE.dcm") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("MR_small_RLE_as_CT.dcm");
    std::fs::copy(&path, &copy).unwrap();
    edit(&copy, |o| {
        o.put(s(tags::MODALITY, VR::CS, "CT"));
    });
    let v = read_dicom_file(&copy).unwrap();
    assert_pixels_equal(&v, rows, cols, &hu, "MR_small_RLE.dcm");
}

/// pydicom's compressed CT slices (JPEG 2000: `693_J2KI.dcm`, 14 bits stored, signed,
/// intercept −1024; `J2K_pixelrep_mismatch.dcm`, lossless, 13 bits stored): HU equal to
/// pydicom's pixel for pixel.
#[test]
fn compressed_ct_of_pydicom_matches_pydicom() {
    for name in ["693_J2KI.dcm", "J2K_pixelrep_mismatch.dcm"] {
        let Some((path, rows, cols, hu)) = pydicom_hu(name) else {
            continue;
        };
        let v = read_dicom_file(&path).unwrap();
        assert_pixels_equal(&v, rows, cols, &hu, name);
    }
}
