//! The Abaqus/CalculiX `.inp` deck reader.
//!
//! [`read_inp`] turns a deck (and everything it `*INCLUDE`s) into an
//! [`osteon_assembly::Model`] — mesh with named sets and surfaces, materials, sections,
//! boundary conditions, equations (including those of `*TIE`s), one load case per `*STEP` —
//! plus the [`Warning`]s about what was skipped, the [`StepInfo`] of every step, the
//! [`TieReport`] of every tie; contact pairs are in the model ([`Model::contact_pairs`]). Errors are [`IoError::Parse`] with the file (the included
//! file when the problem is there), the 1-based line, the offending text and what was
//! expected. No input makes the reader panic.
//!
//! ```
//! use osteon_io::inp::read_inp_str;
//! let deck = read_inp_str(
//!     "*NODE, NSET=ALL\n1,0,0,0\n2,1,0,0\n3,0,1,0\n4,0,0,1\n\
//!      *ELEMENT, TYPE=C3D4, ELSET=E\n1, 1,2,3,4\n\
//!      *MATERIAL, NAME=STEEL\n*ELASTIC\n210000, 0.3\n\
//!      *SOLID SECTION, ELSET=E, MATERIAL=STEEL\n\
//!      *BOUNDARY\n1, 1, 3\n*STEP\n*STATIC\n*CLOAD\n4, 3, -10.0\n*END STEP\n",
//!     std::path::Path::new("tet.inp"),
//! )?;
//! assert_eq!(deck.model.mesh.n_elements(), 1);
//! assert_eq!(deck.model.load_cases[0].nodal_loads[0].value, -10.0);
//! # Ok::<(), osteon_io::IoError>(())
//! ```
//!
//! ## Syntax
//!
//! `**` comments and blank lines are ignored; keywords and parameters are case-insensitive
//! and may contain spaces (`TYPE=ENGINEERING CONSTANTS`); a keyword line ending with a comma
//! continues on the next line when that line holds `PARAM=value`s; trailing commas on data
//! lines are ignored; numbers accept Fortran forms (`1.`, `.5`, `1.5D3`), NaN and infinities
//! are refused. Set, surface and material names are case-insensitive; set and surface
//! names are stored UPPER CASE in the mesh. Ids need not be contiguous. `*INCLUDE,
//! INPUT=file` is resolved relative to the including file and may stand anywhere, also
//! inside a keyword's data lines. Lines that are not UTF-8 are an error only where a
//! keyword reads them (a Latin-1 character in a comment or heading is harmless); a file
//! with NUL bytes is refused as binary.
//!
//! ## Keywords
//!
//! Model data (before the first `*STEP`):
//!
//! - `*NODE [, NSET=]`: `id, x, y, z` (missing coordinates are 0; `SYSTEM=C` cylindrical
//!   r, θ°, z and `SYSTEM=S` spherical r, θ°, φ° are converted).
//! - `*ELEMENT, TYPE= [, ELSET=]`: C3D4, C3D10, C3D8, C3D20, C3D20R. A record has
//!   1 + n_nodes values and may span lines: it continues on the next line when a line ends
//!   with a comma or holds 16 values (the Abaqus maximum per line).
//! - `*NSET, NSET=` / `*ELSET, ELSET=`: ids and names of sets of the same kind, or
//!   `GENERATE` lines `first, last [, step]` (ids in the range that do not exist are skipped
//!   with a warning); `*NSET, ELSET=` takes the nodes of the elements of an element set.
//!   A set named again is extended.
//! - `*SURFACE, NAME= [, TYPE=ELEMENT]`: `element id or element set, Sn`; `TYPE=NODE`:
//!   `node id or node set [, weight]` (the weight is ignored).
//! - `*MATERIAL, NAME=`, `*ELASTIC` (`TYPE=ISOTROPIC`: E, ν; `ENGINEERING CONSTANTS`:
//!   E1, E2, E3, ν12, ν13, ν23, G12, G13, G23; `ORTHOTROPIC`: D1111, D1122, D2222, D1133,
//!   D2233, D3333, D1212, D1313, D2323; `ANISOTROPIC`: the 21 Abaqus values), `*DENSITY`
//!   (t/mm³). Values may span lines in any split; values after the last constant of the
//!   record are temperatures and are ignored with a warning.
//! - `*SOLID SECTION, ELSET=, MATERIAL=`: resolved when the deck is complete, so the
//!   material may be defined later. Every element needs exactly one section.
//! - `*EQUATION`: number of terms, then `node, dof, coefficient` terms, up to four per
//!   line, over as many lines as needed. A node set in a term stands for its nodes, paired
//!   in ascending id order with the other terms' sets.
//! - `*TIE, NAME= [, POSITION TOLERANCE=] [, ADJUST=YES|NO]`: `slave surface, master
//!   surface`; the slave may be a node or element surface (its nodes), the master an element
//!   surface. With `ADJUST=YES` (the default, as in CalculiX) the slave nodes within the
//!   tolerance are first moved onto the master surface ([`osteon_assembly::adjust_tied_nodes`],
//!   so that the tie transmits moments exactly); then the tie becomes equations
//!   ([`osteon_assembly::tie_equations`]); slave nodes left untied are warned about.
//! - `*BOUNDARY` outside a step: model-level prescribed displacements.
//! - Contact ([`Model::contact_pairs`], the model data types of [`osteon_assembly::contact`];
//!   the contact solver, osteon-contact, is not a dependency of the reader):
//!   `*SURFACE INTERACTION, NAME=` followed by its options `*SURFACE BEHAVIOR,
//!   PRESSURE-OVERCLOSURE=HARD` (penalty from the element stiffness with augmented-Lagrangian
//!   updates; a data line is ignored with a warning) or `=LINEAR` (data: slope K in MPa/mm,
//!   p = K × overclosure; CalculiX's second value σ∞ is accepted and not used) and
//!   `*FRICTION` (data: μ ≥ 0 [, stick slope λ > 0 MPa/mm; default: the normal penalty]);
//!   without `*FRICTION` the interaction is frictionless, without `*SURFACE BEHAVIOR` hard.
//!   `*CONTACT PAIR, INTERACTION=name [, TYPE=NODE TO SURFACE] [, ADJUST=distance]`: one
//!   pair per data line `slave surface, master surface`; the master must be an element
//!   surface; a node slave surface keeps its nodes as the slave nodes, each with its share of
//!   every exterior element face that contains it (CalculiX's rule; edge nodes also collect
//!   area from the side faces). Interactions and surfaces may be
//!   defined before or after the pair. `TYPE=SURFACE TO SURFACE` is refused (use NODE TO
//!   SURFACE); `ADJUST=` a node set is refused.
//!
//! History data (between `*STEP` and `*END STEP`; each step is one [`osteon_assembly::LoadCase`]):
//!
//! - `*STATIC [, DIRECT]`: data line `Δt₀, T, Δt_min, Δt_max` → [`StepInfo::increments`]
//!   (fractions of the step, [`IncrementControl::from_static`]; `DIRECT` fixes the increment
//!   at Δt₀). Used when the deck has contact; ignored (as the linear analysis needs no
//!   increments) and not checked otherwise.
//! - `*BOUNDARY`: `node or node set, first dof [, last dof [, value]]`, or the named types
//!   `ENCASTRE`, `PINNED`, `XSYMM`, `YSYMM`, `ZSYMM`, `XASYMM`, `YASYMM`, `ZASYMM`.
//!   DOFs 1–3 are the displacements; DOFs 4–6 (rotations) do not exist on solid nodes and
//!   are ignored with a warning.
//! - `*CLOAD`: `node or node set, dof, force (N)` (each node of a set gets the full force).
//! - `*DLOAD`: `element or element set, Pn, pressure (MPa)` on face Sn (positive pushes into
//!   the face); `[element set], GRAV, g, nx, ny, nz`: acceleration g·n/|n| (mm/s²), an empty
//!   set or one covering every element meaning the whole model. `P` without a face number is
//!   refused (it is the shell/beam form).
//! - `*DSLOAD`: `surface, P, pressure (MPa)` on the faces of an element surface.
//!
//! Skipped silently, with their data lines: the output requests and cosmetic keywords
//! that CalculiX and Abaqus decks carry ([`OUTPUT_AND_COSMETIC`]: `*HEADING`, `*NODE PRINT`,
//! `*EL PRINT`, `*NODE FILE`, `*EL FILE`, `*OUTPUT`, `*NODE OUTPUT`, `*ELEMENT OUTPUT`,
//! `*PREPRINT`, …) — osteon always writes displacements, stresses and reactions. Refused
//! with "did you mean": an unknown keyword within one or two edits of a known one
//! (`*DLAOD`, `*BOUNDRY`), since skipping it would solve another model. Skipped with one
//! warning each: the other real Abaqus/CalculiX keywords osteon does not model (`*PLASTIC`,
//! `*AMPLITUDE`, …), any other unknown keyword, and the contact keywords osteon does not
//! model (`*CONTACT` general contact, `*CONTACT INCLUSIONS`, `*GAP`, …). Refused with an
//! error because skipping them would change the answer silently: other procedures in a
//! step (`*FREQUENCY`, `*DYNAMIC`, …), `*SYSTEM`, `*TRANSFORM`, an `ORIENTATION=` of a
//! section whose material is not isotropic, and a step that applies no load and no
//! non-zero prescribed displacement (it would solve to zero).
//! Parameters that are not understood are ignored with a warning.
//!
//! ## Loads and boundary conditions across steps
//!
//! As in Abaqus and CalculiX, loads and boundary conditions persist from one step to the
//! next. With `OP=MOD` (the default) a card adds to what is in effect, and a value given
//! again for the same node and DOF (`*CLOAD`, `*BOUNDARY`), the same face (`*DLOAD Pn`,
//! `*DSLOAD`) or the same element set (`*DLOAD GRAV`) replaces the previous value — within
//! a step and across steps. `OP=NEW` first removes everything of that load type in effect at
//! the start of the step (`*DLOAD` pressures and gravity together, since both are `*DLOAD`s);
//! cards of the same type earlier in the same step are kept. For `*BOUNDARY`, `OP=NEW` in a
//! step also removes the model-level boundary conditions from that step on (Abaqus
//! semantics); removed conditions simply disappear (the analysis is linear, there is no
//! ramp-down of reactions).
//!
//! In the [`Model`], model-level conditions go to [`Model::boundary`] and each case's
//! [`osteon_assembly::LoadCase::boundary`] holds the step's conditions in effect; if some step removed the
//! model-level conditions with `OP=NEW`, [`Model::boundary`] is empty and each case carries
//! the full list that holds in it.

