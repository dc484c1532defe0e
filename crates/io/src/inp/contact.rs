//! Frictional contact: `*SURFACE INTERACTION`, `*SURFACE BEHAVIOR`, `*FRICTION`,
//! `*CONTACT PAIR` (node to surface), read into the model data types of
//! [`osteon_assembly::contact`].
//!
//! The keywords are model data. `*SURFACE BEHAVIOR` and `*FRICTION` belong to the
//! `*SURFACE INTERACTION` they follow (as `*ELASTIC` belongs to its `*MATERIAL`). A
//! `*CONTACT PAIR` names its interaction and surfaces, which may be defined anywhere in the
//! model data: they are resolved when the deck is complete ([`Reader::build_contact`]).
//!
//! The pairs go into [`Model::contact_pairs`](osteon_assembly::Model::contact_pairs); the
//! reader does not depend on the contact solver.

use std::collections::HashMap;

use osteon_assembly::contact::{
    ContactPair, Friction, InitialGap, NormalBehaviour, SurfaceInteraction,
};
use osteon_mesh::{FaceRef, Mesh, Surface};

use crate::error::IoError;

use super::fields::{self, clip};
use super::keyword::Keyword;
use super::reader::Reader;
use super::source::{Cursor, Loc};

/// σ∞ (MPa) of a LINEAR pressure-overclosure law below which osteon's tensionless contact
/// is taken as equivalent without a warning.
const NEGLIGIBLE_TENSION_MPA: f64 = 0.01;

/// A `*SURFACE INTERACTION` as read so far.
#[derive(Debug)]
pub(crate) struct InteractionDef {
    /// Name as written.
    pub name: String,
    pub interaction: SurfaceInteraction,
}

/// A `*CONTACT PAIR` data line, resolved at the end.
#[derive(Debug)]
pub(crate) struct ContactPairDef {
    /// Interaction name (upper case).
    pub interaction: String,
    /// Surface names (upper case).
    pub slave: String,
    pub master: String,
    pub initial_gap: InitialGap,
    /// Line of the `*CONTACT PAIR` keyword and of the data line.
    pub keyword_loc: Loc,
    pub loc: Loc,
}

/// The contact part of the reader state.
#[derive(Debug, Default)]
pub(crate) struct ContactState {
    pub interactions: Vec<InteractionDef>,
    /// Upper-case name → index.
    pub interaction_index: HashMap<String, usize>,
    /// The interaction that `*SURFACE BEHAVIOR` and `*FRICTION` belong to.
    pub current: Option<usize>,
    pub pairs: Vec<ContactPairDef>,
}

