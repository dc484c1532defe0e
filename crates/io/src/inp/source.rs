//! The line source: the deck and every file it `*INCLUDE`s, decoded, split into lines and
//! classified (keyword or data; comments and blank lines dropped), in reading order.
//!
//! Includes are expanded here, before any keyword is interpreted, so an `*INCLUDE` may
//! stand anywhere — between keywords, or in the middle of a keyword's data lines (e.g.
//! `*NODE` followed by `*INCLUDE, INPUT=nodes.inp` holding only data lines). Every line
//! keeps its own file and 1-based line number for messages.

use std::path::{Path, PathBuf};

use crate::error::IoError;

use super::keyword::Keyword;

/// Deepest `*INCLUDE` nesting accepted (a cycle is reported before this). Generated decks
/// nest one include per part or step; 100 levels is far beyond them and still a shallow
/// recursion.
const MAX_INCLUDE_DEPTH: usize = 100;

/// Where a line is: index into [`Sources::files`] and 1-based line number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    /// Index of the file in [`Sources::files`].
    pub file: u32,
    /// 1-based line number (0: the file as a whole).
    pub line: u32,
}

/// A keyword line (starts with `*`) or a data line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineKind {
    Keyword,
    Data,
}

/// One significant line: where it is and the byte range of its trimmed text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineRef {
    pub loc: Loc,
    start: usize,
    end: usize,
    pub kind: LineKind,
    /// The line was not valid UTF-8 (decoded lossily); an error if it is ever parsed.
    pub not_text: bool,
}

/// A file read for the deck.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// The path as given (the deck) or as resolved (includes).
    pub path: PathBuf,
    text: String,
    /// Some bytes were not UTF-8 and were replaced.
    lossy: bool,
}

/// All files of a deck and the significant lines in reading order.
#[derive(Debug)]
pub(crate) struct Sources {
    pub files: Vec<SourceFile>,
    pub lines: Vec<LineRef>,
}

impl Sources {
    /// Read the deck at `path` from disk and expand its includes.
    pub fn read(path: &Path) -> Result<Self, IoError> {
        let bytes = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
        Self::from_bytes(&bytes, path)
    }

