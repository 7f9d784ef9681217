//! `vuln_kev`: Runs an image with a known-exploited vulnerability.
//!
//! The container's image has a vulnerability in CISA's Known Exploited Vulnerabilities catalog.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "vuln_kev",
    title: "Runs an image with a known-exploited vulnerability",
    condition: "The container's image has a vulnerability in CISA's Known Exploited Vulnerabilities catalog.",
    evidence: "The vulnerability, its package and the image the container runs.",
    mitre: "T1190",
    fix: "Upgrade the package to the fixed version and redeploy; until then restrict who reaches the workload.",
    origin: "Defender",
    likelihood: 0.9,
    fires: Fixture { manifests: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: \"shop/web:1.0\"}]}\n", reports: "{\"source\":\"registry\",\"artifact\":{\"name\":\"shop/web:1.0\",\"kind\":\"image\"},\"databases\":[],\"packages_scanned\":10,\"findings\":[{\"id\":\"CVE-2024-0001\",\"severity\":\"HIGH\",\"package\":\"openssl\",\"version\":\"3.0.1\",\"ecosystem\":\"deb\",\"purl\":\"pkg:deb/debian/openssl@3.0.1\",\"locations\":[],\"kev\":{\"known_ransomware_campaign_use\":false}}]}\n", alerts: "" },
    clean: Fixture { manifests: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: \"shop/web:1.0\"}]}\n", reports: "{\"source\":\"registry\",\"artifact\":{\"name\":\"shop/web:1.0\",\"kind\":\"image\"},\"databases\":[],\"packages_scanned\":10,\"findings\":[{\"id\":\"CVE-2024-0001\",\"severity\":\"HIGH\",\"package\":\"openssl\",\"version\":\"3.0.1\",\"ecosystem\":\"deb\",\"purl\":\"pkg:deb/debian/openssl@3.0.1\",\"locations\":[]}]}\n", alerts: "" },
    detect: |cx, out| {
        for w in &cx.workloads {
            for c in &w.containers {
                let Some(img) = c.image else { continue };
                for &vi in cx.image_vulns.get(&img).into_iter().flatten() {
                    let v = &cx.vulns[vi];
                    if !(v.kev) {
                        continue;
                    }
                    out.push(
                        v.node,
                        c.node,
                        format!("{} in {} of image {} ({}) run by {}", v.id, v.package, c.image_ref, "known exploited", container_label(w, c)),
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
