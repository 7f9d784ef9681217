//! Vulnerabilities: images ranked by risk (KEV, then severity, then EPSS) and the
//! vulnerabilities across images (`query::list_vulnerabilities`); an image's page (findings:
//! package, fix, status) and a CVE's page (every affected image).

use axum::extract::{Path, Query, State};
use maud::{html, Markup};
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::READ;
use crate::query::{self, decode_cursor, VulnFilter};

use super::layout::{self, opt, SEVERITIES};
use super::session::Session;
use super::{data, encode, link, DashError, PageResult};

pub const IMAGES_PAGE: i64 = 25;
pub const VULNS_PAGE: usize = 50;

#[derive(Debug, Deserialize, Default)]
pub struct Filters {
    /// Page of the image ranking (from 0).
    page: Option<String>,
    severity: Option<String>,
    kev: Option<String>,
    fixable: Option<String>,
    cursor: Option<String>,
}

fn rank_name(rank: i64) -> &'static str {
    match rank {
        4 => "CRITICAL",
        3 => "HIGH",
        2 => "MEDIUM",
        1 => "LOW",
        _ => "UNKNOWN",
    }
}

fn epss(v: Option<f64>) -> Markup {
    html! {
        @match v {
            Some(e) if e > 0.0 => (format!("{:.1}%", e * 100.0)),
            _ => span.muted { "—" },
        }
    }
}

fn kev(k: bool) -> Markup {
    html! { @if k { span.badge.kev title="Known exploited (CISA KEV)" { "KEV" } } }
}

pub async fn page(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<Filters>,
) -> PageResult {
    session.require(READ, "read vulnerabilities")?;
    let page_no: i64 = match q.page.as_deref().filter(|p| !p.is_empty()) {
        None => 0,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (0..1_000_000).contains(p))
            .ok_or_else(|| DashError::bad_request("page must be a number"))?,
    };
    let images = data::images_by_risk(&s.db, IMAGES_PAGE + 1, page_no * IMAGES_PAGE).await?;
    let more_images = images.len() as i64 > IMAGES_PAGE;
    let severity = match q.severity.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(
            v.parse::<palisade_model::Severity>()
                .map_err(DashError::bad_request)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let f = VulnFilter {
        severity,
        kev: q.kev.as_deref() == Some("true"),
        fixable: q.fixable.as_deref() == Some("true"),
        package: None,
        image: None,
        after: match q.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => decode_cursor(c, 1)
                .and_then(|mut c| c.pop())
                .map(Some)
                .ok_or_else(|| DashError::bad_request("not a cursor of this list"))?,
        },
    };
    let vulns = query::list_vulnerabilities(&s.db, &f, VULNS_PAGE).await?;
    let filters = |extra: (&'static str, Option<&str>)| {
        link(
            "/vulnerabilities",
            &[
                ("severity", q.severity.as_deref()),
                ("kev", q.kev.as_deref()),
                ("fixable", q.fixable.as_deref()),
                extra,
            ],
        )
    };
    let next_page = (page_no + 1).to_string();
    let body = html! {
        h1 { "Vulnerabilities" }
        section.panel {
            h2 { "Images by risk" span.muted { " · known exploited first, then severity, then EPSS" } }
            @if images.is_empty() {
                p.empty { "No vulnerable images: send " code { "palisade scan -f json" } " reports to the server." }
            } @else {
                table #images-by-risk {
                    thead { tr {
                        th { "Image" } th { "Worst" } th.num { "KEV" } th.num { "Critical" }
                        th.num { "High" } th.num { "Findings" } th.num { "Fixable" } th.num { "Max EPSS" }
                    } }
                    tbody {
                        @for i in images.iter().take(IMAGES_PAGE as usize) {
                            tr {
                                td { a href={ "/images/" (i.digest) } { (i.name) } div.muted.mono.small { (i.digest.get(..19).unwrap_or(&i.digest)) "…" } }
                                td { (layout::severity(rank_name(i.worst))) }
                                td.num { @if i.kev > 0 { (kev(true)) } @else { "0" } }
                                td.num { (i.critical) }
                                td.num { (i.high) }
                                td.num { (i.findings) }
                                td.num { (i.fixable) }
                                td.num { (epss(i.epss)) }
                            }
                        }
                    }
                }
                @if more_images {
                    p.pager { a.button.secondary href=(filters(("page", Some(&next_page)))) { "More images →" } }
                }
            }
        }
        section.panel {
            h2 { "Vulnerabilities across images" }
            form.filters method="get" action="/vulnerabilities" {
                (layout::select("severity", "Severity", SEVERITIES, q.severity.as_deref()))
                (layout::select("kev", "Known exploited", &["true"], q.kev.as_deref()))
                (layout::select("fixable", "Fix available", &["true"], q.fixable.as_deref()))
                div.actions {
                    button type="submit" { "Filter" }
                    a.button.secondary href="/vulnerabilities" { "Clear" }
                }
            }
            table #vulnerabilities {
                thead { tr { th { "Vulnerability" } th { "Severity" } th.num { "Images" } th.num { "Packages" } th { "KEV" } th.num { "EPSS" } th { "Fix" } } }
                tbody {
                    @for v in &vulns.items {
                        tr {
                            td.mono { a href={ "/cves/" (encode(&v.id)) } { (v.id) } }
                            td { (layout::severity(&v.severity)) }
                            td.num { (v.images) }
                            td.num { (v.packages) }
                            td { (kev(v.kev)) }
                            td.num { (epss(v.epss)) }
                            td { @if v.fixable { "available" } @else { span.muted { "none" } } }
                        }
                    }
                }
            }
            @if let Some(c) = &vulns.next_cursor {
                p.pager { a.button.secondary href=(filters(("cursor", Some(c)))) { "Next page →" } }
            }
        }
    };
    Ok(layout::page(
        &session,
        "/vulnerabilities",
        "Vulnerabilities",
        body,
    ))
}

