//! Compilation: a [`RuleSet`] and a [`FieldSource`] → an [`Engine`]. Macros are expanded,
//! list names replaced by their items (as hash sets), exceptions folded into the condition as
//! `and not (...)`, every field resolved once, and the rules indexed by the values their
//! condition allows for the source's index field.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use palisade_model::Severity;

use crate::condition::{self, split_field, Ast, Op, Operand, Rhs};
use crate::diag::{Diagnostic, Pos, Text};
use crate::engine::{CmpLit, CompiledRule, Engine, Node, Piece, RuleMeta, Template, ValSet};
use crate::event::{FieldError, FieldSource, FieldSpec};
use crate::glob::Glob;
use crate::items::ExceptionValue;
use crate::ruleset::{source_of, Joined, RuleDef, RuleSet};

/// Falco's priorities, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Priority {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Informational,
    Debug,
}

impl Priority {
    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" | "warn" => Priority::Warning,
            "notice" => Priority::Notice,
            "informational" | "info" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// Palisade's three alert severities: EMERGENCY..ERROR → High, WARNING → Medium,
    /// NOTICE and below → Low.
    pub fn severity(self) -> Severity {
        match self {
            Priority::Emergency | Priority::Alert | Priority::Critical | Priority::Error => {
                Severity::High
            }
            Priority::Warning => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

/// Items in a list after expansion of nested list names, at most this many (a guard against
/// lists that refer to each other in a blow-up).
const MAX_LIST_ITEMS: usize = 1_000_000;
/// Deepest macro-in-macro expansion.
const MAX_MACRO_DEPTH: usize = 64;

impl RuleSet {
    /// Compiles the rules of `fields.source()`; rules of other sources are left out. Returns
    /// the engine and every problem found (errors for rules that could not be compiled, which
    /// are left out; warnings for the rest).
    pub fn compile(&self, fields: &dyn FieldSource) -> (Engine, Vec<Diagnostic>) {
        let mut cx = Compiler {
            set: self,
            fields,
            diags: Vec::new(),
            macro_asts: HashMap::new(),
            stack: Vec::new(),
        };
        let mut rules = Vec::new();
        for def in &self.rules {
            if source_of(def) != fields.source() {
                continue;
            }
            match cx.rule(def) {
                Ok(rule) => rules.push(rule),
                Err(d) => cx.diags.push(d),
            }
        }
        let index_id = fields
            .index_field()
            .and_then(|f| fields.resolve(f, None).ok())
            .map(|f| f.id);
        let engine = Engine::new(rules, index_id);
        let mut diags = self.diagnostics().to_vec();
        diags.extend(cx.diags);
        (engine, diags)
    }
}

struct Compiler<'a> {
    set: &'a RuleSet,
    fields: &'a dyn FieldSource,
    diags: Vec<Diagnostic>,
    macro_asts: HashMap<String, Result<Arc<Ast>, Diagnostic>>,
    stack: Vec<String>,
}

type Res<T> = Result<T, Diagnostic>;

fn at(src: &Joined, offset: usize, fallback: &Pos) -> Pos {
    src.pos_at(offset).unwrap_or_else(|| fallback.clone())
}

impl Compiler<'_> {
    fn rule(&mut self, def: &RuleDef) -> Res<CompiledRule> {
        let priority = match &def.priority {
            None => {
                return Err(Diagnostic::error(
                    def.pos.clone(),
                    format!("rule `{}` has no priority", def.name),
                ))
            }
            Some(p) => Priority::parse(&p.value).ok_or_else(|| {
                Diagnostic::error(
                    p.pos.clone(),
                    format!(
                        "rule `{}`: unknown priority `{}` (EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG)",
                        def.name, p.value
                    ),
                )
            })?,
        };
        let Some(output) = &def.output else {
            return Err(Diagnostic::error(
                def.pos.clone(),
                format!("rule `{}` has no output", def.name),
            ));
        };
        let ast = condition::parse(&def.condition.text).map_err(|e| {
            Diagnostic::error(
                at(&def.condition, e.at, &def.pos),
                format!("rule `{}`: {}", def.name, e.message),
            )
        })?;
        let mut node = self.lower(&ast, &def.condition, &def.pos)?;
        let mut excepted = Vec::new();
        for ex in &def.exceptions {
            let n = self.exception(def, ex)?;
            if let Some(n) = n {
                excepted.push(n);
            }
        }
        if !excepted.is_empty() {
            node = Node::And(vec![node, Node::Not(Box::new(Node::Or(excepted)))]);
        }
        let template = self.template(def, output);
        let window = match &def.window {
            None => None,
            Some(w) => {
                let mut by = Vec::new();
                for t in &w.by {
                    by.push(self.field(t.value.trim(), t.pos.clone())?);
                }
                Some(crate::window::Window {
                    count: w.count,
                    millis: u64::from(w.seconds) * 1000,
                    by,
                })
            }
        };
        let (techniques, tactics) = mitre_from_tags(&def.tags);
        Ok(CompiledRule {
            meta: RuleMeta {
                name: def.name.clone(),
                id: def.id.clone(),
                desc: def.desc.as_deref().unwrap_or_default().trim().to_string(),
                priority,
                severity: priority.severity(),
                tags: def.tags.clone(),
                techniques,
                tactics,
                source: source_of(def).to_string(),
                remediation: def.remediation.as_deref().map(|r| r.trim().to_string()),
                enabled: def.enabled,
                pos: def.pos.clone(),
            },
            node: node.simplify(),
            output: template,
            window,
        })
    }

    fn field(&self, name: &str, pos: Pos) -> Res<FieldSpec> {
        let (field, arg) = split_field(name).ok_or_else(|| {
            Diagnostic::error(pos.clone(), format!("`{name}` is not a field name"))
        })?;
        self.fields
            .resolve(&field, arg.as_deref())
            .map_err(|e| match e {
                FieldError::Unsupported(f) => Diagnostic {
                    pos,
                    level: crate::diag::Level::Error,
                    message: format!(
                        "unsupported field `{f}` for source {}",
                        self.fields.source()
                    ),
                    unsupported_field: Some(f),
                },
                other => Diagnostic::error(pos, other.to_string()),
            })
    }

    fn macro_ast(&mut self, name: &str) -> Option<Result<Arc<Ast>, Diagnostic>> {
        if let Some(r) = self.macro_asts.get(name) {
            return Some(r.clone());
        }
        let m = self.set.macros.get(name)?;
        let r = condition::parse(&m.condition.text)
            .map(Arc::new)
            .map_err(|e| {
                Diagnostic::error(
                    at(&m.condition, e.at, &m.pos),
                    format!("macro `{name}`: {}", e.message),
                )
            });
        self.macro_asts.insert(name.to_string(), r.clone());
        Some(r)
    }

    fn lower(&mut self, ast: &Ast, src: &Joined, fallback: &Pos) -> Res<Node> {
        Ok(match ast {
            Ast::And(parts) => Node::And(
                parts
                    .iter()
                    .map(|p| self.lower(p, src, fallback))
                    .collect::<Res<_>>()?,
            ),
            Ast::Or(parts) => Node::Or(
                parts
                    .iter()
                    .map(|p| self.lower(p, src, fallback))
                    .collect::<Res<_>>()?,
            ),
            Ast::Not(inner) => Node::Not(Box::new(self.lower(inner, src, fallback)?)),
            Ast::Macro { name, at: off } => {
                let pos = at(src, *off, fallback);
                let Some(parsed) = self.macro_ast(name) else {
                    return Err(Diagnostic::error(pos, format!("undefined macro `{name}`")));
                };
                let parsed = parsed?;
                if self.stack.iter().any(|m| m == name) || self.stack.len() >= MAX_MACRO_DEPTH {
                    return Err(Diagnostic::error(
                        pos,
                        format!(
                            "macro `{name}` refers to itself ({} → {name})",
                            self.stack.join(" → ")
                        ),
                    ));
                }
                let m = &self.set.macros[name];
                self.stack.push(name.clone());
                let r = self.lower(&parsed, &m.condition, &m.pos);
                self.stack.pop();
                r?
            }
            Ast::Check {
                field,
                arg,
                op,
                rhs,
                at: off,
            } => {
                let full = match arg {
                    Some(a) => format!("{field}[{a}]"),
                    None => field.clone(),
                };
                let f = self.field(&full, at(src, *off, fallback))?;
                let rhs = match rhs {
                    Rhs::None => RhsVal::None,
                    Rhs::Value(o) => RhsVal::One(o.text.clone(), at(src, o.at, fallback)),
                    Rhs::List(items) => RhsVal::Many(
                        self.expand_operands(items, src, fallback)?,
                        at(src, *off, fallback),
                    ),
                    Rhs::ListName(o) => {
                        let pos = at(src, o.at, fallback);
                        if !self.set.lists.contains_key(&o.text) {
                            return Err(Diagnostic::error(
                                pos,
                                format!("undefined list `{}`", o.text),
                            ));
                        }
                        RhsVal::Many(
                            self.expand_operands(std::slice::from_ref(o), src, fallback)?,
                            pos,
                        )
                    }
                };
                self.check(f, *op, rhs, at(src, *off, fallback))?
            }
        })
    }

    /// List operands with list names replaced by their (recursively expanded) items.
    fn expand_operands(&self, items: &[Operand], src: &Joined, fallback: &Pos) -> Res<Vec<String>> {
        let mut out = Vec::new();
        for o in items {
            if o.quoted {
                out.push(o.text.clone());
            } else {
                self.expand_name(&o.text, &mut out, &mut Vec::new())
                    .map_err(|m| Diagnostic::error(at(src, o.at, fallback), m))?;
            }
        }
        Ok(out)
    }

    fn expand_name(
        &self,
        name: &str,
        out: &mut Vec<String>,
        seen: &mut Vec<String>,
    ) -> Result<(), String> {
        let Some(list) = self.set.lists.get(name) else {
            // Falco rule files quote list items that hold spaces or commas inside the YAML
            // string (`'"cluster admin"'`); the quotes are syntax, not part of the value.
            let unquoted = [('"', '"'), ('\'', '\'')]
                .iter()
                .find_map(|(a, b)| name.strip_prefix(*a)?.strip_suffix(*b))
                .filter(|_| name.len() >= 2);
            out.push(unquoted.unwrap_or(name).to_string());
            return Ok(());
        };
        if seen.iter().any(|s| s == name) {
            return Err(format!("list `{name}` contains itself"));
        }
        seen.push(name.to_string());
        for item in &list.items {
            self.expand_name(&item.value, out, seen)?;
            if out.len() > MAX_LIST_ITEMS {
                return Err(format!(
                    "list `{name}` expands to more than {MAX_LIST_ITEMS} items"
                ));
            }
        }
        seen.pop();
        Ok(())
    }

    fn check(&self, f: FieldSpec, op: Op, rhs: RhsVal, pos: Pos) -> Res<Node> {
        let one = |rhs: RhsVal| -> Res<(String, Pos)> {
            match rhs {
                RhsVal::One(v, p) => Ok((v, p)),
                RhsVal::Many(mut v, p) if v.len() == 1 => Ok((v.remove(0), p)),
                _ => Err(Diagnostic::error(
                    pos.clone(),
                    format!("`{}` needs one value", op_name(op)),
                )),
            }
        };
        Ok(match op {
            Op::Exists => Node::Exists(f),
            Op::In | Op::Intersects => {
                let (items, _) = match rhs {
                    RhsVal::Many(v, p) => (v, p),
                    RhsVal::One(v, p) => (vec![v], p),
                    RhsVal::None => (Vec::new(), pos),
                };
                let set: HashSet<Box<str>> =
                    items.into_iter().map(String::into_boxed_str).collect();
                if op == Op::In {
                    Node::In(f, ValSet::new(set))
                } else {
                    Node::Intersects(f, ValSet::new(set))
                }
            }
            Op::PMatch => {
                let items = match rhs {
                    RhsVal::Many(v, _) => v,
                    RhsVal::One(v, _) => vec![v],
                    RhsVal::None => Vec::new(),
                };
                Node::PMatch(
                    f,
                    items
                        .into_iter()
                        .map(|p| p.trim_end_matches('/').to_string())
                        .collect(),
                )
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let (v, p) = one(rhs)?;
                let n: i64 = v.trim().parse().map_err(|_| {
                    Diagnostic::error(p, format!("`{}` needs a number, got `{v}`", op_name(op)))
                })?;
                Node::Cmp(f, op, CmpLit::Num(n))
            }
            Op::Glob | Op::IGlob => {
                let (v, p) = one(rhs)?;
                let pat = if op == Op::IGlob { v.to_lowercase() } else { v };
                let g = Glob::new(&pat).map_err(|m| Diagnostic::error(p, m))?;
                Node::Cmp(f, op, CmpLit::Glob(g))
            }
            Op::Regex => {
                let (v, p) = one(rhs)?;
                let re = regex::RegexBuilder::new(&v)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| Diagnostic::error(p, format!("invalid regex: {e}")))?;
                Node::Cmp(f, op, CmpLit::Regex(Box::new(re)))
            }
            // `fd.snet = 10.0.0.0/8`: a CIDR compared for equality is network containment.
            Op::Eq | Op::Ne if matches!(&rhs, RhsVal::One(v, _) if crate::net::Net::parse_cidr(v).is_some()) =>
            {
                let (v, _) = one(rhs)?;
                let set = ValSet::new(HashSet::from([v.into_boxed_str()]));
                if op == Op::Eq {
                    Node::Intersects(f, set)
                } else {
                    // As `!=` elsewhere: a missing field satisfies no comparison.
                    Node::And(vec![
                        Node::Exists(f.clone()),
                        Node::Not(Box::new(Node::Intersects(f, set))),
                    ])
                }
            }
            _ => {
                let (v, _) = one(rhs)?;
                let num = v.trim().parse().ok();
                let text = if op == Op::IContains {
                    v.to_lowercase()
                } else {
                    v
                };
                Node::Cmp(f, op, CmpLit::Str { text, num })
            }
        })
    }

