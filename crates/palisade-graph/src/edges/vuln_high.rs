//! `vuln_high`: Runs an image with a high-severity network vulnerability.
//!
//! The container's image has a high or critical vulnerability exploitable over the network (CVSS AV:N, or no vector known) that is neither known-exploited nor a critical RCE (those are vuln_kev and vuln_rce).

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "vuln_high",
    title: "Runs an image with a high-severity network vulnerability",
    condition: "The container's image has a high or critical vulnerability exploitable over the network (CVSS AV:N, or no vector known) that is neither known-exploited nor a critical RCE (those are vuln_kev and vuln_rce).",
    evidence: "The vulnerability, its package and the image the container runs.",
    mitre: "T1190",
    fix: "Upgrade the package to the fixed version and redeploy.",
    origin: "Defender",
    likelihood: 0.3,
    fires: Fixture { manifests: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: \"shop/web:1.0\"}]}\n", reports: "{\"source\":\"registry\",\"artifact\":{\"name\":\"shop/web:1.0\",\"kind\":\"image\"},\"databases\":[],\"packages_scanned\":10,\"findings\":[{\"id\":\"CVE-2024-0001\",\"severity\":\"HIGH\",\"package\":\"openssl\",\"version\":\"3.0.1\",\"ecosystem\":\"deb\",\"purl\":\"pkg:deb/debian/openssl@3.0.1\",\"locations\":[],\"cvss\":{\"vector\":\"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N\",\"score\":7.5}}]}\n", alerts: "" },
    clean: Fixture { manifests: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: \"shop/web:1.0\"}]}\n", reports: "{\"source\":\"registry\",\"artifact\":{\"name\":\"shop/web:1.0\",\"kind\":\"image\"},\"databases\":[],\"packages_scanned\":10,\"findings\":[{\"id\":\"CVE-2024-0001\",\"severity\":\"HIGH\",\"package\":\"openssl\",\"version\":\"3.0.1\",\"ecosystem\":\"deb\",\"purl\":\"pkg:deb/debian/openssl@3.0.1\",\"locations\":[],\"cvss\":{\"vector\":\"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H\",\"score\":7.8}}]}\n", alerts: "" },
    detect: |cx, out| {
        for w in &cx.workloads {
            for c in &w.containers {
                let Some(img) = c.image else { continue };
                for &vi in cx.image_vulns.get(&img).into_iter().flatten() {
                    let v = &cx.vulns[vi];
                    if !(v.severity >= palisade_model::Severity::High && v.network && !v.kev && !(v.severity == palisade_model::Severity::Critical && v.rce)) {
                        continue;
                    }
                    out.push(
                        v.node,
                        c.node,
                        format!("{} in {} of image {} ({}) run by {}", v.id, v.package, c.image_ref, v.severity.as_str(), container_label(w, c)),
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
