//! NIfTI round trip of the phantom, and the RAS → LPS conversion against a header written
//! byte by byte here.

use osteon_imaging::{TibiaPhantom, Volume, Voxels, read_nifti, write_nifti};

fn assert_same_geometry(a: &Volume, b: &Volume, tol: f64) {
    assert_eq!(a.dims, b.dims);
    for c in 0..3 {
        assert!((a.spacing[c] - b.spacing[c]).abs() < tol, "spacing {c}");
        assert!((a.origin[c] - b.origin[c]).abs() < tol, "origin {c}");
        for d in 0..3 {
            assert!(
                (a.direction[c][d] - b.direction[c][d]).abs() < 1e-6,
                "direction {c}{d}"
            );
        }
    }
}

#[test]
fn phantom_round_trip_nii_and_nii_gz() {
    let ct = TibiaPhantom {
        noise_sigma_hu: 15.0,
        ..TibiaPhantom::default()
    }
    .generate()
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["ct.nii", "ct.nii.gz"] {
        let path = dir.path().join(name);
        write_nifti(&path, &ct).unwrap();
        let back = read_nifti(&path).unwrap();
        assert_same_geometry(&ct, &back, 1e-5);
        assert_eq!(back.voxels, ct.voxels, "{name}: voxel for voxel");
    }
}

#[test]
fn float_volume_with_rotated_axes_round_trips() {
    // axes: i along LPS −y, j along LPS +x, k along +z (a right-handed rotation)
    let dirs = [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let vals: Vec<f32> = (0..24).map(|x| x as f32 * 0.25 - 3.0).collect();
    let v = Volume::with_direction(
        [2, 3, 4],
        [0.7, 0.8, 1.25],
        [-12.5, 30.0, 7.0],
        dirs,
        Voxels::F32(vals),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.nii.gz");
    write_nifti(&path, &v).unwrap();
    let back = read_nifti(&path).unwrap();
    assert_same_geometry(&v, &back, 1e-5);
    assert_eq!(back.voxels, v.voxels);
}

/// A NIfTI file made here byte by byte: sform with a RAS origin (10, 20, 30) and spacing
/// 2 × 3 × 4 mm; in LPS the origin must be (−10, −20, 30) and the i and j axes must point
/// along −x and −y.
#[test]
fn sform_ras_is_converted_to_lps() {
    let mut h = vec![0u8; 352];
    h[0..4].copy_from_slice(&348i32.to_le_bytes());
    for (d, x) in [3i16, 2, 1, 1, 1, 1, 1, 1].iter().enumerate() {
        h[40 + 2 * d..42 + 2 * d].copy_from_slice(&x.to_le_bytes());
    }
    h[70..72].copy_from_slice(&2i16.to_le_bytes()); // uint8
    h[72..74].copy_from_slice(&8i16.to_le_bytes());
    h[108..112].copy_from_slice(&352f32.to_le_bytes());
    h[254..256].copy_from_slice(&1i16.to_le_bytes());
    let rows = [
        [2.0f32, 0.0, 0.0, 10.0],
        [0.0, 3.0, 0.0, 20.0],
        [0.0, 0.0, 4.0, 30.0],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, x) in row.iter().enumerate() {
            let at = 280 + 16 * r + 4 * c;
            h[at..at + 4].copy_from_slice(&x.to_le_bytes());
        }
    }
    h[344..348].copy_from_slice(b"n+1\0");
    h.extend_from_slice(&[7, 9]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.nii");
    std::fs::write(&path, &h).unwrap();
    let v = read_nifti(&path).unwrap();
    assert_eq!(v.origin, [-10.0, -20.0, 30.0]);
    assert_eq!(v.spacing, [2.0, 3.0, 4.0]);
    assert_eq!(
        v.direction,
        [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
    );
    assert_eq!(v.world([1.0, 0.0, 0.0]), [-12.0, -20.0, 30.0]); // RAS (12, 20, 30)
    assert_eq!(v.value(1, 0, 0), 9.0);
    // truncated data and a wrong header are errors that name the file
    std::fs::write(&path, &h[..351]).unwrap();
    let err = read_nifti(&path).unwrap_err().to_string();
    assert!(
        err.contains("hand.nii") && err.contains("truncated"),
        "{err}"
    );
    std::fs::write(&path, &h[..100]).unwrap();
    let err = read_nifti(&path).unwrap_err().to_string();
    assert!(err.contains("hand.nii") && err.contains("header"), "{err}");
}
