//! PAL-K8S-042 — Image not pinned by digest.
//!
//! **What**: a container image reference without `@sha256:...`.
//! **Why**: a tag can be moved to other content (by the publisher or by whoever compromised
//! the registry); only a digest identifies exactly what was reviewed and scanned.
//! **Example** (fires): `image: nginx:1.27`.
//! **Remediation**: reference the image by digest (`nginx:1.27@sha256:...`).
//! **References**: CIS 5.5.1; NSA/CISA "Building secure container images"; ATT&CK T1525, T1195.002.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct ImageDigest;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-042",
    slug: "image_digest",
    title: "Image not pinned by digest",
    severity: Severity::Low,
    category: Category::SupplyChain,
    frameworks: Frameworks { cis: &["5.5.1"], nsa: &["Building secure container images"], mitre: &["T1525", "T1195.002"], ..Frameworks::NONE },
    rationale: "Tags are mutable; only a digest guarantees the image that runs is the one that was scanned.",
    remediation: "Append the digest to the image reference (name:tag@sha256:...).",
    patch: "image: registry.example.com/app:1.4.2@sha256:<digest>\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
};

impl Check for ImageDigest {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) else {
                continue;
            };
            if super::parse_image(image).3.is_none() {
                out.push(Violation::new(
                    format!("{} image {image:?} is not pinned by digest", describe(c)),
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

    #[test]
    fn fires_on_tags() {
        assert_eq!(
            run(
                &ImageDigest,
                &pod("  containers:\n  - {name: a, image: \"nginx:1.27\"}\n")
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_on_digests() {
        assert!(run(
            &ImageDigest,
            &pod("  containers:\n  - {name: a, image: \"nginx:1.27@sha256:0123\"}\n")
        )
        .is_empty());
    }
}
