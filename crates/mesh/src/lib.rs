//! # osteon-mesh
//!
//! Nodes, element blocks, named sets and surfaces ([`Mesh`]); the reference elements with
//! shape functions, quadrature and faces in Abaqus/CalculiX numbering ([`ElementType`],
//! [`FaceType`], [`reference`](mod@reference)); the isoparametric map ([`geometry`]); the Jacobian
//! quality check ([`check_jacobians`]); closest-point projection onto faces ([`search`]);
//! and structured generators for boxes and tubes ([`generate`]).
//!
//! Units: coordinates in mm.
//!
//! ```
//! use osteon_mesh::{ElementType, check_jacobians, generate::{TubeSpec, tube_mesh}};
//! let tube = tube_mesh(&TubeSpec {
//!     inner_radius: 7.0, outer_radius: 13.0, length: 100.0,
//!     cells_radial: 2, cells_around: 16, cells_axial: 10, element: ElementType::Tet10,
//! })?;
//! let quality = check_jacobians(&tube)?;
//! assert!(quality.min_scaled_jacobian > 0.1);
//! # Ok::<(), osteon_mesh::MeshError>(())
//! ```

// Index loops over nodes, components and quadrature points mirror the formulas (Σ_a, i, k);
// iterator chains would hide them.
#![allow(clippy::needless_range_loop)]

mod boundary;
mod error;
pub mod generate;
pub mod geometry;
mod mesh;
mod quality;
pub mod reference;
pub mod search;

pub use boundary::{boundary_faces, face_corner_key};
pub use error::MeshError;
pub use mesh::{ElementBlock, ElementView, FaceRef, Mesh, Surface};
pub use quality::{DEGENERATE_TOLERANCE, QualityReport, check_jacobians};
pub use reference::{ElementType, FaceType, QuadratureRule, ShapeValues};
