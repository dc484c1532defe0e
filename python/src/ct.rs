//! `osteon.ct`: the CT pipeline of `osteon ct` from Python ([`osteon::ct`]): read a volume,
//! and build the voxel model (segmentation, surface, C3D8 mesh, modulus per element), as
//! numpy arrays, optionally writing the command line's `bone.inp`, `bone.vtu`, `bone.stl`.
//!
//! The Python wrappers (`python/osteon/ct.py`) turn these dicts into dataclasses and
//! document the arguments; this module only translates.

use std::path::PathBuf;

use numpy::ndarray::{Array2, Array3};
use numpy::{IntoPyArray, PyArrayMethods};
use osteon::ct::{CtOptions, Segmenting, build, read_volume_selecting};
use osteon::imaging::{
    DensityCalibration, LabelMapping, MappingOptions, ModulusLaw, ThresholdOptions, Volume,
    VoxelBox, Voxels, read_nifti,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::Error;
use crate::model::PyModel;
use crate::result::{rows_to_array, vec_to_array};

/// The voxels as a read-only (nz, ny, nx) array (`i` fastest in the volume, so the last
/// numpy axis is `i`): int16 or float32 as stored.
fn voxels_array<'py>(py: Python<'py>, v: &Volume) -> PyResult<Bound<'py, PyAny>> {
    let shape = (v.dims[2], v.dims[1], v.dims[0]);
    let bad = |e: numpy::ndarray::ShapeError| PyRuntimeError::new_err(e.to_string());
    let array = match &v.voxels {
        Voxels::I16(x) => Array3::from_shape_vec(shape, x.clone())
            .map_err(bad)?
            .into_pyarray(py)
            .into_any(),
        Voxels::F32(x) => Array3::from_shape_vec(shape, x.clone())
            .map_err(bad)?
            .into_pyarray(py)
            .into_any(),
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("write", false)?;
    array.call_method("setflags", (), Some(&kwargs))?;
    Ok(array)
}

/// The grid of `v`: dims (nx, ny, nz), spacing (mm), origin (mm, LPS), direction rows.
fn grid<'py>(py: Python<'py>, v: &Volume, d: &Bound<'py, PyDict>) -> PyResult<()> {
    d.set_item("dims", v.dims.to_vec())?;
    d.set_item("spacing", vec_to_array(py, v.spacing.to_vec())?)?;
    d.set_item("origin", vec_to_array(py, v.origin.to_vec())?)?;
    d.set_item("direction", rows_to_array(py, &v.direction)?)?;
    Ok(())
}

/// Read a CT volume (DICOM folder, DICOMDIR or file, NIfTI; `series` names one series of a
/// folder or DICOMDIR holding several): a dict with `hu` (nz, ny, nx), `dims`,
/// `spacing`, `origin`, `direction`.
#[pyfunction]
#[pyo3(signature = (path, *, series=None))]
pub fn ct_read<'py>(
    py: Python<'py>,
    path: PathBuf,
    series: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let v = py
        .detach(|| read_volume_selecting(&path, series.as_deref()))
        .map_err(|e| Error::from(e).into_py(None))?;
    let d = PyDict::new(py);
    d.set_item("hu", voxels_array(py, &v)?)?;
    grid(py, &v, &d)?;
    Ok(d)
}

/// A region of interest given as three (start, stop) pairs, `None` for an open end.
type Roi = [(Option<usize>, Option<usize>); 3];

fn voxel_box(roi: &Roi, dims: [usize; 3]) -> VoxelBox {
    let mut b = VoxelBox {
        lo: [0; 3],
        hi: dims,
    };
    for (c, (lo, hi)) in roi.iter().enumerate() {
        if let Some(lo) = lo {
            b.lo[c] = *lo;
        }
        if let Some(hi) = hi {
            b.hi[c] = *hi;
        }
    }
    b
}

/// Run the CT → model pipeline of `osteon ct` on the volume at `path`; a dict of arrays
/// (see `osteon/ct.py`), and the files written into `output` when given.
#[pyfunction]
#[pyo3(signature = (path, output=None, *, threshold=700.0, cortical=None, cancellous=150.0,
    labels=None, label_map="1=cortical,2=cancellous,3=marrow", roi=None, element_size=None,
    calibration=None, law="morgan-femoral-neck", floor=1.0, marrow_modulus=None, materials=20,
    series=None))]
