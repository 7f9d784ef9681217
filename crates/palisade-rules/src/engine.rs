//! The compiled engine: rules as trees of resolved checks, indexed by event type; evaluation
//! is pure (event in, matching rules out) and every matching rule fires.

use std::collections::{BTreeSet, HashMap, HashSet};

use palisade_model::Severity;
use serde::Serialize;

use crate::compile::Priority;
use crate::condition::Op;
use crate::diag::Pos;
use crate::event::{Event, FieldSpec, Value, Values};
use crate::glob::Glob;
use crate::net::Net;

#[derive(Debug)]
pub(crate) enum CmpLit {
    /// A string, and its value as a number when it is one (for numeric fields).
    Str {
        text: String,
        num: Option<i64>,
    },
    Num(i64),
    Glob(Glob),
    Regex(Box<regex::Regex>),
}

/// A set of strings: a short list is scanned (faster than hashing for a handful of items),
/// a longer one hashed.
#[derive(Debug)]
pub(crate) enum StrSet {
    Small(Vec<Box<str>>),
    Large(HashSet<Box<str>>),
}

impl StrSet {
    pub(crate) fn new(items: HashSet<Box<str>>) -> StrSet {
        if items.len() <= 8 {
            let mut v: Vec<Box<str>> = items.into_iter().collect();
            v.sort();
            StrSet::Small(v)
        } else {
            StrSet::Large(items)
        }
    }

    fn contains(&self, s: &str) -> bool {
        match self {
            StrSet::Small(v) => v.iter().any(|x| x.as_ref() == s),
            StrSet::Large(h) => h.contains(s),
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = &Box<str>> + '_> {
        match self {
            StrSet::Small(v) => Box::new(v.iter()),
            StrSet::Large(h) => Box::new(h.iter()),
        }
    }
}

/// The values of an `in` / `intersects` list: strings matched exactly, and the items written
/// as CIDRs also as networks (an address or network of the event inside one matches).
#[derive(Debug)]
pub(crate) struct ValSet {
    pub(crate) strs: StrSet,
    pub(crate) nets: Box<[Net]>,
}

impl ValSet {
    pub(crate) fn new(items: HashSet<Box<str>>) -> ValSet {
        let nets: Box<[Net]> = items.iter().filter_map(|i| Net::parse_cidr(i)).collect();
        ValSet {
            strs: StrSet::new(items),
            nets,
        }
    }

    /// No items at all (a feed list not filled yet): nothing can be in it.
    fn is_empty(&self) -> bool {
        self.nets.is_empty()
            && match &self.strs {
                StrSet::Small(v) => v.is_empty(),
                StrSet::Large(h) => h.is_empty(),
            }
    }

    fn contains(&self, s: &str) -> bool {
        self.strs.contains(s)
            || (!self.nets.is_empty()
                && Net::parse_value(s).is_some_and(|v| self.nets.iter().any(|n| n.contains(&v))))
    }
}

/// A compiled condition.
#[derive(Debug)]
pub(crate) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Exists(FieldSpec),
    Cmp(FieldSpec, Op, CmpLit),
    /// Every value of the field is in the set (and there is at least one).
    In(FieldSpec, ValSet),
    /// Some value of the field is in the set.
    Intersects(FieldSpec, ValSet),
    /// Some value is one of the paths or lies under one of them.
    PMatch(FieldSpec, Vec<String>),
}

