//! PAL-K8S-073 — Database or remote-administration port on a public Service.
//!
//! **What**: a LoadBalancer or NodePort Service (without `loadBalancerSourceRanges`) whose
//! port or target port is a well-known database, cache, message broker or remote
//! administration port: 22 (SSH), 2375/2376 (Docker API), 3306 (MySQL), 3389 (RDP), 5432
//! (PostgreSQL), 5984 (CouchDB), 6379 (Redis), 9042 (Cassandra), 9200/9300 (Elasticsearch),
//! 10250 (kubelet), 11211 (Memcached), 27017 (MongoDB), 5672 (AMQP), 9092 (Kafka), 2379 (etcd).
//! **Why**: these services are scanned for continuously on the internet and are regularly
//! found without authentication.
//! **Example** (fires): `type: LoadBalancer`, `ports: [{port: 6379}]`.
//! **Remediation**: keep them on ClusterIP, or restrict the load balancer's source ranges.
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1190, T1133.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct SensitivePortExposed;

const PORTS: &[(i64, &str)] = &[
    (22, "SSH"),
    (2375, "Docker API"),
    (2376, "Docker API"),
    (2379, "etcd"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5672, "AMQP"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (9042, "Cassandra"),
    (9092, "Kafka"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (10250, "kubelet"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-073",
    slug: "sensitive_port_exposed",
    title: "Database or administration port exposed outside the cluster",
    severity: Severity::High,
    category: Category::Exposure,
    frameworks: Frameworks { nsa: &["Network separation and hardening"], mitre: &["T1190", "T1133"], ..Frameworks::NONE },
    rationale: "Databases, caches and remote-administration ports reachable from outside are routinely found and exploited.",
    remediation: "Use a ClusterIP Service, or restrict the LoadBalancer with loadBalancerSourceRanges.",
    patch: "spec:\n  type: ClusterIP\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/services-networking/service/"],
};

impl Check for SensitivePortExposed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        let Some(t) = super::service_type(o) else {
            return;
        };
        let restricted = o
            .pointer("/spec/loadBalancerSourceRanges")
            .and_then(|r| r.as_array())
            .is_some_and(|r| !r.is_empty());
        if !(t == "NodePort" || (t == "LoadBalancer" && !restricted)) {
            return;
        }
        for (i, p) in o
            .pointer("/spec/ports")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .enumerate()
        {
            let numbers = [
                p.get("port").and_then(|v| v.as_i64()),
                p.get("targetPort").and_then(|v| v.as_i64()),
            ];
            if let Some((n, what)) = numbers
                .iter()
                .flatten()
                .find_map(|n| PORTS.iter().find(|(p, _)| p == n))
            {
                out.push(Violation::new(
                    format!("{t} Service exposes port {n} ({what})"),
                    format!("/spec/ports/{i}"),
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
    fn fires_on_public_database_ports() {
        let f = run(&SensitivePortExposed, &super::super::service("redis", "  type: LoadBalancer\n  ports:\n  - {port: 80}\n  - {port: 6379, targetPort: 6379}\n"));
        assert_eq!(
            messages(&f),
            ["LoadBalancer Service exposes port 6379 (Redis)"]
        );
    }

    #[test]
    fn does_not_fire_when_internal_or_restricted() {
        assert!(run(
            &SensitivePortExposed,
            &super::super::service("redis", "  ports: [{port: 6379}]\n")
        )
        .is_empty());
        assert!(run(&SensitivePortExposed, &super::super::service("redis", "  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n  ports: [{port: 6379}]\n")).is_empty());
    }
}