mod constraints;
mod contact;
mod elements;
mod fields;
mod finish;
mod keyword;
mod materials;
mod reader;
mod sets;
mod source;
mod steps;
mod vocabulary;

pub use vocabulary::OUTPUT_AND_COSMETIC;

use std::fmt;
use std::path::{Path, PathBuf};

use osteon_assembly::IncrementControl;
use osteon_assembly::{Model, TieReport};

use crate::error::IoError;

/// A deck read into a model.
#[derive(Clone, Debug)]
pub struct Deck {
    /// The model: mesh (ids, sets, surfaces), materials, sections, boundary conditions,
    /// equations (ties included) and one load case per step, in step order.
    pub model: Model,
    /// What was skipped or ignored, in reading order. Show them to the user.
    pub warnings: Vec<Warning>,
    /// One per `*STEP`, in order; `steps[i]` is `model.load_cases[steps[i].load_case]`.
    pub steps: Vec<StepInfo>,
    /// The report of each `*TIE` (name, as in the deck), in order.
    pub tie_reports: Vec<(String, TieReport)>,
    /// The deck and the files it included, in order of first reading.
    pub files: Vec<PathBuf>,
    /// Names of the node sets used in `*BOUNDARY` cards (upper case, first use first): the
    /// sets whose reaction forces a report should sum.
    pub constrained_sets: Vec<String>,
}

