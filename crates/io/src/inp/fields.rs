//! Data-line fields: comma-separated, trimmed, parsed from `&str` slices without
//! allocating. Trailing commas are dropped (they only mark a continued record); empty
//! fields inside a line are kept, because they mean "default" in some keywords.

/// The fields of one data line.
#[derive(Clone, Debug)]
pub(crate) struct Fields<'a> {
    split: Option<std::str::Split<'a, char>>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.split.as_mut()?.next().map(str::trim)
    }
}

/// Split a data line into trimmed fields, trailing commas dropped.
pub(crate) fn fields(text: &str) -> Fields<'_> {
    let body = text.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
    Fields {
        split: (!body.is_empty()).then(|| body.split(',')),
    }
}

/// True when a data line ends with a comma: in Abaqus, the record continues on the next line.
pub(crate) fn ends_with_comma(text: &str) -> bool {
    text.trim_end().ends_with(',')
}

/// Parse an integer field; `what` names the field in the message.
pub(crate) fn int(field: &str, what: &str) -> Result<i64, String> {
    if field.is_empty() {
        return Err(format!(
            "expected {what} (an integer), found an empty field"
        ));
    }
    field
        .parse::<i64>()
        .map_err(|_| format!("expected {what} (an integer), found '{}'", clip(field)))
}

/// Parse a positive id (node or element number).
pub(crate) fn id(field: &str, what: &str) -> Result<i64, String> {
    let v = int(field, what)?;
    if v <= 0 {
        return Err(format!(
            "expected {what} (a positive integer), found '{}'",
            clip(field)
        ));
    }
    Ok(v)
}

/// Parse a real field; NaN and infinities are refused. Fortran `D` exponents are accepted.
pub(crate) fn float(field: &str, what: &str) -> Result<f64, String> {
    if field.is_empty() {
        return Err(format!("expected {what} (a number), found an empty field"));
    }
    let value = match field.parse::<f64>() {
        Ok(v) => v,
        Err(_) if field.contains(['d', 'D']) => field
            .replace(['d', 'D'], "e")
            .parse::<f64>()
            .map_err(|_| format!("expected {what} (a number), found '{}'", clip(field)))?,
        Err(_) => {
            return Err(format!(
                "expected {what} (a number), found '{}'",
                clip(field)
            ));
        }
    };
    if !value.is_finite() {
        return Err(format!(
            "{what} must be a finite number, found '{}'",
            clip(field)
        ));
    }
    Ok(value)
}

/// Parse a real field that may be empty (then `default`).
pub(crate) fn float_or(field: Option<&str>, default: f64, what: &str) -> Result<f64, String> {
    match field {
        None | Some("") => Ok(default),
        Some(f) => float(f, what),
    }
}

/// True when a field is a number (an id) rather than a name.
pub(crate) fn is_integer(field: &str) -> bool {
    let digits = field.strip_prefix(['+', '-']).unwrap_or(field);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A set or surface name as stored: quotes removed, upper case (Abaqus names are
/// case-insensitive).
pub(crate) fn name_key(field: &str) -> String {
    unquote(field).to_ascii_uppercase()
}

/// Remove surrounding double quotes.
pub(crate) fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(f)
}

/// A piece of input text for a message: at most 80 characters, control characters shown
/// as `?`.
pub(crate) fn clip(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_trailing_commas_dropped() {
        assert_eq!(
            fields(" 1,  2.5 ,x ,").collect::<Vec<_>>(),
            ["1", "2.5", "x"]
        );
        assert_eq!(fields("1,,3").collect::<Vec<_>>(), ["1", "", "3"]);
        assert_eq!(fields("7, 8,\t, ").collect::<Vec<_>>(), ["7", "8"]);
        assert_eq!(fields("").count(), 0);
        assert_eq!(fields(" , ,").count(), 0);
        assert_eq!(fields("NALL").collect::<Vec<_>>(), ["NALL"]);
        assert!(ends_with_comma("1, 2, 3, "));
        assert!(!ends_with_comma("1, 2, 3"));
    }

    #[test]
    fn numbers_parse_strictly() {
        assert_eq!(int(" 12".trim(), "node id"), Ok(12));
        assert!(int("1.0", "node id").is_err_and(|m| m.contains("'1.0'") && m.contains("node id")));
        assert!(int("", "dof").is_err_and(|m| m.contains("empty")));
        assert!(id("0", "node id").is_err_and(|m| m.contains("positive")));
        assert_eq!(float("1.", "x"), Ok(1.0));
        assert_eq!(float(".5", "x"), Ok(0.5));
        assert_eq!(float("-2.5E+03", "x"), Ok(-2500.0));
        assert_eq!(float("1.e3", "x"), Ok(1000.0));
        assert_eq!(float("1.5D3", "x"), Ok(1500.0));
        assert_eq!(float("7", "x"), Ok(7.0));
        for bad in ["nan", "NaN", "inf", "-Infinity", "1e999"] {
            assert!(
                float(bad, "E").is_err_and(|m| m.contains("finite")),
                "{bad}"
            );
        }
        assert!(float("abc", "E").is_err_and(|m| m.contains("'abc'")));
        assert!(float("1.2.3", "E").is_err());
        assert_eq!(float_or(Some(""), 4.0, "v"), Ok(4.0));
        assert_eq!(float_or(None, 4.0, "v"), Ok(4.0));
        assert!(
            is_integer("12")
                && is_integer("-3")
                && !is_integer("N12")
                && !is_integer("")
                && !is_integer("+")
        );
        assert_eq!(name_key("\"Set-1\""), "SET-1");
        assert_eq!(clip("a\u{0}b"), "a?b");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), 81);
    }
}
