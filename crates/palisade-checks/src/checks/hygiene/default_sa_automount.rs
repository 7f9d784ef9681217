//! PAL-K8S-070 — Default service account mounts its token.
//!
//! **What**: a ServiceAccount named `default` without `automountServiceAccountToken: false`.
//! **Why**: every pod that does not name a service account gets `default`'s token; turning
//! automounting off on it makes "no API access" the default for the namespace.
//! **Example** (fires): `kind: ServiceAccount`, `name: default`, nothing else.
//! **Remediation**: set `automountServiceAccountToken: false` on the default account.
//! **References**: CIS 5.1.5; NSA/CISA "Protecting Pod service account tokens"; ATT&CK T1528.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct DefaultSaAutomount;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-070",
    slug: "default_sa_automount",
    title: "Default service account automounts its token",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { cis: &["5.1.5"], nsa: &["Protecting Pod service account tokens"], mitre: &["T1528"], ..Frameworks::NONE },
    rationale: "Pods without a service account get the default one's token unless it disables automounting.",
    remediation: "Set automountServiceAccountToken: false on the default ServiceAccount of every namespace.",
    patch: "automountServiceAccountToken: false\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"],
};

impl Check for DefaultSaAutomount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind == "ServiceAccount"
            && o.name == "default"
            && o.pointer("/automountServiceAccountToken")
                .and_then(|v| v.as_bool())
                != Some(false)
        {
            out.push(
                Violation::new(
                    "the default ServiceAccount automounts its token",
                    "/automountServiceAccountToken",
                )
                .patch_at(""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_default_without_opt_out() {
        assert_eq!(
            run(
                &DefaultSaAutomount,
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: a}\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_when_disabled_or_other_accounts() {
        assert!(run(&DefaultSaAutomount, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: a}\nautomountServiceAccountToken: false\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: a}\n").is_empty());
    }
}
