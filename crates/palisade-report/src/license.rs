//! SPDX licence identifiers and licence expressions (SPDX 2.3, Annex D): deciding whether a
//! licence string recorded by a package is a listed SPDX id, a valid SPDX expression, or free text.

use crate::spdx_ids::{EXCEPTIONS, LICENSES};

/// How a licence string can be written into an SBOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LicenseForm {
    /// Exactly a listed SPDX licence id (`MIT`, `GPL-2.0-only`).
    Id,
    /// A valid SPDX licence expression that is not a bare listed id (`MIT OR Apache-2.0`, `GPL-2.0+`).
    Expression,
    /// Anything else: free text such as `GPLv2` or `BSD-style`.
    Other,
}

/// Nesting of parentheses accepted in an expression; deeper ones are treated as free text.
const MAX_DEPTH: usize = 32;

pub(crate) fn classify(s: &str) -> LicenseForm {
    if LICENSES.contains(&s) {
        LicenseForm::Id
    } else if is_valid_expression(s) {
        LicenseForm::Expression
    } else {
        LicenseForm::Other
    }
}

/// Whether `s` is a valid SPDX licence expression (ids matched case-insensitively, as the
/// specification allows; operators in upper case).
pub(crate) fn is_valid_expression(s: &str) -> bool {
    let tokens = tokenize(s);
    if tokens.is_empty() {
        return false;
    }
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
    };
    parser.compound(0) && parser.pos == tokens.len()
}

/// Whether the expression is more than one term, so it needs parentheses when combined with AND.
pub(crate) fn is_compound(s: &str) -> bool {
    tokenize(s).len() > 1
}

/// The `LicenseRef-...` references used by a valid expression (not `DocumentRef-...:LicenseRef-...`).
pub(crate) fn license_refs(s: &str) -> Vec<String> {
    tokenize(s)
        .into_iter()
        .filter(|t| t.starts_with("LicenseRef-"))
        .map(str::to_string)
        .collect()
}

fn tokenize(s: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() || c == '(' || c == ')' {
            if let Some(b) = start.take() {
                tokens.push(&s[b..i]);
            }
            if c != ' ' && !c.is_whitespace() {
                tokens.push(&s[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(b) = start {
        tokens.push(&s[b..]);
    }
    tokens
}

struct Parser<'a> {
    tokens: &'a [&'a str],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).copied()
    }

    fn compound(&mut self, depth: usize) -> bool {
        if !self.and_expr(depth) {
            return false;
        }
        while self.peek() == Some("OR") {
            self.pos += 1;
            if !self.and_expr(depth) {
                return false;
            }
        }
        true
    }

    fn and_expr(&mut self, depth: usize) -> bool {
        if !self.term(depth) {
            return false;
        }
        while self.peek() == Some("AND") {
            self.pos += 1;
            if !self.term(depth) {
                return false;
            }
        }
        true
    }

    fn term(&mut self, depth: usize) -> bool {
        match self.peek() {
            Some("(") => {
                if depth >= MAX_DEPTH {
                    return false;
                }
                self.pos += 1;
                if !self.compound(depth + 1) || self.peek() != Some(")") {
                    return false;
                }
                self.pos += 1;
                true
            }
            Some(tok) if is_simple(tok) => {
                self.pos += 1;
                if self.peek() == Some("WITH") {
                    self.pos += 1;
                    match self.peek() {
                        Some(exc) if is_exception(exc) => {
                            self.pos += 1;
                            true
                        }
                        _ => false,
                    }
                } else {
                    true
                }
            }
            _ => false,
        }
    }
}

fn is_idstring(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn is_simple(tok: &str) -> bool {
    if let Some(rest) = tok.strip_prefix("LicenseRef-") {
        return is_idstring(rest);
    }
    if let Some(rest) = tok.strip_prefix("DocumentRef-") {
        return match rest.split_once(":LicenseRef-") {
            Some((doc, lic)) => is_idstring(doc) && is_idstring(lic),
            None => false,
        };
    }
    let id = tok.strip_suffix('+').unwrap_or(tok);
    LICENSES.iter().any(|l| l.eq_ignore_ascii_case(id))
}

fn is_exception(tok: &str) -> bool {
    EXCEPTIONS.iter().any(|e| e.eq_ignore_ascii_case(tok))
}

/// Turns free text into an SPDX idstring (`[A-Za-z0-9.-]+`).
pub(crate) fn sanitize_idstring(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "unknown".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids_expressions_and_text() {
        assert_eq!(classify("MIT"), LicenseForm::Id);
        assert_eq!(classify("Apache-2.0"), LicenseForm::Id);
        assert_eq!(classify("MIT OR Apache-2.0"), LicenseForm::Expression);
        assert_eq!(
            classify("(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0"),
            LicenseForm::Expression
        );
        assert_eq!(classify("GPL-2.0+"), LicenseForm::Id); // a deprecated listed id
        assert_eq!(classify("Apache-2.0+"), LicenseForm::Expression);
        assert_eq!(classify("mit"), LicenseForm::Expression);
        assert_eq!(classify("LicenseRef-foo.bar"), LicenseForm::Expression);
        assert_eq!(classify("GPLv2"), LicenseForm::Other);
        assert_eq!(classify("MIT or Apache-2.0"), LicenseForm::Other);
        assert_eq!(classify("MIT AND"), LicenseForm::Other);
        assert_eq!(classify("(MIT"), LicenseForm::Other);
        assert_eq!(classify(""), LicenseForm::Other);
        assert_eq!(classify("MIT WITH MIT"), LicenseForm::Other);
        let deep = format!("{}MIT{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(classify(&deep), LicenseForm::Other);
    }

    #[test]
    fn id_lists_match_the_schema_they_were_generated_from() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/spdx.schema.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let schema: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let ours: Vec<&str> = LICENSES.iter().chain(EXCEPTIONS).copied().collect();
        assert_eq!(ours, listed);
    }

    #[test]
    fn sanitizes_idstrings() {
        assert_eq!(
            sanitize_idstring("BSD-style (see COPYING)"),
            "BSD-style-see-COPYING"
        );
        assert_eq!(sanitize_idstring("  "), "unknown");
    }
}
