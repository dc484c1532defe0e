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
//! direction (45° between medial −x and anterior +y) and ±10 mm of mid-shaft.

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
/// cortical point lies in the gauge region (e.g. a patient mesh of another shape).
pub fn in_vivo_strain(
    rec: &Reconstruction,
    case: &str,
    intact: &StepSolution,
) -> Option<InVivoStrain> {
    let geometry = rec.geometry.as_ref()?;
    let z_mid = 0.5 * (rec.bone_z[0] + rec.bone_z[1]);
    let regions = rec.intact_regions();
    let f = &intact.fields;
    let (mut volume, mut min_sum, mut max_sum, mut n) = (0.0, 0.0, 0.0, 0);
    for (e, region) in regions.iter().enumerate() {
        if *region != Region::Cortical {
            continue;
        }
        for p in f.points_of(e) {
            let x = f.point_position[p];
            if (x[2] - z_mid).abs() > 10.0 {
                continue;
            }
            // angle from the medial direction (−x) towards anterior (+y)
            let angle = x[1].atan2(-x[0]).to_degrees();
            let [a, b] = geometry.outer_semi_axes(x[2]);
            let wall = geometry.wall(x[2]);
            let radial = ((x[0] / a).powi(2) + (x[1] / b).powi(2)).sqrt();
            let outer_third = radial > 1.0 - wall / (3.0 * a.min(b));
            if (angle - 45.0).abs() > 10.0 || !outer_third {
                continue;
            }
            let eps = principal_values(&f.point_strain[p], true);
            let v = f.point_volume[p];
            volume += v;
            min_sum += v * eps[0];
            max_sum += v * eps[2];
            n += 1;
        }
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
