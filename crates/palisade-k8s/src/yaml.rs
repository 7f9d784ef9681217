//! YAML (and JSON) text → documents of `serde_json::Value`, each with a tree of source lines.
//!
//! Built on `saphyr-parser`'s event stream (a YAML 1.2 parser written to return errors, not
//! panic, on malformed input), with our own bounded tree builder: nesting depth, node count
//! (aliases count every node they expand to, so "billion laughs" stops early) and scalar size
//! are capped. Plain scalars are resolved the way Kubernetes' YAML decoder (go-yaml v2 behind
//! `sigs.k8s.io/yaml`) resolves them: YAML 1.1 booleans (`yes`, `on`, ...), `0777` octal,
//! `~` and `null`, merge keys (`<<`); duplicate keys are an error, as `kubectl` reports.
//!
//! When a document is malformed, parsing restarts at the next `---` line after the error, so
//! one bad document does not hide the good ones in the same file.
//!
//! go-yaml (and libyaml, which it ports) is more lenient than `saphyr-parser` in three places
//! that real manifests use: the continuation lines of a quoted scalar and the lines of a flow
//! collection at any indentation (a `description: "...` continued at the key's own column is
//! common in published policy libraries), and a tab after a mapping's `:`. When the parser
//! refuses a document for one of these reasons alone, the text is mended without changing its
//! value or its lines (leading blanks of those lines are not content; a separating tab becomes
//! a space) and the document is parsed again, a bounded number of times
//! (`tests/yaml_differential.rs` checks the result against libyaml).

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use crate::lines::Lines;

/// Limits on one document. Defaults suit real manifests by orders of magnitude.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Nodes in one document, counting every node an alias expands to.
    pub max_nodes: usize,
    /// Documents in one file.
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 100,
            max_nodes: 1_000_000,
            max_documents: 100_000,
        }
    }
}

/// One YAML document: its value, the line of its first token, and where every field is.
#[derive(Debug, Clone)]
pub struct Document {
    pub line: u32,
    pub value: Value,
    pub lines: Lines,
}

/// A document that could not be read, with the 1-based line of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub line: u32,
    pub message: String,
}

/// Every document of a YAML stream (JSON is YAML too), in order, and the errors met on the way.
pub fn parse_stream(text: &str, limits: &Limits) -> (Vec<Document>, Vec<DocError>) {
    let mut text = Cow::Borrowed(text);
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut offset_bytes = 0usize;
    let mut offset_lines = 0u32;
    let mut reindented = 0usize;
    loop {
        let rest = &text[offset_bytes..];
        let failure = match parse_from(rest, offset_lines, limits, &mut docs) {
            Ok(()) => break,
            Err(failure) => failure,
        };
        let fixed = match &failure {
            Failure::Lenient { leniency, at, .. } if reindented < MAX_REINDENTS => {
                leniency.mend(rest, *at)
            }
            _ => None,
        };
        let err = failure.into_error();
        if let Some(fixed) = fixed {
            // Parse again from the start of the document holding the scalar; the documents
            // before it are complete and kept.
            let (bytes, lines) = document_start_before(rest, err.line - offset_lines);
            let first_line_again = offset_lines + lines + 1;
            while docs.last().is_some_and(|d| d.line >= first_line_again) {
                docs.pop();
            }
            reindented = if bytes > 0 { 1 } else { reindented + 1 };
            let mut patched = String::with_capacity(offset_bytes + fixed.len());
            patched.push_str(&text[..offset_bytes]);
            patched.push_str(&fixed);
            text = Cow::Owned(patched);
            offset_bytes += bytes;
            offset_lines += lines;
            continue;
        }
        reindented = 0;
        let error_line = err.line;
        errors.push(err);
        if docs.len() >= limits.max_documents {
            break;
        }
        // Resume at the first `---` line after the error.
        let Some((bytes, lines)) =
            next_document_marker(rest, error_line.saturating_sub(offset_lines))
        else {
            break;
        };
        offset_bytes += bytes;
        offset_lines += lines;
    }
    (docs, errors)
}

