//! Models built from Python: nodes and elements as numpy arrays, materials, sets, supports
//! and loads, filled into an [`osteon::assembly::Model`] that the same solver as
//! `osteon solve` runs.
//!
//! Nodes and elements are addressed by 0-based *index* (rows of the `nodes` and `elements`
//! arrays), as numpy users do; the ids (`node_ids`, `element_ids`, 1-based by default) are
//! kept for the outputs, as a deck's are.

use osteon::assembly::{
    Component, DirichletBc, Gravity, LoadCase, Model, NodalLoad, PressureLoad, TractionLoad,
};
use osteon::material::{
    Elastic, IsotropicElastic, Material, MorganSite, PorousTantalum, TransverselyIsotropicElastic,
};
use osteon::mesh::{ElementType, FaceRef, Mesh, Surface};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::errors::Error;
use crate::result::rows_to_array;

// ---------------------------------------------------------------------------------------
// Converting arguments
// ---------------------------------------------------------------------------------------

/// `numpy.asarray(obj)`, its dtype kind ('f', 'i', 'u', 'b', ...) and shape.
fn as_array<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<(Bound<'py, PyAny>, char, Vec<usize>)> {
    let py = obj.py();
    let np = py.import("numpy")?;
    let array = np.call_method1("asarray", (obj,)).map_err(|e| {
        PyTypeError::new_err(format!(
            "{arg}: expected an array-like of numbers, got {}: {e}",
            type_name(obj)
        ))
    })?;
    let kind: String = array.getattr("dtype")?.getattr("kind")?.extract()?;
    let shape: Vec<usize> = array.getattr("shape")?.extract()?;
    Ok((array, kind.chars().next().unwrap_or('?'), shape))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(ToString::to_string).collect();
    format!("({})", parts.join(", "))
}

/// A real array of shape `(rows, cols)` (`cols` = None: any), checked finite, row-major.
fn float_matrix(obj: &Bound<'_, PyAny>, arg: &str, cols: usize) -> PyResult<(usize, Vec<f64>)> {
    let (array, kind, shape) = as_array(obj, arg)?;
    if !matches!(kind, 'f' | 'i' | 'u') {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected a float64 array, got dtype {} ({})",
            array.getattr("dtype")?.str()?,
            kind_name(kind)
        )));
    }
    let rows = match shape.as_slice() {
        [n, c] if *c == cols => *n,
        // a single row may be given flat
        [c] if *c == cols => 1,
        _ => {
            return Err(PyValueError::new_err(format!(
                "{arg}: expected shape (n, {cols}), got {}",
                shape_text(&shape)
            )));
        }
    };
    let flat: Vec<f64> = array
        .call_method1("astype", ("float64",))?
        .call_method0("ravel")?
        .call_method0("tolist")?
        .extract()?;
    if let Some(pos) = flat.iter().position(|v| !v.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "{arg}: entry {} (row {}) is {}: every value must be finite",
            pos,
            pos / cols,
            flat[pos]
        )));
    }
    Ok((rows, flat))
}

fn kind_name(kind: char) -> &'static str {
    match kind {
        'b' => "boolean",
        'f' => "float",
        'i' | 'u' => "integer",
        'c' => "complex",
        'U' | 'S' => "string",
        'O' => "Python objects",
        'M' | 'm' => "date/time",
        _ => "not numeric",
    }
}

/// An integer array (any integer dtype) of the given number of dimensions, as i64.
fn int_array(obj: &Bound<'_, PyAny>, arg: &str, ndim: usize) -> PyResult<(Vec<usize>, Vec<i64>)> {
    let (array, kind, shape) = as_array(obj, arg)?;
    if !matches!(kind, 'i' | 'u') {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected an integer array, got dtype {} ({})",
            array.getattr("dtype")?.str()?,
            kind_name(kind)
        )));
    }
    if shape.len() != ndim {
        return Err(PyValueError::new_err(format!(
            "{arg}: expected a {ndim}-D array, got shape {}",
            shape_text(&shape)
        )));
    }
    let flat: Vec<i64> = array
        .call_method1("astype", ("int64",))?
        .call_method0("ravel")?
        .call_method0("tolist")?
        .extract()?;
    Ok((shape, flat))
}

