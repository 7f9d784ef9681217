//! The API end to end on both stores: roles on every endpoint, ingest of the CLI's real
//! documents (idempotent, bounded, errors naming the problem), the query API and the alert
//! lifecycle.

mod common;

use axum::http::StatusCode;
use common::{backends, fixture, Client};
use palisade_server::{Limits, Role};
use serde_json::{json, Value};

const ALERTS: &str = "/api/v1/ingest/alerts";
const SCANS: &str = "/api/v1/ingest/scan-reports";
const POSTURE: &str = "/api/v1/ingest/posture";

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_is_in_wal_mode() {
    let b = backends().await;
    assert_eq!(
        b[0].db.journal_mode().await.unwrap().as_deref(),
        Some("wal")
    );
    assert_eq!(b[1].db.journal_mode().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_enforces_its_roles() {
    use Role::*;
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        // Something to read and change.
        c.ingest(ALERTS, fixture("audit-alerts.jsonl")).await;
        let alert = c.get("/api/v1/alerts").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        c.ingest(SCANS, fixture("scan-report.json")).await;
        let digest = "sha256:6bd23755bd6c5ccb535f3290e6da36d389bbbae41e2c12390ae33ccc93802f80";
        let status = json!({"status": "InProgress", "reason": "looking"}).to_string();
        let token = json!({"role": "reader", "name": "dashboard"}).to_string();
        let table: Vec<(&str, String, Vec<u8>, &[Role])> = vec![
            (
                "POST",
                ALERTS.into(),
                fixture("audit-alerts.jsonl"),
                &[Ingest],
            ),
            ("POST", SCANS.into(), fixture("scan-report.json"), &[Ingest]),
            ("POST", POSTURE.into(), fixture("posture.json"), &[Ingest]),
            (
                "GET",
                "/api/v1/alerts".into(),
                vec![],
                &[Admin, Operator, Reader],
            ),
            (
                "GET",
                format!("/api/v1/alerts/{alert}"),
                vec![],
                &[Admin, Operator, Reader],
            ),
            (
                "POST",
                format!("/api/v1/alerts/{alert}/status"),
                status.into(),
                &[Admin, Operator],
            ),
            (
                "GET",
                "/api/v1/images".into(),
                vec![],
                &[Admin, Operator, Reader],
            ),
            (
                "GET",
                format!("/api/v1/images/{digest}"),
                vec![],
                &[Admin, Operator, Reader],
            ),
            (
                "GET",
                "/api/v1/vulnerabilities".into(),
                vec![],
                &[Admin, Operator, Reader],
            ),
            (
                "GET",
                "/api/v1/recommendations".into(),
                vec![],
                &[Admin, Operator, Reader],
            ),
            ("POST", "/api/v1/tokens".into(), token.into(), &[Admin]),
        ];
        for (method, path, body, allowed) in &table {
            let (s, v) = c.call(method, path, None, body.clone()).await;
            assert_eq!(
                s,
                StatusCode::UNAUTHORIZED,
                "{} {method} {path} without a token: {v}",
                b.name
            );
            let (s, _) = c
                .call(method, path, Some("pal_not-a-token"), body.clone())
                .await;
            assert_eq!(
                s,
                StatusCode::UNAUTHORIZED,
                "{} {method} {path} with a bad token",
                b.name
            );
            for role in palisade_server::auth::ROLES {
                let (s, v) = c
                    .call(method, path, Some(c.token(*role)), body.clone())
                    .await;
                if allowed.contains(role) {
                    assert!(
                        s.is_success(),
                        "{} {method} {path} as {role}: {s} {v}",
                        b.name
                    );
                } else {
                    assert_eq!(
                        s,
                        StatusCode::FORBIDDEN,
                        "{} {method} {path} as {role}: {v}",
                        b.name
                    );
                    assert!(
                        v["error"]
                            .as_str()
                            .unwrap()
                            .contains(&format!("role {role}")),
                        "{v}"
                    );
                }
            }
        }
        for open in ["/healthz", "/readyz"] {
            let (s, _) = c.call("GET", open, None, vec![]).await;
            assert_eq!(s, StatusCode::OK, "{} {open}", b.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_stored_once_and_repeats_grouped() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        let mut batch = fixture("audit-alerts.jsonl");
        batch.extend(fixture("node-alert.jsonl"));
        let first = c.ingest(ALERTS, batch.clone()).await;
        assert_eq!(first, json!({"accepted": 5, "duplicates": 0}), "{}", b.name);
        let again = c.ingest(ALERTS, batch).await;
        assert_eq!(again, json!({"accepted": 0, "duplicates": 5}), "{}", b.name);

        let list = c.get("/api/v1/alerts").await;
        let alerts = items(&list);
        // exec shop/web (a1 ×2, a3), the binding, exec payments/api, the node alert.
        assert_eq!(alerts.len(), 4, "{}: {list}", b.name);
        let web = alerts
            .iter()
            .find(|a| a["resource"] == "pods/exec shop/web")
            .unwrap();
        assert_eq!(web["count"], 3, "{}", b.name);
        assert_eq!(web["occurrences"], 2);
        assert_eq!(web["first_seen"], "2026-03-02T10:00:00.000000Z");
        assert_eq!(web["last_seen"], "2026-03-02T10:02:00.000000Z");
        assert_eq!(web["status"], "Active");
        assert_eq!(web["cluster"], "prod-eu");
        // Newest first.
        assert_eq!(alerts[0]["source"], "node");
        assert_eq!(alerts[0]["namespace"], "shop");
        assert_eq!(alerts[0]["node"], "worker-1");

        let id = web["id"].as_str().unwrap();
        let detail = c.get(&format!("/api/v1/alerts/{id}")).await;
        assert_eq!(detail["latest"]["id"], "PAL-K8SAUDIT-022/a3");
        assert_eq!(detail["latest"]["user"]["name"], "alice@example.com");
        let repeats: Vec<&str> = detail["repeats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(repeats, ["PAL-K8SAUDIT-022/a3", "PAL-K8SAUDIT-022/a1"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_get_errors_naming_the_problem() {
    for b in backends().await {
        let limits = Limits {
            max_body: 16384,
            max_lines: 3,
        };
        let c = Client::new(&b.db, limits).await;
        let good = String::from_utf8(fixture("audit-alerts.jsonl")).unwrap();
        let first = good.lines().next().unwrap();
        let (s, v) = c
            .call(
                "POST",
                ALERTS,
                Some(&c.ingest),
                format!("{first}\n{{\"id\":\"x\"}}\n"),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{}", b.name);
        assert!(v["error"].as_str().unwrap().starts_with("line 2: "), "{v}");
        // Nothing of a rejected batch is stored.
        assert_eq!(items(&c.get("/api/v1/alerts").await).len(), 0, "{}", b.name);

        let (s, v) = c
            .call("POST", ALERTS, Some(&c.ingest), vec![b'x'; 20000])
            .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(v["error"].as_str().unwrap().contains("16384 bytes"), "{v}");

        let many = format!("{first}\n{first}\n{first}\n{first}\n");
        let (s, v) = c.call("POST", ALERTS, Some(&c.ingest), many).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
        assert!(
            v["error"].as_str().unwrap().contains("more than 3 lines"),
            "{v}"
        );

        let (s, v) = c
            .call("POST", SCANS, Some(&c.ingest), "{\"source\":1}")
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("not a scan report"),
            "{v}"
        );
        let (s, v) = c.call("POST", POSTURE, Some(&c.ingest), "[]").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("not a posture result"),
            "{v}"
        );

        let (s, v) = c
            .call("GET", "/api/v1/alerts?limit=0", Some(&c.reader), vec![])
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let (s, _) = c
            .call("GET", "/api/v1/alerts?cursor=zz", Some(&c.reader), vec![])
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, _) = c
            .call(
                "GET",
                "/api/v1/alerts?severity=awful",
                Some(&c.reader),
                vec![],
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_status_changes_are_recorded() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        c.ingest(ALERTS, fixture("audit-alerts.jsonl")).await;
        let id = c.get("/api/v1/alerts?rule=PAL-K8SAUDIT-015").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/alerts/{id}/status");
        let body = json!({"status": "Dismissed", "reason": "break-glass binding, ticket 42"});
        let (s, v) = c
            .call("POST", &path, Some(&c.operator), body.to_string())
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {v}", b.name);
        assert_eq!(v, json!({"id": id, "from": "Active", "to": "Dismissed"}));

        for bad in [
            json!({"status": "Closed", "reason": "x"}),
            json!({"status": "Resolved", "reason": "  "}),
            json!({"status": "Resolved"}),
        ] {
            let (s, v) = c
                .call("POST", &path, Some(&c.operator), bad.to_string())
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        }
        let (s, _) = c
            .call(
                "POST",
                "/api/v1/alerts/nope/status",
                Some(&c.operator),
                body.to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let detail = c.get(&format!("/api/v1/alerts/{id}")).await;
        assert_eq!(detail["status"], "Dismissed");
        assert_eq!(detail["status_reason"], "break-glass binding, ticket 42");
        let history = detail["history"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{}: {detail}", b.name);
        assert_eq!(history[0]["action"], "alert.status");
        assert!(history[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("test-operator ("));
        assert_eq!(history[0]["detail"]["from"], "Active");
        assert_eq!(history[0]["detail"]["to"], "Dismissed");

        let dismissed = c.get("/api/v1/alerts?status=Dismissed").await;
        assert_eq!(items(&dismissed).len(), 1);
        let active = c.get("/api/v1/alerts?status=Active").await;
        assert_eq!(items(&active).len(), 2);
    }
}

/// `n` audit alerts, each on its own pod (its own group), one second apart.
fn many_alerts(n: usize) -> String {
    let line = String::from_utf8(fixture("audit-alerts.jsonl")).unwrap();
    let first = line.lines().next().unwrap().to_string();
    (0..n)
        .map(|i| {
            let ns = if i % 2 == 0 { "shop" } else { "payments" };
            first
                .replace("PAL-K8SAUDIT-022/a1", &format!("PAL-K8SAUDIT-022/gen-{i}"))
                .replace("\"name\":\"web\"", &format!("\"name\":\"web-{i}\""))
                .replace("\"namespace\":\"shop\"", &format!("\"namespace\":\"{ns}\""))
                .replace(
                    "2026-03-02T10:00:00.000000Z",
                    &format!("2026-03-02T11:00:{:02}.000000Z", i % 60),
                )
                .replace(
                    "2026-03-02T10:00:05.000000Z",
                    &format!("2026-03-02T11:00:{:02}.000000Z", i % 60),
                )
                + "\n"
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_with_cursors_and_filter() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        c.ingest(ALERTS, many_alerts(7)).await;
        c.ingest(ALERTS, fixture("audit-alerts.jsonl")).await;
        c.ingest(ALERTS, fixture("node-alert.jsonl")).await;

        let mut seen = Vec::new();
        let mut path = "/api/v1/alerts?limit=3".to_string();
        loop {
            let page = c.get(&path).await;
            for a in items(&page) {
                seen.push((
                    a["last_seen"].as_str().unwrap().to_string(),
                    a["id"].as_str().unwrap().to_string(),
                ));
            }
            match page["next_cursor"].as_str() {
                Some(cur) => path = format!("/api/v1/alerts?limit=3&cursor={cur}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7 + 3 + 1, "{}", b.name);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.reverse();
        sorted.dedup();
        assert_eq!(
            sorted, seen,
            "{}: pages overlap or are out of order",
            b.name
        );

        let count = |v: Value| items(&v).len();
        assert_eq!(
            count(c.get("/api/v1/alerts?namespace=payments").await),
            3 + 1,
            "{}",
            b.name
        );
        assert_eq!(count(c.get("/api/v1/alerts?severity=high").await), 1);
        assert_eq!(count(c.get("/api/v1/alerts?cluster=prod-eu").await), 10);
        assert_eq!(count(c.get("/api/v1/alerts?node=worker-1").await), 1);
        assert_eq!(
            count(c.get("/api/v1/alerts?rule=Exec%20into%20a%20pod").await),
            9
        );
        assert_eq!(count(c.get("/api/v1/alerts?text=CLUSTER-ADMIN").await), 1);
        assert_eq!(count(c.get("/api/v1/alerts?text=web-3").await), 1);
        assert_eq!(count(c.get("/api/v1/alerts?technique=T1609").await), 9);
        assert_eq!(count(c.get("/api/v1/alerts?technique=T1098").await), 0);
        assert_eq!(count(c.get("/api/v1/alerts?technique=T1098.006").await), 1);
        assert_eq!(count(c.get("/api/v1/alerts?tactic=Execution").await), 10);
        let image = "/api/v1/alerts?image=registry.example/shop/web:1.4";
        assert_eq!(count(c.get(image).await), 1);
        let since = "/api/v1/alerts?since=2026-03-02T10:02:30Z";
        assert_eq!(count(c.get(since).await), 9, "{}", b.name);
        let until = "/api/v1/alerts?until=2026-03-02T12:02:00%2B02:00";
        assert_eq!(count(c.get(until).await), 2, "{}", b.name);
        let (s, _) = c
            .call(
                "GET",
                "/api/v1/alerts?since=monday",
                Some(&c.reader),
                vec![],
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // LIKE wildcards in the text are literal.
        assert_eq!(count(c.get("/api/v1/alerts?text=%25").await), 0);
        assert_eq!(
            count(
                c.get("/api/v1/alerts?namespace=shop&severity=low&text=web-")
                    .await
            ),
            4
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_reports_fill_images_and_vulnerabilities() {
    let digest = "sha256:6bd23755bd6c5ccb535f3290e6da36d389bbbae41e2c12390ae33ccc93802f80";
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        let report = fixture("scan-report.json");
        assert_eq!(c.ingest(SCANS, report.clone()).await["accepted"], 1);
        assert_eq!(c.ingest(SCANS, report.clone()).await["duplicates"], 1);
        let parsed: Value = serde_json::from_slice(&report).unwrap();
        let n = parsed["findings"].as_array().unwrap().len();

        let images = c.get("/api/v1/images").await;
        assert_eq!(items(&images).len(), 1);
        assert_eq!(items(&images)[0]["digest"], digest);
        assert_eq!(items(&images)[0]["findings"], n as i64);
        let image = c.get(&format!("/api/v1/images/{digest}")).await;
        let vulns = image["vulnerabilities"].as_array().unwrap();
        assert_eq!(vulns.len(), n, "{}", b.name);
        let first_seen = vulns[0]["first_seen"].as_str().unwrap().to_string();

        // A second image with the same findings, and a rescan of the first without one.
        let mut other = parsed.clone();
        let other_digest = format!("sha256:{}", "ab".repeat(32));
        other["artifact"]["config_digest"] = json!(other_digest);
        other["artifact"]["name"] = json!("other");
        c.ingest(SCANS, other.to_string()).await;
        let mut rescan = parsed.clone();
        let dropped = rescan["findings"].as_array_mut().unwrap().remove(0);
        rescan["source"] = json!("rescan");
        c.ingest(SCANS, rescan.to_string()).await;

        let image = c.get(&format!("/api/v1/images/{digest}")).await;
        let vulns = image["vulnerabilities"].as_array().unwrap();
        assert_eq!(vulns.len(), n - 1, "{}", b.name);
        assert_eq!(image["findings"], (n - 1) as i64);
        let kept = vulns
            .iter()
            .find(|v| v["first_seen"] == first_seen.as_str());
        assert!(kept.is_some(), "{}: first_seen kept across rescans", b.name);

        let all = c.get("/api/v1/vulnerabilities?limit=500").await;
        let by_id = |id: &str| items(&all).iter().find(|v| v["id"] == id).cloned().unwrap();
        let gone = by_id(dropped["id"].as_str().unwrap());
        assert_eq!(gone["images"], 1, "{}: {gone}", b.name);
        let other_id = vulns[0]["id"].as_str().unwrap();
        assert_eq!(by_id(other_id)["images"], 2);
        let only_other = c
            .get(&format!(
                "/api/v1/vulnerabilities?image={other_digest}&limit=500"
            ))
            .await;
        assert_eq!(items(&only_other).len(), n);

        let (s, _) = c
            .call("GET", "/api/v1/images/sha256:00", Some(&c.reader), vec![])
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let missing = format!("/api/v1/images/sha256:{}", "0".repeat(64));
        let (s, _) = c.call("GET", &missing, Some(&c.reader), vec![]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posture_results_become_recommendations_replaced_per_scope() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        let posture = fixture("posture.json");
        let parsed: Value = serde_json::from_slice(&posture).unwrap();
        let findings = parsed["findings"].as_array().unwrap();
        c.ingest(&format!("{POSTURE}?scope=prod"), posture.clone())
            .await;
        assert_eq!(
            c.ingest(&format!("{POSTURE}?scope=prod"), posture.clone())
                .await["duplicates"],
            1
        );

        let recs = c.get("/api/v1/recommendations?limit=500").await;
        let total: i64 = items(&recs)
            .iter()
            .map(|r| r["resources"].as_i64().unwrap())
            .sum();
        assert_eq!(total, findings.len() as i64, "{}", b.name);
        let mut checks: Vec<&str> = findings
            .iter()
            .map(|f| f["check_id"].as_str().unwrap())
            .collect();
        checks.sort();
        checks.dedup();
        assert_eq!(items(&recs).len(), checks.len());
        // Most severe first.
        let ranks: Vec<&str> = items(&recs)
            .iter()
            .map(|r| r["severity"].as_str().unwrap())
            .collect();
        assert_eq!(ranks[0], "CRITICAL", "{ranks:?}");
        let rec = &items(&recs)[0];
        assert!(rec["affected"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with(".yaml"));
        assert!(!rec["remediation"].as_str().unwrap().is_empty());

        // Paging through gives the same checks.
        let mut paged = Vec::new();
        let mut path = "/api/v1/recommendations?limit=4".to_string();
        loop {
            let page = c.get(&path).await;
            paged.extend(
                items(&page)
                    .iter()
                    .map(|r| r["check_id"].as_str().unwrap().to_string()),
            );
            match page["next_cursor"].as_str() {
                Some(cur) => path = format!("/api/v1/recommendations?limit=4&cursor={cur}"),
                None => break,
            }
        }
        let listed: Vec<String> = items(&recs)
            .iter()
            .map(|r| r["check_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(paged, listed, "{}", b.name);

        // A later run of the scope without the first check's findings: they disappear, and
        // the disappearance is recorded. Another scope is untouched.
        c.ingest(&format!("{POSTURE}?scope=staging"), posture.clone())
            .await;
        let fixed = listed[0].clone();
        let mut later = parsed.clone();
        later["findings"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["check_id"] != fixed.as_str());
        c.ingest(&format!("{POSTURE}?scope=prod"), later.to_string())
            .await;
        let prod = c.get("/api/v1/recommendations?scope=prod&limit=500").await;
        assert!(
            items(&prod).iter().all(|r| r["check_id"] != fixed.as_str()),
            "{}",
            b.name
        );
        let staging = c
            .get("/api/v1/recommendations?scope=staging&limit=500")
            .await;
        assert!(items(&staging)
            .iter()
            .any(|r| r["check_id"] == fixed.as_str()));
        let trail = palisade_server::query::trail(&b.db, "scope:prod")
            .await
            .unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].action, "posture.resolved");
        assert!(trail[0].detail["findings"].as_u64().unwrap() >= 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_stored_hashed_and_admins_create_them() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        let body = json!({"role": "ingest", "name": "sensor-node-1"}).to_string();
        let (s, v) = c.call("POST", "/api/v1/tokens", Some(&c.admin), body).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {v}", b.name);
        let token = v["token"].as_str().unwrap().to_string();
        assert!(
            token.starts_with("pal_") && token.len() == 4 + 64,
            "{token}"
        );
        // The new token works, with its role.
        let (s, _) = c
            .call("POST", ALERTS, Some(&token), fixture("node-alert.jsonl"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = c.call("GET", "/api/v1/alerts", Some(&token), vec![]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Only its hash is stored.
        let stored: Vec<(String,)> = sqlx::query_as("SELECT token_sha256 FROM api_tokens")
            .fetch_all(&b.db.pool)
            .await
            .unwrap();
        assert!(stored
            .iter()
            .all(|(h,)| h.len() == 64 && !token.contains(h.as_str())));
        assert!(stored
            .iter()
            .any(|(h,)| *h == palisade_server::auth::token_hash(&token)));
        let (s, _) = c
            .call(
                "POST",
                "/api/v1/tokens",
                Some(&c.admin),
                json!({"role": "root", "name": "x"}).to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // The creation is in the audit trail.
        let actions: Vec<(String, String)> =
            sqlx::query_as("SELECT actor, action FROM audit_trail WHERE action = 'token.create'")
                .fetch_all(&b.db.pool)
                .await
                .unwrap();
        assert!(
            actions.iter().any(|(a, _)| a.starts_with("test-admin (")),
            "{actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_creates_one_admin_token_once() {
    for b in backends().await {
        let token = palisade_server::auth::bootstrap(&b.db).await.unwrap();
        let token = token.expect("an empty store gets a bootstrap token");
        assert!(
            palisade_server::auth::bootstrap(&b.db)
                .await
                .unwrap()
                .is_none(),
            "{}",
            b.name
        );
        let c = Client::new(&b.db, Limits::default()).await;
        let (s, _) = c
            .call(
                "POST",
                "/api/v1/tokens",
                Some(&token),
                json!({"role": "reader", "name": "r"}).to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{}", b.name);
    }
}

/// The fuzz target's body on every prefix of the real documents: errors, never a panic.
#[test]
fn decoders_survive_truncated_documents() {
    for name in [
        "audit-alerts.jsonl",
        "node-alert.jsonl",
        "scan-report.json",
        "posture.json",
    ] {
        let doc = fixture(name);
        for end in (0..doc.len()).step_by(7) {
            palisade_server::decode::fuzz_all(&doc[..end]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_batches_of_the_same_alerts_store_each_once() {
    for b in backends().await {
        let c = std::sync::Arc::new(Client::new(&b.db, Limits::default()).await);
        // 300 alerts on 30 resources, sent by 4 producers at once in different orders.
        let lines: Vec<String> = (0..300)
            .map(|i| {
                many_alerts(1)
                    .replace("gen-0", &format!("same-{i}"))
                    .replace("web-0", &format!("web-{}", i % 30))
            })
            .collect();
        let mut tasks = Vec::new();
        for p in 0..4usize {
            let c = c.clone();
            let mut mine = lines.clone();
            mine.rotate_left(p * 75);
            if p % 2 == 1 {
                mine.reverse();
            }
            tasks.push(tokio::spawn(async move {
                let mut total = (0, 0);
                for chunk in mine.chunks(50) {
                    let (s, v) = c
                        .call("POST", ALERTS, Some(&c.ingest), chunk.concat())
                        .await;
                    assert_eq!(s, StatusCode::OK, "{v}");
                    total.0 += v["accepted"].as_u64().unwrap();
                    total.1 += v["duplicates"].as_u64().unwrap();
                }
                total
            }));
        }
        let (mut accepted, mut duplicates) = (0, 0);
        for t in tasks {
            let (a, d) = t.await.unwrap();
            accepted += a;
            duplicates += d;
        }
        assert_eq!((accepted, duplicates), (300, 900), "{}", b.name);
        let list = c.get("/api/v1/alerts?limit=100").await;
        assert_eq!(items(&list).len(), 30, "{}", b.name);
        // Each document stands for 2 hits (the analyzer's own de-duplication).
        assert!(
            items(&list)
                .iter()
                .all(|a| a["count"] == 20 && a["occurrences"] == 10),
            "{}: {list}",
            b.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_document_twice_in_one_batch_is_stored_once() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        let node = String::from_utf8(fixture("node-alert.jsonl")).unwrap();
        let v = c.ingest(ALERTS, format!("{node}{node}")).await;
        assert_eq!(v, json!({"accepted": 1, "duplicates": 1}), "{}", b.name);
        let list = c.get("/api/v1/alerts").await;
        assert_eq!(items(&list)[0]["occurrences"], 1, "{}", b.name);
        // A batch larger than one statement's rows (100 documents, 50 alerts).
        let v = c.ingest(ALERTS, many_alerts(333)).await;
        assert_eq!(v["accepted"], 333, "{}", b.name);
        assert_eq!(items(&c.get("/api/v1/alerts?limit=500").await).len(), 334);
    }
}
