//! Recommendations: posture findings grouped by check (from `query::list_recommendations`),
//! each with its affected resources, remediation and YAML patch; filters and keyset paging.

use axum::extract::{Query, State};
use maud::html;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::READ;
use crate::query::{self, decode_cursor, RecommendationFilter};

use super::layout::{self, opt, SEVERITIES};
use super::session::Session;
use super::{link, DashError, PageResult};

pub const PAGE: usize = 20;

#[derive(Debug, Deserialize, Default)]
pub struct Filters {
    severity: Option<String>,
    /// The posture run's scope (a cluster's name when its results are sent with it).
    scope: Option<String>,
    namespace: Option<String>,
    cursor: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

pub async fn page(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<Filters>,
) -> PageResult {
    session.require(READ, "read recommendations")?;
    let severity = match nonempty(&q.severity) {
        Some(v) => Some(
            v.parse::<palisade_model::Severity>()
                .map_err(DashError::bad_request)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let after = match nonempty(&q.cursor) {
        None => None,
        Some(c) => {
            let c = decode_cursor(&c, 2)
                .ok_or_else(|| DashError::bad_request("not a cursor of this list"))?;
            let rank = c[0]
                .parse::<i64>()
                .map_err(|_| DashError::bad_request("not a cursor of this list"))?;
            Some((rank, c[1].clone()))
        }
    };
    let f = RecommendationFilter {
        severity,
        scope: nonempty(&q.scope),
        namespace: nonempty(&q.namespace),
        after,
    };
    let page = query::list_recommendations(&s.db, &f, PAGE).await?;
    let next = page.next_cursor.as_deref().map(|c| {
        link(
            "/recommendations",
            &[
                ("severity", q.severity.as_deref()),
                ("scope", q.scope.as_deref()),
                ("namespace", q.namespace.as_deref()),
                ("cursor", Some(c)),
            ],
        )
    });
    let body = html! {
        h1 { "Recommendations" }
        form.filters method="get" action="/recommendations" {
            (layout::select("severity", "Severity", SEVERITIES, q.severity.as_deref()))
            (layout::text_input("scope", "Scope / cluster", q.scope.as_deref()))
            (layout::text_input("namespace", "Namespace", q.namespace.as_deref()))
            div.actions {
                button type="submit" { "Filter" }
                a.button.secondary href="/recommendations" { "Clear" }
            }
        }
        @if page.items.is_empty() {
            p.empty { "No recommendations match." }
        }
        @for r in &page.items {
            section.panel.rec id={ "check-" (r.check_id) } {
                h2 { (layout::severity(&r.severity)) " " (r.title) " " span.muted.mono.small { (r.check_id) } }
                p.muted { (r.category) " · " strong { (r.resources) } " affected resource(s)" }
                p.remediation { strong { "Remediation: " } (r.remediation) }
                table {
                    thead { tr { th { "Resource" } th { "Namespace" } th { "Where" } th { "Finding" } th { "Patch" } } }
                    tbody {
                        @for a in &r.affected {
                            tr {
                                td { (a.kind) " " strong { (a.name) } }
                                td { (opt(a.namespace.as_deref())) }
                                td.small.mono { (a.file) ":" (a.line) div.muted { (a.scope) } }
                                td.small { (a.message) }
                                td {
                                    details {
                                        summary { "YAML patch" }
                                        p.muted.small { "at " span.mono { (a.patch_at) } }
                                        pre.code { (a.patch) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if r.resources > r.affected.len() as i64 {
                    p.muted.small { "The first " (r.affected.len()) " of " (r.resources) " are shown." }
                }
            }
        }
        @if let Some(next) = &next {
            p.pager { a.button.secondary href=(next) { "Next page →" } }
        }
    };
    Ok(layout::page(
        &session,
        "/recommendations",
        "Recommendations",
        body,
    ))
}
