//! # Porous-Ta modulus × defect length sweep
//!
//! How does the prosthesis stiffness trade interface motion against stress shielding? The
//! seed prosthesis is designed for 10–30 GPa, Gibson–Ashby gives 14.6 GPa at 72 % porosity,
//! measured SLM lattices are 1.3–5.7 GPa (biomechanics.md §4), so the sweep runs the moduli
//! {1.3, 3, 10, 14.6, 30} GPa (`osteon_material::library::POROUS_TA_MODULUS_SWEEP_MPA`) over
//! the seed's defect lengths 45 / 63 / 82 mm (biomechanics.md §0), each as a full study
//! (implanted + intact, 50 % and 100 % BW), and prints one row per run at 100 % BW. The
//! docking faces are in frictional contact (μ = 0.74, porous Ta on cortical bone,
//! biomechanics.md §4), so every run has a real micromotion; `--bonded` runs the
//! post-ingrowth (bonded) construct instead.
//!
//! ## Run it
//!
//! ```text
//! cargo run --release --example porosity_sweep                          # 15 studies, 4 mm mesh, ~2 min
//! cargo run --release --example porosity_sweep -- --mesh-size 3 --lengths 63
//! cargo run --release --example porosity_sweep -- --porosities 0.6,0.72,0.8
//! cargo run --release --example porosity_sweep -- --porosities 0.6,0.72,0.8 --lattice diamond
//! ```
//!
//! Options: `--moduli MPa,…` or `--porosities p,…` (Gibson–Ashby modulus, or with
//! `--lattice diamond|octet|gyroid` the orthotropic stiffness of that printed cell at each
//! porosity, homogenised by voxel micro-FE: `docs/lattice.md`), `--lengths mm,…`,
//! `--mesh-size MM` (default 4 mm, for speed: displacements, porous-Ta stress and stress
//! shielding within 1 % of the 3 mm default mesh, micromotion within 6 %, screw stress 14 %
//! high — `examples/mesh_convergence.rs`; use 3 mm for final numbers), `--threads N`,
//! `--out DIR` (default `target/porosity_sweep`), `--no-cache` (solve the intact reference
//! for every run, to measure what the cache saves), `--mu MU` (friction coefficient,
//! default 0.74), `--bonded` (no contact; micromotion "not applicable").
//!
//! ## What it writes
//!
//! `DIR/porosity_sweep.svg`: interface displacement, peak micromotion and near-implant
//! stress shielding vs the implant modulus (log scale), one line per defect length;
//! `DIR/porosity_sweep.json`: the points. The intact tibia does not depend on the implant,
//! so its solve is cached across the moduli of one defect length ([`IntactCache`]): 3
//! intact solves instead of 15.
//!
//! With `--bonded` micromotion is "not applicable (bonded)" and the plot has two panels.

use std::path::PathBuf;
use std::time::Instant;

use osteon::assembly::Silent;
use osteon::biomech::plots::{SweepPoint, write_sweep};
use osteon::biomech::{
    ImplantSpec, IntactCache, InterfaceModel, LatticeSpec, MeshSpec, Study, run_study_cached,
};
use osteon::material::library::POROUS_TA_MODULUS_SWEEP_MPA;

