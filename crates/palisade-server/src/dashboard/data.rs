//! The dashboard's own reads (the lists and details come from `crate::query`): counts by
//! severity, the charts' series, images ranked by risk, a CVE's images, the tokens.

use sqlx::Row;

use crate::db::Db;

/// `(severity, count)` rows of a `GROUP BY severity` query.
async fn by_severity(db: &Db, sql: &str) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(sql).fetch_all(&db.pool).await
}

/// Active alerts by severity.
pub async fn active_alerts(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    by_severity(
        db,
        "SELECT severity, COUNT(*) FROM alerts WHERE status = 'Active' GROUP BY severity",
    )
    .await
}

/// Failing checks (recommendations) by severity.
pub async fn recommendations(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    by_severity(
        db,
        "SELECT severity, COUNT(DISTINCT check_id) FROM posture_findings GROUP BY severity",
    )
    .await
}

/// Distinct vulnerabilities by severity.
pub async fn vulnerabilities(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    by_severity(
        db,
        "SELECT severity, COUNT(DISTINCT vuln_id) FROM vuln_findings GROUP BY severity",
    )
    .await
}

pub async fn image_count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM images")
        .fetch_one(&db.pool)
        .await?;
    Ok(n)
}

/// Alert documents received per day (of their event time) and severity since `since_day`
/// (`YYYY-MM-DD`): `(day, severity, count)`.
pub async fn alerts_per_day(
    db: &Db,
    since_day: &str,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT day, severity, documents FROM alert_daily_counts WHERE day >= $1")
        .bind(since_day)
        .fetch_all(&db.pool)
        .await
}

/// Images with findings by their worst finding's severity rank: `(rank, images)`.
pub async fn vulnerable_images(db: &Db) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT worst, COUNT(*) FROM (SELECT image_digest, MAX(severity_rank) AS worst \
         FROM vuln_findings GROUP BY image_digest) AS w GROUP BY worst",
    )
    .fetch_all(&db.pool)
    .await
}

/// An image in the risk ranking.
#[derive(Debug)]
pub struct RiskImage {
    pub digest: String,
    pub name: String,
    pub findings: i64,
    pub kev: i64,
    pub worst: i64,
    pub critical: i64,
    pub high: i64,
    pub fixable: i64,
    pub epss: Option<f64>,
}

/// Images with findings, riskiest first: known exploited (KEV) first, then the worst
/// severity, then the highest EPSS score. `offset` pages (the ranking has no stable key).
pub async fn images_by_risk(
    db: &Db,
    limit: i64,
    offset: i64,
) -> Result<Vec<RiskImage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.digest, i.name, i.findings, i.critical, i.high, i.fixable, r.kev, r.worst, \
         r.epss FROM (SELECT image_digest, MAX(kev) AS kev, MAX(severity_rank) AS worst, \
         MAX(COALESCE(epss, 0.0)) AS epss FROM vuln_findings GROUP BY image_digest) AS r \
         JOIN images i ON i.digest = r.image_digest \
         ORDER BY r.kev DESC, r.worst DESC, r.epss DESC, i.digest LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RiskImage {
                digest: r.try_get("digest")?,
                name: r.try_get("name")?,
                findings: r.try_get("findings")?,
                kev: r.try_get("kev")?,
                worst: r.try_get("worst")?,
                critical: r.try_get("critical")?,
                high: r.try_get("high")?,
                fixable: r.try_get("fixable")?,
                epss: r.try_get("epss")?,
            })
        })
        .collect()
}

/// One image a vulnerability affects.
#[derive(Debug)]
pub struct CveImage {
    pub digest: String,
    pub name: String,
    pub package: String,
    pub version: String,
    pub fixed_version: Option<String>,
    pub status: String,
    pub severity: String,
    pub kev: bool,
    pub epss: Option<f64>,
    pub summary: Option<String>,
    pub aliases: String,
}

/// Every image with vulnerability `id`: by its id (indexed), else by one of its aliases (a scan).
pub async fn cve_images(db: &Db, id: &str) -> Result<Vec<CveImage>, sqlx::Error> {
    let by_id = cve_rows(db, "f.vuln_id = $1", id.to_string()).await?;
    if !by_id.is_empty() {
        return Ok(by_id);
    }
    let alias = format!("%,{},%", id.replace(['%', '_', ','], ""));
    cve_rows(db, "(',' || f.aliases || ',') LIKE $1", alias).await
}

async fn cve_rows(db: &Db, cond: &str, value: String) -> Result<Vec<CveImage>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT f.image_digest, i.name, f.package, f.version, f.fixed_version, f.status, \
         f.severity, f.kev, f.epss, f.summary, f.aliases FROM vuln_findings f \
         JOIN images i ON i.digest = f.image_digest WHERE {cond} \
         ORDER BY i.name, f.image_digest, f.package LIMIT 1000"
    ))
    .bind(value)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CveImage {
                digest: r.try_get("image_digest")?,
                name: r.try_get("name")?,
                package: r.try_get("package")?,
                version: r.try_get("version")?,
                fixed_version: r.try_get("fixed_version")?,
                status: r.try_get("status")?,
                severity: r.try_get("severity")?,
                kev: r.try_get::<i64, _>("kev")? != 0,
                epss: r.try_get("epss")?,
                summary: r.try_get("summary")?,
                aliases: r.try_get("aliases")?,
            })
        })
        .collect()
}

/// A token as the settings page lists it (never the secret).
#[derive(Debug)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

pub async fn tokens(db: &Db) -> Result<Vec<TokenRow>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, role, created_at, created_by, revoked_at FROM api_tokens \
         ORDER BY created_at, id LIMIT 1000",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, role, created_at, created_by, revoked_at)| TokenRow {
                id,
                name,
                role,
                created_at,
                created_by,
                revoked_at,
            },
        )
        .collect())
}
