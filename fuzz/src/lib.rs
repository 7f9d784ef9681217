//! Shared bodies of the fuzz targets: each target feeds arbitrary bytes to one parser of
//! untrusted input. Any panic, hang or runaway allocation is a bug.

use palisade_catalog::registry::CATALOGERS;
use palisade_image::{BlobLocation, FileEntry, Layer, LayerVisitor, WalkLimits};

/// Runs the cataloger `id` on `data` as if it were the file at `path`.
pub fn catalog(id: &str, path: &str, data: &[u8]) {
    let cataloger = CATALOGERS
        .iter()
        .find(|c| c.id() == id)
        .unwrap_or_else(|| panic!("no cataloger {id}"));
    let _ = cataloger.catalog(path, data);
}

struct WantsSmallFiles;

impl LayerVisitor for WantsSmallFiles {
    fn wants(&mut self, file: &FileEntry<'_>) -> bool {
        file.size < 1 << 20
    }
    fn file(&mut self, _file: &FileEntry<'_>, _content: &[u8]) {}
}

/// Walks `data` as a layer blob (plain or gzip tar), with tight decompression limits.
pub fn walk_layer(data: &[u8]) {
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if std::io::Write::write_all(&mut file, data).is_err() {
        return;
    }
    let layer = Layer {
        diff_id: String::new(),
        digest: None,
        blob: BlobLocation::File(file.path().to_path_buf()),
        created_by: None,
    };
    let limits = WalkLimits {
        max_ratio: 100,
        min_uncompressed: 16 << 20,
    };
    let _ = layer.walk(&mut WantsSmallFiles, limits);
}

/// Parses `data` as every manifest-like JSON document an image source reads.
pub fn image_manifests(data: &[u8]) {
    use palisade_image::manifest::{parse, ImageConfig, Index, Manifest};
    let _ = parse::<Manifest>("manifest", data);
    let _ = parse::<Index>("index", data);
    let _ = parse::<ImageConfig>("config", data);
    let _ = palisade_image::manifest::is_index("", data);
}

pub fn read_sbom(data: &[u8]) {
    let _ = palisade_report::read_sbom(data);
}

/// Reads `data` as an OSV `all.zip`.
pub fn osv_zip(data: &[u8]) {
    let _ = palisade_vulndb::feed::osv_zip::read_all(std::io::Cursor::new(data));
}

/// Parses `data` as one OSV record.
pub fn osv_record(data: &[u8]) {
    let _ = serde_json::from_slice::<palisade_vulndb::osv::Record>(data);
}

/// Splits `data` at the first NUL into two versions and compares them under `scheme`.
pub fn version_compare(scheme: palisade_vulndb::version::Scheme, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\0').unwrap_or((&text, "1.0"));
    let _ = scheme.compare(a, b);
    let _ = scheme.compare(b, a);
    let _ = scheme.compare(a, a);
}

/// Loads `data` as a manifest file (YAML or JSON, many documents) and runs every posture check
/// over what loaded: neither the loader nor any check may panic on any input.
pub fn k8s_manifests(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut loaded = palisade_k8s::Loaded::default();
    palisade_k8s::load_str(
        &text,
        "fuzz.yaml".into(),
        &palisade_k8s::LoadOptions::default(),
        &mut loaded,
    );
    let inventory = palisade_k8s::Inventory::new(loaded.objects);
    let settings = palisade_checks::Settings {
        allowed_registries: vec!["registry.example.com".into()],
    };
    let eval = palisade_checks::evaluate(&inventory, palisade_checks::CHECKS, &settings);
    let _ = palisade_checks::sarif::sarif_log(&eval.findings, "0");
}

/// Loads `data` as Gatekeeper ConstraintTemplates and constraints (compiling their Rego), then
/// runs them over the same document's objects.
pub fn gatekeeper_policies(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut loaded = palisade_k8s::Loaded::default();
    palisade_k8s::load_str(
        &text,
        "policy.yaml".into(),
        &palisade_k8s::LoadOptions::default(),
        &mut loaded,
    );
    let (set, _errors) = palisade_checks::rego::load_objects(&loaded.objects);
    let inventory = palisade_k8s::Inventory::new(loaded.objects);
    let _ = set.evaluate(&inventory);
}

/// Parses `data` as a posture exceptions file.
pub fn posture_exceptions(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = palisade_checks::exceptions::parse_file(text);
    }
}

