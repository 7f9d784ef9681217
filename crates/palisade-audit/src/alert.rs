//! Alerts: one structured record per rule hit, and de-duplication within a time window (the
//! same rule, resource and user within the window → one alert with a count).

use std::hash::BuildHasher;

use palisade_model::Severity;
use palisade_rules::CompiledRule;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::fields::AuditRecord;

/// The object a request was about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ResourceRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The request URI, for requests without an object (e.g. `/api/v1/nodes/x/proxy` or
    /// non-resource URLs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRef {
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mitre {
    /// Tactic names (`Privilege Escalation`), or ids (`TA0004`) when a rule tags them so.
    pub tactics: Vec<String>,
    /// Technique ids (`T1611`).
    pub techniques: Vec<String>,
    /// Technique names from the ATT&CK Containers matrix, in the order of `techniques`
    /// (empty for ids outside it).
    pub technique_names: Vec<String>,
}

/// One alert (JSON lines on output).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// `<rule id>/<auditID>`: stable, unique per rule and triggering event.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    pub rule: String,
    pub severity: Severity,
    pub priority: palisade_rules::Priority,
    /// The event's time (stageTimestamp), RFC 3339.
    pub time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub resource: ResourceRef,
    pub user: UserRef,
    pub source_ips: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub mitre: Mitre,
    /// The rule's output with the event's fields filled in.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// How many hits this alert stands for (de-duplication), and when the last one was.
    pub count: u64,
    pub last_seen: String,
    /// The triggering (first) event, as the API server wrote it.
    pub evidence: Evidence,
}

/// The triggering event's JSON text, written out as it came in: building an alert never
/// parses or copies the event into a tree (an attack storm builds one per new group).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Evidence(Box<RawValue>);

