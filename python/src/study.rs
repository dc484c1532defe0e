//! `osteon.Study`: the tibial reconstruction study of `osteon study`, run from Python.

use std::path::PathBuf;

use osteon::biomech::{OutputOptions, Study, run_study, write_study_outputs};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::Error;
use crate::result::{PyResultObj, to_py};
use crate::run::{Progress, run_observed};

/// A reconstruction study (the parametric tibia with a segmental defect bridged by a
/// porous-tantalum prosthesis, its load cases and metrics), as `osteon study` runs it.
/// Read one from a study TOML file (`Study.from_toml`, schema in
/// `examples/tibia_study.toml`) or from a dict of the same keys (`Study.from_dict`);
/// every key is optional. Units: mm, N, MPa, kg.
#[pyclass(module = "osteon", name = "Study")]
pub struct PyStudy {
    study: Study,
}

#[pymethods]
impl PyStudy {
    /// The default study: the seed case (63 mm mid-shaft defect, 72 % porous Ta, flange
    /// and screws, frictional docking faces, 70 kg at 50 % and 100 % body weight, the in-vivo
    /// activities).
    #[new]
    fn new() -> Self {
        Self {
            study: Study::default(),
        }
    }

    /// Read a study file (TOML). Errors name the file, the line and the key.
    #[staticmethod]
    fn from_toml(path: PathBuf) -> PyResult<Self> {
        let study = Study::from_path(&path).map_err(|e| Error::Biomech(e).into_py(None))?;
        Ok(Self { study })
    }

    /// A study from a dict with the keys of a study file (nested dicts for the tables,
    /// e.g. `{"mesh": {"size_mm": 6.0}, "loads": {"fractions": [0.5, 1.0]}}`). The dict is
    /// written as TOML and read as a study file is, with the same checks.
    #[staticmethod]
    fn from_dict(py: Python<'_>, study: &Bound<'_, PyDict>) -> PyResult<Self> {
        let json: String = py
            .import("json")?
            .call_method1("dumps", (study,))
            .map_err(|e| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "study: the dict must hold only str keys, numbers, strings, booleans, lists and dicts: {e}"
                ))
            })?
            .extract()?;
        let value: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| PyValueError::new_err(format!("study: {e}")))?;
        let text = toml::to_string(&value).map_err(|e| {
            PyValueError::new_err(format!(
                "study: cannot be written as TOML ({e}); None values are not allowed, leave the key out instead"
            ))
        })?;
        let study =
            Study::from_toml_str(&text, "<dict>").map_err(|e| Error::Biomech(e).into_py(None))?;
        Ok(Self { study })
    }

    /// The study with every default filled in, as a dict (the `study` section of
    /// report.json).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.study)
    }

    /// What reading the study noticed without refusing it, one line each.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.study.warnings.clone()
    }

    /// The study's name.
    #[getter]
    fn name(&self) -> String {
        self.study.name.clone()
    }

    /// Run the study: build the mesh and models, solve the implanted and the intact
    /// model for every load case, compute the metrics and, when an output folder is given
    /// (`output_dir`, else the study file's `output`), write report.md, report.json, the
    /// SVG plots and (unless `write_vtu` is False) the VTU files there.
    ///
    /// `threads`: worker threads (default: the study's `threads`, else every core);
    /// `mesh_size`: element size near the implant in mm, overriding `mesh.size_mm`;
    /// `progress`: True (one line per stage on stderr), False, or a callable taking one
    /// line. The GIL is released while it runs; Ctrl-C stops it at the next stage or
    /// solver phase and raises KeyboardInterrupt.
    #[pyo3(signature = (output_dir=None, *, progress=None, threads=None, mesh_size=None, write_vtu=None))]
    fn run(
        &self,
        py: Python<'_>,
        output_dir: Option<PathBuf>,
        progress: Option<&Bound<'_, PyAny>>,
        threads: Option<usize>,
        mesh_size: Option<f64>,
        write_vtu: Option<bool>,
    ) -> PyResult<PyStudyResult> {
        let progress = Progress::from_arg(py, progress, true)?;
        let mut study = self.study.clone();
        if let Some(dir) = output_dir {
            study.output = Some(dir);
        }
        let threads = threads.or(study.threads);
        study.threads = threads;
        if let Some(h) = mesh_size {
            study.mesh.size_mm = h;
        }
        if let Some(v) = write_vtu {
            study.write_vtu = v;
        }
        let out = study.output.clone();
        let options = OutputOptions::from_study(&study);
        let run = run_observed(py, &progress, threads, |observer| {
            let mut run = run_study(&study, observer)?;
            if let Some(dir) = &out {
                write_study_outputs(&mut run, dir, &options)?;
            }
            Ok(run)
        })?;
        let report = to_py(py, &run.report)?;
        let (plots, files) = match &out {
            Some(dir) => (
                run.report.plots.iter().map(|p| dir.join(&p.file)).collect(),
                run.report.files.iter().map(|f| dir.join(f)).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let implanted = PyResultObj::new(
            py,
            &run.implanted_model,
            &run.implanted.cases,
            None,
            Vec::new(),
        )?;
        let intact = PyResultObj::new(py, &run.intact_model, &run.intact.cases, None, Vec::new())?;
        let cases = report.get_item("cases")?;
        let metrics = Py::new(py, PyMetrics::new(&cases)?)?;
        Ok(PyStudyResult {
            report: report.unbind(),
            metrics,
            output_dir: out.clone(),
            report_json: out.as_ref().map(|d| d.join("report.json")),
            report_md: out.as_ref().map(|d| d.join("report.md")),
            plots,
            files,
            implanted: Py::new(py, implanted)?,
            intact: Py::new(py, intact)?,
            warnings: study.warnings.clone(),
        })
    }

    fn __repr__(&self) -> String {
        format!("<osteon.Study {:?}>", self.study.name)
    }
}

/// A finished study: the report (what report.json holds), the per-case metrics, the
/// paths of the files written, and the solved implanted and intact models.
#[pyclass(module = "osteon", frozen, name = "StudyResult")]
pub struct PyStudyResult {
    /// The whole report as a dict (the content of report.json).
    #[pyo3(get)]
    report: Py<PyAny>,
    /// The metrics of every load case (`metrics.to_pandas()` for a table).
    #[pyo3(get)]
    metrics: Py<PyMetrics>,
    /// The output folder, or None when nothing was written.
    #[pyo3(get)]
    output_dir: Option<PathBuf>,
    /// Path of report.json (None when nothing was written).
    #[pyo3(get)]
    report_json: Option<PathBuf>,
    /// Path of report.md (None when nothing was written).
    #[pyo3(get)]
    report_md: Option<PathBuf>,
    /// Paths of the SVG plots.
    #[pyo3(get)]
    plots: Vec<PathBuf>,
    /// Paths of the VTU and PVD files.
    #[pyo3(get)]
    files: Vec<PathBuf>,
    /// The implanted model and its solution, one step per load case.
    #[pyo3(get)]
    implanted: Py<PyResultObj>,
    /// The intact reference model and its solution, one step per load case.
    #[pyo3(get)]
    intact: Py<PyResultObj>,
    /// The study file's warnings.
    #[pyo3(get)]
    warnings: Vec<String>,
}

#[pymethods]
impl PyStudyResult {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<osteon.StudyResult: {} load cases{}>",
            self.metrics.get().records.bind(py).len(),
            self.output_dir
                .as_ref()
                .map_or_else(String::new, |d| format!(", written to {}", d.display()))
        )
    }
}

