//! Rule files merged into one set of definitions: later items with the same name replace
//! earlier ones, or change them with `append: true` / `override: {key: append|replace}`
//! (lists gain items, macro and rule conditions gain text, rules gain exceptions), and a rule
//! item with only `enabled` switches an existing rule on or off.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Pos, Text};
use crate::items::{parse_file, ExceptionItem, Item, ListItem, MacroItem, Merge, RuleItem};

#[derive(Debug, Clone)]
pub(crate) struct ListDef {
    pub items: Vec<Text>,
}

/// A condition made of one or more appended pieces of text, joined by a space; each piece
/// keeps its position so that errors in the joined text map back to the right file and line.
#[derive(Debug, Clone, Default)]
pub struct Joined {
    pub text: String,
    segs: Vec<(usize, Text)>,
}

impl Joined {
    fn new(t: Text) -> Self {
        let mut j = Joined::default();
        j.push(t);
        j
    }

    fn push(&mut self, t: Text) {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.segs.push((self.text.len(), t.clone()));
        self.text.push_str(&t.value);
    }

    /// The file position of byte `offset` of the joined text.
    pub fn pos_at(&self, offset: usize) -> Option<Pos> {
        let (start, t) = self.segs.iter().rev().find(|(s, _)| *s <= offset)?;
        Some(t.pos_at(offset - start))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    pub pos: Pos,
    pub condition: Joined,
}

#[derive(Debug, Clone)]
pub(crate) struct RuleDef {
    pub name: String,
    pub pos: Pos,
    pub id: Option<String>,
    pub desc: Option<String>,
    pub condition: Joined,
    pub output: Option<Text>,
    pub priority: Option<Text>,
    pub source: Option<String>,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub exceptions: Vec<ExceptionItem>,
    pub remediation: Option<String>,
    pub window: Option<crate::items::WindowItem>,
}

/// Every rule, macro and list loaded from one or more files, before compilation.
#[derive(Debug, Default, Clone)]
pub struct RuleSet {
    pub(crate) lists: HashMap<String, ListDef>,
    pub(crate) macros: HashMap<String, MacroDef>,
    pub(crate) rules: Vec<RuleDef>,
    rule_index: HashMap<String, usize>,
    diags: Vec<Diagnostic>,
}

impl RuleSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// A rule set of these `(name, text)` files, added in order (built-in rule catalogues).
    pub fn from_files(files: &[(&str, &str)]) -> Self {
        let mut set = Self::new();
        for (name, text) in files {
            set.add_file(name, text);
        }
        set
    }

    /// Adds one rule file (its name is used in positions).
    pub fn add_file(&mut self, file: &str, text: &str) {
        let (items, diags) = parse_file(file, text);
        self.diags.extend(diags);
        for item in items {
            if let Err(d) = self.add_item(item) {
                self.diags.push(d);
            }
        }
    }

    /// Problems found while reading and merging files so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    /// Names of the rules, in definition order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }

    /// The `source` of every rule (`syscall` when unset, as in Falco).
    pub fn sources(&self) -> Vec<String> {
        let mut s: Vec<String> = self
            .rules
            .iter()
            .map(|r| source_of(r).to_string())
            .collect();
        s.sort();
        s.dedup();
        s
    }

    /// Each `source` with the position of its first rule.
    pub fn source_positions(&self) -> Vec<(String, Pos)> {
        let mut out: Vec<(String, Pos)> = Vec::new();
        for r in &self.rules {
            let s = source_of(r);
            if !out.iter().any(|(x, _)| x == s) {
                out.push((s.to_string(), r.pos.clone()));
            }
        }
        out
    }

    /// Syntax errors in the conditions of rules of sources other than `compiled` (whose
    /// fields no engine here can resolve), so that `rules check` still catches them.
    pub fn syntax_errors_outside(&self, compiled: &str) -> Vec<Diagnostic> {
        self.syntax_errors_outside_sources(&[compiled])
    }

