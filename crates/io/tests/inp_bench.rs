//! Read time of the benchmark decks. Generate them first with the workplace's benchmark
//! generator, which lives outside this repository (see `docs/benchmark.md`):
//! `python3 ../shared/bench/tube_c3d10.py s30k s150k` from the workspace root, then
//! `cargo test -p osteon-io --release --test inp_bench -- --ignored --nocapture`.
//! Sizes whose deck is absent are skipped with a notice.

use std::path::PathBuf;
use std::time::Instant;

use osteon_io::inp::read_inp;

fn bench_deck(size: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = std::env::var_os("BENCH_DATA")
        .map_or_else(|| root.join("target/bench-data"), PathBuf::from);
    data.join(size).join("model.inp")
}

#[test]
#[ignore = "needs the generated benchmark decks; timing run"]
fn read_benchmark_decks() {
    for size in ["s30k", "s150k", "s600k"] {
        let path = bench_deck(size);
        if !path.exists() {
            eprintln!("{}: not generated, skipped", path.display());
            continue;
        }
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut best = f64::INFINITY;
        let mut deck = None;
        for _ in 0..5 {
            let t = Instant::now();
            let d = read_inp(&path).expect("benchmark deck reads");
            best = best.min(t.elapsed().as_secs_f64());
            deck = Some(d);
        }
        let Some(deck) = deck else { continue };
        let m = &deck.model;
        eprintln!(
            "{size}: {} nodes, {} elements, {:.1} MB: read in {:.3} s (best of 5), {} warnings",
            m.mesh.n_nodes(),
            m.mesh.n_elements(),
            bytes as f64 / 1e6,
            best,
            deck.warnings.len()
        );
        assert_eq!(m.load_cases.len(), 1);
        assert_eq!(
            m.mesh.node_sets.get("FIXED").map(Vec::len),
            m.boundary.len().checked_div(3)
        );
        if size == "s150k" {
            assert!(
                best < 1.0,
                "s150k must read in well under 1 s, took {best:.3} s"
            );
        }
        if size == "s30k" {
            // end to end: the benchmark README gives max |u| ≈ 1.2971 mm for this deck
            let options = osteon_assembly::SolveOptions {
                recover: false,
                ..Default::default()
            };
            let solution = osteon_assembly::solve_linear_static(m, &options).expect("s30k solves");
            let u = solution.cases[0].max_displacement();
            eprintln!("s30k: max |u| = {u:.7} mm");
            assert!((u - 1.2971).abs() < 0.005, "max |u| = {u}");
        }
    }
}