/// Something in the deck that was skipped or ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file (the included file when it is there).
    pub file: PathBuf,
    /// 1-based line; 0 for a warning about the deck as a whole.
    pub line: usize,
    /// What was skipped or ignored, and why.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // about the deck as a whole (e.g. its size), not one line of it
            write!(f, "{}: warning: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}: warning: {}",
                self.file.display(),
                self.line,
                self.message
            )
        }
    }
}

/// A `*STEP` of the deck.
#[derive(Clone, Debug, PartialEq)]
pub struct StepInfo {
    /// `NAME=` of the step, or `Step-<n>` (1-based), as Abaqus names them.
    pub name: String,
    /// The file of the `*STEP` line.
    pub file: PathBuf,
    /// The line of the `*STEP` keyword.
    pub line: usize,
    /// Index of its load case in [`Model::load_cases`].
    pub load_case: usize,
    /// The procedure keyword (`STATIC`), or `None` when the step had none (then it is
    /// solved as a linear static step, with a warning).
    pub procedure: Option<String>,
    /// The `*STATIC` data line `Δt₀, T, Δt_min, Δt_max` as fractions of the step
    /// ([`IncrementControl::from_static`]; `*STATIC, DIRECT`: fixed increments), when given.
    /// Used by contact steps; a linear step is solved in one go.
    pub increments: Option<IncrementControl>,
}