/// Indices into a collection of `n` items from an integer array of indices, a boolean mask
/// of length `n`, or (with `named`) a set name.
fn indices(
    obj: &Bound<'_, PyAny>,
    arg: &str,
    n: usize,
    what: &str,
    named: &dyn Fn(&str) -> Option<Vec<usize>>,
) -> PyResult<Vec<usize>> {
    if let Ok(name) = obj.cast::<PyString>() {
        let name: String = name.extract()?;
        let name = name.as_str();
        return named(name).ok_or_else(|| {
            PyValueError::new_err(format!("{arg}: there is no {what} set named {name:?}"))
        });
    }
    let (array, kind, shape) = as_array(obj, arg)?;
    if kind == 'b' {
        if shape != [n] {
            return Err(PyValueError::new_err(format!(
                "{arg}: a boolean mask must have one entry per {what} ({n}), got shape {}",
                shape_text(&shape)
            )));
        }
        let mask: Vec<bool> = array.call_method0("tolist")?.extract()?;
        return Ok(mask
            .iter()
            .enumerate()
            .filter_map(|(i, &m)| m.then_some(i))
            .collect());
    }
    let (shape, flat) = if shape.is_empty() {
        // a single index
        int_array(&array.call_method0("ravel")?, arg, 1)?
    } else {
        int_array(&array, arg, 1)?
    };
    let _ = shape;
    flat.iter()
        .map(|&i| {
            usize::try_from(i).ok().filter(|&i| i < n).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "{arg}: {what} index {i} is out of range: there are {n} {what}s (0-based indices 0..{})",
                    n.saturating_sub(1)
                ))
            })
        })
        .collect()
}

/// A displacement component: 0, 1, 2 or "x", "y", "z".
fn component(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Component> {
    if let Ok(s) = obj.extract::<String>() {
        return match s.to_ascii_lowercase().as_str() {
            "x" => Ok(0),
            "y" => Ok(1),
            "z" => Ok(2),
            _ => Err(PyValueError::new_err(format!(
                "{arg}: expected 0, 1, 2 or 'x', 'y', 'z', got {s:?}"
            ))),
        };
    }
    match obj.extract::<i64>() {
        Ok(c @ 0..=2) => Ok(c as usize),
        Ok(c) => Err(PyValueError::new_err(format!(
            "{arg}: expected 0, 1, 2 or 'x', 'y', 'z', got {c}"
        ))),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{arg}: expected 0, 1, 2 or 'x', 'y', 'z', got {}",
            type_name(obj)
        ))),
    }
}

fn components(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<Component>> {
    if obj.extract::<String>().is_ok() || obj.extract::<i64>().is_ok() {
        return Ok(vec![component(obj, arg)?]);
    }
    obj.try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{arg}: expected a component or a sequence of components, got {}",
                type_name(obj)
            ))
        })?
        .map(|c| component(&c?, arg))
        .collect()
}

fn vector3(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<[f64; 3]> {
    let (_, v) = float_matrix(obj, arg, 3)?;
    match v.as_slice() {
        [x, y, z] => Ok([*x, *y, *z]),
        _ => Err(PyValueError::new_err(format!(
            "{arg}: expected one vector of 3 components"
        ))),
    }
}

fn finite(value: f64, arg: &str) -> PyResult<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PyValueError::new_err(format!(
            "{arg}: expected a finite number, got {value}"
        )))
    }
}

// ---------------------------------------------------------------------------------------
// Materials
// ---------------------------------------------------------------------------------------

/// A linear elastic material (the base class of `Isotropic`, `TransverselyIsotropic` and
/// `PorousTantalum`). Units: moduli in MPa, density in t/mm³ (1 g/cm³ = 1e-9 t/mm³).
#[pyclass(module = "osteon", subclass, frozen, name = "Material")]
pub struct PyMaterial {
    pub(crate) inner: Material,
}

