//! Solving a model file the way `osteon solve` does: read a deck (`.inp`), a Gmsh mesh
//! (`.msh`) with its TOML model description, or a TOML model; solve every step — the linear
//! static pipeline, or the frictional contact analysis when the model has contact pairs —
//! and summarise the results ([`RunSummary`], the JSON summary of the command line).
//!
//! The command line and the Python package both call these functions; they only add what
//! their users see (progress, printed tables, files written, exceptions).
//!
//! Units: mm, N, MPa; times in seconds.
//!
//! ```
//! use osteon::run::{SolvedFile, solve_path};
//! # let dir = tempfile::tempdir()?;
//! # let deck = dir.path().join("bar.inp");
//! # std::fs::write(&deck, "*NODE\n1,0,0,0\n2,10,0,0\n3,0,1,0\n4,10,1,0\n5,0,0,1\n6,10,0,1\n7,0,1,1\n8,10,1,1\n\
//! # *ELEMENT, TYPE=C3D8, ELSET=BAR\n1,1,2,4,3,5,6,8,7\n*NSET, NSET=X0\n1,3,5,7\n*MATERIAL, NAME=STEEL\n*ELASTIC\n200000, 0.3\n\
//! # *SOLID SECTION, ELSET=BAR, MATERIAL=STEEL\n*BOUNDARY\nX0, 1, 3\n*STEP\n*STATIC\n*CLOAD\n2, 1, 25.\n4, 1, 25.\n6, 1, 25.\n8, 1, 25.\n*END STEP\n")?;
//! let solved: SolvedFile = solve_path(&deck, None, &Default::default(), &mut osteon::assembly::Silent)?;
//! let case = &solved.solved.summary.cases[0];
//! assert!(case.equilibrium_error_n < 1e-8); // N
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use osteon_assembly::{
    AssemblyError, Model, Observer, SolveOptions, StepSolution, solve_linear_static_observed,
};
use osteon_contact::{ContactError, ContactProblem, solve_contact_observed};
use osteon_io::summary::{Counts, PhaseSeconds, RunSummary};
use osteon_io::{InputFormat, IoError};

/// What can go wrong while reading and solving a model file.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The file cannot be read or does not parse, or the model it describes is inconsistent.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A Gmsh mesh was given without its TOML model description (materials, sections,
    /// boundary conditions, steps). Front ends say how to pass it.
    #[error(
        "{}: a Gmsh mesh needs its model description (a TOML file: materials, sections, boundary conditions, steps)",
        mesh.display()
    )]
    MeshWithoutModel {
        /// The mesh.
        mesh: PathBuf,
    },
    /// A study file (tibial reconstruction study) was given as a model description.
    #[error(
        "{}: this is a study file (tibial reconstruction study), not a model description",
        path.display()
    )]
    StudyFile {
        /// The study file.
        path: PathBuf,
        /// Why it does not read as a model description.
        #[source]
        source: IoError,
    },
    /// The model has no step (load case): there is nothing to solve.
    #[error(
        "{}: the model has no step (*STEP ... *END STEP): nothing to solve",
        input.display()
    )]
    NoStep {
        /// The input file (or a name for a model built in memory).
        input: PathBuf,
    },
    /// The linear static solve failed: an inconsistent model, a singular system, an
    /// inverted element.
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// The frictional contact analysis failed.
    #[error("{}: frictional contact analysis failed", input.display())]
    Contact {
        /// The input file.
        input: PathBuf,
        /// What failed.
        #[source]
        source: ContactError,
    },
    /// The results could not be summarised (reactions, equilibrium, stresses).
    #[error("summarising the {what}results")]
    Summary {
        /// `""` for the linear solve, `"contact "` for the contact analysis.
        what: &'static str,
        /// What failed.
        #[source]
        source: AssemblyError,
    },
}