/// The metrics of a study, one record per load case: the nested `metrics` of each case of
/// report.json flattened to `a.b.c` keys (list entries as `a[0]`), plus the case's
/// pass/fail checks in `checks`.
#[pyclass(module = "osteon", frozen, name = "Metrics")]
pub struct PyMetrics {
    /// One flat dict per load case.
    #[pyo3(get)]
    records: Py<PyList>,
    /// The checks against the clinical targets: one dict per case and criterion
    /// (case, criterion, value, target, status, source).
    #[pyo3(get)]
    checks: Py<PyList>,
    /// The nested metrics of each case, as in report.json.
    #[pyo3(get)]
    cases: Py<PyList>,
}

impl PyMetrics {
    fn new(cases: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = cases.py();
        let records = PyList::empty(py);
        let checks = PyList::empty(py);
        let nested = PyList::empty(py);
        for case in cases.try_iter()? {
            let case = case?;
            let metrics = case.get_item("metrics")?;
            nested.append(&metrics)?;
            let flat = PyDict::new(py);
            flatten(&metrics, "", &flat)?;
            records.append(flat)?;
            let name = metrics.get_item("name")?;
            for check in case.get_item("checks")?.try_iter()? {
                let row = PyDict::new(py);
                row.set_item("case", &name)?;
                row.update(check?.cast::<PyDict>()?.as_mapping())?;
                checks.append(row)?;
            }
        }
        Ok(Self {
            records: records.unbind(),
            checks: checks.unbind(),
            cases: nested.unbind(),
        })
    }
}

/// Flatten nested dicts and lists into `out` with dotted keys (`a.b`) and indices (`a[0]`).
fn flatten(value: &Bound<'_, PyAny>, prefix: &str, out: &Bound<'_, PyDict>) -> PyResult<()> {
    if let Ok(d) = value.cast::<PyDict>() {
        for (k, v) in d.iter() {
            let key: String = k.str()?.extract()?;
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            flatten(&v, &key, out)?;
        }
        return Ok(());
    }
    if let Ok(l) = value.cast::<PyList>()
        && !prefix.is_empty()
    {
        for (i, v) in l.iter().enumerate() {
            flatten(&v, &format!("{prefix}[{i}]"), out)?;
        }
        return Ok(());
    }
    out.set_item(prefix, value)
}

#[pymethods]
impl PyMetrics {
    /// The records as a pandas DataFrame, one row per load case indexed by case name.
    /// Needs pandas.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py.import("pandas").map_err(|_| {
            pyo3::exceptions::PyImportError::new_err(
                "Metrics.to_pandas() needs pandas (pip install pandas); Metrics.records is the same table as a list of dicts",
            )
        })?;
        let frame = pandas
            .getattr("DataFrame")?
            .call_method1("from_records", (self.records.bind(py),))?;
        frame.call_method1("set_index", ("name",))
    }

    /// The checks as a pandas DataFrame. Needs pandas.
    fn checks_to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py.import("pandas").map_err(|_| {
            pyo3::exceptions::PyImportError::new_err(
                "Metrics.checks_to_pandas() needs pandas (pip install pandas)",
            )
        })?;
        pandas
            .getattr("DataFrame")?
            .call_method1("from_records", (self.checks.bind(py),))
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.records.bind(py).len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, i: isize) -> PyResult<Bound<'py, PyAny>> {
        self.records.bind(py).as_any().get_item(i)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<osteon.Metrics: {} load cases>",
            self.records.bind(py).len()
        )
    }
}
