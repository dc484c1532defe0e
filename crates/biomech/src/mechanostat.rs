//! Bone strain distribution in the bands of Frost's mechanostat: which share of the bone
//! volume is strained little enough to resorb (disuse), within the adapted window, in mild
//! overload (modelling), in pathological overload, or beyond the fracture strain — for the
//! reconstructed and the intact tibia under the same load.
//!
//! Thresholds (biomechanics.md §9, after Frost 1987/2003; the boundaries are ranges in the
//! literature and are taken at): disuse below 200 µε (the middle of the quoted
//! ~100–300 µε), adapted to 1500 µε, mild overload to 3000 µε, pathological overload to
//! 25000 µε (Frost 2003's fracture strain, unverified), fracture above. The strain measure
//! is the largest |principal strain| at each integration point, weighted by its volume.

use serde::{Deserialize, Serialize};

/// Band edges (µε) of [`MechanostatBands`]: disuse | adapted | mild overload | pathological
/// overload | fracture.
pub const MECHANOSTAT_EDGES_MICROSTRAIN: [f64; 4] = [200.0, 1500.0, 3000.0, 25000.0];

/// Volume fractions (0–1) of bone in each mechanostat band; they sum to 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MechanostatBands {
    /// Below 200 µε: disuse, bone resorbs.
    pub disuse: f64,
    /// 200–1500 µε: the adapted window.
    pub adapted: f64,
    /// 1500–3000 µε: mild overload, modelling.
    pub mild_overload: f64,
    /// 3000–25000 µε: pathological overload.
    pub pathological_overload: f64,
    /// Above 25000 µε: beyond the fracture strain.
    pub fracture: f64,
}

impl MechanostatBands {
    /// The band (0 disuse … 4 fracture) of a strain (µε); an edge belongs to the band above.
    pub fn band_of(strain: f64) -> usize {
        MECHANOSTAT_EDGES_MICROSTRAIN
            .iter()
            .take_while(|&&edge| strain >= edge)
            .count()
    }

    /// The bands of `(strain µε, volume mm³)` samples; all zero for no volume.
    pub fn of(samples: &[(f64, f64)]) -> Self {
        let mut v = [0.0; 5];
        let mut total = 0.0;
        for &(strain, volume) in samples {
            v[Self::band_of(strain)] += volume;
            total += volume;
        }
        if total > 0.0 {
            for x in &mut v {
                *x /= total;
            }
        }
        Self {
            disuse: v[0],
            adapted: v[1],
            mild_overload: v[2],
            pathological_overload: v[3],
            fracture: v[4],
        }
    }

    /// The fractions in band order.
    pub fn as_array(&self) -> [f64; 5] {
        [
            self.disuse,
            self.adapted,
            self.mild_overload,
            self.pathological_overload,
            self.fracture,
        ]
    }

    /// Band names, in band order, with their ranges.
    pub const LABELS: [&'static str; 5] = [
        "disuse < 200 µε",
        "adapted 200–1500 µε",
        "mild overload 1500–3000 µε",
        "pathological overload 3000–25000 µε",
        "fracture > 25000 µε",
    ];
}

/// The strain distribution of one load case: all bone and the diaphysis, reconstructed and
/// intact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StrainDistribution {
    /// All bone of the reconstructed tibia.
    pub implanted: MechanostatBands,
    /// All bone of the intact tibia (the same bone elements).
    pub intact: MechanostatBands,
    /// The diaphysis of the reconstructed tibia.
    pub diaphysis_implanted: MechanostatBands,
    /// The diaphysis of the intact tibia.
    pub diaphysis_intact: MechanostatBands,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_fall_in_their_band_and_the_fractions_sum_to_one() {
        // one sample per band (edges belong to the band above), volumes 1..5
        let samples = [
            (199.9, 1.0),
            (200.0, 2.0),
            (2999.0, 3.0),
            (3000.0, 4.0),
            (1e5, 5.0),
        ];
        let b = MechanostatBands::of(&samples);
        let expected = [1.0, 2.0, 3.0, 4.0, 5.0].map(|v| v / 15.0);
        assert_eq!(b.as_array()[0], expected[0]);
        assert_eq!(b.adapted, expected[1]);
        assert_eq!(b.mild_overload, expected[2]);
        assert_eq!(b.pathological_overload, expected[3]);
        assert_eq!(b.fracture, expected[4]);
        assert!((b.as_array().iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(MechanostatBands::of(&[]), MechanostatBands::default());
    }
}
