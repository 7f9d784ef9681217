//! Suppression rules: a rule id plus optional fields (cluster, namespace, image, process name,
//! container name), each matched exactly. A newly ingested alert that matches a rule is stored
//! `Dismissed` with the rule named as its reason (and an `alert.suppressed` audit entry).
//! `matches` is pure; the rest reads and writes the `suppression_rules` table.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{bind_all, now, random_id, Bind, Db, Where};
use crate::decode::IngestAlert;

/// Longest value of any field of a rule (bytes).
pub const MAX_FIELD: usize = 1024;

/// What a rule matches: `rule_id` always, every other field when given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Matcher {
    pub rule_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
}

/// A stored rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: String,
    #[serde(flatten)]
    pub matcher: Matcher,
    pub reason: String,
    pub created_at: String,
    pub created_by: String,
}

impl Matcher {
    /// Empty optional fields become `None`; the rule id is required; every field is bounded.
    pub fn normalized(mut self) -> Result<Matcher, String> {
        self.rule_id = self.rule_id.trim().to_string();
        if self.rule_id.is_empty() {
            return Err("rule_id is required".into());
        }
        for f in [
            &mut self.cluster,
            &mut self.namespace,
            &mut self.image,
            &mut self.process_name,
            &mut self.container_name,
        ] {
            if f.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *f = None;
            }
        }
        let all = [
            Some(&self.rule_id),
            self.cluster.as_ref(),
            self.namespace.as_ref(),
            self.image.as_ref(),
            self.process_name.as_ref(),
            self.container_name.as_ref(),
        ];
        if all.iter().flatten().any(|v| v.len() > MAX_FIELD) {
            return Err(format!("a field is longer than {MAX_FIELD} bytes"));
        }
        Ok(self)
    }

    /// Whether an alert with these fields matches: its rule id (or, without one, its rule name)
    /// equals `rule_id`, and every field the rule gives equals the alert's.
    pub fn matches(&self, a: &AlertFields<'_>) -> bool {
        let rule = a.rule_id.unwrap_or(a.rule);
        let field = |want: &Option<String>, have: Option<&str>| match want {
            None => true,
            Some(w) => have == Some(w.as_str()),
        };
        rule == self.rule_id
            && field(&self.cluster, a.cluster)
            && field(&self.namespace, a.namespace)
            && field(&self.image, a.image)
            && field(&self.process_name, a.process_name)
            && field(&self.container_name, a.container_name)
    }
}

/// The fields of an alert a rule looks at.
#[derive(Debug, Default, Clone, Copy)]
pub struct AlertFields<'a> {
    pub rule_id: Option<&'a str>,
    pub rule: &'a str,
    pub cluster: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub image: Option<&'a str>,
    pub process_name: Option<&'a str>,
    pub container_name: Option<&'a str>,
}

impl<'a> AlertFields<'a> {
    pub fn of(a: &'a IngestAlert) -> Self {
        AlertFields {
            rule_id: a.rule_id.as_deref(),
            rule: &a.rule,
            cluster: a.cluster.as_deref(),
            namespace: a.namespace.as_deref(),
            image: a.image.as_deref(),
            process_name: a.process_name.as_deref(),
            container_name: a.container_name.as_deref(),
        }
    }
}

/// The reason a suppressed alert is stored with.
pub fn reason_for(rule: &Rule) -> String {
    format!("suppressed by rule {}: {}", rule.id, rule.reason)
}

/// The first rule of `rules` that matches `a`.
pub fn first_match<'r>(rules: &'r [Rule], a: &AlertFields<'_>) -> Option<&'r Rule> {
    rules.iter().find(|r| r.matcher.matches(a))
}

const COLUMNS: &str = "id, rule_id, cluster, namespace, image, process_name, container_name, \
    reason, created_at, created_by";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Rule, sqlx::Error> {
    Ok(Rule {
        id: r.try_get("id")?,
        matcher: Matcher {
            rule_id: r.try_get("rule_id")?,
            cluster: r.try_get("cluster")?,
            namespace: r.try_get("namespace")?,
            image: r.try_get("image")?,
            process_name: r.try_get("process_name")?,
            container_name: r.try_get("container_name")?,
        },
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
    })
}

/// Every rule, oldest first.
pub async fn list<'e, E>(executor: E) -> Result<Vec<Rule>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM suppression_rules ORDER BY created_at, id"
    ))
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Stores a rule (and an audit entry); returns it.
pub async fn create(
    db: &Db,
    matcher: Matcher,
    reason: &str,
    actor: &str,
) -> Result<Rule, sqlx::Error> {
    let rule = Rule {
        id: random_id(),
        matcher,
        reason: reason.to_string(),
        created_at: now(),
        created_by: actor.to_string(),
    };
    let m = &rule.matcher;
    let mut tx = db.pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO suppression_rules ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&rule.id)
    .bind(&m.rule_id)
    .bind(m.cluster.as_deref())
    .bind(m.namespace.as_deref())
    .bind(m.image.as_deref())
    .bind(m.process_name.as_deref())
    .bind(m.container_name.as_deref())
    .bind(&rule.reason)
    .bind(&rule.created_at)
    .bind(&rule.created_by)
    .execute(&mut *tx)
    .await?;
    crate::store::audit(
        &mut tx,
        actor,
        "suppression.create",
        &format!("suppression:{}", rule.id),
        &serde_json::json!({"matcher": m, "reason": reason}),
    )
    .await?;
    tx.commit().await?;
    Ok(rule)
}