impl Evidence {
    pub fn of(event: &crate::AuditEvent) -> Evidence {
        let raw = RawValue::from_string(event.raw().to_string())
            .unwrap_or_else(|_| RawValue::from_string("null".into()).unwrap_or_default());
        Evidence(raw)
    }

    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The event as a JSON tree (for tests and callers that want to look inside).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl PartialEq for Evidence {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

/// A [`ResourceRef`] borrowed from an event: what de-duplication compares before it decides
/// whether an alert has to be built at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceView<'a> {
    pub api_group: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub subresource: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
    pub uri: Option<&'a str>,
}

impl<'a> ResourceView<'a> {
    pub fn of(ev: &'a crate::AuditEvent) -> ResourceView<'a> {
        let object_ref = ev.object_ref();
        ResourceView {
            api_group: object_ref
                .and_then(|o| o.api_group.as_deref())
                .filter(|g| !g.is_empty()),
            resource: object_ref.and_then(|o| o.resource.as_deref()),
            subresource: object_ref.and_then(|o| o.subresource.as_deref()),
            namespace: object_ref.and_then(|o| o.namespace.as_deref()),
            name: object_ref.and_then(|o| o.name.as_deref()),
            uri: if object_ref.is_some() {
                None
            } else {
                ev.request_uri()
            },
        }
    }

    fn to_owned_ref(self) -> ResourceRef {
        let own = |s: Option<&str>| s.map(str::to_string);
        ResourceRef {
            api_group: own(self.api_group),
            resource: own(self.resource),
            subresource: own(self.subresource),
            namespace: own(self.namespace),
            name: own(self.name),
            uri: own(self.uri),
        }
    }
}

impl ResourceRef {
    pub fn view(&self) -> ResourceView<'_> {
        ResourceView {
            api_group: self.api_group.as_deref(),
            resource: self.resource.as_deref(),
            subresource: self.subresource.as_deref(),
            namespace: self.namespace.as_deref(),
            name: self.name.as_deref(),
            uri: self.uri.as_deref(),
        }
    }
}

impl Alert {
    pub fn new(rule: &CompiledRule, record: &AuditRecord<'_>) -> Alert {
        let ev = record.event;
        let m = &rule.meta;
        let resource = ResourceView::of(ev).to_owned_ref();
        let time = ev.timestamp().unwrap_or_default().to_string();
        Alert {
            id: format!(
                "{}/{}",
                m.id.as_deref().unwrap_or(&m.name),
                ev.audit_id().unwrap_or("-")
            ),
            rule_id: m.id.clone(),
            rule: m.name.clone(),
            severity: m.severity,
            priority: m.priority,
            last_seen: time.clone(),
            time,
            cluster: record.cluster.map(str::to_string),
            resource,
            user: UserRef {
                name: ev.user_name().unwrap_or_default().to_string(),
                groups: ev.user_groups().to_vec(),
            },
            source_ips: ev.source_ips().to_vec(),
            user_agent: ev.user_agent().map(str::to_string),
            mitre: Mitre {
                tactics: m
                    .tactics
                    .iter()
                    .map(|t| {
                        if t.starts_with("TA") {
                            t.clone()
                        } else {
                            crate::mitre::tactic_from_tag(t)
                        }
                    })
                    .collect(),
                techniques: m.techniques.clone(),
                technique_names: m
                    .techniques
                    .iter()
                    .map(|t| {
                        crate::mitre::technique(t).map_or(String::new(), |(n, _)| n.to_string())
                    })
                    .collect(),
            },
            message: rule.render_output(record),
            remediation: m.remediation.clone(),
            count: 1,
            evidence: Evidence::of(ev),
        }
    }
}

/// RFC 3339 (`2024-05-01T12:00:00.123456Z`, `...+02:00`) → microseconds since the epoch.
pub fn parse_rfc3339_micros(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 6 {
                micros = micros * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        for _ in (i - start).min(6)..6 {
            micros *= 10;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' => 0,
        c @ (b'+' | b'-') => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = (oh * 60 + om) * 60;
            if *c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    // Days from the civil date (proleptic Gregorian).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + mi * 60 + se) - offset) * 1_000_000 + micros)
}

/// What makes two hits the same alert: rule, resource and user, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DedupKey<'a> {
    pub rule: &'a str,
    pub resource: ResourceView<'a>,
    pub user: &'a str,
}

impl<'a> DedupKey<'a> {
    fn of_alert(alert: &'a Alert) -> DedupKey<'a> {
        DedupKey {
            rule: alert.rule_id.as_deref().unwrap_or(&alert.rule),
            resource: alert.resource.view(),
            user: &alert.user.name,
        }
    }
}

struct Open {
    alert: Alert,
    deadline: i64,
    order: u64,
}

/// Groups alerts of the same rule, resource and user whose events fall within `window` of the
/// group's first event. Time is the events' own time, so replaying an old log de-duplicates the
/// same way as a live stream. Memory is bounded: past `max_open` groups, the oldest are
/// emitted early. Groups are found by a [`DedupKey`] borrowed from the event, so a repeat is
/// counted without building its alert ([`Deduplicator::count_repeat`]).
pub struct Deduplicator {
    window_micros: i64,
    max_open: usize,
    open: hashbrown::HashTable<Open>,
    hasher: std::hash::RandomState,
    next_deadline: i64,
    seq: u64,
    /// Groups emitted before their window closed because `max_open` was reached.
    pub evicted: u64,
}

impl Deduplicator {
    pub fn new(window: std::time::Duration, max_open: usize) -> Self {
        Deduplicator {
            window_micros: i64::try_from(window.as_micros()).unwrap_or(i64::MAX),
            max_open: max_open.max(1),
            open: hashbrown::HashTable::new(),
            hasher: std::hash::RandomState::new(),
            next_deadline: i64::MAX,
            seq: 0,
            evicted: 0,
        }
    }

    fn hash(hasher: &std::hash::RandomState, key: &DedupKey<'_>) -> u64 {
        hasher.hash_one(key)
    }

    /// When a hit at `time` belongs to an open group, counts it there and returns true: the
    /// caller need not build its alert. Groups whose window has closed by `time` are first
    /// appended to `out`.
    pub fn count_repeat(&mut self, key: &DedupKey<'_>, time: &str, out: &mut Vec<Alert>) -> bool {
        if self.window_micros == 0 {
            return false;
        }
        let now = parse_rfc3339_micros(time).unwrap_or(i64::MIN);
        self.expire(now, out);
        let hash = Self::hash(&self.hasher, key);
        let Some(open) = self
            .open
            .find_mut(hash, |o| DedupKey::of_alert(&o.alert) == *key)
        else {
            return false;
        };
        open.alert.count += 1;
        if now >= parse_rfc3339_micros(&open.alert.last_seen).unwrap_or(i64::MIN) {
            time.clone_into(&mut open.alert.last_seen);
        }
        true
    }

    /// Adds an alert; alerts whose window has closed (by this alert's time) are appended to
    /// `out`, oldest first.
    pub fn push(&mut self, alert: Alert, out: &mut Vec<Alert>) {
        let key = DedupKey::of_alert(&alert);
        if self.count_repeat(&key, &alert.time, out) {
            return;
        }
        if self.window_micros == 0 {
            out.push(alert);
            return;
        }
        let now = parse_rfc3339_micros(&alert.time).unwrap_or(i64::MIN);
        if self.open.len() >= self.max_open {
            let hasher = &self.hasher;
            let oldest = self
                .open
                .iter()
                .min_by_key(|o| o.order)
                .map(|o| (o.order, Self::hash(hasher, &DedupKey::of_alert(&o.alert))));
            if let Some((order, hash)) = oldest {
                if let Ok(entry) = self.open.find_entry(hash, |o| o.order == order) {
                    let (o, _) = entry.remove();
                    self.evicted += 1;
                    out.push(o.alert);
                }
            }
        }
        let deadline = if now == i64::MIN {
            i64::MIN
        } else {
            now.saturating_add(self.window_micros)
        };
        self.next_deadline = self.next_deadline.min(deadline);
        self.seq += 1;
        let hash = Self::hash(&self.hasher, &DedupKey::of_alert(&alert));
        let hasher = &self.hasher;
        self.open.insert_unique(
            hash,
            Open {
                alert,
                deadline,
                order: self.seq,
            },
            |o| Self::hash(hasher, &DedupKey::of_alert(&o.alert)),
        );
    }

    /// Emits the groups whose window has closed by `now` (microseconds since the epoch): the
    /// clock of the events when replaying, the wall clock when a live stream goes quiet.
    pub fn expire(&mut self, now: i64, out: &mut Vec<Alert>) {
        if now < self.next_deadline {
            return;
        }
        let mut done: Vec<Open> = self.open.extract_if(|o| o.deadline <= now).collect();
        done.sort_by_key(|o| o.order);
        out.extend(done.into_iter().map(|o| o.alert));
        self.next_deadline = self
            .open
            .iter()
            .map(|o| o.deadline)
            .min()
            .unwrap_or(i64::MAX);
    }

    /// Emits every open group (end of input).
    pub fn flush(&mut self, out: &mut Vec<Alert>) {
        let mut all: Vec<Open> = self.open.drain().collect();
        all.sort_by_key(|o| o.order);
        out.extend(all.into_iter().map(|o| o.alert));
        self.next_deadline = i64::MAX;
    }

    pub fn open_groups(&self) -> usize {
        self.open.len()
    }
}

impl std::fmt::Debug for Deduplicator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deduplicator")
            .field("window_micros", &self.window_micros)
            .field("open", &self.open.len())
            .finish()
    }
}
