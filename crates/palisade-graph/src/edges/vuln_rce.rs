//! `vuln_rce`: Runs an image with a critical remote-code-execution vulnerability.
//!
//! The container's image has a critical vulnerability with a code-execution weakness (CWE-94, -77, -78, -502, -787, ...) or a network vector needing no privileges with high confidentiality and integrity impact.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "vuln_rce",
    title: "Runs an image with a critical remote-code-execution vulnerability",
    condition: "The container's image has a critical vulnerability with a code-execution weakness (CWE-94, -77, -78, -502, -787, ...) or a network vector needing no privileges with high confidentiality and integrity impact.",
    evidence: "The vulnerability, its package and the image the container runs.",
    mitre: "T1190",
    fix: "Upgrade the package to the fixed version and redeploy.",
    origin: "Defender",
    likelihood: 0.7,
    fires: Fixture { manifests: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: \"shop/web:1.0\"}]}\n", reports: "{\"source\":\"registry\",\"artifact\":{\"name\":\"shop/web:1.0\",\"kind\":\"image\"},\"databases\":[],\"packages_scanned\":10,\"findings\":[{\"id\":\"CVE-2024-0001\",\"severity\":\"CRITICAL\",\"package\":\"openssl\",\"version\":\"3.0.1\",\"ecosystem\":\"deb\",\"purl\":\"pkg:deb/debian/openssl@3.0.1\",\"locations\":[],\"cwes\":[\"CWE-502\"]}]}\n", alerts: "" },
    clean: Fixture { manifests: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: \"shop/web:1.0\"}]}\n", reports: "{\"source\":\"registry\",\"artifact\":{\"name\":\"shop/web:1.0\",\"kind\":\"image\"},\"databases\":[],\"packages_scanned\":10,\"findings\":[{\"id\":\"CVE-2024-0001\",\"severity\":\"CRITICAL\",\"package\":\"openssl\",\"version\":\"3.0.1\",\"ecosystem\":\"deb\",\"purl\":\"pkg:deb/debian/openssl@3.0.1\",\"locations\":[],\"cwes\":[\"CWE-79\"]}]}\n", alerts: "" },
    detect: |cx, out| {
        for w in &cx.workloads {
            for c in &w.containers {
                let Some(img) = c.image else { continue };
                for &vi in cx.image_vulns.get(&img).into_iter().flatten() {
                    let v = &cx.vulns[vi];
                    if !(v.severity == palisade_model::Severity::Critical && v.rce) {
                        continue;
                    }
                    out.push(
                        v.node,
                        c.node,
                        format!("{} in {} of image {} ({}) run by {}", v.id, v.package, c.image_ref, "critical, remote code execution", container_label(w, c)),
                        match &v.fixed_version {
                            Some(f) => format!("upgrade {} to {f} in image {}", v.package, c.image_ref),
                            None => format!("replace or rebuild image {} without {} ({} has no fix)", c.image_ref, v.package, v.id),
                        },
                    );
                }
            }
        }
    },
};
