//! One module per subcommand.

pub mod ct;
pub mod design;
pub mod info;
pub mod input;
pub mod lattice;
pub mod mesh;
pub mod solve;
pub mod study;
