//! Writes: ingest of decoded documents (each batch one transaction), alert status changes, the
//! audit trail. Every statement binds its values.

use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::db::{now, random_id, rows, Db};
use crate::decode::{IngestAlert, IngestPosture, IngestScan};
use palisade_model::Severity;

pub fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Unknown => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// Appends to the audit trail, inside the caller's transaction.
pub async fn audit(
    tx: &mut Transaction<'_, Any>,
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_trail (id, at, actor, action, target, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(random_id())
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an ingest stored: new documents, and documents it already had.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct IngestResult {
    pub accepted: u64,
    pub duplicates: u64,
}

const INSERT_OCCURRENCES: &str = "INSERT INTO alert_occurrences \
    (key, alert_id, doc_id, time, hits, document, received_at) VALUES";
const OCCURRENCES_TAIL: &str = " ON CONFLICT (key) DO NOTHING RETURNING key";

const UPSERT_ALERTS: &str = "INSERT INTO alerts (id, source, rule_id, rule, severity, \
    severity_rank, cluster, node, namespace, resource, image, message, tactics, techniques, \
    status, status_reason, first_seen, last_seen, hits, occurrences, latest_occurrence) VALUES";
const UPSERT_ALERTS_TAIL: &str = " ON CONFLICT (id) DO UPDATE SET \
    hits = alerts.hits + excluded.hits, \
    occurrences = alerts.occurrences + excluded.occurrences, \
    first_seen = CASE WHEN excluded.first_seen < alerts.first_seen \
        THEN excluded.first_seen ELSE alerts.first_seen END, \
    last_seen = CASE WHEN excluded.last_seen > alerts.last_seen \
        THEN excluded.last_seen ELSE alerts.last_seen END, \
    message = CASE WHEN excluded.last_seen > alerts.last_seen \
        THEN excluded.message ELSE alerts.message END, \
    latest_occurrence = CASE WHEN excluded.last_seen >= alerts.last_seen \
        THEN excluded.latest_occurrence ELSE alerts.latest_occurrence END";

/// Stores a batch of alerts in one transaction: each document once (by its key), repeats of
/// the same rule on the same resource counted on one alert.
///
/// Locks are taken in one order by every batch (first the documents by key, then the alerts
/// by group), so concurrent batches touching the same alerts wait for each other instead of
/// deadlocking (PostgreSQL).
pub async fn ingest_alerts(db: &Db, alerts: &[IngestAlert]) -> Result<IngestResult, sqlx::Error> {
    let received = now();
    let mut result = IngestResult::default();
    let mut order: Vec<&IngestAlert> = alerts.iter().collect();
    order.sort_by(|a, b| a.key.cmp(&b.key));
    // The same document twice in one batch: stored once.
    let before = order.len();
    order.dedup_by(|a, b| a.key == b.key);
    result.duplicates += (before - order.len()) as u64;
    let mut groups: std::collections::BTreeMap<&str, Group<'_>> = Default::default();
    // New documents per (day, severity), for the overview's chart.
    let mut daily: std::collections::BTreeMap<(&str, &str), i64> = Default::default();
    let mut tx = db.pool.begin().await?;
    for chunk in order.chunks(OCCURRENCE_ROWS) {
        let sql = multi_row(INSERT_OCCURRENCES, 7, chunk.len(), OCCURRENCES_TAIL);
        let mut q = sqlx::query_as::<_, (String,)>(&sql);
        for a in chunk {
            q = q
                .bind(&a.key)
                .bind(&a.group)
                .bind(&a.doc_id)
                .bind(&a.time)
                .bind(a.hits)
                .bind(&a.document)
                .bind(&received);
        }
        let fresh: std::collections::HashSet<String> = q
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(k,)| k)
            .collect();
        for a in chunk {
            if !fresh.contains(&a.key) {
                result.duplicates += 1;
                continue;
            }
            result.accepted += 1;
            *daily
                .entry((a.time.get(..10).unwrap_or(&a.time), a.severity.as_str()))
                .or_insert(0) += 1;
            groups
                .entry(&a.group)
                .and_modify(|g| g.add(a))
                .or_insert_with(|| Group::new(a));
        }
    }
    let groups: Vec<&Group<'_>> = groups.values().collect();
    // Suppression rules apply to alerts new to the store: they are stored Dismissed.
    let rules = crate::suppress::list(&mut *tx).await?;
    let mut suppressed: Vec<(&str, &crate::suppress::Rule)> = Vec::new();
    for chunk in groups.chunks(ALERT_ROWS) {
        let mut reasons: Vec<Option<&crate::suppress::Rule>> = vec![None; chunk.len()];
        if !rules.is_empty() {
            let existing = existing_alerts(&mut tx, chunk).await?;
            for (g, reason) in chunk.iter().zip(reasons.iter_mut()) {
                if existing.contains(g.latest.group.as_str()) {
                    continue;
                }
                // The group's latest document decides (they share rule and resource).
                *reason = crate::suppress::first_match(
                    &rules,
                    &crate::suppress::AlertFields::of(g.latest),
                );
                if let Some(r) = reason {
                    suppressed.push((&g.latest.group, r));
                }
            }
        }
        let sql = multi_row(UPSERT_ALERTS, 21, chunk.len(), UPSERT_ALERTS_TAIL);
        let mut q = sqlx::query(&sql);
        for (g, rule) in chunk.iter().zip(&reasons) {
            let a = g.latest;
            q = q
                .bind(&a.group)
                .bind(a.source.as_str())
                .bind(a.rule_id.as_deref())
                .bind(&a.rule)
                .bind(a.severity.as_str())
                .bind(severity_rank(a.severity))
                .bind(a.cluster.as_deref())
                .bind(a.node.as_deref())
                .bind(a.namespace.as_deref())
                .bind(&a.resource)
                .bind(a.image.as_deref())
                .bind(&a.message)
                .bind(a.tactics.join(","))
                .bind(a.techniques.join(","))
                .bind(if rule.is_some() {
                    "Dismissed"
                } else {
                    "Active"
                })
                .bind(rule.map(crate::suppress::reason_for))
                .bind(g.first_seen)
                .bind(&a.last_seen)
                .bind(g.hits)
                .bind(g.occurrences)
                .bind(&a.key);
        }
        q.execute(&mut *tx).await?;
    }
    // Last, in key order like the other rows, so concurrent batches do not deadlock.
    for ((day, severity), n) in &daily {
        sqlx::query(
            "INSERT INTO alert_daily_counts (day, severity, documents) VALUES ($1, $2, $3) \
             ON CONFLICT (day, severity) DO UPDATE SET \
             documents = alert_daily_counts.documents + excluded.documents",
        )
        .bind(*day)
        .bind(*severity)
        .bind(*n)
        .execute(&mut *tx)
        .await?;
    }
    for (group, rule) in suppressed {
        audit(
            &mut tx,
            "server",
            "alert.suppressed",
            &format!("alert:{group}"),
            &serde_json::json!({
                "to": "Dismissed",
                "rule": rule.id,
                "reason": crate::suppress::reason_for(rule),
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(result)
}

/// Which of `chunk`'s groups are stored alerts already.
async fn existing_alerts(
    tx: &mut Transaction<'_, Any>,
    chunk: &[&Group<'_>],
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id FROM alerts WHERE id IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String,)>(&sql);
    for g in chunk {
        q = q.bind(&g.latest.group);
    }
    Ok(q.fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// Rows per multi-row statement (well under SQLite's and PostgreSQL's parameter limits).
const OCCURRENCE_ROWS: usize = 100;
const ALERT_ROWS: usize = 50;

/// `head` + `rows` tuples of `width` placeholders each + `tail`.
fn multi_row(head: &str, width: usize, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * width * 5);
    sql.push_str(head);
    for r in 0..rows {
        sql.push_str(if r == 0 { " (" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * width + c + 1));
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

/// The new documents of one alert in a batch.
struct Group<'a> {
    /// The one seen last (its message and key become the alert's latest).
    latest: &'a IngestAlert,
    first_seen: &'a str,
    hits: i64,
    occurrences: i64,
}

impl<'a> Group<'a> {
    fn new(a: &'a IngestAlert) -> Self {
        Group {
            latest: a,
            first_seen: &a.time,
            hits: a.hits,
            occurrences: 1,
        }
    }

    fn add(&mut self, a: &'a IngestAlert) {
        if a.last_seen > self.latest.last_seen {
            self.latest = a;
        }
        if a.time.as_str() < self.first_seen {
            self.first_seen = &a.time;
        }
        self.hits = self.hits.saturating_add(a.hits);
        self.occurrences += 1;
    }
}

/// Stores a scan report: the image, and its findings replacing the previous report's (first
/// seen kept). The same document twice is stored once.
pub async fn ingest_scan(db: &Db, scan: &IngestScan) -> Result<IngestResult, sqlx::Error> {
    let at = now();
    let mut tx = db.pool.begin().await?;
    let fresh = sqlx::query(
        "INSERT INTO scan_reports (sha256, image_digest, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&scan.sha256)
    .bind(&scan.digest)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    if rows(&fresh) == 0 {
        tx.commit().await?;
        return Ok(IngestResult {
            accepted: 0,
            duplicates: 1,
        });
    }
    let r = &scan.report;
    let count = |f: &dyn Fn(&palisade_model::Finding) -> bool| -> i64 {
        i64::try_from(r.findings.iter().filter(|x| f(x)).count()).unwrap_or(i64::MAX)
    };
    let os =
        r.os.as_ref()
            .map(|o| serde_json::to_string(o).unwrap_or_default());
    sqlx::query(
        "INSERT INTO images (digest, name, manifest_digest, config_digest, repo_tags, \
         repo_digests, os, architecture, packages_scanned, findings, critical, high, fixable, \
         kev, databases, first_seen, last_scanned) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
         ON CONFLICT (digest) DO UPDATE SET name = excluded.name, \
         manifest_digest = excluded.manifest_digest, config_digest = excluded.config_digest, \
         repo_tags = excluded.repo_tags, repo_digests = excluded.repo_digests, os = excluded.os, \
         architecture = excluded.architecture, packages_scanned = excluded.packages_scanned, \
         findings = excluded.findings, critical = excluded.critical, high = excluded.high, \
         fixable = excluded.fixable, kev = excluded.kev, databases = excluded.databases, \
         last_scanned = excluded.last_scanned",
    )
    .bind(&scan.digest)
    .bind(&r.artifact.name)
    .bind(r.artifact.manifest_digest.as_deref())
    .bind(r.artifact.config_digest.as_deref())
    .bind(serde_json::to_string(&r.artifact.repo_tags).unwrap_or_default())
    .bind(serde_json::to_string(&r.artifact.repo_digests).unwrap_or_default())
    .bind(os)
    .bind(r.artifact.architecture.as_deref())
    .bind(i64::try_from(r.packages_scanned).unwrap_or(i64::MAX))
    .bind(count(&|_| true))
    .bind(count(&|f| f.severity == Severity::Critical))
    .bind(count(&|f| f.severity == Severity::High))
    .bind(count(&|f| f.fixed_version.is_some()))
    .bind(count(&|f| f.kev.is_some()))
    .bind(serde_json::to_string(&r.databases).unwrap_or_default())
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    for f in &r.findings {
        sqlx::query(
            "INSERT INTO vuln_findings (image_digest, vuln_id, purl, package, version, ecosystem, \
             severity, severity_rank, fixed_version, status, kev, epss, summary, aliases, \
             first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
             ON CONFLICT (image_digest, vuln_id, purl) DO UPDATE SET \
             severity = excluded.severity, severity_rank = excluded.severity_rank, \
             fixed_version = excluded.fixed_version, status = excluded.status, \
             kev = excluded.kev, epss = excluded.epss, summary = excluded.summary, \
             aliases = excluded.aliases, last_seen = excluded.last_seen",
        )
        .bind(&scan.digest)
        .bind(&f.id)
        .bind(&f.purl)
        .bind(&f.package)
        .bind(&f.version)
        .bind(serde_json::to_value(f.ecosystem).map_or_else(
            |_| String::new(),
            |v| v.as_str().unwrap_or_default().to_string(),
        ))
        .bind(f.severity.as_str())
        .bind(severity_rank(f.severity))
        .bind(f.fixed_version.as_deref())
        .bind(f.status.as_str())
        .bind(i64::from(f.kev.is_some()))
        .bind(f.epss.as_ref().map(|e| e.score))
        .bind(f.summary.as_deref())
        .bind(f.aliases.join(","))
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM vuln_findings WHERE image_digest = $1 AND last_seen <> $2")
        .bind(&scan.digest)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(IngestResult {
        accepted: 1,
        duplicates: 0,
    })
}

/// Stores a posture result for `scope`: it replaces the scope's previous findings; findings
/// that are gone are counted in the audit trail (`posture.resolved`).
pub async fn ingest_posture(
    db: &Db,
    scope: &str,
    posture: &IngestPosture,
    actor: &str,
) -> Result<IngestResult, sqlx::Error> {
    let at = now();
    let mut tx = db.pool.begin().await?;
    let fresh = sqlx::query(
        "INSERT INTO posture_runs (sha256, scope, received_at, findings) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(crate::decode::hash(&[scope, &posture.sha256]))
    .bind(scope)
    .bind(&at)
    .bind(i64::try_from(posture.findings.len()).unwrap_or(i64::MAX))
    .execute(&mut *tx)
    .await?;
    if rows(&fresh) == 0 {
        tx.commit().await?;
        return Ok(IngestResult {
            accepted: 0,
            duplicates: 1,
        });
    }
    for f in &posture.findings {
        sqlx::query(
            "INSERT INTO posture_findings (key, scope, check_id, title, severity, severity_rank, \
             category, api_version, kind, namespace, name, file, line, pointer, message, \
             remediation, patch_at, patch, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $19) \
             ON CONFLICT (key) DO UPDATE SET title = excluded.title, \
             severity = excluded.severity, severity_rank = excluded.severity_rank, \
             category = excluded.category, file = excluded.file, line = excluded.line, \
             message = excluded.message, remediation = excluded.remediation, \
             patch_at = excluded.patch_at, patch = excluded.patch, last_seen = excluded.last_seen",
        )
        .bind(f.key(scope))
        .bind(scope)
        .bind(&f.check_id)
        .bind(&f.title)
        .bind(f.severity.as_str())
        .bind(severity_rank(f.severity))
        .bind(&f.category)
        .bind(&f.object.api_version)
        .bind(&f.object.kind)
        .bind(f.object.namespace.as_deref())
        .bind(&f.object.name)
        .bind(&f.location.file)
        .bind(i64::from(f.location.line))
        .bind(&f.pointer)
        .bind(&f.message)
        .bind(&f.remediation)
        .bind(&f.patch_at)
        .bind(&f.patch)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    let gone = sqlx::query("DELETE FROM posture_findings WHERE scope = $1 AND last_seen <> $2")
        .bind(scope)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    if rows(&gone) > 0 {
        audit(
            &mut tx,
            actor,
            "posture.resolved",
            &format!("scope:{scope}"),
            &serde_json::json!({"findings": rows(&gone)}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(IngestResult {
        accepted: 1,
        duplicates: 0,
    })
}

/// Defender's four alert states.
pub const ALERT_STATUSES: &[&str] = &["Active", "InProgress", "Dismissed", "Resolved"];

/// Changes an alert's status and records who, what, when. `None` when there is no such alert.
pub async fn set_alert_status(
    db: &Db,
    id: &str,
    status: &str,
    reason: &str,
    actor: &str,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let old: Option<(String,)> = sqlx::query_as("SELECT status FROM alerts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((old,)) = old else {
        return Ok(None);
    };
    sqlx::query("UPDATE alerts SET status = $1, status_reason = $2 WHERE id = $3")
        .bind(status)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        actor,
        "alert.status",
        &format!("alert:{id}"),
        &serde_json::json!({"from": old, "to": status, "reason": reason}),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(old))
}
