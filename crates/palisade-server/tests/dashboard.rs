//! The dashboard over HTTP (no browser) on both stores: security headers, login and session
//! cookies, CSRF on every POST, roles on every action, logout, every page rendering the seeded
//! data with hostile strings escaped; suppression rules through the API and at ingest.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use common::{backends, seed, Client, APP_DIGEST, HOSTILE_DIGEST};
use http_body_util::BodyExt;
use palisade_server::{dashboard, router, AppState, Limits, Role};
use serde_json::json;
use tower::ServiceExt;

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(app: &axum::Router, req: Request<Body>) -> Resp {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &axum::Router, path: &str, cookie: Option<&str>) -> Resp {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::empty()).unwrap()).await
}

async fn post(app: &axum::Router, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Resp {
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{k}={}", dashboard::encode(v)))
        .collect();
    let mut req =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::from(body.join("&"))).unwrap()).await
}

/// Logs in with `token`: the cookie (`name=value`) and the session's CSRF token.
async fn login(app: &axum::Router, token: &str) -> (String, String) {
    let r = post(app, "/login", None, &[("token", token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.body);
    let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    let page = get(app, "/", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (cookie, csrf_of(&page.body))
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn first_alert(c: &Client, rule: &str) -> String {
    c.get(&format!("/api/v1/alerts?rule={rule}")).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_session_and_carry_security_headers() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        seed(&c).await;
        for page in ["/", "/alerts", "/settings", "/vulnerabilities"] {
            let r = get(&c.app, page, None).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{} {page}", b.name);
            assert_eq!(r.headers[header::LOCATION], "/login");
        }
        // A forged cookie is no session.
        let r = get(
            &c.app,
            "/",
            Some(&format!("palisade_session={}", "ab".repeat(32))),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        let r = post(&c.app, "/login", None, &[("token", "pal_wrong")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers.get(header::SET_COOKIE).is_none());
        // Ingest tokens may not read, so they may not log in.
        let r = post(&c.app, "/login", None, &[("token", &c.ingest)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let r = post(&c.app, "/login", None, &[("token", &c.reader)]).await;
        let set = r.headers[header::SET_COOKIE].to_str().unwrap();
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(flag), "{set}");
        }
        assert!(!set.contains("Secure"), "plain HTTP: {set}");
        // Only the session id's hash is stored.
        let id = set.split(';').next().unwrap().split_once('=').unwrap().1;
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM dashboard_sessions WHERE id_sha256 = $1 OR id_sha256 = $2",
        )
        .bind(id)
        .bind(palisade_server::auth::token_hash(id))
        .fetch_one(&b.db.pool)
        .await
        .unwrap();
        assert_eq!(n, 1);
        let (stored,): (String,) = sqlx::query_as("SELECT id_sha256 FROM dashboard_sessions")
            .fetch_one(&b.db.pool)
            .await
            .unwrap();
        assert_ne!(stored, id);

        let (cookie, _) = login(&c.app, &c.reader).await;
        for page in [
            "/",
            "/alerts",
            "/recommendations",
            "/vulnerabilities",
            "/login",
        ] {
            let r = get(&c.app, page, Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{} {page}: {}", b.name, r.body);
            assert_eq!(r.headers[header::CONTENT_SECURITY_POLICY], dashboard::CSP);
            assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(r.headers[header::REFERRER_POLICY], "no-referrer");
            assert!(!r.body.contains("<script"), "{page} has a script");
            assert!(!r.body.contains(" style="), "{page} has an inline style");
        }
        let css = get(&c.app, "/static/dashboard.css", None).await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_when_served_over_tls() {
    let b = backends().await.remove(0);
    let app = router(AppState {
        db: b.db.clone(),
        limits: Limits::default(),
        secure_cookies: true,
    });
    let token = palisade_server::auth::create_token(&b.db, Role::Reader, "r", "test")
        .await
        .unwrap();
    let r = post(&app, "/login", None, &[("token", &token)]).await;
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .ends_with("; Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_post_checks_csrf_and_roles() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        seed(&c).await;
        let alert = first_alert(&c, "PAL-K8SAUDIT-015").await;
        let status_path = format!("/alerts/{alert}/status");
        let suppress_path = format!("/alerts/{alert}/suppress");
        let (admin, admin_csrf) = login(&c.app, &c.admin).await;
        let (operator, op_csrf) = login(&c.app, &c.operator).await;
        let (reader, reader_csrf) = login(&c.app, &c.reader).await;

        // Without the CSRF token, or with another session's, nothing changes.
        for (csrf, who) in [("", "none"), (admin_csrf.as_str(), "another session's")] {
            let r = post(
                &c.app,
                &status_path,
                Some(&operator),
                &[("csrf", csrf), ("status", "Dismissed"), ("reason", "x")],
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{} csrf {who}", b.name);
        }
        assert_eq!(
            c.get(&format!("/api/v1/alerts/{alert}")).await["status"],
            "Active"
        );
        // A cross-site post is refused even with the token.
        let req = Request::post(&status_path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &operator)
            .header("sec-fetch-site", "cross-site")
            .body(Body::from(format!(
                "csrf={op_csrf}&status=Dismissed&reason=x"
            )))
            .unwrap();
        assert_eq!(send(&c.app, req).await.status, StatusCode::FORBIDDEN);

        // Roles as the API: a reader may not change status, an operator may.
        let r = post(
            &c.app,
            &status_path,
            Some(&reader),
            &[
                ("csrf", &reader_csrf),
                ("status", "Dismissed"),
                ("reason", "x"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = post(
            &c.app,
            &status_path,
            Some(&operator),
            &[
                ("csrf", &op_csrf),
                ("status", "Dismissed"),
                ("reason", "benign <b>test</b>"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let v = c.get(&format!("/api/v1/alerts/{alert}")).await;
        assert_eq!(v["status"], "Dismissed");
        assert_eq!(
            v["history"][0]["actor"],
            format!("test-operator ({})", token_id(&c, "test-operator").await)
        );

        // Settings, tokens and suppression rules: admins only.
        for (cookie, csrf) in [(&reader, &reader_csrf), (&operator, &op_csrf)] {
            assert_eq!(
                get(&c.app, "/settings", Some(cookie)).await.status,
                StatusCode::FORBIDDEN
            );
            let r = post(
                &c.app,
                "/settings/tokens",
                Some(cookie),
                &[("csrf", csrf), ("name", "x"), ("role", "admin")],
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let r = post(
                &c.app,
                &suppress_path,
                Some(cookie),
                &[("csrf", csrf), ("rule_id", "PAL-K8SAUDIT-015")],
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let r = post(
                &c.app,
                "/settings/suppressions",
                Some(cookie),
                &[
                    ("csrf", csrf),
                    ("rule_id", "PAL-K8SAUDIT-015"),
                    ("reason", "x"),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        let r = post(
            &c.app,
            "/settings/tokens",
            Some(&admin),
            &[("name", "x"), ("role", "admin")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "admin without CSRF");
        let r = post(
            &c.app,
            "/settings/tokens",
            Some(&admin),
            &[("csrf", &admin_csrf), ("name", "ci"), ("role", "reader")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("pal_"), "the new token is shown once");
        let r = post(
            &c.app,
            &suppress_path,
            Some(&admin),
            &[("csrf", &admin_csrf), ("rule_id", "PAL-K8SAUDIT-015")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"matched\">1<"), "{}", r.body);

        // Logout needs the CSRF token, ends the session, and pages then redirect.
        let r = post(&c.app, "/logout", Some(&reader), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&c.app, "/logout", Some(&reader), &[("csrf", &reader_csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
        assert_eq!(
            get(&c.app, "/", Some(&reader)).await.status,
            StatusCode::SEE_OTHER
        );
        // A revoked token ends its sessions.
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE name = 'test-operator'")
            .bind(common::now_rfc3339())
            .execute(&b.db.pool)
            .await
            .unwrap();
        assert_eq!(
            get(&c.app, "/", Some(&operator)).await.status,
            StatusCode::SEE_OTHER
        );
    }
}

async fn token_id(c: &Client, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM api_tokens WHERE name = $1")
        .bind(name)
        .fetch_one(&c.db.pool)
        .await
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_the_seeded_data_and_escapes_hostile_strings() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        seed(&c).await;
        let (cookie, _) = login(&c.app, &c.admin).await;
        let hostile_alert = c
            .get("/api/v1/alerts?namespace=shop&rule=PAL-NODE-004")
            .await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["resource"].as_str().unwrap().contains("<script>"))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut pages: Vec<String> = dashboard::NAV.iter().map(|p| p.path.to_string()).collect();
        pages.extend([
            format!("/alerts/{hostile_alert}"),
            "/alerts?severity=MEDIUM&status=Active&namespace=shop&window=30d".into(),
            format!("/images/{APP_DIGEST}"),
            format!("/images/{HOSTILE_DIGEST}"),
            "/cves/CVE-2023-43804".into(),
            "/recommendations?severity=HIGH".into(),
        ]);
        for page in &pages {
            let r = get(&c.app, page, Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{} {page}: {}", b.name, r.body);
            assert!(!r.body.contains("<script"), "{page}: unescaped markup");
            assert!(!r.body.contains("<img src=x"), "{page}: unescaped markup");
        }
        // The hostile strings are there, as text.
        let detail = get(&c.app, &format!("/alerts/{hostile_alert}"), Some(&cookie))
            .await
            .body;
        assert!(detail.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        let overview = get(&c.app, "/", Some(&cookie)).await.body;
        // 4 audit alerts in 3 groups + 2 node alerts, all active: 1 HIGH, 2 MEDIUM, 2 LOW.
        let card = &overview[overview.find("id=\"active-alerts\"").unwrap()..];
        let card = &card[..card.find("</section>").unwrap()];
        assert!(card.contains("data-total=\"5\""), "{card}");
        assert!(card.contains("<span class=\"n\">1</span> high"), "{card}");
        assert!(card.contains("<span class=\"n\">2</span> medium"), "{card}");
        // The chart: today's bar holds the hostile alert (the fixtures' are from March).
        let today = &common::now_rfc3339()[..10];
        assert!(
            overview.contains(&format!("<title>{today}: 1</title>")),
            "{overview}"
        );
        assert!(overview.contains("1 received"));
        let cve = get(&c.app, "/cves/CVE-2023-43804", Some(&cookie))
            .await
            .body;
        assert!(
            cve.contains("id=\"affected-count\">2<"),
            "both images have it"
        );
        // By an alias of the advisory, too.
        let alias = get(&c.app, "/cves/GHSA-v845-jxx5-vc9f", Some(&cookie)).await;
        assert_eq!(alias.status, StatusCode::OK);
        assert!(alias.body.contains("id=\"affected-count\">2<"));
        let missing = get(&c.app, "/cves/CVE-1999-0001", Some(&cookie)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let bad = get(&c.app, "/images/not-a-digest", Some(&cookie)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let bad = get(&c.app, "/alerts?severity=nope", Some(&cookie)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let bad = get(&c.app, "/alerts?cursor=zz", Some(&cookie)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppression_rules_dismiss_new_matching_alerts() {
    for b in backends().await {
        let c = Client::new(&b.db, Limits::default()).await;
        seed(&c).await;
        let rule = json!({
            "rule_id": "PAL-NODE-004", "namespace": "shop", "container_name": "web",
            "process_name": "sh", "reason": "the web image runs sh in its entrypoint"
        });
        // Roles: reading and simulating for readers, changes for admins.
        for role in [Role::Reader, Role::Operator, Role::Ingest] {
            let (s, _) = c
                .call(
                    "POST",
                    "/api/v1/suppressions",
                    Some(c.token(role)),
                    rule.to_string(),
                )
                .await;
            assert!(matches!(s, StatusCode::FORBIDDEN), "{role}: {s}");
        }
        let (s, _) = c
            .call(
                "GET",
                "/api/v1/suppressions",
                Some(&c.ingest),
                Body::empty(),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = c
            .call(
                "POST",
                "/api/v1/suppressions",
                Some(&c.admin),
                json!({"rule_id": ""}).to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let (s, v) = c
            .call("POST", "/api/v1/suppressions", Some(&c.admin), "{")
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

        // Simulate: both stored PAL-NODE-004 alerts are in shop, container web, process sh.
        let (s, sim) = c
            .call(
                "POST",
                "/api/v1/suppressions/simulate",
                Some(&c.reader),
                rule.to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{sim}");
        assert_eq!(sim["matched"], 2, "{sim}");
        assert_eq!(sim["sample"].as_array().unwrap().len(), 2);
        let narrow = json!({"rule_id": "PAL-NODE-004", "process_name": "bash"});
        let (_, sim) = c
            .call(
                "POST",
                "/api/v1/suppressions/simulate",
                Some(&c.reader),
                narrow.to_string(),
            )
            .await;
        assert_eq!(sim["matched"], 0);

        let (s, created) = c
            .call(
                "POST",
                "/api/v1/suppressions",
                Some(&c.admin),
                rule.to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(
            c.get("/api/v1/suppressions").await["items"][0]["id"],
            id.as_str()
        );

        // Stored alerts keep their status; a new matching one is stored Dismissed, a new one
        // of another process is not.
        let now = common::now_rfc3339();
        let matching = common::node_alert("PAL-NODE-004/1/2", &"1".repeat(64), &now, |_| {});
        let other = common::node_alert("PAL-NODE-004/1/3", &"2".repeat(64), &now, |v| {
            v["process"]["name"] = json!("bash");
        });
        c.ingest("/api/v1/ingest/alerts", format!("{matching}\n{other}"))
            .await;
        let alerts = c.get("/api/v1/alerts?rule=PAL-NODE-004&limit=10").await;
        let statuses: Vec<(String, String)> = alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["status"].as_str().unwrap().to_string(),
                    a["status_reason"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(statuses.len(), 4, "{alerts}");
        let dismissed: Vec<&(String, String)> =
            statuses.iter().filter(|(s, _)| s == "Dismissed").collect();
        assert_eq!(dismissed.len(), 1, "{statuses:?}");
        assert!(dismissed[0].1.contains(&id) && dismissed[0].1.contains("entrypoint"));
        let suppressed_id = alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["status"] == "Dismissed")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let detail = c.get(&format!("/api/v1/alerts/{suppressed_id}")).await;
        assert_eq!(detail["history"][0]["action"], "alert.suppressed");
        assert_eq!(detail["history"][0]["detail"]["rule"], id.as_str());

        let (s, _) = c
            .call(
                "DELETE",
                &format!("/api/v1/suppressions/{id}"),
                Some(&c.operator),
                Body::empty(),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = c
            .call(
                "DELETE",
                &format!("/api/v1/suppressions/{id}"),
                Some(&c.admin),
                Body::empty(),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = c
            .call(
                "DELETE",
                &format!("/api/v1/suppressions/{id}"),
                Some(&c.admin),
                Body::empty(),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let later = common::node_alert("PAL-NODE-004/1/4", &"3".repeat(64), &now, |_| {});
        c.ingest("/api/v1/ingest/alerts", later).await;
        let active = c
            .get("/api/v1/alerts?rule=PAL-NODE-004&status=Active&limit=10")
            .await;
        assert_eq!(
            active["items"].as_array().unwrap().len(),
            4,
            "rule deleted: {active}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_benchmark_renders_every_page_of_its_store() {
    let dir = tempfile::tempdir().unwrap();
    let r = palisade_server::dashboard::bench::bench_dashboard(
        &palisade_server::dashboard::bench::DashboardBenchOptions {
            db_url: format!("sqlite:{}", dir.path().join("b.db").display()),
            alerts: 300,
            images: 5,
            findings_per_image: 30,
            posture_findings: 100,
            requests: 1,
        },
    )
    .await
    .unwrap();
    assert_eq!(r.pages.len(), 10);
    for p in &r.pages {
        assert!(p.bytes > 1000, "{}: {} bytes", p.page, p.bytes);
    }
}