impl Node {
    /// Flattens nested `and`/`or` left by macro expansion.
    pub(crate) fn simplify(self) -> Node {
        match self {
            Node::And(parts) => {
                let mut out = Vec::new();
                for p in parts {
                    match p.simplify() {
                        Node::And(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                if out.len() == 1 {
                    out.remove(0)
                } else {
                    Node::And(out)
                }
            }
            Node::Or(parts) => {
                let mut out = Vec::new();
                for p in parts {
                    match p.simplify() {
                        Node::Or(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                if out.len() == 1 {
                    out.remove(0)
                } else {
                    Node::Or(out)
                }
            }
            Node::Not(inner) => Node::Not(Box::new(inner.simplify())),
            other => other,
        }
    }

    pub(crate) fn eval<E: Event + ?Sized>(&self, ev: &E) -> bool {
        match self {
            Node::And(parts) => parts.iter().all(|p| p.eval(ev)),
            Node::Or(parts) => parts.iter().any(|p| p.eval(ev)),
            Node::Not(inner) => !inner.eval(ev),
            Node::Exists(f) => !ev.extract(f).is_missing(),
            // An empty list (a feed not loaded): no value is in it; nothing to extract.
            Node::In(_, set) | Node::Intersects(_, set) if set.is_empty() => false,
            Node::In(f, set) => {
                let vals = ev.extract(f);
                let vals = vals.as_slice();
                !vals.is_empty() && vals.iter().all(|v| set.contains(v.as_text().as_ref()))
            }
            Node::Intersects(f, set) => ev
                .extract(f)
                .as_slice()
                .iter()
                .any(|v| set.contains(v.as_text().as_ref())),
            Node::PMatch(f, prefixes) => ev.extract(f).as_slice().iter().any(|v| {
                let v = v.as_text();
                prefixes.iter().any(|p| {
                    v.starts_with(p.as_str())
                        && (v.len() == p.len() || v.as_bytes().get(p.len()) == Some(&b'/'))
                })
            }),
            Node::Cmp(f, op, lit) => {
                let vals = ev.extract(f);
                let vals = vals.as_slice();
                if vals.is_empty() {
                    // A missing field satisfies no comparison, `!=` included (as in Falco).
                    return false;
                }
                if *op == Op::Ne {
                    return !vals.iter().any(|v| compare(v, Op::Eq, lit));
                }
                vals.iter().any(|v| compare(v, *op, lit))
            }
        }
    }

    /// The values of the index field an event must have for this condition to hold; `None`
    /// when the condition does not pin it down.
    fn keys(&self, index: u32) -> Option<BTreeSet<String>> {
        match self {
            Node::Cmp(f, Op::Eq, CmpLit::Str { text, .. }) if f.id == index && f.arg.is_none() => {
                Some(BTreeSet::from([text.clone()]))
            }
            Node::In(f, set) | Node::Intersects(f, set)
                if f.id == index && f.arg.is_none() && set.nets.is_empty() =>
            {
                Some(set.strs.iter().map(|s| s.to_string()).collect())
            }
            Node::And(parts) => {
                let mut acc: Option<BTreeSet<String>> = None;
                for p in parts {
                    if let Some(k) = p.keys(index) {
                        acc = Some(match acc {
                            None => k,
                            Some(a) => a.intersection(&k).cloned().collect(),
                        });
                    }
                }
                acc
            }
            Node::Or(parts) => {
                let mut acc = BTreeSet::new();
                for p in parts {
                    acc.extend(p.keys(index)?);
                }
                Some(acc)
            }
            _ => None,
        }
    }
}

fn compare(v: &Value<'_>, op: Op, lit: &CmpLit) -> bool {
    match lit {
        CmpLit::Num(n) => {
            let x = match v {
                Value::Int(i) => *i,
                Value::Str(s) => match s.trim().parse::<i64>() {
                    Ok(i) => i,
                    Err(_) => return false,
                },
                Value::Bool(_) => return false,
            };
            match op {
                Op::Lt => x < *n,
                Op::Le => x <= *n,
                Op::Gt => x > *n,
                Op::Ge => x >= *n,
                _ => false,
            }
        }
        CmpLit::Glob(g) => {
            let t = v.as_text();
            if op == Op::IGlob {
                g.matches(&t.to_lowercase())
            } else {
                g.matches(&t)
            }
        }
        CmpLit::Regex(re) => re.is_match(&v.as_text()),
        CmpLit::Str { text, num } => {
            if let (Value::Int(i), Some(n), Op::Eq) = (v, num, op) {
                return i == n;
            }
            let t = v.as_text();
            match op {
                Op::Eq => {
                    if let Value::Bool(_) = v {
                        t.eq_ignore_ascii_case(text)
                    } else {
                        t == text.as_str()
                    }
                }
                Op::Contains => t.contains(text.as_str()),
                Op::IContains => t.to_lowercase().contains(text.as_str()),
                Op::StartsWith => t.starts_with(text.as_str()),
                Op::EndsWith => t.ends_with(text.as_str()),
                _ => false,
            }
        }
    }
}

/// A rule's output template.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) pieces: Vec<Piece>,
}

#[derive(Debug)]
pub(crate) enum Piece {
    Lit(String),
    Field(FieldSpec),
}

/// What a rule says about itself (everything but its condition).
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    pub name: String,
    /// Palisade's stable id (`PAL-K8SAUDIT-001`); user rules may have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub desc: String,
    pub priority: Priority,
    pub severity: Severity,
    pub tags: Vec<String>,
    /// MITRE ATT&CK technique ids from the tags.
    pub techniques: Vec<String>,
    /// MITRE ATT&CK tactics from the tags.
    pub tactics: Vec<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    pub enabled: bool,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug)]
pub struct CompiledRule {
    pub meta: RuleMeta,
    pub(crate) node: Node,
    pub(crate) output: Template,
    /// Count-within-window: the rule fires on every `count`-th match of a key in the window.
    pub(crate) window: Option<crate::window::Window>,
}

impl CompiledRule {
    /// The rule's count-within-window, if it has one.
    pub fn window(&self) -> Option<&crate::window::Window> {
        self.window.as_ref()
    }

    /// Whether this rule matches the event (enabled or not).
    pub fn matches<E: Event + ?Sized>(&self, ev: &E) -> bool {
        self.node.eval(ev)
    }

    /// The rule's output with every `%field` replaced by its value in the event (`<NA>` when
    /// missing; lists joined by commas).
    pub fn render_output<E: Event + ?Sized>(&self, ev: &E) -> String {
        let mut out = String::new();
        for p in &self.output.pieces {
            match p {
                Piece::Lit(s) => out.push_str(s),
                Piece::Field(f) => match ev.extract(f) {
                    Values::Missing => out.push_str("<NA>"),
                    Values::One(v) => out.push_str(&v.as_text()),
                    Values::Many(vs) if vs.is_empty() => out.push_str("<NA>"),
                    Values::Many(vs) => {
                        for (i, v) in vs.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            out.push_str(&v.as_text());
                        }
                    }
                },
            }
        }
        out
    }
}

/// Compiled rules of one source, indexed by the source's index field.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<CompiledRule>,
    /// For each index value: the enabled rules to try, in definition order.
    by_key: HashMap<String, Vec<u32>>,
    /// Enabled rules that do not pin the index field: tried on every event.
    unkeyed: Vec<u32>,
}

impl Engine {
    pub(crate) fn new(rules: Vec<CompiledRule>, index: Option<u32>) -> Engine {
        let mut keyed: HashMap<String, Vec<u32>> = HashMap::new();
        let mut unkeyed = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if !r.meta.enabled {
                continue;
            }
            let i = i as u32;
            match index.and_then(|ix| r.node.keys(ix)) {
                Some(keys) => {
                    for k in keys {
                        keyed.entry(k).or_default().push(i);
                    }
                }
                None => unkeyed.push(i),
            }
        }
        let by_key = keyed
            .into_iter()
            .map(|(k, mut v)| {
                v.extend(&unkeyed);
                v.sort_unstable();
                v.dedup();
                (k, v)
            })
            .collect();
        Engine {
            rules,
            by_key,
            unkeyed,
        }
    }

    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    pub fn rule(&self, index: usize) -> Option<&CompiledRule> {
        self.rules.get(index)
    }

