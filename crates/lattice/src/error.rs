//! Errors of the lattice geometry.

use thiserror::Error;

/// What can go wrong building or sizing a lattice cell.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LatticeError {
    /// The voxel resolution is below 2 or above [`crate::MAX_RESOLUTION`] per cell edge.
    #[error("resolution {0} voxels per cell edge is out of range (2 to 1024)")]
    Resolution(usize),
    /// The mask length is not resolution³.
    #[error("voxel mask has {got} entries, expected {expected}")]
    MaskLength {
        /// Entries supplied.
        got: usize,
        /// resolution³.
        expected: usize,
    },
    /// A parameter (strut radius, sheet thickness, cell size, target) is out of range.
    #[error("{name} = {value} is out of range ({range})")]
    OutOfRange {
        /// Which parameter.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The admissible range, in words.
        range: &'static str,
    },
    /// The cell has no pore space, so it has no pore size.
    #[error("the cell has no pore space")]
    NoPores,
    /// The target porosity cannot be reached with this cell at this resolution.
    #[error("porosity {target} is not reachable: the cell spans {min:.4}..{max:.4}")]
    Unreachable {
        /// Target porosity (1).
        target: f64,
        /// Smallest porosity reachable.
        min: f64,
        /// Largest porosity reachable.
        max: f64,
    },
    /// The cell holds no solid voxel.
    #[error("the cell holds no solid")]
    NoSolid,
    /// The effective stiffness is not positive definite: the solid does not span the cell
    /// in every direction.
    #[error(
        "the effective stiffness is singular: the solid does not span the cell in every direction"
    )]
    NotSpanning,
    /// The sparse factorisation or a solve failed.
    #[error("micro-FE solve failed: {}{}", .0, singular_hint(.0))]
    Solver(osteon_solver::SolverError),
    /// A result file could not be written.
    #[error("{path}: {detail}")]
    Output {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
    /// An internal invariant broke (a bug).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// What usually makes the micro-FE system singular.
fn singular_hint(e: &osteon_solver::SolverError) -> &'static str {
    match e {
        osteon_solver::SolverError::NotPositiveDefinite { .. } => {
            " (a loose solid island or a solid that does not span the cell makes the system singular)"
        }
        _ => "",
    }
}