/// Mends of one document before its error stands: each costs a parse of the document, so a
/// hostile file cannot make parsing quadratic without bound.
const MAX_REINDENTS: usize = 64;

/// Why `parse_from` stopped.
enum Failure {
    /// A refusal go-yaml would not make; `at` is the parser's mark, in characters.
    Lenient {
        error: DocError,
        leniency: Leniency,
        at: usize,
    },
    Other(DocError),
}

impl Failure {
    fn from_scan_error(error: DocError, info: &str, at: usize) -> Self {
        let leniency = match info {
            "invalid indentation in quoted scalar" => Leniency::QuotedScalarIndent,
            "invalid indentation in flow construct" => Leniency::FlowIndent,
            "':' must be followed by a valid YAML whitespace" => Leniency::TabAfterColon,
            _ => return Self::Other(error),
        };
        Self::Lenient {
            error,
            leniency,
            at,
        }
    }

    fn into_error(self) -> DocError {
        match self {
            Self::Lenient { error, .. } | Self::Other(error) => error,
        }
    }
}

/// Where go-yaml accepts what `saphyr-parser` refuses.
#[derive(Clone, Copy)]
enum Leniency {
    /// Continuation lines of a quoted scalar at or left of the enclosing block's column; the
    /// mark is the opening quote.
    QuotedScalarIndent,
    /// A line of a flow collection at or left of the enclosing block's column; the mark is the
    /// first token of that line.
    FlowIndent,
    /// `key:<TAB>value`; the mark is the value.
    TabAfterColon,
}

impl Leniency {
    /// `text` mended so that the parser accepts this spot, with the same value and lines.
    fn mend(self, text: &str, at: usize) -> Option<String> {
        match self {
            Self::QuotedScalarIndent => reindent_quoted_scalar(text, at),
            Self::FlowIndent => reindent_flow_line(text, at),
            Self::TabAfterColon => untab_separator(text, at),
        }
    }
}

/// The line holding character `at` indented one column past the previous non-blank line (the
/// blanks leading a line inside a flow collection only separate tokens).
fn reindent_flow_line(text: &str, at: usize) -> Option<String> {
    let (byte, _) = text.char_indices().nth(at)?;
    let line_start = text[..byte].rfind('\n').map_or(0, |nl| nl + 1);
    let column = text[line_start..byte].chars().count();
    let previous_indent = text[..line_start]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start_matches([' ', '\t']).len());
    let pad = (previous_indent + 1).saturating_sub(column).max(1);
    let mut out = String::with_capacity(text.len() + pad);
    out.push_str(&text[..line_start]);
    out.extend(std::iter::repeat_n(' ', pad));
    out.push_str(&text[line_start..]);
    Some(out)
}

/// The tabs between a mapping's `:` and the value at character `at` turned into spaces.
fn untab_separator(text: &str, at: usize) -> Option<String> {
    let (byte, _) = text.char_indices().nth(at)?;
    let tabs = text[..byte].len() - text[..byte].trim_end_matches([' ', '\t']).len();
    let start = byte - tabs;
    if !text[..start].ends_with(':') || !text[start..byte].contains('\t') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(std::iter::repeat_n(' ', tabs));
    out.push_str(&text[byte..]);
    Some(out)
}

impl From<DocError> for Failure {
    fn from(error: DocError) -> Self {
        Self::Other(error)
    }
}

/// Byte offset and line count (0-based) of the start of the document holding 1-based line
/// `line` of `text`: its `---` line, or the start of `text`.
fn document_start_before(text: &str, line: u32) -> (usize, u32) {
    let mut pos = 0usize;
    let mut found = (0, 0);
    for (index, text_line) in text.split_inclusive('\n').enumerate() {
        if index as u32 + 1 > line {
            break;
        }
        if is_document_marker(text_line) {
            found = (pos, index as u32);
        }
        pos += text_line.len();
    }
    found
}

