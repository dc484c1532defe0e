//! Reading a model from the command line's input: an Abaqus/CalculiX deck (`.inp`), a Gmsh
//! mesh with its TOML model description (`.msh` + `--model`), or the TOML alone (`mesh = ...`).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use osteon_assembly::Model;
use osteon_io::InputFormat;

/// A model and what reading it produced.
pub struct Input {
    /// The model.
    pub model: Model,
    /// Warnings (skipped keywords, untied nodes), one line each with file:line.
    pub warnings: Vec<String>,
}

/// Read `path` (and `model_toml` for a `.msh`).
pub fn read(path: &Path, model_toml: Option<&PathBuf>) -> Result<Input> {
    match InputFormat::from_path(path)? {
        InputFormat::Inp => {
            let deck = osteon_io::inp::read_inp(path)?;
            let warnings = deck_warnings(&deck);
            Ok(Input {
                model: deck.model,
                warnings,
            })
        }
        InputFormat::Msh => {
            let Some(toml) = model_toml else {
                bail!(
                    "{}: a Gmsh mesh needs its model description: add --model MODEL.toml (materials, sections, boundary conditions, steps)",
                    path.display()
                );
            };
            let model = osteon_io::gmsh::read_msh_model(path, toml)?;
            let warnings = unit_warnings(toml, &model);
            Ok(Input { model, warnings })
        }
        InputFormat::Toml => {
            let model = match osteon_io::gmsh::read_toml_model(path) {
                Ok(model) => model,
                // a study file given to `osteon solve` or `osteon info`: say which command
                Err(err) if is_study_file(path) => {
                    bail!(
                        "{}: this is a study file (tibial reconstruction study), not a model description; run it with: osteon study {}\n  (as a model description it fails with: {err})",
                        path.display(),
                        path.display()
                    )
                }
                Err(err) => return Err(err.into()),
            };
            let warnings = unit_warnings(path, &model);
            Ok(Input { model, warnings })
        }
    }
}

/// The deck's warnings (skipped keywords, ignored parameters) and, per tie, the slave nodes
/// left untied, one line each with file:line where there is one.
pub fn deck_warnings(deck: &osteon_io::inp::Deck) -> Vec<String> {
    let mut warnings: Vec<String> = deck.warnings.iter().map(ToString::to_string).collect();
    for (name, report) in &deck.tie_reports {
        if !report.too_far.is_empty() {
            warnings.push(format!(
                "tie {name}: {} slave node(s) farther than the position tolerance {:.4} mm were not tied",
                report.too_far.len(),
                report.tolerance
            ));
        }
    }
    warnings
}

/// The unit-system warnings of a model read from a TOML description (a deck's come with
/// its other warnings, with the line of the card), prefixed with the file.
fn unit_warnings(toml: &Path, model: &Model) -> Vec<String> {
    osteon_io::units::check_units(model)
        .into_iter()
        .map(|w| format!("{}: warning: {}", toml.display(), w.message))
        .collect()
}

/// The file stem used to name outputs.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "result".into())
}

/// Whether `path` reads as a non-empty study file (every key a study key).
fn is_study_file(path: &Path) -> bool {
    osteon_biomech::Study::from_path(path)
        .is_ok_and(|study| study != osteon_biomech::Study::default())
}
