//! `osteon lattice`: the homogenised stiffness of a printed porous lattice from a voxel
//! micro-FE of its unit cell (`osteon-lattice`).
//!
//! ```text
//! osteon lattice --cell diamond --porosity 0.72 --pore-size 515 -o out/
//! #   → out/lattice.json, out/unit_cell.vtu, out/modulus_vs_porosity.svg
//! ```
//!
//! The cell is sized for the porosity and pore size, loose voxels are removed, six unit
//! macroscopic strains are solved with one factorisation, and a porosity sweep at a coarser
//! resolution gives the fitted law E/E_s = C·(ρ/ρ_s)ⁿ (`docs/lattice.md`).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use osteon_io::write_atomically;
use osteon_lattice::{
    CellKind, HomogeniseOptions, LatticeReport, UNIT_STRESS_CASES, analyse_design, design,
    modulus_vs_porosity_svg, porosity_sweep, write_unit_cell_vtu,
};
use osteon_material::IsotropicElastic;
use osteon_material::library::{DENSE_TA_E_MPA, DENSE_TA_NU};

use crate::threads::start_pool;

/// Homogenise a lattice unit cell: effective 6 × 6 stiffness, moduli, stress concentration, fitted law.
#[derive(Debug, Args)]
pub struct LatticeArgs {
    /// Cell architecture: diamond (strut, bending-dominated), octet (strut, stretch-dominated), gyroid (sheet TPMS).
    #[arg(long, default_value = "diamond")]
    pub cell: String,
    /// Target porosity (0–1).
    #[arg(long, default_value_t = 0.72)]
    pub porosity: f64,
    /// Target pore size (µm), diameter of the largest inscribed sphere; sets the cell edge.
    #[arg(long, default_value_t = 515.0)]
    pub pore_size: f64,
    /// Voxels per cell edge of the designed cell (48: the diamond at 72 % within 1 % of 96³; thinner struts need more; docs/lattice.md §5).
    #[arg(long, default_value_t = 48)]
    pub resolution: usize,
    /// Young's modulus of the solid (MPa); default dense tantalum, 186000 (docs/biomechanics.md §4).
    #[arg(long, default_value_t = DENSE_TA_E_MPA)]
    pub solid_modulus: f64,
    /// Poisson's ratio of the solid; default dense tantalum, 0.34.
    #[arg(long, default_value_t = DENSE_TA_NU)]
    pub solid_poisson: f64,
    /// Porosities of the sweep behind the fitted law (comma-separated; empty: no sweep).
    #[arg(
        long,
        default_value = "0.6,0.65,0.7,0.75,0.8,0.85,0.9",
        value_delimiter = ','
    )]
    pub sweep: Vec<String>,
    /// Voxels per cell edge of the sweep.
    #[arg(long, default_value_t = 32)]
    pub sweep_resolution: usize,
    /// Output folder (created if missing).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Run `osteon lattice`.
