//! # osteon-validation
//!
//! Analytic verification of osteon's small-strain linear elasticity: each case is a
//! model with a closed-form solution (formula and textbook source in the case's doc
//! comment), solved with every element type (C3D4, C3D10, C3D8, C3D20, C3D20R) and
//! compared quantity by quantity as [`CheckResult`]s with a stated tolerance.
//!
//! | module | case |
//! |---|---|
//! | [`bar`] | 1 axial bar, end traction: F L/(E A), F/A, Poisson contraction (exact); bar under its own weight |
//! | [`beam`] | 2 cantilever with tip shear, 3 simply supported beam under pressure (Timoshenko beam) |
//! | [`torsion`] | 4 torsion of a circular tube: φ = T L/(G J) |
//! | [`lame`] | 5 Lamé thick cylinder under internal pressure, plane strain |
//! | [`composite_bar`] | 6 bone + porous-tantalum bar in series (two sections) |
//! | [`patch`] | 7 displacement and traction patch tests on distorted meshes |
//! | [`convergence`] | 8 L2 convergence rates on the Lamé problem |
//! | [`report`] | the table and the `N passed, M failed` line |
//!
//! `cargo test -p osteon-validation --release` runs the unit tests and the suite
//! (`tests/suite.rs`), which prints the whole table. Units: mm, N, MPa.

pub mod bar;
pub mod beam;
pub mod composite_bar;
pub mod convergence;
pub mod lame;
pub mod patch;
pub mod report;
mod support;
pub mod torsion;

use osteon_mesh::ElementType;

pub use support::{
    Backend, CaseError, CaseResult, CheckResult, Direct, SplitMix64, least_squares, log_log_slope,
    solve_options, solve_single, traction_loads, worst_pair,
};

/// A case for one element type, solved through a [`Backend`].
pub type CaseFn = fn(ElementType, &dyn Backend) -> CaseResult;

/// One family of checks, run once per element type.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Family name.
    pub name: &'static str,
    /// The case for one element type.
    pub run: CaseFn,
}

/// Every case except the convergence study (which reports its own table), in the order
/// of the report.
pub fn cases() -> Vec<Case> {
    let list: [(&'static str, CaseFn); 9] = [
        ("1 axial bar", bar::axial_bar),
        ("1 bar, self-weight", bar::self_weight),
        ("2 cantilever", beam::cantilever),
        ("3 simply supported", beam::simply_supported),
        ("4 torsion", torsion::circular_shaft),
        ("5 Lame cylinder", lame::thick_cylinder),
        ("6 bone + Ta bar", composite_bar::bone_tantalum_bar),
        ("7 displacement patch", patch::displacement_patch),
        ("7 traction patch", patch::traction_patch),
    ];
    list.into_iter()
        .map(|(name, run)| Case { name, run })
        .collect()
}

/// A failing row that records why a case produced no numbers.
pub fn error_row(case: &str, element: ElementType, error: &CaseError) -> CheckResult {
    CheckResult {
        case: case.to_string(),
        element,
        quantity: format!("ERROR: {error}"),
        computed: f64::NAN,
        reference: f64::NAN,
        rel_error: f64::INFINITY,
        tolerance: 0.0,
    }
}
