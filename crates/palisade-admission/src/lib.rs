//! Kubernetes validating admission webhook.
//!
//! - [`review`]: `admission.k8s.io/v1` AdmissionReview types and the request decoder (the
//!   one parser of untrusted bytes; fuzzed).
//! - [`policy`]: the policy file format (`docs/admission.md`), compiled once at start.
//! - [`decide`]: the pure core, an AdmissionRequest and the policies → a decision, running
//!   the posture registry's own checks (`palisade-checks`), not copies.
//! - [`server`]: the thin HTTPS adapter (axum + rustls): decode, call, encode; `/metrics`.
//! - [`certs`]: TLS from files reloaded on change, or a self-signed certificate (rcgen).
//! - [`vulns`]: the image vulnerability gate over `image scan -f json` reports, by digest.
//! - [`metrics`]: decision counters in the Prometheus text format.
//! - [`manifests`]: what a cluster needs to run the webhook.
//! - [`bench`]: the synthetic policies and review of `palisade bench admission`.

pub mod bench;
pub mod certs;
pub mod decide;
pub mod manifests;
pub mod metrics;
pub mod policy;
pub mod review;
pub mod server;
pub mod vulns;

pub use decide::{Admission, Decision, Options, PolicyResult};
pub use policy::{load_file, Mode, Policy, PolicyFileError};
pub use review::{decode, AdmissionRequest, AdmissionResponse, AdmissionReview, DecodeError};