    fn exception(&mut self, def: &RuleDef, ex: &crate::items::ExceptionItem) -> Res<Option<Node>> {
        let mut tuples = Vec::new();
        for tuple in &ex.values {
            if tuple.len() != ex.fields.len() {
                return Err(Diagnostic::error(
                    ex.pos.clone(),
                    format!(
                        "rule `{}`, exception `{}`: {} value(s) for {} field(s)",
                        def.name,
                        ex.name,
                        tuple.len(),
                        ex.fields.len()
                    ),
                ));
            }
            let mut parts = Vec::new();
            for (i, value) in tuple.iter().enumerate() {
                let field = &ex.fields[i];
                let f = self.field(&field.value, field.pos.clone())?;
                let comp = match ex.comps.get(i) {
                    Some(c) => Op::from_word(c.value.trim()).ok_or_else(|| {
                        Diagnostic::error(
                            c.pos.clone(),
                            format!(
                                "rule `{}`, exception `{}`: unknown comparison `{}`",
                                def.name, ex.name, c.value
                            ),
                        )
                    })?,
                    None if ex.single_field => Op::In,
                    None => Op::Eq,
                };
                let rhs = match value {
                    ExceptionValue::One(t) if comp.takes_list() => {
                        RhsVal::Many(self.expand_text(std::slice::from_ref(t))?, t.pos.clone())
                    }
                    ExceptionValue::One(t) => RhsVal::One(t.value.clone(), t.pos.clone()),
                    ExceptionValue::Many(ts) => RhsVal::Many(
                        self.expand_text(ts)?,
                        ts.first()
                            .map(|t| t.pos.clone())
                            .unwrap_or_else(|| ex.pos.clone()),
                    ),
                };
                parts.push(self.check(f, comp, rhs, ex.pos.clone())?);
            }
            tuples.push(Node::And(parts));
        }
        Ok((!tuples.is_empty()).then_some(Node::Or(tuples)))
    }

