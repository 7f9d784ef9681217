//! Rule files → items. A rule file is a YAML sequence of `rule`, `macro` and `list` items (plus
//! `required_engine_version` and similar bookkeeping items, accepted and ignored), the layout
//! Falco rule files use. Parsed with saphyr's marked nodes so that every item, key and value
//! keeps its line and column.

use std::collections::BTreeMap;
use std::sync::Arc;

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use crate::diag::{Diagnostic, Pos, Text};

/// Rule files larger than this are refused (the built-in set is a few hundred KiB).
pub const MAX_FILE_BYTES: usize = 8 << 20;
/// Deepest YAML nesting accepted; rule files need about five levels.
const MAX_DEPTH: usize = 64;

/// How an item changes an earlier one of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    Append,
    Replace,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    pub name: String,
    pub pos: Pos,
    pub items: Vec<Text>,
    /// `append: true` or `override: {items: append|replace}`.
    pub merge: Option<Merge>,
}

#[derive(Debug, Clone)]
pub struct MacroItem {
    pub name: String,
    pub pos: Pos,
    pub condition: Option<Text>,
    pub merge: Option<Merge>,
}

/// One value of an exception: a single value, or a list (for `in`-style comparisons).
#[derive(Debug, Clone)]
pub enum ExceptionValue {
    One(Text),
    Many(Vec<Text>),
}

#[derive(Debug, Clone)]
pub struct ExceptionItem {
    pub name: String,
    pub pos: Pos,
    /// `fields: [a, b]` (tuples) or `fields: a` (one field, `values` is a plain list).
    pub fields: Vec<Text>,
    pub single_field: bool,
    pub comps: Vec<Text>,
    /// One entry per tuple (for a single field: one entry per value).
    pub values: Vec<Vec<ExceptionValue>>,
}

#[derive(Debug, Clone, Default)]
pub struct RuleItem {
    pub name: String,
    pub pos: Option<Pos>,
    pub id: Option<String>,
    pub desc: Option<String>,
    pub condition: Option<Text>,
    pub output: Option<Text>,
    pub priority: Option<Text>,
    pub source: Option<String>,
    pub tags: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub exceptions: Option<Vec<ExceptionItem>>,
    pub remediation: Option<String>,
    /// Palisade extension: the rule fires only on the `count`-th matching event with the same
    /// values of `by` within `seconds` (`window: {count: 5, seconds: 10, by: [container.id]}`).
    pub window: Option<WindowItem>,
    /// Legacy `append: true`: condition/output/exceptions append to the earlier rule.
    pub append: bool,
    /// `override: {key: append|replace}`.
    pub overrides: BTreeMap<String, Merge>,
}

/// A rule's `window:` (count-within-window), as written.
#[derive(Debug, Clone)]
pub struct WindowItem {
    pub pos: Pos,
    pub count: u32,
    pub seconds: u32,
    pub by: Vec<Text>,
}

/// Most events a window may count (memory per key is bounded by it).
pub const MAX_WINDOW_COUNT: u32 = 1000;
/// Longest window.
pub const MAX_WINDOW_SECONDS: u32 = 86_400;

#[derive(Debug, Clone)]
pub enum Item {
    Rule(Box<RuleItem>),
    Macro(MacroItem),
    List(ListItem),
}

/// Parses one rule file. Problems are returned as diagnostics; items that could be read are
/// returned even when others could not.
pub fn parse_file(file: &str, text: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let file: Arc<str> = Arc::from(file);
    let mut diags = Vec::new();
    let mut items = Vec::new();
    if text.len() > MAX_FILE_BYTES {
        diags.push(Diagnostic::error(
            Pos::new(&file, 1, 1),
            format!(
                "rule file is {} bytes; the limit is {MAX_FILE_BYTES}",
                text.len()
            ),
        ));
        return (items, diags);
    }
    let docs = match MarkedYamlOwned::load_from_str(text) {
        Ok(docs) => docs,
        Err(e) => {
            let m = e.marker();
            diags.push(Diagnostic::error(
                Pos::new(&file, m.line().max(1), m.col() + 1),
                format!("invalid YAML: {}", e.info()),
            ));
            return (items, diags);
        }
    };
    let chars: Vec<char> = text.chars().collect();
    let cx = Cx {
        file: &file,
        chars: &chars,
    };
    for doc in &docs {
        if depth_exceeds(doc, 0) {
            diags.push(Diagnostic::error(
                cx.pos(doc),
                format!("YAML nested deeper than {MAX_DEPTH} levels"),
            ));
            continue;
        }
        match &doc.data {
            YamlDataOwned::Sequence(seq) => {
                for node in seq {
                    match cx.item(node) {
                        Ok(Some(item)) => items.push(item),
                        Ok(None) => {}
                        Err(d) => diags.push(d),
                    }
                }
            }
            YamlDataOwned::Value(ScalarOwned::Null) => {}
            _ => diags.push(Diagnostic::error(
                cx.pos(doc),
                "a rule file is a YAML list of rule, macro and list items",
            )),
        }
    }
    (items, diags)
}

