//! A cursor over the bytes of a `.msh` file that reads ASCII tokens and little-endian binary
//! fields alike, and turns every failure into `file:line: what was expected`.
//!
//! Errors in ASCII data carry the line of the offending token. Errors in binary data carry
//! the line where the binary section starts (`$Nodes`, ...) and the byte offset in the file.

use std::path::Path;
use std::str::FromStr;

use crate::error::IoError;

pub(super) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    file: &'a Path,
    /// Inside a binary section: its name and the offset of its header line.
    binary_section: Option<(&'static str, usize)>,
    /// Bytes of a `size_t` in binary data (from `$MeshFormat`: 4 or 8).
    size_t: usize,
    /// Inside an ASCII record (one line): tokens must not cross the end of the line.
    inline: bool,
}

/// Show a token in a message: lossy UTF-8, at most 40 characters.
fn show(tok: &[u8]) -> String {
    let s = String::from_utf8_lossy(tok);
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.into_owned()
    }
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8], file: &'a Path) -> Self {
        Self {
            data,
            pos: 0,
            file,
            binary_section: None,
            size_t: 8,
            inline: false,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn set_size_t(&mut self, bytes: usize) {
        self.size_t = bytes;
    }

    /// Enter (`Some((name, header_offset))`) or leave (`None`) a binary section.
    pub fn set_binary_section(&mut self, section: Option<(&'static str, usize)>) {
        self.binary_section = section;
    }

    /// 1-based line number of byte `pos`.
    pub fn line_of(&self, pos: usize) -> usize {
        1 + self.data[..pos.min(self.data.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    /// An error at byte `pos`.
    pub fn error_at(&self, pos: usize, message: impl Into<String>) -> IoError {
        let message = message.into();
        match self.binary_section {
            Some((name, start)) => IoError::parse(
                self.file,
                self.line_of(start),
                format!("{message} (at byte offset {pos}, in the binary {name} section)"),
            ),
            None => IoError::parse(self.file, self.line_of(pos), message),
        }
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> IoError {
        self.error_at(self.pos, message)
    }

    fn skip_whitespace(&mut self) {
        if self.inline {
            while self.pos < self.data.len() && matches!(self.data[self.pos], b' ' | b'\t' | b'\r')
            {
                self.pos += 1;
            }
        } else {
            while self.pos < self.data.len() && self.data[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
        }
    }

    /// Start an ASCII record: the fields up to [`Cursor::end_record`] must be on one line.
    /// Does nothing in binary data.
    pub fn begin_record(&mut self, binary: bool) {
        if !binary {
            self.inline = false;
            self.skip_whitespace();
            self.inline = true;
        }
    }

    /// End an ASCII record: nothing but blanks may follow on its line.
    pub fn end_record(&mut self, binary: bool, what: &str) -> Result<(), IoError> {
        if binary {
            return Ok(());
        }
        self.skip_whitespace();
        self.inline = false;
        if self.pos < self.data.len() && self.data[self.pos] != b'\n' {
            let (tok, start) = self.token(what)?;
            return Err(self.error_at(start, format!("unexpected '{}' after {what}", show(tok))));
        }
        Ok(())
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.pos >= self.data.len()
    }

    /// The next whitespace-separated token and its offset.
    pub fn token(&mut self, what: &str) -> Result<(&'a [u8], usize), IoError> {
        self.skip_whitespace();
        if self.pos >= self.data.len() {
            self.inline = false;
            return Err(self.error(format!("unexpected end of file: expected {what}")));
        }
        if self.inline && self.data[self.pos] == b'\n' {
            self.inline = false;
            return Err(self.error(format!("unexpected end of line: expected {what}")));
        }
        let start = self.pos;
        while self.pos < self.data.len() && !self.data[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        Ok((&self.data[start..self.pos], start))
    }

    /// The next token, parsed as `T`.
    pub fn parse<T: FromStr>(&mut self, what: &str) -> Result<T, IoError> {
        let (tok, start) = self.token(what)?;
        std::str::from_utf8(tok)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| self.error_at(start, format!("expected {what}, found '{}'", show(tok))))
    }

    /// The next token as a finite real number.
    pub fn real(&mut self, what: &str) -> Result<f64, IoError> {
        let (tok, start) = self.token(what)?;
        match std::str::from_utf8(tok)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
        {
            Some(v) if v.is_finite() => Ok(v),
            Some(_) => Err(self.error_at(
                start,
                format!("expected {what} (a finite number), found '{}'", show(tok)),
            )),
            None => Err(self.error_at(start, format!("expected {what}, found '{}'", show(tok)))),
        }
    }

    /// The next token must be `keyword` (e.g. `$EndNodes`).
    pub fn expect(&mut self, keyword: &str) -> Result<(), IoError> {
        let (tok, start) = self.token(keyword)?;
        if tok == keyword.as_bytes() {
            Ok(())
        } else {
            Err(self.error_at(start, format!("expected {keyword}, found '{}'", show(tok))))
        }
    }

    /// A double-quoted string (`"Bone"`), as in `$PhysicalNames`.
    pub fn quoted(&mut self, what: &str) -> Result<String, IoError> {
        self.skip_whitespace();
        let start = self.pos;
        if self.data.get(self.pos) != Some(&b'"') {
            let (tok, _) = self.token(what)?;
            return Err(self.error_at(
                start,
                format!("expected {what} in double quotes, found '{}'", show(tok)),
            ));
        }
        let rest = &self.data[self.pos + 1..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\n')
            .filter(|&i| rest[i] == b'"')
            .ok_or_else(|| {
                self.error_at(
                    start,
                    format!("unterminated {what}: expected a closing '\"' on the same line"),
                )
            })?;
        let text = std::str::from_utf8(&rest[..len])
            .map_err(|_| self.error_at(start, format!("{what} is not valid UTF-8")))?;
        self.pos += len + 2;
        Ok(text.to_string())
    }

    /// Skip the rest of the current line, newline included (binary data starts after it).
    pub fn skip_line(&mut self) {
        while self.pos < self.data.len() {
            let b = self.data[self.pos];
            self.pos += 1;
            if b == b'\n' {
                break;
            }
        }
    }

    /// Skip to just after the line `$End<name>` (for sections the reader ignores).
    pub fn skip_section(&mut self, name: &str) -> Result<(), IoError> {
        let end = format!("$End{name}");
        let start = self.pos;
        let hay = &self.data[self.pos..];
        let found = hay.windows(end.len()).position(|w| w == end.as_bytes());
        match found {
            Some(i) => {
                self.pos += i + end.len();
                Ok(())
            }
            None => Err(self.error_at(start, format!("unexpected end of file: expected {end}"))),
        }
    }

    // ---- binary fields (little-endian) ----

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], IoError> {
        if self.remaining() < n {
            return Err(self.error(format!(
                "unexpected end of file: expected {what} ({n} bytes)"
            )));
        }
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    pub fn bin_i32(&mut self, what: &str) -> Result<i32, IoError> {
        let b = self.take(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn bin_f64(&mut self, what: &str) -> Result<f64, IoError> {
        let start = self.pos;
        let b = self.take(8, what)?;
        let v = f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.error_at(
                start,
                format!("expected {what} (a finite number), found {v}"),
            ))
        }
    }

    pub fn bin_size(&mut self, what: &str) -> Result<u64, IoError> {
        let b = self.take(self.size_t, what)?;
        Ok(if b.len() == 4 {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        } else {
            u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        })
    }

    /// Bytes of one `size_t`.
    pub fn size_t(&self) -> usize {
        self.size_t
    }

    // ---- fields that are ASCII tokens or binary values, as the file says ----

    /// A C `int` field.
    pub fn int(&mut self, binary: bool, what: &str) -> Result<i32, IoError> {
        if binary {
            self.bin_i32(what)
        } else {
            self.parse(what)
        }
    }

    /// A C `size_t` field (counts, node and element tags).
    pub fn size(&mut self, binary: bool, what: &str) -> Result<u64, IoError> {
        if binary {
            self.bin_size(what)
        } else {
            self.parse(what)
        }
    }

    /// A C `double` field, finite.
    pub fn double(&mut self, binary: bool, what: &str) -> Result<f64, IoError> {
        if binary {
            self.bin_f64(what)
        } else {
            self.real(what)
        }
    }

    /// A count read from the file, checked against the bytes left so that a corrupt count
    /// fails here instead of allocating: each item needs at least `min_bytes` bytes.
    pub fn count(&mut self, binary: bool, what: &str, min_bytes: usize) -> Result<usize, IoError> {
        let start = self.pos;
        let n = self.size(binary, what)?;
        let fits = usize::try_from(n).ok().filter(|&n| {
            n.checked_mul(min_bytes.max(1))
                .is_some_and(|b| b <= self.remaining())
        });
        fits.ok_or_else(|| self.error_at(start, format!("{what} = {n} is more than the rest of the file can hold (truncated or corrupt file?)")))
    }
}
