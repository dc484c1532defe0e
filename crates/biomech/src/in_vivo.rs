//! Validation against in-vivo strain: the intact tibia's surface strain at the
//! antero-medial mid-shaft in walking, next to the strain-gauge measurement on a living
//! human tibia.
//!
//! Lanyon et al. 1975 (Acta Orthop Scand 46:256) bonded a rosette to the antero-medial
//! mid-shaft of a man's tibia: in walking the largest principal strain was a compression of
//! about −400 µε, just before toe-off; running reached 850 µε in tension
//! (biomechanics.md §5.1). Burr et al. 1996 (Bone 18:405) report principal strains of a few
//! hundred µε in walking (unverified transcription). One subject, one gauge site: the
//! comparison is of magnitude. The model's value is the volume mean of the principal strains
//! at the integration points of the cortex's outer third within ±10° of the antero-medial
//! direction (45° between medial −x and anterior +y on the parametric tibia; on a CT, the
//! knee frame's medial and anterior directions) and ±10 mm of mid-shaft.

use serde::{Deserialize, Serialize};

use osteon_assembly::StepSolution;
use osteon_material::voigt::principal_values;

use crate::builder::{Reconstruction, Region};

/// The measured walking strain (µε): Lanyon et al. 1975, the largest principal
/// (compressive) strain at the antero-medial mid-shaft.
pub const LANYON_WALKING_MICROSTRAIN: f64 = -400.0;

/// Half-width of the band of plausible agreement around the measurement: a factor of 2
/// (one subject; gauge site, bone shape and load differ from the model).
pub const AGREEMENT_FACTOR: f64 = 2.0;

/// The model's mid-shaft surface strain next to the measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InVivoStrain {
    /// The load case (walking).
    pub case: String,
    /// Model: volume-mean minimum (most compressive) principal strain (µε).
    pub min_principal_microstrain: f64,
    /// Model: volume-mean maximum principal strain (µε).
    pub max_principal_microstrain: f64,
    /// Measured (µε).
    pub measured_microstrain: f64,
    /// Model / measured compressive strain.
    pub ratio: f64,
    /// Integration points averaged.
    pub n_points: usize,
    /// z of mid-shaft (mm).
    pub z_mm: f64,
    /// Where the measurement comes from.
    pub source: String,
}

/// The comparison for the intact solution `intact` of a walking case; `None` when no
/// cortical point lies in the gauge region.
///
/// On the parametric tibia the outer third is that of its elliptical section. On a CT or
/// an imported mesh the directions come from the knee frame ([`crate::KneeFrame`]: medial
/// −lateral, anterior), angles are measured about the centroid of the cortical points
/// within ±10 mm of mid-shaft, and the outer third is that of the cortex in the gauge's
/// angular band: radius above r_max − (r_max − r_min)/3, r_min and r_max the 5th and 95th
/// percentiles of its cortical points' radii.
pub fn in_vivo_strain(
    rec: &Reconstruction,
    case: &str,
    intact: &StepSolution,
) -> Option<InVivoStrain> {
    let z_mid = 0.5 * (rec.bone_z[0] + rec.bone_z[1]);
    let regions = rec.intact_regions();
    let f = &intact.fields;
    let knee = &rec.knee_frame;
    let (medial, anterior) = (
        [-knee.lateral[0], -knee.lateral[1]],
        [knee.anterior[0], knee.anterior[1]],
    );
    // cortical integration points within ±10 mm of mid-shaft
    let band: Vec<usize> = regions
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == Region::Cortical)
        .flat_map(|(e, _)| f.points_of(e))
        .filter(|&p| (f.point_position[p][2] - z_mid).abs() <= 10.0)
        .collect();
    let centre = match rec.geometry {
        Some(_) => [0.0, 0.0],
        None if band.is_empty() => return None,
        None => {
            let n = band.len() as f64;
            [0, 1].map(|k| band.iter().map(|&p| f.point_position[p][k]).sum::<f64>() / n)
        }
    };
    // angle from the medial direction towards anterior, radius, about the centre
    let polar = |x: [f64; 3]| {
        let d = [x[0] - centre[0], x[1] - centre[1]];
        let (m, a) = (
            d[0] * medial[0] + d[1] * medial[1],
            d[0] * anterior[0] + d[1] * anterior[1],
        );
        (a.atan2(m).to_degrees(), m.hypot(a))
    };
    let at_gauge: Vec<usize> = band
        .into_iter()
        .filter(|&p| (polar(f.point_position[p]).0 - 45.0).abs() <= 10.0)
        .collect();
    let outer_third: Box<dyn Fn([f64; 3]) -> bool> = match &rec.geometry {
        Some(geometry) => {
            let g = geometry.clone();
            Box::new(move |x: [f64; 3]| {
                let [a, b] = g.outer_semi_axes(x[2]);
                let wall = g.wall(x[2]);
                let radial = ((x[0] / a).powi(2) + (x[1] / b).powi(2)).sqrt();
                radial > 1.0 - wall / (3.0 * a.min(b))
            })
        }
        None => {
            // the cortex's extent in the band by its 5th and 95th radius percentiles, so that
            // a stray cortical voxel does not widen it
            let mut radii: Vec<f64> = at_gauge
                .iter()
                .map(|&p| polar(f.point_position[p]).1)
                .collect();
            radii.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                radii
                    .get(((radii.len() as f64 - 1.0) * q).round() as usize)
                    .copied()
                    .unwrap_or(0.0)
            };
            let (r_min, r_max) = (pick(0.05), pick(0.95));
            Box::new(move |x: [f64; 3]| polar(x).1 > r_max - (r_max - r_min) / 3.0)
        }
    };
    let (mut volume, mut min_sum, mut max_sum, mut n) = (0.0, 0.0, 0.0, 0);
    for p in at_gauge {
        if !outer_third(f.point_position[p]) {
            continue;
        }
        let eps = principal_values(&f.point_strain[p], true);
        let v = f.point_volume[p];
        volume += v;
        min_sum += v * eps[0];
        max_sum += v * eps[2];
        n += 1;
    }
    (volume > 0.0).then(|| {
        let min = 1e6 * min_sum / volume;
        InVivoStrain {
            case: case.to_string(),
            min_principal_microstrain: min,
            max_principal_microstrain: 1e6 * max_sum / volume,
            measured_microstrain: LANYON_WALKING_MICROSTRAIN,
            ratio: min / LANYON_WALKING_MICROSTRAIN,
            n_points: n,
            z_mm: z_mid,
            source: "Lanyon et al. 1975, Acta Orthop Scand 46:256 (biomechanics.md §5.1)".into(),
        }
    })
}
