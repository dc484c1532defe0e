//! Errors of the biomech crate.

use osteon_assembly::AssemblyError;
use osteon_io::IoError;
use osteon_material::MaterialError;
use osteon_mesh::MeshError;

/// Everything that can go wrong building, solving or reporting a study.
#[derive(Debug, thiserror::Error)]
pub enum BiomechError {
    /// A study parameter is out of range.
    #[error("invalid study parameter {name} = {value}: {expected}")]
    InvalidParameter {
        /// Parameter path as in the study file (e.g. `defect.length_mm`).
        name: String,
        /// The value given.
        value: f64,
        /// What was expected.
        expected: String,
    },
    /// A requested feature exists in the study format but not yet in the code.
    #[error("{feature} is not yet available: {detail}")]
    NotYetAvailable {
        /// The feature.
        feature: String,
        /// Why, and what to use meanwhile.
        detail: String,
    },
    /// The generated model is inconsistent (a bug or an extreme parameter combination).
    #[error("model construction failed: {detail}")]
    Construction {
        /// What went wrong.
        detail: String,
    },
    /// The study file could not be parsed.
    #[error("{file}:{line}: {message}")]
    StudyFile {
        /// The file.
        file: String,
        /// 1-based line of the error (0 when unknown).
        line: usize,
        /// The parser's message (what was found, what was expected).
        message: String,
    },
    /// A set that the study needs is missing from an imported patient mesh.
    #[error("patient mesh {file}: {kind} '{name}' not found: {detail}")]
    MissingSet {
        /// The mesh file.
        file: String,
        /// "element set", "node set" or "surface".
        kind: &'static str,
        /// The name looked for.
        name: String,
        /// What it is for, what the mesh has instead, and the study-file key that names it.
        detail: String,
    },
    /// An imported patient mesh cannot be used as it is.
    #[error("patient mesh {file}: {detail}")]
    PatientMesh {
        /// The mesh file.
        file: String,
        /// What is wrong and what to do.
        detail: String,
    },
    /// The CT of a `[patient_ct]` study could not be read, segmented, meshed or mapped
    /// (`osteon-imaging`; the message names the file or the parameter).
    #[error("patient CT: {0}")]
    Imaging(#[from] osteon_imaging::ImagingError),
    /// A plot could not be drawn.
    #[error("plot {plot}: {detail}")]
    Plot {
        /// The plot file.
        plot: String,
        /// The plotting library's message.
        detail: String,
    },
    /// Mesh error.
    #[error(transparent)]
    Mesh(#[from] MeshError),
    /// Material error.
    #[error(transparent)]
    Material(#[from] MaterialError),
    /// Assembly or solver error.
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// The lattice micro-FE of `implant.lattice` failed.
    #[error("implant.lattice: {0}")]
    Lattice(#[from] osteon_lattice::LatticeError),
    /// File output error.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The frictional contact analysis failed (no convergence, singular contact system, an
    /// ill-defined pair).
    #[error("frictional contact analysis failed: {0}")]
    Contact(#[from] osteon_contact::ContactError),
}

impl BiomechError {
    /// An [`BiomechError::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, value: f64, expected: impl Into<String>) -> Self {
        BiomechError::InvalidParameter {
            name: name.into(),
            value,
            expected: expected.into(),
        }
    }

    /// A [`BiomechError::Construction`].
    pub fn construction(detail: impl Into<String>) -> Self {
        BiomechError::Construction {
            detail: detail.into(),
        }
    }
}
