//! Helpers shared by the reader tests that feed malformed input and check the error.

use std::path::Path;

use osteon_io::IoError;

/// `text` with its 1-based line `n` replaced by `new` (every line ends in a newline).
pub fn replace_line(text: &str, n: usize, new: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                format!("{new}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// The (line, message) of the parse error `result` must be, naming `file`; panics on
/// success (showing `input`) or on another kind of error.
pub fn parse_error<T>(result: Result<T, IoError>, file: &Path, input: &str) -> (usize, String) {
    match result {
        Err(IoError::Parse {
            file: f,
            line,
            message,
        }) => {
            assert_eq!(f, file);
            (line, message)
        }
        Err(other) => panic!("expected a parse error, got {other}"),
        Ok(_) => panic!("expected an error for:\n{input}"),
    }
}
