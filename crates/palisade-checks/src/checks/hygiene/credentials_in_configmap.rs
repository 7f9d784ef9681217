//! PAL-K8S-055 — Credentials stored in a ConfigMap.
//!
//! **What**: a ConfigMap whose `data` has a non-empty value under a key that looks like a
//! credential (see PAL-K8S-051's markers).
//! **Why**: ConfigMaps are not treated as secret: they are readable by far more people and
//! tools, never encrypted at rest, and printed freely.
//! **Example** (fires): `data: {db_password: hunter2}`.
//! **Remediation**: move the value to a Secret.
//! **References**: NSA/CISA "Secrets"; ATT&CK T1552.001.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct CredentialsInConfigMap;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-055",
    slug: "credentials_in_configmap",
    title: "Credential stored in a ConfigMap",
    severity: Severity::High,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Secrets"], mitre: &["T1552.001"], ..Frameworks::NONE },
    rationale: "ConfigMaps are not protected like Secrets: broad read access, no encryption at rest.",
    remediation: "Move the value into a Secret and reference it from there.",
    patch: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-credentials\nstringData:\n  db_password: <value>\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/configuration/configmap/"],
};

impl Check for CredentialsInConfigMap {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "ConfigMap" {
            return;
        }
        let Some(data) = o.pointer("/data").and_then(|d| d.as_object()) else {
            return;
        };
        for (k, v) in data {
            if super::credentials_in_env::looks_like_credential(k)
                && v.as_str().is_some_and(|s| !s.trim().is_empty())
            {
                out.push(Violation::new(
                    format!("key {k:?} looks like a credential"),
                    format!("/data/{}", k.replace('~', "~0").replace('/', "~1")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_credential_keys() {
        let f = run(&CredentialsInConfigMap, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata:\n  mode: prod\n  db_password: hunter2\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].location.line, 6);
    }

    #[test]
    fn does_not_fire_on_plain_settings() {
        assert!(run(&CredentialsInConfigMap, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {mode: prod, token_ttl_file: \"\"}\n").is_empty());
    }
}
