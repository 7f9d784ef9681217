//! Sensor heartbeats, pure: the document `palisade sensor run --server` sends every interval
//! (its node, cluster, version, collector, capabilities, drop counters and the containers
//! running on the node with their image digests) → a value the store writes. Every problem is
//! an error naming it; sizes are bounded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::decode::{hash, normalize_time, valid_digest, DecodeError};

/// Longest name, id, version… accepted (bytes).
const MAX_FIELD: usize = 1024;
/// Most running containers in one heartbeat.
pub const MAX_CONTAINERS: usize = 10_000;
/// Most capabilities or drop counters in one heartbeat.
const MAX_ENTRIES: usize = 64;

/// The heartbeat document (what the sensor sends; `docs/api.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// When the sensor made it (RFC 3339).
    pub time: String,
    /// The sensor's version.
    pub version: String,
    /// `ebpf` or `netlink`.
    pub collector: String,
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Events or alerts lost since the sensor started, by where they were lost.
    #[serde(default)]
    pub drops: BTreeMap<String, u64>,
    #[serde(default)]
    pub containers: Vec<RunningContainer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningContainer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The image as the runtime names it (`nginx:1.25`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `sha256:…`: the image id (config digest) or manifest digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_namespace: Option<String>,
}

/// A decoded heartbeat with its node key and normalised time.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestHeartbeat {
    /// sha256 of cluster and node: the node's row.
    pub key: String,
    /// Normalised RFC 3339 UTC, microseconds.
    pub time: String,
    /// Sum of the drop counters.
    pub dropped: i64,
    pub heartbeat: Heartbeat,
}

fn check(name: &str, v: &str) -> Result<(), DecodeError> {
    if v.len() > MAX_FIELD {
        return Err(DecodeError::Document(format!(
            "{name} is longer than {MAX_FIELD} bytes"
        )));
    }
    Ok(())
}

pub fn decode_heartbeat(body: &[u8]) -> Result<IngestHeartbeat, DecodeError> {
    let hb: Heartbeat = serde_json::from_slice(body)
        .map_err(|e| DecodeError::Document(format!("not a sensor heartbeat: {e}")))?;
    for (name, v) in [
        ("node", &hb.node),
        ("version", &hb.version),
        ("collector", &hb.collector),
    ] {
        if v.trim().is_empty() {
            return Err(DecodeError::Document(format!("{name} is empty")));
        }
        check(name, v)?;
    }
    if let Some(c) = &hb.cluster {
        check("cluster", c)?;
    }
    let time = normalize_time(&hb.time)
        .ok_or_else(|| DecodeError::Document(format!("time {:?} is not RFC 3339", hb.time)))?;
    if hb.capabilities.len() > MAX_ENTRIES || hb.drops.len() > MAX_ENTRIES {
        return Err(DecodeError::Document(format!(
            "more than {MAX_ENTRIES} capabilities or drop counters"
        )));
    }
    for c in &hb.capabilities {
        check("a capability", c)?;
    }
    for k in hb.drops.keys() {
        check("a drop counter's name", k)?;
    }
    if hb.containers.len() > MAX_CONTAINERS {
        return Err(DecodeError::Document(format!(
            "more than {MAX_CONTAINERS} containers in one heartbeat"
        )));
    }
    let mut ids = std::collections::HashSet::new();
    for (i, c) in hb.containers.iter().enumerate() {
        if c.id.is_empty() {
            return Err(DecodeError::Document(format!(
                "containers[{i}]: id is empty"
            )));
        }
        if !ids.insert(c.id.as_str()) {
            return Err(DecodeError::Document(format!(
                "containers[{i}]: container {} is listed twice",
                c.id
            )));
        }
        for v in [
            Some(&c.id),
            c.name.as_ref(),
            c.image.as_ref(),
            c.pod_name.as_ref(),
            c.pod_namespace.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            check(&format!("containers[{i}]: a field"), v)?;
        }
        if let Some(d) = &c.image_digest {
            if !valid_digest(d) {
                return Err(DecodeError::Document(format!(
                    "containers[{i}]: image_digest {d:?} is not sha256:<64 hex digits>"
                )));
            }
        }
    }
    let dropped = hb
        .drops
        .values()
        .fold(0u64, |a, b| a.saturating_add(*b))
        .min(i64::MAX as u64) as i64;
    Ok(IngestHeartbeat {
        key: hash(&[hb.cluster.as_deref().unwrap_or(""), &hb.node]),
        time,
        dropped,
        heartbeat: hb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HB: &str = r#"{"node":"n1","cluster":"prod","time":"2026-12-07T21:00:00+01:00","version":"0.1.0","collector":"ebpf","capabilities":["exec","open"],"drops":{"ring_buffer":3,"queue":2},"containers":[{"id":"abc","name":"web","image":"nginx:1","image_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}"#;

    #[test]
    fn heartbeat_is_normalised() {
        let h = decode_heartbeat(HB.as_bytes()).unwrap();
        assert_eq!(h.time, "2026-12-07T20:00:00.000000Z");
        assert_eq!(h.dropped, 5);
        assert_eq!(h.heartbeat.containers.len(), 1);
        let other = decode_heartbeat(HB.replace("\"n1\"", "\"n2\"").as_bytes()).unwrap();
        assert_ne!(h.key, other.key);
    }

    #[test]
    fn problems_are_named() {
        for (body, expect) in [
            (HB.replace("\"n1\"", "\"\""), "node is empty"),
            (HB.replace("2026-12-07T21", "yesterday"), "not RFC 3339"),
            (HB.replace("sha256:0", "sha256:x"), "image_digest"),
            ("[]".to_string(), "not a sensor heartbeat"),
        ] {
            let e = decode_heartbeat(body.as_bytes()).unwrap_err().to_string();
            assert!(e.contains(expect), "{e}");
        }
        let twice = HB.replace(
            r#""containers":[{"id":"abc""#,
            r#""containers":[{"id":"abc"},{"id":"abc""#,
        );
        let e = decode_heartbeat(twice.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("listed twice"), "{e}");
    }
}
