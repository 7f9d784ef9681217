//! Positions and diagnostics: every problem found in a rule file is reported as
//! `file:line:column: level: message`.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A place in a rule file; line and column count from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pos {
    #[serde(serialize_with = "serialize_arc_str")]
    pub file: Arc<str>,
    pub line: usize,
    pub col: usize,
}

fn serialize_arc_str<S: serde::Serializer>(s: &Arc<str>, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s)
}

impl Pos {
    pub fn new(file: &Arc<str>, line: usize, col: usize) -> Self {
        Self {
            file: Arc::clone(file),
            line,
            col,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub pos: Pos,
    pub level: Level,
    pub message: String,
    /// Set when the problem is a field this event source does not provide: the rule is
    /// skipped, the rest of the file still loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsupported_field: Option<String>,
}

impl Diagnostic {
    pub fn error(pos: Pos, message: impl Into<String>) -> Self {
        Self {
            pos,
            level: Level::Error,
            message: message.into(),
            unsupported_field: None,
        }
    }

    pub fn warning(pos: Pos, message: impl Into<String>) -> Self {
        Self {
            pos,
            level: Level::Warning,
            message: message.into(),
            unsupported_field: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{}: {level}: {}", self.pos, self.message)
    }
}

/// A string from a rule file that remembers where it came from, so that an error at any
/// offset inside it (a condition token, an output field) maps back to its line and column,
/// whatever the YAML scalar style (plain, quoted, folded, literal).
#[derive(Debug, Clone)]
pub struct Text {
    pub value: String,
    /// Where the scalar node starts.
    pub pos: Pos,
    /// The node's source text, from its first character to its last.
    pub raw: String,
}

impl Text {
    /// Position of the character at byte `offset` of `value`. Walks the value and the raw
    /// source together: every non-blank character of the value appears in the source in order;
    /// what lies between (quotes, indentation, folded line breaks, a block header) is skipped.
    pub fn pos_at(&self, offset: usize) -> Pos {
        let mut line = self.pos.line;
        let mut col = self.pos.col;
        let mut raw = self.raw.chars().peekable();
        // A block scalar's content starts on the line after its `|` or `>` header.
        if matches!(raw.peek(), Some('|') | Some('>')) {
            for c in raw.by_ref() {
                if c == '\n' {
                    line += 1;
                    col = 1;
                    break;
                }
                col += 1;
            }
        }
        let target = offset.min(self.value.len());
        for (i, want) in self.value.char_indices() {
            if want.is_whitespace() {
                if i >= target {
                    break;
                }
                continue;
            }
            // Advance the raw cursor to the next occurrence of this character.
            loop {
                match raw.peek() {
                    None => return Pos::new(&self.pos.file, line, col),
                    Some(&c) if c == want => break,
                    Some(&c) => {
                        raw.next();
                        if c == '\n' {
                            line += 1;
                            col = 1;
                        } else {
                            col += 1;
                        }
                    }
                }
            }
            if i >= target {
                break;
            }
            raw.next();
            col += 1;
        }
        Pos::new(&self.pos.file, line, col)
    }
}
