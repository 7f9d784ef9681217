//! PAL-K8S-075 — Namespace without Pod Security admission enforcement.
//!
//! **What**: a Namespace (other than `kube-system`, `kube-public`, `kube-node-lease`) without
//! the label `pod-security.kubernetes.io/enforce`, or with it set to `privileged`.
//! **Why**: without an enforced level the built-in Pod Security admission accepts any pod:
//! privileged containers and host namespaces are one `kubectl apply` away.
//! **Example** (fires): `kind: Namespace` without labels.
//! **Remediation**: label the namespace `pod-security.kubernetes.io/enforce: restricted` (or
//! `baseline`), with `enforce-version` pinned if desired.
//! **References**: CIS 5.2.1; NSA/CISA "Pod security enforcement"; ATT&CK T1610.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct NamespacePssLabel;

const LABEL: &str = "pod-security.kubernetes.io/enforce";

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-075",
    slug: "namespace_pss_label",
    title: "Namespace does not enforce a Pod Security level",
    severity: Severity::Medium,
    category: Category::Admission,
    frameworks: Frameworks {
        cis: &["5.2.1"],
        nsa: &["Pod security enforcement"],
        mitre: &["T1610"],
        ..Frameworks::NONE
    },
    rationale: "Without an enforced Pod Security level, the namespace admits privileged pods.",
    remediation:
        "Label the namespace pod-security.kubernetes.io/enforce: restricted (or baseline).",
    patch: "metadata:\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
};

impl Check for NamespacePssLabel {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "Namespace"
            || o.group() != ""
            || matches!(
                o.name.as_str(),
                "kube-system" | "kube-public" | "kube-node-lease"
            )
        {
            return;
        }
        match o.label(LABEL) {
            None => out.push(
                Violation::new(
                    format!("namespace {:?} has no {LABEL} label", o.name),
                    "/metadata",
                )
                .patch_at(""),
            ),
            Some("privileged") => out.push(
                Violation::new(
                    format!("namespace {:?} enforces the privileged level", o.name),
                    format!("/metadata/labels/{}", LABEL.replace('/', "~1")),
                )
                .patch_at(""),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_without_label_or_privileged() {
        assert_eq!(
            run(
                &NamespacePssLabel,
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
            )
            .len(),
            1
        );
        let f = run(&NamespacePssLabel, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n");
        assert_eq!(f[0].location.line, 6);
    }

    #[test]
    fn does_not_fire_on_enforced_or_system_namespaces() {
        assert!(run(&NamespacePssLabel, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {pod-security.kubernetes.io/enforce: baseline}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n").is_empty());
    }
}
