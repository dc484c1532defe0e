//! Errors of the io crate.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing files.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// A syntax or content error in an input file, with its location.
    #[error("{}:{line}: {message}", file.display())]
    Parse {
        /// The file (as given, or resolved for `*INCLUDE`).
        file: PathBuf,
        /// 1-based line number (0 when the whole file is at fault, e.g. empty).
        line: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// An operating-system error on a path.
    #[error("{}: {source}", path.display())]
    Os {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file whose extension names no format osteon reads ([`crate::InputFormat`]).
    #[error(
        "{}: unknown input format ({}); expected {}",
        file.display(),
        extension.as_ref().map_or("no extension".to_string(), |e| format!("extension '.{e}'")),
        crate::InputFormat::ACCEPTED
    )]
    UnknownFormat {
        /// The file.
        file: PathBuf,
        /// Its extension, if it has one.
        extension: Option<String>,
    },
    /// The file cannot hold part of the model (e.g. the deck writer and contact pairs).
    #[error("{}: {what} cannot be written to this file yet", file.display())]
    Unsupported {
        /// The file.
        file: PathBuf,
        /// What cannot be written.
        what: String,
    },
    /// The model read from a file is inconsistent.
    #[error("{}: {source}", file.display())]
    Model {
        /// The file.
        file: PathBuf,
        /// The model error.
        #[source]
        source: osteon_assembly::AssemblyError,
    },
}

impl IoError {
    /// A parse error at `file:line`.
    pub fn parse(file: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        IoError::Parse {
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// An OS error on `path`.
    pub fn os(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Os {
            path: path.into(),
            source,
        }
    }
}