/// Deletes a rule; `false` when there is none with this id.
pub async fn delete(db: &Db, id: &str, actor: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let gone = sqlx::query("DELETE FROM suppression_rules WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Ok(false);
    }
    crate::store::audit(
        &mut tx,
        actor,
        "suppression.delete",
        &format!("suppression:{id}"),
        &serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What a rule would match among the stored alerts.
#[derive(Debug, Serialize)]
pub struct Simulation {
    /// Stored alerts (groups of repeats) the rule matches.
    pub matched: u64,
    /// Of them, still `Active`.
    pub active: u64,
    /// Up to 10 of them, newest first.
    pub sample: Vec<crate::query::AlertSummary>,
    /// More candidates than were looked at (process/container fields need each alert's
    /// latest document): `matched` counts the first `SCAN_LIMIT`.
    pub truncated: bool,
}

/// Candidates looked at when a rule names a process or container.
pub const SCAN_LIMIT: usize = 20_000;

/// How many stored alerts `m` matches, with a sample. Fields in the `alerts` table are matched
/// in SQL; process and container names from each candidate's latest document.
pub async fn simulate(db: &Db, m: &Matcher) -> Result<Simulation, sqlx::Error> {
    let mut w = Where::default();
    let r = w.bind(Bind::Text(m.rule_id.clone()));
    w.and_raw(format!(
        "(a.rule_id = {r} OR (a.rule_id IS NULL AND a.rule = {r}))"
    ));
    for (col, v) in [
        ("a.cluster", &m.cluster),
        ("a.namespace", &m.namespace),
        ("a.image", &m.image),
    ] {
        if let Some(v) = v {
            w.and(&format!("{col} = {{}}"), Bind::Text(v.clone()));
        }
    }
    let needs_doc = m.process_name.is_some() || m.container_name.is_some();
    let sql = format!(
        "SELECT a.id, a.status, o.document FROM alerts a \
         LEFT JOIN alert_occurrences o ON o.key = a.latest_occurrence{} \
         ORDER BY a.last_seen DESC, a.id DESC LIMIT {}",
        w.sql(),
        SCAN_LIMIT + 1
    );
    let rows = bind_all(sqlx::query(&sql), &w.binds)
        .fetch_all(&db.pool)
        .await?;
    let truncated = rows.len() > SCAN_LIMIT;
    let mut matched = 0u64;
    let mut active = 0u64;
    let mut ids = Vec::new();
    for row in rows.iter().take(SCAN_LIMIT) {
        let id: String = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        if needs_doc {
            let doc: Option<String> = row.try_get("document")?;
            let doc: serde_json::Value = doc
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default();
            let process = doc.pointer("/process/name").and_then(|v| v.as_str());
            let container = doc.pointer("/container/name").and_then(|v| v.as_str());
            let ok = |want: &Option<String>, have: Option<&str>| {
                want.as_deref().is_none_or(|w| have == Some(w))
            };
            if !(ok(&m.process_name, process) && ok(&m.container_name, container)) {
                continue;
            }
        }
        matched += 1;
        if status == "Active" {
            active += 1;
        }
        if ids.len() < 10 {
            ids.push(id);
        }
    }
    let mut sample = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(d) = crate::query::get_alert(db, &id).await? {
            sample.push(d.alert);
        }
    }
    Ok(Simulation {
        matched,
        active,
        sample,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert<'a>() -> AlertFields<'a> {
        AlertFields {
            rule_id: Some("PAL-NODE-004"),
            rule: "Shell spawned in a container",
            cluster: None,
            namespace: Some("shop"),
            image: Some("registry.example/shop/web:1.4"),
            process_name: Some("sh"),
            container_name: Some("web"),
        }
    }

    #[test]
    fn every_given_field_must_match() {
        let base = Matcher {
            rule_id: "PAL-NODE-004".into(),
            ..Default::default()
        };
        assert!(base.matches(&alert()));
        let other_rule = Matcher {
            rule_id: "PAL-NODE-005".into(),
            ..Default::default()
        };
        assert!(!other_rule.matches(&alert()));
        let ns = Matcher {
            namespace: Some("shop".into()),
            process_name: Some("sh".into()),
            ..base.clone()
        };
        assert!(ns.matches(&alert()));
        let wrong = Matcher {
            container_name: Some("db".into()),
            ..ns.clone()
        };
        assert!(!wrong.matches(&alert()));
        // A rule naming a cluster does not match an alert without one.
        let cluster = Matcher {
            cluster: Some("prod".into()),
            ..base
        };
        assert!(!cluster.matches(&alert()));
    }

    #[test]
    fn rule_name_stands_in_for_a_missing_rule_id() {
        let m = Matcher {
            rule_id: "Shell spawned in a container".into(),
            ..Default::default()
        };
        let a = AlertFields {
            rule_id: None,
            ..alert()
        };
        assert!(m.matches(&a));
        assert!(!m.matches(&alert()));
    }

    #[test]
    fn normalized_drops_empty_fields_and_bounds_them() {
        let m = Matcher {
            rule_id: " R ".into(),
            namespace: Some("  ".into()),
            ..Default::default()
        }
        .normalized()
        .unwrap();
        assert_eq!(m.rule_id, "R");
        assert_eq!(m.namespace, None);
        assert!(Matcher::default().normalized().is_err());
        let long = Matcher {
            rule_id: "R".into(),
            image: Some("x".repeat(MAX_FIELD + 1)),
            ..Default::default()
        };
        assert!(long.normalized().is_err());
    }
}
