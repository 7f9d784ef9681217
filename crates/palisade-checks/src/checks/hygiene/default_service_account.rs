//! PAL-K8S-047 — Pod runs as the default service account.
//!
//! **What**: a pod template without `serviceAccountName`, or with `default`.
//! **Why**: permissions granted to `default` (often by mistake, for one workload) apply to
//! every pod of the namespace; a dedicated account keeps each workload's rights separate.
//! **Example** (fires): a Deployment without `serviceAccountName`.
//! **Remediation**: create a ServiceAccount per workload and set `serviceAccountName`.
//! **References**: CIS 5.1.5; NSA/CISA "Protecting Pod service account tokens"; ATT&CK T1078.004.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct DefaultServiceAccount;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-047",
    slug: "default_service_account",
    title: "Pod uses the default service account",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks {
        cis: &["5.1.5"],
        nsa: &["Protecting Pod service account tokens"],
        mitre: &["T1078.004"],
        ..Frameworks::NONE
    },
    rationale: "Rights given to the default service account reach every pod of the namespace.",
    remediation: "Create a dedicated ServiceAccount for the workload and set serviceAccountName.",
    patch: "serviceAccountName: my-app\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/security/service-accounts/"],
};

impl Check for DefaultServiceAccount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        let sa = t
            .spec
            .service_account_name
            .as_deref()
            .or(t.spec.service_account.as_deref())
            .filter(|s| !s.is_empty());
        if sa.is_none_or(|s| s == "default") {
            out.push(
                Violation::new(
                    "pod runs as the default service account",
                    t.spec_field("serviceAccountName"),
                )
                .patch_at(t.spec_pointer),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_default() {
        assert_eq!(
            run(&DefaultServiceAccount, &pod("  containers: [{name: c}]\n")).len(),
            1
        );
        assert_eq!(
            run(
                &DefaultServiceAccount,
                &pod("  serviceAccountName: default\n  containers: [{name: c}]\n")
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_on_dedicated_accounts() {
        assert!(run(
            &DefaultServiceAccount,
            &pod("  serviceAccountName: shop\n  containers: [{name: c}]\n")
        )
        .is_empty());
    }
}
