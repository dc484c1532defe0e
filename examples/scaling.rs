//! How time and memory grow with the model: the tube benchmark at several sizes and thread
//! counts, each in a process of its own, with the growth exponents fitted on a log–log scale.
//!
//! For each size and thread count this runs `tube_benchmark --size S --threads T --json F`
//! (the sibling example, built beside this one), then writes into `target/scaling/`:
//!
//! * `scaling.md` — per run, the free DOF and the seconds of setup, assembly, analysis,
//!   factorisation and solve, the factor size and the process peak; per phase the exponent
//!   `p` of `time ∝ DOFᵖ` fitted by least squares on the logarithms (on the runs with the
//!   most threads), and the speed-up of the most threads over one thread at every size;
//! * `scaling.svg` — the same on log–log axes, one line per phase and one for the peak
//!   memory;
//! * `runs/*.json` — the raw records.
//!
//! ```text
//! cargo build --release --examples
//! target/release/examples/scaling                                    # s30k s150k s600k, 1 and 2 threads
//! target/release/examples/scaling --sizes s30k,s150k,s600k,s1500k --threads 1,2
//! ```
//!
//! A run at s1500k needs about 18 GiB and two minutes on two threads (four on one).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The phases reported, as `tube_benchmark` names them.
const PHASES: [&str; 5] = ["setup", "assemble", "analyse", "factorise", "solve"];

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// One run's record.
struct Run {
    label: String,
    threads: usize,
    dof: f64,
    seconds: Vec<f64>,
    factor_gib: f64,
    peak_gib: f64,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("scaling: {e}");
        std::process::exit(1);
    }
}

fn list<T: std::str::FromStr>(v: &str, flag: &str) -> Result<Vec<T>, BoxError> {
    v.split(',')
        .map(|p| p.trim().parse::<T>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{flag} {v}: expected a comma-separated list").into())
}

fn run() -> Result<(), BoxError> {
    let mut sizes: Vec<String> = vec!["s30k".into(), "s150k".into(), "s600k".into()];
    let mut threads: Vec<usize> = vec![1, 2];
    let mut out = PathBuf::from("target/scaling");
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => sizes = list(&value()?, "--sizes")?,
            "--threads" => threads = list(&value()?, "--threads")?,
            "-o" | "--out" => out = value()?.into(),
            "-h" | "--help" => {
                println!("usage: scaling [--sizes s30k,s150k,...] [--threads 1,2] [-o DIR]");
                return Ok(());
            }
            other => return Err(format!("unknown argument '{other}' (try --help)").into()),
        }
    }
    if threads.contains(&0) || threads.is_empty() || sizes.is_empty() {
        return Err("--threads needs counts ≥ 1 and --sizes at least one size".into());
    }
    let bench = std::env::current_exe()?.with_file_name("tube_benchmark");
    if !bench.exists() {
        return Err(format!(
            "{} not found: build the examples first (cargo build --release --examples)",
            bench.display()
        )
        .into());
    }
    let raw = out.join("runs");
    std::fs::create_dir_all(&raw)?;

    let mut runs = Vec::new();
    for size in &sizes {
        for &t in &threads {
            let json = raw.join(format!("{size}-t{t}.json"));
            eprintln!("scaling: {size} on {t} thread(s) …");
            let status = Command::new(&bench)
                .args(["--size", size, "--threads", &t.to_string(), "--no-recover"])
                .arg("--json")
                .arg(&json)
                .stdout(std::process::Stdio::null())
                .status()?;
            if !status.success() {
                return Err(format!("tube_benchmark --size {size} --threads {t}: {status}").into());
            }
            runs.push(read_run(&json)?);
        }
    }

    let most = threads.iter().copied().max().unwrap_or(1);
    let report = report(&runs, most);
    println!("{report}");
    write_atomic(&out.join("scaling.md"), &report)?;
    write_atomic(&out.join("scaling.svg"), &plot(&runs, most))?;
    eprintln!(
        "scaling: wrote {}/scaling.md and scaling.svg",
        out.display()
    );
    Ok(())
}

fn read_run(path: &Path) -> Result<Run, BoxError> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let phase = |name: &str| {
        v["phases"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .and_then(|p| p["seconds"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let peak = v["phases"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["peak_bytes"].as_f64())
                .fold(0.0, f64::max)
        })
        .unwrap_or(0.0)
        .max(v["process_peak_bytes"].as_f64().unwrap_or(0.0));
    Ok(Run {
        label: v["label"].as_str().unwrap_or("?").to_string(),
        threads: v["threads"].as_u64().unwrap_or(0) as usize,
        dof: v["free_dof"].as_f64().unwrap_or(f64::NAN),
        seconds: PHASES.iter().map(|p| phase(p)).collect(),
        factor_gib: v["factor_bytes"].as_f64().unwrap_or(0.0) / GIB,
        peak_gib: peak / GIB,
    })
}

/// Least-squares slope of `ln y` against `ln x`.
fn exponent(points: &[(f64, f64)]) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0 && y.is_finite())
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

