//! Criterion benchmarks of osteon; the benchmarks are `element_kernels.rs` and
//! `tube_solve.rs` beside this folder. Run them with
//! `cargo bench --manifest-path benches/Cargo.toml --bench element_kernels` (or
//! `--bench tube_solve`).
//!
//! This library is empty on purpose: a Cargo package needs one library or binary target.
//! The benchmarks are a workspace of their own so that criterion and the features it turns
//! on in shared dependencies never reach `cargo run --example` or `cargo test --workspace`
//! of the main workspace.
