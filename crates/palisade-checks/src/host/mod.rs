//! Host posture: the CIS Docker Benchmark on a Docker host, and the CIS Kubernetes Benchmark's
//! node and control-plane configuration (kubelet, static pod manifests), (daemon configuration and command
//! line, daemon files, images, the runtime of every running container) as pure checks over
//! [`facts::HostFacts`], which an adapter (`palisade-host`) collects from the Docker Engine API
//! and the file system.
//!
//! Same shape as the Kubernetes checks: one file per check under `src/host/<family>/`, each
//! with its documentation, CIS id and level, remediation; one table
//! ([`registry::HOST_CHECKS`]) with a completeness test; recommendations that cannot be
//! automated in [`manual::MANUAL`]. Findings are [`crate::PostureFinding`]s (kind
//! `Container`, `Image`, `DockerDaemon`, `File`), so exceptions, frameworks (`cis-docker`),
//! JSON and SARIF are the posture scan's.

pub mod check;
pub mod docker;
pub mod engine;
pub mod facts;
#[doc(hidden)]
pub mod fixtures;
pub mod kubernetes;
pub mod manual;
pub mod registry;

pub use check::{
    Benchmark, HostCheck, HostCheckMeta, HostViolation, ManualRecommendation, SubjectKind,
};
pub use engine::{evaluate, manual_for, HostEvaluation};
pub use facts::{
    ContainerFacts, DaemonConfig, DockerdProcess, FileFacts, HostFacts, ImageFacts, Kubelet,
    StaticPod, YamlFile,
};
pub use registry::{by_id, HOST_CHECKS};
