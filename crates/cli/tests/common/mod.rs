//! Shared helpers of the CLI integration tests.

pub mod ccx;
