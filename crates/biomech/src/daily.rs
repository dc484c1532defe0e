//! A day of loading: Huiskes' daily remodelling stimulus and the fatigue cycles of the
//! porous tantalum.
//!
//! **Cycles.** Knee-replacement patients wearing an activity monitor took on average 3102
//! walking cycles a day, 65 of them on stairs (32 subjects, range 343–5857; BioMed Res Int
//! 2015, article 157541, authors unverified; `docs/biomechanics.md` §5.1). osteon counts
//! 3037 level-walking cycles and splits the stair cycles evenly, 32.5 up and 32.5 down.
//! Total hip patients walked more: 6144 cycles a day, 2.24 million a year (Kinkel et al.
//! 2009) — the upper estimate for the fatigue years below.
//!
//! **Daily stimulus.** Bone adapts to the strain energy it sees over a day (Huiskes et al.
//! 1987; Carter's daily stress stimulus sums the cycles of each activity the same way): at
//! every bone point the stimulus is Σ nᵢ Uᵢ over the full-weight-bearing activities the
//! study ran (walking — the peak-force case, the torsion case being a conservative peak —,
//! stair ascent, stair descent), nᵢ cycles a day, Uᵢ the SED of the activity. The ratio
//! S = stimulus reconstructed / stimulus intact per zone, and the bone volume with S below
//! the lazy zone, are the shielding of a day rather than of one load case.
//!
//! **Fatigue.** The seed's porous Ta survives 10⁶ cycles at 10 MPa (biomechanics.md §9).
//! At the cycle counts above, 10⁶ walking cycles are about 0.9 years of walking (knee
//! patients) or 0.45 years (hip patients): the seed's fatigue strength covers less than a
//! year. A life of 10–20 years is 10⁷ cycles and more, for which the seed gives no strength
//! (an S–N curve of the lattice is needed), so no fatigue verdict beyond the first year
//! can be drawn from it. Walking with its peak torsion is listed with the walking cycles as
//! the conservative cyclic peak; the stimulus counts walking once.

use serde::{Deserialize, Serialize};

use osteon_assembly::{StaticSolution, von_mises};

use crate::builder::Reconstruction;
use crate::mechanostat::{MechanostatBands, StrainDistribution};
use crate::metrics::{
    JudgedLatticeStress, ShieldingSample, StressShielding, bone_point_pairs,
    max_abs_principal_microstrain, shielding_of,
};
use crate::spec::{Activity, LoadSpec, MetricSpec};

/// Level-walking cycles a day (knee-replacement patients; module documentation).
pub const WALKING_CYCLES_PER_DAY: f64 = 3037.0;
/// Stair cycles a day in each direction (half of 65; module documentation).
pub const STAIR_CYCLES_PER_DAY: f64 = 32.5;
/// Walking cycles a year of total hip patients (Kinkel et al. 2009), the upper estimate.
pub const HIGH_WALKING_CYCLES_PER_YEAR: f64 = 2.24e6;
/// The cycles of the seed's fatigue strength.
pub const FATIGUE_CYCLES: f64 = 1e6;

/// One activity's share of a day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityCycles {
    /// The load case.
    pub case: String,
    /// Cycles a day.
    pub cycles_per_day: f64,
    /// The judged porous-Ta stress of the case averaged over a sphere at its hot spot (MPa),
    /// what the lattice checks compare with the fatigue strength
    /// ([`crate::metrics::JudgedLatticeStress::verdict_mpa`]); NaN in reports written before
    /// it existed.
    #[serde(default = "not_recorded")]
    pub porous_ta_judged_mpa: f64,
    /// Porous-Ta peak stress in the case (MPa; the larger of Deshpande–Fleck and von Mises):
    /// the cyclic peak, singular at a contact or tie edge (mesh-dependent).
    pub porous_ta_peak_mpa: f64,
    /// Porous-Ta 99th-percentile stress by volume in the case (MPa; the same measure):
    /// mesh-converged, but a quantile of the part, not of its hot spot.
    #[serde(default)]
    pub porous_ta_p99_mpa: f64,
    /// Years until this activity alone reaches 10⁶ cycles.
    pub years_to_fatigue_cycles: f64,
    /// Counted in the daily stimulus (false for walking with torsion, a conservative
    /// variant of the walking cycles listed for fatigue only).
    #[serde(default = "counted")]
    pub in_stimulus: bool,
}

fn not_recorded() -> f64 {
    f64::NAN
}

fn counted() -> bool {
    true
}

/// The daily stimulus and the fatigue cycles of a study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DailyLoading {
    /// The activities counted.
    pub activities: Vec<ActivityCycles>,
    /// Stress shielding of the daily stimulus Σ nᵢ Uᵢ per zone (the SED columns are daily
    /// stimuli in MPa·cycles/day).
    pub shielding: StressShielding,
    /// Years of walking that make 10⁶ cycles, knee patients (3037 a day) and hip patients
    /// (2.24 million a year).
    pub walking_years_to_fatigue_cycles: [f64; 2],
    /// The mechanostat bands of the day's peak-strain envelope: at each bone point the
    /// largest |principal strain| over the listed activities (walking with its torsion
    /// included), reconstructed and intact — what Frost's thresholds refer to.
    #[serde(default)]
    pub envelope: StrainDistribution,
}

