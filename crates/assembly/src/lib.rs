//! # osteon-assembly
//!
//! A 10 mm cortical-bone bar clamped at one end and pulled at the other, solved stage by
//! stage — operator, constrained system, assembly, factorisation, one load case — and checked
//! against F L / (E A):
//!
//! ```
//! use osteon_assembly::{ConstrainedSystem, ElasticOperator, LoadCase, Model, NodalLoad, solve_case};
//! use osteon_material::{IsotropicElastic, Material};
//! use osteon_mesh::{ElementType, generate::{BoxSpec, box_mesh}};
//! use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver};
//!
//! let mesh = box_mesh(&BoxSpec { origin: [0.0; 3], size: [10.0, 1.0, 1.0], cells: [4, 1, 1], element: ElementType::Hex8 })?;
//! let mut model = Model::new(mesh);
//! let bone = model.add_material(Material::new("cortical", IsotropicElastic::new(17_000.0, 0.0)?.into()));
//! model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), bone);
//! model.fix(&model.mesh.node_set("XMIN")?.to_vec(), &[0, 1, 2]);
//! let xmax = model.mesh.node_set("XMAX")?.to_vec();
//! let mut pull = LoadCase::new("pull");
//! for &node in &xmax {
//!     pull.nodal_loads.push(NodalLoad { node, component: 0, value: 100.0 / xmax.len() as f64 });
//! }
//!
//! let op = ElasticOperator::new(&model)?; // element materials and D matrices, once
//! let boundary = model.boundary_of(&pull);
//! let mut system = ConstrainedSystem::setup(&op, &boundary)?; // DOF map, pattern
//! system.assemble(&op)?; // Tᵀ K T
//! let mut solver = CholeskySolver::new(CholeskyOptions::default());
//! solver.analyse(system.matrix(), Some(system.dofs().groups()))?;
//! solver.factorise(system.matrix())?;
//! let (step, _u) = solve_case(&op, &system, &mut solver, &pull, &boundary)?;
//! let elongation = step.displacement[xmax[0]][0];
//! assert!((elongation - 100.0 * 10.0 / 17_000.0).abs() < 1e-12); // ν = 0: exact
//! assert!((step.total_reaction()[0] + 100.0).abs() < 1e-9); // the clamp carries the pull
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! From model to solution for small-strain linear elasticity:
//!
//! - [`Model`]: mesh + materials + [`Section`]s + [`DirichletBc`]s + [`Equation`]s + [`LoadCase`]s;
//! - [`DofMap`]: free / prescribed / eliminated DOFs (multi-point constraints eliminated exactly);
//! - [`tie_equations`]: tie constraints between non-matching meshes, as equations;
//! - [`distribute_wrench`]: a force and moment spread over a node set (distributing
//!   coupling); [`CoupledSupport`]: a node set held at its centroid through the same
//!   coupling (statically determinate, the set free to deform), [`Model::coupled_support`];
//! - [`SparsityPattern`]: the reduced stiffness pattern, built once, and the element colouring
//!   for lock-free parallel assembly ([`assemble_stiffness`]); [`ElementSlots`]: where each
//!   element entry lands, for refills of the same pattern ([`refill_stiffness`]);
//! - [`element`]: stiffness, internal-force, strain and consistent-load kernels;
//! - [`external_forces`], [`internal_forces`]: load vectors and K u (reactions, lifting);
//! - [`recover_fields`]: strain, stress and strain-energy density at integration points,
//!   stress averaged at nodes;
//! - [`ElasticOperator`]: the element materials and D matrices, validated once;
//! - [`Constraints`]: the one place where constraints are formed (reduced right-hand side)
//!   and the solution recovered (u, reactions), without a matrix — shared by the serial,
//!   contact and distributed analyses; [`ConstrainedSystem`] adds the reduced K in a serial
//!   sparse matrix, and [`ReducedElement`] forms one element's block of it;
//! - [`StepSolution`]: what every analysis returns per step (displacement, reactions,
//!   applied total, fields, diagnostics, and the [`ContactState`] of a contact step);
//! - [`contact`]: contact pairs as model data and the contact state as results (the solver
//!   is osteon-contact);
//! - [`solve_linear_static`]: the whole pipeline with phase timings, one factorisation per
//!   constraint set shared by all its load cases; or drive the phases yourself with
//!   [`ConstrainedSystem`] and [`solve_case`].
//!
//! - [`progress`]: one [`Observer`] receives every long run's [`Event`]s (phases, contact
//!   increments, study stages); libraries never print.
//!
//! Threads: everything runs on the rayon pool the caller runs in; no function builds a pool.
//!
//! Units: mm, N, MPa throughout.

// Index loops over nodes, components and quadrature points mirror the formulas (Σ_a, i, k);
// iterator chains would hide them.
#![allow(clippy::needless_range_loop)]

mod analysis;
mod assemble;
mod constraints;
pub mod contact;
mod coupling;
mod dofs;
pub mod element;
mod error;
mod forces;
mod loads;
mod model;
mod operator;
mod pattern;
pub mod progress;
mod recovery;
mod rigid_body;
mod rigid_motion;
mod slots;
mod solution;
pub mod stats;
mod support;
mod system;
mod tie;

pub use analysis::{
    PhaseTimings, RankStats, SolveOptions, SolverChoice, StaticSolution, solve_case,
    solve_linear_static, solve_linear_static_observed,
};
pub use assemble::{
    ReducedElement, assemble_stiffness, element_materials, element_unknowns, refill_stiffness,
};
pub use constraints::Constraints;
pub use contact::{
    ContactPair, ContactState, Friction, IncrementControl, InitialGap, NormalBehaviour,
    SurfaceInteraction,
};
pub use coupling::{Wrench, distribute_wrench, weighted_centroid};
pub use dofs::{DependentDof, DofMap, DofState};
pub use error::AssemblyError;
pub use forces::internal_forces;
pub use loads::external_forces;
pub use model::{
    Component, DirichletBc, Equation, Gravity, LoadCase, Model, NodalLoad, PressureLoad, Section,
    TractionLoad,
};
pub use operator::{CaseLoads, ElasticOperator, material_stiffnesses};
pub use pattern::SparsityPattern;
pub use progress::{ConsoleLog, Event, Labelled, Observer, Phase, Silent, timed};
pub use recovery::{
    RecoveredFields, extrapolation, recover_fields, strain_energy_density, von_mises,
};
pub use rigid_body::check_rigid_body_modes;
pub use rigid_motion::RigidMotion;
pub use slots::ElementSlots;
pub use solution::{StepDiagnostics, StepSolution};
pub use stats::weighted_quantile;
pub use support::CoupledSupport;
pub use system::{ConstrainedSystem, SystemStats};
pub use tie::{DEFAULT_TIE_TOLERANCE_FRACTION, Tie, TieReport, adjust_tied_nodes, tie_equations};