impl Reader<'_> {
    /// `*SURFACE INTERACTION, NAME=`: hard, frictionless until its options say otherwise.
    pub(super) fn surface_interaction(&mut self, kw: &Keyword) -> Result<(), IoError> {
        let name =
            fields::unquote(kw.require("NAME").map_err(|m| self.err(kw.loc, m))?).to_string();
        let key = name.to_ascii_uppercase();
        if self.contact.interaction_index.contains_key(&key) {
            return Err(self.err(
                kw.loc,
                format!("*SURFACE INTERACTION: '{name}' is already defined"),
            ));
        }
        let index = self.contact.interactions.len();
        self.contact.interactions.push(InteractionDef {
            name,
            interaction: SurfaceInteraction::default(),
        });
        self.contact.interaction_index.insert(key, index);
        self.contact.current = Some(index);
        Ok(())
    }

    /// The interaction an option keyword belongs to, or an error.
    fn current_interaction(&self, kw: &Keyword) -> Result<usize, IoError> {
        self.contact.current.ok_or_else(|| {
            self.err(
                kw.loc,
                format!(
                    "*{} must follow a *SURFACE INTERACTION, NAME=... (it is an option of the interaction)",
                    kw.name
                ),
            )
        })
    }

    /// `*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD|LINEAR`.
    pub(super) fn surface_behavior(
        &mut self,
        kw: &Keyword,
        cur: &mut Cursor<'_>,
    ) -> Result<(), IoError> {
        let index = self.current_interaction(kw)?;
        let kind = kw
            .choice("PRESSURE-OVERCLOSURE")
            .unwrap_or_else(|| "HARD".to_string());
        let line = cur.data()?;
        let mut values = Vec::new();
        if let Some(line) = line {
            for f in fields::fields(line.text) {
                values.push(fields::float_or(Some(f), 0.0, "a value").map_err(|m| {
                    self.err(
                        line.loc,
                        format!("*SURFACE BEHAVIOR: {m} in '{}'", clip(line.text)),
                    )
                })?);
            }
        }
        let normal = match kind.as_str() {
            "HARD" => {
                if let Some(line) = line {
                    self.warn(line.loc, "*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD: the data line is ignored (the penalty is scaled from the element stiffness, with augmented-Lagrangian updates)");
                }
                NormalBehaviour::from_keyword(&kind, &values)
            }
            "LINEAR" => {
                let Some(line) = line else {
                    return Err(self.err(kw.loc, "*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR needs a data line: slope K (MPa/mm) [, σ∞]"));
                };
                match values.first() {
                    Some(&k) if k > 0.0 => {}
                    _ => {
                        return Err(self.err(
                            line.loc,
                            format!(
                                "*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR: the slope K must be a positive number (MPa/mm), found '{}'",
                                clip(line.text)
                            ),
                        ));
                    }
                }
                // CalculiX needs a small σ∞ for node-to-surface contact; one that small
                // changes nothing against bone contact pressures (0.1–10 MPa)
                if values
                    .get(1)
                    .is_some_and(|&s| s.abs() > NEGLIGIBLE_TENSION_MPA)
                {
                    self.warn(line.loc, format!("*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR: σ∞ = {} (CalculiX's tension at large clearance) is not used: the contact carries no tension", values[1]));
                }
                NormalBehaviour::from_keyword(&kind, &values)
            }
            other => {
                return Err(self.err(
                    kw.loc,
                    format!("*SURFACE BEHAVIOR: PRESSURE-OVERCLOSURE={other} is not supported; expected HARD or LINEAR"),
                ));
            }
        };
        if let Some(extra) = cur.data()? {
            return Err(self.err(
                extra.loc,
                format!(
                    "*SURFACE BEHAVIOR takes one data line; found another: '{}'",
                    clip(extra.text)
                ),
            ));
        }
        let Some(normal) = normal else {
            return Err(self.err(kw.loc, "*SURFACE BEHAVIOR: no pressure-overclosure law"));
        };
        self.contact.interactions[index].interaction.normal = normal;
        Ok(())
    }

    /// `*FRICTION`: `μ [, λ]` (λ: stick slope, MPa/mm).
    pub(super) fn friction(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let index = self.current_interaction(kw)?;
        if kw.flag("ROUGH") {
            return Err(self.err(kw.loc, "*FRICTION, ROUGH is not supported: give a (large) friction coefficient μ on the data line instead"));
        }
        let Some(line) = cur.data()? else {
            return Err(self.err(
                kw.loc,
                "*FRICTION needs a data line: μ [, stick slope λ (MPa/mm)]",
            ));
        };
        let bad = |m: String| {
            self.err(
                line.loc,
                format!(
                    "*FRICTION: {m} in '{}' (expected: μ ≥ 0 [, stick slope λ > 0 MPa/mm])",
                    clip(line.text)
                ),
            )
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if f.is_empty() || f.len() > 2 {
            return Err(bad(format!("{} values", f.len())));
        }
        let mu = fields::float(f[0], "the friction coefficient μ").map_err(bad)?;
        if mu < 0.0 {
            return Err(bad(format!(
                "the friction coefficient μ = {mu} is negative"
            )));
        }
        let slope = fields::float_or(f.get(1).copied(), 0.0, "the stick slope λ").map_err(bad)?;
        if slope < 0.0 {
            return Err(bad(format!("the stick slope λ = {slope} is negative")));
        }
        if mu > 5.0 {
            self.warn(
                line.loc,
                format!("*FRICTION: μ = {mu} is unusually large (bone–implant: 0.3–1)"),
            );
        }
        if let Some(extra) = cur.data()? {
            return Err(self.err(
                extra.loc,
                format!(
                    "*FRICTION takes one data line (no tables); found another: '{}'",
                    clip(extra.text)
                ),
            ));
        }
        self.contact.interactions[index].interaction.friction = if mu == 0.0 {
            None
        } else {
            Friction::from_keyword(&[mu, slope])
        };
        Ok(())
    }

    /// `*CONTACT PAIR, INTERACTION= [, TYPE=NODE TO SURFACE] [, ADJUST=]`: lines
    /// `slave surface, master surface`.
    pub(super) fn contact_pair(
        &mut self,
        kw: &Keyword,
        cur: &mut Cursor<'_>,
    ) -> Result<(), IoError> {
        let interaction =
            fields::name_key(kw.require("INTERACTION").map_err(|m| self.err(kw.loc, m))?);
        match kw.choice("TYPE").as_deref() {
            None | Some("NODE TO SURFACE") => {}
            Some("SURFACE TO SURFACE") => {
                return Err(self.err(
                    kw.loc,
                    "*CONTACT PAIR, TYPE=SURFACE TO SURFACE is not supported: osteon has node-to-surface contact only; use TYPE=NODE TO SURFACE (the slave surface's nodes against the master's faces, small sliding)",
                ));
            }
            Some(other) => {
                return Err(self.err(
                    kw.loc,
                    format!("*CONTACT PAIR: TYPE={other} is not known; expected NODE TO SURFACE"),
                ));
            }
        }
        let initial_gap = match kw.value("ADJUST") {
            None => InitialGap::Geometric,
            Some(v) => {
                let tolerance = fields::float(v, "ADJUST (a distance in mm)").map_err(|m| {
                    self.err(
                        kw.loc,
                        format!("*CONTACT PAIR: {m}; adjusting to a node set is not supported"),
                    )
                })?;
                if tolerance < 0.0 {
                    return Err(self.err(
                        kw.loc,
                        format!("*CONTACT PAIR: ADJUST must be ≥ 0 mm, found {tolerance}"),
                    ));
                }
                InitialGap::Adjust { tolerance }
            }
        };
        // SMALL SLIDING is what the formulation does; SMALL SLIDING=NO asks for finite sliding
        if kw.has("SMALL SLIDING") && !kw.flag("SMALL SLIDING") {
            self.warn(
                kw.loc,
                "*CONTACT PAIR: finite sliding is not supported; solved with small sliding",
            );
        }
        let mut any = false;
        while let Some(line) = cur.data()? {
            any = true;
            let f: Vec<&str> = fields::fields(line.text).collect();
            if f.len() != 2 || f.iter().any(|s| s.is_empty()) {
                return Err(self.err(
                    line.loc,
                    format!(
                        "*CONTACT PAIR: expected 'slave surface, master surface', found '{}'",
                        clip(line.text)
                    ),
                ));
            }
            self.contact.pairs.push(ContactPairDef {
                interaction: interaction.clone(),
                slave: fields::name_key(f[0]),
                master: fields::name_key(f[1]),
                initial_gap,
                keyword_loc: kw.loc,
                loc: line.loc,
            });
        }
        if !any {
            return Err(self.err(
                kw.loc,
                "*CONTACT PAIR needs a data line: slave surface, master surface",
            ));
        }
        Ok(())
    }

    /// Resolve the contact pairs: interactions and surfaces must exist; the master is an
    /// element surface; a node slave surface becomes the exterior faces all of whose nodes
    /// are in it.
    pub(super) fn build_contact(&self) -> Result<Vec<ContactPair>, IoError> {
        let mut pairs = Vec::with_capacity(self.contact.pairs.len());
        for def in &self.contact.pairs {
            let Some(&i) = self.contact.interaction_index.get(&def.interaction) else {
                let known: Vec<&str> = self
                    .contact
                    .interactions
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect();
                return Err(self.err(
                    def.keyword_loc,
                    format!(
                        "*CONTACT PAIR: interaction '{}' is not defined (define it with *SURFACE INTERACTION, NAME={}; defined: {})",
                        def.interaction,
                        def.interaction,
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    ),
                ));
            };
            let surface = |name: &str, role: &str| {
                self.mesh.surfaces.get(name).ok_or_else(|| {
                    self.err(
                        def.loc,
                        format!("*CONTACT PAIR: {role} surface '{name}' is not defined (*SURFACE, NAME={name})"),
                    )
                })
            };
            let master_faces = match surface(&def.master, "master")? {
                Surface::Faces(f) => f.clone(),
                Surface::Nodes(_) => {
                    return Err(self.err(
                        def.loc,
                        format!("*CONTACT PAIR: master surface '{}' is a node surface; the master must be element faces (*SURFACE, TYPE=ELEMENT)", def.master),
                    ));
                }
            };
            let (slave_faces, slave_nodes) = match surface(&def.slave, "slave")? {
                Surface::Faces(f) => (f.clone(), None),
                Surface::Nodes(nodes) if nodes.is_empty() => {
                    return Err(self.err(
                        def.loc,
                        format!(
                            "*CONTACT PAIR: slave node surface '{}' has no nodes",
                            def.slave
                        ),
                    ));
                }
                Surface::Nodes(nodes) => {
                    let faces = exterior_faces_touching(&self.mesh, nodes);
                    let mut on_face = vec![false; self.mesh.n_nodes()];
                    for &f in &faces {
                        for a in self.mesh.face_nodes(f).unwrap_or_default() {
                            on_face[a] = true;
                        }
                    }
                    if let Some(&lost) = nodes
                        .iter()
                        .find(|&&a| !on_face.get(a).copied().unwrap_or(false))
                    {
                        return Err(self.err(
                            def.loc,
                            format!("*CONTACT PAIR: node {} of slave node surface '{}' lies on no exterior element face, so it has no tributary area; only surface nodes can be slave nodes", self.mesh.node_ids[lost], def.slave),
                        ));
                    }
                    let mut nodes = nodes.clone();
                    nodes.sort_unstable();
                    nodes.dedup();
                    (faces, Some(nodes))
                }
            };
            pairs.push(ContactPair {
                name: format!("{}-{}", def.slave, def.master),
                slave_faces,
                slave_nodes,
                master_faces,
                interaction: self.contact.interactions[i].interaction,
                initial_gap: def.initial_gap,
                search_distance: None,
            });
        }
        Ok(pairs)
    }
}