impl Deck {
    /// True when the deck has `*CONTACT PAIR`s ([`Model::contact_pairs`]): solve it with the
    /// contact solver (osteon-contact), each step with its
    /// [`LoadCase::increments`](osteon_assembly::LoadCase::increments).
    pub fn has_contact(&self) -> bool {
        !self.model.contact_pairs.is_empty()
    }
}

/// Read the deck at `path` and everything it includes.
///
/// # Errors
/// [`IoError::Os`] when `path` cannot be read; [`IoError::Parse`] (file, line, message)
/// for anything wrong in the deck or an included file.
pub fn read_inp(path: &Path) -> Result<Deck, IoError> {
    let sources = source::Sources::read(path)?;
    reader::read(&sources)
}

/// Read a deck from text; `virtual_path` names it in messages, and `*INCLUDE`s resolve
/// relative to its folder.
///
/// # Errors
/// As [`read_inp`].
pub fn read_inp_str(text: &str, virtual_path: &Path) -> Result<Deck, IoError> {
    read_inp_bytes(text.as_bytes(), virtual_path)
}

/// Read a deck from raw bytes (they need not be UTF-8: see the module documentation).
///
/// # Errors
/// As [`read_inp`].
pub fn read_inp_bytes(bytes: &[u8], virtual_path: &Path) -> Result<Deck, IoError> {
    let sources = source::Sources::from_bytes(bytes, virtual_path)?;
    reader::read(&sources)
}

/// Read only the mesh of the deck at `path` (nodes, elements, node and element sets,
/// surfaces), e.g. a patient mesh exported without materials: sections, materials, loads and
/// steps need not be complete. Syntax errors are reported as by [`read_inp`].
///
/// # Errors
/// As [`read_inp`], less the model-level checks (sections, materials, loads).
pub fn read_inp_mesh(path: &Path) -> Result<osteon_mesh::Mesh, IoError> {
    let sources = source::Sources::read(path)?;
    reader::read_mesh(&sources)
}

/// Convenience for callers that only need the model.
impl From<Deck> for Model {
    fn from(deck: Deck) -> Model {
        deck.model
    }
}
