//! # osteon-io
//!
//! Files in and out: the Abaqus/CalculiX `.inp` reader ([`inp`]), the Gmsh `.msh` reader
//! with a TOML model description ([`gmsh`]), VTU/PVD output for ParaView ([`vtu`]; contact fields and the contact run summary: [`contact`]), the
//! JSON run summary ([`summary`]), the deck writer ([`deck_writer`]) and the mm–N–MPa
//! plausibility checks ([`units`]). [`InputFormat`] tells which reader a file goes to by
//! its extension. Every reader reports `file:line: what was expected`; every writer is
//! atomic ([`write_atomically`]).

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