fn report(runs: &[Run], most: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Scaling of the tube benchmark\n");
    let _ = writeln!(
        s,
        "| size | threads | free DOF | {} | total (s) | factor (GiB) | peak (GiB) |",
        PHASES.join(" (s) | ") + " (s)"
    );
    let _ = writeln!(
        s,
        "|---|---|---|{}---|---|---|",
        "---|".repeat(PHASES.len())
    );
    for r in runs {
        let cells: Vec<String> = r.seconds.iter().map(|t| format!("{t:.2}")).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.2} |",
            r.label,
            r.threads,
            r.dof,
            cells.join(" | "),
            r.seconds.iter().sum::<f64>(),
            r.factor_gib,
            r.peak_gib
        );
    }
    let main: Vec<&Run> = runs.iter().filter(|r| r.threads == most).collect();
    let _ = writeln!(
        s,
        "\nFitted exponent p of `time ∝ DOFᵖ` ({most} threads, least squares on the logarithms):\n"
    );
    let _ = writeln!(s, "| quantity | p |");
    let _ = writeln!(s, "|---|---|");
    let mut quantities = phase_series(&main, "time");
    quantities.push((
        "total time".into(),
        main.iter()
            .map(|r| (r.dof, r.seconds.iter().sum()))
            .collect(),
    ));
    quantities.push((
        "factor size".into(),
        main.iter().map(|r| (r.dof, r.factor_gib)).collect(),
    ));
    quantities.push((
        "process peak".into(),
        main.iter().map(|r| (r.dof, r.peak_gib)).collect(),
    ));
    for (name, pts) in &quantities {
        match exponent(pts) {
            Some(p) => {
                let _ = writeln!(s, "| {name} | {p:.2} |");
            }
            None => {
                let _ = writeln!(s, "| {name} | — (fewer than two sizes) |");
            }
        }
    }
    if most > 1 {
        let _ = writeln!(
            s,
            "\nSpeed-up of {most} threads over 1 thread, per phase:\n"
        );
        let _ = writeln!(s, "| size | {} | total |", PHASES.join(" | "));
        let _ = writeln!(s, "|---|{}---|", "---|".repeat(PHASES.len()));
        for r in &main {
            let Some(one) = runs.iter().find(|o| o.label == r.label && o.threads == 1) else {
                continue;
            };
            let cells: Vec<String> = (0..PHASES.len())
                .map(|k| format!("{:.2}", one.seconds[k] / r.seconds[k]))
                .collect();
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} |",
                r.label,
                cells.join(" | "),
                one.seconds.iter().sum::<f64>() / r.seconds.iter().sum::<f64>()
            );
        }
    }
    s
}

/// Per phase, its name followed by `suffix` and the points (free DOF, seconds) of `runs`.
fn phase_series(runs: &[&Run], suffix: &str) -> Vec<(String, Vec<(f64, f64)>)> {
    PHASES
        .iter()
        .enumerate()
        .map(|(k, p)| {
            (
                format!("{p} {suffix}"),
                runs.iter().map(|r| (r.dof, r.seconds[k])).collect(),
            )
        })
        .collect()
}

/// A log–log plot (SVG) of each phase's time and of the peak memory against the free DOF.
fn plot(runs: &[Run], most: usize) -> String {
    let main: Vec<&Run> = runs.iter().filter(|r| r.threads == most).collect();
    let (w, h, margin) = (720.0, 480.0, 70.0);
    let mut series = phase_series(&main, "(s)");
    series.push((
        "peak memory (GiB)".into(),
        main.iter().map(|r| (r.dof, r.peak_gib)).collect(),
    ));
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .filter(|(x, y)| *x > 0.0 && *y > 0.0 && y.is_finite())
        .collect();
    let decade = |v: f64, up: bool| {
        let l = v.log10();
        10f64.powf(if up { l.ceil() } else { l.floor() })
    };
    let (x0, x1) = all
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = all
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if all.is_empty() {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".into();
    }
    let (x0, x1, y0, y1) = (
        decade(x0, false),
        decade(x1, true),
        decade(y0, false),
        decade(y1, true),
    );
    let px = |x: f64| {
        margin + (x.log10() - x0.log10()) / (x1.log10() - x0.log10()).max(1e-9) * (w - 2.0 * margin)
    };
    let py = |y: f64| {
        h - margin
            - (y.log10() - y0.log10()) / (y1.log10() - y0.log10()).max(1e-9) * (h - 2.0 * margin)
    };
    let colours = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#555555",
    ];
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    // Decade grid and labels.
    let mut x = x0;
    while x <= x1 * 1.0001 {
        let _ = writeln!(
            s,
            r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="lightgray"/><text x="{0}" y="{3}" text-anchor="middle">{4:e}</text>"#,
            px(x),
            margin,
            h - margin,
            h - margin + 18.0,
            x
        );
        x *= 10.0;
    }
    let mut y = y0;
    while y <= y1 * 1.0001 {
        let _ = writeln!(
            s,
            r#"<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="lightgray"/><text x="{3}" y="{4}" text-anchor="end">{5}</text>"#,
            margin,
            py(y),
            w - margin,
            margin - 6.0,
            py(y) + 4.0,
            y
        );
        y *= 10.0;
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">free DOF</text><text x="{}" y="24" text-anchor="middle">tube benchmark, {most} thread(s): time (s) and peak memory (GiB), log–log</text>"#,
        w / 2.0,
        h - 20.0,
        w / 2.0
    );
    for (k, (name, pts)) in series.iter().enumerate() {
        let colour = colours[k % colours.len()];
        let path: Vec<String> = pts
            .iter()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0 && y.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let dash = if name.starts_with("peak") {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
            path.join(" ")
        );
        let label = match exponent(pts) {
            Some(p) => format!("{name}, p = {p:.2}"),
            None => name.clone(),
        };
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" fill="{colour}">{label}</text>"#,
            margin + 10.0,
            margin + 16.0 * (k as f64 + 1.0)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Writes `text` to `path` through a temporary file in the same folder.
fn write_atomic(path: &Path, text: &str) -> Result<(), BoxError> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
