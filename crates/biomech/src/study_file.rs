//! Where a key sits in a study file: the line of `implant.porosity` for messages.
//!
//! The TOML parser keeps no spans once the study is deserialised, and the checks that need
//! a line (out-of-range values, conflicting keys) run on the deserialised study. This scans
//! the text instead: `[table]` and `[[array]]` headers set the current table path, and a
//! line `key = ...` (bare, dotted or quoted key, or an inline table `implant = { porosity =
//! ... }`) inside it is the key `table.key`.

/// Deserialise the TOML `text` of `file`; a syntax or type error becomes
/// [`BiomechError::StudyFile`] with the line it points at (0 when the parser gives none).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, crate::error::BiomechError> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map_or(0, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        });
        crate::error::BiomechError::StudyFile {
            file: file.into(),
            line,
            message: e.message().trim().to_string(),
        }
    })
}

/// 1-based line of the key `path` (dot-separated, e.g. `implant.flange.enabled`) in the TOML
/// `text`, or `None` when the file does not set it (the default applies).
pub(crate) fn key_line(text: &str, path: &str) -> Option<usize> {
    let mut table = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_start_matches('[');
            let name = header.split(']').next().unwrap_or_default();
            table = normalise(name);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let full = join(&table, &normalise(key));
        if full == path {
            return Some(i + 1);
        }
        // an inline table: `implant = { porosity = 1.2, ... }`
        if let Some(rest) = path.strip_prefix(&format!("{full}."))
            && value.trim_start().starts_with('{')
            && value
                .trim_start()
                .trim_start_matches('{')
                .split(',')
                .any(|entry| {
                    entry
                        .split_once('=')
                        .is_some_and(|(k, _)| normalise(k) == rest)
                })
        {
            return Some(i + 1);
        }
    }
    None
}

/// The text before a `#` that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut in_string: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (in_string, c) {
            (None, '"' | '\'') => in_string = Some(c),
            (Some(q), c) if c == q => in_string = None,
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// A key or header without blanks around the dots and without quotes.
fn normalise(key: &str) -> String {
    key.split('.')
        .map(|part| part.trim().trim_matches('"').trim_matches('\''))
        .collect::<Vec<_>>()
        .join(".")
}

fn join(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::key_line;

    const TEXT: &str = "\
name = \"seed\" # porosity = 3 in a comment
threads = 2

[implant]
porosity = 1.2
\"modulus_mpa\" = 3000.0

[implant.flange]
enabled = false
[loads]
cases = [ { name = \"x\" } ]
support = { kind = \"distal\", length_mm = 40.0 }
";

    #[test]
    fn keys_are_found_in_tables_subtables_and_inline_tables() {
        assert_eq!(key_line(TEXT, "threads"), Some(2));
        assert_eq!(key_line(TEXT, "implant.porosity"), Some(5));
        assert_eq!(key_line(TEXT, "implant.modulus_mpa"), Some(6));
        assert_eq!(key_line(TEXT, "implant.flange.enabled"), Some(9));
        assert_eq!(key_line(TEXT, "loads.support.length_mm"), Some(12));
    }

    #[test]
    fn keys_not_set_and_comments_give_none() {
        assert_eq!(key_line(TEXT, "porosity"), None);
        assert_eq!(key_line(TEXT, "implant.fill_canal"), None);
        assert_eq!(key_line(TEXT, "defect.length_mm"), None);
    }
}