    /// Decode `bytes` as the deck at `path` (includes resolve relative to its folder).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, IoError> {
        let mut sources = Sources {
            files: Vec::new(),
            lines: Vec::new(),
        };
        let (text, lossy) = decode(bytes, path)?;
        sources.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            lossy,
        });
        let mut stack = vec![identity(path)];
        sources.expand(0, &mut stack)?;
        Ok(sources)
    }

    /// The trimmed text of a line.
    pub fn text(&self, line: &LineRef) -> &str {
        &self.files[line.loc.file as usize].text[line.start..line.end]
    }

    /// The path of the file of `loc`.
    pub fn path(&self, loc: Loc) -> &Path {
        &self.files[loc.file as usize].path
    }

    /// A parse error at `loc`.
    pub fn error(&self, loc: Loc, message: impl Into<String>) -> IoError {
        IoError::parse(self.path(loc), loc.line as usize, message)
    }

    /// `file:line` of `loc`, for messages that point at a second place.
    pub fn describe(&self, loc: Loc) -> String {
        format!("{}:{}", self.path(loc).display(), loc.line)
    }

    /// Split file `file` into lines, append them, and expand its `*INCLUDE`s recursively.
    fn expand(&mut self, file: u32, stack: &mut Vec<PathBuf>) -> Result<(), IoError> {
        let mut pos = 0;
        let mut number: u32 = 0;
        loop {
            let (start, end, next, lossy) = {
                let f = &self.files[file as usize];
                let text = f.text.as_str();
                if pos >= text.len() {
                    break;
                }
                let stop = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                let raw = &text[pos..stop];
                let trimmed_start = raw.len() - raw.trim_start().len();
                let trimmed = raw.trim();
                (
                    pos + trimmed_start,
                    pos + trimmed_start + trimmed.len(),
                    stop + 1,
                    f.lossy,
                )
            };
            pos = next;
            number = number.saturating_add(1);
            if start == end {
                continue;
            }
            let loc = Loc { file, line: number };
            let text = &self.files[file as usize].text[start..end];
            if text.starts_with("**") {
                continue;
            }
            let not_text = lossy && text.contains('\u{FFFD}');
            if text.starts_with('*') {
                if !not_text && is_include(text) {
                    let line = text.to_string();
                    self.include(loc, &line, stack)?;
                    continue;
                }
                self.lines.push(LineRef {
                    loc,
                    start,
                    end,
                    kind: LineKind::Keyword,
                    not_text,
                });
            } else {
                self.lines.push(LineRef {
                    loc,
                    start,
                    end,
                    kind: LineKind::Data,
                    not_text,
                });
            }
        }
        Ok(())
    }

    /// Handle the `*INCLUDE` line at `loc`: read the file and expand it in place.
    fn include(&mut self, loc: Loc, line: &str, stack: &mut Vec<PathBuf>) -> Result<(), IoError> {
        let keyword = Keyword::parse(line, loc).map_err(|m| self.error(loc, m))?;
        let Some(input) = keyword.value("INPUT") else {
            return Err(self.error(loc, format!("*INCLUDE needs INPUT=<file>, found '{line}'")));
        };
        if input.is_empty() {
            return Err(self.error(loc, "*INCLUDE: INPUT= is empty; expected a file name"));
        }
        let base = self.path(loc).parent().unwrap_or(Path::new(""));
        let path = base.join(input);
        let id = identity(&path);
        if let Some(start) = stack.iter().position(|open| *open == id) {
            // the chain from the file that starts the cycle back to itself
            let chain: Vec<String> = stack[start..]
                .iter()
                .chain(std::iter::once(&id))
                .map(|p| {
                    p.file_name()
                        .map_or_else(|| p.display().to_string(), |f| f.to_string_lossy().into())
                })
                .collect();
            return Err(self.error(
                loc,
                format!(
                    "*INCLUDE of '{}' is an include cycle: {} ('{}' starts it and is included again while it is being read)",
                    path.display(),
                    chain.join(" → "),
                    stack[start].display()
                ),
            ));
        }
        // the stack holds the deck itself and every open include
        if stack.len() > MAX_INCLUDE_DEPTH {
            return Err(self.error(
                loc,
                format!("*INCLUDE nested deeper than {MAX_INCLUDE_DEPTH} files"),
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            self.error(loc, format!("*INCLUDE: cannot read '{}' (INPUT={input}, relative to the including file): {e}", path.display()))
        })?;
        let (text, lossy) = decode(&bytes, &path)?;
        let file = u32::try_from(self.files.len())
            .map_err(|_| self.error(loc, "too many included files"))?;
        self.files.push(SourceFile { path, text, lossy });
        stack.push(id);
        let result = self.expand(file, stack);
        stack.pop();
        result
    }
}

/// True for a keyword line naming `*INCLUDE`.
fn is_include(text: &str) -> bool {
    let name = text[1..].split(',').next().unwrap_or_default();
    name.trim().eq_ignore_ascii_case("INCLUDE")
}

/// A path as compared for include cycles (canonical when it exists).
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Decode a file: refuse binary data (NUL bytes) with its line; accept UTF-8 (a BOM is
/// dropped); decode anything else lossily and remember that, so a line that is not text
/// is an error only if a keyword actually reads it (a Latin-1 `°` in a comment or in
/// `*HEADING` text is harmless).
fn decode(bytes: &[u8], path: &Path) -> Result<(String, bool), IoError> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..nul].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(IoError::parse(
            path,
            line,
            format!("binary data (a NUL byte at byte offset {nul}): this is not a text .inp deck"),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), false)),
        Err(_) => Ok((String::from_utf8_lossy(bytes).into_owned(), true)),
    }
}

/// Reads the lines in order: one keyword at a time, then its data lines.
pub(crate) struct Cursor<'a> {
    src: &'a Sources,
    pos: usize,
}

