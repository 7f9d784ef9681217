//! What the engine needs from an event source: field names resolved once at load time
//! ([`FieldSource`]), field values extracted per event ([`Event`]).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// One value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Bool(bool),
}

impl Value<'_> {
    /// The value as text (`true`/`false` for booleans, decimal for numbers).
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            Value::Str(s) => Cow::Borrowed(s.as_ref()),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_text())
    }
}

/// A field's values in one event: missing, one value, or a list (e.g. every container image of
/// a pod). An empty list behaves like a missing field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values<'a> {
    Missing,
    One(Value<'a>),
    Many(Vec<Value<'a>>),
}

impl<'a> Values<'a> {
    pub fn as_slice(&self) -> &[Value<'a>] {
        match self {
            Values::Missing => &[],
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(vs) => vs,
        }
    }

    pub fn is_missing(&self) -> bool {
        self.as_slice().is_empty()
    }
}

/// A field resolved by a [`FieldSource`]: the source's own accessor number and the argument
/// (`jevt.value[/spec/x]` → `/spec/x`), checked at load time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    pub id: u32,
    pub arg: Option<Arc<str>>,
    /// The field as written, for messages and output.
    pub name: Arc<str>,
}

/// Why a field could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("unsupported field `{0}`")]
    Unsupported(String),
    #[error("field `{field}`: {message}")]
    Argument { field: String, message: String },
}

/// The schema of one event source (`k8s_audit`, later `syscall`): which fields exist.
pub trait FieldSource {
    /// The rule `source` this schema serves, e.g. `k8s_audit`.
    fn source(&self) -> &str;
    /// Resolves a field name and its optional `[argument]`.
    fn resolve(&self, name: &str, arg: Option<&str>) -> Result<FieldSpec, FieldError>;
    /// The field the engine indexes rules by (its value is [`Event::index_key`]); a rule
    /// whose condition pins this field to a few values is only tried on those events.
    fn index_field(&self) -> Option<&str> {
        None
    }
}

/// One event of a source.
pub trait Event {
    fn extract(&self, field: &FieldSpec) -> Values<'_>;
    /// The value of the source's index field in this event.
    fn index_key(&self) -> Option<&str> {
        None
    }
}