#[pymethods]
impl PyMaterial {
    /// A material of osteon's library by name: "cortical_bone",
    /// "cortical_bone_transversely_isotropic", "cancellous_bone", "dense_tantalum",
    /// "porous_tantalum_seed", "ti6al4v", ... (sources in docs/biomechanics.md).
    #[staticmethod]
    fn library(name: &str) -> PyResult<Self> {
        let all = osteon::material::library::all();
        match all.iter().find(|m| m.name == name) {
            Some(m) => Ok(Self { inner: m.clone() }),
            None => Err(PyValueError::new_err(format!(
                "no library material named {name:?}; the library has: {}",
                all.iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The material's name (used for the section and in the outputs).
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Mass density (t/mm³), or None.
    #[getter]
    fn density(&self) -> Option<f64> {
        self.inner.density
    }

    /// The 6 × 6 stiffness matrix D (MPa), Voigt order xx, yy, zz, xy, yz, xz with
    /// engineering shear strains.
    fn stiffness<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        rows_to_array(py, &self.inner.stiffness())
    }

    fn __repr__(&self) -> String {
        format!(
            "<osteon.Material {:?}: {:?}>",
            self.inner.name, self.inner.elastic
        )
    }
}

fn with_density(material: Material, density: Option<f64>) -> PyResult<Material> {
    let material = match density {
        Some(rho) => material.with_density(finite(rho, "density")?),
        None => material,
    };
    material
        .validate()
        .map_err(|e| Error::Material(e).into_py(None))?;
    Ok(material)
}

/// Isotropic linear elasticity: Young's modulus `E` (MPa) and Poisson's ratio `nu`
/// (−1 < ν < 0.5); optional mass density (t/mm³) for gravity loads.
#[pyclass(module = "osteon", extends = PyMaterial, frozen, name = "Isotropic")]
pub struct PyIsotropic;

#[pymethods]
impl PyIsotropic {
    #[new]
    #[pyo3(signature = (E, nu, *, density=None, name=None))]
    #[allow(non_snake_case)]
    fn new(
        E: f64,
        nu: f64,
        density: Option<f64>,
        name: Option<String>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let law = IsotropicElastic::new(E, nu).map_err(|e| Error::Material(e).into_py(None))?;
        let name = name.unwrap_or_else(|| format!("isotropic E={E} nu={nu}"));
        let inner = with_density(Material::new(name, Elastic::Isotropic(law)), density)?;
        Ok(PyClassInitializer::from(PyMaterial { inner }).add_subclass(Self))
    }
}

/// Transversely isotropic elasticity about the global z axis (cortical bone along the
/// shaft): in-plane modulus `E_p` (MPa), axial modulus `E_t` (MPa), in-plane Poisson's
/// ratio `nu_p`, `nu_pt` (Abaqus ν13: ε_z = −ν_pt σ_x / E_p) and the shear modulus `G_t`
/// (MPa) of the planes containing z.
#[pyclass(module = "osteon", extends = PyMaterial, frozen, name = "TransverselyIsotropic")]
pub struct PyTransverselyIsotropic;

#[pymethods]
impl PyTransverselyIsotropic {
    #[new]
    #[pyo3(signature = (E_p, E_t, nu_p, nu_pt, G_t, *, density=None, name=None))]
    #[allow(non_snake_case)]
    fn new(
        E_p: f64,
        E_t: f64,
        nu_p: f64,
        nu_pt: f64,
        G_t: f64,
        density: Option<f64>,
        name: Option<String>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let law = TransverselyIsotropicElastic::new(E_p, E_t, nu_p, nu_pt, G_t)
            .map_err(|e| Error::Material(e).into_py(None))?;
        let name = name.unwrap_or_else(|| "transversely isotropic".to_string());
        let inner = with_density(
            Material::new(name, Elastic::TransverselyIsotropic(law)),
            density,
        )?;
        Ok(PyClassInitializer::from(PyMaterial { inner }).add_subclass(Self))
    }
}

/// Porous tantalum of a given porosity (0 < p < 1): Gibson–Ashby scaling of dense
/// tantalum, E = 186 000 MPa · (1 − p)², ν = 0.3, density (1 − p) · 16.6e-9 t/mm³; or,
/// with `modulus` (MPa), a measured lattice modulus instead of the scaling law.
#[pyclass(module = "osteon", extends = PyMaterial, frozen, name = "PorousTantalum")]
pub struct PyPorousTantalum {
    /// Porosity (dimensionless).
    #[pyo3(get)]
    porosity: f64,
    /// Young's modulus used (MPa).
    #[pyo3(get)]
    modulus: f64,
}

#[pymethods]
impl PyPorousTantalum {
    #[new]
    #[pyo3(signature = (porosity, *, modulus=None, name=None))]
    fn new(
        porosity: f64,
        modulus: Option<f64>,
        name: Option<String>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let ta = match modulus {
            Some(e) => PorousTantalum::with_measured_modulus(porosity, e),
            None => PorousTantalum::from_porosity(porosity),
        }
        .map_err(|e| Error::Material(e).into_py(None))?;
        let name = name.unwrap_or_else(|| format!("porous Ta {:.0} %", 100.0 * porosity));
        let inner = ta.to_material(name);
        inner
            .validate()
            .map_err(|e| Error::Material(e).into_py(None))?;
        Ok(
            PyClassInitializer::from(PyMaterial { inner }).add_subclass(Self {
                porosity,
                modulus: ta.modulus(),
            }),
        )
    }
}

/// Apparent density (g/cm³) → Young's modulus (MPa) by Morgan et al. (2003),
/// E = a · ρ^b, for `site` "proximal_tibia" (default), "vertebra", "greater_trochanter"
/// or "femoral_neck". `rho` is a number or an array; returns the same shape.
#[pyfunction]
#[pyo3(signature = (rho, site="proximal_tibia"))]
pub fn morgan2003<'py>(
    py: Python<'py>,
    rho: &Bound<'py, PyAny>,
    site: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let site = match site {
        "proximal_tibia" => MorganSite::ProximalTibia,
        "vertebra" => MorganSite::Vertebra,
        "greater_trochanter" => MorganSite::GreaterTrochanter,
        "femoral_neck" => MorganSite::FemoralNeck,
        other => {
            return Err(PyValueError::new_err(format!(
                "site: expected 'proximal_tibia', 'vertebra', 'greater_trochanter' or 'femoral_neck', got {other:?}"
            )));
        }
    };
    map_elementwise(py, rho, "rho", |r| {
        osteon::material::morgan2003(site, r).map_err(|e| Error::Material(e).into_py(None))
    })
}

/// CT number (HU) → apparent density (g/cm³), ρ = a + b · HU (a in g/cm³, b in g/cm³ per
/// HU, from a phantom in the same scan), clamped to ρ ≥ 0.01 g/cm³. `hu` is a number or an
/// array; returns the same shape.
#[pyfunction]
pub fn hu_to_density<'py>(
    py: Python<'py>,
    hu: &Bound<'py, PyAny>,
    a: f64,
    b: f64,
) -> PyResult<Bound<'py, PyAny>> {
    map_elementwise(py, hu, "hu", |h| {
        osteon::material::hu_to_density(h, a, b).map_err(|e| Error::Material(e).into_py(None))
    })
}

/// Apply `f` to a number or to every entry of an array (result: float or float64 array of
/// the same shape).
fn map_elementwise<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    arg: &str,
    f: impl Fn(f64) -> PyResult<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(v) = x.extract::<f64>() {
        return Ok(f(v)?.into_pyobject(py)?.into_any());
    }
    let (array, kind, shape) = as_array(x, arg)?;
    if !matches!(kind, 'f' | 'i' | 'u') {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected a number or a numeric array, got {}",
            kind_name(kind)
        )));
    }
    let flat: Vec<f64> = array
        .call_method1("astype", ("float64",))?
        .call_method0("ravel")?
        .call_method0("tolist")?
        .extract()?;
    let out = flat.into_iter().map(f).collect::<PyResult<Vec<f64>>>()?;
    let out = numpy::PyArray1::from_vec(py, out);
    out.call_method1("reshape", (PyTuple::new(py, shape)?,))
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/// A finite-element model built from numpy arrays.
///
/// `nodes` (n, 3) float64 coordinates in mm; `elements` (m, k) integer connectivity as
/// 0-based row indices into `nodes`, in Abaqus/CalculiX node order; `element_type` one of
/// "C3D4", "C3D10", "C3D8", "C3D20", "C3D20R". Node and element ids default to 1..n and
/// 1..m. More element blocks (another type) can be added with `add_elements`.
///
/// Everything else is added by methods: materials (`assign`), node and element sets,
/// supports (`fix`, `prescribe`) and the loads of named steps (`add_nodal_load`,
/// `add_pressure`, `add_traction`, `add_gravity`). Units: mm, N, MPa, t/mm³.
#[pyclass(module = "osteon", name = "Model")]
pub struct PyModel {
    pub(crate) model: Model,
}

