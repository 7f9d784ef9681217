//! Reads: the lists and details the query API serves, each list in keyset order with an opaque
//! cursor (the sort key of the last row), filters bound as parameters.

use base64::Engine;
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{bind_all, like_pattern, Bind, Db, Where};

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

pub fn encode_cursor(parts: &[String]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(parts).unwrap_or_default())
}

/// The sort key a cursor carries, or `None` when it is not one of ours with `n` parts.
pub fn decode_cursor(cursor: &str, n: usize) -> Option<Vec<String>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let parts: Vec<String> = serde_json::from_slice(&bytes).ok()?;
    (parts.len() == n).then_some(parts)
}

#[derive(Debug, Default)]
pub struct AlertFilter {
    pub severity: Option<String>,
    pub status: Option<String>,
    pub rule: Option<String>,
    pub namespace: Option<String>,
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub text: Option<String>,
    /// MITRE ATT&CK tactic (name or id) and technique id, as the rule tags them.
    pub tactic: Option<String>,
    pub technique: Option<String>,
    /// The container image (node alerts), exactly.
    pub image: Option<String>,
    /// `last_seen` at or after / at or before (normalised RFC 3339).
    pub since: Option<String>,
    pub until: Option<String>,
    /// (last_seen, id) of the previous page's last alert.
    pub after: Option<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct AlertSummary {
    pub id: String,
    pub source: String,
    pub rule_id: Option<String>,
    pub rule: String,
    pub severity: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub namespace: Option<String>,
    pub resource: String,
    pub image: Option<String>,
    pub message: String,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    pub first_seen: String,
    pub last_seen: String,
    /// Hits of this rule on this resource (the producers' counts summed).
    pub count: i64,
    /// Alert documents received for it.
    pub occurrences: i64,
}

const ALERT_COLUMNS: &str = "id, source, rule_id, rule, severity, status, status_reason, \
    cluster, node, namespace, resource, image, message, tactics, techniques, first_seen, \
    last_seen, hits, occurrences, latest_occurrence";

fn split_list(s: String) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(str::to_string).collect()
    }
}

fn alert_from_row(r: &AnyRow) -> Result<AlertSummary, sqlx::Error> {
    Ok(AlertSummary {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        rule_id: r.try_get("rule_id")?,
        rule: r.try_get("rule")?,
        severity: r.try_get("severity")?,
        status: r.try_get("status")?,
        status_reason: r.try_get("status_reason")?,
        cluster: r.try_get("cluster")?,
        node: r.try_get("node")?,
        namespace: r.try_get("namespace")?,
        resource: r.try_get("resource")?,
        image: r.try_get("image")?,
        message: r.try_get("message")?,
        tactics: split_list(r.try_get("tactics")?),
        techniques: split_list(r.try_get("techniques")?),
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        count: r.try_get("hits")?,
        occurrences: r.try_get("occurrences")?,
    })
}