/// Exterior element faces (faces of a single element) with at least one node in `nodes`:
/// the faces from which CalculiX takes the tributary areas of a nodal slave surface.
fn exterior_faces_touching(mesh: &Mesh, nodes: &[usize]) -> Vec<FaceRef> {
    let mut member = vec![false; mesh.n_nodes()];
    for &n in nodes {
        if let Some(m) = member.get_mut(n) {
            *m = true;
        }
    }
    // every face of an element with a member node, keyed by its sorted nodes: an exterior
    // face appears once (faces of elements without member nodes cannot match those keys)
    let mut seen: HashMap<Vec<usize>, (FaceRef, usize)> = HashMap::new();
    for e in 0..mesh.n_elements() {
        let el = mesh.element(e);
        if !el.nodes.iter().any(|&n| member[n]) {
            continue;
        }
        for face in 0..el.etype.n_faces() {
            let face = FaceRef {
                element: e,
                face: face as u8,
            };
            let Ok(mut key) = mesh.face_nodes(face) else {
                continue;
            };
            if !key.iter().any(|&n| member[n]) {
                continue;
            }
            key.sort_unstable();
            seen.entry(key).or_insert((face, 0)).1 += 1;
        }
    }
    let mut faces: Vec<FaceRef> = seen
        .into_values()
        .filter(|&(_, count)| count == 1)
        .map(|(f, _)| f)
        .collect();
    faces.sort_unstable();
    faces
}
