//! The study-level analyses of the headline load case (walking at full weight-bearing):
//! the bounding-moduli runs ([`crate::modulus_bounds`]), the construct stiffness
//! ([`crate::construct`]), the comparison with in-vivo strain ([`crate::in_vivo`]) and,
//! for a frictional interface, the sensitivity of the micromotion to the interface inputs
//! ([`crate::interface_sensitivity`]), and the case with the other screw model
//! ([`crate::screw_comparison`]).

use serde::{Deserialize, Serialize};

use osteon_assembly::contact::Micromotion;
use osteon_assembly::{Observer, SolveOptions, StaticSolution};

use crate::construct::{ConstructStiffness, construct_stiffness};
use crate::error::BiomechError;
use crate::in_vivo::{InVivoStrain, in_vivo_strain};
use crate::interface_sensitivity::{InterfaceSensitivity, interface_sensitivity};
use crate::metrics::{CaseMetrics, MetricInputs, case_metrics};
use crate::model::LatticeMaterial;
use crate::modulus_bounds::{ModulusVariantSpec, modulus_runs};
use crate::screw_comparison::{ScrewModelComparison, screw_model_comparison};
use crate::spec::{Activity, FlangeMaterial, LatticeSpec, LoadSpec};
use crate::study::{CaseReport, Study, StudySetup};

/// The headline numbers of one prosthesis modulus in the headline case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModulusVariant {
    /// Porous-Ta modulus (MPa).
    pub modulus_mpa: f64,
    /// Why this modulus ("chosen: …", or a bound).
    pub label: String,
    /// The judged porous-Ta stress averaged over a sphere at the hot spot (MPa;
    /// [`crate::metrics::JudgedLatticeStress::verdict_mpa`]); NaN in reports written before it
    /// existed.
    #[serde(default = "not_recorded")]
    pub porous_ta_judged_mpa: f64,
    /// Peak of the judged porous-Ta stress, the larger of Deshpande–Fleck and von Mises (MPa):
    /// singular at a contact or tie edge.
    pub porous_ta_peak_mpa: f64,
    /// Largest implant migration (mm); `None` when bonded.
    pub migration_max_mm: Option<f64>,
    /// Micromotion p95 (µm) over all docking faces; `None` when bonded.
    pub micromotion_p95_um: Option<f64>,
    /// Bone volume within the flange span below the lazy zone (0–1).
    pub near_below_lazy_zone: f64,
    /// Largest stress shielding 1 − S of a bone zone.
    pub max_zone_shielding: f64,
    /// Peak |principal strain| in the diaphysis (µε): singular at a docking-face rim or a
    /// screw.
    pub shaft_peak_microstrain: f64,
    /// The diaphysis strain the mechanostat check judges: its sphere mean (µε); NaN in
    /// reports written before it existed.
    #[serde(default = "not_recorded")]
    pub shaft_judged_microstrain: f64,
}

fn not_recorded() -> f64 {
    f64::NAN
}

impl ModulusVariant {
    fn of(modulus_mpa: f64, label: String, m: &CaseMetrics) -> Self {
        let judged = m.judged_lattice_stress();
        Self {
            modulus_mpa,
            label,
            porous_ta_judged_mpa: judged.verdict_mpa(),
            porous_ta_peak_mpa: judged.peak_mpa,
            migration_max_mm: m.migration.largest().map(|f| f.magnitude_mm),
            micromotion_p95_um: m.micromotion.statistics().map(|s| s.p95_um),
            near_below_lazy_zone: m.shielding.near_fraction_below_lazy_zone,
            max_zone_shielding: m.shielding.max_zone_shielding(),
            shaft_peak_microstrain: m.bone.shaft_peak_microstrain,
            shaft_judged_microstrain: m.bone.judged_shaft_microstrain(),
        }
    }
}

/// What the study adds to its per-case metrics for the headline case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadlineAnalysis {
    /// The headline load case.
    pub case: String,
    /// The chosen modulus first, then (unless the chosen one is a lattice) the ideal lattice
    /// of the same porosity, then the bounds.
    pub moduli: Vec<ModulusVariant>,
    /// The ideal diamond lattice of the study's porosity, computed by voxel micro-FE; `None`
    /// when the prosthesis is already a computed lattice.
    pub reference_lattice: Option<LatticeMaterial>,
    /// Why the reference lattice is missing when the micro-FE could not compute it (a
    /// porosity the cell cannot reach or span).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_lattice_note: Option<String>,
    /// Construct stiffness, reconstructed and intact.
    pub construct: ConstructStiffness,
    /// The intact tibia in walking against in-vivo strain; `None` without a walking case or
    /// on a patient mesh.
    pub in_vivo: Option<InVivoStrain>,
    /// The micromotion of the headline case under other interface inputs; `None` for a
    /// bonded interface.
    #[serde(default)]
    pub interface_sensitivity: Option<InterfaceSensitivity>,
    /// The headline case with the study's screw model and the other one; `None` without
    /// screws, on a CT or patient mesh, and in reports written before it existed.
    #[serde(default)]
    pub screw_model: Option<ScrewModelComparison>,
}

