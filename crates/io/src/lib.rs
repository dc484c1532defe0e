//! # osteon-io
//!
//! Files in and out: the Abaqus/CalculiX `.inp` reader ([`inp`]), the Gmsh `.msh` reader
//! with a TOML model description ([`gmsh`]), VTU/PVD output for ParaView ([`vtu`], contact point data included; the contact section of the JSON summary: [`contact`]), the
//! JSON run summary ([`summary`]), the deck writer ([`deck_writer`]) and the mm–N–MPa
//! plausibility checks ([`units`]). [`InputFormat`] tells which reader a file goes to by
//! its extension. Every reader reports `file:line: what was expected`; every writer is
//! atomic ([`write_atomically`]).
//!
//! Read a deck, solve it, write the results for ParaView:
//!
//! ```
//! use osteon_assembly::{SolveOptions, solve_linear_static};
//! use osteon_io::inp::read_inp_str;
//! use osteon_io::vtu::{VtuEncoding, write_results};
//!
//! // one C3D8 cube of 1 mm, E = 1000 MPa, ν = 0, pulled by 0.25 N on each top node
//! let deck = read_inp_str(
//!     "*NODE, NSET=ALLN
//! 1, 0, 0, 0
//! 2, 1, 0, 0
//! 3, 1, 1, 0
//! 4, 0, 1, 0
//! 5, 0, 0, 1
//! 6, 1, 0, 1
//! 7, 1, 1, 1
//! 8, 0, 1, 1
//! *ELEMENT, TYPE=C3D8, ELSET=CUBE
//! 1, 1, 2, 3, 4, 5, 6, 7, 8
//! *NSET, NSET=BOTTOM
//! 1, 2, 3, 4
//! *NSET, NSET=TOP
//! 5, 6, 7, 8
//! *MATERIAL, NAME=M
//! *ELASTIC
//! 1000., 0.
//! *SOLID SECTION, ELSET=CUBE, MATERIAL=M
//! *BOUNDARY
//! BOTTOM, 3
//! 1, 1, 2
//! 2, 2
//! *STEP
//! *STATIC
//! *CLOAD
//! TOP, 3, 0.25
//! *END STEP
//! ",
//!     std::path::Path::new("cube.inp"),
//! )?;
//! let solution = solve_linear_static(&deck.model, &SolveOptions::default())?;
//! let top = deck.model.mesh.node_set("TOP")?[0];
//! assert!((solution.cases[0].displacement[top][2] - 1e-3).abs() < 1e-12); // σ / E
//! let dir = tempfile::tempdir()?;
//! let written = write_results(dir.path(), "cube", &deck.model, &solution.cases, VtuEncoding::Ascii)?;
//! assert!(written[0].ends_with("cube.vtu"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod atomic;
pub mod contact;
pub mod deck_writer;
mod error;
mod format;
pub mod gmsh;
pub mod inp;
pub mod summary;
pub mod units;
pub mod vtu;

pub use atomic::write_atomically;
pub use error::IoError;
pub use format::InputFormat;
