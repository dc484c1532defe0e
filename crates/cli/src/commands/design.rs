//! `osteon design`: sweep prosthesis designs (modulus or porosity, flange thickness and
//! material, screw positions) and name the one that puts the docking micromotion in the
//! seed's band with the least stress shielding.
//!
//! ```text
//! osteon design examples/design_sweep.toml -o out/
//! ```
//!
//! Writes `design.md`, `design.json` and `design.svg` into the output folder.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use osteon_biomech::design::{DesignSpec, run_design_sweep, write_design_outputs};

use crate::progress::Spinners;

/// Sweep prosthesis designs and name the best.
#[derive(Debug, Args)]
pub struct DesignArgs {
    /// Design file (TOML: `study = "…"`, `mesh_size_mm`, `[sweep]`; see examples/design_sweep.toml).
    pub design: PathBuf,
    /// Output folder (created if missing).
    #[arg(short, long, default_value = ".")]
    pub output: PathBuf,
    /// Worker threads; designs run in parallel, one thread each (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Element size near the implant (mm), overriding the design file's mesh_size_mm.
    #[arg(long)]
    pub mesh_size: Option<f64>,
}

/// Run `osteon design`.
pub fn run(args: &DesignArgs, quiet: bool) -> Result<()> {
    let (mut spec, base) = DesignSpec::from_path(&args.design)?;
    if !quiet {
        for w in &base.warnings {
            eprintln!("{w}");
        }
    }
    if let Some(h) = args.mesh_size {
        spec.mesh_size_mm = Some(h);
    }
    crate::threads::start_pool(args.threads)?;
    let mut progress = Spinners::new(quiet);
    let report = run_design_sweep(&spec, &base, &mut progress)
        .with_context(|| format!("design sweep {}", args.design.display()))?;
    let written = write_design_outputs(&report, &args.output)
        .with_context(|| format!("writing the design sweep into {}", args.output.display()))?;
    println!(
        "{:<70} {:>10} {:>10} {:>10} {:>9} {:>5} {:>8}",
        "design", "p95 50 %", "p95 100 %", "migr (mm)", "lazy (%)", "safe", "feasible"
    );
    for d in &report.results {
        println!(
            "{:<70} {:>10.1} {:>10.1} {:>10.3} {:>9.1} {:>5} {:>8}",
            d.design.label,
            d.micromotion_p95_um[0],
            d.micromotion_p95_um[1],
            d.migration_max_mm,
            100.0 * d.daily_near_below_lazy_zone,
            if d.safe.iter().all(|&s| s) {
                "yes"
            } else {
                "no"
            },
            if d.feasible { "yes" } else { "no" }
        );
    }
    match report.recommended {
        Some(i) => println!(
            "best design: {} (p95 {:.1} µm in the {:.0}–{:.0} µm band, least shielding among the feasible)",
            report.results[i].design.label,
            report.results[i].micromotion_p95_um[1],
            report.band_um[0],
            report.band_um[1]
        ),
        None => println!(
            "no design reaches every target{}",
            report.effects.first().map_or(String::new(), |e| format!(
                "; the {} moves the micromotion most ({:.1} µm over the values swept)",
                e.variable, e.spread_um
            ))
        ),
    }
    for f in written {
        println!("wrote {}", f.display());
    }
    Ok(())
}
