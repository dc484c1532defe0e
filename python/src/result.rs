//! `osteon.Result` and `osteon.Step`: a solved model as numpy arrays.
//!
//! The arrays are built once, from vectors that are moved into numpy (no copy at the
//! boundary), and are read-only: they are the result, not scratch space (`.copy()` one to
//! change it).

use numpy::ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyArray1, PyArray2};
use osteon::assembly::{Model, StepSolution};
use osteon::io::summary::RunSummary;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A read-only 2-D float64 array of `rows` with `N` columns, moved into numpy.
pub fn rows_to_array<'py, const N: usize>(
    py: Python<'py>,
    rows: &[[f64; N]],
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    let array = Array2::from_shape_vec((rows.len(), N), flat)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?
        .into_pyarray(py);
    read_only(array.as_any())?;
    Ok(array)
}

/// A read-only 1-D array moved into numpy.
pub fn vec_to_array<T: numpy::Element>(
    py: Python<'_>,
    values: Vec<T>,
) -> PyResult<Bound<'_, PyArray1<T>>> {
    let array = Array1::from_vec(values).into_pyarray(py);
    read_only(array.as_any())?;
    Ok(array)
}

fn read_only(array: &Bound<'_, PyAny>) -> PyResult<()> {
    let kwargs = PyDict::new(array.py());
    kwargs.set_item("write", false)?;
    array.call_method("setflags", (), Some(&kwargs))?;
    Ok(())
}

/// Parse JSON text into Python objects (dicts, lists, floats) with the `json` module.
pub fn json_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// Serialise `value` to JSON and parse it into Python objects.
pub fn to_py<'py, S: serde::Serialize>(py: Python<'py>, value: &S) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    json_to_py(py, &text)
}

/// One solved step (load case): nodal displacement, reactions and the recovered stress,
/// by node index (rows in the order of `Result.node_ids`).
///
/// Units: displacement mm, reaction N, stress MPa (Voigt order xx, yy, zz, xy, yz, xz),
/// strain dimensionless with engineering shear strains.
#[pyclass(module = "osteon", frozen, name = "Step")]
pub struct PyStep {
    /// The step's name (the deck's `*STEP, NAME=`, or `Step-<k>`).
    #[pyo3(get)]
    name: String,
    /// Displacement (n, 3), mm.
    #[pyo3(get)]
    displacement: Py<PyArray2<f64>>,
    /// Reaction force at each node (n, 3), N: non-zero at the constrained nodes only.
    #[pyo3(get)]
    reactions: Py<PyArray2<f64>>,
    /// Stress extrapolated from the integration points to the nodes and averaged over the
    /// elements around each node (n, 6), MPa, Voigt order xx, yy, zz, xy, yz, xz.
    #[pyo3(get)]
    stress: Py<PyArray2<f64>>,
    /// Strain at the nodes, averaged likewise (n, 6), engineering shear strains.
    #[pyo3(get)]
    strain: Py<PyArray2<f64>>,
    /// Von Mises stress of the nodal stress (n,), MPa.
    #[pyo3(get)]
    von_mises: Py<PyArray1<f64>>,
    /// Sum of the applied loads (3,), N.
    #[pyo3(get)]
    applied_force: Py<PyArray1<f64>>,
    /// This step's part of the JSON summary (max |u|, reaction sums per constrained node
    /// set, equilibrium error, solver residual, contact statistics for a contact step).
    #[pyo3(get)]
    summary: Py<PyAny>,
}

impl PyStep {
    fn new(py: Python<'_>, step: &StepSolution, summary: Bound<'_, PyAny>) -> PyResult<Self> {
        let von_mises = step.fields.nodal_von_mises();
        Ok(Self {
            name: step.name.clone(),
            displacement: rows_to_array(py, &step.displacement)?.unbind(),
            reactions: rows_to_array(py, &step.reaction)?.unbind(),
            stress: rows_to_array(py, &step.fields.nodal_stress)?.unbind(),
            strain: rows_to_array(py, &step.fields.nodal_strain)?.unbind(),
            von_mises: vec_to_array(py, von_mises)?.unbind(),
            applied_force: vec_to_array(py, step.applied_total.to_vec())?.unbind(),
            summary: summary.unbind(),
        })
    }
}

#[pymethods]
impl PyStep {
    fn __repr__(&self) -> String {
        format!("<osteon.Step {:?}>", self.name)
    }
}

/// A solved model: the mesh, one [`PyStep`] per step, and the JSON summary that
/// `osteon solve` writes. The top-level arrays are those of the last step.
#[pyclass(module = "osteon", frozen, name = "Result")]
pub struct PyResultObj {
    /// Node ids as in the input (n,).
    #[pyo3(get)]
    node_ids: Py<PyArray1<i64>>,
    /// Node coordinates (n, 3), mm.
    #[pyo3(get)]
    nodes: Py<PyArray2<f64>>,
    /// Element ids as in the input (m,), in the global element order.
    #[pyo3(get)]
    element_ids: Py<PyArray1<i64>>,
    /// Element blocks: (Abaqus type name, connectivity (k, nodes per element) as 0-based
    /// node indices), in the global element order.
    blocks: Vec<(String, Py<PyArray2<i64>>)>,
    /// Material (section) index of every element (m,), as in the VTU files' `material`.
    #[pyo3(get)]
    element_material: Py<PyArray1<i64>>,
    /// Section names, by section index.
    #[pyo3(get)]
    section_names: Vec<String>,
    /// Named node sets: name → 0-based node indices.
    node_sets: Vec<(String, Py<PyArray1<i64>>)>,
    steps: Vec<Py<PyStep>>,
    /// The run summary as a dict (what `osteon solve` writes to `<stem>.json`).
    #[pyo3(get)]
    summary: Py<PyAny>,
    /// Warnings from reading the input (skipped keywords, unit checks), one line each.
    #[pyo3(get)]
    warnings: Vec<String>,
}