/// `text` with the continuation lines of the quoted scalar whose opening quote is character
/// `quote_at` indented past that quote. Leading blanks of a quoted scalar's lines are not part
/// of its value, so the value is unchanged. `None` when there is no such scalar, it does not
/// end, or a continuation line is a document marker (an error in go-yaml too).
fn reindent_quoted_scalar(text: &str, quote_at: usize) -> Option<String> {
    let (start, quote) = text.char_indices().nth(quote_at)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let column = text[..start]
        .rfind('\n')
        .map_or(&text[..start], |nl| &text[nl + 1..start])
        .chars()
        .count();
    let mut line_starts = Vec::new();
    let mut chars = text[start + 1..].char_indices();
    let end = loop {
        let (i, c) = chars.next()?;
        match c {
            '\\' if quote == '"' => {
                // An escaped line break continues the scalar on the next line too.
                match chars.next() {
                    Some((j, '\n')) => line_starts.push(start + 1 + j + 1),
                    Some((_, '\r')) if text[start + 1 + i + 2..].starts_with('\n') => {
                        let (j, _) = chars.next()?;
                        line_starts.push(start + 1 + j + 1);
                    }
                    _ => {}
                }
            }
            '\'' if quote == '\'' => {
                if text[start + 1 + i + 1..].starts_with('\'') {
                    chars.next();
                } else {
                    break start + 1 + i;
                }
            }
            '"' if quote == '"' => break start + 1 + i,
            '\n' => line_starts.push(start + 1 + i + 1),
            _ => {}
        }
    };
    if line_starts
        .iter()
        .any(|&at| is_document_marker(&text[at..]) || text[at..].starts_with("..."))
    {
        return None;
    }
    let pad = " ".repeat(column + 1);
    let mut out = String::with_capacity(text.len() + line_starts.len() * pad.len());
    let mut copied = 0;
    for at in line_starts {
        out.push_str(&text[copied..at]);
        out.push_str(&pad);
        copied = at;
    }
    debug_assert!(copied <= end);
    out.push_str(&text[copied..]);
    Some(out)
}

/// Byte offset and line count (0-based) of the first line starting with `---` at or after
/// 1-based line `after` of `text`, never the first line (so parsing always moves on).
fn next_document_marker(text: &str, after: u32) -> Option<(usize, u32)> {
    let mut pos = 0usize;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index as u32 + 1;
        if index > 0 && number >= after && is_document_marker(line) {
            return Some((pos, index as u32));
        }
        pos += line.len();
    }
    None
}

fn is_document_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// A node under construction.
enum Frame {
    Seq {
        line: u32,
        anchor: usize,
        items: Vec<Value>,
        lines: Vec<Lines>,
    },
    Map {
        line: u32,
        anchor: usize,
        entries: Map<String, Value>,
        lines: HashMap<String, Lines>,
        /// Keys that came from a merge (`<<`); explicit keys override them silently.
        merged: Vec<String>,
        /// The pending key and its line, between a key and its value.
        key: Option<(String, u32)>,
    },
}

struct Builder<'l> {
    limits: &'l Limits,
    nodes: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, Lines, usize)>,
}

