//! What the screw model changes: the headline case re-run with the other screw model —
//! embedded screws when the study drills holes (the default), drilled holes when it embeds
//! them — on a mesh built for it, with the study's interface, loads and materials. The
//! report puts the two side by side, so that the simplified model's error on the numbers the
//! study judges (micromotion, migration, screw, flange and bone stresses) is stated rather
//! than assumed (issue 13). Parametric tibia only: a CT model's screws are embedded.

use serde::{Deserialize, Serialize};

use osteon_assembly::{Observer, SolveOptions, solve_linear_static_observed};

use crate::error::BiomechError;
use crate::frictional::solve_frictional;
use crate::metrics::{CaseMetrics, MetricInputs, case_metrics};
use crate::modulus_bounds::with_single_case;
use crate::spec::ScrewModel;
use crate::study::{Study, StudySetup, build_study};

/// The headline case's judged numbers under one screw model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrewModelRow {
    /// The screw model.
    pub model: ScrewModel,
    /// Docking micromotion p95 and max (µm); `None` when bonded.
    pub micromotion_p95_max_um: Option<[f64; 2]>,
    /// Largest implant migration (mm); `None` when bonded.
    pub migration_max_mm: Option<f64>,
    /// Screws' peak and 99th-percentile von Mises stress (MPa).
    pub screw_von_mises_mpa: Option<[f64; 2]>,
    /// Largest von Mises stress of a screw at its bone entry (MPa).
    pub screw_entry_von_mises_mpa: Option<f64>,
    /// Flange's peak and 99th-percentile von Mises stress (MPa); `None` for a porous-Ta
    /// flange.
    pub flange_von_mises_mpa: Option<[f64; 2]>,
    /// The diaphysis strain the mechanostat check judges: its sphere mean (µε).
    pub shaft_judged_microstrain: f64,
    /// Bone volume within the flange span below the lazy zone (0–1).
    pub near_below_lazy_zone: f64,
}

impl ScrewModelRow {
    /// The row of `model` from the headline case's metrics.
    pub fn of(model: ScrewModel, m: &CaseMetrics) -> Self {
        let screw_entry = m
            .screw_entry
            .iter()
            .map(|s| s.von_mises_mpa)
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            });
        Self {
            model,
            micromotion_p95_max_um: m.micromotion.statistics().map(|s| [s.p95_um, s.max_um]),
            migration_max_mm: m.migration.largest().map(|f| f.magnitude_mm),
            screw_von_mises_mpa: m.screws.as_ref().map(|s| [s.peak_mpa, s.p99_mpa]),
            screw_entry_von_mises_mpa: screw_entry,
            flange_von_mises_mpa: m.flange.as_ref().map(|s| [s.peak_mpa, s.p99_mpa]),
            shaft_judged_microstrain: m.bone.judged_shaft_microstrain(),
            near_below_lazy_zone: m.shielding.near_fraction_below_lazy_zone,
        }
    }
}

/// The headline case under the study's screw model and the other one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrewModelComparison {
    /// The study's screw model first, then the other.
    pub rows: Vec<ScrewModelRow>,
}

/// The other screw model.
fn other(model: ScrewModel) -> ScrewModel {
    match model {
        ScrewModel::Drilled => ScrewModel::Embedded,
        ScrewModel::Embedded => ScrewModel::Drilled,
    }
}

/// Re-run the headline case `case` (metrics `chosen`) of `study` with the other screw
/// model: a new mesh and both models for it, the implanted one solved for that case (with
/// contact when the study is frictional), the intact one for the shielding metrics. `None`
/// without screws or on a CT or patient mesh.
pub fn screw_model_comparison(
    study: &Study,
    setup: &StudySetup,
    case: usize,
    chosen: &CaseMetrics,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<Option<ScrewModelComparison>, BiomechError> {
    let rec = &setup.reconstruction;
    let Some(model) = rec.screw_model else {
        return Ok(None);
    };
    if rec.geometry.is_none() || study.patient_ct.is_some() || study.patient_mesh.is_some() {
        return Ok(None);
    }
    let mut alt = study.clone();
    alt.implant.screws.model = other(model);
    let alt_setup = build_study(&alt, observer)?;
    let implanted = with_single_case(&alt_setup.implanted_model, case)?;
    let (mut cases, mut micromotion) = if alt_setup.split.is_some() {
        let f = solve_frictional(&implanted, options, observer)?;
        (f.solution.cases, f.micromotion)
    } else {
        (
            solve_linear_static_observed(&implanted, options, observer)?.cases,
            Vec::new(),
        )
    };
    let intact = with_single_case(&alt_setup.intact_model, case)?;
    let mut intact_cases = solve_linear_static_observed(&intact, options, observer)?.cases;
    let (Some(implanted_case), Some(intact_case)) = (cases.pop(), intact_cases.pop()) else {
        return Err(BiomechError::construction(
            "the screw-model run returned no case",
        ));
    };
    let alt_rec = alt_setup.implanted_reconstruction();
    let m = case_metrics(&MetricInputs {
        rec: alt_rec,
        implanted: &implanted_case,
        intact: &intact_case,
        spec: &study.metrics,
        interface: &study.interface,
        flange_material: study.implant.flange.material,
        flange_net_section_factor: study.implant.flange_net_section_factor(),
        flange_hole: study.implant.flange_hole_geometry(),
        load: &alt_setup.load_cases[case],
        micromotion: micromotion.pop().as_ref(),
        copies: alt_setup.split.as_ref().map_or(&[], |s| &s.copies),
    })?;
    Ok(Some(ScrewModelComparison {
        rows: vec![
            ScrewModelRow::of(model, chosen),
            ScrewModelRow::of(other(model), &m),
        ],
    }))
}
