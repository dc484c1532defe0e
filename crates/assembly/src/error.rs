//! Errors of the assembly crate.

use osteon_material::MaterialError;
use osteon_mesh::MeshError;
use osteon_solver::SolverError;

/// Everything that can go wrong from model to solution.
#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    /// A mesh problem (inverted element, missing set, ...).
    #[error(transparent)]
    Mesh(#[from] MeshError),
    /// A material problem.
    #[error(transparent)]
    Material(#[from] MaterialError),
    /// A linear-solver problem that could not be mapped to the model.
    #[error(transparent)]
    Solver(#[from] SolverError),
    /// An element has no section (no material).
    #[error("element {element_id} has no section: assign a material to it with a solid section")]
    MissingSection {
        /// Element id.
        element_id: i64,
    },
    /// An element is in two sections.
    #[error("element {element_id} is in two sections ('{first}' and '{second}')")]
    DuplicateSection {
        /// Element id.
        element_id: i64,
        /// First section name.
        first: String,
        /// Second section name.
        second: String,
    },
    /// A reference to something that does not exist (node index, material index, component).
    #[error("invalid model: {detail}")]
    InvalidModel {
        /// What is wrong.
        detail: String,
    },
    /// A step index (0-based) beyond the steps of a solution.
    #[error("step {} does not exist: the solution has {steps} step(s)", index + 1)]
    StepIndex {
        /// The index asked for (0-based).
        index: usize,
        /// Steps in the solution.
        steps: usize,
    },
    /// The constraints leave a rigid-body motion of the whole model free.
    #[error(
        "the model can move as a rigid body: {mode} is not constrained; add boundary conditions that stop it"
    )]
    RigidBodyMode {
        /// Description such as "translation in x" or "rotation about z (about the point (…))".
        mode: String,
    },
    /// The stiffness matrix is singular or indefinite at a node: that node (or the part it
    /// belongs to) is free to move in `direction`.
    #[error(
        "the stiffness matrix is singular at node {node_id} in {direction}: that node, or the part of the mesh it belongs to, is not held in {direction} (missing support, missing tie, or a part with no elements)"
    )]
    Singular {
        /// Node id from the input.
        node_id: i64,
        /// "x", "y" or "z".
        direction: &'static str,
        /// The reduced unknown where the factorisation failed.
        unknown: usize,
    },
    /// An equation constraint is circular or conflicts with a prescribed displacement.
    #[error("constraint conflict: {detail}")]
    ConstraintConflict {
        /// What conflicts.
        detail: String,
    },
    /// A load refers to a face with no density or the like.
    #[error("load error: {detail}")]
    Load {
        /// What is wrong.
        detail: String,
    },
    /// The matrix given to the assembly was not built for the sparsity pattern given with
    /// it: a different size, or a slot the pattern's elements write is missing.
    #[error(
        "the matrix does not hold the sparsity pattern it is assembled with: {detail} (build both with SparsityPattern::build or build_with_couplings)"
    )]
    PatternMismatch {
        /// What does not match.
        detail: String,
    },
}

/// Axis name of a component.
pub(crate) fn axis_name(component: usize) -> &'static str {
    match component {
        0 => "x",
        1 => "y",
        _ => "z",
    }
}
