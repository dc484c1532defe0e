//! Factorise a 3-D elasticity-like grid matrix with nested dissection and with AMD, and print
//! size, cost, time and memory of each.
//!
//! ```text
//! cargo run -p osteon-solver --release --example factor_grid -- [POINTS_PER_SIDE] [THREADS] [ORDERINGS]
//! ```
//!
//! `POINTS_PER_SIDE` (default 37) gives a cube of `p³` points with 3 unknowns each (37 →
//! 151 959 unknowns), every point coupled to its 26 neighbours by a 3×3 block, held at its
//! base. `THREADS` defaults to the available parallelism. `ORDERINGS` is a comma-separated
//! list of `nd`, `amd`, `nd-dof`, `amd-dof` (the `-dof` variants order the unknown graph
//! instead of the point graph); default `nd,amd`.
//!
//! Expected output (2 cores): one block of `key = value` lines per ordering, with
//! `nnz_l`, `flops`, `ordering_s`, `symbolic_s`, `numeric_s`, `solve_s`, `residual`,
//! `l_gib`, `scratch_over_l` and the process's peak resident memory so far.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use osteon_solver::memory::peak_resident_bytes;
use osteon_solver::{CholeskyOptions, CholeskySolver, LinearSolver, Ordering, UnknownGroups};

/// Peak resident memory of the process (Linux `VmHWM`), in MiB; 0 elsewhere.
fn peak_rss_mib() -> f64 {
    peak_resident_bytes().map_or(0.0, |b| b as f64 / (1024.0 * 1024.0))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let side: usize = args.get(1).map_or(Ok(37), |s| s.parse())?;
    let threads: usize = match args.get(2) {
        Some(s) => s.parse()?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let orderings = args.get(3).map_or("nd,amd", String::as_str).to_string();

    let start = Instant::now();
    let a = common::elastic_grid(side, side, side, common::FULL_SUPPORT, 1);
    println!("points_per_side = {side}");
    println!("n = {}", a.n());
    println!("nnz_upper = {}", a.nnz_stored());
    println!("threads = {threads}");
    println!("build_s = {:.3}", start.elapsed().as_secs_f64());
    let groups = UnknownGroups::uniform(a.n(), 3);
    let b = common::rhs(a.n(), 2);
    let mut x = vec![0.0; a.n()];

    for name in orderings.split(',') {
        let (ordering, grouped) = match name {
            "nd" => (Ordering::NestedDissection, true),
            "nd-dof" => (Ordering::NestedDissection, false),
            "amd" => (Ordering::Amd, true),
            "amd-dof" => (Ordering::Amd, false),
            other => return Err(format!("unknown ordering {other:?}").into()),
        };
        let mut solver = CholeskySolver::new(CholeskyOptions { ordering, threads });
        solver.analyse(&a, grouped.then_some(&groups))?;
        solver.factorise(&a)?;
        let report = solver.solve(&a, &b, &mut x)?;
        let st = solver.factor_stats();
        println!();
        println!("ordering = {name}");
        println!("nnz_l = {}", st.nnz_l);
        println!("flops = {:.3e}", st.flops);
        println!("supernodes = {}", st.n_supernodes);
        println!("max_supernode_cols = {}", st.max_supernode_cols);
        println!("ordering_s = {:.3}", st.ordering_seconds);
        println!("symbolic_s = {:.3}", st.symbolic_seconds);
        println!("numeric_s = {:.3}", st.numeric_seconds);
        println!("solve_s = {:.3}", st.solve_seconds);
        println!(
            "total_s = {:.3}",
            st.ordering_seconds + st.symbolic_seconds + st.numeric_seconds + st.solve_seconds
        );
        println!(
            "gflops_numeric = {:.1}",
            st.flops / st.numeric_seconds / 1e9
        );
        println!("residual = {:.3e}", report.relative_residual);
        println!("l_gib = {:.3}", st.l_bytes as f64 / (1u64 << 30) as f64);
        println!(
            "scratch_mib = {:.1}",
            st.peak_scratch_bytes as f64 / (1u64 << 20) as f64
        );
        println!(
            "scratch_over_l = {:.3}",
            st.peak_scratch_bytes as f64 / st.l_bytes as f64
        );
        println!("peak_rss_so_far_mib = {:.0}", peak_rss_mib());
    }
    Ok(())
}