/// Alerts, newest `last_seen` first.
pub async fn list_alerts(
    db: &Db,
    f: &AlertFilter,
    limit: usize,
) -> Result<Page<AlertSummary>, sqlx::Error> {
    let mut w = Where::default();
    if let Some(s) = &f.severity {
        w.and("severity = {}", Bind::Text(s.to_uppercase()));
    }
    if let Some(s) = &f.status {
        w.and("status = {}", Bind::Text(s.clone()));
    }
    if let Some(r) = &f.rule {
        let a = w.bind(Bind::Text(r.clone()));
        w.and_raw(format!("(rule_id = {a} OR rule = {a})"));
    }
    if let Some(n) = &f.namespace {
        w.and("namespace = {}", Bind::Text(n.clone()));
    }
    if let Some(c) = &f.cluster {
        w.and("cluster = {}", Bind::Text(c.clone()));
    }
    if let Some(n) = &f.node {
        w.and("node = {}", Bind::Text(n.clone()));
    }
    if let Some(t) = &f.text {
        let p = w.bind(Bind::Text(like_pattern(t)));
        w.and_raw(format!(
            "(LOWER(message) LIKE {p} ESCAPE '\\' OR LOWER(rule) LIKE {p} ESCAPE '\\' \
             OR LOWER(resource) LIKE {p} ESCAPE '\\')"
        ));
    }
    for (column, value) in [("tactics", &f.tactic), ("techniques", &f.technique)] {
        if let Some(v) = value {
            let mut p = String::from("%,");
            for c in v.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    p.push('\\');
                }
                p.push(c);
            }
            p.push_str(",%");
            w.and(
                &format!("(',' || {column} || ',') LIKE {{}} ESCAPE '\\'"),
                Bind::Text(p),
            );
        }
    }
    if let Some(i) = &f.image {
        w.and("image = {}", Bind::Text(i.clone()));
    }
    if let Some(t) = &f.since {
        w.and("last_seen >= {}", Bind::Text(t.clone()));
    }
    if let Some(t) = &f.until {
        w.and("last_seen <= {}", Bind::Text(t.clone()));
    }
    if let Some((seen, id)) = &f.after {
        let s = w.bind(Bind::Text(seen.clone()));
        let i = w.bind(Bind::Text(id.clone()));
        w.and_raw(format!(
            "(last_seen < {s} OR (last_seen = {s} AND id < {i}))"
        ));
    }
    let lim = w.bind(Bind::Int(limit as i64 + 1));
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts{} ORDER BY last_seen DESC, id DESC LIMIT {lim}",
        w.sql()
    );
    let rows = bind_all(sqlx::query(&sql), &w.binds)
        .fetch_all(&db.pool)
        .await?;
    let mut items = rows
        .iter()
        .map(alert_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|a| encode_cursor(&[a.last_seen.clone(), a.id.clone()]))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

#[derive(Debug, Serialize)]
pub struct AlertDetail {
    #[serde(flatten)]
    pub alert: AlertSummary,
    /// The latest alert document as the producer wrote it (its `evidence` included).
    pub latest: Value,
    /// The documents received for this alert, newest first (at most 100).
    pub repeats: Vec<Repeat>,
    /// Status changes, oldest first.
    pub history: Vec<TrailEntry>,
}

#[derive(Debug, Serialize)]
pub struct Repeat {
    pub id: String,
    pub time: String,
    pub count: i64,
}

#[derive(Debug, Serialize)]
pub struct TrailEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: Value,
}

pub async fn get_alert(db: &Db, id: &str) -> Result<Option<AlertDetail>, sqlx::Error> {
    let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let alert = alert_from_row(&row)?;
    let latest_key: String = row.try_get("latest_occurrence")?;
    let doc: Option<(String,)> =
        sqlx::query_as("SELECT document FROM alert_occurrences WHERE key = $1")
            .bind(&latest_key)
            .fetch_optional(&db.pool)
            .await?;
    let latest = doc
        .and_then(|(d,)| serde_json::from_str(&d).ok())
        .unwrap_or(Value::Null);
    let repeats: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT doc_id, time, hits FROM alert_occurrences WHERE alert_id = $1 \
         ORDER BY time DESC, key DESC LIMIT 100",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let history = trail(db, &format!("alert:{id}")).await?;
    Ok(Some(AlertDetail {
        alert,
        latest,
        repeats: repeats
            .into_iter()
            .map(|(id, time, count)| Repeat { id, time, count })
            .collect(),
        history,
    }))
}

