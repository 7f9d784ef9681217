//! PAL-K8S-041 — Image with the `latest` tag or no tag.
//!
//! **What**: a container image with tag `latest`, or with neither tag nor digest (which means
//! `latest`).
//! **Why**: what runs changes whenever the tag moves: deployments are not reproducible, a
//! compromised or broken push rolls out silently, and rollbacks do not roll back.
//! **Example** (fires): `image: nginx` or `image: nginx:latest`.
//! **Remediation**: use an immutable version tag, better a digest.
//! **References**: CIS 5.5.1; NSA/CISA "Building secure container images"; ATT&CK T1525.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct ImageLatest;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-041",
    slug: "image_latest",
    title: "Image uses the latest tag or no tag",
    severity: Severity::Medium,
    category: Category::SupplyChain,
    frameworks: Frameworks { cis: &["5.5.1"], nsa: &["Building secure container images"], mitre: &["T1525"], ..Frameworks::NONE },
    rationale: "Mutable tags make what runs change without a deployment, and hide what version is in production.",
    remediation: "Pin the image to a version tag or, better, to its digest (image@sha256:...).",
    patch: "image: registry.example.com/app:1.4.2@sha256:<digest>\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
};

impl Check for ImageLatest {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) else {
                continue;
            };
            let (_, _, tag, digest) = super::parse_image(image);
            if digest.is_none() && tag.as_deref().is_none_or(|t| t == "latest") {
                out.push(Violation::new(
                    format!("{} uses image {image:?} (latest)", describe(c)),
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
    fn fires_on_latest_and_untagged() {
        let f = run(&ImageLatest, &pod("  containers:\n  - {name: a, image: nginx}\n  - {name: b, image: \"localhost:5000/app:latest\"}\n  - {name: c, image: \"nginx:1.27\"}\n"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn does_not_fire_on_versions_and_digests() {
        assert!(run(&ImageLatest, &pod("  containers:\n  - {name: a, image: \"nginx@sha256:0123\"}\n  - {name: b, image: \"registry:5000/app:2.0\"}\n")).is_empty());
    }
}
