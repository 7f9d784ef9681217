//! TLS for the webhook: a certificate and key from PEM files, reloaded when the files change
//! (a Secret rotation by cert-manager or a script needs no restart), or a self-signed pair
//! for development.
//!
//! The files are polled (default every 2 s): Kubernetes updates a mounted Secret by swapping
//! a symlink, which inotify-style watches on the file miss. A change is applied only when the
//! new pair loads and the key matches the certificate; a half-written or mismatched pair
//! keeps the old one serving and is logged. New TLS handshakes use the new certificate;
//! established connections keep theirs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio_rustls::rustls;
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

/// A certificate or key that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("generating a self-signed certificate: {0}")]
    Generate(String),
}

/// Largest certificate or key file read.
const MAX_PEM: u64 = 1 << 20;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_pem(path: &Path) -> Result<Vec<u8>, CertError> {
    let err = |message: String| CertError::File {
        path: path.display().to_string(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| err(e.to_string()))?
        .len();
    if size > MAX_PEM {
        return Err(err(format!("{size} bytes is too big for a PEM file")));
    }
    std::fs::read(path).map_err(|e| err(e.to_string()))
}

/// A certificate chain and key from PEM text, checked to belong together.
pub fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, CertError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CertError::Tls(format!("certificate: {e}")))?;
    if certs.is_empty() {
        return Err(CertError::Tls(
            "no certificate in the certificate file".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| CertError::Tls(format!("private key: {e}")))?;
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| CertError::Tls(format!("private key: {e}")))?;
    let ck = CertifiedKey::new(certs, signing);
    ck.keys_match()
        .map_err(|e| CertError::Tls(format!("key does not match the certificate: {e}")))?;
    Ok(ck)
}

/// The certificate new handshakes get; swapped on reload.
#[derive(Debug)]
pub struct CertStore {
    current: RwLock<Arc<CertifiedKey>>,
}

impl CertStore {
    pub fn new(key: CertifiedKey) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(Arc::new(key)),
        })
    }

    pub fn set(&self, key: CertifiedKey) {
        let mut cur = match self.current.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *cur = Arc::new(key);
    }

    fn get(&self) -> Arc<CertifiedKey> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.get())
    }
}

/// The rustls server configuration over a [`CertStore`] (HTTP/1.1).
pub fn server_config(store: Arc<CertStore>) -> Result<Arc<rustls::ServerConfig>, CertError> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| CertError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(store);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // No session resumption: a resumed session skips the certificate, so clients would keep
    // authenticating against a rotated-out one. The API server keeps connections alive, so
    // full handshakes are rare.
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// Certificate and key files, watched for changes.
#[derive(Debug, Clone)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertFiles {
    /// Reads the pair now (an error here stops the server from starting).
    pub fn load(&self) -> Result<(CertifiedKey, Vec<u8>), CertError> {
        let cert = read_pem(&self.cert)?;
        let key = read_pem(&self.key)?;
        let ck = certified_key(&cert, &key)?;
        Ok((ck, fingerprint(&cert, &key)))
    }

    /// Polls the files every `interval` and swaps the store's certificate when they change
    /// and the new pair is valid. Runs until the runtime stops.
    pub fn watch(self, store: Arc<CertStore>, mut seen: Vec<u8>, interval: Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let (cert, key) = match (read_pem(&self.cert), read_pem(&self.key)) {
                    (Ok(c), Ok(k)) => (c, k),
                    (Err(e), _) | (_, Err(e)) => {
                        tracing::warn!("TLS reload: {e} (keeping the current certificate)");
                        continue;
                    }
                };
                let fp = fingerprint(&cert, &key);
                if fp == seen {
                    continue;
                }
                match certified_key(&cert, &key) {
                    Ok(ck) => {
                        store.set(ck);
                        seen = fp;
                        tracing::info!("TLS certificate reloaded from {}", self.cert.display());
                    }
                    Err(e) => {
                        tracing::warn!("TLS reload: {e} (keeping the current certificate)")
                    }
                }
            }
        });
    }
}

/// The contents themselves: files are small, and comparing bytes needs no hash dependency.
fn fingerprint(cert: &[u8], key: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(cert.len() + key.len() + 1);
    v.extend_from_slice(cert);
    v.push(0);
    v.extend_from_slice(key);
    v
}

/// A self-signed certificate for `names` (DNS names or IP addresses): (certificate PEM,
/// key PEM). For development only: clusters should trust a CA they control.
pub fn self_signed(names: &[String]) -> Result<(String, String), CertError> {
    let key = rcgen::KeyPair::generate().map_err(|e| CertError::Generate(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(names.to_vec())
        .map_err(|e| CertError::Generate(e.to_string()))?;
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "palisade-admission (self-signed)",
    );
    let cert = params
        .self_signed(&key)
        .map_err(|e| CertError::Generate(e.to_string()))?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// The DNS names a webhook Service is reached by, and the loopback names.
pub fn service_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        service.to_owned(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_pairs_load_and_mismatches_are_refused() {
        let (c1, k1) = self_signed(&["localhost".into()]).unwrap();
        let (_, k2) = self_signed(&["localhost".into()]).unwrap();
        assert!(certified_key(c1.as_bytes(), k1.as_bytes()).is_ok());
        let err = certified_key(c1.as_bytes(), k2.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
        assert!(certified_key(b"", k1.as_bytes()).is_err());
        assert!(certified_key(c1.as_bytes(), b"garbage").is_err());
    }
}
