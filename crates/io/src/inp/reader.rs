//! The reading loop: one keyword at a time, dispatched to its handler, which consumes the
//! keyword's data lines. The reader state is what the handlers build; [`super::finish`]
//! turns it into the [`super::Deck`] when the last line has been read.

use std::collections::HashMap;

use osteon_assembly::Equation;
use osteon_material::Elastic;
use osteon_mesh::Mesh;

use crate::error::IoError;

use super::Deck;
use super::Warning;
use super::contact::ContactState;
use super::fields::{self, clip};
use super::keyword::Keyword;
use super::source::{Cursor, LineKind, Loc, Sources};
use super::steps::LoadState;
use super::vocabulary::{self, CONTACT, HANDLED, MODEL_DATA, OTHER_PROCEDURES};

/// A `*MATERIAL` as read so far.
#[derive(Debug)]
pub(crate) struct MaterialDef {
    pub name: String,
    pub loc: Loc,
    pub elastic: Option<Elastic>,
    pub density: Option<f64>,
}

/// A `*SOLID SECTION`, resolved at the end.
#[derive(Debug)]
pub(crate) struct SectionDef {
    /// Element set name (upper case).
    pub elset: String,
    /// Material name as written.
    pub material: String,
    /// `ORIENTATION=` was given.
    pub orientation: Option<String>,
    pub loc: Loc,
}

/// A `*TIE`, resolved at the end.
#[derive(Debug)]
pub(crate) struct TieDef {
    pub name: String,
    /// Surface names (upper case).
    pub slave: String,
    pub master: String,
    pub tolerance: Option<f64>,
    /// `ADJUST=YES` (CalculiX's default): move the slave nodes onto the master surface.
    pub adjust: bool,
    pub loc: Loc,
}

/// The step being read.
#[derive(Debug)]
pub(crate) struct OpenStep {
    pub name: String,
    pub loc: Loc,
    pub procedure: Option<String>,
    /// Increment control of the `*STATIC` data line, when given.
    pub increments: Option<osteon_assembly::IncrementControl>,
}

/// Everything read so far.
pub(crate) struct Reader<'a> {
    pub src: &'a Sources,
    pub mesh: Mesh,
    /// Line of each node's definition, by node index.
    pub node_locs: Vec<Loc>,
    /// Line of each element's record, by global element index.
    pub element_locs: Vec<Loc>,
    pub materials: Vec<MaterialDef>,
    /// Upper-case material name → index.
    pub material_index: HashMap<String, usize>,
    /// The material that `*ELASTIC` and `*DENSITY` belong to.
    pub current_material: Option<usize>,
    pub sections: Vec<SectionDef>,
    pub equations: Vec<Equation>,
    pub ties: Vec<TieDef>,
    /// Where each surface was defined.
    pub surface_locs: HashMap<String, Loc>,
    pub warnings: Vec<Warning>,
    pub loads: LoadState,
    pub open_step: Option<OpenStep>,
    /// Surface interactions and contact pairs.
    pub contact: ContactState,
    pub constrained_sets: Vec<String>,
    /// Reused buffer for element records.
    pub record: Vec<i64>,
}

/// Read all keywords of `src` and build the deck.
pub(crate) fn read(src: &Sources) -> Result<Deck, IoError> {
    read_keywords(src)?.finish()
}

/// Read all keywords of `src` and keep only the mesh (nodes, elements, sets, surfaces):
/// materials, sections, loads and steps are parsed and checked line by line but not required
/// to form a complete model.
pub(crate) fn read_mesh(src: &Sources) -> Result<Mesh, IoError> {
    read_keywords(src)?.finish_mesh()
}

/// Run the keyword loop over `src`.
fn read_keywords(src: &Sources) -> Result<Reader<'_>, IoError> {
    let mut reader = Reader::new(src);
    let mut cursor = Cursor::new(src);
    if src.lines.is_empty() {
        return Err(src.error(
            Loc { file: 0, line: 0 },
            "the deck is empty: no keyword lines (a deck holds *NODE, *ELEMENT, *MATERIAL, ... lines)",
        ));
    }
    while let Some(line) = cursor.next_line() {
        let text = src.text(line);
        if line.not_text {
            return Err(src.error(line.loc, "this line is not valid UTF-8 text (binary data or a non-UTF-8 encoding); expected a keyword line"));
        }
        if line.kind == LineKind::Data {
            return Err(src.error(
                line.loc,
                format!(
                    "data line before any keyword: '{}' (expected a keyword line such as *NODE)",
                    clip(text)
                ),
            ));
        }
        let mut keyword = Keyword::parse(text, line.loc).map_err(|m| src.error(line.loc, m))?;
        if fields::ends_with_comma(text)
            && let Some(next) = cursor.peek()
            && next.kind == LineKind::Data
            && !next.not_text
            && fields::fields(src.text(next))
                .next()
                .is_some_and(|f| f.contains('='))
        {
            keyword
                .extend(src.text(next))
                .map_err(|m| src.error(next.loc, m))?;
            cursor.next_line();
        }
        reader.keyword(&keyword, &mut cursor)?;
        if let Some(extra) = cursor.data()? {
            return Err(src.error(
                extra.loc,
                format!("unexpected data line after *{}: '{}' (this keyword takes no more data lines here)", keyword.name, clip(extra.text)),
            ));
        }
        let unused: Vec<String> = keyword.unused().map(|p| p.key.clone()).collect();
        for key in unused {
            reader.warn(
                keyword.loc,
                format!(
                    "parameter {key} of *{} is not supported and was ignored",
                    keyword.name
                ),
            );
        }
    }
    Ok(reader)
}