pub async fn image(
    State(s): State<AppState>,
    session: Session,
    Path(digest): Path<String>,
) -> PageResult {
    session.require(READ, "read images")?;
    if !crate::decode::valid_digest(&digest) {
        return Err(DashError::bad_request(
            "an image digest is sha256:<64 hex digits>",
        ));
    }
    let d = query::get_image(&s.db, &digest)
        .await?
        .ok_or_else(|| DashError::not_found(format!("no image {digest}")))?;
    let i = &d.image;
    let tags: Vec<String> = i
        .repo_tags
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let os =
        i.os.get("pretty_name")
            .or_else(|| i.os.get("id"))
            .and_then(|v| v.as_str())
            .map(str::to_string);
    let mut packages: Vec<(&str, &str, &str)> = d
        .vulnerabilities
        .iter()
        .map(|f| (f.package.as_str(), f.version.as_str(), f.ecosystem.as_str()))
        .collect();
    packages.sort_unstable();
    packages.dedup();
    let body = html! {
        p.crumbs { a href="/vulnerabilities" { "Vulnerabilities" } " / image" }
        h1 #image-name { (i.name) }
        div.grid2 {
            section.panel {
                table.kv {
                    tr { th { "Digest" } td.mono.small { (i.digest) } }
                    tr { th { "Tags" } td #image-tags { @for t in &tags { div { (t) } } } }
                    tr { th { "OS" } td { (opt(os.as_deref())) } }
                    tr { th { "Architecture" } td { (opt(d.architecture.as_deref())) } }
                    tr { th { "Packages scanned" } td { (i.packages_scanned) } }
                    tr { th { "Last scanned" } td { (layout::time(&i.last_scanned)) } }
                }
            }
            section.panel {
                div.cards.small {
                    div.card { h2 { "Findings" } p.big { (i.findings) } }
                    div.card { h2 { "Critical" } p.big { (i.critical) } }
                    div.card { h2 { "High" } p.big { (i.high) } }
                    div.card { h2 { "Fixable" } p.big { (i.fixable) } }
                    div.card { h2 { "KEV" } p.big { (i.kev) } }
                }
            }
        }
        section.panel {
            h2 { "Findings" }
            table #findings {
                thead { tr { th { "Vulnerability" } th { "Severity" } th { "Package" } th { "Version" } th { "Fixed in" } th { "Status" } th { "KEV" } th.num { "EPSS" } th { "Summary" } } }
                tbody {
                    @for f in &d.vulnerabilities {
                        tr {
                            td.mono { a href={ "/cves/" (encode(&f.id)) } { (f.id) } }
                            td { (layout::severity(&f.severity)) }
                            td { (f.package) }
                            td.mono.small { (f.version) }
                            td.mono.small { (opt(f.fixed_version.as_deref())) }
                            td.small { (f.status) }
                            td { (kev(f.kev)) }
                            td.num { (epss(f.epss)) }
                            td.small.clip { (opt(f.summary.as_deref())) }
                        }
                    }
                }
            }
        }
        section.panel {
            h2 { "Vulnerable packages" span.muted { " · " (packages.len()) } }
            table #packages {
                thead { tr { th { "Package" } th { "Version" } th { "Ecosystem" } } }
                tbody { @for (p, v, e) in &packages { tr { td { (p) } td.mono.small { (v) } td { (e) } } } }
            }
        }
    };
    Ok(layout::page(&session, "/vulnerabilities", &i.name, body))
}

pub async fn cve(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    session.require(READ, "read vulnerabilities")?;
    if id.is_empty() || id.len() > 200 {
        return Err(DashError::bad_request(
            "a vulnerability id is 1 to 200 bytes",
        ));
    }
    let rows = data::cve_images(&s.db, &id).await?;
    if rows.is_empty() {
        return Err(DashError::not_found(format!("no stored image has {id}")));
    }
    let first = &rows[0];
    let mut images: Vec<&str> = rows.iter().map(|r| r.digest.as_str()).collect();
    images.sort_unstable();
    images.dedup();
    let aliases: Vec<&str> = first.aliases.split(',').filter(|a| !a.is_empty()).collect();
    let body = html! {
        p.crumbs { a href="/vulnerabilities" { "Vulnerabilities" } " / " (id) }
        h1 #cve-id { (layout::severity(&first.severity)) " " (id) " " (kev(rows.iter().any(|r| r.kev))) }
        section.panel {
            p.lead { (opt(first.summary.as_deref())) }
            table.kv {
                tr { th { "Aliases" } td { (aliases.join(", ")) } }
                tr { th { "EPSS" } td { (epss(rows.iter().filter_map(|r| r.epss).reduce(f64::max))) } }
                tr { th { "Affected images" } td #affected-count { (images.len()) } }
            }
        }
        section.panel {
            h2 { "Affected images" }
            table #cve-images {
                thead { tr { th { "Image" } th { "Package" } th { "Version" } th { "Fixed in" } th { "Status" } } }
                tbody {
                    @for r in &rows {
                        tr {
                            td { a href={ "/images/" (r.digest) } { (r.name) } }
                            td { (r.package) }
                            td.mono.small { (r.version) }
                            td.mono.small { (opt(r.fixed_version.as_deref())) }
                            td.small { (r.status) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&session, "/vulnerabilities", &id, body))
}