pub fn run(args: &LatticeArgs, quiet: bool) -> Result<()> {
    let kind: CellKind = args.cell.parse().map_err(anyhow::Error::msg)?;
    let solid = IsotropicElastic::new(args.solid_modulus, args.solid_poisson)
        .context("the solid's elastic constants")?;
    let sweep: Vec<f64> = args
        .sweep
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .with_context(|| format!("--sweep: '{s}' is not a porosity"))
        })
        .collect::<Result<_>>()?;
    if sweep.len() == 1 {
        bail!("--sweep needs at least two porosities to fit a law (or none to skip the sweep)");
    }
    let threads = start_pool(args.threads)?;
    let options = HomogeniseOptions { threads };
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let say = |msg: String| {
        if !quiet {
            eprintln!("{msg}");
        }
    };

    let t = Instant::now();
    say(format!(
        "designing a {kind} cell: porosity {}, pore size {} µm, {}³ voxels",
        args.porosity, args.pore_size, args.resolution
    ));
    let d = design(kind, args.porosity, args.pore_size, args.resolution)?;
    say(format!(
        "  parameter {:.4}, cell {:.3} mm, porosity {:.4}, pore size {:.0} µm ({:.1} s)",
        d.parameter,
        d.cell_size_mm,
        d.porosity,
        d.pore_size_um,
        t.elapsed().as_secs_f64()
    ));
    say("solving the six unit strains (one factorisation)".into());
    let result = analyse_design(d, &solid, options)?;
    say(format!(
        "  {} unknowns, {:.1} s, asymmetry {:.1e}",
        result.homogenised.unknowns, result.homogenised.seconds, result.homogenised.asymmetry
    ));
    let swept = if sweep.is_empty() {
        None
    } else {
        say(format!(
            "porosity sweep {:?} at {}³ voxels",
            sweep, args.sweep_resolution
        ));
        Some(porosity_sweep(
            kind,
            &sweep,
            args.sweep_resolution,
            &solid,
            options,
        )?)
    };
    let report = LatticeReport::new(
        &result,
        &solid,
        args.porosity,
        swept
            .as_ref()
            .map(|(points, law)| (args.sweep_resolution, points.as_slice(), law)),
    );
    let json = args.output.join("lattice.json");
    report.write_json(&json)?;
    let vtu = args.output.join("unit_cell.vtu");
    write_unit_cell_vtu(&result, &vtu)?;
    let mut written = vec![json, vtu];
    if let Some((points, law)) = &swept {
        let svg = modulus_vs_porosity_svg(
            &kind.to_string(),
            points,
            law,
            (result.porosity, result.constants.mean_youngs_modulus_mpa()),
            solid.e,
        )?;
        let path = args.output.join("modulus_vs_porosity.svg");
        write_atomically(&path, |w| w.write_all(svg.as_bytes()))?;
        written.push(path);
    }
    if !quiet {
        print_summary(&report);
        for p in &written {
            println!("wrote {}", p.display());
        }
    }
    Ok(())
}

fn print_summary(r: &LatticeReport) {
    println!(
        "{} lattice: porosity {:.4} (target {}), pore size {:.0} µm, cell {:.3} mm, {}³ voxels of {:.1} µm",
        r.cell,
        r.porosity,
        r.target_porosity,
        r.pore_size_um,
        r.cell_size_mm,
        r.resolution,
        r.voxel_um
    );
    println!(
        "solid E_s = {} MPa, ν = {}",
        r.solid.youngs_modulus_mpa, r.solid.poisson_ratio
    );
    println!("effective stiffness C (MPa), Voigt xx yy zz xy yz xz:");
    for row in &r.stiffness_mpa {
        let cells: Vec<String> = row.iter().map(|x| format!("{x:>10.1}")).collect();
        println!("  {}", cells.join(" "));
    }
    let [ex, ey, ez] = r.youngs_modulus_mpa;
    let [gxy, gyz, gxz] = r.shear_modulus_mpa;
    let [nxy, nxz, nyz] = r.poisson_ratio;
    println!(
        "E = {ex:.0} / {ey:.0} / {ez:.0} MPa (E/E_s = {:.4}); G_xy/G_yz/G_xz = {gxy:.0} / {gyz:.0} / {gxz:.0} MPa",
        r.relative_modulus
    );
    println!(
        "ν_xy/ν_xz/ν_yz = {nxy:.3} / {nxz:.3} / {nyz:.3}; Zener anisotropy {:.2} / {:.2} / {:.2}",
        r.zener_anisotropy[0], r.zener_anisotropy[1], r.zener_anisotropy[2]
    );
    println!("stress concentration (voxel von Mises / macroscopic von Mises): case p99 peak mean");
    for (case, k) in UNIT_STRESS_CASES.iter().zip(&r.stress_concentration) {
        println!("  {case}: {:.1} {:.1} {:.2}", k.p99, k.peak, k.mean);
    }
    if let Some(s) = &r.sweep {
        println!(
            "fitted law over the sweep ({}³ voxels): E/E_s = {:.3}·(ρ/ρ_s)^{:.2} (largest log error {:.3})",
            s.resolution, s.c, s.n, s.max_log_error
        );
    }
}
