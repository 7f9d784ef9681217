//! Palisade's detection rule language and engine.
//!
//! Rules are YAML files of `rule`, `macro` and `list` items in Falco's rule syntax
//! ([`items`]); conditions use Falco's filter language ([`condition`]). A [`RuleSet`] merges
//! files (replace, `append`, `override`), [`RuleSet::compile`] resolves every field through
//! the event source's [`FieldSource`] and yields an [`Engine`]: pure evaluation, event in,
//! matching rules out. Every problem is a [`Diagnostic`] with `file:line:column`.

pub mod compile;
pub mod condition;
pub mod diag;
mod engine;
pub mod event;
pub mod glob;
pub mod items;
pub mod listfile;
pub mod net;
mod ruleset;
pub mod window;

pub use compile::Priority;
pub use diag::{Diagnostic, Level, Pos};
pub use engine::{CompiledRule, Engine, RuleMeta};
pub use event::{Event, FieldError, FieldSource, FieldSpec, Value, Values};
pub use ruleset::RuleSet;
pub use window::{Window, Windows};