fn depth_exceeds(node: &MarkedYamlOwned, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    match &node.data {
        YamlDataOwned::Sequence(seq) => seq.iter().any(|n| depth_exceeds(n, depth + 1)),
        YamlDataOwned::Mapping(map) => map
            .iter()
            .any(|(k, v)| depth_exceeds(k, depth + 1) || depth_exceeds(v, depth + 1)),
        YamlDataOwned::Tagged(_, inner) => depth_exceeds(inner, depth + 1),
        _ => false,
    }
}

struct Cx<'a> {
    file: &'a Arc<str>,
    chars: &'a [char],
}

type Res<T> = Result<T, Diagnostic>;

impl Cx<'_> {
    fn pos(&self, node: &MarkedYamlOwned) -> Pos {
        Pos::new(
            self.file,
            node.span.start.line().max(1),
            node.span.start.col() + 1,
        )
    }

    fn err<T>(&self, node: &MarkedYamlOwned, msg: impl Into<String>) -> Res<T> {
        Err(Diagnostic::error(self.pos(node), msg))
    }

    fn text(&self, node: &MarkedYamlOwned, what: &str) -> Res<Text> {
        let value = self.scalar(node, what)?;
        let start = node.span.start.index().min(self.chars.len());
        let end = node.span.end.index().clamp(start, self.chars.len());
        Ok(Text {
            value,
            pos: self.pos(node),
            raw: self.chars[start..end].iter().collect(),
        })
    }

    /// A scalar as a string (numbers and booleans in their YAML spelling).
    fn scalar(&self, node: &MarkedYamlOwned, what: &str) -> Res<String> {
        match &node.data {
            YamlDataOwned::Value(s) => Ok(match s {
                ScalarOwned::String(s) => s.clone(),
                ScalarOwned::Integer(i) => i.to_string(),
                ScalarOwned::FloatingPoint(f) => f.to_string(),
                ScalarOwned::Boolean(b) => b.to_string(),
                ScalarOwned::Null => String::new(),
            }),
            YamlDataOwned::Representation(s, _, _) => Ok(s.clone()),
            _ => self.err(node, format!("{what} must be a string")),
        }
    }

    fn string_list(&self, node: &MarkedYamlOwned, what: &str) -> Res<Vec<Text>> {
        match &node.data {
            YamlDataOwned::Sequence(seq) => seq.iter().map(|n| self.text(n, what)).collect(),
            YamlDataOwned::Value(ScalarOwned::Null) => Ok(Vec::new()),
            _ => self.err(node, format!("{what} must be a list")),
        }
    }

    fn boolean(&self, node: &MarkedYamlOwned, what: &str) -> Res<bool> {
        match &node.data {
            YamlDataOwned::Value(ScalarOwned::Boolean(b)) => Ok(*b),
            _ => self.err(node, format!("{what} must be true or false")),
        }
    }

    fn item(&self, node: &MarkedYamlOwned) -> Res<Option<Item>> {
        let YamlDataOwned::Mapping(map) = &node.data else {
            return self.err(node, "an item must be a mapping (rule, macro or list)");
        };
        let mut keys: Vec<(String, &MarkedYamlOwned, &MarkedYamlOwned)> = Vec::new();
        for (k, v) in map {
            keys.push((self.scalar(k, "a key")?, k, v));
        }
        let kind = keys
            .iter()
            .find(|(k, _, _)| matches!(k.as_str(), "rule" | "macro" | "list"));
        let Some((kind, _, name_node)) = kind else {
            if keys.iter().any(|(k, _, _)| {
                matches!(
                    k.as_str(),
                    "required_engine_version" | "required_plugin_versions"
                )
            }) {
                return Ok(None);
            }
            return self.err(
                node,
                "unknown item: expected a `rule`, `macro` or `list` key",
            );
        };
        let name = self.scalar(name_node, "the item name")?;
        if name.trim().is_empty() {
            return self.err(name_node, format!("{kind} name is empty"));
        }
        let pos = self.pos(name_node);
        let (append, overrides) = self.merge_keys(&keys)?;
        match kind.as_str() {
            "list" => {
                let mut items = None;
                for (k, knode, v) in &keys {
                    match k.as_str() {
                        "list" | "append" | "override" => {}
                        "items" => items = Some(self.string_list(v, "items")?),
                        other => {
                            return self.err(knode, format!("unknown key `{other}` in list"));
                        }
                    }
                }
                let Some(items) = items else {
                    return self.err(name_node, format!("list `{name}` has no `items`"));
                };
                let merge = if append {
                    Some(Merge::Append)
                } else {
                    overrides.get("items").copied()
                };
                Ok(Some(Item::List(ListItem {
                    name,
                    pos,
                    items,
                    merge,
                })))
            }
            "macro" => {
                let mut condition = None;
                for (k, knode, v) in &keys {
                    match k.as_str() {
                        "macro" | "append" | "override" => {}
                        "condition" => condition = Some(self.text(v, "condition")?),
                        other => {
                            return self.err(knode, format!("unknown key `{other}` in macro"));
                        }
                    }
                }
                let merge = if append {
                    Some(Merge::Append)
                } else {
                    overrides.get("condition").copied()
                };
                if condition.is_none() {
                    return self.err(name_node, format!("macro `{name}` has no `condition`"));
                }
                Ok(Some(Item::Macro(MacroItem {
                    name,
                    pos,
                    condition,
                    merge,
                })))
            }
            _ => {
                let mut rule = RuleItem {
                    name,
                    pos: Some(pos),
                    append,
                    overrides,
                    ..RuleItem::default()
                };
                for (k, knode, v) in &keys {
                    match k.as_str() {
                        "rule" | "append" | "override" => {}
                        "id" => rule.id = Some(self.scalar(v, "id")?),
                        "desc" => rule.desc = Some(self.scalar(v, "desc")?),
                        "condition" => rule.condition = Some(self.text(v, "condition")?),
                        "output" => rule.output = Some(self.text(v, "output")?),
                        "priority" => rule.priority = Some(self.text(v, "priority")?),
                        "source" => rule.source = Some(self.scalar(v, "source")?),
                        "enabled" => rule.enabled = Some(self.boolean(v, "enabled")?),
                        "remediation" => rule.remediation = Some(self.scalar(v, "remediation")?),
                        "tags" => {
                            rule.tags = Some(
                                self.string_list(v, "tags")?
                                    .into_iter()
                                    .map(|t| t.value)
                                    .collect(),
                            )
                        }
                        "exceptions" => rule.exceptions = Some(self.exceptions(v)?),
                        "window" => rule.window = Some(self.window(v)?),
                        // Falco keys with no effect on matching here.
                        "warn_evttypes"
                        | "skip-if-unknown-filter"
                        | "capture"
                        | "capture_duration" => {}
                        other => {
                            return self.err(knode, format!("unknown key `{other}` in rule"));
                        }
                    }
                }
                Ok(Some(Item::Rule(Box::new(rule))))
            }
        }
    }

    fn merge_keys(
        &self,
        keys: &[(String, &MarkedYamlOwned, &MarkedYamlOwned)],
    ) -> Res<(bool, BTreeMap<String, Merge>)> {
        let mut append = false;
        let mut overrides = BTreeMap::new();
        for (k, _, v) in keys {
            match k.as_str() {
                "append" => append = self.boolean(v, "append")?,
                "override" => {
                    let YamlDataOwned::Mapping(map) = &v.data else {
                        return self.err(v, "override must map keys to append or replace");
                    };
                    for (ok, ov) in map {
                        let key = self.scalar(ok, "an override key")?;
                        let merge = match self.scalar(ov, "an override mode")?.as_str() {
                            "append" => Merge::Append,
                            "replace" => Merge::Replace,
                            other => {
                                return self.err(
                                    ov,
                                    format!("override mode `{other}`: expected append or replace"),
                                )
                            }
                        };
                        overrides.insert(key, merge);
                    }
                }
                _ => {}
            }
        }
        if append && !overrides.is_empty() {
            return self.err(
                keys[0].1,
                "`append` and `override` cannot be used in the same item",
            );
        }
        Ok((append, overrides))
    }

    fn window(&self, node: &MarkedYamlOwned) -> Res<WindowItem> {
        let YamlDataOwned::Mapping(map) = &node.data else {
            return self.err(node, "window must be a mapping of count, seconds and by");
        };
        let (mut count, mut seconds, mut by) = (None, None, Vec::new());
        for (k, v) in map {
            let number = |what: &str, max: u32| -> Res<u32> {
                let t = self.scalar(v, what)?;
                match t.trim().parse::<u32>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => self.err(v, format!("window {what} must be a number from 1 to {max}")),
                }
            };
            match self.scalar(k, "a key")?.as_str() {
                "count" => count = Some(number("count", MAX_WINDOW_COUNT)?),
                "seconds" => seconds = Some(number("seconds", MAX_WINDOW_SECONDS)?),
                "by" => {
                    by = if let YamlDataOwned::Sequence(_) = v.data {
                        self.string_list(v, "by")?
                    } else {
                        vec![self.text(v, "by")?]
                    }
                }
                other => return self.err(k, format!("unknown key `{other}` in window")),
            }
        }
        match (count, seconds) {
            (Some(count), Some(seconds)) => Ok(WindowItem {
                pos: self.pos(node),
                count,
                seconds,
                by,
            }),
            _ => self.err(node, "window needs count and seconds"),
        }
    }

    fn exceptions(&self, node: &MarkedYamlOwned) -> Res<Vec<ExceptionItem>> {
        let YamlDataOwned::Sequence(seq) = &node.data else {
            return self.err(node, "exceptions must be a list");
        };
        let mut out = Vec::new();
        for ex in seq {
            let YamlDataOwned::Mapping(map) = &ex.data else {
                return self.err(ex, "an exception must be a mapping");
            };
            let mut name = None;
            let mut fields = None;
            let mut single_field = false;
            let mut comps = Vec::new();
            let mut values_node = None;
            for (k, v) in map {
                match self.scalar(k, "a key")?.as_str() {
                    "name" => name = Some(self.scalar(v, "name")?),
                    "fields" => {
                        if let YamlDataOwned::Sequence(_) = v.data {
                            fields = Some(self.string_list(v, "fields")?);
                        } else {
                            single_field = true;
                            fields = Some(vec![self.text(v, "fields")?]);
                        }
                    }
                    "comps" => {
                        if let YamlDataOwned::Sequence(_) = v.data {
                            comps = self.string_list(v, "comps")?;
                        } else {
                            comps = vec![self.text(v, "comps")?];
                        }
                    }
                    "values" => values_node = Some(v),
                    other => return self.err(k, format!("unknown key `{other}` in exception")),
                }
            }
            let Some(name) = name else {
                return self.err(ex, "exception without a `name`");
            };
            let fields = fields.unwrap_or_default();
            let mut values = Vec::new();
            if let Some(vn) = values_node {
                let YamlDataOwned::Sequence(vals) = &vn.data else {
                    return self.err(vn, "exception values must be a list");
                };
                for tuple in vals {
                    if single_field {
                        values.push(vec![self.exception_value(tuple)?]);
                        continue;
                    }
                    let YamlDataOwned::Sequence(parts) = &tuple.data else {
                        return self.err(
                            tuple,
                            format!(
                                "exception `{name}`: each value must be a list of {} item(s), one per field",
                                fields.len()
                            ),
                        );
                    };
                    // An exception appended to an earlier one names no fields: its
                    // values are checked against the earlier fields at compile time.
                    if !fields.is_empty() && parts.len() != fields.len() {
                        return self.err(
                            tuple,
                            format!(
                                "exception `{name}`: {} value(s) for {} field(s)",
                                parts.len(),
                                fields.len()
                            ),
                        );
                    }
                    values.push(
                        parts
                            .iter()
                            .map(|p| self.exception_value(p))
                            .collect::<Res<Vec<_>>>()?,
                    );
                }
            }
            if !comps.is_empty() && comps.len() != fields.len() {
                return self.err(
                    ex,
                    format!(
                        "exception `{name}`: {} comps for {} fields",
                        comps.len(),
                        fields.len()
                    ),
                );
            }
            out.push(ExceptionItem {
                name,
                pos: self.pos(ex),
                fields,
                single_field,
                comps,
                values,
            });
        }
        Ok(out)
    }

    fn exception_value(&self, node: &MarkedYamlOwned) -> Res<ExceptionValue> {
        match &node.data {
            YamlDataOwned::Sequence(_) => Ok(ExceptionValue::Many(
                self.string_list(node, "an exception value")?,
            )),
            _ => Ok(ExceptionValue::One(self.text(node, "an exception value")?)),
        }
    }
}
