//! The z stations shared by all bone blocks, and the docking planes of the defect.

use super::holes::HoleLayout;
use crate::error::BiomechError;
use crate::geometry::TibiaGeometry;
use crate::spec::{DefectSpec, ImplantSpec, MeshSpec};

/// The z stations: mandatory planes kept exactly, optional ones dropped when closer than
/// 0.3 · `size` to another or inside a `locked` range, intervals cut into equal cells of at
/// most the smallest size of the `zones` ((z range, element size) pairs) that contain their
/// midpoint, `far` elsewhere — but the intervals inside a locked range (a drilled hole's
/// patch, whose planes are mandatory), which stay one cell each.
pub(super) fn z_stations(
    mandatory: &[f64],
    optional: &[f64],
    zones: &[([f64; 2], f64)],
    far: f64,
    locked: &[[f64; 2]],
) -> Vec<f64> {
    let inside = |z: f64, slack: f64| locked.iter().any(|r| z > r[0] - slack && z < r[1] + slack);
    let size = zones.iter().map(|z| z.1).fold(far, f64::min);
    let mut keys: Vec<f64> = mandatory.to_vec();
    keys.sort_by(f64::total_cmp);
    keys.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    for &z in optional {
        if z > keys[0]
            && z < keys[keys.len() - 1]
            && !inside(z, 0.3 * size)
            && keys.iter().all(|&k| (k - z).abs() > 0.3 * size)
        {
            keys.push(z);
            keys.sort_by(f64::total_cmp);
        }
    }
    let mut stations = vec![keys[0]];
    for w in keys.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mid = 0.5 * (a + b);
        if inside(mid, 0.0) {
            stations.push(b);
            continue;
        }
        let h = zones
            .iter()
            .filter(|(r, _)| mid >= r[0] && mid <= r[1])
            .map(|z| z.1)
            .fold(far, f64::min);
        let n = (((b - a) / h) - 1e-9).ceil().max(1.0) as usize;
        for k in 1..=n {
            stations.push(if k == n {
                b
            } else {
                a + (b - a) * k as f64 / n as f64
            });
        }
    }
    stations
}

/// Sorted stations within [lo, hi].
pub(super) fn stations_between(stations: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    stations
        .iter()
        .copied()
        .filter(|&z| z >= lo - 1e-9 && z <= hi + 1e-9)
        .collect()
}

/// Validate the defect against the geometry; returns the docking planes [z0, z1] (mm).
pub fn defect_planes(
    geometry: &TibiaGeometry,
    defect: &DefectSpec,
) -> Result<[f64; 2], BiomechError> {
    if !(defect.length_mm > 0.0 && defect.length_mm.is_finite()) {
        return Err(BiomechError::invalid(
            "defect.length_mm",
            defect.length_mm,
            "a positive length in mm",
        ));
    }
    let center = defect.center_mm.unwrap_or(0.5 * geometry.length_mm);
    let z = [
        center - 0.5 * defect.length_mm,
        center + 0.5 * defect.length_mm,
    ];
    if z[0] < geometry.diaphysis_start() - 1e-9 || z[1] > geometry.diaphysis_end() + 1e-9 {
        return Err(BiomechError::invalid(
            "defect.length_mm",
            defect.length_mm,
            format!(
                "the defect [{:.1}, {:.1}] mm must lie within the diaphysis [{:.1}, {:.1}] mm (move defect.center_mm or shorten it)",
                z[0],
                z[1],
                geometry.diaphysis_start(),
                geometry.diaphysis_end()
            ),
        ));
    }
    Ok(z)
}

