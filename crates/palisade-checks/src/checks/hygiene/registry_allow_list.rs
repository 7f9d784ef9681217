//! PAL-K8S-043 — Image from a registry outside the allow-list.
//!
//! **What**: with `--allowed-registry` given, a container image whose registry (and path
//! prefix, when the allowed entry has one: `ghcr.io/my-org`) is not in the list. Images
//! without a registry are Docker Hub's (`docker.io`).
//! **Why**: images from unvetted registries bypass the organisation's scanning and signing.
//! **Example** (fires): `image: evil.example/miner:1` with `--allowed-registry registry.corp`.
//! **Remediation**: mirror the image into an allowed registry.
//! **References**: CIS 5.5.1; NSA/CISA "Building secure container images"; ATT&CK T1204.003.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct RegistryAllowList;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-043",
    slug: "registry_allow_list",
    title: "Image from a registry outside the allow-list",
    severity: Severity::Medium,
    category: Category::SupplyChain,
    frameworks: Frameworks { cis: &["5.5.1"], nsa: &["Building secure container images"], mitre: &["T1204.003"], ..Frameworks::NONE },
    rationale: "Only images from approved registries have gone through the organisation's scanning and signing.",
    remediation: "Copy the image into an approved registry and reference it there.",
    patch: "image: registry.example.com/mirror/app:1.4.2\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/containers/images/"],
};

pub(crate) fn allowed(image: &str, allow: &[String]) -> bool {
    let (registry, path, _, _) = super::parse_image(image);
    let full = format!("{registry}/{path}");
    allow.iter().any(|a| {
        let a = a.trim_end_matches('/');
        registry == a || full.starts_with(&format!("{a}/"))
    })
}

impl Check for RegistryAllowList {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, ctx: &Context<'_>, out: &mut Vec<Violation>) {
        let allow = &ctx.settings.allowed_registries;
        if allow.is_empty() {
            return;
        }
        for c in t.containers() {
            let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) else {
                continue;
            };
            if !allowed(image, allow) {
                out.push(Violation::new(
                    format!(
                        "{} image {image:?} is not from an allowed registry",
                        describe(c)
                    ),
                    t.container_field(c, "image"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    fn settings() -> Settings {
        Settings {
            allowed_registries: vec!["registry.corp".into(), "ghcr.io/acme".into()],
        }
    }

    #[test]
    fn fires_outside_the_list() {
        let f = run_with(&RegistryAllowList, &pod("  containers:\n  - {name: a, image: nginx}\n  - {name: b, image: ghcr.io/other/x:1}\n  - {name: c, image: ghcr.io/acme/x:1}\n"), &settings());
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn does_not_fire_inside_the_list_or_without_one() {
        assert!(run_with(
            &RegistryAllowList,
            &pod("  containers:\n  - {name: a, image: \"registry.corp/app:1\"}\n"),
            &settings()
        )
        .is_empty());
        assert!(run(
            &RegistryAllowList,
            &pod("  containers:\n  - {name: a, image: nginx}\n")
        )
        .is_empty());
    }
}