/// The audit trail of one target, oldest first.
pub async fn trail(db: &Db, target: &str) -> Result<Vec<TrailEntry>, sqlx::Error> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT at, actor, action, detail FROM audit_trail WHERE target = $1 ORDER BY at, id",
    )
    .bind(target)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, actor, action, detail)| TrailEntry {
            at,
            actor,
            action,
            detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct ImageSummary {
    pub digest: String,
    pub name: String,
    pub repo_tags: Value,
    pub os: Value,
    pub packages_scanned: i64,
    pub findings: i64,
    pub critical: i64,
    pub high: i64,
    pub fixable: i64,
    pub kev: i64,
    pub first_seen: String,
    pub last_scanned: String,
}

const IMAGE_COLUMNS: &str = "digest, name, repo_tags, os, packages_scanned, findings, critical, \
    high, fixable, kev, first_seen, last_scanned";

fn image_from_row(r: &AnyRow) -> Result<ImageSummary, sqlx::Error> {
    let json = |s: Option<String>| {
        s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null)
    };
    Ok(ImageSummary {
        digest: r.try_get("digest")?,
        name: r.try_get("name")?,
        repo_tags: json(r.try_get("repo_tags")?),
        os: json(r.try_get("os")?),
        packages_scanned: r.try_get("packages_scanned")?,
        findings: r.try_get("findings")?,
        critical: r.try_get("critical")?,
        high: r.try_get("high")?,
        fixable: r.try_get("fixable")?,
        kev: r.try_get("kev")?,
        first_seen: r.try_get("first_seen")?,
        last_scanned: r.try_get("last_scanned")?,
    })
}

