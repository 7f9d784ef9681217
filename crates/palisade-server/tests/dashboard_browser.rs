//! The dashboard in a real browser: headless Chromium driven through chromedriver (WebDriver,
//! plain HTTP on loopback) by `fantoccini`, against the server serving on 127.0.0.1 over a
//! fresh store seeded through the real ingest API. Logs in, reads the overview's numbers,
//! filters alerts, dismisses one, creates a suppression rule (with its preview) and sees a new
//! matching alert arrive dismissed, opens an image and a CVE, checks hostile strings show as
//! text (no script ran), logs out. Screenshots of every page go to
//! `<target>/dashboard-screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them): without them
//! the test fails.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{backends, seed, Client, APP_DIGEST, HOSTILE, HOSTILE_DIGEST};
use fantoccini::{ClientBuilder, Locator};
use palisade_server::{router, AppState, Limits};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver on a free loopback port and waits until it answers.
fn start_driver() -> (Driver, String) {
    for bin in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            std::path::Path::new(bin).exists(),
            "{bin} is missing: install Debian's chromium and chromium-driver (.ci/run does)"
        );
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("dashboard-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Browser {
    c: fantoccini::Client,
    base: String,
    shots: PathBuf,
    store: &'static str,
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
        self.no_dialog().await;
    }

    async fn path(&self) -> String {
        let u = self.c.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// Waits (up to 20 s, the machine may be busy) until the page's path starts with `want`.
    async fn wait_path(&self, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let p = self.path().await;
            if p.starts_with(want) || Instant::now() > deadline {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 20 s) until the text of `css` is `want`; returns the last text read.
    async fn wait_text(&self, css: &str, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let t = match self.c.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if t == want || Instant::now() > deadline {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn count(&self, css: &str) -> usize {
        self.c.find_all(Locator::Css(css)).await.unwrap().len()
    }

    async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
        self.no_dialog().await;
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self
            .c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// No alert dialog is open and the page has no script element: nothing injected ran.
    async fn no_dialog(&self) {
        assert!(
            self.c.get_alert_text().await.is_err(),
            "a JavaScript dialog is open: injected script ran"
        );
        let scripts = self
            .c
            .execute("return document.querySelectorAll('script').length", vec![])
            .await
            .unwrap();
        assert_eq!(
            scripts,
            serde_json::json!(0),
            "a script element is in the page"
        );
    }

    async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(self.shots.join(format!("{}-{name}.png", self.store)), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium() {
    let (_driver, webdriver) = start_driver();
    for b in backends().await {
        run(&webdriver, b.name, b.db.clone()).await;
    }
}

async fn run(webdriver: &str, store: &'static str, db: palisade_server::Db) {
    let c = Client::new(&db, Limits::default()).await;
    seed(&c).await;
    // The server, serving on a loopback port like `palisade server`.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(AppState {
        db: db.clone(),
        limits: Limits::default(),
        secure_cookies: false,
    });
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1400,1100",
                     "--hide-scrollbars"],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a chromium session through chromedriver");
    let br = Browser {
        c: client,
        base,
        shots: screenshot_dir(),
        store,
    };

    // Not logged in: the login page.
    br.goto("/alerts").await;
    assert_eq!(br.path().await, "/login");
    br.fill("#token", "pal_wrong").await;
    br.click("main.login button[type=submit]").await;
    assert!(br.text("#login-error").await.contains("Unknown or revoked"));
    br.shot("login").await;
    br.fill("#token", &c.admin).await;
    br.click("main.login button[type=submit]").await;
    assert_eq!(br.wait_path("/").await, "/");

    // Overview: the seeded numbers (3 audit groups + 2 node alerts, all active).
    assert_eq!(br.text("#active-alerts .big").await, "5");
    let chips = br.text("#active-alerts .chips").await;
    assert!(
        chips.contains("1 high") && chips.contains("2 medium") && chips.contains("2 low"),
        "{chips}"
    );
    assert_eq!(br.text("#images .big").await, "2");
    assert!(
        br.count("svg.chart rect").await >= 2,
        "the charts have bars"
    );
    assert!(br.count("#top-recommendations tbody tr").await > 0);
    br.shot("overview").await;

    // Alerts, filtered by severity through the form.
    br.goto("/alerts").await;
    assert_eq!(br.count("#alerts tbody tr").await, 5);
    br.select("#alert-filters select[name=severity]", "MEDIUM")
        .await;
    br.click("#alert-filters button[type=submit]").await;
    assert!(br.wait_path("/alerts?").await.contains("severity=MEDIUM"));
    assert_eq!(br.count("#alerts tbody tr").await, 2);
    for badge in
        br.c.find_all(Locator::Css("#alerts tbody .badge"))
            .await
            .unwrap()
    {
        assert_eq!(badge.text().await.unwrap(), "MEDIUM");
    }
    br.fill("#alert-filters input[name=namespace]", "payments")
        .await;
    br.click("#alert-filters button[type=submit]").await;
    assert_eq!(br.count("#alerts tbody tr").await, 0);
    assert!(br.count("#no-alerts").await == 1);
    br.goto("/alerts").await;
    br.shot("alerts").await;

    // Dismiss the cluster-admin binding alert with a reason.
    let binding = c.get("/api/v1/alerts?rule=PAL-K8SAUDIT-015").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    br.click(&format!("#alerts tr[data-id='{binding}'] a"))
        .await;
    assert_eq!(
        br.wait_path(&format!("/alerts/{binding}")).await,
        format!("/alerts/{binding}")
    );
    assert!(
        br.text("#mitre").await.contains("T1"),
        "MITRE technique shown"
    );
    br.select("#set-status select[name=status]", "Dismissed")
        .await;
    br.fill(
        "#set-status input[name=reason]",
        "break-glass binding, approved in CHG-1234",
    )
    .await;
    br.click("#set-status button[type=submit]").await;
    assert_eq!(
        br.wait_path(&format!("/alerts/{binding}")).await,
        format!("/alerts/{binding}")
    );
    assert_eq!(
        br.wait_text("#alert-status", "Dismissed").await,
        "Dismissed"
    );
    assert!(br.text("#history").await.contains("approved in CHG-1234"));
    br.shot("alert-dismissed").await;
    assert_eq!(
        c.get(&format!("/api/v1/alerts/{binding}")).await["status"],
        "Dismissed"
    );

    // A suppression rule from the node alert, previewed, then a new matching alert arrives
    // dismissed.
    let node = c.get("/api/v1/alerts?rule=PAL-NODE-004").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["resource"] == "pod shop/web-7d9f")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    br.goto(&format!("/alerts/{node}")).await;
    assert!(br.text("#evidence-process").await.contains("sh -c id"));
    br.shot("alert-detail").await;
    br.click("#simulate").await;
    // The fixture's alert only: the hostile one has another image.
    assert_eq!(br.text("#matched").await, "1");
    assert!(br
        .text("#rule-fields")
        .await
        .contains("registry.example/shop/web:1.4"));
    br.shot("suppression-preview").await;
    br.fill(
        "#create-suppression input[name=reason]",
        "web's entrypoint runs sh -c id",
    )
    .await;
    br.click("#create-suppression button[type=submit]").await;
    assert!(br.wait_path("/settings").await.starts_with("/settings"));
    assert!(br
        .text("#suppressions")
        .await
        .contains("web's entrypoint runs sh -c id"));
    br.shot("settings").await;
    let fresh = common::node_alert(
        "PAL-NODE-004/7/7",
        &"7".repeat(64),
        &common::now_rfc3339(),
        |_| {},
    );
    c.ingest("/api/v1/ingest/alerts", fresh).await;
    br.goto("/alerts?status=Dismissed&rule=PAL-NODE-004").await;
    assert_eq!(br.count("#alerts tbody tr").await, 1);
    let id =
        br.c.find(Locator::Css("#alerts tbody tr"))
            .await
            .unwrap()
            .attr("data-id")
            .await
            .unwrap()
            .unwrap();
    assert_ne!(id, node, "a new alert, not the one the rule was made from");
    br.click("#alerts tbody tr a").await;
    assert!(br.wait_path("/alerts/").await.starts_with("/alerts/"));
    assert_eq!(
        br.wait_text("#alert-status", "Dismissed").await,
        "Dismissed"
    );
    assert!(br.text("main").await.contains("suppressed by rule"));
    br.shot("alert-suppressed").await;

    // Hostile strings are text, in the DOM, and nothing ran.
    let hostile = c
        .get("/api/v1/alerts?rule=PAL-NODE-004&status=Active")
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["resource"].as_str().unwrap().contains(HOSTILE))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    br.goto("/alerts?namespace=shop").await;
    assert!(br
        .text("#alerts")
        .await
        .contains(&format!("pod shop/web-{HOSTILE}")));
    br.goto(&format!("/alerts/{hostile}")).await;
    assert_eq!(
        br.text("#alert-message").await,
        format!("shell started by {HOSTILE}")
    );
    let evidence = br.text("#evidence-process").await;
    assert!(
        evidence.contains(&format!("sh -c echo {HOSTILE}")),
        "{evidence}"
    );
    assert!(evidence.contains(&format!("registry.example/shop/web:{HOSTILE}")));
    br.shot("alert-hostile").await;

    // Vulnerabilities: the ranking, an image, a CVE.
    br.goto("/vulnerabilities").await;
    assert_eq!(br.count("#images-by-risk tbody tr").await, 2);
    assert!(br
        .text("#images-by-risk")
        .await
        .contains(&format!("palisade-test/app:{HOSTILE}")));
    br.shot("vulnerabilities").await;
    br.click(&format!(
        "#images-by-risk a[href='/images/{HOSTILE_DIGEST}']"
    ))
    .await;
    assert_eq!(
        br.text("#image-name").await,
        format!("palisade-test/app:{HOSTILE}")
    );
    br.goto(&format!("/images/{APP_DIGEST}")).await;
    assert_eq!(br.text("#image-name").await, "palisade-test/app:1");
    assert!(br.count("#findings tbody tr").await >= 10);
    br.shot("image").await;
    br.click("#findings a[href='/cves/CVE-2023-43804']").await;
    assert_eq!(br.wait_path("/cves/").await, "/cves/CVE-2023-43804");
    assert_eq!(br.text("#affected-count").await, "2");
    assert!(br.text("#cve-images").await.contains("urllib3"));
    br.shot("cve").await;

    br.goto("/recommendations").await;
    assert!(br.count("section.rec").await > 0);
    br.shot("recommendations").await;

    // Log out: the login page, and pages redirect there again.
    br.click("#logout").await;
    assert_eq!(br.wait_path("/login").await, "/login");
    br.goto("/").await;
    assert_eq!(br.path().await, "/login");

    br.c.close().await.unwrap();
    server.abort();
}
