//! The built-in node rules: YAML files under `rules/node/` at the repository root, embedded
//! in the binary. The test in this file fails when a file in that directory is missing from
//! [`BUILTIN_FILES`].

use palisade_rules::{Diagnostic, Engine, RuleSet};

use crate::fields::NodeFields;

/// Every built-in rule file, in load order (lists and macros first).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "rules/node/00-base.yaml",
        include_str!("../../../rules/node/00-base.yaml"),
    ),
    (
        "rules/node/drift.yaml",
        include_str!("../../../rules/node/drift.yaml"),
    ),
    (
        "rules/node/escape.yaml",
        include_str!("../../../rules/node/escape.yaml"),
    ),
    (
        "rules/node/execution.yaml",
        include_str!("../../../rules/node/execution.yaml"),
    ),
    (
        "rules/node/files.yaml",
        include_str!("../../../rules/node/files.yaml"),
    ),
    (
        "rules/node/network.yaml",
        include_str!("../../../rules/node/network.yaml"),
    ),
    (
        "rules/node/privilege.yaml",
        include_str!("../../../rules/node/privilege.yaml"),
    ),
];

/// A rule set holding the built-in rules; add user files to it before compiling.
pub fn builtin_ruleset() -> RuleSet {
    RuleSet::from_files(BUILTIN_FILES)
}

/// The built-in rules, compiled, with any diagnostics (the tests require there are none).
pub fn builtin_engine() -> (Engine, Vec<Diagnostic>) {
    builtin_ruleset().compile(&NodeFields)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use palisade_audit::mitre::{tactic_from_tag, technique};

    #[test]
    fn every_rule_file_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/node");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        on_disk.sort();
        let mut registered: Vec<String> = BUILTIN_FILES
            .iter()
            .map(|(n, _)| n.rsplit('/').next().unwrap().to_string())
            .collect();
        registered.sort();
        assert_eq!(on_disk, registered);
    }

    #[test]
    fn builtin_rules_compile_cleanly_and_are_complete() {
        let (engine, diags) = builtin_engine();
        assert!(
            diags.is_empty(),
            "{:#?}",
            diags.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        );
        assert!(engine.rules().len() >= 40, "{} rules", engine.rules().len());
        let mut ids = HashSet::new();
        for r in engine.rules() {
            let m = &r.meta;
            let id =
                m.id.as_deref()
                    .unwrap_or_else(|| panic!("{} has no id", m.name));
            assert!(id.starts_with("PAL-NODE-") && id.len() == 12, "{id}");
            assert!(ids.insert(id.to_string()), "duplicate id {id}");
            assert!(m.enabled, "{id}");
            assert!(m.desc.len() > 40, "{id}: description");
            assert!(
                m.remediation.as_deref().is_some_and(|r| r.len() > 20),
                "{id}: remediation"
            );
            assert_eq!(m.source, "syscall");
            assert_eq!(m.techniques.len(), 1, "{id}: one technique");
            assert_eq!(m.tactics.len(), 1, "{id}: one tactic");
            let (_, tactics) = technique(&m.techniques[0]).unwrap_or_else(|| {
                panic!("{id}: {} is not a Containers technique", m.techniques[0])
            });
            let tactic = tactic_from_tag(&m.tactics[0]);
            assert!(
                tactics.contains(&tactic.as_str()),
                "{id}: {tactic} is not a tactic of {}",
                m.techniques[0]
            );
        }
    }
}
