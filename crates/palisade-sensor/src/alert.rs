//! Node alerts: one JSON line per rule hit, in the shape of the audit alerts (`id`, `rule_id`,
//! `rule`, `severity`, `priority`, `time`, `mitre`, `message`, `remediation`, `count`,
//! `last_seen`, `evidence`) with the node's own context: the container and the process.

use palisade_audit::alert::Mitre;
use palisade_audit::mitre::{tactic_from_tag, technique};
use palisade_model::Severity;
use palisade_rules::CompiledRule;
use serde::Serialize;

use crate::decode::NodeEvent;
use crate::fields::{evt_type, NodeRecord};
use crate::metadata::ContainerInfo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerRef {
    /// Full id, or `host`.
    pub id: String,
    #[serde(flatten)]
    pub info: Option<ContainerInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessRef {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exepath: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    pub uid: u32,
    pub gid: u32,
    pub pname: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ancestors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeAlert {
    /// `<rule id>/<pid>/<event time>`: unique per rule and triggering event.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    pub rule: String,
    pub severity: Severity,
    pub priority: palisade_rules::Priority,
    /// Wall-clock time the event was handled, RFC 3339.
    pub time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub evt_type: &'static str,
    pub container: ContainerRef,
    pub process: ProcessRef,
    pub mitre: Mitre,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    pub count: u64,
    pub last_seen: String,
    /// Repeats of this alert (same rule, container, executable and key evidence) suppressed
    /// within the de-duplication window before this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<u64>,
    /// The kernel event as decoded.
    pub evidence: NodeEvent,
}

impl NodeAlert {
    pub fn new(rule: &CompiledRule, r: &NodeRecord<'_>, time: String, node: Option<&str>) -> Self {
        Self::from_meta(&rule.meta, rule.render_output(r), r, time, node)
    }

    /// An alert of a rule that is not in the engine (anomalies), with its message.
    pub fn from_meta(
        m: &palisade_rules::RuleMeta,
        message: String,
        r: &NodeRecord<'_>,
        time: String,
        node: Option<&str>,
    ) -> Self {
        let e = r.event;
        NodeAlert {
            id: format!(
                "{}/{}/{}",
                m.id.as_deref().unwrap_or(&m.name),
                e.pid,
                e.ts_ns
            ),
            rule_id: m.id.clone(),
            rule: m.name.clone(),
            severity: m.severity,
            priority: m.priority,
            last_seen: time.clone(),
            time,
            node: node.map(str::to_string),
            evt_type: evt_type(e),
            container: ContainerRef {
                id: r.container_id().unwrap_or("host").to_string(),
                info: r.container.cloned(),
            },
            process: ProcessRef {
                pid: e.pid,
                ppid: e.ppid,
                name: e.comm.clone(),
                exepath: r.exe.map(str::to_string),
                args: r.args.to_vec(),
                cwd: r.cwd.map(str::to_string),
                uid: e.uid,
                gid: e.gid,
                pname: e.pcomm.clone(),
                ancestors: r.ancestors.iter().map(|a| a.to_string()).collect(),
            },
            mitre: mitre(m),
            message,
            remediation: m.remediation.clone(),
            count: 1,
            suppressed: None,
            evidence: e.clone(),
        }
    }
}

/// The rule's ATT&CK mapping as the audit alerts show it.
fn mitre(m: &palisade_rules::RuleMeta) -> Mitre {
    Mitre {
        tactics: m
            .tactics
            .iter()
            .map(|t| {
                if t.starts_with("TA") {
                    t.clone()
                } else {
                    tactic_from_tag(t)
                }
            })
            .collect(),
        techniques: m.techniques.clone(),
        technique_names: m
            .techniques
            .iter()
            .map(|t| technique(t).map_or(String::new(), |(n, _)| n.to_string()))
            .collect(),
    }
}

/// Microseconds since the epoch → RFC 3339 (UTC, microseconds).
pub fn rfc3339(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let us = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{us:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Now, RFC 3339.
pub fn now_rfc3339() -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    rfc3339(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format_round_trips_with_the_audit_parser() {
        for us in [
            0i64,
            1_700_000_000_123_456,
            951_782_400_000_000,
            4_102_444_799_999_999,
        ] {
            let s = rfc3339(us);
            assert_eq!(
                palisade_audit::alert::parse_rfc3339_micros(&s),
                Some(us),
                "{s}"
            );
        }
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000Z");
    }
}
