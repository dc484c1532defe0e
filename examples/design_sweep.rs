//! # Design sweep: the prosthesis that puts the interface in the seed's band
//!
//! The seed designs its porous-Ta prosthesis for "controlled micromotion (50–100 µm)" at the
//! docking faces. Which modulus, flange and screw layout achieve it — and, of those, which
//! shields the bone least? This example reads `examples/design_sweep.toml`, runs every
//! design as a study with frictional docking faces (in parallel, one thread per design),
//! and writes the answer.
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example design_sweep                      # 6 designs, 4 mm mesh
//! cargo run --release --example design_sweep -- --design my.toml --out target/my_design
//! ```
//!
//! The same as `osteon design examples/design_sweep.toml -o target/design_sweep`.
//!
//! ## What it writes
//!
//! `OUT/design.md` (the answer, one row per design, the main effect of each variable on the
//! micromotion, the notes), `OUT/design.json`, `OUT/design.svg` (micromotion against stress
//! shielding, the band shaded, the Pareto front joined).

use std::path::PathBuf;

use osteon::biomech::design::{DesignSpec, run_design_sweep, write_design_outputs};

/// Prints each finished design with the time left.
struct Lines;

impl osteon::assembly::Observer for Lines {
    fn notify(&mut self, event: &osteon::assembly::Event<'_>) {
        if let osteon::assembly::Event::Stage(s) = event {
            eprintln!("{s}");
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut design = PathBuf::from("examples/design_sweep.toml");
    let mut out = PathBuf::from("target/design_sweep");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--design" => design = args.next().ok_or("--design needs a file")?.into(),
            "--out" => out = args.next().ok_or("--out needs a folder")?.into(),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    // 1. setup: the design file and its base study
    let (spec, base) = DesignSpec::from_path(&design)?;
    // 2. solve every design
    let report = run_design_sweep(&spec, &base, &mut Lines)?;
    // 3. output: the report, the table and the plot
    for f in write_design_outputs(&report, &out)? {
        println!("wrote {}", f.display());
    }
    match report.recommended {
        Some(i) => println!("best design: {}", report.results[i].design.label),
        None => println!(
            "no design reaches every target; see {}",
            out.join("design.md").display()
        ),
    }
    Ok(())
}
