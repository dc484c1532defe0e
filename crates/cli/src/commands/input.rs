//! Reading a model from the command line's input: an Abaqus/CalculiX deck (`.inp`), a Gmsh
//! mesh with its TOML model description (`.msh` + `--model`), or the TOML alone (`mesh = ...`).
//! The reading is the library's ([`osteon::run::read_input`]); this adds the command line's
//! words to its errors (the flag to pass, the command to run a study file with).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use osteon::run::{Input, RunError};

/// Read `path` (and `model_toml` for a `.msh`).
pub fn read(path: &Path, model_toml: Option<&PathBuf>) -> Result<Input> {
    match osteon::run::read_input(path, model_toml.map(PathBuf::as_path)) {
        Ok(input) => Ok(input),
        Err(RunError::MeshWithoutModel { mesh }) => bail!(
            "{}: a Gmsh mesh needs its model description: add --model MODEL.toml (materials, sections, boundary conditions, steps)",
            mesh.display()
        ),
        // a study file given to `osteon solve` or `osteon info`: say which command
        Err(RunError::StudyFile { path, source }) => bail!(
            "{}: this is a study file (tibial reconstruction study), not a model description; run it with: osteon study {}\n  (as a model description it fails with: {source})",
            path.display(),
            path.display()
        ),
        Err(err) => Err(err.into()),
    }
}

/// The file stem used to name outputs.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "result".into())
}
