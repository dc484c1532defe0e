//! `*NODE` and `*ELEMENT`: the mesh itself.

use osteon_mesh::{ElementType, MeshError};

use crate::error::IoError;

use super::fields::{self, clip};
use super::keyword::Keyword;
use super::reader::Reader;
use super::source::{Cursor, DataLine, Loc};

/// Most values Abaqus writes on one element data line; a record that is still incomplete
/// after a line this full continues on the next line even without a trailing comma.
const MAX_VALUES_PER_ELEMENT_LINE: usize = 16;

/// Coordinate system of `*NODE, SYSTEM=`.
#[derive(Clone, Copy)]
enum NodeSystem {
    Rectangular,
    Cylindrical,
    Spherical,
}

impl Reader<'_> {
    /// `*NODE [, NSET=] [, SYSTEM=R|C|S]`: `id, x [, y [, z]]`.
    pub(super) fn node(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        if kw.has("INPUT") {
            return Err(self.err(
                kw.loc,
                "*NODE, INPUT= is not supported: put the node lines in the deck or use *INCLUDE",
            ));
        }
        let system = match kw.choice("SYSTEM").as_deref() {
            None | Some("R") => NodeSystem::Rectangular,
            Some("C") => NodeSystem::Cylindrical,
            Some("S") => NodeSystem::Spherical,
            Some(other) => {
                return Err(self.err(
                    kw.loc,
                    format!("*NODE: SYSTEM={other} is not known; expected R, C or S"),
                ));
            }
        };
        let nset = kw.value("NSET").map(fields::name_key);
        let first = self.mesh.n_nodes();
        while let Some(line) = cur.data()? {
            self.node_line(line, system)?;
        }
        if let Some(name) = nset {
            let new: Vec<usize> = (first..self.mesh.n_nodes()).collect();
            self.extend_node_set(name, new);
        }
        Ok(())
    }

    fn node_line(&mut self, line: DataLine<'_>, system: NodeSystem) -> Result<(), IoError> {
        let mut f = fields::fields(line.text);
        let bad = |m: String| {
            self.err(
                line.loc,
                format!(
                    "*NODE: {m} in '{}' (expected: node id, x, y, z)",
                    clip(line.text)
                ),
            )
        };
        let id = fields::id(f.next().unwrap_or_default(), "a node id").map_err(bad)?;
        let mut x = [0.0; 3];
        let mut n = 0;
        for (k, field) in f.enumerate() {
            if k < 3 {
                x[k] = fields::float_or(Some(field), 0.0, ["x", "y", "z"][k]).map_err(bad)?;
                n += 1;
            } else if k >= 6 {
                return Err(bad(format!(
                    "{} values after the node id, at most 6",
                    k + 1
                )));
            }
        }
        if n == 0 {
            return Err(bad("no coordinates".to_string()));
        }
        let x = match system {
            NodeSystem::Rectangular => x,
            NodeSystem::Cylindrical => {
                let t = x[1].to_radians();
                [x[0] * t.cos(), x[0] * t.sin(), x[2]]
            }
            NodeSystem::Spherical => {
                let (t, p) = (x[1].to_radians(), x[2].to_radians());
                [
                    x[0] * p.cos() * t.cos(),
                    x[0] * p.cos() * t.sin(),
                    x[0] * p.sin(),
                ]
            }
        };
        match self.mesh.add_node(id, x) {
            Ok(_) => {
                self.node_locs.push(line.loc);
                Ok(())
            }
            Err(MeshError::DuplicateNode { .. }) => {
                let first = self
                    .mesh
                    .node_index(id)
                    .and_then(|i| self.node_locs.get(i))
                    .map(|&l| self.src.describe(l));
                Err(self.err(
                    line.loc,
                    format!(
                        "*NODE: duplicate node id {id} (first defined at {})",
                        first.unwrap_or_default()
                    ),
                ))
            }
            Err(e) => Err(self.err(line.loc, format!("*NODE: {e}"))),
        }
    }

    /// `*ELEMENT, TYPE= [, ELSET=]`: `id, n1, n2, ...`, records continued over lines.
    pub(super) fn element(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        if kw.has("INPUT") {
            return Err(self.err(kw.loc, "*ELEMENT, INPUT= is not supported: put the element lines in the deck or use *INCLUDE"));
        }
        let type_name = kw.require("TYPE").map_err(|m| {
            self.err(
                kw.loc,
                format!("{m} (one of C3D4, C3D10, C3D8, C3D20, C3D20R)"),
            )
        })?;
        let etype = ElementType::from_abaqus(type_name)
            .ok_or_else(|| self.err(kw.loc, unsupported_type(type_name)))?;
        let elset = kw.value("ELSET").map(fields::name_key);
        let first = self.mesh.n_elements();
        let want = 1 + etype.n_nodes();
        let mut record = std::mem::take(&mut self.record);
        record.clear();
        // the line of each value of the record (a record may continue over several lines)
        let mut record_locs: Vec<Loc> = Vec::with_capacity(want);
        let mut last = kw.loc;
        let mut last_text = "";
        let result = (|| {
            while let Some(line) = cur.data()? {
                last = line.loc;
                last_text = line.text;
                let mut on_line = 0;
                for field in fields::fields(line.text) {
                    let what = if record.is_empty() {
                        "an element id"
                    } else {
                        "a node id"
                    };
                    let v = fields::id(field, what)
                        .map_err(|m| self.element_error(line.loc, etype, line.text, &m))?;
                    record.push(v);
                    record_locs.push(line.loc);
                    on_line += 1;
                }
                if record.len() > want {
                    let m = format!(
                        "element {} has {} nodes, {} takes {}",
                        record[0],
                        record.len() - 1,
                        etype.abaqus_name(),
                        want - 1
                    );
                    return Err(self.element_error(line.loc, etype, line.text, &m));
                }
                if record.len() == want {
                    self.add_element(etype, &record, &record_locs)?;
                    record.clear();
                    record_locs.clear();
                } else if record.is_empty() {
                    return Err(self.element_error(
                        line.loc,
                        etype,
                        line.text,
                        "empty element line",
                    ));
                } else if !fields::ends_with_comma(line.text)
                    && on_line < MAX_VALUES_PER_ELEMENT_LINE
                {
                    let m = format!(
                        "element {} has {} of the {} nodes of a {} (a record continues on the next line only after a line ending with a comma)",
                        record[0],
                        record.len() - 1,
                        want - 1,
                        etype.abaqus_name()
                    );
                    return Err(self.element_error(line.loc, etype, line.text, &m));
                }
            }
            if !record.is_empty() {
                let m = format!(
                    "element {} ends with {} of the {} nodes of a {} after '{}' (the record is cut off)",
                    record[0],
                    record.len() - 1,
                    want - 1,
                    etype.abaqus_name(),
                    clip(last_text)
                );
                return Err(self.err(last, format!("*ELEMENT: {m}")));
            }
            Ok(())
        })();
        self.record = record;
        result?;
        if let Some(name) = elset {
            let new: Vec<usize> = (first..self.mesh.n_elements()).collect();
            self.extend_element_set(name, new);
        }
        Ok(())
    }

    fn element_error(&self, loc: Loc, etype: ElementType, text: &str, message: &str) -> IoError {
        self.err(
            loc,
            format!(
                "*ELEMENT, TYPE={}: {message} in '{}' (expected: element id, then {} node ids)",
                etype.abaqus_name(),
                clip(text),
                etype.n_nodes()
            ),
        )
    }

    /// Add the element of `record` (id, node ids), read from the lines `locs` (one per
    /// value): errors name the line of the offending value — the id's for the element, a
    /// node's for an undefined node.
    fn add_element(
        &mut self,
        etype: ElementType,
        record: &[i64],
        locs: &[Loc],
    ) -> Result<(), IoError> {
        let id = record[0];
        let loc = locs[0];
        match self.mesh.add_element(etype, id, &record[1..]) {
            Ok(_) => {
                self.element_locs.push(loc);
                Ok(())
            }
            Err(MeshError::DuplicateElement { .. }) => {
                let first = self.mesh.element_index(id).and_then(|i| self.element_locs.get(i)).map(|&l| self.src.describe(l));
                Err(self.err(loc, format!("*ELEMENT: duplicate element id {id} (first defined at {})", first.unwrap_or_default())))
            }
            Err(MeshError::UndefinedNode { node, .. }) => Err(self.err(
                record
                    .iter()
                    .skip(1)
                    .position(|&n| n == node)
                    .and_then(|k| locs.get(k + 1))
                    .copied()
                    .unwrap_or(loc),
                format!("*ELEMENT: element {id} refers to node {node}, which is not defined (define nodes with *NODE before the elements)"),
            )),
            Err(e) => Err(self.err(loc, format!("*ELEMENT: {e}"))),
        }
    }
}

fn unsupported_type(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    let hint = match upper.as_str() {
        "C3D8R" => " (reduced integration with hourglass control; use C3D8)",
        "C3D8I" | "C3D8H" | "C3D4H" | "C3D10H" | "C3D10M" | "C3D10I" | "C3D20H" | "C3D20RH" => {
            " (hybrid/modified/incompatible-mode variants are not implemented; use the plain type)"
        }
        "C3D6" | "C3D15" => " (wedges are not implemented)",
        t if t.starts_with("CPS")
            || t.starts_with("CPE")
            || t.starts_with('S')
            || t.starts_with('T')
            || t.starts_with('B')
            || t.starts_with('M') =>
        {
            " (not a solid element; a Gmsh export: save only the volume physical groups)"
        }
        _ => "",
    };
    format!(
        "*ELEMENT: unsupported element type '{}'{hint}; supported: C3D4, C3D10, C3D8, C3D20, C3D20R",
        clip(name)
    )
}