    fn expand_text(&self, texts: &[Text]) -> Res<Vec<String>> {
        let mut out = Vec::new();
        for t in texts {
            self.expand_name(&t.value, &mut out, &mut Vec::new())
                .map_err(|m| Diagnostic::error(t.pos.clone(), m))?;
        }
        Ok(out)
    }

    /// `output` → literal pieces and fields. A field this source lacks is a warning and
    /// prints as `<NA>`.
    fn template(&mut self, def: &RuleDef, output: &Text) -> Template {
        let text = output.value.trim_end();
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        while i < text.len() {
            let c = text[i..].chars().next().unwrap_or(' ');
            if c == '%' {
                let rest = &text[i + 1..];
                let (name, consumed) = if let Some(inner) = rest.strip_prefix('(') {
                    match inner.find(')') {
                        Some(end) => (inner[..end].to_string(), end + 2),
                        None => (String::new(), 0),
                    }
                } else {
                    let mut end = 0;
                    let mut bracket = false;
                    for (j, ch) in rest.char_indices() {
                        if bracket {
                            end = j + ch.len_utf8();
                            if ch == ']' {
                                bracket = false;
                            }
                            continue;
                        }
                        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' {
                            end = j + 1;
                        } else if ch == '[' && end > 0 {
                            bracket = true;
                            end = j + 1;
                        } else {
                            break;
                        }
                    }
                    let name = rest[..end].trim_end_matches('.').to_string();
                    let len = name.len();
                    (name, len)
                };
                if name.contains('.') {
                    if !lit.is_empty() {
                        pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                    }
                    match self.field(&name, output.pos_at(i)) {
                        Ok(f) => pieces.push(Piece::Field(f)),
                        Err(mut d) => {
                            d.level = crate::diag::Level::Warning;
                            d.message = format!(
                                "rule `{}` output: {} (printed as <NA>)",
                                def.name, d.message
                            );
                            self.diags.push(d);
                            pieces.push(Piece::Lit("<NA>".into()));
                        }
                    }
                    i += 1 + consumed;
                    continue;
                }
            }
            lit.push(c);
            i += c.len_utf8();
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        Template { pieces }
    }
}