impl RunError {
    /// Whether the analysis failed numerically (a singular system, a rigid-body mode, an
    /// inverted element, a contact analysis that does not converge) rather than because of
    /// its input: the command line's exit status 3 rather than 2. See
    /// [`is_numerical_failure`](crate::is_numerical_failure).
    pub fn is_numerical(&self) -> bool {
        crate::is_numerical_failure(self)
    }
}

/// A model read from a file (or built in memory) and what reading it produced.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file it was read from (for a model built in memory: a name for it); summaries
    /// and messages name it.
    pub path: PathBuf,
    /// The model.
    pub model: Model,
    /// Warnings (skipped keywords, untied nodes, unit-system checks), one line each with
    /// file:line where there is one.
    pub warnings: Vec<String>,
    /// Time spent reading (s).
    pub read_seconds: f64,
}

impl Input {
    /// A model built in memory, named `name` in summaries and messages; its warnings are
    /// the unit-system checks ([`osteon_io::units::check_units`]).
    pub fn from_model(name: impl Into<PathBuf>, model: Model) -> Self {
        let path = name.into();
        let warnings = unit_warnings(&path, &model);
        Self {
            path,
            model,
            warnings,
            read_seconds: 0.0,
        }
    }
}

/// Read `path`: a deck (`.inp`), a Gmsh mesh (`.msh`, with `model_toml` its TOML model
/// description) or a TOML model (`mesh = ...`).
///
/// # Errors
/// [`RunError::Io`] when the file cannot be read, does not parse or describes an
/// inconsistent model; [`RunError::MeshWithoutModel`] for a `.msh` without `model_toml`;
/// [`RunError::StudyFile`] for a study file given as a model.
pub fn read_input(path: &Path, model_toml: Option<&Path>) -> Result<Input, RunError> {
    let t = Instant::now();
    let (model, warnings) = match InputFormat::from_path(path)? {
        InputFormat::Inp => {
            let deck = osteon_io::inp::read_inp(path)?;
            let warnings = deck_warnings(&deck);
            (deck.model, warnings)
        }
        InputFormat::Msh => {
            let Some(toml) = model_toml else {
                return Err(RunError::MeshWithoutModel {
                    mesh: path.to_path_buf(),
                });
            };
            let model = osteon_io::gmsh::read_msh_model(path, toml)?;
            let warnings = unit_warnings(toml, &model);
            (model, warnings)
        }
        InputFormat::Toml => {
            let model = match osteon_io::gmsh::read_toml_model(path) {
                Ok(model) => model,
                Err(source) if is_study_file(path) => {
                    return Err(RunError::StudyFile {
                        path: path.to_path_buf(),
                        source,
                    });
                }
                Err(err) => return Err(err.into()),
            };
            let warnings = unit_warnings(path, &model);
            (model, warnings)
        }
    };
    Ok(Input {
        path: path.to_path_buf(),
        model,
        warnings,
        read_seconds: t.elapsed().as_secs_f64(),
    })
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

/// The unit-system warnings of a model that does not come from a deck (a deck's come with
/// its other warnings, with the line of the card), prefixed with `origin`.
fn unit_warnings(origin: &Path, model: &Model) -> Vec<String> {
    osteon_io::units::check_units(model)
        .into_iter()
        .map(|w| format!("{}: warning: {}", origin.display(), w.message))
        .collect()
}

/// Whether `path` reads as a non-empty study file (every key a study key).
fn is_study_file(path: &Path) -> bool {
    osteon_biomech::Study::from_path(path)
        .is_ok_and(|study| study != osteon_biomech::Study::default())
}

/// Check that `model` has a step to solve.
///
/// # Errors
/// [`RunError::NoStep`] when `model` has no step (load case): nothing to solve.
pub fn require_steps(input: &Path, model: &Model) -> Result<(), RunError> {
    if model.load_cases.is_empty() {
        return Err(RunError::NoStep {
            input: input.to_path_buf(),
        });
    }
    Ok(())
}

/// What the contact analysis did, beyond the summary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContactRun {
    /// Converged increments over every step.
    pub increments: usize,
    /// Newton solves (factorisations with the symbolic analysis reused).
    pub newton_solves: usize,
    /// Wall time of the contact analysis (s).
    pub seconds: f64,
}

