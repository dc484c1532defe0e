//! Construct stiffness: the axial (N/mm) and torsional (N·m/°) stiffness of the
//! reconstructed tibia and of the intact one under loads at the plateau, relative to the
//! ankle support. With a bonded interface it is the fully osseointegrated upper bound. It is
//! the quantity bench tests of reconstructed bones report, but not comparable with their
//! numbers (biomechanics.md §5.1): those include off-axis loading, potting and machine
//! compliance.
//!
//! Two unit load cases are applied at the plateau centre through the distributing coupling
//! of the knee loads: a centred axial compression of one body weight and a torque of
//! 10 N·m about the tibial axis. The plateau's motion is its nodes' least-squares rigid
//! motion (same weights); the distal support holds the ankle's mean motion at zero (or
//! clamps it), so the stiffnesses are F / (axial shortening of the plateau) and
//! T / (plateau rotation about z). With a frictional interface the unit cases are solved
//! with contact, each from the unloaded state.
//!
//! Without an axial load the docking faces carry no friction, so the unit torque alone
//! measures the flange's torsional stiffness. In vivo torque comes with compression: the
//! third unit case applies the axial body weight first and then, from that state with its
//! contact history, the same body weight with the unit torque; the preloaded torsional
//! stiffness is T / (the plateau rotation added by the torque). A bonded construct and the
//! intact bone are linear, so their preloaded stiffness equals the unloaded one.

use serde::{Deserialize, Serialize};

use osteon_assembly::{Model, Observer, RigidMotion, SolveOptions, StepSolution};

use crate::error::BiomechError;
use crate::frictional::{solve_frictional_cached, solve_frictional_in_sequence_cached};
use crate::model::{plateau, plateau_wrench_case};
use crate::study::StudySetup;

/// Torque of the torsional unit case (N·m).
pub const UNIT_TORQUE_NM: f64 = 10.0;

/// Axial and torsional construct stiffness, reconstructed and intact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConstructStiffness {
    /// Axial load of the unit case (N): one body weight.
    pub axial_load_n: f64,
    /// Torque of the unit case (N·m).
    pub torque_nm: f64,
    /// Axial stiffness of the reconstructed tibia (N/mm).
    pub axial_n_per_mm: f64,
    /// Axial stiffness of the intact tibia (N/mm).
    pub intact_axial_n_per_mm: f64,
    /// Torsional stiffness of the reconstructed tibia (N·m/°).
    pub torsional_nm_per_deg: f64,
    /// Torsional stiffness of the intact tibia (N·m/°).
    pub intact_torsional_nm_per_deg: f64,
    /// Torsional stiffness of the reconstructed tibia under an axial preload of one body
    /// weight (N·m/°): the unit torque's added rotation from the preloaded state. `None` for
    /// a bonded construct (linear: equal to [`Self::torsional_nm_per_deg`]) and in reports
    /// written before it existed.
    #[serde(default)]
    pub preloaded_torsional_nm_per_deg: Option<f64>,
}

impl ConstructStiffness {
    /// Reconstructed / intact axial stiffness.
    pub fn axial_ratio(&self) -> f64 {
        self.axial_n_per_mm / self.intact_axial_n_per_mm
    }

    /// Reconstructed / intact torsional stiffness.
    pub fn torsional_ratio(&self) -> f64 {
        self.torsional_nm_per_deg / self.intact_torsional_nm_per_deg
    }
}

/// `model` with the two unit cases in place of its load cases.
fn with_unit_cases(model: &Model, body_weight_n: f64) -> Result<Model, BiomechError> {
    let mut m = model.clone();
    m.load_cases = vec![
        plateau_wrench_case(&m.mesh, "unit: axial", [0.0, 0.0, -body_weight_n], [0.0; 3])?,
        plateau_wrench_case(
            &m.mesh,
            "unit: torsion",
            [0.0; 3],
            [0.0, 0.0, 1000.0 * UNIT_TORQUE_NM],
        )?,
    ];
    Ok(m)
}

/// The rigid motion of the tibial plateau (area-weighted fit over its nodes) in each of
/// `cases`.
fn plateau_fits(
    model: &Model,
    cases: [&StepSolution; 2],
) -> Result<[RigidMotion; 2], BiomechError> {
    let p = plateau(&model.mesh)?;
    let points: Vec<[f64; 3]> = p.nodes.iter().map(|&n| model.mesh.coords[n]).collect();
    let fit = |case: &StepSolution| {
        let u: Vec<[f64; 3]> = p.nodes.iter().map(|&n| case.displacement[n]).collect();
        RigidMotion::fit(&points, &u, Some(&p.weights))
    };
    Ok([fit(cases[0])?, fit(cases[1])?])
}

