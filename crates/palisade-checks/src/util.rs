//! Small helpers shared by checks.

use k8s_openapi::api::core::v1::{PodSecurityContext, SecurityContext};
use palisade_k8s::{ContainerRef, PodTemplate};

pub fn pod_sc<'a>(t: &'a PodTemplate<'_>) -> Option<&'a PodSecurityContext> {
    t.spec.security_context.as_ref()
}

pub fn sc(c: &ContainerRef) -> Option<&SecurityContext> {
    c.container.security_context.as_ref()
}

/// `container "name"` / `init container "name"` / `ephemeral container "name"`.
pub fn describe(c: &ContainerRef) -> String {
    let kind = match c.kind {
        palisade_k8s::ContainerKind::InitContainer => "init container",
        palisade_k8s::ContainerKind::Container => "container",
        palisade_k8s::ContainerKind::EphemeralContainer => "ephemeral container",
    };
    format!("{kind} {:?}", c.name())
}

#[cfg(test)]
pub mod testing {
    //! Fixtures: run one check over YAML text.
    use crate::{evaluate, Check, PostureFinding, Settings};
    use palisade_k8s::{load_str, Inventory, LoadOptions, Loaded};

    pub fn run_with(check: &dyn Check, yaml: &str, settings: &Settings) -> Vec<PostureFinding> {
        let mut out = Loaded::default();
        load_str(
            yaml,
            "fixture.yaml".into(),
            &LoadOptions::default(),
            &mut out,
        );
        assert!(
            out.errors.is_empty(),
            "fixture does not load: {:?}",
            out.errors
        );
        let inventory = Inventory::new(out.objects);
        let eval = evaluate(&inventory, &[check], settings);
        assert!(
            eval.errors.is_empty(),
            "fixture does not type: {:?}",
            eval.errors
        );
        eval.findings
    }

    pub fn run(check: &dyn Check, yaml: &str) -> Vec<PostureFinding> {
        run_with(check, yaml, &Settings::default())
    }

    /// A Deployment whose pod spec is `spec` (YAML indented for `template.spec`, 6 spaces).
    pub fn deployment(spec: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n{spec}"
        )
    }

    /// A Pod with `spec` (indented 2 spaces).
    pub fn pod(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n{spec}")
    }

    pub fn messages(findings: &[PostureFinding]) -> Vec<String> {
        findings.iter().map(|f| f.message.clone()).collect()
    }
}
