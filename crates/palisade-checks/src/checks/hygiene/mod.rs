//! Hygiene: resources, images, probes, service accounts, namespaces, secrets, webhooks.

pub mod apparmor_not_set;
pub mod automount_token;
pub mod bare_pod;
pub mod cpu_limit;
pub mod credentials_in_configmap;
pub mod credentials_in_env;
pub mod default_namespace;
pub mod default_sa_automount;
pub mod default_service_account;
pub mod deprecated_api;
pub mod emptydir_memory;
pub mod image_digest;
pub mod image_latest;
pub mod image_pull_policy;
pub mod kube_system_workload;
pub mod liveness_probe;
pub mod low_uid;
pub mod memory_limit;
pub mod missing_security_context;
pub mod namespace_network_policy;
pub mod namespace_pss_label;
pub mod namespace_resource_quota;
pub mod privileged_port;
pub mod read_only_root_fs;
pub mod readiness_probe;
pub mod registry_allow_list;
pub mod resource_requests;
pub mod root_group;
pub mod secret_env;
pub mod secret_last_applied;
pub mod service_account_token_secret;
pub mod share_process_namespace;
pub mod webhook_failure_policy;

/// Parts of an image reference: (registry, repository path, tag, digest).
pub(crate) fn parse_image(image: &str) -> (String, String, Option<String>, Option<String>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d.to_owned())),
        None => (image, None),
    };
    // A tag is after the last ':' that comes after the last '/'.
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_owned())),
        None => (rest, None),
    };
    // The first component is a registry when it has a '.' or ':' or is localhost.
    let (registry, path) = match name.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_owned(), path.to_owned())
        }
        _ => ("docker.io".to_owned(), name.to_owned()),
    };
    (registry, path, tag, digest)
}

/// One violation per container of `t` (of the kinds `applies`) that `lacks` something: the
/// message says it `has no {what}`, the pointer is the container's `field`, the patch goes on
/// the container. Shared by the checks that want a setting on every container (limits, probes).
pub(crate) fn per_container_missing(
    t: &palisade_k8s::PodTemplate<'_>,
    out: &mut Vec<crate::check::Violation>,
    applies: impl Fn(palisade_k8s::ContainerKind) -> bool,
    lacks: impl Fn(&k8s_openapi::api::core::v1::Container) -> bool,
    what: &str,
    field: &str,
) {
    for c in t.containers() {
        if applies(c.kind) && lacks(&c.container) {
            out.push(
                crate::check::Violation::new(
                    format!("{} has no {what}", crate::util::describe(c)),
                    t.container_field(c, field),
                )
                .patch_at(t.container_field(c, "")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn image_references_split() {
        assert_eq!(
            super::parse_image("nginx"),
            ("docker.io".into(), "nginx".into(), None, None)
        );
        assert_eq!(
            super::parse_image("localhost:5000/a/b:1.2"),
            (
                "localhost:5000".into(),
                "a/b".into(),
                Some("1.2".into()),
                None
            )
        );
        let (r, p, t, d) = super::parse_image("ghcr.io/org/app:v1@sha256:abc");
        assert_eq!(
            (r.as_str(), p.as_str(), t.as_deref(), d.as_deref()),
            ("ghcr.io", "org/app", Some("v1"), Some("sha256:abc"))
        );
    }
}
