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

/// 1-based line of the header `[table]` in the TOML `text` (or of its first key when the
/// table is written inline or dotted), `None` when absent.
pub(crate) fn table_line(text: &str, table: &str) -> Option<usize> {
    text.lines()
        .position(|raw| {
            let line = strip_comment(raw).trim();
            line.strip_prefix('[')
                .and_then(|h| h.split(']').next())
                .is_some_and(|h| normalise(h) == table)
        })
        .map(|i| i + 1)
        .or_else(|| {
            text.lines()
                .position(|raw| {
                    strip_comment(raw)
                        .split_once('=')
                        .is_some_and(|(k, _)| normalise(k).split('.').next() == Some(table))
                })
                .map(|i| i + 1)
        })
}

/// `[patient_ct]` in a study file: not together with `[patient_mesh]`, and a known law and
/// a valid calibration; each error at its line of `text` (`file` names it).
pub(crate) fn check_patient_ct(
    study: &crate::Study,
    text: &str,
    file: &str,
) -> Result<(), crate::error::BiomechError> {
    let Some(ct) = &study.patient_ct else {
        return Ok(());
    };
    let at = |line: Option<usize>, message: String| crate::error::BiomechError::StudyFile {
        file: file.into(),
        line: line.unwrap_or(0),
        message,
    };
    if study.patient_mesh.is_some() {
        return Err(at(
            table_line(text, "patient_ct"),
            format!(
                "[patient_ct] and [patient_mesh] (line {}) both name the bone: keep one (a CT to mesh and map, or a mesh with its sets)",
                table_line(text, "patient_mesh").unwrap_or(0)
            ),
        ));
    }
    if let Err(e) = ct.mapping() {
        let line = key_line(text, "patient_ct.law")
            .filter(|_| osteon_imaging::ModulusLaw::from_name(&ct.law).is_err())
            .or_else(|| key_line(text, "patient_ct.calibration"));
        return Err(at(line, e.to_string()));
    }
    Ok(())
}

/// Make the paths of `[patient_ct]` relative to the study file `path` (whose text is
/// `text`) and check that they exist: a missing image or label map is an error at its line.
pub(crate) fn resolve_patient_ct(
    study: &mut crate::Study,
    path: &std::path::Path,
    text: &str,
) -> Result<(), crate::error::BiomechError> {
    let Some(ct) = &mut study.patient_ct else {
        return Ok(());
    };
    let dir = path.parent().unwrap_or(std::path::Path::new(""));
    for (key, file) in [
        ("patient_ct.image", Some(&mut ct.image)),
        ("patient_ct.labels", ct.labels.as_mut()),
    ] {
        let Some(file) = file else { continue };
        if file.is_relative() {
            *file = dir.join(&*file);
        }
        if !file.exists() {
            return Err(crate::error::BiomechError::StudyFile {
                file: path.display().to_string(),
                line: key_line(text, key).unwrap_or(0),
                message: format!(
                    "{key} = {}: no such file or folder (expected a DICOM series folder, a DICOM file or a NIfTI volume)",
                    file.display()
                ),
            });
        }
    }
    Ok(())
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
    fn table_headers_are_found() {
        assert_eq!(super::table_line(TEXT, "implant"), Some(4));
        assert_eq!(super::table_line(TEXT, "implant.flange"), Some(8));
        assert_eq!(super::table_line(TEXT, "patient_ct"), None);
        assert_eq!(
            super::table_line("a = 1\npatient_ct.image = \"x\"\n", "patient_ct"),
            Some(2)
        );
    }

    #[test]
    fn keys_not_set_and_comments_give_none() {
        assert_eq!(key_line(TEXT, "porosity"), None);
        assert_eq!(key_line(TEXT, "implant.fill_canal"), None);
        assert_eq!(key_line(TEXT, "defect.length_mm"), None);
    }
}
