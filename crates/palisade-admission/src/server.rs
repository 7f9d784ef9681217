//! The HTTPS adapter: decode, call the core, encode. Nothing else decides here.
//!
//! Routes: `POST /validate` (AdmissionReview), `GET /healthz`, `GET /metrics`. A body that is
//! not an `admission.k8s.io/v1` AdmissionReview, or bigger than the limit, gets HTTP 400
//! with the reason as text; nothing in a request can panic the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio_rustls::TlsAcceptor;

use crate::certs::{server_config, CertError, CertStore};
use crate::decide::Admission;
use crate::metrics::Metrics;
use crate::review::decode;

/// Largest request body: the API server caps an object at 3 MiB, and a review carries the
/// object and the old object.
pub const DEFAULT_MAX_BODY: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
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
            return bad_request(
                &state,
                format!(
                    "request body unreadable or larger than {} bytes",
                    state.max_body
                ),
            )
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