/// The cycles a day of the case of `activity` at full weight-bearing, if it is counted.
fn cycles_of(activity: Activity) -> Option<f64> {
    match activity {
        Activity::Walking => Some(WALKING_CYCLES_PER_DAY),
        Activity::StairAscent | Activity::StairDescent => Some(STAIR_CYCLES_PER_DAY),
        _ => None,
    }
}

/// The daily loading of a study from its solutions (`implanted` and `intact`, one case per
/// [`LoadSpec::cases`]) and the judged porous-Ta stress of each case; `None` when the study
/// has no counted activity at full weight-bearing.
pub fn daily_loading(
    rec: &Reconstruction,
    loads: &LoadSpec,
    spec: &MetricSpec,
    implanted: &StaticSolution,
    intact: &StaticSolution,
    porous_ta_mpa: &[JudgedLatticeStress],
) -> Option<DailyLoading> {
    let names = loads.cases();
    let counted: Vec<(usize, f64)> = loads
        .activities
        .iter()
        .enumerate()
        .filter(|(_, a)| a.weight_bearing == 1.0)
        .filter_map(|(k, a)| cycles_of(a.activity).map(|n| (loads.fractions.len() + k, n)))
        .filter(|&(k, _)| k < implanted.cases.len() && k < intact.cases.len())
        .collect();
    let (&(first, _), _) = counted.split_first()?;
    let pairs: Vec<(usize, usize)> =
        bone_point_pairs(rec, &implanted.cases[first], &intact.cases[first]).collect();
    let samples = pairs.iter().map(|&(p, q)| {
        let mut x = ShieldingSample {
            volume: implanted.cases[first].fields.point_volume[p],
            z: implanted.cases[first].fields.point_position[p][2],
            sed_implanted: 0.0,
            sed_intact: 0.0,
            von_mises_implanted: 0.0,
            von_mises_intact: 0.0,
        };
        for &(k, n) in &counted {
            let (fi, fa) = (&implanted.cases[k].fields, &intact.cases[k].fields);
            x.sed_implanted += n * fi.point_sed(p);
            x.sed_intact += n * fa.point_sed(q);
            x.von_mises_implanted += n * von_mises(&fi.point_stress[p]);
            x.von_mises_intact += n * von_mises(&fa.point_stress[q]);
        }
        x
    });
    let shielding = shielding_of(rec, spec, samples);
    let row = |k: usize, n: f64, in_stimulus: bool| ActivityCycles {
        case: names[k].name.clone(),
        cycles_per_day: n,
        porous_ta_judged_mpa: porous_ta_mpa.get(k).map_or(f64::NAN, |s| s.verdict_mpa()),
        porous_ta_peak_mpa: porous_ta_mpa.get(k).map_or(f64::NAN, |s| s.peak_mpa),
        porous_ta_p99_mpa: porous_ta_mpa.get(k).map_or(f64::NAN, |s| s.p99_mpa),
        years_to_fatigue_cycles: FATIGUE_CYCLES / (365.0 * n),
        in_stimulus,
    };
    let mut activities: Vec<ActivityCycles> =
        counted.iter().map(|&(k, n)| row(k, n, true)).collect();
    let torsion = loads
        .activity_case(Activity::WalkingTorsion, 1.0)
        .filter(|&k| k < porous_ta_mpa.len());
    if let Some(k) = torsion {
        activities.push(row(k, WALKING_CYCLES_PER_DAY, false));
    }
    let cases: Vec<usize> = counted.iter().map(|c| c.0).chain(torsion).collect();
    let envelope = strain_envelope(rec, implanted, intact, &pairs, &cases);
    Some(DailyLoading {
        activities,
        shielding,
        envelope,
        walking_years_to_fatigue_cycles: [
            FATIGUE_CYCLES / (365.0 * WALKING_CYCLES_PER_DAY),
            FATIGUE_CYCLES / HIGH_WALKING_CYCLES_PER_YEAR,
        ],
    })
}

/// The mechanostat bands of the peak-strain envelope over `cases` at the bone point pairs
/// `pairs` (implanted point, intact point).
fn strain_envelope(
    rec: &Reconstruction,
    implanted: &StaticSolution,
    intact: &StaticSolution,
    pairs: &[(usize, usize)],
    cases: &[usize],
) -> StrainDistribution {
    let [z0, z1] = rec.diaphysis_z;
    let (mut all, mut all_intact, mut shaft, mut shaft_intact) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &(p, q) in pairs {
        let peak = |s: &StaticSolution, point: usize| {
            cases
                .iter()
                .map(|&k| max_abs_principal_microstrain(&s.cases[k].fields.point_strain[point]))
                .fold(0.0, f64::max)
        };
        let (fi, fa) = (
            &implanted.cases[cases[0]].fields,
            &intact.cases[cases[0]].fields,
        );
        let (ei, ea) = (peak(implanted, p), peak(intact, q));
        let (vi, va) = (fi.point_volume[p], fa.point_volume[q]);
        all.push((ei, vi));
        all_intact.push((ea, va));
        let z = fi.point_position[p][2];
        if z >= z0 && z <= z1 {
            shaft.push((ei, vi));
            shaft_intact.push((ea, va));
        }
    }
    StrainDistribution {
        implanted: MechanostatBands::of(&all),
        intact: MechanostatBands::of(&all_intact),
        diaphysis_implanted: MechanostatBands::of(&shaft),
        diaphysis_intact: MechanostatBands::of(&shaft_intact),
    }
}
