//! Structured mesh generators.
//!
//! Every generator is a map of the unit cube: [`structured_mesh`] cuts [0, 1]³ into cells,
//! builds hexahedra (or six Kuhn tetrahedra per cell, conforming across cells) of any
//! supported type, and places every node — corners and mid-edge nodes alike — through a
//! user map. Mid-edge nodes of a curved map therefore lie on the curved geometry (e.g. on
//! the circles of a tube). [`box_mesh`] and [`tube_mesh`] are the two named maps.

mod structured;

pub use structured::{BoxSpec, StructuredSpec, TubeSpec, box_mesh, structured_mesh, tube_mesh};