    /// Number of enabled rules.
    pub fn enabled_count(&self) -> usize {
        self.rules.iter().filter(|r| r.meta.enabled).count()
    }

    /// Indexes of the enabled rules an event whose index field is `key` can match (those that
    /// pin the index field to `key`, and those that do not pin it), in definition order.
    pub fn candidates(&self, key: &str) -> &[u32] {
        self.by_key.get(key).unwrap_or(&self.unkeyed)
    }

    /// As [`Engine::evaluate`], then the hits of rules with a `window` go through `windows`
    /// (the caller's state; `now_ms` the event's time in milliseconds): such a hit stays only
    /// when it completes `count` matches of its key within the window. The engine stays pure;
    /// the counts live in the caller's [`crate::window::Windows`].
    pub fn evaluate_windowed<E: Event + ?Sized>(
        &self,
        ev: &E,
        now_ms: u64,
        windows: &mut crate::window::Windows,
        hits: &mut Vec<usize>,
    ) {
        let start = hits.len();
        self.evaluate(ev, hits);
        let mut k = start;
        for j in start..hits.len() {
            let i = hits[j];
            let keep = match &self.rules[i].window {
                None => true,
                Some(w) => windows.admit(i, w, ev, now_ms),
            };
            if keep {
                hits[k] = i;
                k += 1;
            }
        }
        hits.truncate(k);
    }

    /// Indexes of every enabled rule that matches the event, in definition order.
    pub fn evaluate<E: Event + ?Sized>(&self, ev: &E, hits: &mut Vec<usize>) {
        let candidates = ev
            .index_key()
            .and_then(|k| self.by_key.get(k))
            .unwrap_or(&self.unkeyed);
        for &i in candidates {
            let rule = &self.rules[i as usize];
            if rule.node.eval(ev) {
                hits.push(i as usize);
            }
        }
    }
}