/// Images, by digest. `text` matches the name; `vulnerable` keeps images with findings.
pub async fn list_images(
    db: &Db,
    text: Option<&str>,
    vulnerable: bool,
    after: Option<String>,
    limit: usize,
) -> Result<Page<ImageSummary>, sqlx::Error> {
    let mut w = Where::default();
    if let Some(t) = text {
        w.and(
            "LOWER(name) LIKE {} ESCAPE '\\'",
            Bind::Text(like_pattern(t)),
        );
    }
    if vulnerable {
        w.and_raw("findings > 0".into());
    }
    if let Some(a) = after {
        w.and("digest > {}", Bind::Text(a));
    }
    let lim = w.bind(Bind::Int(limit as i64 + 1));
    let sql = format!(
        "SELECT {IMAGE_COLUMNS} FROM images{} ORDER BY digest LIMIT {lim}",
        w.sql()
    );
    let rows = bind_all(sqlx::query(&sql), &w.binds)
        .fetch_all(&db.pool)
        .await?;
    let mut items = rows
        .iter()
        .map(image_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|i| encode_cursor(std::slice::from_ref(&i.digest)))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

#[derive(Debug, Serialize)]
pub struct ImageFinding {
    pub id: String,
    pub aliases: Vec<String>,
    pub severity: String,
    pub package: String,
    pub version: String,
    pub ecosystem: String,
    pub purl: String,
    pub fixed_version: Option<String>,
    pub status: String,
    pub kev: bool,
    pub epss: Option<f64>,
    pub summary: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
}

#[derive(Debug, Serialize)]
pub struct ImageDetail {
    #[serde(flatten)]
    pub image: ImageSummary,
    pub architecture: Option<String>,
    pub databases: Value,
    /// Findings, most severe first.
    pub vulnerabilities: Vec<ImageFinding>,
}

pub async fn get_image(db: &Db, digest: &str) -> Result<Option<ImageDetail>, sqlx::Error> {
    let sql =
        format!("SELECT {IMAGE_COLUMNS}, architecture, databases FROM images WHERE digest = $1");
    let Some(row) = sqlx::query(&sql)
        .bind(digest)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    let image = image_from_row(&row)?;
    let databases: String = row.try_get("databases")?;
    let rows = sqlx::query(
        "SELECT vuln_id, aliases, severity, package, version, ecosystem, purl, fixed_version, \
         status, kev, epss, summary, first_seen, last_seen FROM vuln_findings \
         WHERE image_digest = $1 ORDER BY severity_rank DESC, vuln_id, purl",
    )
    .bind(digest)
    .fetch_all(&db.pool)
    .await?;
    let mut vulnerabilities = Vec::with_capacity(rows.len());
    for r in &rows {
        vulnerabilities.push(ImageFinding {
            id: r.try_get("vuln_id")?,
            aliases: split_list(r.try_get("aliases")?),
            severity: r.try_get("severity")?,
            package: r.try_get("package")?,
            version: r.try_get("version")?,
            ecosystem: r.try_get("ecosystem")?,
            purl: r.try_get("purl")?,
            fixed_version: r.try_get("fixed_version")?,
            status: r.try_get("status")?,
            kev: r.try_get::<i64, _>("kev")? != 0,
            epss: r.try_get("epss")?,
            summary: r.try_get("summary")?,
            first_seen: r.try_get("first_seen")?,
            last_seen: r.try_get("last_seen")?,
        });
    }
    Ok(Some(ImageDetail {
        image,
        architecture: row.try_get("architecture")?,
        databases: serde_json::from_str(&databases).unwrap_or(Value::Null),
        vulnerabilities,
    }))
}

#[derive(Debug, Default)]
pub struct VulnFilter {
    pub severity: Option<String>,
    pub kev: bool,
    pub fixable: bool,
    pub package: Option<String>,
    pub image: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VulnSummary {
    pub id: String,
    pub severity: String,
    /// Images with it.
    pub images: i64,
    /// Distinct packages (purls) with it.
    pub packages: i64,
    pub kev: bool,
    pub epss: Option<f64>,
    /// Whether some affected package has a fixed version.
    pub fixable: bool,
}

/// Vulnerabilities across images, by id.
pub async fn list_vulnerabilities(
    db: &Db,
    f: &VulnFilter,
    limit: usize,
) -> Result<Page<VulnSummary>, sqlx::Error> {
    let mut w = Where::default();
    if let Some(s) = &f.severity {
        w.and("severity = {}", Bind::Text(s.to_uppercase()));
    }
    if f.kev {
        w.and_raw("kev = 1".into());
    }
    if f.fixable {
        w.and_raw("fixed_version IS NOT NULL".into());
    }
    if let Some(p) = &f.package {
        w.and("package = {}", Bind::Text(p.clone()));
    }
    if let Some(i) = &f.image {
        w.and("image_digest = {}", Bind::Text(i.clone()));
    }
    if let Some(a) = &f.after {
        w.and("vuln_id > {}", Bind::Text(a.clone()));
    }
    let lim = w.bind(Bind::Int(limit as i64 + 1));
    let sql = format!(
        "SELECT vuln_id, MAX(severity_rank) AS rank, COUNT(DISTINCT image_digest) AS images, \
         COUNT(DISTINCT purl) AS packages, MAX(kev) AS kev, MAX(epss) AS epss, \
         MAX(CASE WHEN fixed_version IS NULL THEN 0 ELSE 1 END) AS fixable \
         FROM vuln_findings{} GROUP BY vuln_id ORDER BY vuln_id LIMIT {lim}",
        w.sql()
    );
    let rows = bind_all(sqlx::query(&sql), &w.binds)
        .fetch_all(&db.pool)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(VulnSummary {
            id: r.try_get("vuln_id")?,
            severity: rank_name(r.try_get("rank")?).to_string(),
            images: r.try_get("images")?,
            packages: r.try_get("packages")?,
            kev: r.try_get::<i64, _>("kev")? != 0,
            epss: r.try_get("epss")?,
            fixable: r.try_get::<i64, _>("fixable")? != 0,
        });
    }
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|v| encode_cursor(std::slice::from_ref(&v.id)))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
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

#[derive(Debug, Default)]
pub struct RecommendationFilter {
    pub severity: Option<String>,
    pub scope: Option<String>,
    pub namespace: Option<String>,
    /// (severity rank, check id) of the previous page's last recommendation.
    pub after: Option<(i64, String)>,
}

#[derive(Debug, Serialize)]
pub struct Recommendation {
    pub check_id: String,
    pub title: String,
    pub severity: String,
    pub category: String,
    pub remediation: String,
    /// Affected resources (objects) in all.
    pub resources: i64,
    /// The first 20 of them, with their file location and patch.
    pub affected: Vec<Affected>,
}

#[derive(Debug, Serialize)]
pub struct Affected {
    pub scope: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub file: String,
    pub line: i64,
    pub message: String,
    pub patch_at: String,
    pub patch: String,
}

/// Posture findings grouped by check, most severe first.
pub async fn list_recommendations(
    db: &Db,
    f: &RecommendationFilter,
    limit: usize,
) -> Result<Page<Recommendation>, sqlx::Error> {
    let mut w = Where::default();
    if let Some(s) = &f.severity {
        w.and("severity = {}", Bind::Text(s.to_uppercase()));
    }
    if let Some(s) = &f.scope {
        w.and("scope = {}", Bind::Text(s.clone()));
    }
    if let Some(n) = &f.namespace {
        w.and("namespace = {}", Bind::Text(n.clone()));
    }
    let base = w.binds.clone();
    let base_sql = w.sql();
    if let Some((rank, check)) = &f.after {
        let r = w.bind(Bind::Int(*rank));
        let c = w.bind(Bind::Text(check.clone()));
        w.and_raw(format!(
            "(severity_rank < {r} OR (severity_rank = {r} AND check_id > {c}))"
        ));
    }
    let lim = w.bind(Bind::Int(limit as i64 + 1));
    let sql = format!(
        "SELECT check_id, severity_rank, MAX(title) AS title, MAX(severity) AS severity, \
         MAX(category) AS category, MAX(remediation) AS remediation, COUNT(*) AS resources \
         FROM posture_findings{} GROUP BY check_id, severity_rank \
         ORDER BY severity_rank DESC, check_id LIMIT {lim}",
        w.sql()
    );
    let rows = bind_all(sqlx::query(&sql), &w.binds)
        .fetch_all(&db.pool)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut ranks = Vec::with_capacity(rows.len());
    for r in rows.iter().take(limit) {
        let check_id: String = r.try_get("check_id")?;
        // The affected resources: the same filters, this check.
        let mut binds = base.clone();
        binds.push(Bind::Text(check_id.clone()));
        let n = binds.len();
        let cond = if base_sql.is_empty() {
            format!(" WHERE check_id = ${n}")
        } else {
            format!("{base_sql} AND check_id = ${n}")
        };
        let sql = format!(
            "SELECT scope, kind, namespace, name, file, line, message, patch_at, patch \
             FROM posture_findings{cond} ORDER BY scope, namespace, name, key LIMIT 20"
        );
        let found = bind_all(sqlx::query(&sql), &binds)
            .fetch_all(&db.pool)
            .await?;
        let mut affected = Vec::with_capacity(found.len());
        for a in &found {
            affected.push(Affected {
                scope: a.try_get("scope")?,
                kind: a.try_get("kind")?,
                namespace: a.try_get("namespace")?,
                name: a.try_get("name")?,
                file: a.try_get("file")?,
                line: a.try_get("line")?,
                message: a.try_get("message")?,
                patch_at: a.try_get("patch_at")?,
                patch: a.try_get("patch")?,
            });
        }
        ranks.push(r.try_get::<i64, _>("severity_rank")?);
        items.push(Recommendation {
            check_id,
            title: r.try_get("title")?,
            severity: r.try_get("severity")?,
            category: r.try_get("category")?,
            remediation: r.try_get("remediation")?,
            resources: r.try_get("resources")?,
            affected,
        });
    }
    let next_cursor = if rows.len() > limit {
        items
            .last()
            .zip(ranks.last())
            .map(|(i, r)| encode_cursor(&[r.to_string(), i.check_id.clone()]))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
