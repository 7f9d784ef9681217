//! PAL-K8S-067 — Mutable image tag without `imagePullPolicy: Always`.
//!
//! **What**: a container whose image is not pinned by digest and whose `imagePullPolicy` is
//! explicitly `IfNotPresent` or `Never`.
//! **Why**: each node keeps whatever it pulled first under that tag: nodes run different code,
//! and a node that cached a compromised or vulnerable image keeps running it after the tag was
//! fixed. (With `Always`, every pod start checks the registry and the image pull secrets.)
//! **Example** (fires): `image: app:1.2`, `imagePullPolicy: IfNotPresent`.
//! **Remediation**: pin the image by digest, or use `imagePullPolicy: Always`.
//! **References**: CIS 5.5.1; NSA/CISA "Building secure container images"; ATT&CK T1525.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct ImagePullPolicy;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-067",
    slug: "image_pull_policy",
    title: "Mutable image tag not pulled on every start",
    severity: Severity::Low,
    category: Category::SupplyChain,
    frameworks: Frameworks {
        cis: &["5.5.1"],
        nsa: &["Building secure container images"],
        mitre: &["T1525"],
        ..Frameworks::NONE
    },
    rationale:
        "Nodes keep running whatever image they cached under a tag, even after the tag was fixed.",
    remediation: "Pin the image by digest, or set imagePullPolicy: Always.",
    patch: "imagePullPolicy: Always\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy"],
};

impl Check for ImagePullPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            let Some(image) = c.container.image.as_deref() else {
                continue;
            };
            let policy = c.container.image_pull_policy.as_deref();
            if super::parse_image(image).3.is_none()
                && matches!(policy, Some("IfNotPresent" | "Never"))
            {
                out.push(
                    Violation::new(
                        format!(
                            "{} pulls mutable image {image:?} only if not present",
                            describe(c)
                        ),
                        t.container_field(c, "imagePullPolicy"),
                    )
                    .patch_at(t.container_field(c, "")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_if_not_present_with_a_tag() {
        assert_eq!(run(&ImagePullPolicy, &pod("  containers:\n  - {name: c, image: \"app:1.2\", imagePullPolicy: IfNotPresent}\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_on_digests_or_always() {
        assert!(run(&ImagePullPolicy, &pod("  containers:\n  - {name: c, image: \"app:1.2@sha256:00\", imagePullPolicy: IfNotPresent}\n  - {name: d, image: \"app:1.2\", imagePullPolicy: Always}\n")).is_empty());
    }
}