/// The z stations of the bone mesh: nodes exactly at the bone ends, the flare ends and the
/// docking faces; `size_mm` over the flange span (the defect when there is no flange) and
/// 10 mm either side, `interface_size_mm` across each docking face (± one wall thickness)
/// and over each screw (± one radius), `far_factor` × `size_mm` elsewhere.
pub(super) fn bone_stations(
    geometry: &TibiaGeometry,
    implant: &ImplantSpec,
    mesh_spec: &MeshSpec,
    defect_z: [f64; 2],
    flange_z: Option<[f64; 2]>,
    holes: Option<&HoleLayout>,
) -> Vec<f64> {
    let flange = &implant.flange;
    let screws = &implant.screws;
    let h = mesh_spec.size_mm;
    let h_far = h * mesh_spec.far_factor;
    let span = match flange_z {
        Some(f) => [f[0] - 10.0, f[1] + 10.0],
        None => [defect_z[0] - 10.0, defect_z[1] + 10.0],
    };
    let mut mandatory = vec![
        0.0,
        geometry.diaphysis_start(),
        geometry.diaphysis_end(),
        geometry.length_mm,
        defect_z[0],
        defect_z[1],
    ];
    let mut optional = vec![span[0], span[1]];
    if let Some(f) = flange_z {
        optional.extend_from_slice(&f);
    }
    let mut zones = vec![(span, h)];
    let h_interface = mesh_spec.interface_size();
    // finer cells across each docking face, one cortical wall thickness either side: the
    // shear that the porous Ta and the bone exchange there (their Poisson expansions differ)
    // decays over about one wall thickness, and it is what moves the interface
    for z in defect_z {
        let w = geometry.wall(z);
        let band = [z - w, z + w];
        optional.extend_from_slice(&band);
        zones.push((band, h_interface));
    }
    if let Some(holes) = holes {
        // drilled holes: the patch planes, one cell apart (no finer zone: a patch's z cells
        // must stay its k per half side)
        for hole in &holes.holes {
            mandatory.extend(hole.planes(holes.k));
        }
    } else if screws.enabled && flange.enabled {
        // finer cells over each screw and one screw radius either side
        for &off in &screws.offsets_mm {
            for zs in [defect_z[0] - off, defect_z[1] + off] {
                let band = [zs - screws.diameter_mm, zs + screws.diameter_mm];
                optional.extend_from_slice(&band);
                zones.push((band, h_interface));
            }
        }
    }
    let locked: Vec<[f64; 2]> = holes.map_or(Vec::new(), |holes| {
        holes
            .holes
            .iter()
            .map(|x| [x.z - x.z_half, x.z + x.z_half])
            .collect()
    });
    z_stations(&mandatory, &optional, &zones, h_far, &locked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_stations_keep_mandatory_planes() {
        let s = z_stations(
            &[0.0, 50.0, 148.5, 211.5, 290.0, 360.0],
            &[98.5, 261.5, 99.0],
            &[([98.5, 261.5], 3.0)],
            6.0,
            &[],
        );
        for z in [0.0, 50.0, 148.5, 211.5, 290.0, 360.0, 98.5, 261.5] {
            assert!(s.iter().any(|&x| (x - z).abs() < 1e-12), "{z}");
        }
        assert!(!s.iter().any(|&x| (x - 99.0).abs() < 1e-12));
        assert!(
            s.windows(2)
                .all(|w| w[1] > w[0] && w[1] - w[0] <= 6.0 + 1e-9)
        );
        assert!(
            s.windows(2)
                .filter(|w| w[0] >= 98.5 && w[1] <= 261.5)
                .all(|w| w[1] - w[0] <= 3.0 + 1e-9)
        );
    }

    /// A drilled hole's patch keeps its planes as its cells, even where a finer zone
    /// overlaps it, and drops the optional planes inside it.
    #[test]
    fn z_stations_keep_locked_patches_whole() {
        let patch = [136.0, 138.0, 140.0, 142.0, 144.0];
        let mut mandatory = vec![0.0, 148.5, 360.0];
        mandatory.extend(patch);
        let s = z_stations(
            &mandatory,
            &[98.5, 139.0, 143.5],
            &[([98.5, 261.5], 3.0), ([143.5, 153.5], 0.5)],
            6.0,
            &[[136.0, 144.0]],
        );
        let i = s.iter().position(|&z| z == 136.0).expect("patch start");
        assert_eq!(&s[i..i + 5], &patch);
        assert!(!s.contains(&139.0) && !s.contains(&143.5));
        // the fine zone still cuts the interval from the patch to the docking plane
        assert!(s[i + 5..].iter().take_while(|&&z| z <= 148.5).count() >= 9);
    }

    /// A screw band inside the flange span gets its own finer cells, with planes at its ends.
    #[test]
    fn z_stations_refine_screw_bands() {
        let s = z_stations(
            &[0.0, 148.5, 211.5, 360.0],
            &[98.5, 261.5, 131.5, 141.5],
            &[([98.5, 261.5], 3.0), ([131.5, 141.5], 1.5)],
            6.0,
            &[],
        );
        for z in [131.5, 141.5] {
            assert!(s.iter().any(|&x| (x - z).abs() < 1e-12), "{z}");
        }
        let inside: Vec<f64> = s
            .windows(2)
            .filter(|w| w[0] >= 131.5 - 1e-9 && w[1] <= 141.5 + 1e-9)
            .map(|w| w[1] - w[0])
            .collect();
        assert_eq!(inside.len(), 7, "10 mm in cells of ≤ 1.5 mm");
        assert!(inside.iter().all(|&d| d <= 1.5 + 1e-9));
        assert!(
            s.windows(2)
                .filter(|w| w[0] >= 141.5 && w[1] <= 148.5)
                .all(|w| w[1] - w[0] > 1.5)
        );
    }
}
