//! Segmentation of the tibia phantom against its known geometry: enclosed bone volume within
//! 2 %, shaft cortex thickness within one voxel, the canal filled, every voxel well inside
//! a tissue in its region (all of them without noise; noise of 30 HU moves cancellous voxels
//! near the 150 HU marrow threshold, so there 0.1 % may differ).

use std::time::Instant;

use osteon_imaging::{Region, ThresholdOptions, TibiaPhantom, Tissue, segment_threshold};

fn check(phantom: &TibiaPhantom, label: &str, wrong_fraction: f64) {
    let t = Instant::now();
    let ct = phantom.generate().unwrap();
    let t_gen = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let seg = segment_threshold(&ct, &ThresholdOptions::default()).unwrap();
    let t_seg = t.elapsed().as_secs_f64();
    let truth = phantom.bone_volume_mm3();
    let got = seg.bone_voxels() as f64 * ct.voxel_volume();
    let err = (got - truth) / truth;
    println!(
        "{label}: {} voxels, generate {t_gen:.2} s, segment {t_seg:.2} s; bone volume {got:.0} mm3 vs {truth:.0} mm3 ({:+.2} %)",
        ct.len(),
        100.0 * err
    );
    assert!(
        err.abs() < 0.02,
        "{label}: volume error {:.2} %",
        100.0 * err
    );

    // mid-shaft slice: walk out from the axis along ±x and ±y, count cortical voxels
    let k = ct.grid([0.0, 0.0, phantom.length_mm / 2.0])[2].round() as usize;
    let c = ct.grid([0.0, 0.0, 0.0]).map(|x| x.round() as usize);
    let truth_t = phantom.shaft_cortex_thickness_mm();
    for (di, dj) in [(1i64, 0i64), (-1, 0), (0, 1), (0, -1)] {
        let mut count = 0;
        for s in 0..ct.dims[0] as i64 / 2 {
            let (i, j) = (c[0] as i64 + di * s, c[1] as i64 + dj * s);
            if seg.region(ct.index(i as usize, j as usize, k)) == Some(Region::Cortical) {
                count += 1;
            }
        }
        let thickness = count as f64 * ct.spacing[0];
        println!("{label}: cortex along ({di}, {dj}): {thickness:.2} mm vs {truth_t:.2} mm");
        assert!(
            (thickness - truth_t).abs() <= ct.spacing[0] + 1e-9,
            "{label}: thickness {thickness} vs {truth_t}"
        );
    }
    // the canal is inside the bone and marrow
    assert_eq!(seg.region(ct.index(c[0], c[1], k)), Some(Region::Marrow));
    // every voxel whose centre is deep inside a tissue carries that tissue's region
    let mut wrong = 0;
    let mut tested = 0;
    for kk in 0..ct.dims[2] {
        for j in 0..ct.dims[1] {
            for i in 0..ct.dims[0] {
                let p = ct.world([i as f64, j as f64, kk as f64]);
                let h = 1.0; // mm: well inside, away from partial volume, blur and noise
                let around = [
                    [h, 0.0, 0.0],
                    [-h, 0.0, 0.0],
                    [0.0, h, 0.0],
                    [0.0, -h, 0.0],
                    [0.0, 0.0, h],
                    [0.0, 0.0, -h],
                ];
                let tissue = phantom.tissue(p);
                if around
                    .iter()
                    .any(|d| phantom.tissue([p[0] + d[0], p[1] + d[1], p[2] + d[2]]) != tissue)
                {
                    continue;
                }
                let expected = match tissue {
                    Tissue::SoftTissue => None,
                    Tissue::Cortical => Some(Region::Cortical),
                    Tissue::Cancellous => Some(Region::Cancellous),
                    Tissue::Marrow => Some(Region::Marrow),
                };
                tested += 1;
                if seg.region(ct.index(i, j, kk)) != expected {
                    wrong += 1;
                }
            }
        }
    }
    println!("{label}: {wrong} of {tested} interior voxels in the wrong region");
    assert!(
        wrong as f64 <= wrong_fraction * tested as f64,
        "{label}: {wrong} of {tested}"
    );
}

#[test]
fn clean_phantom() {
    check(&TibiaPhantom::default(), "clean", 0.0);
}

#[test]
fn noisy_blurred_phantom() {
    check(
        &TibiaPhantom {
            noise_sigma_hu: 30.0,
            blur_sigma_mm: 0.4,
            seed: 7,
            ..TibiaPhantom::default()
        },
        "noise 30 HU, blur 0.4 mm",
        1e-3,
    );
}
