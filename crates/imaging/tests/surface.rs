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

/// The surface the tetrahedral path meshes: Taubin-smoothed and decimated to 1.5 mm edges,
/// still closed, oriented and of sphere topology, enclosing the phantom's analytic volume.
#[test]
fn smoothed_decimated_phantom_surface_keeps_its_volume() {
    use osteon_imaging::{TaubinOptions, decimate, taubin_smooth};
    let phantom = TibiaPhantom::default();
    let ct = phantom.generate().unwrap();
    let seg = segment_threshold(&ct, &ThresholdOptions::default()).unwrap();
    let raw = bone_surface(&ct, &seg).unwrap();
    let t = Instant::now();
    let smooth = taubin_smooth(&raw, &TaubinOptions::default()).unwrap();
    let t_smooth = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let coarse = decimate(&smooth, 1.5).unwrap();
    let t_decimate = t.elapsed().as_secs_f64();
    let truth = phantom.bone_volume_mm3();
    let rel = |s: &osteon_imaging::TriangleMesh| (s.enclosed_volume() - truth) / truth;
    println!(
        "{} triangles: smoothed in {t_smooth:.2} s ({:+.3} % of the phantom's volume), decimated to {} in {t_decimate:.2} s ({:+.3} %)",
        raw.triangles.len(),
        100.0 * rel(&smooth),
        coarse.triangles.len(),
        100.0 * rel(&coarse)
    );
    assert!(smooth.is_closed_and_oriented() && coarse.is_closed_and_oriented());
    assert!(rel(&smooth).abs() < 0.002 && rel(&coarse).abs() < 0.002);
    // V − E + F = 2 (E = 3F/2): one closed surface without handles
    let (v, f) = (coarse.vertices.len() as i64, coarse.triangles.len() as i64);
    assert_eq!(v - f / 2, 2);
    // about the area over the area of an equilateral triangle of 1.5 mm edges
    let expected = coarse.area() / (3f64.sqrt() / 4.0 * 1.5 * 1.5);
    let ratio = coarse.triangles.len() as f64 / expected;
    assert!((0.6..1.6).contains(&ratio), "{ratio}");
}
