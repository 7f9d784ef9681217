//! Sensor heartbeats and what they say is running: the write (`ingest_heartbeat`), coverage
//! (nodes with a sensor and the time of their last heartbeat, stale ones, nodes and clusters
//! known from other documents without one) and the running containers joined with their
//! image's scan. Every statement binds its values.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{bind_all, now, Bind, Db, Where};
use crate::heartbeat::IngestHeartbeat;
use crate::query::{encode_cursor, Page};
use crate::store::IngestResult;

/// Stores a heartbeat: the node's row, and its running containers replacing the previous
/// list. A heartbeat not newer than the node's last one (sent twice, or late) is a duplicate.
pub async fn ingest_heartbeat(db: &Db, hb: &IngestHeartbeat) -> Result<IngestResult, sqlx::Error> {
    let at = now();
    let h = &hb.heartbeat;
    let mut tx = db.pool.begin().await?;
    let last: Option<(String,)> =
        sqlx::query_as("SELECT last_heartbeat FROM sensor_nodes WHERE key = $1")
            .bind(&hb.key)
            .fetch_optional(&mut *tx)
            .await?;
    if last.is_some_and(|(t,)| t >= hb.time) {
        tx.commit().await?;
        return Ok(IngestResult {
            accepted: 0,
            duplicates: 1,
        });
    }
    sqlx::query(
        "INSERT INTO sensor_nodes (key, cluster, node, version, collector, capabilities, drops, \
         dropped, containers, heartbeats, first_seen, last_heartbeat, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10, $11) \
         ON CONFLICT (key) DO UPDATE SET version = excluded.version, \
         collector = excluded.collector, capabilities = excluded.capabilities, \
         drops = excluded.drops, dropped = excluded.dropped, containers = excluded.containers, \
         heartbeats = sensor_nodes.heartbeats + 1, last_heartbeat = excluded.last_heartbeat, \
         received_at = excluded.received_at",
    )
    .bind(&hb.key)
    .bind(h.cluster.as_deref())
    .bind(&h.node)
    .bind(&h.version)
    .bind(&h.collector)
    .bind(serde_json::to_string(&h.capabilities).unwrap_or_default())
    .bind(serde_json::to_string(&h.drops).unwrap_or_default())
    .bind(hb.dropped)
    .bind(i64::try_from(h.containers.len()).unwrap_or(i64::MAX))
    .bind(&hb.time)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    for c in &h.containers {
        sqlx::query(
            "INSERT INTO running_containers (node_key, container_id, cluster, node, name, image, \
             image_digest, pod_name, namespace, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (node_key, container_id) DO UPDATE SET name = excluded.name, \
             image = excluded.image, image_digest = excluded.image_digest, \
             pod_name = excluded.pod_name, namespace = excluded.namespace, \
             last_seen = excluded.last_seen",
        )
        .bind(&hb.key)
        .bind(&c.id)
        .bind(h.cluster.as_deref())
        .bind(&h.node)
        .bind(c.name.as_deref())
        .bind(c.image.as_deref())
        .bind(c.image_digest.as_deref())
        .bind(c.pod_name.as_deref())
        .bind(c.pod_namespace.as_deref())
        .bind(&hb.time)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM running_containers WHERE node_key = $1 AND last_seen <> $2")
        .bind(&hb.key)
        .bind(&hb.time)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(IngestResult {
        accepted: 1,
        duplicates: 0,
    })
}

#[derive(Debug, Serialize)]
pub struct SensorNode {
    pub cluster: Option<String>,
    pub node: String,
    pub version: String,
    pub collector: String,
    pub capabilities: serde_json::Value,
    pub drops: serde_json::Value,
    pub containers: i64,
    pub heartbeats: i64,
    pub first_seen: String,
    pub last_heartbeat: String,
    /// No heartbeat within the staleness window.
    pub stale: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeWithoutSensor {
    pub cluster: Option<String>,
    pub node: String,
    /// Where the server learnt of the node.
    pub known_from: String,
    pub last_seen: String,
}

#[derive(Debug, Serialize)]
pub struct ClusterCoverage {
    pub cluster: String,
    pub sensors: i64,
    pub stale_sensors: i64,
    pub last_heartbeat: Option<String>,
    /// Time of the newest audit-log alert (the cluster's audit feed reaches the server).
    pub last_audit_alert: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Coverage {
    /// Heartbeats older than this are stale.
    pub stale_after_seconds: u64,
    pub sensors: Vec<SensorNode>,
    /// Nodes named by documents (node alerts) that send no heartbeats. A node alert without a
    /// cluster (the sensor's alerts name only the node) is matched by node name.
    pub nodes_without_sensor: Vec<NodeWithoutSensor>,
    pub clusters: Vec<ClusterCoverage>,
    /// Clusters with sensors but no audit-log alerts.
    pub clusters_without_audit_feed: Vec<String>,
}

/// Coverage now; a heartbeat older than `stale_after` is stale.
pub async fn coverage(db: &Db, stale_after: std::time::Duration) -> Result<Coverage, sqlx::Error> {
    let cutoff = humantime::format_rfc3339_micros(
        std::time::SystemTime::now()
            .checked_sub(stale_after)
            .unwrap_or(std::time::UNIX_EPOCH),
    )
    .to_string();
    let rows = sqlx::query(
        "SELECT cluster, node, version, collector, capabilities, drops, containers, heartbeats, \
         first_seen, last_heartbeat FROM sensor_nodes ORDER BY cluster, node",
    )
    .fetch_all(&db.pool)
    .await?;
    let json = |s: String| serde_json::from_str(&s).unwrap_or(serde_json::Value::Null);
    let mut sensors = Vec::with_capacity(rows.len());
    for r in &rows {
        let last: String = r.try_get("last_heartbeat")?;
        sensors.push(SensorNode {
            cluster: r.try_get("cluster")?,
            node: r.try_get("node")?,
            version: r.try_get("version")?,
            collector: r.try_get("collector")?,
            capabilities: json(r.try_get("capabilities")?),
            drops: json(r.try_get("drops")?),
            containers: r.try_get("containers")?,
            heartbeats: r.try_get("heartbeats")?,
            first_seen: r.try_get("first_seen")?,
            stale: last < cutoff,
            last_heartbeat: last,
        });
    }
    let known = sqlx::query(
        "SELECT a.cluster, a.node, MAX(a.last_seen) AS last_seen FROM alerts a \
         WHERE a.node IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sensor_nodes s \
         WHERE s.node = a.node AND (a.cluster IS NULL OR s.cluster = a.cluster)) \
         GROUP BY a.cluster, a.node ORDER BY a.cluster, a.node",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut nodes_without_sensor = Vec::with_capacity(known.len());
    for r in &known {
        nodes_without_sensor.push(NodeWithoutSensor {
            cluster: r.try_get("cluster")?,
            node: r.try_get("node")?,
            known_from: "node alerts".into(),
            last_seen: r.try_get("last_seen")?,
        });
    }
    let audit = sqlx::query(
        "SELECT cluster, MAX(last_seen) AS last_seen FROM alerts \
         WHERE source = 'audit' AND cluster IS NOT NULL GROUP BY cluster",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut clusters: std::collections::BTreeMap<String, ClusterCoverage> = Default::default();
    let entry = |m: &mut std::collections::BTreeMap<String, ClusterCoverage>, c: &str| {
        m.entry(c.to_string()).or_insert_with(|| ClusterCoverage {
            cluster: c.to_string(),
            sensors: 0,
            stale_sensors: 0,
            last_heartbeat: None,
            last_audit_alert: None,
        });
    };
    for r in &audit {
        let c: String = r.try_get("cluster")?;
        entry(&mut clusters, &c);
        if let Some(e) = clusters.get_mut(&c) {
            e.last_audit_alert = r.try_get("last_seen")?;
        }
    }
    for s in &sensors {
        let c = s.cluster.clone().unwrap_or_default();
        entry(&mut clusters, &c);
        if let Some(e) = clusters.get_mut(&c) {
            e.sensors += 1;
            e.stale_sensors += i64::from(s.stale);
            if e.last_heartbeat.as_deref() < Some(s.last_heartbeat.as_str()) {
                e.last_heartbeat = Some(s.last_heartbeat.clone());
            }
        }
    }
    let clusters: Vec<ClusterCoverage> = clusters.into_values().collect();
    let clusters_without_audit_feed = clusters
        .iter()
        .filter(|c| c.last_audit_alert.is_none() && !c.cluster.is_empty())
        .map(|c| c.cluster.clone())
        .collect();
    Ok(Coverage {
        stale_after_seconds: stale_after.as_secs(),
        sensors,
        nodes_without_sensor,
        clusters,
        clusters_without_audit_feed,
    })
}

#[derive(Debug, Default)]
pub struct ContainerFilter {
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub namespace: Option<String>,
    /// Only containers whose image has findings.
    pub vulnerable: bool,
    /// (node key, container id) of the previous page's last container.
    pub after: Option<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct ContainerSummary {
    pub cluster: Option<String>,
    pub node: String,
    pub id: String,
    pub name: Option<String>,
    pub image: Option<String>,
    pub image_digest: Option<String>,
    pub pod_name: Option<String>,
    pub namespace: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    /// The stored scan of the image (by manifest digest or image id), when there is one.
    pub scan: Option<ContainerImageScan>,
}

#[derive(Debug, Serialize)]
pub struct ContainerImageScan {
    pub digest: String,
    pub findings: i64,
    pub critical: i64,
    pub high: i64,
    pub fixable: i64,
    pub kev: i64,
    pub last_scanned: String,
}

fn container_from_row(r: &AnyRow) -> Result<(String, ContainerSummary), sqlx::Error> {
    let digest: Option<String> = r.try_get("scan_digest")?;
    let scan = match digest {
        Some(digest) => Some(ContainerImageScan {
            digest,
            findings: r.try_get("findings")?,
            critical: r.try_get("critical")?,
            high: r.try_get("high")?,
            fixable: r.try_get("fixable")?,
            kev: r.try_get("kev")?,
            last_scanned: r.try_get("last_scanned")?,
        }),
        None => None,
    };
    Ok((
        r.try_get("node_key")?,
        ContainerSummary {
            cluster: r.try_get("cluster")?,
            node: r.try_get("node")?,
            id: r.try_get("container_id")?,
            name: r.try_get("name")?,
            image: r.try_get("image")?,
            image_digest: r.try_get("image_digest")?,
            pod_name: r.try_get("pod_name")?,
            namespace: r.try_get("namespace")?,
            first_seen: r.try_get("first_seen")?,
            last_seen: r.try_get("last_seen")?,
            scan,
        },
    ))
}

/// Running containers (as the latest heartbeats list them), by node and id, each with its
/// image's scan.
pub async fn list_containers(
    db: &Db,
    f: &ContainerFilter,
    limit: usize,
) -> Result<Page<ContainerSummary>, sqlx::Error> {
    let mut w = Where::default();
    if let Some(c) = &f.cluster {
        w.and("c.cluster = {}", Bind::Text(c.clone()));
    }
    if let Some(n) = &f.node {
        w.and("c.node = {}", Bind::Text(n.clone()));
    }
    if let Some(n) = &f.namespace {
        w.and("c.namespace = {}", Bind::Text(n.clone()));
    }
    if f.vulnerable {
        w.and_raw("i.findings > 0".into());
    }
    if let Some((k, id)) = &f.after {
        let pk = w.bind(Bind::Text(k.clone()));
        let pk2 = w.bind(Bind::Text(k.clone()));
        let pid = w.bind(Bind::Text(id.clone()));
        w.and_raw(format!(
            "(c.node_key > {pk} OR (c.node_key = {pk2} AND c.container_id > {pid}))"
        ));
    }
    let lim = w.bind(Bind::Int(limit as i64 + 1));
    // An image is filed under its manifest digest (else its id); runtimes report the id.
    let sql = format!(
        "SELECT c.node_key, c.container_id, c.cluster, c.node, c.name, c.image, c.image_digest, \
         c.pod_name, c.namespace, c.first_seen, c.last_seen, i.digest AS scan_digest, \
         i.findings, i.critical, i.high, i.fixable, i.kev, i.last_scanned \
         FROM running_containers c LEFT JOIN images i ON i.digest = (SELECT i2.digest \
         FROM images i2 WHERE i2.digest = c.image_digest OR i2.config_digest = c.image_digest \
         ORDER BY i2.last_scanned DESC LIMIT 1){} \
         ORDER BY c.node_key, c.container_id LIMIT {lim}",
        w.sql()
    );
    let rows = bind_all(sqlx::query(&sql), &w.binds)
        .fetch_all(&db.pool)
        .await?;
    let mut items = rows
        .iter()
        .map(container_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|(k, c)| encode_cursor(&[k.clone(), c.id.clone()]))
    } else {
        None
    };
    Ok(Page {
        items: items.into_iter().map(|(_, c)| c).collect(),
        next_cursor,
    })
}
