//! Reference elements: shape functions and their natural derivatives, quadrature rules and
//! face maps, all in Abaqus/CalculiX node and face numbering.
//!
//! The volume elements live on the natural domains
//! - tetrahedra: ξ, η, ζ ≥ 0, ξ + η + ζ ≤ 1 (volume 1/6), node 1 at the origin;
//! - hexahedra: [−1, 1]³ (volume 8).
//!
//! Faces are 2-D reference elements (`FaceType`) on the unit triangle or [−1, 1]².

mod element_type;
mod face;
mod quadrature;
mod shape;

pub use element_type::ElementType;
pub use face::{FaceShape, FaceType};
pub use quadrature::{
    QuadratureRule, gauss_legendre, hex_gauss, quad_gauss, tet_collapsed, tri_collapsed,
};
pub use shape::ShapeValues;
