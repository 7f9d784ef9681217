//! The HTTPS adapter: decode, call the core, encode. Nothing else decides here.
//!
//! Routes: `POST /validate` (AdmissionReview), `GET /healthz`, `GET /metrics`. A body that is
//! not an `admission.k8s.io/v1` AdmissionReview, or bigger than the limit, gets HTTP 400
//! with the reason as text; nothing in a request can panic the server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio_rustls::TlsAcceptor;

use crate::certs::{self, server_config, CertError, CertFiles, CertStore};
use crate::decide::{Admission, Options};
use crate::metrics::Metrics;
use crate::policy::PolicyFileError;
use crate::review::decode;

/// Largest request body: the API server caps an object at 3 MiB, and a review carries the
/// object and the old object.
pub const DEFAULT_MAX_BODY: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error(transparent)]
    Policy(#[from] PolicyFileError),
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// Where the serving certificate comes from.
#[derive(Debug, Clone)]
pub enum TlsSource {
    /// PEM files, polled every `reload` and swapped in when they change.
    Files { files: CertFiles, reload: Duration },
    /// A fresh self-signed certificate for these names (development); its PEM is written to
    /// `write_cert` when given, for a client (or `caBundle`) to trust.
    SelfSigned {
        names: Vec<String>,
        write_cert: Option<PathBuf>,
    },
}

/// Everything `palisade admission serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: String,
    pub policy_files: Vec<PathBuf>,
    pub tls: TlsSource,
    /// Always allowed: the webhook's own namespace and these (kube-system by default).
    pub exempt_namespaces: Vec<String>,
    pub max_body: usize,
}

/// Loads and compiles the policies, sets up TLS and serves until the process ends.
pub async fn serve(config: ServeConfig) -> Result<(), ServeError> {
    let mut policies = Vec::new();
    for path in &config.policy_files {
        policies.extend(crate::policy::load_file(path)?);
    }
    tracing::info!("{} admission policies compiled", policies.len());
    let admission = Arc::new(Admission::new(
        policies,
        Options {
            exempt_namespaces: config.exempt_namespaces.clone(),
        },
    ));
    let store = match &config.tls {
        TlsSource::Files { files, reload } => {
            let (key, seen) = files.load()?;
            let store = CertStore::new(key);
            files.clone().watch(store.clone(), seen, *reload);
            store
        }
        TlsSource::SelfSigned { names, write_cert } => {
            let (cert, key) = certs::self_signed(names)?;
            if let Some(path) = write_cert {
                std::fs::write(path, &cert).map_err(|e| CertError::File {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            }
            CertStore::new(certs::certified_key(cert.as_bytes(), key.as_bytes())?)
        }
    };
    let server = Server::bind(&config.listen, admission, store, config.max_body).await?;
    tracing::warn!(
        "admission webhook listening on https://{}/validate",
        server.local_addr()?
    );
    server.run().await
}

#[derive(Debug, Clone)]
struct AppState {
    admission: Arc<Admission>,
    metrics: Arc<Metrics>,
    max_body: usize,
}

/// A webhook bound to its socket, ready to serve.
pub struct Server {
    tcp: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
    app: axum::Router,
    pub metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("tcp", &self.tcp).finish()
    }
}

impl Server {
    /// Binds `listen` and prepares TLS from `store`.
    pub async fn bind(
        listen: &str,
        admission: Arc<Admission>,
        store: Arc<CertStore>,
        max_body: usize,
    ) -> Result<Self, ServeError> {
        let tcp = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| ServeError::Listen {
                addr: listen.to_owned(),
                source,
            })?;
        let acceptor = TlsAcceptor::from(server_config(store)?);
        let metrics = Arc::new(Metrics::default());
        let state = AppState {
            admission,
            metrics: metrics.clone(),
            max_body,
        };
        let app = axum::Router::new()
            .route("/validate", axum::routing::post(validate))
            .route("/healthz", axum::routing::get(|| async { "ok\n" }))
            .route("/metrics", axum::routing::get(metrics_text))
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(state);
        Ok(Self {
            tcp,
            acceptor,
            app,
            metrics,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// Serves until the process ends.
    pub async fn run(self) -> Result<(), ServeError> {
        let listener = TlsListener::new(self.tcp, self.acceptor)?;
        axum::serve(listener, self.app).await?;
        Ok(())
    }
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

fn bad_request(state: &AppState, message: String) -> Response {
    state.metrics.bad_request();
    tracing::debug!("bad request: {message}");
    (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response()
}

async fn validate(State(state): State<AppState>, body: Body) -> Response {
    let bytes: Bytes = match axum::body::to_bytes(body, state.max_body).await {
        Ok(b) => b,
        Err(_) => {
            let mut response = bad_request(
                &state,
                format!(
                    "request body unreadable or larger than {} bytes",
                    state.max_body
                ),
            );
            // The rest of the body is never read, so this connection cannot carry another
            // request: say so, or a client's pool reuses it and its next request fails.
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return response;
        }
    };
    let request = match decode(&bytes) {
        Ok(r) => r,
        Err(e) => return bad_request(&state, e.to_string()),
    };
    let start = Instant::now();
    let decision = state.admission.review(&request);
    let micros = start.elapsed().as_micros().min(u64::MAX as u128) as u64;
    state.metrics.record(&decision, micros);
    if !decision.dry_run && !decision.results.is_empty() {
        tracing::info!(
            uid = %request.uid,
            kind = %request.kind.kind,
            namespace = request.namespace.as_deref().unwrap_or(""),
            user = request.user_info.username.as_deref().unwrap_or(""),
            allowed = decision.allowed(),
            findings = decision.results.len(),
            "admission decision"
        );
    }
    match serde_json::to_vec(&decision.response.into_review()) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Completes TLS handshakes concurrently (each bounded in time, so a slow or silent client
/// never holds up others) and hands finished connections to axum; a failed handshake is
/// logged and dropped.
struct TlsListener {
    rx: tokio::sync::mpsc::Receiver<(TlsStream, SocketAddr)>,
    local: SocketAddr,
}

type TlsStream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

impl TlsListener {
    fn new(tcp: tokio::net::TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        tokio::spawn(async move {
            loop {
                let (stream, addr) = match tcp.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {addr}: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {addr} timed out"),
                    }
                });
            }
        });
        Ok(Self { rx, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept task never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
