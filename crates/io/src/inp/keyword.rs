//! Keyword lines: `*NAME, PARAM=value, FLAG, ...`.
//!
//! Keyword and parameter names are case-insensitive and may contain spaces
//! (`*SOLID SECTION`, `POSITION TOLERANCE`); they are stored upper case with runs of
//! blanks collapsed to one space. Values keep their case (names of materials, file names);
//! a value in double quotes may contain commas. Every parameter a handler reads is marked,
//! so the reader can warn about the ones nobody understood.

use std::cell::Cell;

use super::fields::clip;
use super::source::Loc;

/// One `PARAM[=value]` of a keyword line.
#[derive(Debug)]
pub(crate) struct Param {
    /// Upper case, blanks collapsed.
    pub key: String,
    /// Trimmed, quotes removed; `None` for a flag without `=`.
    pub value: Option<String>,
    used: Cell<bool>,
}

/// A parsed keyword line.
#[derive(Debug)]
pub(crate) struct Keyword {
    /// Upper case, blanks collapsed, without the `*`.
    pub name: String,
    /// Where the line is.
    pub loc: Loc,
    params: Vec<Param>,
}

impl Keyword {
    /// Parse a keyword line (starting with `*`).
    pub fn parse(text: &str, loc: Loc) -> Result<Keyword, String> {
        let body = text.strip_prefix('*').ok_or_else(|| {
            format!(
                "expected a keyword line starting with '*', found '{}'",
                clip(text)
            )
        })?;
        if body.matches('"').count() % 2 == 1 {
            return Err(format!("unbalanced double quote in '{}'", clip(text)));
        }
        let mut parts = split_outside_quotes(body).into_iter();
        let name = normalize(parts.next().unwrap_or_default());
        if name.is_empty() {
            return Err(format!(
                "keyword line without a keyword name: '{}'",
                clip(text)
            ));
        }
        let mut keyword = Keyword {
            name,
            loc,
            params: Vec::new(),
        };
        for part in parts {
            keyword.push_param(part, text)?;
        }
        Ok(keyword)
    }

    /// Add the parameters of a continuation line (a keyword line ended with a comma).
    pub fn extend(&mut self, text: &str) -> Result<(), String> {
        if text.matches('"').count() % 2 == 1 {
            return Err(format!("unbalanced double quote in '{}'", clip(text)));
        }
        for part in split_outside_quotes(text) {
            self.push_param(part, text)?;
        }
        Ok(())
    }

    fn push_param(&mut self, part: &str, line: &str) -> Result<(), String> {
        if part.trim().is_empty() {
            return Ok(());
        }
        let (key, value) = match find_outside_quotes(part, '=') {
            Some(i) => (&part[..i], Some(unquote_value(&part[i + 1..]))),
            None => (part, None),
        };
        let key = normalize(key);
        if key.is_empty() {
            return Err(format!("parameter without a name in '{}'", clip(line)));
        }
        if self.params.iter().any(|p| p.key == key) {
            return Err(format!("parameter {key} given twice in '{}'", clip(line)));
        }
        self.params.push(Param {
            key,
            value,
            used: Cell::new(false),
        });
        Ok(())
    }

    fn find(&self, key: &str) -> Option<&Param> {
        let p = self.params.iter().find(|p| p.key == key)?;
        p.used.set(true);
        Some(p)
    }

