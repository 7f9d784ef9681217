//! Seeding a store with documents the engines printed (`palisade server --demo`): every
//! document goes through the same decoder and the same write as the ingest API, so the store
//! holds what an API client sending them would have stored.

use serde::Serialize;

use crate::db::{now, Db};
use crate::decode::{decode_alerts, decode_posture, decode_scan_report};
use crate::heartbeat::decode_heartbeat;
use crate::{inventory, store, ServerError};

/// Documents, as the engines wrote them.
#[derive(Debug, Default)]
pub struct Documents {
    /// `palisade image scan -f json` outputs.
    pub scan_reports: Vec<Vec<u8>>,
    /// `(scope, palisade posture scan -f json output)`.
    pub posture: Vec<(String, Vec<u8>)>,
    /// Alert JSON lines (`audit analyze`, `sensor run`).
    pub alerts: Vec<Vec<u8>>,
    /// Sensor heartbeats.
    pub heartbeats: Vec<Vec<u8>>,
}

/// What the store accepted.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Seeded {
    pub scan_reports: u64,
    pub posture_runs: u64,
    pub alerts: u64,
    pub heartbeats: u64,
}

fn invalid(what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Invalid(format!("{what}: {e}"))
}

/// Ingests `docs` (each as one API request would), as `actor`.
pub async fn seed(db: &Db, docs: &Documents, actor: &str) -> Result<Seeded, ServerError> {
    let mut out = Seeded::default();
    for body in &docs.scan_reports {
        let scan = decode_scan_report(body).map_err(|e| invalid("scan report", e))?;
        out.scan_reports += store::ingest_scan(db, &scan).await?.accepted;
    }
    for (scope, body) in &docs.posture {
        let p = decode_posture(body).map_err(|e| invalid("posture result", e))?;
        out.posture_runs += store::ingest_posture(db, scope, &p, actor).await?.accepted;
    }
    for body in &docs.alerts {
        let alerts = decode_alerts(body, usize::MAX, &now()).map_err(|e| invalid("alerts", e))?;
        out.alerts += store::ingest_alerts(db, &alerts).await?.accepted;
    }
    for body in &docs.heartbeats {
        let hb = decode_heartbeat(body).map_err(|e| invalid("heartbeat", e))?;
        out.heartbeats += inventory::ingest_heartbeat(db, &hb).await?.accepted;
    }
    Ok(out)
}
