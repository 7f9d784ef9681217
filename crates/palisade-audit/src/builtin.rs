//! The built-in cluster rules: YAML files under `rules/k8s_audit/` at the repository root,
//! embedded in the binary. The test in this file fails when a file in that directory is
//! missing from [`BUILTIN_FILES`].

use palisade_rules::{Diagnostic, Engine, RuleSet};

use crate::fields::AuditFields;

/// Every built-in rule file, in load order (lists and macros first).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "rules/k8s_audit/00-base.yaml",
        include_str!("../../../rules/k8s_audit/00-base.yaml"),
    ),
    (
        "rules/k8s_audit/access.yaml",
        include_str!("../../../rules/k8s_audit/access.yaml"),
    ),
    (
        "rules/k8s_audit/credentials.yaml",
        include_str!("../../../rules/k8s_audit/credentials.yaml"),
    ),
    (
        "rules/k8s_audit/evasion.yaml",
        include_str!("../../../rules/k8s_audit/evasion.yaml"),
    ),
    (
        "rules/k8s_audit/exposure.yaml",
        include_str!("../../../rules/k8s_audit/exposure.yaml"),
    ),
    (
        "rules/k8s_audit/rbac.yaml",
        include_str!("../../../rules/k8s_audit/rbac.yaml"),
    ),
    (
        "rules/k8s_audit/workloads.yaml",
        include_str!("../../../rules/k8s_audit/workloads.yaml"),
    ),
];

/// A rule set holding the built-in rules; add user files to it before compiling.
pub fn builtin_ruleset() -> RuleSet {
    RuleSet::from_files(BUILTIN_FILES)
}

/// The built-in rules, compiled. Diagnostics are returned for the caller to report (the
/// tests require there are none).
pub fn builtin_engine() -> (Engine, Vec<Diagnostic>) {
    builtin_ruleset().compile(&AuditFields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/k8s_audit");
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
}

#[cfg(test)]
mod catalogue_tests {

    use super::*;
    use crate::catalogue::{catalogue_problems, CatalogueSpec};

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
            id_prefix: "PAL-K8SAUDIT-",
            id_len: 16,
            source: "k8s_audit",
        };
        let problems = catalogue_problems(&engine, spec);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
