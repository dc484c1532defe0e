//! The bone surface of the phantom: closed, outward oriented, enclosing the voxel volume
//! within a few per cent (divergence theorem), and a valid binary STL.

use std::time::Instant;

use osteon_imaging::{ThresholdOptions, TibiaPhantom, bone_surface, segment_threshold};

#[test]
fn phantom_surface_is_watertight_and_encloses_the_voxels() {
    let phantom = TibiaPhantom::default();
    let ct = phantom.generate().unwrap();
    let seg = segment_threshold(&ct, &ThresholdOptions::default()).unwrap();
    let t = Instant::now();
    let s = bone_surface(&ct, &seg).unwrap();
    let t_mt = t.elapsed().as_secs_f64();
    assert!(
        s.is_closed_and_oriented(),
        "every edge once in each direction"
    );
    let voxels = seg.bone_voxels() as f64 * ct.voxel_volume();
    let enclosed = s.enclosed_volume();
    let truth = phantom.bone_volume_mm3();
    println!(
        "{} triangles, {} vertices in {t_mt:.2} s; enclosed {enclosed:.0} mm3, voxels {voxels:.0} mm3 ({:+.2} %), phantom {truth:.0} mm3 ({:+.2} %); area {:.0} mm2",
        s.triangles.len(),
        s.vertices.len(),
        100.0 * (enclosed - voxels) / voxels,
        100.0 * (enclosed - truth) / truth,
        s.area()
    );
    assert!(((enclosed - voxels) / voxels).abs() < 0.03);
    assert!(((enclosed - truth) / truth).abs() < 0.03);

    // binary STL: 80 + 4 + 50 bytes per triangle, count as written, normals outward
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bone.stl");
    s.write_stl(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let n = u32::from_le_bytes([bytes[80], bytes[81], bytes[82], bytes[83]]) as usize;
    assert_eq!(n, s.triangles.len());
    assert_eq!(bytes.len(), 84 + 50 * n);
    // the volume from the STL's own f32 vertices matches
    let f = |at: usize| {
        f64::from(f32::from_le_bytes([
            bytes[at],
            bytes[at + 1],
            bytes[at + 2],
            bytes[at + 3],
        ]))
    };
    let mut vol = 0.0;
    for t in 0..n {
        let base = 84 + 50 * t + 12;
        let v = |q: usize| [f(base + 12 * q), f(base + 12 * q + 4), f(base + 12 * q + 8)];
        let (a, b, c) = (v(0), v(1), v(2));
        vol += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            + a[2] * (b[0] * c[1] - b[1] * c[0]))
            / 6.0;
    }
    assert!((vol - enclosed).abs() < 1e-3 * enclosed);
}