/// Host posture: `data` as daemon.json, as a dockerd and kubelet command line, as a kubelet
/// configuration and a static pod manifest, and (when it is JSON) as
/// `docker info`, a container's and an image's inspect document; every host check runs.
pub fn host_daemon_config(data: &[u8]) {
    use palisade_checks::host::{
        self, ContainerFacts, DaemonConfig, DockerdProcess, HostFacts, ImageFacts, Kubelet,
        StaticPod, YamlFile,
    };
    let text = String::from_utf8_lossy(data);
    let mut facts = HostFacts {
        daemon_config: DaemonConfig::parse("/etc/docker/daemon.json", &text).ok(),
        dockerd: Some(DockerdProcess::from_cmdline(1, data)),
        ..HostFacts::default()
    };
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        facts.docker_info = Some(value.clone());
        facts.containers.push(ContainerFacts {
            inspect: value.clone(),
            processes: vec![text.to_string()],
        });
        let history = value.as_array().cloned().unwrap_or_default();
        facts.images.push(ImageFacts {
            inspect: value,
            history,
        });
    }
    let yaml = YamlFile::parse("/var/lib/kubelet/config.yaml", &text).ok();
    facts
        .static_pods
        .extend(yaml.clone().and_then(StaticPod::from_file));
    facts.kubelet = Some(Kubelet {
        config: yaml,
        process: Some(DockerdProcess::from_cmdline(2, data)),
    });
    let _ = host::evaluate(&facts, host::HOST_CHECKS);
}

/// Decodes `data` as an AdmissionReview request body and, when it decodes, decides it with
/// policies running every posture check (the webhook's whole path after TLS).
pub fn admission_review(data: &[u8]) {
    use std::sync::OnceLock;
    static ADMISSION: OnceLock<palisade_admission::Admission> = OnceLock::new();
    let admission = ADMISSION.get_or_init(|| {
        let ids: Vec<&str> = palisade_checks::CHECKS.iter().map(|c| c.meta().id).collect();
        let policy = format!(
            "apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n\
             - {{name: all, mode: enforce, posture: {{checks: [{}]}}}}\n\
             - {{name: reg, mode: warn, scope: {{namespaces: [prod]}}, registry: {{allowed: [ghcr.io/acme], requireDigest: true, forbidLatest: true}}}}\n",
            ids.join(", ")
        );
        let policies = palisade_admission::policy::compile(&policy, "fuzz").expect("fuzz policy compiles");
        palisade_admission::Admission::new(policies, palisade_admission::Options::default())
    });
    if let Ok(request) = palisade_admission::decode(data) {
        let decision = admission.review(&request);
        let _ = serde_json::to_vec(&decision.response.into_review());
    }
}

/// The security graph's inputs: manifests, scan reports and alerts separated by NUL bytes;
/// builds the graph, loads it into SQLite, runs every template, the attack paths and the
/// risk ranking.
pub fn graph_inputs(data: &[u8]) {
    let mut parts = data.splitn(3, |&b| b == 0);
    let manifests = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let reports = parts.next().unwrap_or_default();
    let alerts = parts.next().unwrap_or_default();
    let mut loaded = palisade_k8s::Loaded::default();
    palisade_k8s::load_str(&manifests, "fuzz.yaml".into(), &palisade_k8s::LoadOptions::default(), &mut loaded);
    let inputs = palisade_graph::Inputs {
        inventory: palisade_k8s::Inventory::new(loaded.objects),
        reports: palisade_graph::parse_reports(reports).unwrap_or_default(),
        alerts: palisade_graph::parse_alerts(alerts).0,
    };
    let cx = palisade_graph::build(&inputs);
    if let Ok(conn) = palisade_graph::sql::load(&cx.g) {
        for t in palisade_graph::templates::TEMPLATES {
            let _ = palisade_graph::templates::run(&conn, t.name, 1000);
        }
    }
    let report = palisade_graph::paths::find(&cx, 10);
    let _ = palisade_graph::risk::rank(&cx, &report);
}
