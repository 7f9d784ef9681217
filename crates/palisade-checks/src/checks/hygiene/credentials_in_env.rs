//! PAL-K8S-051 — Credentials written into the manifest's environment.
//!
//! **What**: an `env[].value` literal whose variable name looks like a credential
//! (`PASSWORD`, `PASSWD`, `SECRET`, `TOKEN`, `API_KEY`, `APIKEY`, `ACCESS_KEY`,
//! `PRIVATE_KEY`, `CREDENTIAL`) and whose value is not empty.
//! **Why**: the secret is now in version control, in every copy of the manifest, and readable
//! by anyone who can read the workload object.
//! **Example** (fires): `env: [{name: DB_PASSWORD, value: hunter2}]`.
//! **Remediation**: move the value into a Secret (better, an external secret store) and mount it.
//! **References**: NSA/CISA "Secrets"; ATT&CK T1552.001.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct CredentialsInEnv;

pub(crate) const MARKERS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-051",
    slug: "credentials_in_env",
    title: "Credential written in plain text in an environment variable",
    severity: Severity::High,
    category: Category::Hygiene,
    frameworks: Frameworks { cis: &["5.4.1"], nsa: &["Secrets"], mitre: &["T1552.001"], ..Frameworks::NONE },
    rationale: "Credentials in manifests end up in version control and are readable by anyone who can read the object.",
    remediation: "Store the value in a Secret or an external secret manager and mount it as a file.",
    patch: "env:\n- name: DB_PASSWORD_FILE\n  value: /var/run/secrets/db/password\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
};

pub(crate) fn looks_like_credential(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    MARKERS.iter().any(|m| upper.contains(m))
}

impl Check for CredentialsInEnv {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            for (i, e) in c.container.env.iter().flatten().enumerate() {
                let literal = e.value.as_deref().is_some_and(|v| {
                    !v.trim().is_empty() && !v.starts_with('/') && !v.starts_with("$(")
                });
                if literal && looks_like_credential(&e.name) {
                    out.push(Violation::new(
                        format!("{} sets ${} to a literal value", describe(c), e.name),
                        t.container_field(c, &format!("env/{i}/value")),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_literal_credentials() {
        let f = run(&CredentialsInEnv, &pod("  containers:\n  - name: c\n    env:\n    - {name: DB_PASSWORD, value: hunter2}\n    - {name: github-token, value: ghp_abc}\n    - {name: LOG_LEVEL, value: debug}\n"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn does_not_fire_on_refs_paths_or_empty_values() {
        assert!(run(&CredentialsInEnv, &pod("  containers:\n  - name: c\n    env:\n    - {name: DB_PASSWORD_FILE, value: /run/secrets/db}\n    - {name: API_KEY, value: \"\"}\n    - {name: TOKEN, valueFrom: {secretKeyRef: {name: t, key: k}}}\n")).is_empty());
    }
}
