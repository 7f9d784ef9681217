//! Posture checks over Kubernetes objects.
//!
//! One file per check under `src/checks/<family>/`, each with its documentation (what, why,
//! example, remediation, references) and fires / does-not-fire fixtures; one explicit table,
//! [`registry::CHECKS`]; a pure engine ([`evaluate`]) from an inventory to findings; the
//! framework views (`pss-baseline`, `pss-restricted`, `cis`, `nsa`, `mitre`) with compliance
//! summaries in [`frameworks`]; exceptions in [`exceptions`]; custom policies as Gatekeeper
//! ConstraintTemplates in Rego in [`rego`].

pub mod check;
pub mod checks;
pub mod engine;
pub mod exceptions;
pub mod frameworks;
pub mod host;
pub mod registry;
pub mod rego;
pub mod sarif;
mod util;

pub use check::{Category, Check, CheckMeta, Context, Frameworks, PssLevel, Settings, Violation};
pub use engine::{evaluate, EvalError, Evaluation, ObjectRef, PostureFinding};
pub use registry::{by_id, CHECKS};
pub use rego::{PolicyError, PolicyEvaluation, PolicySet};
