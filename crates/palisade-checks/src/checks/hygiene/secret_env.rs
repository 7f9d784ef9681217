//! PAL-K8S-050 — Secrets passed in environment variables.
//!
//! **What**: a container with `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.
//! **Why**: environment variables leak: they are inherited by child processes, dumped in crash
//! reports and debug endpoints, and visible in `/proc/<pid>/environ`; mounted files can be
//! rotated and are not.
//! **Example** (fires): `env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: pw}}}]`.
//! **Remediation**: mount the secret as a volume and read it from the file.
//! **References**: CIS 5.4.1; NSA/CISA "Secrets"; ATT&CK T1552.007.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct SecretEnv;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-050",
    slug: "secret_env",
    title: "Secret exposed as an environment variable",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { cis: &["5.4.1"], nsa: &["Secrets"], mitre: &["T1552.007"], ..Frameworks::NONE },
    rationale: "Secrets in environment variables leak through child processes, logs and crash dumps.",
    remediation: "Mount the secret as a file (secret volume) instead of env or envFrom.",
    patch: "volumeMounts:\n- name: db-credentials\n  mountPath: /var/run/secrets/db\n  readOnly: true\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
};

impl Check for SecretEnv {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            for (i, e) in c.container.env.iter().flatten().enumerate() {
                if let Some(r) = e
                    .value_from
                    .as_ref()
                    .and_then(|v| v.secret_key_ref.as_ref())
                {
                    out.push(Violation::new(
                        format!(
                            "{} reads secret {:?} key {:?} into ${}",
                            describe(c),
                            r.name,
                            r.key,
                            e.name
                        ),
                        t.container_field(c, &format!("env/{i}/valueFrom/secretKeyRef")),
                    ));
                }
            }
            for (i, e) in c.container.env_from.iter().flatten().enumerate() {
                if let Some(r) = &e.secret_ref {
                    out.push(Violation::new(
                        format!(
                            "{} loads every key of secret {:?} into its environment",
                            describe(c),
                            r.name
                        ),
                        t.container_field(c, &format!("envFrom/{i}/secretRef")),
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
    fn fires_on_secret_refs() {
        let f = run(&SecretEnv, &pod("  containers:\n  - name: c\n    env:\n    - name: DB_PASSWORD\n      valueFrom: {secretKeyRef: {name: db, key: pw}}\n    envFrom:\n    - secretRef: {name: all}\n"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].location.line, 11);
    }

    #[test]
    fn does_not_fire_on_config_maps() {
        assert!(run(&SecretEnv, &pod("  containers:\n  - name: c\n    envFrom: [{configMapRef: {name: cfg}}]\n    env: [{name: MODE, value: prod}]\n")).is_empty());
    }
}