    /// As [`Self::syntax_errors_outside`], for rules of none of the `compiled` sources.
    pub fn syntax_errors_outside_sources(&self, compiled: &[&str]) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for r in self
            .rules
            .iter()
            .filter(|r| !compiled.contains(&source_of(r)))
        {
            if let Err(e) = crate::condition::parse(&r.condition.text) {
                let pos = r.condition.pos_at(e.at).unwrap_or_else(|| r.pos.clone());
                out.push(Diagnostic::error(
                    pos,
                    format!("rule `{}`: {}", r.name, e.message),
                ));
            }
        }
        out
    }

    fn add_item(&mut self, item: Item) -> Result<(), Diagnostic> {
        match item {
            Item::List(l) => self.add_list(l),
            Item::Macro(m) => self.add_macro(m),
            Item::Rule(r) => self.add_rule(*r),
        }
    }

    /// Replaces the list `name` with the items of a list file (see [`crate::listfile`]);
    /// `file` names it in diagnostics. Returns the number of items and of unusable lines
    /// skipped, or the problem (also recorded as a diagnostic).
    pub fn add_list_file(
        &mut self,
        file: &str,
        name: &str,
        text: &str,
    ) -> Result<(usize, usize), Diagnostic> {
        let at = |line: usize| Pos {
            file: std::sync::Arc::from(file),
            line,
            col: 1,
        };
        let parsed = if crate::listfile::valid_list_name(name) {
            crate::listfile::parse(text)
        } else {
            Err(crate::listfile::ListFileError::BadName(name.to_string()))
        };
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                let d = Diagnostic::error(at(1), e.to_string());
                self.diags.push(d.clone());
                return Err(d);
            }
        };
        let skipped = parsed.skipped;
        let items: Vec<Text> = parsed
            .items
            .into_iter()
            .map(|(value, line)| Text {
                raw: value.clone(),
                value,
                pos: at(line),
            })
            .collect();
        let n = items.len();
        self.lists.insert(name.to_string(), ListDef { items });
        Ok((n, skipped))
    }

    fn add_list(&mut self, l: ListItem) -> Result<(), Diagnostic> {
        match l.merge {
            None => {
                self.lists.insert(l.name, ListDef { items: l.items });
            }
            Some(merge) => {
                let Some(existing) = self.lists.get_mut(&l.name) else {
                    return Err(Diagnostic::error(
                        l.pos,
                        format!("list `{}`: nothing to append to or override (no earlier list of that name)", l.name),
                    ));
                };
                match merge {
                    Merge::Append => existing.items.extend(l.items),
                    Merge::Replace => existing.items = l.items,
                }
            }
        }
        Ok(())
    }

    fn add_macro(&mut self, m: MacroItem) -> Result<(), Diagnostic> {
        let Some(cond) = m.condition else {
            return Ok(());
        };
        match m.merge {
            None => {
                self.macros.insert(
                    m.name,
                    MacroDef {
                        pos: m.pos,
                        condition: Joined::new(cond),
                    },
                );
            }
            Some(merge) => {
                let Some(existing) = self.macros.get_mut(&m.name) else {
                    return Err(Diagnostic::error(
                        m.pos,
                        format!("macro `{}`: nothing to append to or override (no earlier macro of that name)", m.name),
                    ));
                };
                match merge {
                    Merge::Append => existing.condition.push(cond),
                    Merge::Replace => existing.condition = Joined::new(cond),
                }
            }
        }
        Ok(())
    }

    fn add_rule(&mut self, r: RuleItem) -> Result<(), Diagnostic> {
        let pos = r.pos.clone().unwrap_or_else(|| unreachable_pos(&r.name));
        let existing = self.rule_index.get(&r.name).copied();
        if !r.append && r.overrides.is_empty() {
            let Some(condition) = r.condition else {
                // `- rule: X` + `enabled: false`: switch an existing rule on or off.
                if let (Some(i), Some(enabled)) = (existing, r.enabled) {
                    self.rules[i].enabled = enabled;
                    return Ok(());
                }
                return Err(Diagnostic::error(
                    pos,
                    format!("rule `{}` has no condition", r.name),
                ));
            };
            let def = RuleDef {
                name: r.name.clone(),
                pos,
                id: r.id,
                desc: r.desc,
                condition: Joined::new(condition),
                output: r.output,
                priority: r.priority,
                source: r.source,
                tags: r.tags.unwrap_or_default(),
                enabled: r.enabled.unwrap_or(true),
                exceptions: r.exceptions.unwrap_or_default(),
                remediation: r.remediation,
                window: r.window,
            };
            match existing {
                Some(i) => self.rules[i] = def,
                None => {
                    self.rule_index.insert(r.name, self.rules.len());
                    self.rules.push(def);
                }
            }
            return Ok(());
        }
        let Some(i) = existing else {
            return Err(Diagnostic::error(
                pos,
                format!(
                    "rule `{}`: nothing to append to or override (no earlier rule of that name)",
                    r.name
                ),
            ));
        };
        let rule = &mut self.rules[i];
        if r.append {
            if let Some(c) = r.condition {
                rule.condition.push(c);
            }
            if let Some(ex) = r.exceptions {
                merge_exceptions(&mut rule.exceptions, ex);
            }
            if let Some(e) = r.enabled {
                rule.enabled = e;
            }
            return Ok(());
        }
        for (key, merge) in &r.overrides {
            let missing = || {
                Diagnostic::error(
                    pos.clone(),
                    format!(
                        "rule `{}`: override of `{key}` but the item has no `{key}`",
                        r.name
                    ),
                )
            };
            let append = *merge == Merge::Append;
            match key.as_str() {
                "condition" => {
                    let c = r.condition.clone().ok_or_else(missing)?;
                    if append {
                        rule.condition.push(c);
                    } else {
                        rule.condition = Joined::new(c);
                    }
                }
                "output" => {
                    let o = r.output.clone().ok_or_else(missing)?;
                    rule.output = match (append, rule.output.take()) {
                        (true, Some(mut old)) => {
                            old.value.push(' ');
                            old.value.push_str(&o.value);
                            Some(old)
                        }
                        _ => Some(o),
                    };
                }
                "desc" => {
                    let d = r.desc.clone().ok_or_else(missing)?;
                    rule.desc = match (append, rule.desc.take()) {
                        (true, Some(old)) => Some(format!("{old} {d}")),
                        _ => Some(d),
                    };
                }
                "tags" => {
                    let t = r.tags.clone().ok_or_else(missing)?;
                    if append {
                        rule.tags.extend(t);
                    } else {
                        rule.tags = t;
                    }
                }
                "exceptions" => {
                    let ex = r.exceptions.clone().ok_or_else(missing)?;
                    if append {
                        merge_exceptions(&mut rule.exceptions, ex);
                    } else {
                        rule.exceptions = ex;
                    }
                }
                "priority" if !append => {
                    rule.priority = Some(r.priority.clone().ok_or_else(missing)?)
                }
                "enabled" if !append => rule.enabled = r.enabled.ok_or_else(missing)?,
                "source" if !append => rule.source = Some(r.source.clone().ok_or_else(missing)?),
                "remediation" if !append => {
                    rule.remediation = Some(r.remediation.clone().ok_or_else(missing)?)
                }
                "window" if !append => rule.window = Some(r.window.clone().ok_or_else(missing)?),
                other => {
                    return Err(Diagnostic::error(
                        pos,
                        format!(
                            "rule `{}`: `{other}` cannot be overridden with {}",
                            r.name,
                            if append { "append" } else { "replace" }
                        ),
                    ))
                }
            }
        }
        Ok(())
    }
}

/// Exceptions appended to a rule: values of an exception with a known name join it, others
/// are added.
fn merge_exceptions(into: &mut Vec<ExceptionItem>, more: Vec<ExceptionItem>) {
    for ex in more {
        match into.iter_mut().find(|e| e.name == ex.name) {
            Some(existing) if ex.fields.is_empty() => existing.values.extend(ex.values),
            _ => into.push(ex),
        }
    }
}

pub(crate) fn source_of(r: &RuleDef) -> &str {
    r.source.as_deref().unwrap_or("syscall")
}

fn unreachable_pos(name: &str) -> Pos {
    Pos::new(&std::sync::Arc::from(name), 0, 0)
}
