//! Overview: counts by severity of active alerts, recommendations and vulnerabilities; alerts
//! per day over 30 days and vulnerable images by severity (SVG); the top recommendations.

use std::time::{Duration, SystemTime};

use axum::extract::State;
use maud::{html, Markup};

use crate::api::AppState;
use crate::auth::READ;
use crate::query::{self, RecommendationFilter};

use super::layout::{self, SEVERITIES};
use super::session::Session;
use super::{data, svg, PageResult};

/// The last `n` days (UTC, `YYYY-MM-DD`), oldest first, today last.
pub fn last_days(n: u64) -> Vec<String> {
    let now = SystemTime::now();
    (0..n)
        .rev()
        .map(|k| {
            humantime::format_rfc3339_seconds(now - Duration::from_secs(k * 86_400)).to_string()
                [..10]
                .to_string()
        })
        .collect()
}

fn count_of(rows: &[(String, i64)], sev: &str) -> i64 {
    rows.iter()
        .filter(|(s, _)| s.eq_ignore_ascii_case(sev))
        .map(|(_, n)| *n)
        .sum()
}

/// A card: a title, the total, one chip per severity linking to the filtered list.
fn card(id: &str, title: &str, href: &str, rows: &[(String, i64)]) -> Markup {
    let total: i64 = rows.iter().map(|(_, n)| n).sum();
    html! {
        section.card id=(id) {
            h2 { a href=(href) { (title) } }
            p.big data-total=(total) { (total) }
            ul.chips {
                @for sev in SEVERITIES {
                    li class={ "chip " (layout::sev_class(sev)) } {
                        span.n { (count_of(rows, sev)) } " " (sev.to_ascii_lowercase())
                    }
                }
                @let unknown = total - SEVERITIES.iter().map(|s| count_of(rows, s)).sum::<i64>();
                @if unknown > 0 {
                    li.chip.sev-unknown { span.n { (unknown) } " unknown" }
                }
            }
        }
    }
}

pub async fn page(State(s): State<AppState>, session: Session) -> PageResult {
    session.require(READ, "read the overview")?;
    let alerts = data::active_alerts(&s.db).await?;
    let recs = data::recommendations(&s.db).await?;
    let vulns = data::vulnerabilities(&s.db).await?;
    let images = data::image_count(&s.db).await?;
    let days = last_days(30);
    let per_day = data::alerts_per_day(&s.db, &days[0]).await?;
    let series: Vec<Vec<i64>> = SEVERITIES
        .iter()
        .map(|sev| {
            days.iter()
                .map(|d| {
                    per_day
                        .iter()
                        .filter(|(day, s, _)| day == d && s.eq_ignore_ascii_case(sev))
                        .map(|(_, _, n)| *n)
                        .sum()
                })
                .collect()
        })
        .collect();
    let in_30_days: i64 = series.iter().flatten().sum();
    let worst = data::vulnerable_images(&s.db).await?;
    let image_bars: Vec<(String, String, i64)> =
        [(4, "CRITICAL"), (3, "HIGH"), (2, "MEDIUM"), (1, "LOW")]
            .iter()
            .map(|(rank, sev)| {
                let n = worst
                    .iter()
                    .filter(|(r, _)| r == rank)
                    .map(|(_, n)| *n)
                    .sum();
                (sev.to_ascii_lowercase(), sev.to_string(), n)
            })
            .collect();
    let top = query::list_recommendations(&s.db, &RecommendationFilter::default(), 5).await?;
    let body = html! {
        h1 { "Overview" }
        div.cards {
            (card("active-alerts", "Active security alerts", "/alerts?status=Active", &alerts))
            (card("recommendations", "Recommendations", "/recommendations", &recs))
            (card("vulnerabilities", "Vulnerabilities", "/vulnerabilities", &vulns))
            section.card #images {
                h2 { a href="/vulnerabilities" { "Images scanned" } }
                p.big data-total=(images) { (images) }
                p.muted { (worst.iter().map(|(_, n)| n).sum::<i64>()) " with findings" }
            }
        }
        div.charts {
            section.panel {
                h2 { "Alerts per day by severity" span.muted { " · last 30 days · " (in_30_days) " received" } }
                (svg::stacked_days(&days, SEVERITIES, &series))
                ul.legend {
                    @for sev in SEVERITIES {
                        li { span class={ "swatch " (layout::sev_class(sev)) } {} (sev.to_ascii_lowercase()) }
                    }
                }
            }
            section.panel {
                h2 { "Vulnerable images by worst severity" }
                (svg::bars("Vulnerable images by worst severity", &image_bars))
            }
        }
        section.panel {
            h2 { "Top recommendations" }
            @if top.items.is_empty() {
                p.muted { "No posture results yet: send " code { "palisade posture scan -f json" } " to the server." }
            } @else {
                table #top-recommendations {
                    thead { tr { th { "Severity" } th { "Check" } th { "Affected resources" } th { "Category" } } }
                    tbody {
                        @for r in &top.items {
                            tr {
                                td { (layout::severity(&r.severity)) }
                                td { a href={ "/recommendations#check-" (r.check_id) } { (r.title) } " " span.muted.mono { (r.check_id) } }
                                td.num { (r.resources) }
                                td { (r.category) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&session, "/", "Overview", body))
}
