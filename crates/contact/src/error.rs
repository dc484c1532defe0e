//! Errors of the contact crate.

use std::fmt;

use osteon_assembly::AssemblyError;
use osteon_mesh::MeshError;
use osteon_solver::SolverError;

/// A node that contributes most to a residual that would not vanish.
#[derive(Clone, Debug, PartialEq)]
pub struct WorstNode {
    /// Node id from the input.
    pub node_id: i64,
    /// Norm of the node's out-of-balance force (N).
    pub residual: f64,
    /// Contact pair of the node when it is a slave node, with its last status change
    /// ("stick→slip", ...), or an empty string.
    pub contact: String,
}

/// Why and where an increment could not be converged even at the smallest increment size.
#[derive(Clone, Debug, PartialEq)]
pub struct NonConvergence {
    /// Step name.
    pub step: String,
    /// Step number (1-based).
    pub step_number: usize,
    /// Increment number within the step (1-based, counting cut attempts).
    pub increment: usize,
    /// Load fraction of the step the increment tried to reach.
    pub target_fraction: f64,
    /// Size of the last increment tried (fraction of the step).
    pub increment_size: f64,
    /// What went wrong in the last attempt.
    pub reason: String,
    /// ‖r‖₂ (N) per iteration of the last attempt.
    pub residual_history: Vec<f64>,
    /// Force scale the residual was compared with (N).
    pub force_scale: f64,
    /// Nodes with the largest out-of-balance forces in the last iterate.
    pub worst_nodes: Vec<WorstNode>,
}

impl fmt::Display for NonConvergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} ('{}'), increment {} towards load fraction {:.6} (size {:.3e}): {}; residual history [",
            self.step_number,
            self.step,
            self.increment,
            self.target_fraction,
            self.increment_size,
            self.reason
        )?;
        for (i, r) in self.residual_history.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{r:.3e}")?;
        }
        write!(
            f,
            "] N against a force scale of {:.3e} N; worst nodes:",
            self.force_scale
        )?;
        for w in &self.worst_nodes {
            write!(
                f,
                " {} ({:.3e} N{}{})",
                w.node_id,
                w.residual,
                if w.contact.is_empty() { "" } else { ", " },
                w.contact
            )?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in a contact analysis.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    /// Model set-up, assembly or a linear solve failed.
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// A mesh problem (bad face reference).
    #[error(transparent)]
    Mesh(#[from] MeshError),
    /// A linear-solver failure that could not be mapped to a node.
    #[error(transparent)]
    Solver(#[from] SolverError),
    /// A contact pair is ill-defined.
    #[error("contact pair '{pair}': {detail}")]
    InvalidPair {
        /// Pair name.
        pair: String,
        /// What is wrong.
        detail: String,
    },
    /// No slave node of a pair found its master surface.
    #[error(
        "contact pair '{pair}': none of its {slave_nodes} slave nodes lies within {search_distance:.4} mm of the master surface (in front of a master face); check the surfaces and the search distance"
    )]
    NoContactNodes {
        /// Pair name.
        pair: String,
        /// Slave nodes tried.
        slave_nodes: usize,
        /// Search distance used (mm).
        search_distance: f64,
    },
    /// The problem (steps, options) is ill-defined.
    #[error("invalid contact problem: {detail}")]
    InvalidProblem {
        /// What is wrong.
        detail: String,
    },
    /// The Newton matrix is singular: a part is held by nothing (often a body that is
    /// meant to be held by contact but does not touch yet).
    #[error(
        "step {step_number}: the contact system is singular at node {node_id} in {direction}: that node or its part is not held in {direction}; a body held only by contact must touch its partner initially (use InitialGap::Adjust) or be supported"
    )]
    Singular {
        /// Step number (1-based).
        step_number: usize,
        /// Node id.
        node_id: i64,
        /// "x", "y" or "z".
        direction: &'static str,
    },
    /// An increment could not be converged even after cutting it to the minimum size.
    #[error("contact analysis did not converge: {0}")]
    NotConverged(Box<NonConvergence>),
}
