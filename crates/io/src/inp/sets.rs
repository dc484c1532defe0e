//! Named sets and surfaces: `*NSET`, `*ELSET`, `*SURFACE`, and the resolution of the
//! "id or set name" fields used by every other keyword. Names are stored upper case;
//! lookups are hash/B-tree lookups (never a scan over the sets).

use osteon_mesh::{FaceRef, Mesh, Surface};

use crate::error::IoError;

use super::fields::{self, clip};
use super::keyword::Keyword;
use super::reader::Reader;
use super::source::{Cursor, DataLine};

/// Nodes named by a field: one node id, or a node set.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Nodes<'m> {
    One(usize),
    Set(&'m str, &'m [usize]),
}

impl<'m> Nodes<'m> {
    /// The node indices.
    pub fn indices(&self) -> &[usize] {
        match self {
            Nodes::One(i) => std::slice::from_ref(i),
            Nodes::Set(_, s) => s,
        }
    }

    /// The set name, if a set.
    pub fn set_name(&self) -> Option<&'m str> {
        match self {
            Nodes::One(_) => None,
            Nodes::Set(name, _) => Some(name),
        }
    }
}

/// Resolve a node id or node set name.
pub(crate) fn nodes<'m>(mesh: &'m Mesh, field: &str) -> Result<Nodes<'m>, String> {
    if field.is_empty() {
        return Err("expected a node id or node set name, found an empty field".to_string());
    }
    if fields::is_integer(field) {
        let id = fields::int(field, "a node id")?;
        return mesh
            .node_index(id)
            .map(Nodes::One)
            .ok_or_else(|| format!("node {id} is not defined"));
    }
    let key = fields::name_key(field);
    match mesh.node_sets.get_key_value(&key) {
        Some((name, set)) => Ok(Nodes::Set(name.as_str(), set.as_slice())),
        None => Err(format!(
            "node set '{}' is not defined",
            clip(fields::unquote(field))
        )),
    }
}

/// Elements named by a field: one element id, or an element set.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Elements<'m> {
    One(usize),
    Set(&'m str, &'m [usize]),
}

impl<'m> Elements<'m> {
    /// The global element indices.
    pub fn indices(&self) -> &[usize] {
        match self {
            Elements::One(i) => std::slice::from_ref(i),
            Elements::Set(_, s) => s,
        }
    }

    /// The set name, if a set.
    pub fn set_name(&self) -> Option<&'m str> {
        match self {
            Elements::One(_) => None,
            Elements::Set(name, _) => Some(name),
        }
    }
}

/// Resolve an element id or element set name.
pub(crate) fn elements<'m>(mesh: &'m Mesh, field: &str) -> Result<Elements<'m>, String> {
    if field.is_empty() {
        return Err("expected an element id or element set name, found an empty field".to_string());
    }
    if fields::is_integer(field) {
        let id = fields::int(field, "an element id")?;
        return mesh
            .element_index(id)
            .map(Elements::One)
            .ok_or_else(|| format!("element {id} is not defined"));
    }
    let key = fields::name_key(field);
    match mesh.element_sets.get_key_value(&key) {
        Some((name, set)) => Ok(Elements::Set(name.as_str(), set.as_slice())),
        None => Err(format!(
            "element set '{}' is not defined",
            clip(fields::unquote(field))
        )),
    }
}

