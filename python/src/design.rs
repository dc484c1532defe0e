//! `osteon.design`: the design sweep of `osteon design`, run from Python.

use std::path::PathBuf;

use osteon::biomech::design::{DesignSpec, run_design_sweep, write_design_outputs};
use pyo3::prelude::*;

use crate::result::to_py;
use crate::run::{Progress, run_observed};

/// Run the design sweep of a design file (TOML: `study = "…"`, `mesh_size_mm`, `[sweep]`
/// with `modulus_mpa` or `porosity`, `flange_thickness_mm`, `flange_material`,
/// `screw_offsets_mm`; see examples/design_sweep.toml) as `osteon design` does, and return
/// its report as a dict: `results` (one per design: `micromotion_p95_um` [50 %, 100 % BW]
/// in µm, `migration_max_mm` in mm, `daily_near_below_lazy_zone` (0–1), `safe`
/// [lattice, flange, screws], `feasible`, `pareto`), `recommended` (index or None),
/// `effects` (each variable's spread of the mean p95, µm) and `notes`.
///
/// `output_dir`: also write design.md, design.json and design.svg there. `mesh_size`:
/// element size near the implant (mm), overriding the file's. `progress`: True (a line per
/// finished design), False, or a callable taking one line. The GIL is released while it
/// runs; Ctrl-C stops it at the next progress event and raises KeyboardInterrupt.
#[pyfunction]
#[pyo3(signature = (path, output_dir=None, *, progress=None, threads=None, mesh_size=None))]
pub fn design<'py>(
    py: Python<'py>,
    path: PathBuf,
    output_dir: Option<PathBuf>,
    progress: Option<&Bound<'py, PyAny>>,
    threads: Option<usize>,
    mesh_size: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let progress = Progress::from_arg(py, progress, true)?;
    let report = run_observed(py, &progress, threads, |observer| {
        let (mut spec, base) = DesignSpec::from_path(&path)?;
        if let Some(h) = mesh_size {
            spec.mesh_size_mm = Some(h);
        }
        let report = run_design_sweep(&spec, &base, observer)?;
        if let Some(dir) = &output_dir {
            write_design_outputs(&report, dir)?;
        }
        Ok(report)
    })?;
    to_py(py, &report)
}