impl PyResultObj {
    /// Build from a model, its solved steps and (when there is one) the run summary.
    pub fn new(
        py: Python<'_>,
        model: &Model,
        steps: &[StepSolution],
        summary: Option<&RunSummary>,
        warnings: Vec<String>,
    ) -> PyResult<Self> {
        let mesh = &model.mesh;
        let summary_obj = match summary {
            Some(s) => to_py(py, s)?,
            None => py.None().into_bound(py),
        };
        let case_summaries: Vec<Bound<'_, PyAny>> = match summary {
            Some(s) => s
                .cases
                .iter()
                .map(|c| to_py(py, c))
                .collect::<PyResult<_>>()?,
            None => Vec::new(),
        };
        let steps = steps
            .iter()
            .enumerate()
            .map(|(k, step)| {
                let case = case_summaries
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| py.None().into_bound(py));
                Py::new(py, PyStep::new(py, step, case)?)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let blocks = mesh
            .blocks
            .iter()
            .map(|b| {
                let n = b.etype.n_nodes();
                let conn: Vec<i64> = b.connectivity.iter().map(|&i| i as i64).collect();
                let array = Array2::from_shape_vec((b.len(), n), conn)
                    .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?
                    .into_pyarray(py);
                read_only(array.as_any())?;
                Ok((b.etype.abaqus_name().to_string(), array.unbind()))
            })
            .collect::<PyResult<Vec<_>>>()?;
        let element_ids: Vec<i64> = mesh.blocks.iter().flat_map(|b| b.ids.clone()).collect();
        let element_material: Vec<i64> = osteon::io::vtu::section_indices(model)
            .into_iter()
            .map(i64::from)
            .collect();
        let node_sets = mesh
            .node_sets
            .iter()
            .map(|(name, nodes)| {
                let idx: Vec<i64> = nodes.iter().map(|&i| i as i64).collect();
                Ok((name.clone(), vec_to_array(py, idx)?.unbind()))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self {
            node_ids: vec_to_array(py, mesh.node_ids.clone())?.unbind(),
            nodes: rows_to_array(py, &mesh.coords)?.unbind(),
            element_ids: vec_to_array(py, element_ids)?.unbind(),
            blocks,
            element_material: vec_to_array(py, element_material)?.unbind(),
            section_names: model.sections.iter().map(|s| s.name.clone()).collect(),
            node_sets,
            steps,
            summary: summary_obj.unbind(),
            warnings,
        })
    }

    fn last(&self) -> PyResult<&Py<PyStep>> {
        self.steps.last().ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err("the result has no step: nothing was solved")
        })
    }
}

#[pymethods]
impl PyResultObj {
    /// The solved steps, in order (`result.steps[-1]` is the last).
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.steps.iter().map(|s| s.clone_ref(py)))
    }

    /// Element blocks: a list of (Abaqus type name, connectivity array of 0-based node
    /// indices, one row per element).
    #[getter]
    fn cells<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.blocks
                .iter()
                .map(|(name, conn)| (name.clone(), conn.clone_ref(py))),
        )
    }

    /// Named node sets: a dict name → 0-based node indices.
    #[getter]
    fn node_sets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, nodes) in &self.node_sets {
            d.set_item(name, nodes.clone_ref(py))?;
        }
        Ok(d)
    }

    /// Displacement of the last step (n, 3), mm.
    #[getter]
    fn displacement(&self, py: Python<'_>) -> PyResult<Py<PyArray2<f64>>> {
        Ok(self.last()?.get().displacement.clone_ref(py))
    }

    /// Reactions of the last step (n, 3), N.
    #[getter]
    fn reactions(&self, py: Python<'_>) -> PyResult<Py<PyArray2<f64>>> {
        Ok(self.last()?.get().reactions.clone_ref(py))
    }

    /// Nodal stress of the last step (n, 6), MPa, Voigt order xx, yy, zz, xy, yz, xz.
    #[getter]
    fn stress(&self, py: Python<'_>) -> PyResult<Py<PyArray2<f64>>> {
        Ok(self.last()?.get().stress.clone_ref(py))
    }

    /// Nodal strain of the last step (n, 6), engineering shear strains.
    #[getter]
    fn strain(&self, py: Python<'_>) -> PyResult<Py<PyArray2<f64>>> {
        Ok(self.last()?.get().strain.clone_ref(py))
    }

    /// Von Mises stress of the last step (n,), MPa.
    #[getter]
    fn von_mises(&self, py: Python<'_>) -> PyResult<Py<PyArray1<f64>>> {
        Ok(self.last()?.get().von_mises.clone_ref(py))
    }

    /// The mesh and every step's point data as a `meshio.Mesh` (the last step's arrays
    /// under their plain names, earlier steps' as `<name>_step<k>`). Needs meshio.
    fn to_meshio<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("osteon._convert")?
            .call_method1("to_meshio", (slf,))
    }

    /// The mesh and the last step's point data (or step `step`'s) as a
    /// `pyvista.UnstructuredGrid`. Needs pyvista.
    #[pyo3(signature = (step=None))]
    fn to_pyvista<'py>(slf: &Bound<'py, Self>, step: Option<isize>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("osteon._convert")?
            .call_method1("to_pyvista", (slf, step))
    }

    fn __repr__(&self) -> String {
        format!("<osteon.Result: {} steps>", self.steps.len(),)
    }
}
