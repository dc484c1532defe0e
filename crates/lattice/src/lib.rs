//! # osteon-lattice
//!
//! Unit cells of printed porous lattices, voxelised on an n³ grid of a cubic cell of side
//! `cell_size_mm` (mm): a strut-based diamond cell, a stretch-dominated octet truss and a
//! sheet gyroid. For each cell the solid fraction, the porosity and the pore size (diameter
//! of the largest sphere inscribed in the pore space, µm) follow from the voxels, and
//! [`design`] inverts them: the strut radius or sheet thickness for a target porosity, then
//! the cell size for a target pore size.
//!
//! The micro-FE homogenisation of issue 14 (periodic boundary conditions, the 6 × 6
//! effective stiffness) builds on these voxel cells and is not in this crate yet.

mod cell;
mod design;
mod error;
mod voxel;

pub use cell::CellKind;
pub use design::{Design, design, parameter_for_porosity};
pub use error::LatticeError;
pub use voxel::{MAX_RESOLUTION, VoxelCell};
