//! Running CalculiX (`ccx`) on a deck and reading its `.dat` output: displacements and
//! integration-point stresses per step (printed by `*NODE PRINT`/`*EL PRINT`).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Results of one step in a `.dat` file.
#[derive(Debug, Default)]
pub struct DatStep {
    /// Node id → (ux, uy, uz) (mm).
    pub displacement: HashMap<i64, [f64; 3]>,
    /// Element id → stresses at its integration points, converted to osteon's Voigt order
    /// xx, yy, zz, xy, yz, xz (ccx prints xx, yy, zz, xy, xz, yz).
    pub stress: HashMap<i64, Vec<[f64; 6]>>,
}

/// True if `ccx` can be run.
pub fn available() -> bool {
    Command::new("ccx").arg("-v").output().is_ok()
}

/// Run `ccx -i <job>` in `dir` (the deck is `<dir>/<job>.inp`) and parse `<job>.dat`.
pub fn run(dir: &Path, job: &str) -> Result<Vec<DatStep>, String> {
    let out = Command::new("ccx")
        .arg("-i")
        .arg(job)
        .current_dir(dir)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .map_err(|e| format!("cannot run ccx: {e}"))?;
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() || log.contains("*ERROR") {
        return Err(format!("ccx failed on {job}:\n{log}"));
    }
    let dat = std::fs::read_to_string(dir.join(format!("{job}.dat")))
        .map_err(|e| format!("no {job}.dat: {e}"))?;
    Ok(parse_dat(&dat))
}

fn parse_dat(text: &str) -> Vec<DatStep> {
    let mut steps: Vec<DatStep> = Vec::new();
    let mut times: Vec<String> = Vec::new();
    let mut section = "";
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t.contains(" for set ") && t.contains(" and time ") {
            let time = t.rsplit(' ').next().unwrap_or("").to_string();
            if times.last() != Some(&time) {
                times.push(time);
                steps.push(DatStep::default());
            }
            section = if t.starts_with("displacements") {
                "u"
            } else if t.starts_with("stresses") {
                "s"
            } else {
                ""
            };
            continue;
        }
        let Some(step) = steps.last_mut() else {
            continue;
        };
        let v: Vec<f64> = t
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        match section {
            "u" if v.len() == 4 => {
                step.displacement.insert(v[0] as i64, [v[1], v[2], v[3]]);
            }
            "s" if v.len() == 8 => {
                step.stress
                    .entry(v[0] as i64)
                    .or_default()
                    .push([v[2], v[3], v[4], v[5], v[7], v[6]]);
            }
            _ => {}
        }
    }
    steps
}
