//! A fake Kubernetes API server for tests: serves cluster-wide lists exactly as a real API
//! server does — `<Kind>List` documents of objects built from k8s-openapi types (items without
//! `apiVersion`/`kind`, as the server writes them), `limit` / `continue` paging with
//! `remainingItemCount`, `PartialObjectMetadataList` when the client asks for it in `Accept`,
//! `Status` documents for 401 / 403 / 404 / 429 (with `Retry-After`), and bearer-token auth.
//! Every request is logged so tests can check what the client asked for.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use k8s_openapi::Resource;
use serde_json::{json, Value};

pub const TOKEN: &str = "fake-scanner-token";

/// One logged request: path, query, Accept header.
#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    pub query: String,
    pub accept: String,
}

#[derive(Default)]
struct State {
    /// List path (`/api/v1/pods`) → (list kind, list apiVersion, items).
    lists: HashMap<String, (String, String, Vec<Value>)>,
    forbidden: BTreeSet<String>,
    /// Paths answered 429 this many more times.
    throttled: HashMap<String, u32>,
    log: Vec<Logged>,
}

#[derive(Clone, Default)]
pub struct FakeCluster {
    state: Arc<Mutex<State>>,
}

impl FakeCluster {
    /// Adds typed objects; the list path comes from the type's group, version and plural.
    pub fn add<K: Resource + serde::Serialize>(&self, objects: Vec<K>) {
        let path = if K::GROUP.is_empty() {
            format!("/api/{}/{}", K::VERSION, K::URL_PATH_SEGMENT)
        } else {
            format!("/apis/{}/{}/{}", K::GROUP, K::VERSION, K::URL_PATH_SEGMENT)
        };
        let items = objects
            .iter()
            .map(|o| {
                let mut v = serde_json::to_value(o).unwrap();
                // A real server omits the type of list items.
                let map = v.as_object_mut().unwrap();
                map.remove("apiVersion");
                map.remove("kind");
                v
            })
            .collect::<Vec<_>>();
        let mut state = self.state.lock().unwrap();
        let entry = state.lists.entry(path).or_insert_with(|| {
            (
                format!("{}List", K::KIND),
                K::API_VERSION.to_string(),
                Vec::new(),
            )
        });
        entry.2.extend(items);
    }

    /// Lists of this plural (e.g. `clusterroles`) answer 403 Forbidden.
    pub fn forbid(&self, plural: &str) {
        self.state.lock().unwrap().forbidden.insert(plural.into());
    }

    /// The next `times` requests for this plural answer 429 Too Many Requests.
    pub fn throttle(&self, plural: &str, times: u32) {
        self.state
            .lock()
            .unwrap()
            .throttled
            .insert(plural.into(), times);
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    /// Serves on a free loopback port in a background thread; returns the port.
    pub fn start(&self) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let this = self.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(move |request: Request<Body>| {
                    let this = this.clone();
                    async move { this.handle(request) }
                });
                axum::serve(listener, app).await.unwrap();
            });
        });
        port
    }

    /// A kubeconfig file for this server, with context `fake-ctx`.
    pub fn kubeconfig(&self, port: u16, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:{port}\n\
                 users:\n- name: scanner\n  user:\n    token: {TOKEN}\ncontexts:\n- name: fake-ctx\n  context:\n    cluster: fake\n    user: scanner\n\
                 current-context: fake-ctx\n"
            ),
        )
        .unwrap();
        path
    }

    fn handle(&self, request: Request<Body>) -> Response<Body> {
        let path = request.uri().path().to_string();
        let query = request.uri().query().unwrap_or("").to_string();
        let headers = request.headers().clone();
        let accept = header(&headers, "accept");
        let mut state = self.state.lock().unwrap();
        state.log.push(Logged {
            path: path.clone(),
            query: query.clone(),
            accept: accept.clone(),
        });
        if header(&headers, "authorization") != format!("Bearer {TOKEN}") {
            return status(401, "Unauthorized", "Unauthorized", None);
        }
        let plural = path.rsplit('/').next().unwrap_or("").to_string();
        if let Some(left) = state.throttled.get_mut(&plural) {
            if *left > 0 {
                *left -= 1;
                return status(
                    429,
                    "TooManyRequests",
                    "the server has received too many requests and has asked us to try again later",
                    Some(1),
                );
            }
        }
        if state.forbidden.contains(&plural) {
            let group = path
                .strip_prefix("/apis/")
                .and_then(|p| p.split('/').next())
                .unwrap_or("");
            return status(
                403,
                "Forbidden",
                &format!(
                    "{plural}.{group} is forbidden: User \"system:serviceaccount:palisade:scanner\" cannot list resource \"{plural}\" in API group \"{group}\" at the cluster scope"
                ),
                None,
            );
        }
        let Some((list_kind, api_version, items)) = state.lists.get(&path).cloned() else {
            // A kind this cluster has none of: an empty list, as a real server answers.
            if path.starts_with("/api/") || path.starts_with("/apis/") {
                let kind = format!("{}List", plural);
                return json_response(
                    200,
                    &json!({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": "1000"}, "items": []}),
                );
            }
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
                None,
            );
        };
        let params: HashMap<String, String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.replace("%3D", "=").replace("%2F", "/")))
            .collect();
        let limit: usize = params
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(usize::MAX);
        let offset: usize = params
            .get("continue")
            .and_then(|c| c.strip_prefix("offset-"))
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        let end = offset.saturating_add(limit).min(items.len());
        let mut metadata = json!({"resourceVersion": "424242"});
        if end < items.len() {
            metadata["continue"] = json!(format!("offset-{end}"));
            metadata["remainingItemCount"] = json!(items.len() - end);
        }
        let page = &items[offset.min(items.len())..end];
        if accept.contains("as=PartialObjectMetadataList") {
            let items: Vec<Value> = page
                .iter()
                .map(|i| json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": i["metadata"]}))
                .collect();
            return json_response(
                200,
                &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "items": items}),
            );
        }
        json_response(
            200,
            &json!({"kind": list_kind, "apiVersion": api_version, "metadata": metadata, "items": page}),
        )
    }
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn json_response(code: u16, value: &Value) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap())
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(value).unwrap()))
        .unwrap()
}

fn status(code: u16, reason: &str, message: &str, retry_after: Option<u64>) -> Response<Body> {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message, "reason": reason, "code": code});
    let mut response = json_response(code, &body);
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", seconds.to_string().parse().unwrap());
    }
    response
}