impl PyModel {
    fn node_set(&self, name: &str) -> Option<Vec<usize>> {
        self.model.mesh.node_sets.get(name).cloned()
    }

    fn nodes_arg(&self, obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<usize>> {
        indices(obj, arg, self.model.mesh.n_nodes(), "node", &|name| {
            self.node_set(name)
        })
    }

    fn elements_arg(&self, obj: Option<&Bound<'_, PyAny>>, arg: &str) -> PyResult<Vec<usize>> {
        let n = self.model.mesh.n_elements();
        match obj {
            None => Ok((0..n).collect()),
            Some(o) if o.is_none() => Ok((0..n).collect()),
            Some(o) => indices(o, arg, n, "element", &|name| {
                self.model.mesh.element_sets.get(name).cloned()
            }),
        }
    }

    /// Element faces from an (k, 2) integer array (element index, 0-based face number) or
    /// a surface name.
    fn faces_arg(&self, obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<FaceRef>> {
        if let Ok(name) = obj.cast::<PyString>() {
            let name: String = name.extract()?;
            let name = name.as_str();
            return match self.model.mesh.surfaces.get(name) {
                Some(Surface::Faces(faces)) => Ok(faces.clone()),
                Some(Surface::Nodes(_)) => Err(PyValueError::new_err(format!(
                    "{arg}: surface {name:?} is a node surface; element faces are needed"
                ))),
                None => Err(PyValueError::new_err(format!(
                    "{arg}: there is no surface named {name:?}"
                ))),
            };
        }
        let (shape, flat) = int_array(obj, arg, 2)?;
        if shape[1] != 2 {
            return Err(PyValueError::new_err(format!(
                "{arg}: expected shape (k, 2) (element index, 0-based face number), got {}",
                shape_text(&shape)
            )));
        }
        let n = self.model.mesh.n_elements();
        flat.chunks_exact(2)
            .map(|pair| {
                let (e, f) = (pair[0], pair[1]);
                let element = usize::try_from(e).ok().filter(|&e| e < n).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "{arg}: element index {e} is out of range (0..{})",
                        n.saturating_sub(1)
                    ))
                })?;
                let etype = self.model.mesh.element(element).etype;
                let face = usize::try_from(f)
                    .ok()
                    .filter(|&f| f < etype.n_faces())
                    .ok_or_else(|| {
                        PyValueError::new_err(format!(
                            "{arg}: face {f} of element index {e} does not exist: a {} has faces 0..{} (S1..S{})",
                            etype.abaqus_name(),
                            etype.n_faces() - 1,
                            etype.n_faces()
                        ))
                    })?;
                Ok(FaceRef {
                    element,
                    face: face as u8,
                })
            })
            .collect()
    }

    fn step_mut(&mut self, name: &str) -> &mut LoadCase {
        let k = match self.model.load_cases.iter().position(|c| c.name == name) {
            Some(k) => k,
            None => {
                self.model.load_cases.push(LoadCase::new(name));
                self.model.load_cases.len() - 1
            }
        };
        &mut self.model.load_cases[k]
    }

    fn add_block(
        &mut self,
        elements: &Bound<'_, PyAny>,
        element_type: &str,
        element_ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<usize>> {
        let etype = ElementType::from_abaqus(element_type).ok_or_else(|| {
            PyValueError::new_err(format!(
                "element_type: unsupported element type {element_type:?} (supported: C3D4, C3D10, C3D8, C3D20, C3D20R)"
            ))
        })?;
        let (shape, conn) = int_array(elements, "elements", 2)?;
        let k = etype.n_nodes();
        if shape[1] != k {
            return Err(PyValueError::new_err(format!(
                "elements: a {} element has {k} nodes, but the array has shape {}",
                etype.abaqus_name(),
                shape_text(&shape)
            )));
        }
        let m = shape[0];
        let first_id = self
            .model
            .mesh
            .blocks
            .iter()
            .flat_map(|b| b.ids.iter().copied())
            .max()
            .unwrap_or(0)
            + 1;
        let ids: Vec<i64> = match element_ids {
            Some(obj) if !obj.is_none() => {
                let (s, ids) = int_array(obj, "element_ids", 1)?;
                if s[0] != m {
                    return Err(PyValueError::new_err(format!(
                        "element_ids: expected {m} ids (one per row of elements), got {}",
                        s[0]
                    )));
                }
                ids
            }
            _ => (first_id..first_id + m as i64).collect(),
        };
        let n = self.model.mesh.n_nodes();
        let mut added = Vec::with_capacity(m);
        let mut nodes = vec![0usize; k];
        for (row, (chunk, &id)) in conn.chunks_exact(k).zip(&ids).enumerate() {
            for (slot, &i) in nodes.iter_mut().zip(chunk) {
                *slot = usize::try_from(i).ok().filter(|&i| i < n).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "elements: row {row} refers to node index {i}, but there are {n} nodes (0-based indices 0..{})",
                        n.saturating_sub(1)
                    ))
                })?;
            }
            let e = self
                .model
                .mesh
                .push_element(etype, id, &nodes)
                .map_err(|e| Error::Mesh(e).into_py(Some("elements")))?;
            added.push(e);
        }
        Ok(added)
    }
}

