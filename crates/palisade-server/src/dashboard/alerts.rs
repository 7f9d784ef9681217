//! Security alerts: the filtered list (keyset paging from `query::list_alerts`), an alert's
//! page (MITRE, evidence, repeats, status history) with the set-status form, and the first
//! step of "suppress alerts like this one" (the simulate preview).

use std::time::{Duration, SystemTime};

use axum::extract::{Path, Query, State};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

use crate::api::AppState;
use crate::auth::{ADMIN, OPERATE, READ};
use crate::query::{self, decode_cursor, AlertFilter};
use crate::store::ALERT_STATUSES;
use crate::suppress::{self, Matcher};

use super::layout::{self, opt, SEVERITIES};
use super::session::Session;
use super::{link, see_other, DashError, PageResult};

/// Alerts per page.
pub const PAGE: usize = 50;

/// Time windows of the filter.
const WINDOWS: &[(&str, u64)] = &[("24h", 86_400), ("7d", 7 * 86_400), ("30d", 30 * 86_400)];

#[derive(Debug, Deserialize, Default)]
pub struct Filters {
    severity: Option<String>,
    status: Option<String>,
    cluster: Option<String>,
    namespace: Option<String>,
    tactic: Option<String>,
    rule: Option<String>,
    text: Option<String>,
    /// `24h`, `7d`, `30d`.
    window: Option<String>,
    cursor: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl Filters {
    fn to_filter(&self) -> Result<AlertFilter, DashError> {
        let severity = match nonempty(&self.severity) {
            Some(s) => Some(
                s.parse::<palisade_model::Severity>()
                    .map_err(DashError::bad_request)?
                    .as_str()
                    .to_string(),
            ),
            None => None,
        };
        let status = nonempty(&self.status);
        if let Some(st) = &status {
            if !ALERT_STATUSES.contains(&st.as_str()) {
                return Err(DashError::bad_request(format!(
                    "status must be one of {}",
                    ALERT_STATUSES.join(", ")
                )));
            }
        }
        let since = match nonempty(&self.window) {
            None => None,
            Some(w) => {
                let secs = WINDOWS
                    .iter()
                    .find(|(n, _)| *n == w)
                    .map(|(_, s)| *s)
                    .ok_or_else(|| DashError::bad_request("window must be 24h, 7d or 30d"))?;
                Some(
                    humantime::format_rfc3339_micros(SystemTime::now() - Duration::from_secs(secs))
                        .to_string(),
                )
            }
        };
        let after = match nonempty(&self.cursor) {
            None => None,
            Some(c) => {
                let mut c = decode_cursor(&c, 2)
                    .ok_or_else(|| DashError::bad_request("not a cursor of this list"))?;
                let id = c.pop().unwrap_or_default();
                Some((c.pop().unwrap_or_default(), id))
            }
        };
        Ok(AlertFilter {
            severity,
            status,
            rule: nonempty(&self.rule),
            namespace: nonempty(&self.namespace),
            cluster: nonempty(&self.cluster),
            tactic: nonempty(&self.tactic),
            text: nonempty(&self.text),
            since,
            after,
            ..Default::default()
        })
    }

    fn pairs(&self) -> Vec<(&'static str, Option<&str>)> {
        vec![
            ("severity", self.severity.as_deref()),
            ("status", self.status.as_deref()),
            ("cluster", self.cluster.as_deref()),
            ("namespace", self.namespace.as_deref()),
            ("tactic", self.tactic.as_deref()),
            ("rule", self.rule.as_deref()),
            ("text", self.text.as_deref()),
            ("window", self.window.as_deref()),
        ]
    }
}

pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<Filters>,
) -> PageResult {
    session.require(READ, "read alerts")?;
    let f = q.to_filter()?;
    let page = query::list_alerts(&s.db, &f, PAGE).await?;
    let window_names: Vec<&str> = WINDOWS.iter().map(|(n, _)| *n).collect();
    let next = page.next_cursor.as_deref().map(|c| {
        let mut pairs = q.pairs();
        pairs.push(("cursor", Some(c)));
        link("/alerts", &pairs)
    });
    let body = html! {
        h1 { "Security alerts" }
        form.filters #alert-filters method="get" action="/alerts" {
            (layout::select("severity", "Severity", SEVERITIES, q.severity.as_deref()))
            (layout::select("status", "Status", ALERT_STATUSES, q.status.as_deref()))
            (layout::text_input("cluster", "Cluster", q.cluster.as_deref()))
            (layout::text_input("namespace", "Namespace", q.namespace.as_deref()))
            (layout::text_input("tactic", "MITRE tactic", q.tactic.as_deref()))
            (layout::text_input("rule", "Rule", q.rule.as_deref()))
            (layout::text_input("text", "Text", q.text.as_deref()))
            (layout::select("window", "Last seen within", &window_names, q.window.as_deref()))
            div.actions {
                button type="submit" { "Filter" }
                a.button.secondary href="/alerts" { "Clear" }
            }
        }
        @if page.items.is_empty() {
            p.empty #no-alerts { "No alerts match." }
        } @else {
            table #alerts {
                thead { tr {
                    th { "Severity" } th { "Alert" } th { "Resource" } th { "Where" }
                    th { "Tactics" } th { "Status" } th.num { "Count" } th { "Last seen" }
                } }
                tbody {
                    @for a in &page.items {
                        tr data-id=(a.id) {
                            td { (layout::severity(&a.severity)) }
                            td {
                                a href={ "/alerts/" (a.id) } { (a.rule) }
                                div.muted.small.clip { (a.message) }
                            }
                            td.clip { (a.resource) }
                            td { (opt(a.cluster.as_deref().or(a.node.as_deref()))) @if let Some(ns) = &a.namespace { div.muted.small { (ns) } } }
                            td.small { (a.tactics.join(", ")) }
                            td { (layout::status(&a.status)) }
                            td.num { (a.count) }
                            td.small { (layout::time(&a.last_seen)) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &next {
            p.pager { a.button.secondary #next-page href=(next) { "Next page →" } }
        }
    };
    Ok(layout::page(&session, "/alerts", "Security alerts", body))
}

fn s(v: &Value, ptr: &str) -> Option<String> {
    match v.pointer(ptr)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn strings(v: &Value, ptr: &str) -> Vec<String> {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn row(label: &str, value: Option<String>) -> Markup {
    html! {
        @if let Some(v) = value.filter(|v| !v.is_empty()) {
            tr { th { (label) } td { (v) } }
        }
    }
}

/// The evidence of a node alert (process, parent chain, container) or an audit alert (user,
/// request), then the whole evidence object.
fn evidence(doc: &Value) -> Markup {
    let ancestors = strings(doc, "/process/ancestors");
    let chain = {
        let mut c: Vec<String> = ancestors.iter().rev().cloned().collect();
        if let Some(p) = s(doc, "/process/pname") {
            if c.last() != Some(&p) {
                c.push(p);
            }
        }
        if let Some(p) = s(doc, "/process/name") {
            c.push(p);
        }
        c
    };
    html! {
        @if doc.get("process").is_some() || doc.get("container").is_some() {
            table.kv #evidence-process {
                (row("Process", s(doc, "/process/name")))
                (row("Executable", s(doc, "/process/exepath")))
                (row("Command line", Some(strings(doc, "/process/args").join(" "))))
                (row("PID", s(doc, "/process/pid")))
                (row("User id", s(doc, "/process/uid")))
                (row("Parent chain", Some(chain.join(" → "))))
                (row("Container", s(doc, "/container/name")))
                (row("Container id", s(doc, "/container/id")))
                (row("Image", s(doc, "/container/image")))
                (row("Image digest", s(doc, "/container/image_digest")))
                (row("Pod", s(doc, "/container/pod_name").map(|p| format!("{}/{p}", s(doc, "/container/pod_namespace").unwrap_or_default()))))
                (row("Node", s(doc, "/node")))
            }
        } @else {
            table.kv #evidence-audit {
                (row("User", s(doc, "/user/name")))
                (row("Groups", Some(strings(doc, "/user/groups").join(", "))))
                (row("Source IPs", Some(strings(doc, "/source_ips").join(", "))))
                (row("User agent", s(doc, "/user_agent")))
                (row("Verb", s(doc, "/evidence/verb")))
                (row("Request", s(doc, "/evidence/requestURI")))
                (row("Cluster", s(doc, "/cluster")))
            }
        }
        @if let Some(e) = doc.get("evidence") {
            details {
                summary { "Evidence as received" }
                pre.code { (serde_json::to_string_pretty(e).unwrap_or_default()) }
            }
        }
    }
}

pub async fn detail(
    State(st): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    session.require(READ, "read alerts")?;
    let d = query::get_alert(&st.db, &id)
        .await?
        .ok_or_else(|| DashError::not_found(format!("no alert {id}")))?;
    let a = &d.alert;
    let doc = &d.latest;
    let technique_names = strings(doc, "/mitre/technique_names");
    let rule_key = a.rule_id.clone().unwrap_or_else(|| a.rule.clone());
    let body = html! {
        p.crumbs { a href="/alerts" { "Security alerts" } " / " span.mono { (a.id) } }
        h1 #alert-title { (layout::severity(&a.severity)) " " (a.rule) }
        p.lead #alert-message { (a.message) }
        div.grid2 {
            section.panel {
                h2 { "Alert" }
                table.kv {
                    tr { th { "Status" } td #alert-status { (layout::status(&a.status)) } }
                    (row("Reason", a.status_reason.clone()))
                    (row("Rule id", a.rule_id.clone()))
                    (row("Source", Some(a.source.clone())))
                    (row("Resource", Some(a.resource.clone())))
                    (row("Cluster", a.cluster.clone()))
                    (row("Node", a.node.clone()))
                    (row("Namespace", a.namespace.clone()))
                    (row("Image", a.image.clone()))
                    tr { th { "First seen" } td { (layout::time(&a.first_seen)) } }
                    tr { th { "Last seen" } td { (layout::time(&a.last_seen)) } }
                    tr { th { "Count" } td { (a.count) " (" (a.occurrences) " documents)" } }
                    (row("Remediation", s(doc, "/remediation")))
                }
            }
            section.panel #mitre {
                h2 { "MITRE ATT&CK" }
                table.kv {
                    tr { th { "Tactics" } td { (a.tactics.join(", ")) } }
                    tr { th { "Techniques" } td {
                        @for (i, t) in a.techniques.iter().enumerate() {
                            div { span.mono { (t) } @if let Some(n) = technique_names.get(i) { " " (n) } }
                        }
                    } }
                }
                @if session.may(OPERATE) {
                    h2 { "Set status" }
                    form.stack #set-status method="post" action={ "/alerts/" (a.id) "/status" } {
                        (layout::csrf(&session))
                        label { span { "Status" }
                            select name="status" {
                                @for st in ALERT_STATUSES {
                                    option value=(st) selected[*st == a.status] { (st) }
                                }
                            }
                        }
                        label { span { "Reason" } input type="text" name="reason" required maxlength="2000"; }
                        button type="submit" { "Set status" }
                    }
                }
            }
        }
        section.panel {
            h2 { "Evidence" }
            (evidence(doc))
        }
        div.grid2 {
            section.panel {
                h2 { "Repeats" span.muted { " · " (d.repeats.len()) " shown" } }
                table #repeats {
                    thead { tr { th { "Time" } th { "Document id" } th.num { "Count" } } }
                    tbody {
                        @for r in &d.repeats {
                            tr { td.small { (layout::time(&r.time)) } td.mono.small.clip { (r.id) } td.num { (r.count) } }
                        }
                    }
                }
            }
            section.panel {
                h2 { "Status history" }
                @if d.history.is_empty() {
                    p.muted { "No changes yet." }
                } @else {
                    table #history {
                        thead { tr { th { "When" } th { "Who" } th { "Change" } th { "Reason" } } }
                        tbody {
                            @for h in &d.history {
                                tr {
                                    td.small { (layout::time(&h.at)) }
                                    td.small { (h.actor) }
                                    td { (s(&h.detail, "/from").unwrap_or_default()) " → " (s(&h.detail, "/to").unwrap_or_default()) }
                                    td { (s(&h.detail, "/reason").unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if session.may(ADMIN) {
            section.panel #suppress {
                h2 { "Create a suppression rule from this alert" }
                p.muted { "New alerts that match every field given are stored Dismissed. Clear a field to match any value. The next step shows how many stored alerts the rule matches." }
                form.filters method="post" action={ "/alerts/" (a.id) "/suppress" } {
                    (layout::csrf(&session))
                    (layout::text_input("rule_id", "Rule", Some(&rule_key)))
                    (layout::text_input("cluster", "Cluster", a.cluster.as_deref()))
                    (layout::text_input("namespace", "Namespace", a.namespace.as_deref()))
                    (layout::text_input("image", "Image", a.image.as_deref()))
                    (layout::text_input("process_name", "Process name", s(doc, "/process/name").as_deref()))
                    (layout::text_input("container_name", "Container name", s(doc, "/container/name").as_deref()))
                    div.actions { button #simulate type="submit" { "Preview matches" } }
                }
            }
        }
    };
    Ok(layout::page(&session, "/alerts", &a.rule, body))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn set_status(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> PageResult {
    session.check_csrf(&f.csrf)?;
    session.require(OPERATE, "change alert status")?;
    if !ALERT_STATUSES.contains(&f.status.as_str()) {
        return Err(DashError::bad_request(format!(
            "status must be one of {}",
            ALERT_STATUSES.join(", ")
        )));
    }
    let reason = f.reason.trim();
    if reason.is_empty() || reason.len() > 2000 {
        return Err(DashError::bad_request("reason must be 1 to 2000 bytes"));
    }
    crate::store::set_alert_status(&s.db, &id, &f.status, reason, &session.caller.who())
        .await?
        .ok_or_else(|| DashError::not_found(format!("no alert {id}")))?;
    Ok(see_other(&format!("/alerts/{}", super::encode(&id))))
}

#[derive(Deserialize)]
pub struct SuppressForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(flatten)]
    pub matcher: Matcher,
}

/// Step 1 of a suppression rule: what it would match among the stored alerts, and the form
/// that creates it (step 2, `settings::create_suppression`).
pub async fn suppress_preview(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<SuppressForm>,
) -> PageResult {
    session.check_csrf(&f.csrf)?;
    session.require(ADMIN, "manage suppression rules")?;
    let m = f.matcher.normalized().map_err(DashError::bad_request)?;
    let sim = suppress::simulate(&s.db, &m).await?;
    let fields: [(&str, &str, Option<&String>); 6] = [
        ("rule_id", "Rule", Some(&m.rule_id)),
        ("cluster", "Cluster", m.cluster.as_ref()),
        ("namespace", "Namespace", m.namespace.as_ref()),
        ("image", "Image", m.image.as_ref()),
        ("process_name", "Process name", m.process_name.as_ref()),
        (
            "container_name",
            "Container name",
            m.container_name.as_ref(),
        ),
    ];
    let body = html! {
        p.crumbs { a href="/alerts" { "Security alerts" } " / " a href={ "/alerts/" (id) } { "alert" } " / suppress" }
        h1 { "Suppression rule preview" }
        section.panel {
            table.kv #rule-fields {
                @for (_, label, v) in &fields {
                    tr { th { (label) } td { @match v { Some(v) => (v), None => span.muted { "any" } } } }
                }
            }
            p #simulation {
                "This rule matches "
                strong #matched { (sim.matched) } " stored alert(s), "
                strong { (sim.active) } " of them active."
                @if sim.truncated { " (Only the newest " (suppress::SCAN_LIMIT) " candidates were examined.)" }
                " Stored alerts keep their status; new alerts that match are stored Dismissed."
            }
            @if !sim.sample.is_empty() {
                table {
                    thead { tr { th { "Severity" } th { "Alert" } th { "Resource" } th { "Status" } th { "Last seen" } } }
                    tbody {
                        @for a in &sim.sample {
                            tr {
                                td { (layout::severity(&a.severity)) }
                                td { a href={ "/alerts/" (a.id) } { (a.rule) } }
                                td.clip { (a.resource) }
                                td { (layout::status(&a.status)) }
                                td.small { (layout::time(&a.last_seen)) }
                            }
                        }
                    }
                }
            }
            form.stack #create-suppression method="post" action="/settings/suppressions" {
                (layout::csrf(&session))
                input type="hidden" name="from" value=(id);
                @for (name, _, v) in &fields {
                    @if let Some(v) = v { input type="hidden" name=(name) value=(v); }
                }
                label { span { "Reason" } input type="text" name="reason" required maxlength="2000"; }
                div.actions {
                    button type="submit" { "Create suppression rule" }
                    a.button.secondary href={ "/alerts/" (id) } { "Cancel" }
                }
            }
        }
    };
    Ok(layout::page(
        &session,
        "/alerts",
        "Suppression preview",
        body,
    ))
}
