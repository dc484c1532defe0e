//! "What if the lattice is as soft as measured?": the headline load case re-run with the
//! porous-tantalum modulus at the two ends of the plausible range, and with the ideal
//! lattice computed by micro-FE, next to the chosen one.
//!
//! Printed porous Ta and Ti lattices at 70–80 % porosity measure 1.3–5.7 GPa, while the
//! seed claims 10–30 GPa and Gibson–Ashby with C = 1 gives 14.6 GPa at 72 %
//! (biomechanics.md §4). The bounds are 3 GPa (within the measured range) and 30 GPa (the
//! top of the design band). Only the prosthesis body changes (and a flange of the same
//! porous Ta); the intact reference is the same, so shielding compares like with like.

use osteon_assembly::{Model, Observer, SolveOptions, StepSolution};
use osteon_material::{Material, PorousTantalum};

use crate::error::BiomechError;
use crate::frictional::solve_frictional_cached;
use crate::study::StudySetup;

/// The bounding moduli (MPa): measured printed lattices (3 GPa) and the top of the seed's
/// design band (30 GPa).
pub const BOUNDING_MODULI_MPA: [(f64, &str); 2] = [
    (3000.0, "measured printed lattices (1.3–5.7 GPa)"),
    (30000.0, "top of the design band (10–30 GPa)"),
];

/// The implanted solution of one load case with another prosthesis modulus.
pub struct ModulusRun {
    /// Modulus (MPa).
    pub modulus_mpa: f64,
    /// Why this modulus.
    pub label: String,
    /// The solution of the case.
    pub solution: StepSolution,
    /// Frictional interface: the case's micromotion.
    pub micromotion: Option<osteon_assembly::contact::Micromotion>,
}

/// Another prosthesis material for the headline case: the material, its modulus along the
/// tibial axis (MPa) and why it is run.
pub struct ModulusVariantSpec {
    /// The prosthesis material (body, and a porous flange).
    pub material: Material,
    /// Its Young's modulus along z (MPa).
    pub modulus_mpa: f64,
    /// Why this material.
    pub label: String,
}

impl ModulusVariantSpec {
    /// The bounds of [`BOUNDING_MODULI_MPA`] as isotropic porous Ta of `porosity`.
    pub fn bounds(porosity: f64) -> Result<Vec<Self>, BiomechError> {
        BOUNDING_MODULI_MPA
            .iter()
            .map(|&(e, label)| {
                Ok(Self {
                    material: PorousTantalum::with_measured_modulus(porosity, e)?
                        .to_material(format!("porous_tantalum_{e}")),
                    modulus_mpa: e,
                    label: label.into(),
                })
            })
            .collect()
    }
}

/// `model` with the porous-Ta materials (sections IMPLANT and, when porous, FLANGE) made of
/// `material` and only the load case `case`.
fn with_material(
    model: &Model,
    material: &Material,
    case: usize,
    porous_flange: bool,
) -> Result<Model, BiomechError> {
    let mut m = with_single_case(model, case)?;
    for section in &m.sections {
        if section.name == "IMPLANT" || (porous_flange && section.name == "FLANGE") {
            m.materials[section.material] = material.clone();
        }
    }
    Ok(m)
}

/// A copy of `model` with only its load case `case`: the headline re-runs change one input
/// and solve that case alone.
pub(crate) fn with_single_case(model: &Model, case: usize) -> Result<Model, BiomechError> {
    let only =
        model.load_cases.get(case).cloned().ok_or_else(|| {
            BiomechError::construction(format!("load case {case} does not exist"))
        })?;
    let mut m = model.clone();
    m.load_cases = vec![only];
    Ok(m)
}

/// Re-run load case `case` of the implanted model of `setup` with each prosthesis material
/// of `variants`.
pub fn modulus_runs(
    setup: &StudySetup,
    case: usize,
    porous_flange: bool,
    variants: Vec<ModulusVariantSpec>,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<Vec<ModulusRun>, BiomechError> {
    let mut runs = Vec::new();
    for v in variants {
        let model = with_material(&setup.implanted_model, &v.material, case, porous_flange)?;
        let (mut cases, mut micromotion) = if setup.split.is_some() {
            // the study's contact cache: the variant has the model's pattern and contact
            // unknowns, so its symbolic analysis is reused (the changed interior is
            // factorised in full into the same storage)
            let f = setup.with_contact_cache(|cache| {
                solve_frictional_cached(&model, options, observer, cache)
            })?;
            (f.solution.cases, f.micromotion)
        } else {
            let s = osteon_assembly::solve_linear_static_observed(&model, options, observer)?;
            (s.cases, Vec::new())
        };
        let solution = cases
            .pop()
            .ok_or_else(|| BiomechError::construction("the modulus run returned no case"))?;
        runs.push(ModulusRun {
            modulus_mpa: v.modulus_mpa,
            label: v.label,
            solution,
            micromotion: micromotion.pop(),
        });
    }
    Ok(runs)
}