fn parse_from(
    text: &str,
    line_offset: u32,
    limits: &Limits,
    docs: &mut Vec<Document>,
) -> Result<(), Failure> {
    let mut parser = Parser::new_from_str(text);
    let mut builder: Option<Builder> = None;
    let mut doc_line = 0u32;
    let mut root: Option<(Value, Lines)> = None;
    let at = |span: &Span| span.start.line() as u32 + line_offset;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let error = DocError {
                line: e.marker().line() as u32 + line_offset,
                message: format!("invalid YAML: {}", e.info()),
            };
            Failure::from_scan_error(error, e.info(), e.marker().index())
        })?;
        let line = at(&span);
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if docs.len() >= limits.max_documents {
                    return Err(DocError {
                        line,
                        message: format!("more than {} documents", limits.max_documents),
                    }
                    .into());
                }
                builder = Some(Builder {
                    limits,
                    nodes: 0,
                    stack: Vec::new(),
                    anchors: HashMap::new(),
                });
                doc_line = line;
                root = None;
            }
            Event::DocumentEnd => {
                if let Some((value, lines)) = root.take() {
                    docs.push(Document {
                        line: doc_line,
                        value,
                        lines,
                    });
                }
                builder = None;
            }
            other => {
                let Some(b) = builder.as_mut() else {
                    return Err(DocError {
                        line,
                        message: "content outside a document".into(),
                    }
                    .into());
                };
                if let Some(done) = b.event(other, line)? {
                    root = Some(done);
                }
            }
        }
    }
    Ok(())
}

impl Builder<'_> {
    fn count(&mut self, n: usize, line: u32) -> Result<(), DocError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(DocError {
                line,
                message: format!(
                    "document has more than {} nodes (aliases included)",
                    self.limits.max_nodes
                ),
            });
        }
        Ok(())
    }

    /// Feeds one event; returns the root when the document's top node is complete.
    fn event(&mut self, event: Event<'_>, line: u32) -> Result<Option<(Value, Lines)>, DocError> {
        match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.count(1, line)?;
                if self.stack.len() >= self.limits.max_depth {
                    return Err(DocError {
                        line,
                        message: format!("nesting deeper than {}", self.limits.max_depth),
                    });
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                self.stack.push(if is_seq {
                    Frame::Seq {
                        line,
                        anchor,
                        items: Vec::new(),
                        lines: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        line,
                        anchor,
                        entries: Map::new(),
                        lines: HashMap::new(),
                        merged: Vec::new(),
                        key: None,
                    }
                });
                Ok(None)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().ok_or_else(|| DocError {
                    line,
                    message: "unbalanced collection end".into(),
                })?;
                let (value, lines, anchor) = match frame {
                    Frame::Seq {
                        line,
                        anchor,
                        items,
                        lines,
                    } => (Value::Array(items), Lines::seq(line, lines), anchor),
                    Frame::Map {
                        line,
                        anchor,
                        entries,
                        lines,
                        ..
                    } => (Value::Object(entries), Lines::map(line, lines), anchor),
                };
                self.remember(anchor, &value, &lines);
                self.add(value, lines, line)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, line)?;
                // A pending mapping key takes the scalar as its text.
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    *key = Some((text.into_owned(), line));
                    return Ok(None);
                }
                let value = resolve_scalar(&text, style, tag.as_ref());
                let lines = Lines::leaf(line);
                self.remember(anchor, &value, &lines);
                self.add(value, lines, line)
            }
            Event::Alias(id) => {
                let Some((value, lines, size)) = self.anchors.get(&id).cloned() else {
                    return Err(DocError {
                        line,
                        message: "alias to an unknown anchor".into(),
                    });
                };
                self.count(size, line)?;
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    match value {
                        Value::String(s) => {
                            *key = Some((s, line));
                            return Ok(None);
                        }
                        _ => {
                            return Err(DocError {
                                line,
                                message: "a mapping key must be a scalar".into(),
                            })
                        }
                    }
                }
                self.add(value, lines, line)
            }
            _ => Ok(None),
        }
    }

    fn remember(&mut self, anchor: usize, value: &Value, lines: &Lines) {
        if anchor != 0 {
            let size = count_nodes(value);
            self.anchors
                .insert(anchor, (value.clone(), lines.clone(), size));
        }
    }

    /// Puts a finished node into its parent (or returns it as the root).
    fn add(
        &mut self,
        value: Value,
        node_lines: Lines,
        line: u32,
    ) -> Result<Option<(Value, Lines)>, DocError> {
        match self.stack.last_mut() {
            None => Ok(Some((value, node_lines))),
            Some(Frame::Seq { items, lines, .. }) => {
                items.push(value);
                lines.push(node_lines);
                Ok(None)
            }
            Some(Frame::Map {
                entries,
                lines,
                merged,
                key,
                ..
            }) => {
                let Some((key, key_line)) = key.take() else {
                    return Err(DocError {
                        line,
                        message: "a mapping key must be a scalar".into(),
                    });
                };
                if key == "<<" {
                    merge_into(entries, lines, merged, value, node_lines, line)?;
                    return Ok(None);
                }
                if entries.contains_key(&key) {
                    if let Some(pos) = merged.iter().position(|k| *k == key) {
                        merged.swap_remove(pos);
                    } else {
                        return Err(DocError {
                            line: key_line,
                            message: format!("mapping key {key:?} already defined"),
                        });
                    }
                }
                lines.insert(key.clone(), node_lines.with_line(key_line));
                entries.insert(key, value);
                Ok(None)
            }
        }
    }
}

