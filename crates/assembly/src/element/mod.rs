//! Element-level kernels of small-strain linear elasticity: stiffness, internal force,
//! strain and stress at points, consistent face and body loads. Fixed-size arithmetic on
//! caller-provided buffers; no allocation in the hot loops.
//!
//! Local DOF order is node-major: DOF 3a + i is component i of element node a.
//! Strain in Voigt order (xx, yy, zz, xy, yz, xz) with engineering shears, so for node a
//! with gradient g = ∂N_a/∂x the 6×3 block of B is
//! ```text
//! [gx 0 0; 0 gy 0; 0 0 gz; gy gx 0; 0 gz gy; gz 0 gx]
//! ```

pub(crate) mod kernels;
mod loads;

pub use kernels::{ElementGeometryError, internal_force, stiffness, strain_at};
pub use loads::{body_force, face_pressure, face_traction};