/// A data line: where it is and its trimmed text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DataLine<'a> {
    pub loc: Loc,
    pub text: &'a str,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a Sources) -> Self {
        Self { src, pos: 0 }
    }

    /// The next line of any kind, consumed.
    pub fn next_line(&mut self) -> Option<&'a LineRef> {
        let line = self.src.lines.get(self.pos)?;
        self.pos += 1;
        Some(line)
    }

    /// The next line, not consumed.
    pub fn peek(&self) -> Option<&'a LineRef> {
        self.src.lines.get(self.pos)
    }

    /// The next data line of the current keyword, consumed; `None` at the next keyword or
    /// the end. A line that is not text is an error here.
    pub fn data(&mut self) -> Result<Option<DataLine<'a>>, IoError> {
        match self.src.lines.get(self.pos) {
            Some(line) if line.kind == LineKind::Data => {
                self.pos += 1;
                if line.not_text {
                    return Err(self.src.error(
                        line.loc,
                        "this line is not valid UTF-8 text (binary data or a non-UTF-8 encoding); expected a data line of numbers and names",
                    ));
                }
                Ok(Some(DataLine {
                    loc: line.loc,
                    text: self.src.text(line),
                }))
            }
            _ => Ok(None),
        }
    }

    /// Skip the data lines of the current keyword; returns how many.
    pub fn skip_data(&mut self) -> usize {
        let mut n = 0;
        while self
            .src
            .lines
            .get(self.pos)
            .is_some_and(|l| l.kind == LineKind::Data)
        {
            self.pos += 1;
            n += 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &[u8]) -> Vec<(u32, LineKind, String)> {
        let src = Sources::from_bytes(text, Path::new("t.inp")).expect("decode");
        src.lines
            .iter()
            .map(|l| (l.loc.line, l.kind, src.text(l).to_string()))
            .collect()
    }

    #[test]
    fn comments_and_blank_lines_are_dropped_and_lines_trimmed() {
        let lines = classify(b"** comment\n\n*NODE, NSET=A\r\n  1, 0, 0, 0  \r\n\t\n**\n*End Step");
        assert_eq!(
            lines,
            [
                (3, LineKind::Keyword, "*NODE, NSET=A".to_string()),
                (4, LineKind::Data, "1, 0, 0, 0".to_string()),
                (7, LineKind::Keyword, "*End Step".to_string()),
            ]
        );
    }

    #[test]
    fn a_bom_is_dropped_and_latin1_is_only_fatal_where_read() {
        let lines = classify(b"\xEF\xBB\xBF*HEADING\n");
        assert_eq!(lines[0].2, "*HEADING");
        let src = Sources::from_bytes(
            b"** Temperatur 20\xB0C\n*HEADING\nBone 37\xB0C\n*NODE\n1, 0, 0, 0\n",
            Path::new("t.inp"),
        )
        .expect("decode");
        assert_eq!(src.lines.len(), 4);
        assert!(src.lines[1].not_text, "the heading line is flagged");
        assert!(!src.lines[3].not_text);
        let mut cur = Cursor::new(&src);
        assert!(cur.next_line().is_some());
        assert!(
            cur.data().is_err(),
            "reading the flagged line as data is an error"
        );
    }

    #[test]
    fn binary_data_is_refused_with_its_line() {
        let err = Sources::from_bytes(b"*NODE\n1, 0, 0, 0\n\x00\x01\x02", Path::new("b.inp"))
            .expect_err("binary");
        assert!(matches!(err, IoError::Parse { line: 3, .. }), "{err}");
    }

    #[test]
    fn include_lines_are_recognised() {
        assert!(is_include("*INCLUDE, INPUT=a.inp"));
        assert!(is_include("*include ,input=a.inp"));
        assert!(is_include("*Include"));
        assert!(!is_include("*INCLUDED, INPUT=a.inp"));
        assert!(!is_include("*NODE"));
    }

    #[test]
    fn the_cursor_reads_a_keyword_then_its_data() {
        let src =
            Sources::from_bytes(b"*A\n1\n2\n*B\n*C\n3\n", Path::new("t.inp")).expect("decode");
        let mut cur = Cursor::new(&src);
        assert_eq!(cur.next_line().map(|l| l.kind), Some(LineKind::Keyword));
        assert_eq!(cur.data().ok().flatten().map(|d| d.text), Some("1"));
        assert_eq!(cur.skip_data(), 1);
        assert!(cur.data().ok().flatten().is_none());
        assert_eq!(cur.next_line().map(|l| l.loc.line), Some(4));
        assert_eq!(cur.next_line().map(|l| l.loc.line), Some(5));
        assert_eq!(cur.peek().map(|l| l.kind), Some(LineKind::Data));
    }
}