    /// The value of `key` (as written, quotes removed), if the parameter is present with a value.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.find(key).and_then(|p| p.value.as_deref())
    }

    /// The value of `key`, normalised for comparison with an enumeration (upper case,
    /// blanks collapsed): `TYPE=engineering  constants` → `ENGINEERING CONSTANTS`.
    pub fn choice(&self, key: &str) -> Option<String> {
        self.value(key).map(normalize)
    }

    /// True when the parameter is present (with or without a value).
    pub fn has(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// True when `key` is given without a value, or with a value that is not `NO`.
    pub fn flag(&self, key: &str) -> bool {
        self.find(key).is_some_and(|p| {
            p.value
                .as_deref()
                .is_none_or(|v| !v.trim().eq_ignore_ascii_case("NO"))
        })
    }

    /// The value of a required parameter, or a message saying it is missing.
    pub fn require(&self, key: &str) -> Result<&str, String> {
        match self.value(key) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(format!("*{} needs the parameter {key}=", self.name)),
        }
    }

    /// Mark parameters that are understood and deliberately ignored.
    pub fn ignore(&self, keys: &[&str]) {
        for key in keys {
            self.find(key);
        }
    }

    /// Mark every parameter as understood.
    pub fn ignore_all(&self) {
        for p in &self.params {
            p.used.set(true);
        }
    }

    /// Parameters that no handler read.
    pub fn unused(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| !p.used.get())
    }
}

/// Upper case, surrounding blanks removed, inner runs of blanks collapsed to one space.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_ascii_uppercase());
    }
    out
}

fn unquote_value(text: &str) -> String {
    let t = text.trim();
    t.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(t)
        .to_string()
}

fn split_outside_quotes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn find_outside_quotes(text: &str, needle: char) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == needle && !quoted {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Loc = Loc { file: 0, line: 1 };

    #[test]
    fn names_and_parameters_are_normalised() {
        let k = Keyword::parse("*Elastic , type = Engineering   Constants,", AT).expect("parse");
        assert_eq!(k.name, "ELASTIC");
        assert_eq!(k.choice("TYPE").as_deref(), Some("ENGINEERING CONSTANTS"));
        let k = Keyword::parse(
            "*solid  section, elset=Bone-1, Material=\"Cortical, wet\"",
            AT,
        )
        .expect("parse");
        assert_eq!(k.name, "SOLID SECTION");
        assert_eq!(k.value("ELSET"), Some("Bone-1"));
        assert_eq!(k.value("MATERIAL"), Some("Cortical, wet"));
        assert_eq!(k.unused().count(), 0);
        let k = Keyword::parse("*TIE, NAME=t1, POSITION  TOLERANCE=0.05, ADJUST=no", AT)
            .expect("parse");
        assert_eq!(k.value("POSITION TOLERANCE"), Some("0.05"));
        assert!(!k.flag("ADJUST"));
        assert_eq!(
            k.unused().map(|p| p.key.as_str()).collect::<Vec<_>>(),
            ["NAME"]
        );
    }

    #[test]
    fn flags_and_continuations() {
        let mut k = Keyword::parse("*NSET, NSET=left, generate,", AT).expect("parse");
        assert!(k.flag("GENERATE"));
        assert!(k.value("GENERATE").is_none());
        k.extend("unsorted").expect("extend");
        assert!(k.has("UNSORTED"));
        assert_eq!(k.require("NSET"), Ok("left"));
        assert!(
            k.require("ELSET")
                .is_err_and(|m| m.contains("*NSET needs the parameter ELSET="))
        );
        let k = Keyword::parse("*END STEP", AT).expect("parse");
        assert_eq!(k.name, "END STEP");
        let k = Keyword::parse("*end   step", AT).expect("parse");
        assert_eq!(k.name, "END STEP");
    }

    #[test]
    fn malformed_keyword_lines_are_refused() {
        assert!(Keyword::parse("*", AT).is_err());
        assert!(Keyword::parse("* , TYPE=C3D4", AT).is_err());
        assert!(Keyword::parse("*NODE, =3", AT).is_err());
        assert!(Keyword::parse("*NODE, NSET=A, nset=B", AT).is_err_and(|m| m.contains("twice")));
        assert!(Keyword::parse("NODE", AT).is_err());
        assert!(Keyword::parse("*MATERIAL, NAME=\"STEEL", AT).is_err_and(|m| m.contains("quote")));
    }
}
