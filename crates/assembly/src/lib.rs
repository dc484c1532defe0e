//! # osteon-assembly
//!
//! From model to solution for small-strain linear elasticity:
//!
//! - [`Model`]: mesh + materials + [`Section`]s + [`DirichletBc`]s + [`Equation`]s + [`LoadCase`]s;
//! - [`DofMap`]: free / prescribed / eliminated DOFs (multi-point constraints eliminated exactly);
//! - [`tie_equations`]: tie constraints between non-matching meshes, as equations;
//! - [`SparsityPattern`]: the reduced stiffness pattern, built once, and the element colouring
//!   for lock-free parallel assembly ([`assemble_stiffness`]);
//! - [`element`]: stiffness, internal-force, strain and consistent-load kernels;
//! - [`external_forces`], [`internal_forces`]: load vectors and K u (reactions, lifting);
//! - [`recover_fields`]: strain, stress and strain-energy density at integration points,
//!   stress averaged at nodes;
//! - [`solve_linear_static`]: the whole pipeline with phase timings, one factorisation per
//!   constraint set shared by all its load cases; or drive the phases yourself with
//!   [`LinearSystem`] and [`solve_case`].
//!
//! Units: mm, N, MPa throughout.

// Index loops over nodes, components and quadrature points mirror the formulas (Σ_a, i, k);
// iterator chains would hide them.
#![allow(clippy::needless_range_loop)]

mod analysis;
mod assemble;
mod dofs;
pub mod element;
mod error;
mod forces;
mod loads;
mod model;
mod pattern;
mod recovery;
mod rigid_body;
mod tie;

pub use analysis::{
    CaseSolution, LinearSystem, Observer, Phase, PhaseTimings, Silent, SolveOptions, SolverChoice,
    StaticSolution, SystemStats, material_stiffnesses, solve_case, solve_linear_static,
    solve_linear_static_observed,
};
pub use assemble::{assemble_stiffness, element_materials};
pub use dofs::{DependentDof, DofMap, DofState};
pub use error::AssemblyError;
pub use forces::internal_forces;
pub use loads::external_forces;
pub use model::{
    Component, DirichletBc, Equation, Gravity, LoadCase, Model, NodalLoad, PressureLoad, Section,
    TractionLoad,
};
pub use pattern::SparsityPattern;
pub use recovery::{
    RecoveredFields, extrapolation, recover_fields, strain_energy_density, von_mises,
};
pub use rigid_body::check_rigid_body_modes;
pub use tie::{DEFAULT_TIE_TOLERANCE_FRACTION, Tie, TieReport, tie_equations};