/// `<<: *anchor` or `<<: [*a, *b]`: copies keys not already present.
fn merge_into(
    entries: &mut Map<String, Value>,
    lines: &mut HashMap<String, Lines>,
    merged: &mut Vec<String>,
    value: Value,
    value_lines: Lines,
    line: u32,
) -> Result<(), DocError> {
    let sources: Vec<(Value, Lines)> = match value {
        Value::Object(_) => vec![(value, value_lines)],
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let l = value_lines.index(i).cloned().unwrap_or(Lines::leaf(line));
                (v, l)
            })
            .collect(),
        _ => {
            return Err(DocError {
                line,
                message: "a merge key (<<) needs a mapping or a list of mappings".into(),
            })
        }
    };
    for (source, source_lines) in sources {
        let Value::Object(map) = source else {
            return Err(DocError {
                line,
                message: "a merge key (<<) needs a mapping or a list of mappings".into(),
            });
        };
        for (k, v) in map {
            if !entries.contains_key(&k) {
                let l = source_lines.field(&k).cloned().unwrap_or(Lines::leaf(line));
                lines.insert(k.clone(), l);
                merged.push(k.clone());
                entries.insert(k, v);
            }
        }
    }
    Ok(())
}

fn count_nodes(value: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        n += 1;
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    n
}

/// A scalar's value: quoted and block scalars are strings; plain ones are resolved.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> Value {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() {
            return match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => Value::String(text.to_owned()),
                "null" => Value::Null,
                "bool" => resolve_bool(text)
                    .map(Value::Bool)
                    .unwrap_or_else(|| Value::String(text.to_owned())),
                "int" | "float" => {
                    resolve_number(text).unwrap_or_else(|| Value::String(text.to_owned()))
                }
                _ => resolve_plain(text),
            };
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    resolve_plain(text)
}

fn resolve_plain(text: &str) -> Value {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = resolve_bool(text) {
        return Value::Bool(b);
    }
    resolve_number(text).unwrap_or_else(|| Value::String(text.to_owned()))
}

fn resolve_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

fn resolve_number(text: &str) -> Option<Value> {
    // go-yaml drops every `_` before reading a number (`1_000` is 1000).
    let text: Cow<str> = if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    };
    let text = text.as_ref();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let radix_int = |radix: u32, body: &str| -> Option<Value> {
        if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let magnitude = i128::from_str_radix(body, radix).ok()?;
        let signed = if negative { -magnitude } else { magnitude };
        int_value(signed)
    };
    if let Some(hex) = digits.strip_prefix("0x") {
        return radix_int(16, hex);
    }
    if let Some(oct) = digits.strip_prefix("0o") {
        return radix_int(8, oct);
    }
    if let Some(bin) = digits.strip_prefix("0b") {
        return radix_int(2, bin);
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        // YAML 1.1: a leading zero means octal (`0644`), as Kubernetes' decoder reads it.
        if digits.len() > 1 && digits.starts_with('0') {
            return radix_int(8, &digits[1..]);
        }
        return radix_int(10, digits);
    }
    match digits {
        ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => return None,
        _ => {}
    }
    if is_float_syntax(digits) {
        let parsed: f64 = text.parse().ok()?;
        return Number::from_f64(parsed).map(Value::Number);
    }
    None
}

