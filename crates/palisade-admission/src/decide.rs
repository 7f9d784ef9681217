//! The pure core: an AdmissionRequest and the compiled policies → a decision.
//!
//! - Pods (including the `pods/ephemeralcontainers` subresource) and every workload kind
//!   (the pod template is what is checked) are judged; other kinds and subresources pass.
//! - CREATE judges the object; UPDATE judges only what the change introduces: a finding
//!   that the old object already had (same check, same message, so same container) is not
//!   held against the update.
//! - `dryRun` requests get the same decision (so `kubectl apply --dry-run=server` shows it);
//!   the decision is marked dry-run so adapters record nothing persistent for it.
//! - The webhook's own namespace and the exempt namespaces (kube-system) are always allowed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use palisade_checks::{evaluate, Check, PostureFinding};
use palisade_k8s::{Inventory, Lines, Object};
use serde_json::Value;

use crate::policy::{Mode, Policy, PolicyKind};
use crate::review::{AdmissionRequest, AdmissionResponse, Operation, Status};

/// Most findings listed in a denial message, warnings or one audit annotation; the rest are
/// counted (the API server and kubectl show these to people).
const MAX_LISTED: usize = 10;
/// Longest text of one warning (the API server truncates warnings beyond 256 characters... of
/// a total of 4 KiB; keep each short).
const MAX_WARNING: usize = 256;

/// Kinds whose pod template is judged.
pub const JUDGED_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// Options of the core.
#[derive(Debug, Clone)]
pub struct Options {
    /// Namespaces always allowed (the webhook's own namespace and kube-system).
    pub exempt_namespaces: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            exempt_namespaces: vec!["kube-system".into()],
        }
    }
}

/// The compiled policies and options; cheap to share between requests.
pub struct Admission {
    policies: Vec<Policy>,
    options: Options,
    /// Every posture check any policy names (but the registry allow-list, which depends on
    /// each policy's list): run once per review, findings shared out to the policies.
    union: Vec<&'static dyn Check>,
}

/// The registry allow-list check, run once per distinct list.
const ALLOW_LIST: &str = "PAL-K8S-043";

/// Posture findings of one object, computed at most once per review.
#[derive(Default)]
struct Cache {
    by_check: Option<HashMap<&'static str, Vec<PostureFinding>>>,
    allow_lists: Vec<(Vec<String>, Vec<PostureFinding>)>,
    /// `input.review` as Rego values, shared by every Gatekeeper policy.
    rego_review: Option<Result<palisade_checks::rego::RegoValue, String>>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("policies", &self.policies)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// One finding of one policy.
#[derive(Debug, Clone)]
pub struct PolicyResult {
    pub policy: Arc<str>,
    pub mode: Mode,
    pub kind: PolicyKind,
    pub finding: PostureFinding,
}

/// Why a request was allowed without judging it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    ExemptNamespace,
    NotJudgedKind,
    NotJudgedOperation,
    NotJudgedSubresource,
}

/// The decision and everything that went into it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub response: AdmissionResponse,
    pub dry_run: bool,
    pub skipped: Option<Skip>,
    pub results: Vec<PolicyResult>,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.response.allowed
    }
}