/// The headline case: walking with its peak torsion at full weight-bearing, else walking,
/// else the last seed case.
pub fn headline_case(loads: &LoadSpec) -> Option<usize> {
    loads
        .activity_case(Activity::WalkingTorsion, 1.0)
        .or_else(|| loads.activity_case(Activity::Walking, 1.0))
        .or_else(|| loads.fractions.len().checked_sub(1))
}

/// Run the headline analyses (module documentation); `None` when the study has no case.
/// `micromotion`: the implanted solution's, per load case (frictional studies).
pub fn headline_analysis(
    study: &Study,
    setup: &StudySetup,
    cases: &[CaseReport],
    intact: &StaticSolution,
    micromotion: Option<&[Micromotion]>,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<Option<HeadlineAnalysis>, BiomechError> {
    let Some(k) = headline_case(&study.loads) else {
        return Ok(None);
    };
    let (Some(chosen), Some(intact_case)) = (cases.get(k).map(|c| &c.metrics), intact.cases.get(k))
    else {
        return Ok(None);
    };
    let porous_flange = study.implant.flange.material == FlangeMaterial::PorousTantalum;
    let mut moduli = vec![ModulusVariant::of(
        setup.materials.porous.modulus(),
        "chosen (see the materials)".into(),
        chosen,
    )];
    let mut variants = Vec::new();
    // The chosen modulus is an assumption unless it is a computed lattice: run the ideal
    // printed lattice of the same porosity beside it.
    let reference = match &setup.materials.lattice {
        Some(_) => None,
        None => {
            let spec = LatticeSpec {
                porosity: setup.materials.porous.porosity,
                ..LatticeSpec::default()
            };
            // a porosity the cell cannot reach or span (near 1) leaves the reference out,
            // it does not fail the study the user ran without a lattice
            match LatticeMaterial::compute(&spec) {
                Ok((summary, material)) => {
                    variants.push(ModulusVariantSpec {
                        material,
                        modulus_mpa: summary.youngs_modulus_mpa[2],
                        label: format!(
                            "ideal {} lattice of the same porosity, voxel micro-FE (docs/lattice.md)",
                            summary.cell
                        ),
                    });
                    Some(Ok(summary))
                }
                Err(e) => Some(Err(e.to_string())),
            }
        }
    };
    variants.extend(ModulusVariantSpec::bounds(setup.materials.porous.porosity)?);
    // the analyses of the study's own model first, while the contact cache holds its
    // factorisation; then the modulus variants, which reuse its symbolic analysis and
    // factorise their own interiors into the same solver
    let construct = construct_stiffness(setup, study.loads.body_weight_n(), options, observer)?;
    let interface_sensitivity = interface_sensitivity(
        setup,
        &study.interface,
        k,
        micromotion.and_then(|m| m.get(k)),
        options,
        observer,
    )?;
    for run in modulus_runs(setup, k, porous_flange, variants, options, observer)? {
        let m = case_metrics(&MetricInputs {
            rec: setup.implanted_reconstruction(),
            implanted: &run.solution,
            intact: intact_case,
            spec: &study.metrics,
            interface: &study.interface,
            flange_material: study.implant.flange.material,
            flange_net_section_factor: study.implant.flange_net_section_factor(),
            flange_hole: study.implant.flange_hole_geometry(),
            load: &setup.load_cases[k],
            micromotion: run.micromotion.as_ref(),
            copies: setup.split.as_ref().map_or(&[], |s| &s.copies),
        })?;
        moduli.push(ModulusVariant::of(run.modulus_mpa, run.label, &m));
    }
    // the screw comparison solves another mesh: the cached factorisation of this one is
    // freed first, so that the two are never held at once
    setup.with_contact_cache(|cache| cache.clear());
    let screw_model = screw_model_comparison(study, setup, k, chosen, options, observer)?;
    let walking = study
        .loads
        .activity_case(Activity::Walking, 1.0)
        .or_else(|| study.loads.activity_case(Activity::WalkingTorsion, 1.0));
    let in_vivo = walking.and_then(|w| {
        in_vivo_strain(
            &setup.reconstruction,
            &setup.load_cases[w].name,
            &intact.cases[w],
        )
    });
    let (reference_lattice, reference_lattice_note) = match reference {
        Some(Ok(l)) => (Some(l), None),
        Some(Err(e)) => (
            None,
            Some(format!(
                "the ideal diamond lattice of this porosity could not be computed: {e}"
            )),
        ),
        None => (None, None),
    };
    Ok(Some(HeadlineAnalysis {
        interface_sensitivity,
        screw_model,
        case: chosen.name.clone(),
        moduli,
        reference_lattice,
        reference_lattice_note,
        construct,
        in_vivo,
    }))
}
