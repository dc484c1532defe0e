//! # osteon-contact
//!
//! Node-to-surface frictional contact for small-strain linear elasticity, built to measure
//! **micromotion**: the tangential slip between a porous-tantalum implant and bone under load
//! (bone ingrowth below ~40 µm, fibrous tissue above ~150 µm). Units: mm, N, MPa.
//!
//! ## Formulation
//!
//! - **Node-to-surface, small sliding** (Wriggers 2006, ch. 4 and §9.1): each slave node is
//!   projected once, in the undeformed configuration, onto the closest master face of
//!   Tet4/Tet10/Hex8/Hex20 type (closest-point projection, [`pairing`]). The projection point,
//!   the master normal n and the tributary area A_s of the slave node stay fixed, so the gap
//!   g_N = g₀ + n·(u_s − Σ N_a u_a) and the tangential relative displacement
//!   g_T = (I − n⊗n)(u_s − Σ N_a u_a) are linear in the displacements ([`kinematics`]).
//!   This is exact for the relative displacements of an interface that slides by much less
//!   than an element, which is the micromotion regime (µm on mm elements).
//! - **Normal contact**: penalty k_N = factor × (element layer stiffness M/h) for hard
//!   contact, with **augmented-Lagrangian (Uzawa) updates** of the pressure until the largest
//!   penetration is below a stated tolerance (Simo & Laursen 1992; Laursen 2002 §6.4); or the
//!   linear pressure–overclosure law of CalculiX with a given slope ([`NormalBehaviour`]).
//! - **Coulomb friction** with an elastic stick slope k_T and a **return mapping**: stick if
//!   |t*| ≤ μ p, else slip with t = μ p t*/|t*| ([`constitutive`]; Wriggers 2006 §5.2;
//!   Laursen 2002 ch. 5).
//! - **Linear solver for the non-symmetric slip tangent**: the consistent tangent of a
//!   slipping node has one non-symmetric rank-one term, −μ k_N t̂⊗n (the pressure dependence
//!   of the friction force). The symmetric part K_sym (elastic K + the symmetric contact
//!   terms, positive definite) is factorised by faer's supernodal **Cholesky**, with **one
//!   symbolic analysis per constraint set reused by every iteration** (the extended pattern
//!   holds the fixed slave↔master couplings, [`system`]); the full system K_T Δx = r is then
//!   solved by **flexible GMRES preconditioned with that factorisation**
//!   ([`SlipTangent::Consistent`], the default). K_T − K_sym has rank ≤ the number of
//!   slipping nodes and is small, so GMRES needs a few extra triangular solves and Newton
//!   keeps its fast convergence. [`SlipTangent::Symmetric`] drops the term (one solve per
//!   iteration, linear convergence). Measured on the sliding block (tests/block_friction.rs):
//!   consistent 6 iterations per increment, 2 increments; symmetric: the full step chatters
//!   (stick/slip 2-cycle) and needs 8 increments of 11–12 iterations. A sparse LU of K_T
//!   was not chosen: it needs a non-symmetric factorisation every iteration (with COLAMD
//!   ordering: more fill and about twice the memory of the Cholesky factor).
//! - **Newton with load increments** ([`newton`], [`driver`]): loads and prescribed
//!   displacements interpolated linearly within each step, the increment cut by 4 on
//!   divergence (down to the step's minimum), convergence on the residual force **and** an
//!   unchanged contact state. Every increment is logged ([`IncrementLog`]: iterations,
//!   residuals, nodes in contact / sticking / slipping, max penetration, max slip). Failure
//!   ends with [`ContactError::NotConverged`] naming the increment, the residual history
//!   and the worst nodes.
//!
//! ## Entry points
//!
//! A [`Model`](osteon_assembly::Model) with [`ContactPair`]s (+ [`SurfaceInteraction`]:
//! [`NormalBehaviour`], [`Friction`]; [`InitialGap`]) and load cases as steps (each with its
//! [`IncrementControl`]) + [`ContactOptions`] in a [`ContactProblem`] →
//! [`solve_contact`] → [`ContactSolution`]: one [`StepSolution`](osteon_assembly::StepSolution)
//! per step — the same type the linear solver returns — with displacements, reactions,
//! recovered stress and a [`ContactState`] (per pair and slave node: pressure, slip, status;
//! the step's increments) → [`Micromotion::between`] (the one definition of micromotion:
//! tangential and normal relative motion of the slave surface between a reference and a
//! loaded step, area statistics per interface) and [`ContactState::nodal_fields`] for the VTU point data
//! `contact_pressure`, `slip`, `slip_magnitude`, `contact_status`. The model data and result
//! types live in [`osteon_assembly::contact`] and are re-exported here.
//!
//! ```
//! use osteon_assembly::{DirichletBc, LoadCase, Model};
//! use osteon_contact::{ContactPair, ContactProblem, solve_contact};
//! use osteon_material::{IsotropicElastic, Material};
//! use osteon_mesh::{ElementType, FaceRef, Mesh, generate::{BoxSpec, box_mesh}};
//!
//! // a 1 mm cube resting on a fixed 1 mm cube, pressed down by 0.001 mm, μ = 0.3
//! let lower = box_mesh(&BoxSpec { origin: [0.0; 3], size: [1.0; 3], cells: [1, 1, 1], element: ElementType::Hex8 })?;
//! let upper = box_mesh(&BoxSpec { origin: [0.0, 0.0, 1.0], size: [1.0; 3], cells: [1, 1, 1], element: ElementType::Hex8 })?;
//! let mut mesh = lower.clone();
//! for (i, x) in upper.coords.iter().enumerate() { mesh.add_node(100 + i as i64, *x)?; }
//! let nodes: Vec<usize> = upper.element(0).nodes.iter().map(|n| n + 8).collect();
//! mesh.push_element(ElementType::Hex8, 2, &nodes)?;
//! let slave: Vec<FaceRef> = upper.surface_faces("ZMIN")?.iter().map(|f| FaceRef { element: 1, face: f.face }).collect();
//! let master = lower.surface_faces("ZMAX")?.to_vec();
//! let mut model = Model::new(mesh);
//! let bone = model.add_material(Material::new("bone", IsotropicElastic::new(17_000.0, 0.3)?.into()));
//! model.add_section("ALL", vec![0, 1], bone);
//! model.fix(&lower.node_set("ZMIN")?.to_vec(), &[0, 1, 2]);
//! let mut press = LoadCase::new("press");
//! for &n in upper.node_set("ZMAX")? {
//!     for (c, v) in [(0, 0.0), (1, 0.0), (2, -0.001)] {
//!         press.boundary.push(DirichletBc { node: n + 8, component: c, value: v });
//!     }
//! }
//! model.contact_pairs.push(ContactPair::new("interface", slave, master, 0.3));
//! let mut problem = ContactProblem::from_model(&model);
//! problem.steps = vec![press];
//! let solution = solve_contact(&problem)?;
//! let pair = &solution.contact(0).expect("a contact step").pairs[0];
//! assert_eq!(pair.counts().0, 4); // all four slave nodes in contact
//! assert!(pair.max_pressure() > 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## References
//!
//! - P. Wriggers, *Computational Contact Mechanics*, 2nd ed., Springer, 2006.
//! - T. A. Laursen, *Computational Contact and Impact Mechanics*, Springer, 2002.
//! - J. C. Simo, T. A. Laursen, "An augmented Lagrangian treatment of contact problems
//!   involving friction", *Computers & Structures* 42 (1992) 97–116.

mod condensed;
pub mod constitutive;
mod definition;
pub mod driver;
mod error;
pub mod kinematics;
mod linear;
pub mod newton;
pub mod pairing;
mod results;
pub mod system;

pub use constitutive::{History, SLIP_REGULARIZATION};
pub use definition::{
    ContactOptions, ContactProblem, MAX_AUTO_INTERFACE, SlipTangent, TangentFactorisation,
};
pub use driver::{solve_contact, solve_contact_cached, solve_contact_observed};
pub use error::{ContactError, NonConvergence, WorstNode};
pub use linear::FactorCache;
pub use pairing::{ContactNode, PairingReport, pair_nodes};
pub use results::{ContactSolution, ContactTimings};

// The model data and result types of contact live with the model (osteon-assembly), so that
// readers, writers and reports use them without this solver; re-exported for convenience.
pub use osteon_assembly::contact::{
    BAND_EDGES_UM, ContactFields, ContactPair, ContactState, ContactStatus, Friction,
    IncrementControl, IncrementLog, InitialGap, Micromotion, MicromotionBands, MotionHistogram,
    MotionStatistics, NodeMotion, NodeResult, NormalBehaviour, PairResult, Sampling,
    StatusFractions, SurfaceInteraction, node_motions,
};
