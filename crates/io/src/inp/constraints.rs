//! Multi-point constraints: `*EQUATION` and `*TIE`.

use osteon_assembly::Equation;

use crate::error::IoError;

use super::fields::{self, clip};
use super::keyword::Keyword;
use super::reader::{Reader, TieDef};
use super::sets::{self, Nodes};
use super::source::{Cursor, DataLine, Loc};

/// One term as read: nodes (one or a set), component (0-based), coefficient.
struct Term {
    nodes: Vec<usize>,
    is_set: bool,
    component: usize,
    coefficient: f64,
    /// The line the term is on (an equation's terms may span several lines).
    loc: Loc,
}

impl Reader<'_> {
    /// `*EQUATION`: blocks of "number of terms" then `node, dof, coefficient` terms, up to
    /// four per line. Node sets expand to one equation per node, the sets' nodes paired in
    /// ascending id order (Abaqus sorts sets by label).
    pub(super) fn equation(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let mut read_any = false;
        while let Some(head) = cur.data()? {
            read_any = true;
            let bad = |m: String| {
                self.err(
                    head.loc,
                    format!(
                        "*EQUATION: {m} in '{}' (expected the number of terms)",
                        clip(head.text)
                    ),
                )
            };
            let f: Vec<&str> = fields::fields(head.text).collect();
            if f.len() != 1 {
                return Err(bad(format!("{} values", f.len())));
            }
            let n = fields::id(f[0], "the number of terms").map_err(bad)? as usize;
            if n > 10_000 {
                return Err(bad(format!("{n} terms")));
            }
            let mut terms: Vec<Term> = Vec::with_capacity(n);
            let mut last = head;
            while terms.len() < n {
                let Some(line) = cur.data()? else {
                    return Err(self.err(
                        last.loc,
                        format!("*EQUATION: the equation declared {n} terms but only {} were given, the last in '{}'", terms.len(), clip(last.text)),
                    ));
                };
                last = line;
                self.equation_terms(line, n, &mut terms)?;
            }
            self.push_equations(&terms)?;
        }
        if !read_any {
            return Err(self.err(
                kw.loc,
                "*EQUATION without data lines; expected the number of terms, then the terms",
            ));
        }
        Ok(())
    }

    fn equation_terms(
        &self,
        line: DataLine<'_>,
        n: usize,
        terms: &mut Vec<Term>,
    ) -> Result<(), IoError> {
        let bad = |m: String| {
            self.err(line.loc, format!("*EQUATION: {m} in '{}' (expected terms: node or node set, dof 1-3, coefficient)", clip(line.text)))
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if !f.len().is_multiple_of(3) || f.is_empty() {
            return Err(bad(format!(
                "{} values, not a whole number of terms of 3 values",
                f.len()
            )));
        }
        for t in f.chunks(3) {
            if terms.len() == n {
                return Err(bad(format!("more than the {n} terms declared")));
            }
            let nodes = sets::nodes(&self.mesh, t[0]).map_err(bad)?;
            let dof = fields::int(t[1], "a dof").map_err(bad)?;
            if !(1..=3).contains(&dof) {
                return Err(bad(format!(
                    "dof {dof}: only displacements 1-3 exist on solid nodes{}",
                    if (4..=6).contains(&dof) {
                        " (4-6 are rotations)"
                    } else {
                        ""
                    }
                )));
            }
            let coefficient = fields::float(t[2], "a coefficient").map_err(bad)?;
            if terms.is_empty() && coefficient == 0.0 {
                return Err(bad(
                    "the first coefficient is 0 (its DOF is the one eliminated)".to_string(),
                ));
            }
            let (nodes, is_set) = match nodes {
                Nodes::One(i) => (vec![i], false),
                Nodes::Set(_, s) => {
                    let mut v = s.to_vec();
                    v.sort_by_key(|&i| self.mesh.node_ids[i]);
                    (v, true)
                }
            };
            terms.push(Term {
                nodes,
                is_set,
                component: dof as usize - 1,
                coefficient,
                loc: line.loc,
            });
        }
        Ok(())
    }

    /// The equations of one `*EQUATION` record: one, or one per node of its node sets. A
    /// set whose size differs from the first set's is refused at its own line.
    fn push_equations(&mut self, terms: &[Term]) -> Result<(), IoError> {
        let first_set = terms.iter().find(|t| t.is_set && t.nodes.len() != 1);
        let count = first_set.map_or(1, |t| t.nodes.len());
        if let Some(first) = first_set {
            for t in terms {
                if t.nodes.len() != count && t.nodes.len() != 1 {
                    return Err(self.err(
                        t.loc,
                        format!(
                            "*EQUATION: node sets in one equation must have the same number of nodes: this term's set has {}, the first set of the equation ({}) has {count}",
                            t.nodes.len(),
                            self.src.describe(first.loc)
                        ),
                    ));
                }
            }
        }
        for k in 0..count {
            let eq = terms
                .iter()
                .map(|t| {
                    (
                        if t.nodes.len() == 1 {
                            t.nodes[0]
                        } else {
                            t.nodes[k]
                        },
                        t.component,
                        t.coefficient,
                    )
                })
                .collect();
            self.equations.push(Equation { terms: eq });
        }
        Ok(())
    }

    /// `*TIE, NAME= [, POSITION TOLERANCE=]`: one line `slave surface, master surface`.
    pub(super) fn tie(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let name = kw
            .value("NAME")
            .map(|n| fields::unquote(n).to_string())
            .unwrap_or_else(|| format!("TIE-{}", self.ties.len() + 1));
        let tolerance = match kw.value("POSITION TOLERANCE") {
            None => None,
            Some(v) => {
                let t = fields::float(v, "POSITION TOLERANCE")
                    .map_err(|m| self.err(kw.loc, format!("*TIE: {m}")))?;
                if t < 0.0 {
                    return Err(self.err(
                        kw.loc,
                        format!("*TIE: POSITION TOLERANCE must be ≥ 0 mm, found {t}"),
                    ));
                }
                Some(t)
            }
        };
        // ADJUST=YES (CalculiX's default) moves the slave nodes onto the master surface;
        // ADJUST=NO ties them where they are. TYPE: node-to-surface either way.
        let adjust = match kw.value("ADJUST") {
            None => true,
            Some(v) if v.trim().eq_ignore_ascii_case("YES") => true,
            Some(v) if v.trim().eq_ignore_ascii_case("NO") => false,
            Some(v) => {
                return Err(self.err(
                    kw.loc,
                    format!("*TIE: ADJUST must be YES or NO, found '{}'", v.trim()),
                ));
            }
        };
        kw.ignore(&["TYPE", "NO ROTATION", "NO THICKNESS", "TIED"]);
        let Some(line) = cur.data()? else {
            return Err(self.err(
                kw.loc,
                format!("*TIE '{name}' needs a data line: slave surface, master surface"),
            ));
        };
        let f: Vec<&str> = fields::fields(line.text).collect();
        if f.len() != 2 || f.iter().any(|s| s.is_empty()) {
            return Err(self.err(
                line.loc,
                format!(
                    "*TIE '{name}': expected 'slave surface, master surface', found '{}'",
                    clip(line.text)
                ),
            ));
        }
        if let Some(more) = cur.data()? {
            return Err(self.err(
                more.loc,
                format!(
                    "*TIE '{name}' takes one data line; found another: '{}'",
                    clip(more.text)
                ),
            ));
        }
        self.ties.push(TieDef {
            name,
            slave: fields::name_key(f[0]),
            master: fields::name_key(f[1]),
            tolerance,
            adjust,
            loc: line.loc,
        });
        Ok(())
    }
}