#[allow(clippy::too_many_arguments)]
pub fn ct_build<'py>(
    py: Python<'py>,
    path: PathBuf,
    output: Option<PathBuf>,
    threshold: f64,
    cortical: Option<f64>,
    cancellous: f64,
    labels: Option<PathBuf>,
    label_map: &str,
    roi: Option<Roi>,
    element_size: Option<f64>,
    calibration: Option<(f64, f64)>,
    law: &str,
    floor: f64,
    marrow_modulus: Option<f64>,
    materials: usize,
    series: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let err = |e: Error| e.into_py(None);
    let law = ModulusLaw::from_name(law).map_err(|e| err(e.into()))?;
    let calibration = match calibration {
        None => DensityCalibration::default(),
        Some((slope, intercept)) => {
            DensityCalibration::with_line(slope, intercept).map_err(|e| err(e.into()))?
        }
    };
    if materials == 0 {
        return Err(PyValueError::new_err(
            "materials: at least one material (got 0)",
        ));
    }
    let mapping = match &labels {
        Some(_) => Some(LabelMapping::parse(label_map).map_err(|e| err(e.into()))?),
        None => None,
    };
    let label_map_path = labels.clone();
    let work = move || -> Result<_, Error> {
        let mut ct = read_volume_selecting(&path, series.as_deref())?;
        let mut labels = match &labels {
            Some(p) => Some(read_nifti(p)?),
            None => None,
        };
        if let Some(roi) = &roi {
            let b = voxel_box(roi, ct.dims);
            ct = ct.crop(b)?;
            labels = labels.map(|l| l.crop(b)).transpose()?;
        }
        let segmenting = match (labels, label_map_path, mapping) {
            (Some(labels), Some(source), Some(mapping)) => Segmenting::Labels {
                labels: Box::new(labels),
                source,
                mapping,
            },
            _ => Segmenting::Threshold(ThresholdOptions {
                bone_hu: threshold,
                cortical_hu: cortical.unwrap_or(threshold),
                cancellous_hu: cancellous,
                fill_holes: true,
            }),
        };
        let options = CtOptions {
            segmenting,
            element_size_mm: element_size,
            mapping: MappingOptions {
                calibration,
                law,
                modulus_floor_mpa: floor,
                marrow_modulus_mpa: marrow_modulus,
            },
            materials,
        };
        let built = build(&ct, &options)?;
        let files = match &output {
            Some(dir) => Some(built.write(dir, &built.heading(&path))?),
            None => None,
        };
        Ok((ct, built, files))
    };
    let (ct, built, files) = py.detach(work).map_err(err)?;

    let d = PyDict::new(py);
    let mesh = &built.voxel_mesh.mesh;
    d.set_item("nodes", rows_to_array(py, &mesh.coords)?)?;
    d.set_item("node_ids", vec_to_array(py, mesh.node_ids.clone())?)?;
    let mut connectivity: Vec<i64> = Vec::with_capacity(8 * mesh.n_elements());
    let mut element_ids: Vec<i64> = Vec::with_capacity(mesh.n_elements());
    for block in &mesh.blocks {
        connectivity.extend(block.connectivity.iter().map(|&n| n as i64));
        element_ids.extend_from_slice(&block.ids);
    }
    let n_el = element_ids.len();
    let per = connectivity.len().checked_div(n_el).unwrap_or(8);
    let elements = Array2::from_shape_vec((n_el, per), connectivity)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?
        .into_pyarray(py);
    elements.readwrite().make_nonwriteable();
    d.set_item("elements", elements)?;
    d.set_item("element_ids", vec_to_array(py, element_ids)?)?;
    let regions: Vec<u8> = built.voxel_mesh.regions.iter().map(|r| r.code()).collect();
    d.set_item("region", vec_to_array(py, regions)?)?;
    let p = &built.properties;
    d.set_item("hu", vec_to_array(py, p.hu.clone())?)?;
    d.set_item("density", vec_to_array(py, p.density_g_cm3.clone())?)?;
    d.set_item("modulus", vec_to_array(py, p.modulus_mpa.clone())?)?;
    let bins: Vec<i64> = built.bins.element_bin.iter().map(|&b| b as i64).collect();
    d.set_item("material", vec_to_array(py, bins)?)?;
    d.set_item(
        "material_moduli",
        vec_to_array(py, built.bins.modulus_mpa.clone())?,
    )?;
    d.set_item("max_binning_error", built.bins.max_relative_error)?;
    let sets = PyDict::new(py);
    for name in ["DISTAL", "PROXIMAL"] {
        if let Some(nodes) = mesh.node_sets.get(name) {
            let nodes: Vec<i64> = nodes.iter().map(|&n| n as i64).collect();
            sets.set_item(name, vec_to_array(py, nodes)?)?;
        }
    }
    d.set_item("node_sets", sets)?;
    d.set_item("voxels_per_element", built.voxel_mesh.factor)?;
    d.set_item("long_axis", built.voxel_mesh.long_axis)?;
    d.set_item("dropped_bone_voxels", built.voxel_mesh.dropped_bone_voxels)?;
    d.set_item(
        "surface_vertices",
        rows_to_array(py, &built.surface.vertices)?,
    )?;
    let flat: Vec<i64> = built
        .surface
        .triangles
        .iter()
        .flatten()
        .map(|&i| i64::from(i))
        .collect();
    let triangles = Array2::from_shape_vec((built.surface.triangles.len(), 3), flat)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?
        .into_pyarray(py);
    triangles.readwrite().make_nonwriteable();
    d.set_item("surface_triangles", triangles)?;
    let seg_labels = Array3::from_shape_vec(
        (ct.dims[2], ct.dims[1], ct.dims[0]),
        built.segmentation.labels.clone(),
    )
    .map_err(|e| PyRuntimeError::new_err(e.to_string()))?
    .into_pyarray(py);
    seg_labels.readwrite().make_nonwriteable();
    d.set_item("segmentation", seg_labels)?;
    d.set_item("law", built.law.clone())?;
    let timings = PyDict::new(py);
    for (name, t) in &built.timings {
        timings.set_item(*name, *t)?;
    }
    d.set_item("timings", timings)?;
    let volume = PyDict::new(py);
    volume.set_item("hu", voxels_array(py, &ct)?)?;
    grid(py, &ct, &volume)?;
    d.set_item("volume", volume)?;
    if let Some(files) = files {
        let f = PyDict::new(py);
        f.set_item("inp", files.inp)?;
        f.set_item("vtu", files.vtu)?;
        f.set_item("stl", files.stl)?;
        d.set_item("files", f)?;
    }
    d.set_item("model", Py::new(py, PyModel { model: built.model })?)?;
    Ok(d)
}
