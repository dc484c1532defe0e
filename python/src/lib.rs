//! `osteon._osteon`: the compiled part of the Python package `osteon` (PyO3).
//!
//! The Python package (`python/osteon/`) re-exports everything defined here; its stubs
//! (`__init__.pyi`, `ct.pyi`) document the Python API. This crate only translates: the
//! reading, solving, CT pipeline, study and writing are the library functions that the
//! `osteon` command line calls too ([`osteon::run`], [`osteon::ct`], `osteon::biomech`).

mod design;
mod errors;
mod model;
mod result;
mod run;
mod study;

mod ct;

use std::path::PathBuf;

use osteon::assembly::{SolveOptions, SolverChoice};
use osteon::run::{Input, RunError, solve_input, solve_path};
use osteon::solver::Ordering;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::errors::{Error, InputError, NumericalError};
use crate::model::PyModel;
use crate::result::PyResultObj;
use crate::run::{Progress, run_observed};

/// The library's error in the words of Python: how to pass a Gmsh mesh's model
/// description, how to run a study file.
fn python_words(err: RunError) -> Error {
    match err {
        RunError::MeshWithoutModel { mesh } => Error::Input(format!(
            "{}: a Gmsh mesh needs its model description: pass model=\"MODEL.toml\" (materials, sections, boundary conditions, steps)",
            mesh.display()
        )),
        RunError::StudyFile { path, source } => Error::Input(format!(
            "{}: this is a study file (tibial reconstruction study), not a model description; run it with osteon.Study.from_toml(path).run()\n  (as a model description it fails with: {source})",
            path.display()
        )),
        other => Error::Run(other),
    }
}

fn solver_choice(solver: &str, cg_tolerance: f64) -> PyResult<SolverChoice> {
    match solver {
        "cholesky" => Ok(SolverChoice::Cholesky(Ordering::NestedDissection)),
        "cholesky-all-nodes" => Ok(SolverChoice::Cholesky(Ordering::NestedDissectionAllNodes)),
        "cholesky-amd" => Ok(SolverChoice::Cholesky(Ordering::Amd)),
        "cg" => Ok(SolverChoice::ConjugateGradient {
            rel_tol: cg_tolerance,
            max_iter: 100_000,
        }),
        other => Err(PyValueError::new_err(format!(
            "solver: expected 'cholesky', 'cholesky-all-nodes', 'cholesky-amd' or 'cg', got {other:?}"
        ))),
    }
}

/// Solve a model: a deck (`.inp`), a Gmsh mesh (`.msh`, with `model` its TOML
/// description), a TOML model, or an `osteon.Model` built in Python.
///
/// Every step is solved (one factorisation; a deck with contact pairs goes to the
/// frictional contact analysis), exactly as `osteon solve` does, and the result holds
/// numpy arrays (mm, N, MPa) and the JSON summary as a dict; nothing is written.
/// `threads`: worker threads (default: every core). `solver`: "cholesky" (default),
/// "cholesky-all-nodes", "cholesky-amd" or "cg" (with `cg_tolerance`; ignored for
/// contact). `progress`: True for a line per phase on stderr, or a callable taking one line. The GIL is released while it
/// runs; Ctrl-C stops it at the next phase boundary (KeyboardInterrupt).
#[pyfunction]
#[pyo3(signature = (source, *, threads=None, model=None, solver="cholesky", cg_tolerance=1e-10, progress=None))]
fn solve(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    threads: Option<usize>,
    model: Option<PathBuf>,
    solver: &str,
    cg_tolerance: f64,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyResultObj> {
    let progress = Progress::from_arg(py, progress, false)?;
    let options = SolveOptions {
        threads: threads.unwrap_or(0),
        solver: solver_choice(solver, cg_tolerance)?,
        recover: true,
    };
    if let Ok(py_model) = source.cast::<PyModel>() {
        if model.is_some() {
            return Err(PyTypeError::new_err(
                "model: only for a .msh path; an osteon.Model is complete by itself",
            ));
        }
        let input = Input::from_model("<python model>", py_model.borrow().model.clone());
        let (input, solved) = run_observed(py, &progress, threads, move |observer| {
            let solved = solve_input(&input, &options, observer).map_err(python_words)?;
            Ok((input, solved))
        })?;
        let warnings = solved.summary.warnings.clone();
        return PyResultObj::new(
            py,
            &input.model,
            &solved.steps,
            Some(&solved.summary),
            warnings,
        );
    }
    let path: PathBuf = source.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "source: expected a path (str or os.PathLike) or an osteon.Model, got {}",
            source
                .get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string())
        ))
    })?;
    let file = run_observed(py, &progress, threads, |observer| {
        solve_path(&path, model.as_deref(), &options, observer).map_err(python_words)
    })?;
    let warnings = file.solved.summary.warnings.clone();
    PyResultObj::new(
        py,
        &file.input.model,
        &file.solved.steps,
        Some(&file.solved.summary),
        warnings,
    )
}

/// The compiled module.
#[pymodule]
fn _osteon(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("NumericalError", py.get_type::<NumericalError>())?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(design::design, m)?)?;
    m.add_function(wrap_pyfunction!(model::morgan2003, m)?)?;
    m.add_function(wrap_pyfunction!(model::hu_to_density, m)?)?;
    m.add_class::<PyModel>()?;
    m.add_class::<model::PyMaterial>()?;
    m.add_class::<model::PyIsotropic>()?;
    m.add_class::<model::PyTransverselyIsotropic>()?;
    m.add_class::<model::PyPorousTantalum>()?;
    m.add_class::<result::PyResultObj>()?;
    m.add_class::<result::PyStep>()?;
    m.add_class::<study::PyStudy>()?;
    m.add_class::<study::PyStudyResult>()?;
    m.add_class::<study::PyMetrics>()?;
    m.add_function(wrap_pyfunction!(ct::ct_read, m)?)?;
    m.add_function(wrap_pyfunction!(ct::ct_build, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