impl Admission {
    pub fn new(policies: Vec<Policy>, options: Options) -> Self {
        let mut union: Vec<&'static dyn Check> = Vec::new();
        for c in policies.iter().flat_map(|p| p.checks.iter()) {
            let id = c.meta().id;
            if id != ALLOW_LIST && !union.iter().any(|u| u.meta().id == id) {
                union.push(*c);
            }
        }
        Self {
            policies,
            options,
            union,
        }
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Decides one request.
    pub fn review(&self, req: &AdmissionRequest) -> Decision {
        let dry_run = req.dry_run.unwrap_or(false);
        let skip = |why| Decision {
            response: AdmissionResponse {
                uid: req.uid.clone(),
                allowed: true,
                ..AdmissionResponse::default()
            },
            dry_run,
            skipped: Some(why),
            results: Vec::new(),
        };
        let namespace = req.namespace.as_deref().unwrap_or("default");
        if self
            .options
            .exempt_namespaces
            .iter()
            .any(|n| n == namespace)
        {
            return skip(Skip::ExemptNamespace);
        }
        if !matches!(req.operation, Operation::Create | Operation::Update) {
            return skip(Skip::NotJudgedOperation);
        }
        if !JUDGED_KINDS.contains(&req.kind.kind.as_str()) {
            return skip(Skip::NotJudgedKind);
        }
        match req.sub_resource.as_deref() {
            None | Some("") => {}
            Some("ephemeralcontainers") if req.kind.kind == "Pod" => {}
            Some(_) => return skip(Skip::NotJudgedSubresource),
        }
        let Some(new) = req.object.as_ref() else {
            return deny(
                req,
                dry_run,
                "the request carries no object to judge".into(),
                Vec::new(),
            );
        };
        let new = match as_object(new, &req.kind.kind, namespace) {
            Ok(o) => o,
            Err(e) => return deny(req, dry_run, e, Vec::new()),
        };
        let old = match (&req.operation, &req.old_object) {
            (Operation::Update, Some(old)) => as_object(old, &req.kind.kind, namespace).ok(),
            _ => None,
        };
        let new_inv = Inventory::new(vec![new]);
        let old_inv = old.map(|o| Inventory::new(vec![o]));
        let mut results = Vec::new();
        let (mut new_cache, mut old_cache) = (Cache::default(), Cache::default());
        for policy in &self.policies {
            if !policy.scope.applies(namespace) {
                continue;
            }
            let found = match judge(policy, &new_inv, req, false, &self.union, &mut new_cache) {
                Ok(f) => f,
                Err(e) => return deny(req, dry_run, e, results),
            };
            if found.is_empty() {
                continue;
            }
            let before: HashSet<(&'static str, String)> = match &old_inv {
                Some(inv) => judge(policy, inv, req, true, &self.union, &mut old_cache)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, f)| (f.check_id, f.message))
                    .collect(),
                None => HashSet::new(),
            };
            let name: Arc<str> = Arc::from(policy.name.as_str());
            results.extend(
                found
                    .into_iter()
                    .filter(|(_, f)| !before.contains(&(f.check_id, f.message.clone())))
                    .map(|(mode, finding)| PolicyResult {
                        policy: name.clone(),
                        mode,
                        kind: policy.kind,
                        finding,
                    }),
            );
        }
        respond(req, dry_run, results)
    }
}