/// (axial shortening of the plateau centre (mm), plateau rotation about z (rad)) of the
/// two unit solutions.
fn plateau_motion(model: &Model, cases: &[StepSolution]) -> Result<(f64, f64), BiomechError> {
    let [axial, torsion] = cases else {
        return Err(BiomechError::construction(format!(
            "construct stiffness: expected the two unit cases, got {}",
            cases.len()
        )));
    };
    let [axial, torsion] = plateau_fits(model, [axial, torsion])?;
    Ok((-axial.translation[2], torsion.rotation[2]))
}

/// Solve the unit cases on both models of `setup` (with contact for a frictional
/// interface) and return the stiffnesses.
pub fn construct_stiffness(
    setup: &StudySetup,
    body_weight_n: f64,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<ConstructStiffness, BiomechError> {
    let implanted = with_unit_cases(&setup.implanted_model, body_weight_n)?;
    let intact = with_unit_cases(&setup.intact_model, body_weight_n)?;
    let (implanted_cases, preloaded) = if setup.split.is_some() {
        let (cases, preloaded) =
            frictional_unit_cases(setup, &implanted, body_weight_n, options, observer)?;
        (cases, Some(preloaded))
    } else {
        let cases = osteon_assembly::solve_linear_static_observed(&implanted, options, observer)?;
        (cases.cases, None)
    };
    let intact_cases =
        osteon_assembly::solve_linear_static_observed(&intact, options, observer)?.cases;
    let (d_imp, th_imp) = plateau_motion(&implanted, &implanted_cases)?;
    let (d_int, th_int) = plateau_motion(&intact, &intact_cases)?;
    Ok(ConstructStiffness {
        axial_load_n: body_weight_n,
        torque_nm: UNIT_TORQUE_NM,
        axial_n_per_mm: body_weight_n / d_imp,
        intact_axial_n_per_mm: body_weight_n / d_int,
        torsional_nm_per_deg: UNIT_TORQUE_NM / th_imp.to_degrees(),
        intact_torsional_nm_per_deg: UNIT_TORQUE_NM / th_int.to_degrees(),
        preloaded_torsional_nm_per_deg: preloaded,
    })
}

/// The frictional construct's unit solutions (`implanted` holds the unit cases of
/// [`with_unit_cases`] for `body_weight_n`) and its torsional stiffness under the axial unit
/// load as a preload (N·m/°). The axial case runs as the first step of a load path whose
/// second step adds the unit torque (T / the rotation that step adds), so the preload is not
/// solved twice; the torsion alone runs from the unloaded state.
fn frictional_unit_cases(
    setup: &StudySetup,
    implanted: &Model,
    body_weight_n: f64,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<(Vec<StepSolution>, f64), BiomechError> {
    let [axial, torsion] = implanted.load_cases.as_slice() else {
        return Err(BiomechError::construction(format!(
            "construct stiffness: expected the two unit cases, got {}",
            implanted.load_cases.len()
        )));
    };
    let twisted = plateau_wrench_case(
        &implanted.mesh,
        "unit: preload + torsion",
        [0.0, 0.0, -body_weight_n],
        [0.0, 0.0, 1000.0 * UNIT_TORQUE_NM],
    )?;
    let mut path = implanted.clone();
    path.load_cases = vec![axial.clone(), twisted];
    let mut alone = implanted.clone();
    alone.load_cases = vec![torsion.clone()];
    let mut along = setup
        .with_contact_cache(|cache| {
            solve_frictional_in_sequence_cached(&path, options, observer, cache)
        })?
        .solution
        .cases;
    let mut twist = setup
        .with_contact_cache(|cache| solve_frictional_cached(&alone, options, observer, cache))?
        .solution
        .cases;
    let (Some(twisted), Some(pre), Some(torsion), true, true) = (
        along.pop(),
        along.pop(),
        twist.pop(),
        along.is_empty(),
        twist.is_empty(),
    ) else {
        return Err(BiomechError::construction(
            "construct stiffness: the frictional unit analyses returned another number of cases",
        ));
    };
    let [before, after] = plateau_fits(implanted, [&pre, &twisted])?;
    let added = after.rotation[2] - before.rotation[2];
    Ok((vec![pre, torsion], UNIT_TORQUE_NM / added.to_degrees()))
}