impl<'a> Reader<'a> {
    fn new(src: &'a Sources) -> Self {
        Self {
            src,
            mesh: Mesh::new(),
            node_locs: Vec::new(),
            element_locs: Vec::new(),
            materials: Vec::new(),
            material_index: HashMap::new(),
            current_material: None,
            sections: Vec::new(),
            equations: Vec::new(),
            ties: Vec::new(),
            surface_locs: HashMap::new(),
            warnings: Vec::new(),
            loads: LoadState::default(),
            open_step: None,
            contact: ContactState::default(),
            constrained_sets: Vec::new(),
            record: Vec::new(),
        }
    }

    /// A parse error at `loc`.
    pub fn err(&self, loc: Loc, message: impl Into<String>) -> IoError {
        self.src.error(loc, message)
    }

    /// Record a warning at `loc`.
    pub fn warn(&mut self, loc: Loc, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: self.src.path(loc).to_path_buf(),
            line: loc.line as usize,
            message: message.into(),
        });
    }

    /// Dispatch one keyword.
    fn keyword(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let name = kw.name.as_str();
        if MODEL_DATA.contains(&name) {
            self.require_model_data(kw)?;
        }
        // a material's options follow its *MATERIAL line; any keyword this reader knows
        // ends them, while an unknown one (*PLASTIC, *EXPANSION, ...) is skipped inside them
        if !matches!(name, "ELASTIC" | "DENSITY")
            && (HANDLED.contains(&name) || CONTACT.contains(&name))
        {
            self.current_material = None;
        }
        // likewise the options of a *SURFACE INTERACTION
        if !matches!(name, "SURFACE BEHAVIOR" | "FRICTION")
            && (HANDLED.contains(&name) || CONTACT.contains(&name))
        {
            self.contact.current = None;
        }
        match name {
            "NODE" => self.node(kw, cur),
            "ELEMENT" => self.element(kw, cur),
            "NSET" => self.nset(kw, cur),
            "ELSET" => self.elset(kw, cur),
            "SURFACE" => self.surface(kw, cur),
            "MATERIAL" => self.material(kw),
            "ELASTIC" => self.elastic(kw, cur),
            "DENSITY" => self.density(kw, cur),
            "SOLID SECTION" => self.solid_section(kw, cur),
            "EQUATION" => self.equation(kw, cur),
            "TIE" => self.tie(kw, cur),
            "BOUNDARY" => self.boundary(kw, cur),
            "CLOAD" => self.cload(kw, cur),
            "DLOAD" => self.dload(kw, cur),
            "DSLOAD" => self.dsload(kw, cur),
            "STEP" => self.step(kw, cur),
            "STATIC" => self.static_procedure(kw, cur),
            "END STEP" => self.end_step(kw),
            "SURFACE INTERACTION" => self.surface_interaction(kw),
            "SURFACE BEHAVIOR" => self.surface_behavior(kw, cur),
            "FRICTION" => self.friction(kw, cur),
            "CONTACT PAIR" => self.contact_pair(kw, cur),
            "INCLUDE" => Err(self.err(kw.loc, "*INCLUDE could not be expanded here")),
            "SYSTEM" | "TRANSFORM" => Err(self.err(
                kw.loc,
                format!("*{name} is not supported: coordinates, boundary conditions and loads would be taken in global axes; remove it or express them globally"),
            )),
            _ if OTHER_PROCEDURES.contains(&name) => Err(self.err(
                kw.loc,
                format!("procedure *{name} is not supported: osteon solves linear *STATIC steps"),
            )),
            _ if CONTACT.contains(&name) => {
                kw.ignore_all();
                let n = cur.skip_data();
                self.warn(kw.loc, format!("*{name} is not supported and was skipped{}: osteon reads node-to-surface contact (*CONTACT PAIR, *SURFACE INTERACTION, *SURFACE BEHAVIOR, *FRICTION)", data_lines(n)));
                Ok(())
            }
            _ if vocabulary::is_output_or_cosmetic(name) => {
                // output requests and headings: osteon always writes its full results
                kw.ignore_all();
                cur.skip_data();
                Ok(())
            }
            _ => {
                if !vocabulary::is_known(name)
                    && let Some(meant) = vocabulary::misspelling_of(name)
                {
                    return Err(self.err(
                        kw.loc,
                        format!("unknown keyword *{name}: did you mean *{meant}? (skipping it would solve a different model)"),
                    ));
                }
                kw.ignore_all();
                let n = cur.skip_data();
                self.warn(kw.loc, format!("keyword *{name} is not supported and was skipped{}", data_lines(n)));
                Ok(())
            }
        }
    }

    /// Error unless we are still in the model data (before the first `*STEP`).
    pub fn require_model_data(&self, kw: &Keyword) -> Result<(), IoError> {
        if let Some(step) = &self.open_step {
            return Err(self.err(
                kw.loc,
                format!(
                    "*{} is model data and cannot appear inside step '{}' (opened at {}): put it before the first *STEP, or close the step with *END STEP",
                    kw.name,
                    step.name,
                    self.src.describe(step.loc)
                ),
            ));
        }
        if !self.loads.steps.is_empty() {
            return Err(self.err(
                kw.loc,
                format!(
                    "*{} is model data and must come before the first *STEP",
                    kw.name
                ),
            ));
        }
        Ok(())
    }

    /// Error unless a step is open.
    pub fn require_step(&self, kw: &Keyword) -> Result<(), IoError> {
        if self.open_step.is_none() {
            return Err(self.err(
                kw.loc,
                format!(
                    "*{} is step data: put it between *STEP and *END STEP",
                    kw.name
                ),
            ));
        }
        Ok(())
    }
}

/// " (and its N data lines)" for skip warnings.
fn data_lines(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " with its data line".to_string(),
        n => format!(" with its {n} data lines"),
    }
}
