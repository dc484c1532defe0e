//! Shared helpers of the CLI integration tests.
// every test binary that declares `mod common` compiles all of it and uses only a part
#![allow(dead_code)]

pub mod ccx;
pub mod crosscheck_decks;