enum RhsVal {
    None,
    One(String, Pos),
    Many(Vec<String>, Pos),
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Contains => "contains",
        Op::IContains => "icontains",
        Op::StartsWith => "startswith",
        Op::EndsWith => "endswith",
        Op::Glob => "glob",
        Op::IGlob => "iglob",
        Op::Regex => "regex",
        Op::In => "in",
        Op::Intersects => "intersects",
        Op::PMatch => "pmatch",
        Op::Exists => "exists",
    }
}

/// MITRE ATT&CK ids among a rule's tags: techniques (`T1611`, `T1053.007`) and tactics
/// (`TA0004`, or Falco's `mitre_privilege_escalation` style).
fn mitre_from_tags(tags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut techniques = BTreeSet::new();
    let mut tactics = BTreeSet::new();
    for t in tags {
        let b = t.as_bytes();
        let is_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
        if let Some(rest) = t.strip_prefix("TA") {
            if rest.len() == 4 && is_digits(rest.as_bytes()) {
                tactics.insert(t.clone());
                continue;
            }
        }
        if b.first() == Some(&b'T') {
            let rest = &t[1..];
            let (main, sub) = rest.split_once('.').unwrap_or((rest, ""));
            if main.len() == 4
                && is_digits(main.as_bytes())
                && (sub.is_empty() || (sub.len() == 3 && is_digits(sub.as_bytes())))
            {
                techniques.insert(t.clone());
                continue;
            }
        }
        if let Some(name) = t.strip_prefix("mitre_") {
            tactics.insert(name.to_string());
        }
    }
    (
        techniques.into_iter().collect(),
        tactics.into_iter().collect(),
    )
}