impl Reader<'_> {
    /// Add nodes to a node set (created if new); sorted and deduplicated by the mesh.
    pub(super) fn extend_node_set(&mut self, name: String, mut nodes: Vec<usize>) {
        if let Some(old) = self.mesh.node_sets.remove(&name) {
            nodes.extend(old);
        }
        self.mesh.set_node_set(name, nodes);
    }

    /// Add elements to an element set (created if new).
    pub(super) fn extend_element_set(&mut self, name: String, mut elements: Vec<usize>) {
        if let Some(old) = self.mesh.element_sets.remove(&name) {
            elements.extend(old);
        }
        self.mesh.set_element_set(name, elements);
    }

    /// `*NSET, NSET= [, GENERATE] [, ELSET=]`.
    pub(super) fn nset(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let name = fields::name_key(kw.require("NSET").map_err(|m| self.err(kw.loc, m))?);
        kw.ignore(&["UNSORTED", "INTERNAL"]);
        let mut members = Vec::new();
        if let Some(elset) = kw.value("ELSET") {
            let elements = elements(&self.mesh, elset)
                .map_err(|m| self.err(kw.loc, format!("*NSET, ELSET=: {m}")))?;
            for &e in elements.indices() {
                members.extend_from_slice(self.mesh.element(e).nodes);
            }
        }
        if kw.flag("GENERATE") {
            while let Some(line) = cur.data()? {
                let (ids, missing) = self.generate(line, "NSET", |id| self.mesh.node_index(id))?;
                members.extend(ids);
                if missing > 0 {
                    self.warn(line.loc, format!("*NSET, GENERATE: {missing} ids in '{}' are not defined nodes and were skipped", clip(line.text)));
                }
            }
        } else {
            while let Some(line) = cur.data()? {
                for field in fields::fields(line.text) {
                    if field.is_empty() {
                        continue;
                    }
                    let found =
                        nodes(&self.mesh, field).map_err(|m| self.set_error(line, "NSET", &m))?;
                    members.extend_from_slice(found.indices());
                }
            }
        }
        self.extend_node_set(name, members);
        Ok(())
    }

    /// `*ELSET, ELSET= [, GENERATE]`.
    pub(super) fn elset(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let name = fields::name_key(kw.require("ELSET").map_err(|m| self.err(kw.loc, m))?);
        kw.ignore(&["UNSORTED", "INTERNAL"]);
        let mut members = Vec::new();
        if kw.flag("GENERATE") {
            while let Some(line) = cur.data()? {
                let (ids, missing) =
                    self.generate(line, "ELSET", |id| self.mesh.element_index(id))?;
                members.extend(ids);
                if missing > 0 {
                    self.warn(line.loc, format!("*ELSET, GENERATE: {missing} ids in '{}' are not defined elements and were skipped", clip(line.text)));
                }
            }
        } else {
            while let Some(line) = cur.data()? {
                for field in fields::fields(line.text) {
                    if field.is_empty() {
                        continue;
                    }
                    let found = elements(&self.mesh, field)
                        .map_err(|m| self.set_error(line, "ELSET", &m))?;
                    members.extend_from_slice(found.indices());
                }
            }
        }
        self.extend_element_set(name, members);
        Ok(())
    }

    fn set_error(&self, line: DataLine<'_>, keyword: &str, message: &str) -> IoError {
        self.err(
            line.loc,
            format!(
                "*{keyword}: {message} in '{}' (expected ids or names of defined sets)",
                clip(line.text)
            ),
        )
    }

    /// A `GENERATE` line `first, last [, step]`: the indices of the ids that exist, and how
    /// many ids in the range do not.
    fn generate(
        &self,
        line: DataLine<'_>,
        keyword: &str,
        index: impl Fn(i64) -> Option<usize>,
    ) -> Result<(Vec<usize>, usize), IoError> {
        let bad = |m: String| {
            self.err(
                line.loc,
                format!(
                    "*{keyword}, GENERATE: {m} in '{}' (expected: first, last [, step])",
                    clip(line.text)
                ),
            )
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if f.len() < 2 || f.len() > 3 {
            return Err(bad(format!("{} values", f.len())));
        }
        let first = fields::id(f[0], "the first id").map_err(bad)?;
        let last = fields::id(f[1], "the last id").map_err(bad)?;
        let step = match f.get(2) {
            Some(s) if !s.is_empty() => fields::id(s, "the step").map_err(bad)?,
            _ => 1,
        };
        if last < first {
            return Err(bad(format!("last id {last} is below first id {first}")));
        }
        let count = (last - first) / step + 1;
        if count > 100_000_000 {
            return Err(bad(format!("the range holds {count} ids")));
        }
        let mut found = Vec::new();
        let mut missing = 0;
        let mut id = Some(first);
        while let Some(i) = id.filter(|&i| i <= last) {
            match index(i) {
                Some(k) => found.push(k),
                None => missing += 1,
            }
            id = i.checked_add(step);
        }
        if found.is_empty() {
            return Err(bad(format!("no id from {first} to {last} is defined")));
        }
        Ok((found, missing))
    }

    /// `*SURFACE, NAME= [, TYPE=ELEMENT|NODE]`.
    pub(super) fn surface(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let name = fields::name_key(kw.require("NAME").map_err(|m| self.err(kw.loc, m))?);
        kw.ignore(&["INTERNAL"]);
        if let Some(&first) = self.surface_locs.get(&name) {
            return Err(self.err(
                kw.loc,
                format!(
                    "*SURFACE: surface '{name}' is already defined at {}",
                    self.src.describe(first)
                ),
            ));
        }
        let surface = match kw.choice("TYPE").as_deref() {
            None | Some("ELEMENT") => {
                let mut faces = Vec::new();
                while let Some(line) = cur.data()? {
                    self.surface_faces(line, &mut faces)?;
                }
                Surface::Faces(faces)
            }
            Some("NODE") => {
                let mut members = Vec::new();
                while let Some(line) = cur.data()? {
                    let mut f = fields::fields(line.text);
                    let target = f.next().unwrap_or_default();
                    let found = nodes(&self.mesh, target).map_err(|m| {
                        self.err(line.loc, format!("*SURFACE, TYPE=NODE: {m} in '{}' (expected: node id or node set [, weight])", clip(line.text)))
                    })?;
                    members.extend_from_slice(found.indices());
                }
                members.sort_unstable();
                members.dedup();
                Surface::Nodes(members)
            }
            Some(other) => {
                return Err(self.err(
                    kw.loc,
                    format!("*SURFACE: TYPE={other} is not supported; expected ELEMENT or NODE"),
                ));
            }
        };
        let empty = match &surface {
            Surface::Faces(f) => f.is_empty(),
            Surface::Nodes(n) => n.is_empty(),
        };
        if empty {
            return Err(self.err(
                kw.loc,
                format!("*SURFACE: surface '{name}' has no data lines"),
            ));
        }
        self.surface_locs.insert(name.clone(), kw.loc);
        self.mesh.surfaces.insert(name, surface);
        Ok(())
    }

    /// One `element or element set, Sn` line of an element surface.
    fn surface_faces(&self, line: DataLine<'_>, faces: &mut Vec<FaceRef>) -> Result<(), IoError> {
        let bad = |m: String| {
            self.err(
                line.loc,
                format!(
                    "*SURFACE: {m} in '{}' (expected: element id or element set, face S1..S6)",
                    clip(line.text)
                ),
            )
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if f.len() != 2 {
            return Err(bad(if f.len() < 2 {
                "no face label (free-surface generation from an element set alone is not supported)"
                    .to_string()
            } else {
                format!("{} values", f.len())
            }));
        }
        let face = face_label(f[1])
            .ok_or_else(|| bad(format!("face label '{}' is not S1..S6", clip(f[1]))))?;
        let elements = elements(&self.mesh, f[0]).map_err(bad)?;
        for &e in elements.indices() {
            check_face(&self.mesh, e, face).map_err(bad)?;
            faces.push(FaceRef { element: e, face });
        }
        Ok(())
    }
}

/// `S1`..`S6` → 0..5.
pub(crate) fn face_label(text: &str) -> Option<u8> {
    let t = text.trim();
    let digits = t.strip_prefix(['S', 's'])?;
    match digits.parse::<u8>() {
        Ok(n @ 1..=6) => Some(n - 1),
        _ => None,
    }
}

/// Error unless element `e` has face `face` (0-based).
pub(crate) fn check_face(mesh: &Mesh, e: usize, face: u8) -> Result<(), String> {
    let el = mesh.element(e);
    if usize::from(face) < el.etype.n_faces() {
        Ok(())
    } else {
        Err(format!(
            "element {} is a {} with faces S1..S{}, not S{}",
            el.id,
            el.etype.abaqus_name(),
            el.etype.n_faces(),
            face + 1
        ))
    }
}
