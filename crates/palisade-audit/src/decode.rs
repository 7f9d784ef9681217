//! Decoding `audit.k8s.io/v1` `Event` and `EventList` JSON, as the API server writes them to
//! a log file (one Event per line) or POSTs them to a webhook (an EventList). Input size is
//! capped and nesting depth is bounded by serde_json's recursion limit (128), so a hostile
//! document yields an error, never a crash or unbounded memory.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// Largest single event accepted (the API server caps request bodies at 3 MiB; an event can
/// hold a request and a response object).
pub const MAX_EVENT_BYTES: usize = 8 << 20;
/// Largest EventList body accepted.
pub const MAX_LIST_BYTES: usize = 64 << 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("event is {0} bytes; the limit is {MAX_EVENT_BYTES}")]
    TooLarge(usize),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("not an audit event: {0}")]
    NotAnEvent(String),
}

/// The parts of an event the fields read, decoded into typed fields (the request and response
/// objects as JSON). Unknown keys are ignored, as the API server may add some.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    kind: Option<String>,
    api_version: Option<String>,
    #[serde(rename = "auditID")]
    audit_id: Option<String>,
    stage: Option<String>,
    #[serde(rename = "requestURI")]
    request_uri: Option<String>,
    verb: Option<String>,
    user: Option<UserInfo>,
    impersonated_user: Option<UserInfo>,
    #[serde(rename = "sourceIPs")]
    source_ips: Option<Vec<String>>,
    user_agent: Option<String>,
    object_ref: Option<ObjectRef>,
    response_status: Option<Status>,
    request_object: Option<Value>,
    response_object: Option<Value>,
    request_received_timestamp: Option<String>,
    stage_timestamp: Option<String>,
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct UserInfo {
    pub username: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub resource: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub api_group: Option<String>,
    pub api_version: Option<String>,
    pub subresource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
struct Status {
    code: Option<i64>,
    reason: Option<String>,
}

/// One decoded audit event: the fields rules read, typed, and the original JSON text (the
/// alert's evidence, and what `jevt.value[...]` reads, parsed only when asked for).
#[derive(Debug)]
pub struct AuditEvent {
    h: Header,
    raw: Box<str>,
    full: OnceLock<Value>,
}

impl PartialEq for AuditEvent {
    fn eq(&self, other: &Self) -> bool {
        self.h == other.h && self.raw == other.raw
    }
}

impl Clone for AuditEvent {
    fn clone(&self) -> Self {
        AuditEvent {
            h: self.h.clone(),
            raw: self.raw.clone(),
            full: OnceLock::new(),
        }
    }
}

fn json_error(e: serde_json::Error) -> DecodeError {
    DecodeError::Json(format!("{e}"))
}

impl AuditEvent {
    /// Decodes one `Event` (a log line).
    pub fn from_slice(bytes: &[u8]) -> Result<AuditEvent, DecodeError> {
        if bytes.len() > MAX_EVENT_BYTES {
            return Err(DecodeError::TooLarge(bytes.len()));
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| DecodeError::Json(format!("not UTF-8: {e}")))?;
        let trimmed = text.trim_start();
        if !trimmed.starts_with('{') {
            // Let serde say what is wrong with non-JSON; name the problem with other JSON.
            let v: Value = serde_json::from_str(text).map_err(json_error)?;
            return Err(DecodeError::NotAnEvent(format!(
                "expected a JSON object, found {}",
                kind_of(&v)
            )));
        }
        let h: Header = serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                DecodeError::NotAnEvent(format!("{e}"))
            } else {
                json_error(e)
            }
        })?;
        AuditEvent::validate(h, text.into())
    }

    /// Validates an already parsed `Event` object.
    pub fn from_value(value: Value) -> Result<AuditEvent, DecodeError> {
        if !value.is_object() {
            return Err(DecodeError::NotAnEvent(format!(
                "expected a JSON object, found {}",
                kind_of(&value)
            )));
        }
        let raw = value.to_string();
        let h: Header =
            serde_json::from_value(value).map_err(|e| DecodeError::NotAnEvent(format!("{e}")))?;
        AuditEvent::validate(h, raw.into())
    }

    fn validate(h: Header, raw: Box<str>) -> Result<AuditEvent, DecodeError> {
        check_kind(h.kind.as_deref(), h.api_version.as_deref(), "Event")?;
        match h.verb.as_deref() {
            Some(v) if !v.is_empty() => {}
            _ => return Err(DecodeError::NotAnEvent("no `verb`".into())),
        }
        if h.user.is_none() {
            return Err(DecodeError::NotAnEvent("no `user`".into()));
        }
        Ok(AuditEvent {
            h,
            raw,
            full: OnceLock::new(),
        })
    }

    /// The whole event as JSON (parsed on first use).
    pub fn json(&self) -> &Value {
        self.full
            .get_or_init(|| serde_json::from_str(&self.raw).unwrap_or(Value::Null))
    }

    /// The event as it was received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn verb(&self) -> &str {
        self.h.verb.as_deref().unwrap_or_default()
    }

    pub fn audit_id(&self) -> Option<&str> {
        self.h.audit_id.as_deref()
    }

    pub fn stage(&self) -> Option<&str> {
        self.h.stage.as_deref()
    }

    pub fn request_uri(&self) -> Option<&str> {
        self.h.request_uri.as_deref()
    }

    pub fn user(&self) -> Option<&UserInfo> {
        self.h.user.as_ref()
    }

    pub fn user_name(&self) -> Option<&str> {
        self.h.user.as_ref()?.username.as_deref()
    }

    pub fn user_groups(&self) -> &[String] {
        self.h.user.as_ref().map_or(&[], |u| &u.groups)
    }

    pub fn impersonated_user(&self) -> Option<&str> {
        self.h.impersonated_user.as_ref()?.username.as_deref()
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.h.user_agent.as_deref()
    }

    pub fn object_ref(&self) -> Option<&ObjectRef> {
        self.h.object_ref.as_ref()
    }

    pub fn resource(&self) -> Option<&str> {
        self.h.object_ref.as_ref()?.resource.as_deref()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.h.object_ref.as_ref()?.namespace.as_deref()
    }

    pub fn name(&self) -> Option<&str> {
        self.h.object_ref.as_ref()?.name.as_deref()
    }

    pub fn subresource(&self) -> Option<&str> {
        self.h.object_ref.as_ref()?.subresource.as_deref()
    }

    pub fn response_code(&self) -> Option<i64> {
        self.h.response_status.as_ref()?.code
    }

    pub fn response_reason(&self) -> Option<&str> {
        self.h.response_status.as_ref()?.reason.as_deref()
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.h.annotations.as_ref()?.get(key).map(String::as_str)
    }

    pub fn request_object(&self) -> Option<&Map<String, Value>> {
        self.h.request_object.as_ref()?.as_object()
    }

    pub fn response_object(&self) -> Option<&Map<String, Value>> {
        self.h.response_object.as_ref()?.as_object()
    }

    /// When the event happened: `stageTimestamp`, else `requestReceivedTimestamp`.
    pub fn timestamp(&self) -> Option<&str> {
        self.h
            .stage_timestamp
            .as_deref()
            .or(self.h.request_received_timestamp.as_deref())
    }

    pub fn source_ips(&self) -> &[String] {
        self.h.source_ips.as_deref().unwrap_or_default()
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn check_kind(
    kind: Option<&str>,
    api_version: Option<&str>,
    want: &str,
) -> Result<(), DecodeError> {
    match kind {
        None => {}
        Some(k) if k == want => {}
        Some(other) => {
            return Err(DecodeError::NotAnEvent(format!(
                "kind is {other:?}, expected {want:?}"
            )))
        }
    }
    match api_version {
        None => Ok(()),
        Some(v) if v.starts_with("audit.k8s.io/") => Ok(()),
        Some(other) => Err(DecodeError::NotAnEvent(format!(
            "apiVersion is {other:?}, expected \"audit.k8s.io/v1\""
        ))),
    }
}

/// Decodes a webhook body: an `EventList` (its `items`), or a single `Event`. Events that are
/// not valid are returned as errors in their place, so one bad item does not lose the batch.
pub fn decode_batch(bytes: &[u8]) -> Result<Vec<Result<AuditEvent, DecodeError>>, DecodeError> {
    if bytes.len() > MAX_LIST_BYTES {
        return Err(DecodeError::TooLarge(bytes.len()));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(json_error)?;
    let Value::Object(mut root) = value else {
        return Err(DecodeError::NotAnEvent("expected a JSON object".into()));
    };
    if root.get("kind").and_then(Value::as_str) == Some("EventList") {
        check_kind(
            Some("EventList"),
            root.get("apiVersion").and_then(Value::as_str),
            "EventList",
        )?;
        return match root.remove("items") {
            Some(Value::Array(items)) => {
                Ok(items.into_iter().map(AuditEvent::from_value).collect())
            }
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(DecodeError::NotAnEvent(
                "EventList `items` must be a list".into(),
            )),
        };
    }
    Ok(vec![AuditEvent::from_value(Value::Object(root))])
}
