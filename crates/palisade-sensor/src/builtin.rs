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

    use super::*;
    use palisade_audit::catalogue::{catalogue_problems, CatalogueSpec};

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
        let spec = CatalogueSpec {
            id_prefix: "PAL-NODE-",
            id_len: 12,
            source: "syscall",
        };
        let problems = catalogue_problems(&engine, spec);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
