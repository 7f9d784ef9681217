//! Sensor heartbeats on both stores: roles, idempotence, the running containers a heartbeat
//! replaces, coverage (sensors, stale ones, nodes known only from alerts) and the running
//! containers joined with their image's scan.

mod common;

use axum::http::StatusCode;
use common::{backends, fixture, Client};
use palisade_server::{Limits, Role};
use serde_json::{json, Value};

const HEARTBEATS: &str = "/api/v1/ingest/heartbeats";
/// The image of the scan-report fixture (its image id; the report has no manifest digest).
const SCANNED: &str = "sha256:6bd23755bd6c5ccb535f3290e6da36d389bbbae41e2c12390ae33ccc93802f80";
const OTHER: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

fn now() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

fn heartbeat(node: &str, time: &str, containers: &[(&str, &str)]) -> String {
    json!({
        "node": node,
        "cluster": "prod",
        "time": time,
        "version": "0.1.0",
        "collector": "ebpf",
        "capabilities": ["execve", "open"],
        "drops": {"ring_buffer": 2},
        "containers": containers.iter().map(|(id, digest)| json!({
            "id": id, "name": format!("c-{id}"), "image": "registry.example/shop/web:1.4",
            "image_digest": digest, "pod_name": format!("pod-{id}"), "pod_namespace": "shop",
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_endpoints_enforce_their_roles() {
    use Role::*;
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        let hb = heartbeat("n1", &now(), &[("a", SCANNED)]);
        let table: Vec<(&str, &str, String, &[Role])> = vec![
            ("POST", HEARTBEATS, hb.clone(), &[Ingest]),
            (
                "GET",
                "/api/v1/coverage",
                String::new(),
                &[Admin, Operator, Reader],
            ),
            (
                "GET",
                "/api/v1/containers",
                String::new(),
                &[Admin, Operator, Reader],
            ),
        ];
        for (method, path, body, allowed) in table {
            let (s, _) = c.call(method, path, None, body.clone()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{} {method} {path}", b.name);
            for role in [Admin, Operator, Reader, Ingest] {
                let (s, v) = c
                    .call(method, path, Some(c.token(role)), body.clone())
                    .await;
                if allowed.contains(&role) {
                    assert_eq!(
                        s,
                        StatusCode::OK,
                        "{} {method} {path} as {role}: {v}",
                        b.name
                    );
                } else {
                    assert_eq!(
                        s,
                        StatusCode::FORBIDDEN,
                        "{} {method} {path} as {role}",
                        b.name
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_replace_the_running_containers_and_join_scans() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        c.ingest("/api/v1/ingest/scan-reports", fixture("scan-report.json"))
            .await;
        let t1 = now();
        let first = heartbeat("n1", &t1, &[("a", SCANNED), ("b", OTHER)]);
        assert_eq!(c.ingest(HEARTBEATS, first.clone()).await["accepted"], 1);
        // The same heartbeat again, or an older one, changes nothing.
        let again = c.ingest(HEARTBEATS, first).await;
        assert_eq!(
            (again["accepted"].as_u64(), again["duplicates"].as_u64()),
            (Some(0), Some(1)),
            "{}",
            b.name
        );
        let old = heartbeat("n1", "2020-01-01T00:00:00Z", &[]);
        assert_eq!(c.ingest(HEARTBEATS, old).await["duplicates"], 1);

        let list = c.get("/api/v1/containers").await;
        let ids: Vec<&str> = items(&list)
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a", "b"], "{}: {list}", b.name);
        let a = &items(&list)[0];
        assert_eq!(a["scan"]["digest"], SCANNED);
        assert_eq!(a["scan"]["findings"], 13, "the fixture report's findings");
        assert_eq!(a["namespace"], "shop");
        assert!(items(&list)[1]["scan"].is_null(), "never scanned: {list}");
        let vulnerable = c.get("/api/v1/containers?vulnerable=true").await;
        assert_eq!(items(&vulnerable).len(), 1);

        // A newer heartbeat: b stopped, c started.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let second = heartbeat("n1", &now(), &[("a", SCANNED), ("c", OTHER)]);
        c.ingest(HEARTBEATS, second).await;
        let list = c.get("/api/v1/containers?limit=1").await;
        assert_eq!(items(&list)[0]["id"], "a");
        let cursor = list["next_cursor"].as_str().unwrap();
        let page2 = c
            .get(&format!("/api/v1/containers?limit=1&cursor={cursor}"))
            .await;
        assert_eq!(items(&page2)[0]["id"], "c", "{}: {page2}", b.name);
        assert!(page2["next_cursor"].is_null());
        assert_eq!(
            items(&c.get("/api/v1/containers?node=other").await).len(),
            0
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_lists_sensors_stale_ones_and_nodes_without_one() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        c.ingest(HEARTBEATS, heartbeat("fresh", &now(), &[])).await;
        c.ingest(HEARTBEATS, heartbeat("silent", "2026-01-01T00:00:00Z", &[]))
            .await;
        // A node alert from worker-1, which sends no heartbeats; audit alerts of "prod".
        c.ingest("/api/v1/ingest/alerts", fixture("node-alert.jsonl"))
            .await;
        c.ingest("/api/v1/ingest/alerts", fixture("audit-alerts.jsonl"))
            .await;
        let cov = c.get("/api/v1/coverage").await;
        let sensors: Vec<(&str, bool)> = cov["sensors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["node"].as_str().unwrap(), s["stale"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            sensors,
            [("fresh", false), ("silent", true)],
            "{}: {cov}",
            b.name
        );
        assert_eq!(cov["sensors"][0]["drops"]["ring_buffer"], 2);
        let missing: Vec<&str> = cov["nodes_without_sensor"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["node"].as_str().unwrap())
            .collect();
        assert_eq!(missing, ["worker-1"], "{}: {cov}", b.name);
        let prod = cov["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["cluster"] == "prod")
            .unwrap();
        assert_eq!(
            (prod["sensors"].as_i64(), prod["stale_sensors"].as_i64()),
            (Some(2), Some(1))
        );
        let (s, v) = c
            .call("GET", "/api/v1/coverage?stale_after=0", Some(&c.reader), "")
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_heartbeats_get_errors_naming_the_problem() {
    for b in backends().await {
        let c = Client::new(
            &b.db,
            Limits {
                max_body: 4096,
                max_lines: 10,
            },
        )
        .await;
        let good = heartbeat("n1", &now(), &[("a", SCANNED)]);
        for (body, expect) in [
            ("{".to_string(), "not a sensor heartbeat"),
            (good.replace("\"n1\"", "\"\""), "node is empty"),
            (good.replace(SCANNED, "sha256:nothex"), "image_digest"),
            (good.replace(&now()[..4], "yyyy"), "RFC 3339"),
        ] {
            let (s, v) = c.call("POST", HEARTBEATS, Some(&c.ingest), body).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{}: {v}", b.name);
            assert!(v["error"].as_str().unwrap().contains(expect), "{v}");
        }
        let many: Vec<(String, &str)> = (0..200).map(|i| (format!("c{i}"), OTHER)).collect();
        let refs: Vec<(&str, &str)> = many.iter().map(|(a, d)| (a.as_str(), *d)).collect();
        let (s, v) = c
            .call(
                "POST",
                HEARTBEATS,
                Some(&c.ingest),
                heartbeat("n1", &now(), &refs),
            )
            .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    }
}