fn int_value(v: i128) -> Option<Value> {
    if let Ok(i) = i64::try_from(v) {
        Some(Value::Number(i.into()))
    } else if let Ok(u) = u64::try_from(v) {
        Some(Value::Number(u.into()))
    } else {
        Number::from_f64(v as f64).map(Value::Number)
    }
}

/// `[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+(...)?`.
fn is_float_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - start;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> (Vec<Document>, Vec<DocError>) {
        parse_stream(text, &Limits::default())
    }

    #[test]
    fn documents_values_and_lines() {
        let (docs, errors) = parse(
            "a: 1\n---\n# c\nkind: Pod\nspec:\n  hostNetwork: yes\n  list:\n  - x\n  - 0644\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value, json!({"a": 1}));
        assert_eq!(
            docs[1].value,
            json!({"kind": "Pod", "spec": {"hostNetwork": true, "list": ["x", 420]}})
        );
        assert_eq!(docs[1].line, 2);
        assert_eq!(docs[1].lines.at("/spec/hostNetwork"), 6);
        assert_eq!(docs[1].lines.at("/spec/list/1"), 9);
        assert_eq!(docs[1].lines.at("/spec/missing/deeper"), 5);
    }

    #[test]
    fn scalars_resolve_like_kubernetes() {
        let (docs, _) = parse(
            "a: '1'\nb: \"true\"\nc: ~\nd: 1.5\ne: 0x1F\nf: on\ng: .inf\nh: 1e3\ni: -7\nj: !!str 12\nk: 99999999999999999999\nl: v1.2\n",
        );
        assert_eq!(
            docs[0].value,
            json!({"a": "1", "b": "true", "c": null, "d": 1.5, "e": 31, "f": true, "g": ".inf",
                   "h": 1000.0, "i": -7, "j": "12", "k": 1e20, "l": "v1.2"})
        );
    }

    #[test]
    fn anchors_merge_keys_and_duplicates() {
        let (docs, errors) = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            docs[0].value,
            json!({"base": {"x": 1, "y": 2}, "use": {"x": 1, "y": 3}})
        );
        let (docs, errors) = parse("a: 1\na: 2\n---\nb: 1\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("already defined"));
        assert_eq!(docs.len(), 1, "the next document is still read");
        assert_eq!(docs[0].value, json!({"b": 1}));
    }

    #[test]
    fn invalid_document_reports_line_and_parsing_resumes() {
        let text = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n";
        let (docs, errors) = parse(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!((3..=5).contains(&errors[0].line), "{errors:?}");
        let values: Vec<_> = docs.iter().map(|d| d.value.clone()).collect();
        assert_eq!(values, vec![json!({"a": 1}), json!({"d": 4})]);
        assert_eq!(docs[1].line, 5);
        assert_eq!(docs[1].lines.at("/d"), 6);
    }

    #[test]
    fn limits_stop_bombs_and_deep_nesting() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let (docs, errors) = parse(&bomb);
        assert!(docs.is_empty());
        assert!(errors[0].message.contains("nodes"), "{errors:?}");

        let deep = "[".repeat(500) + &"]".repeat(500);
        let (docs, errors) = parse(&deep);
        assert!(docs.is_empty());
        assert!(
            errors[0].message.contains("nesting") || errors[0].message.contains("recursion"),
            "{errors:?}"
        );
    }

    #[test]
    fn json_is_read_as_yaml() {
        let (docs, errors) = parse("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"hostPID\": true}\n}\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            docs[0].value,
            json!({"kind": "Pod", "spec": {"hostPID": true}})
        );
        assert_eq!(docs[0].lines.at("/spec/hostPID"), 3);
    }
}
