//! The two Python exceptions of osteon and the mapping of the crates' error types onto them.
//!
//! The split is the library's ([`osteon::is_numerical_failure`]), the one the command line's
//! exit status follows too: input errors (files, model, parameters: exit 2) become
//! [`InputError`], numerical failures (singular or indefinite systems, inverted elements,
//! contact that does not converge, a factorisation that does not fit in memory: exit 3)
//! become [`NumericalError`].

use osteon::biomech::BiomechError;
use osteon::ct::CtError;
use osteon::imaging::ImagingError;
use osteon::mesh::MeshError;
use osteon::run::RunError;
use pyo3::PyErr;
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};

create_exception!(
    osteon,
    InputError,
    PyValueError,
    "The input is wrong: a file that does not parse, a model that is inconsistent (a node \
     set that does not exist, an element without a material), a parameter out of range. \
     The message says what was found and what was expected, with file:line where there is \
     one (the command line's exit status 2)."
);

create_exception!(
    osteon,
    NumericalError,
    PyRuntimeError,
    "The analysis failed numerically: an unconstrained rigid-body mode, a floating part, an \
     inverted element, a contact analysis that does not converge, or a factorisation that \
     does not fit in memory (the command line's exit status 3)."
);

/// The error as one line, each cause said once (a cause whose text the line already holds
/// is not repeated), as the command line prints it.
fn message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(c) = cause {
        let text = c.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}

fn raise(err: &(dyn std::error::Error + 'static), context: Option<&str>) -> PyErr {
    let text = match context {
        Some(c) => format!("{c}: {}", message(err)),
        None => message(err),
    };
    if osteon::is_numerical_failure(err) {
        NumericalError::new_err(text)
    } else {
        InputError::new_err(text)
    }
}

/// Every error the bindings get from the crates, kept typed until it becomes a Python
/// exception.
#[derive(Debug)]
pub enum Error {
    /// Reading and solving a model file or a model built in Python.
    Run(RunError),
    /// The CT pipeline.
    Ct(CtError),
    /// The study.
    Biomech(BiomechError),
    /// Mesh construction from Python arrays.
    Mesh(MeshError),
    /// A material law.
    Material(osteon::material::MaterialError),
    /// Anything else the input is at fault for.
    Input(String),
    /// The run was interrupted (Ctrl-C).
    Interrupted,
    /// A bug: the library panicked.
    Internal(String),
}

impl From<RunError> for Error {
    fn from(e: RunError) -> Self {
        Error::Run(e)
    }
}
impl From<CtError> for Error {
    fn from(e: CtError) -> Self {
        Error::Ct(e)
    }
}
impl From<ImagingError> for Error {
    fn from(e: ImagingError) -> Self {
        Error::Ct(CtError::Imaging(e))
    }
}
impl From<BiomechError> for Error {
    fn from(e: BiomechError) -> Self {
        Error::Biomech(e)
    }
}
impl From<MeshError> for Error {
    fn from(e: MeshError) -> Self {
        Error::Mesh(e)
    }
}
impl From<osteon::material::MaterialError> for Error {
    fn from(e: osteon::material::MaterialError) -> Self {
        Error::Material(e)
    }
}

impl Error {
    /// The Python exception, with `context` (e.g. the input file) in front of the message.
    pub fn into_py(self, context: Option<&str>) -> PyErr {
        match self {
            Error::Run(e) => raise(&e, context),
            Error::Ct(e) => raise(&e, context),
            Error::Biomech(e) => raise(&e, context),
            Error::Mesh(e) => raise(&e, context),
            Error::Material(e) => raise(&e, context),
            Error::Input(text) => InputError::new_err(text),
            Error::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err(
                "osteon: interrupted (the run stopped at the end of the phase that was running)",
            ),
            Error::Internal(text) => PyRuntimeError::new_err(format!(
                "osteon: internal error (please report it): {text}"
            )),
        }
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> Self {
        e.into_py(None)
    }
}
