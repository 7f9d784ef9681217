//! What every rule of a built-in catalogue (audit or node) must carry: a unique id of the
//! catalogue's form, a description, a remediation, the catalogue's source, and one ATT&CK for
//! Containers technique with one of that technique's tactics.

use palisade_rules::Engine;

use crate::mitre::{tactic_from_tag, technique};

/// The shape of a catalogue's ids and its rules' source.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueSpec<'a> {
    /// e.g. `PAL-NODE-`
    pub id_prefix: &'a str,
    /// Length of a whole id, e.g. 12 for `PAL-NODE-001`.
    pub id_len: usize,
    pub source: &'a str,
}

/// Every way the compiled rules fall short of the spec (empty: none).
pub fn catalogue_problems(engine: &Engine, spec: CatalogueSpec<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for r in engine.rules() {
        let m = &r.meta;
        let Some(id) = m.id.as_deref() else {
            problems.push(format!("{} has no id", m.name));
            continue;
        };
        let mut fault = |what: String| problems.push(format!("{id}: {what}"));
        if !(id.starts_with(spec.id_prefix) && id.len() == spec.id_len) {
            fault(format!("not a {}NNN id", spec.id_prefix));
        }
        if !ids.insert(id.to_string()) {
            fault("duplicate id".into());
        }
        if !m.enabled {
            fault("disabled".into());
        }
        if m.desc.len() <= 40 {
            fault("description".into());
        }
        if m.remediation.as_deref().is_none_or(|r| r.len() <= 20) {
            fault("remediation".into());
        }
        if m.source != spec.source {
            fault(format!("source {} is not {}", m.source, spec.source));
        }
        if m.techniques.len() != 1 || m.tactics.len() != 1 {
            fault("one technique and one tactic".into());
            continue;
        }
        match technique(&m.techniques[0]) {
            None => fault(format!("{} is not a Containers technique", m.techniques[0])),
            Some((_, tactics)) => {
                let tactic = tactic_from_tag(&m.tactics[0]);
                if !tactics.contains(&tactic.as_str()) {
                    fault(format!("{tactic} is not a tactic of {}", m.techniques[0]));
                }
            }
        }
    }
    problems
}