#[pymethods]
impl PyModel {
    #[new]
    #[pyo3(signature = (nodes, elements, element_type, *, node_ids=None, element_ids=None))]
    fn new(
        nodes: &Bound<'_, PyAny>,
        elements: &Bound<'_, PyAny>,
        element_type: &Bound<'_, PyAny>,
        node_ids: Option<&Bound<'_, PyAny>>,
        element_ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let element_type: String = element_type.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "element_type: expected a str such as 'C3D10', got {}",
                type_name(element_type)
            ))
        })?;
        let (n, coords) = float_matrix(nodes, "nodes", 3)?;
        let ids: Vec<i64> = match node_ids {
            Some(obj) if !obj.is_none() => {
                let (s, ids) = int_array(obj, "node_ids", 1)?;
                if s[0] != n {
                    return Err(PyValueError::new_err(format!(
                        "node_ids: expected {n} ids (one per row of nodes), got {}",
                        s[0]
                    )));
                }
                ids
            }
            _ => (1..=n as i64).collect(),
        };
        let mut mesh = Mesh::new();
        for (x, &id) in coords.chunks_exact(3).zip(&ids) {
            mesh.add_node(id, [x[0], x[1], x[2]])
                .map_err(|e| Error::Mesh(e).into_py(Some("node_ids")))?;
        }
        let mut model = Self {
            model: Model::new(mesh),
        };
        model.add_block(elements, &element_type, element_ids)?;
        Ok(model)
    }

    /// Add a block of elements (another type, or more of the same); returns their global
    /// element indices. `elements` (m, k) holds 0-based node indices.
    #[pyo3(signature = (elements, element_type, *, element_ids=None))]
    fn add_elements<'py>(
        &mut self,
        py: Python<'py>,
        elements: &Bound<'py, PyAny>,
        element_type: &str,
        element_ids: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<i64>>> {
        let added = self.add_block(elements, element_type, element_ids)?;
        Ok(numpy::PyArray1::from_vec(
            py,
            added.into_iter().map(|e| e as i64).collect(),
        ))
    }

    /// Number of nodes.
    #[getter]
    fn n_nodes(&self) -> usize {
        self.model.mesh.n_nodes()
    }

    /// Number of elements.
    #[getter]
    fn n_elements(&self) -> usize {
        self.model.mesh.n_elements()
    }

    /// Node coordinates (n, 3), mm (a copy).
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        rows_to_array(py, &self.model.mesh.coords)
    }

    /// Names of the steps (load cases), in the order they are solved.
    #[getter]
    fn steps(&self) -> Vec<String> {
        self.model
            .load_cases
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// Name a node set: `nodes` is an integer array of 0-based node indices or a boolean
    /// mask with one entry per node (e.g. `model.nodes[:, 0] == 0.0`).
    fn add_node_set(&mut self, name: &str, nodes: &Bound<'_, PyAny>) -> PyResult<()> {
        let nodes = self.nodes_arg(nodes, "nodes")?;
        self.model.mesh.set_node_set(name, nodes);
        Ok(())
    }

    /// Name an element set: an integer array of element indices or a boolean mask.
    fn add_element_set(&mut self, name: &str, elements: &Bound<'_, PyAny>) -> PyResult<()> {
        let elements = self.elements_arg(Some(elements), "elements")?;
        self.model.mesh.set_element_set(name, elements);
        Ok(())
    }

    /// The 0-based node indices of a node set.
    fn node_set_indices<'py>(
        &self,
        py: Python<'py>,
        name: &str,
    ) -> PyResult<Bound<'py, numpy::PyArray1<i64>>> {
        let nodes = self
            .node_set(name)
            .ok_or_else(|| PyValueError::new_err(format!("there is no node set named {name:?}")))?;
        Ok(numpy::PyArray1::from_vec(
            py,
            nodes.into_iter().map(|i| i as i64).collect(),
        ))
    }

    /// The element faces all of whose nodes are among `nodes` (indices, mask or node set
    /// name): a (k, 2) array of (element index, 0-based face number, S1 = 0), to load with
    /// `add_pressure`/`add_traction` or to name with `add_surface`.
    fn faces_on<'py>(
        &self,
        py: Python<'py>,
        nodes: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let nodes = self.nodes_arg(nodes, "nodes")?;
        let mut member = vec![false; self.model.mesh.n_nodes()];
        for i in nodes {
            member[i] = true;
        }
        let mut flat: Vec<i64> = Vec::new();
        for element in self.model.mesh.elements() {
            for face in 0..element.etype.n_faces() {
                let Some(local) = element.etype.face_nodes(face) else {
                    continue;
                };
                if local.iter().all(|&l| member[element.nodes[l]]) {
                    flat.push(element.index as i64);
                    flat.push(face as i64);
                }
            }
        }
        let k = flat.len() / 2;
        numpy::PyArray1::from_vec(py, flat).call_method1("reshape", ((k, 2),))
    }

    /// Name a surface of element faces ((k, 2) array of element index, face number).
    fn add_surface(&mut self, name: &str, faces: &Bound<'_, PyAny>) -> PyResult<()> {
        let faces = self.faces_arg(faces, "faces")?;
        self.model
            .mesh
            .surfaces
            .insert(name.to_string(), Surface::Faces(faces));
        Ok(())
    }

    /// Give `material` to `elements` (indices, mask or element set name; default: every
    /// element). Each element must end up in exactly one section. `name` names the
    /// section (default: the material's name).
    #[pyo3(signature = (material, elements=None, *, name=None))]
    fn assign(
        &mut self,
        material: PyRef<'_, PyMaterial>,
        elements: Option<&Bound<'_, PyAny>>,
        name: Option<String>,
    ) -> PyResult<()> {
        let elements = self.elements_arg(elements, "elements")?;
        let name = name.unwrap_or_else(|| material.inner.name.clone());
        let m = self.model.add_material(material.inner.clone());
        self.model.add_section(name, elements, m);
        Ok(())
    }

    /// Hold `components` (default all three; 0/1/2 or 'x'/'y'/'z') of `nodes` (indices,
    /// mask or node set name) at zero in every step.
    #[pyo3(signature = (nodes, components=None))]
    fn fix(
        &mut self,
        nodes: &Bound<'_, PyAny>,
        components: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let nodes = self.nodes_arg(nodes, "nodes")?;
        let comps = match components {
            Some(c) => self::components(c, "components")?,
            None => vec![0, 1, 2],
        };
        self.model.fix(&nodes, &comps);
        Ok(())
    }

    /// Prescribe displacement `value` (mm) of `component` at `nodes`: in every step when
    /// `step` is None, else in that step only.
    #[pyo3(signature = (nodes, component, value, *, step=None))]
    fn prescribe(
        &mut self,
        nodes: &Bound<'_, PyAny>,
        component: &Bound<'_, PyAny>,
        value: f64,
        step: Option<&str>,
    ) -> PyResult<()> {
        let nodes = self.nodes_arg(nodes, "nodes")?;
        let c = self::component(component, "component")?;
        let value = finite(value, "value")?;
        let bcs = nodes.into_iter().map(|node| DirichletBc {
            node,
            component: c,
            value,
        });
        match step {
            Some(s) => self.step_mut(s).boundary.extend(bcs),
            None => self.model.boundary.extend(bcs),
        }
        Ok(())
    }

    /// Point forces (N) on `nodes` in step `step` (created on first use): `force` is one
    /// vector (3,) applied at every node, or one row per node (k, 3).
    #[pyo3(signature = (nodes, force, *, step="Step-1"))]
    fn add_nodal_load(
        &mut self,
        nodes: &Bound<'_, PyAny>,
        force: &Bound<'_, PyAny>,
        step: &str,
    ) -> PyResult<()> {
        let nodes = self.nodes_arg(nodes, "nodes")?;
        let (rows, f) = float_matrix(force, "force", 3)?;
        if rows != 1 && rows != nodes.len() {
            return Err(PyValueError::new_err(format!(
                "force: expected one vector (3,) or one row per node ({}, 3), got {rows} rows",
                nodes.len()
            )));
        }
        let case = self.step_mut(step);
        for (k, &node) in nodes.iter().enumerate() {
            let row = if rows == 1 { 0 } else { k };
            for c in 0..3 {
                let value = f[3 * row + c];
                if value != 0.0 {
                    case.nodal_loads.push(NodalLoad {
                        node,
                        component: c,
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Uniform pressure (MPa) on element faces ((k, 2) array or surface name) in step
    /// `step`; positive pushes into the face (against its outward normal).
    #[pyo3(signature = (faces, pressure, *, step="Step-1"))]
    fn add_pressure(
        &mut self,
        faces: &Bound<'_, PyAny>,
        pressure: f64,
        step: &str,
    ) -> PyResult<()> {
        let faces = self.faces_arg(faces, "faces")?;
        let pressure = finite(pressure, "pressure")?;
        let case = self.step_mut(step);
        case.pressures.extend(
            faces
                .into_iter()
                .map(|face| PressureLoad { face, pressure }),
        );
        Ok(())
    }

    /// Uniform traction (MPa = N/mm², a vector in global axes) on element faces in step
    /// `step`.
    #[pyo3(signature = (faces, traction, *, step="Step-1"))]
    fn add_traction(
        &mut self,
        faces: &Bound<'_, PyAny>,
        traction: &Bound<'_, PyAny>,
        step: &str,
    ) -> PyResult<()> {
        let faces = self.faces_arg(faces, "faces")?;
        let traction = vector3(traction, "traction")?;
        let case = self.step_mut(step);
        case.tractions.extend(
            faces
                .into_iter()
                .map(|face| TractionLoad { face, traction }),
        );
        Ok(())
    }

    /// Body load of an acceleration field (mm/s²; gravity along −z is (0, 0, −9810)) on
    /// `elements` (default all) in step `step`; the materials need a density.
    #[pyo3(signature = (acceleration, elements=None, *, step="Step-1"))]
    fn add_gravity(
        &mut self,
        acceleration: &Bound<'_, PyAny>,
        elements: Option<&Bound<'_, PyAny>>,
        step: &str,
    ) -> PyResult<()> {
        let acceleration = vector3(acceleration, "acceleration")?;
        let elements = match elements {
            Some(e) if !e.is_none() => Some(self.elements_arg(Some(e), "elements")?),
            _ => None,
        };
        self.step_mut(step).gravity.push(Gravity {
            elements,
            acceleration,
        });
        Ok(())
    }

    /// The unit-system checks of `osteon solve` (a modulus in Pa, a model in metres, ...),
    /// one line each; empty when the model looks like mm, N, MPa.
    fn check_units(&self) -> Vec<String> {
        osteon::io::units::check_units(&self.model)
            .into_iter()
            .map(|w| w.message)
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<osteon.Model: {} nodes, {} elements, {} materials, {} steps>",
            self.model.mesh.n_nodes(),
            self.model.mesh.n_elements(),
            self.model.materials.len(),
            self.model.load_cases.len()
        )
    }
}