/// The solved steps of a model and their summary.
#[derive(Clone, Debug)]
pub struct Solved {
    /// One per step (load case), in order: displacements (mm), stresses (MPa), reactions
    /// (N); with the contact state for a contact analysis.
    pub steps: Vec<StepSolution>,
    /// The JSON summary of `osteon solve`: per step the largest displacement (mm), von Mises
    /// stress (MPa), reaction sums and equilibrium error (N); counts; phase times (s) with
    /// `read` set and `write` 0 (the caller writes).
    pub summary: RunSummary,
    /// For the contact analysis: increments, Newton solves and its time; `None` for the
    /// linear solve.
    pub contact: Option<ContactRun>,
}

/// Solve every step of `input.model` exactly as `osteon solve` does: the linear static
/// pipeline with `options` (one factorisation for every step, stresses recovered), or,
/// when the model has contact pairs, the frictional contact analysis on `options.threads`
/// (the solver choice does not apply: each Newton iteration factorises by Cholesky).
/// Progress goes to `observer`. The summary's warnings are `input.warnings`.
///
/// # Errors
/// [`RunError::NoStep`] for a model without steps; [`RunError::Assembly`] or
/// [`RunError::Contact`] when the solve fails; [`RunError::Summary`] when the results
/// cannot be summarised.
pub fn solve_input(
    input: &Input,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<Solved, RunError> {
    let model = &input.model;
    require_steps(&input.path, model)?;
    let mut solved = if model.contact_pairs.is_empty() {
        let options = SolveOptions {
            recover: true,
            ..options.clone()
        };
        let solution = solve_linear_static_observed(model, &options, observer)?;
        let summary = RunSummary::new(&input.path, model, &solution)
            .map_err(|source| RunError::Summary { what: "", source })?;
        Solved {
            steps: solution.cases,
            summary,
            contact: None,
        }
    } else {
        let mut problem = ContactProblem::from_model(model);
        problem.options.threads = options.threads;
        let t = Instant::now();
        let solution =
            solve_contact_observed(&problem, observer).map_err(|source| RunError::Contact {
                input: input.path.clone(),
                source,
            })?;
        let contact = ContactRun {
            increments: solution.increments().count(),
            newton_solves: solution.timings.solves,
            seconds: t.elapsed().as_secs_f64(),
        };
        let counts = Counts {
            dofs_free: solution.n_unknowns,
            ..Counts::of_model(model)
        };
        let phases = PhaseSeconds {
            solver: solution.timings.phases(),
            ..PhaseSeconds::default()
        };
        let summary = RunSummary::from_steps(&input.path, model, &solution.steps, counts, phases)
            .map_err(|source| RunError::Summary {
            what: "contact ",
            source,
        })?;
        Solved {
            steps: solution.steps,
            summary,
            contact: Some(contact),
        }
    };
    solved.summary.warnings = input.warnings.clone();
    solved.summary.set_io_seconds(input.read_seconds, 0.0);
    Ok(solved)
}

/// A model file read and solved.
#[derive(Clone, Debug)]
pub struct SolvedFile {
    /// The model and what reading it produced.
    pub input: Input,
    /// Its steps and summary.
    pub solved: Solved,
}

/// [`read_input`] then [`solve_input`]: read `path` (with `model_toml` for a `.msh`) and
/// solve every step.
///
/// # Errors
/// Those of [`read_input`] and [`solve_input`].
pub fn solve_path(
    path: &Path,
    model_toml: Option<&Path>,
    options: &SolveOptions,
    observer: &mut dyn Observer,
) -> Result<SolvedFile, RunError> {
    let input = read_input(path, model_toml)?;
    let solved = solve_input(&input, options, observer)?;
    Ok(SolvedFile { input, solved })
}
