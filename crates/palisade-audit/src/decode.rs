//! Decoding `audit.k8s.io/v1` `Event` and `EventList` JSON, as the API server writes them to
//! a log file (one Event per line) or POSTs them to a webhook (an EventList). Input size is
//! capped and nesting depth is bounded by serde_json's recursion limit (128), so a hostile
//! document yields an error, never a crash or unbounded memory.

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

/// One decoded audit event. The JSON is kept whole: it is the alert's evidence and the source
/// of `jevt.value[...]`; the `ka.*` fields read from it on demand.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    root: Map<String, Value>,
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
        let value: Value = serde_json::from_slice(bytes).map_err(json_error)?;
        AuditEvent::from_value(value)
    }

    /// Validates an already parsed `Event` object.
    pub fn from_value(value: Value) -> Result<AuditEvent, DecodeError> {
        let Value::Object(root) = value else {
            return Err(DecodeError::NotAnEvent("expected a JSON object".into()));
        };
        check_kind(&root, "Event")?;
        match root.get("verb") {
            Some(Value::String(v)) if !v.is_empty() => {}
            Some(_) => return Err(DecodeError::NotAnEvent("`verb` must be a string".into())),
            None => return Err(DecodeError::NotAnEvent("no `verb`".into())),
        }
        match root.get("user") {
            Some(Value::Object(_)) => {}
            Some(_) => return Err(DecodeError::NotAnEvent("`user` must be an object".into())),
            None => return Err(DecodeError::NotAnEvent("no `user`".into())),
        }
        for key in ["objectRef", "responseStatus", "annotations"] {
            if let Some(v) = root.get(key) {
                if !v.is_object() && !v.is_null() {
                    return Err(DecodeError::NotAnEvent(format!(
                        "`{key}` must be an object"
                    )));
                }
            }
        }
        if let Some(v) = root.get("sourceIPs") {
            if !v.is_array() && !v.is_null() {
                return Err(DecodeError::NotAnEvent("`sourceIPs` must be a list".into()));
            }
        }
        Ok(AuditEvent { root })
    }

    pub fn root(&self) -> &Map<String, Value> {
        &self.root
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.root)
    }

    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        let (last, parents) = path.split_last()?;
        let mut map = &self.root;
        for p in parents {
            map = map.get(*p)?.as_object()?;
        }
        map.get(*last)?.as_str()
    }

    pub fn verb(&self) -> &str {
        self.str_at(&["verb"]).unwrap_or_default()
    }

    pub fn audit_id(&self) -> Option<&str> {
        self.str_at(&["auditID"])
    }

    pub fn stage(&self) -> Option<&str> {
        self.str_at(&["stage"])
    }

    pub fn user_name(&self) -> Option<&str> {
        self.str_at(&["user", "username"])
    }

    pub fn resource(&self) -> Option<&str> {
        self.str_at(&["objectRef", "resource"])
    }

    /// When the event happened: `stageTimestamp`, else `requestReceivedTimestamp`.
    pub fn timestamp(&self) -> Option<&str> {
        self.str_at(&["stageTimestamp"])
            .or_else(|| self.str_at(&["requestReceivedTimestamp"]))
    }

    pub fn source_ips(&self) -> Vec<&str> {
        match self.root.get("sourceIPs") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

fn check_kind(root: &Map<String, Value>, want: &str) -> Result<(), DecodeError> {
    match root.get("kind") {
        None => {}
        Some(Value::String(k)) if k == want => {}
        Some(other) => {
            return Err(DecodeError::NotAnEvent(format!(
                "kind is {other}, expected {want:?}"
            )))
        }
    }
    match root.get("apiVersion") {
        None => Ok(()),
        Some(Value::String(v)) if v.starts_with("audit.k8s.io/") => Ok(()),
        Some(other) => Err(DecodeError::NotAnEvent(format!(
            "apiVersion is {other}, expected audit.k8s.io/v1"
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
        check_kind(&root, "EventList")?;
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