/// One policy over the one object of `inv`: each finding with the mode it takes.
/// `old`: `inv` holds the request's oldObject (Gatekeeper then sees it as `object`).
fn judge(
    policy: &Policy,
    inv: &Inventory,
    req: &AdmissionRequest,
    old: bool,
    union: &[&'static dyn Check],
    cache: &mut Cache,
) -> Result<Vec<(Mode, PostureFinding)>, String> {
    if let Some(gate) = &policy.vulnerabilities {
        return vulnerability_findings(gate, policy.mode, inv);
    }
    let Some(set) = &policy.gatekeeper else {
        return Ok(posture(policy, inv, union, cache)?
            .into_iter()
            .map(|f| (policy.mode, f))
            .collect());
    };
    let Some(object) = inv.objects.first() else {
        return Ok(Vec::new());
    };
    // `input.review` is the request as the API server sent it.
    let review = cache
        .rego_review
        .get_or_insert_with(|| {
            let mut review = serde_json::to_value(req).map_err(|e| e.to_string())?;
            if old {
                review["object"] = req.old_object.clone().unwrap_or(Value::Null);
                review["oldObject"] = Value::Null;
            }
            palisade_checks::rego::to_rego(&review)
        })
        .clone()?;
    let eval = set.evaluate_converted_review(object, &review, inv);
    if let Some(e) = eval.errors.first() {
        if policy.mode == Mode::Enforce {
            return Err(format!("policy {:?}: {}", policy.name, e.message));
        }
        tracing::warn!("policy {:?}: {}", policy.name, e.message);
    }
    Ok(eval
        .findings
        .into_iter()
        .map(|f| {
            let action = set
                .constraints
                .iter()
                .find(|c| {
                    f.check_id
                        .strip_prefix(c.kind.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                        == Some(c.name.as_str())
                })
                .map_or("deny", |c| c.enforcement_action.as_str());
            let mode = match action {
                "warn" => Mode::Warn,
                "dryrun" => Mode::Audit,
                _ => Mode::Enforce,
            };
            // The policy's mode caps the constraint's: `mode: warn` never denies.
            (mode.max(policy.mode), f)
        })
        .collect())
}

const VULN_REMEDIATION: &str = "Rebuild the image on fixed packages (the finding names the \
fixed version), or add an exemption with a reason and an expiry to the policy.";
const UNSCANNED_REMEDIATION: &str = "Pin the image by digest and scan it \
(`palisade image scan -f json`) into the policy's reports directory.";

/// The vulnerability gate over every container image of the object's pod template.
fn vulnerability_findings(
    gate: &crate::vulns::Gate,
    mode: Mode,
    inv: &Inventory,
) -> Result<Vec<(Mode, PostureFinding)>, String> {
    let Some(object) = inv.objects.first() else {
        return Ok(Vec::new());
    };
    let template = match palisade_k8s::pod_template(object) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let today = palisade_checks::exceptions::today_utc();
    let mut out = Vec::new();
    for c in template.containers() {
        let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) else {
            continue;
        };
        let pointer = template.container_field(c, "image");
        let what = match c.kind {
            palisade_k8s::ContainerKind::InitContainer => "init container",
            palisade_k8s::ContainerKind::Container => "container",
            palisade_k8s::ContainerKind::EphemeralContainer => "ephemeral container",
        };
        for v in gate.check(image, &today) {
            let unscanned = v.id == "unscanned";
            let finding = PostureFinding {
                check_id: if unscanned {
                    "unscanned-image"
                } else {
                    "image-vulnerability"
                },
                title: if unscanned {
                    "Image without a scan report"
                } else {
                    "Vulnerable image"
                },
                severity: v.severity,
                category: palisade_checks::Category::SupplyChain,
                object: palisade_checks::ObjectRef::of(object),
                location: object.location_of(&pointer),
                message: format!("{what} {:?} image {image:?}: {}", c.name(), v.message),
                pointer: pointer.clone(),
                remediation: if unscanned {
                    UNSCANNED_REMEDIATION
                } else {
                    VULN_REMEDIATION
                },
                patch_at: String::new(),
                patch: "",
                details: None,
            };
            let mode = if v.warn_only {
                mode.max(Mode::Warn)
            } else {
                mode
            };
            out.push((mode, finding));
        }
    }
    Ok(out)
}

fn run(
    inv: &Inventory,
    checks: &[&'static dyn Check],
    settings: &palisade_checks::Settings,
) -> Result<Vec<PostureFinding>, String> {
    let checks: Vec<&dyn Check> = checks.iter().map(|c| *c as &dyn Check).collect();
    let eval = evaluate(inv, &checks, settings);
    if let Some(e) = eval.errors.first() {
        return Err(e.message.clone());
    }
    Ok(eval.findings)
}

/// A posture or registry policy's findings, from the findings of every check run once.
fn posture(
    policy: &Policy,
    inv: &Inventory,
    union: &[&'static dyn Check],
    cache: &mut Cache,
) -> Result<Vec<PostureFinding>, String> {
    if cache.by_check.is_none() {
        let mut by_check: HashMap<&'static str, Vec<PostureFinding>> = HashMap::new();
        for f in run(inv, union, &palisade_checks::Settings::default())? {
            by_check.entry(f.check_id).or_default().push(f);
        }
        cache.by_check = Some(by_check);
    }
    let mut out = Vec::new();
    for c in &policy.checks {
        let id = c.meta().id;
        if id == ALLOW_LIST {
            let list = &policy.settings.allowed_registries;
            match cache.allow_lists.iter().find(|(l, _)| l == list) {
                Some((_, found)) => out.extend(found.iter().cloned()),
                None => {
                    let found = run(inv, &[*c], &policy.settings)?;
                    out.extend(found.iter().cloned());
                    cache.allow_lists.push((list.clone(), found));
                }
            }
        } else if let Some(found) = cache.by_check.as_ref().and_then(|m| m.get(id)) {
            out.extend(found.iter().cloned());
        }
    }
    out.sort_by(|a, b| (a.check_id, &a.message).cmp(&(b.check_id, &b.message)));
    Ok(out)
}

/// The request's object as a posture [`Object`], in the request's namespace.
fn as_object(value: &Value, kind: &str, namespace: &str) -> Result<Object, String> {
    let mut value = value.clone();
    let Some(map) = value.as_object_mut() else {
        return Err(format!("the {kind} in the request is not a JSON object"));
    };
    map.entry("kind")
        .or_insert_with(|| Value::String(kind.to_owned()));
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        meta.entry("namespace")
            .or_insert_with(|| Value::String(namespace.to_owned()));
    }
    Object::from_value(value, Lines::leaf(0), Arc::from("admission"))
}

fn deny(
    req: &AdmissionRequest,
    dry_run: bool,
    message: String,
    results: Vec<PolicyResult>,
) -> Decision {
    Decision {
        response: AdmissionResponse {
            uid: req.uid.clone(),
            allowed: false,
            status: Some(Status {
                code: Some(400),
                message: Some(format!("palisade: {message}")),
                reason: Some("BadRequest".into()),
            }),
            ..AdmissionResponse::default()
        },
        dry_run,
        skipped: None,
        results,
    }
}

/// `[policy] PAL-K8S-005 (Privileged container): container "app" is privileged. Fix: ...`
fn line(r: &PolicyResult) -> String {
    format!(
        "[{}] {} {}: {}. Fix: {}",
        r.policy, r.finding.check_id, r.finding.title, r.finding.message, r.finding.remediation
    )
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max.saturating_sub(3);
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// An audit annotation key: `<policy>` made a valid qualified-name part (≤ 63 characters of
/// `[A-Za-z0-9._-]`, alphanumeric at both ends); the API server prefixes the webhook's name.
fn annotation_key(policy: &str) -> String {
    let mut key: String = policy
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(56)
        .collect();
    key = key
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    if key.is_empty() {
        key = "policy".into();
    }
    format!("policy-{key}")
}

fn respond(req: &AdmissionRequest, dry_run: bool, results: Vec<PolicyResult>) -> Decision {
    let what = format!(
        "{} {}/{}",
        req.kind.kind,
        req.namespace.as_deref().unwrap_or("default"),
        object_name(req)
    );
    let denials: Vec<&PolicyResult> = results.iter().filter(|r| r.mode == Mode::Enforce).collect();
    let mut warnings = Vec::new();
    for r in results.iter().filter(|r| r.mode != Mode::Enforce) {
        if warnings.len() == MAX_LISTED {
            let rest = results.iter().filter(|r| r.mode != Mode::Enforce).count() - MAX_LISTED;
            warnings.push(format!("palisade: {rest} more finding(s) not listed"));
            break;
        }
        let prefix = if r.mode == Mode::Audit {
            "palisade (audit)"
        } else {
            "palisade"
        };
        warnings.push(truncate(format!("{prefix}: {}", line(r)), MAX_WARNING));
    }
    let mut by_policy: BTreeMap<String, Vec<&PolicyResult>> = BTreeMap::new();
    for r in &results {
        by_policy
            .entry(annotation_key(&r.policy))
            .or_default()
            .push(r);
    }
    let audit_annotations = by_policy
        .into_iter()
        .map(|(key, rs)| {
            let mut ids: Vec<&str> = rs.iter().map(|r| r.finding.check_id).collect();
            ids.dedup();
            let listed: Vec<String> = rs
                .iter()
                .take(MAX_LISTED)
                .map(|r| format!("{}: {}", r.finding.check_id, r.finding.message))
                .collect();
            let value = format!(
                "mode={} findings={} {}",
                rs[0].mode.as_str(),
                rs.len(),
                listed.join("; ")
            );
            (key, truncate(value, 1024))
        })
        .collect();
    let status = if denials.is_empty() {
        None
    } else {
        let mut lines: Vec<String> = denials.iter().take(MAX_LISTED).map(|r| line(r)).collect();
        if denials.len() > MAX_LISTED {
            lines.push(format!("... and {} more", denials.len() - MAX_LISTED));
        }
        Some(Status {
            code: Some(403),
            message: Some(format!(
                "palisade denied {what}: {} finding(s):\n- {}",
                denials.len(),
                lines.join("\n- ")
            )),
            reason: Some("Forbidden".into()),
        })
    };
    Decision {
        response: AdmissionResponse {
            uid: req.uid.clone(),
            allowed: denials.is_empty(),
            status,
            warnings,
            audit_annotations,
        },
        dry_run,
        skipped: None,
        results,
    }
}

fn object_name(req: &AdmissionRequest) -> String {
    if let Some(n) = req.name.as_deref().filter(|n| !n.is_empty()) {
        return n.to_owned();
    }
    let meta = req.object.as_ref().and_then(|o| o.get("metadata"));
    meta.and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_keys_are_valid() {
        assert_eq!(annotation_key("restricted prod!"), "policy-restricted-prod");
        assert_eq!(annotation_key("***"), "policy-policy");
        assert!(annotation_key(&"a".repeat(200)).len() <= 63);
    }
}
