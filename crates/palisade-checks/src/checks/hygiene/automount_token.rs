//! PAL-K8S-046 — Service account token mounted automatically.
//!
//! **What**: a pod template that does not set `automountServiceAccountToken: false`, unless
//! its ServiceAccount (when in the scanned objects) sets it to false.
//! **Why**: the token in `/var/run/secrets/kubernetes.io/serviceaccount` lets anyone who gets
//! code execution in the pod call the API server with the account's permissions.
//! **Example** (fires): a Deployment without `automountServiceAccountToken`.
//! **Remediation**: set `automountServiceAccountToken: false` on the pod (or its
//! ServiceAccount) unless it calls the API.
//! **References**: CIS 5.1.6; NSA/CISA "Protecting Pod service account tokens"; ATT&CK T1528.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct AutomountToken;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-046",
    slug: "automount_token",
    title: "Service account token automatically mounted",
    severity: Severity::Medium,
    category: Category::Hygiene,
    frameworks: Frameworks { cis: &["5.1.6"], nsa: &["Protecting Pod service account tokens"], mitre: &["T1528"], ..Frameworks::NONE },
    rationale: "A mounted token gives whoever compromises the pod the service account's API permissions.",
    remediation: "Set automountServiceAccountToken: false on the pod spec (or the ServiceAccount) when the pod does not use the API.",
    patch: "automountServiceAccountToken: false\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"],
};

impl Check for AutomountToken {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, ctx: &Context<'_>, out: &mut Vec<Violation>) {
        match t.spec.automount_service_account_token {
            Some(false) => return,
            Some(true) => {}
            None => {
                let sa = t
                    .spec
                    .service_account_name
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .unwrap_or("default");
                let ns = t.owner.namespace_or_default().unwrap_or("default");
                let disabled = ctx.inventory.of_kind("ServiceAccount").any(|o| {
                    o.name == sa
                        && o.namespace_or_default() == Some(ns)
                        && o.pointer("/automountServiceAccountToken")
                            .and_then(|v| v.as_bool())
                            == Some(false)
                });
                if disabled {
                    return;
                }
            }
        }
        out.push(
            Violation::new(
                "pod mounts its service account token (automountServiceAccountToken is not false)",
                t.spec_field("automountServiceAccountToken"),
            )
            .patch_at(t.spec_pointer),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_when_not_disabled() {
        assert_eq!(
            run(&AutomountToken, &pod("  containers: [{name: c}]\n")).len(),
            1
        );
        assert_eq!(run(&AutomountToken, &pod("  automountServiceAccountToken: true\n  serviceAccountName: app\n  containers: [{name: c}]\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_when_disabled_on_pod_or_service_account() {
        assert!(run(
            &AutomountToken,
            &pod("  automountServiceAccountToken: false\n  containers: [{name: c}]\n")
        )
        .is_empty());
        let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: shop}\nautomountServiceAccountToken: false\n---\n";
        assert!(run(
            &AutomountToken,
            &format!(
                "{sa}{}",
                pod("  serviceAccountName: app\n  containers: [{name: c}]\n")
            )
        )
        .is_empty());
    }
}