fn list(arg: Option<String>, what: &str) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let arg = arg.ok_or_else(|| format!("{what} needs a comma-separated list"))?;
    Ok(arg
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. the sweep
    let mut moduli: Vec<Option<f64>> = POROUS_TA_MODULUS_SWEEP_MPA
        .iter()
        .map(|&e| Some(e))
        .collect();
    let mut porosities: Vec<f64> = vec![0.72; moduli.len()];
    let mut lengths = vec![45.0, 63.0, 82.0];
    let mut mesh = MeshSpec {
        size_mm: 4.0,
        ..MeshSpec::default()
    };
    let mut threads = None;
    let mut out = PathBuf::from("target/porosity_sweep");
    let mut use_cache = true;
    let mut interface = InterfaceModel::frictional(0.74);
    let mut lattice: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--moduli" => {
                moduli = list(args.next(), "--moduli")?
                    .into_iter()
                    .map(Some)
                    .collect();
                porosities = vec![0.72; moduli.len()];
            }
            "--porosities" => {
                porosities = list(args.next(), "--porosities")?;
                moduli = vec![None; porosities.len()];
            }
            "--lengths" => lengths = list(args.next(), "--lengths")?,
            "--mesh-size" => {
                mesh.size_mm = args.next().ok_or("--mesh-size needs a value")?.parse()?
            }
            "--threads" => threads = Some(args.next().ok_or("--threads needs a value")?.parse()?),
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a folder")?),
            "--no-cache" => use_cache = false,
            "--bonded" => interface = InterfaceModel::Bonded,
            "--lattice" => lattice = Some(args.next().ok_or("--lattice needs a cell")?),
            "--mu" => {
                interface =
                    InterfaceModel::frictional(args.next().ok_or("--mu needs a value")?.parse()?)
            }
            other => return Err(format!("unknown option {other} (see the file header)").into()),
        }
    }

    // osteon builds no thread pool: the program sizes rayon's global pool once
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }

    // 2. one study per (length, modulus); the intact reference is solved once per length
    let t_sweep = Instant::now();
    let mut cache = IntactCache::new();
    let mut points = Vec::new();
    println!("interface: {}", interface.label());
    println!(
        "{:>6} {:>9} {:>9} {:>12} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9} {:>12}",
        "L (mm)",
        "E (MPa)",
        "p (–)",
        "max|u| (mm)",
        "prox |u|",
        "distal |u|",
        "1−S near",
        "<lazy (%)",
        "Ta p99",
        "screw p99",
        "micromotion"
    );
    for &l in &lengths {
        for (e, &p) in moduli.iter().zip(&porosities) {
            let study = Study {
                defect: osteon::biomech::DefectSpec {
                    length_mm: l,
                    center_mm: None,
                },
                implant: match (&lattice, e) {
                    (Some(cell), None) => ImplantSpec {
                        lattice: Some(LatticeSpec {
                            cell: cell.clone(),
                            porosity: p,
                            ..LatticeSpec::default()
                        }),
                        ..ImplantSpec::default()
                    },
                    (Some(_), Some(_)) => {
                        return Err("--lattice goes with --porosities, not --moduli".into());
                    }
                    (None, _) => ImplantSpec {
                        porosity: p,
                        modulus_mpa: *e,
                        ..ImplantSpec::default()
                    },
                },
                mesh: mesh.clone(),
                threads,
                interface: interface.clone(),
                ..Study::default()
            };
            let r = run_study_cached(&study, &mut Silent, use_cache.then_some(&mut cache))?.report;
            let Some(case) = r
                .cases
                .iter()
                .find(|c| (c.metrics.bw_fraction - 1.0).abs() < 1e-12)
                .or(r.cases.last())
            else {
                continue;
            };
            let m = &case.metrics;
            let iface = |name: &str| {
                m.interfaces
                    .iter()
                    .find(|i| i.name == name)
                    .map_or(f64::NAN, |i| i.max_mm)
            };
            let max_u = m.interfaces.iter().map(|i| i.max_mm).fold(0.0, f64::max);
            let near: Vec<f64> = m
                .shielding
                .zones
                .iter()
                .filter(|z| z.name.contains("0–20") || z.name.contains("20–40"))
                .map(|z| z.shielding)
                .collect();
            let near = near.iter().sum::<f64>() / near.len().max(1) as f64;
            let micromotion = m.micromotion.statistics().map(|s| s.max_um);
            points.push(SweepPoint {
                defect_mm: l,
                modulus_mpa: r.implant_modulus_mpa,
                interface_max_mm: max_u,
                shielding_near: near,
                below_lazy_zone: m.shielding.near_fraction_below_lazy_zone,
                micromotion_max_um: micromotion,
            });
            let mm = micromotion.map_or("n/a (bonded)".to_string(), |v| format!("{v:.2} µm"));
            println!(
                "{:>6.0} {:>9.0} {:>9.2} {:>12.4} {:>12.4} {:>12.4} {:>10.4} {:>10.2} {:>9.2} {:>9.1} {:>12}",
                l,
                r.implant_modulus_mpa,
                p,
                max_u,
                iface("proximal docking"),
                iface("distal docking"),
                near,
                100.0 * m.shielding.near_fraction_below_lazy_zone,
                m.porous_tantalum.p99_mpa,
                m.screws.as_ref().map_or(f64::NAN, |s| s.p99_mpa),
                mm
            );
        }
    }
    let sweep_s = t_sweep.elapsed().as_secs_f64();
    println!(
        "\n100 % BW = 686.7 N (70 kg). 1−S near: mean stress shielding of the bone bands 0–40 mm from the docking faces; <lazy: bone volume there with S < 0.25; Ta p99, screw p99: 99th-percentile von Mises (MPa); micromotion: peak tangential motion over the docking faces."
    );
    if use_cache {
        println!(
            "sweep: {} studies in {sweep_s:.1} s; intact reference solved {} times, reused {} times ({:.1} s of solving saved)",
            points.len(),
            cache.misses,
            cache.hits,
            cache.saved_s
        );
    } else {
        println!(
            "sweep: {} studies in {sweep_s:.1} s, the intact reference solved for every one (--no-cache)",
            points.len()
        );
    }

    // 3. the trade-off plot and the points
    for f in write_sweep(&out, &points, "100 % BW")? {
        println!("wrote {}", f.display());
    }
    Ok(())
}
