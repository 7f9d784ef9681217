//! Manifest sources: files, directories (every `*.yaml`, `*.yml`, `*.json` below, hidden
//! directories skipped, in sorted order) and standard input (`-`, e.g. `helm template | ...`).
//! Each file may hold many YAML documents; `List` kinds (`v1/List`, `PodList`, ...) are
//! expanded into their items. A file that cannot be read, or a document that cannot be parsed,
//! becomes a [`LoadError`] with file and line, and loading goes on.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::lines::Lines;
use crate::object::{Object, SourceLocation};
use crate::yaml::{parse_stream, Limits};

/// Caps on what one source may make us hold in memory.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Larger files are refused (default 64 MiB).
    pub max_file_bytes: u64,
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 << 20,
            limits: Limits::default(),
        }
    }
}

/// Something that could not be loaded, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadError {
    pub location: SourceLocation,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What a load produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub errors: Vec<LoadError>,
    /// Files read (stdin counts as one).
    pub files: usize,
    /// Documents that were not Kubernetes objects (no `kind`, e.g. a Helm values file).
    pub skipped_documents: usize,
}

/// Loads every path (`-` is standard input), in order.
pub fn load_paths(paths: &[PathBuf], options: &LoadOptions) -> Loaded {
    let mut out = Loaded::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            let read = std::io::stdin()
                .lock()
                .take(options.max_file_bytes + 1)
                .read_to_string(&mut text);
            let name: Arc<str> = Arc::from("-");
            match read {
                Ok(n) if n as u64 > options.max_file_bytes => {
                    out.errors
                        .push(file_error(&name, too_large(options.max_file_bytes)));
                }
                Ok(_) => load_str(&text, name, options, &mut out),
                Err(e) => out
                    .errors
                    .push(file_error(&name, format!("cannot read stdin: {e}"))),
            }
            continue;
        }
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_manifest_name(e.path()) => {
                        load_file(e.path(), options, &mut out);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let name: Arc<str> = e.path().unwrap_or(path).display().to_string().into();
                        out.errors.push(file_error(&name, e.to_string()));
                    }
                }
            }
        } else {
            load_file(path, options, &mut out);
        }
    }
    out
}

fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn too_large(max: u64) -> String {
    format!("larger than {max} bytes; not read")
}

fn file_error(file: &Arc<str>, message: String) -> LoadError {
    LoadError {
        location: SourceLocation {
            file: file.clone(),
            line: 1,
        },
        message,
    }
}

/// Loads one file.
pub fn load_file(path: &Path, options: &LoadOptions, out: &mut Loaded) {
    let name: Arc<str> = path.display().to_string().into();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            out.errors
                .push(file_error(&name, format!("cannot open: {e}")));
            return;
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = file
        .take(options.max_file_bytes + 1)
        .read_to_end(&mut bytes)
    {
        out.errors
            .push(file_error(&name, format!("cannot read: {e}")));
        return;
    }
    if bytes.len() as u64 > options.max_file_bytes {
        out.errors
            .push(file_error(&name, too_large(options.max_file_bytes)));
        return;
    }
    match String::from_utf8(bytes) {
        Ok(text) => load_str(&text, name, options, out),
        Err(e) => {
            let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u32;
            out.errors.push(LoadError {
                location: SourceLocation { file: name, line },
                message: "not UTF-8 text".into(),
            });
        }
    }
}

/// Loads the documents of one text (a file's content), named `file` in locations.
pub fn load_str(text: &str, file: Arc<str>, options: &LoadOptions, out: &mut Loaded) {
    out.files += 1;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (docs, errors) = parse_stream(text, &options.limits);
    out.errors.extend(errors.into_iter().map(|e| LoadError {
        location: SourceLocation {
            file: file.clone(),
            line: e.line,
        },
        message: e.message,
    }));
    for doc in docs {
        add_document(doc.value, doc.lines, &file, out);
    }
}

fn add_document(value: Value, lines: Lines, file: &Arc<str>, out: &mut Loaded) {
    if value.is_null() {
        return; // an empty document (`---` followed by nothing, or only comments)
    }
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.ends_with("List") {
        if let Some(Value::Array(items)) = value.get("items") {
            let api_version = value.get("apiVersion").cloned();
            // `PodList` items may leave out their kind: it is the list's, less `List`.
            let item_kind = (kind != "List").then(|| kind.trim_end_matches("List").to_owned());
            for (i, item) in items.iter().enumerate() {
                let mut item = item.clone();
                if let Value::Object(map) = &mut item {
                    if !map.contains_key("kind") {
                        if let Some(k) = &item_kind {
                            map.insert("kind".into(), Value::String(k.clone()));
                        }
                    }
                    if !map.contains_key("apiVersion") {
                        if let Some(v) = &api_version {
                            map.insert("apiVersion".into(), v.clone());
                        }
                    }
                }
                let item_lines = lines
                    .get(&format!("/items/{i}"))
                    .cloned()
                    .unwrap_or_else(|| Lines::leaf(lines.line()));
                add_document(item, item_lines, file, out);
            }
            return;
        }
    }
    if !value.is_object() || value.get("kind").is_none() {
        tracing::debug!(file = %file, line = lines.line(), "document is not a Kubernetes object; skipped");
        out.skipped_documents += 1;
        return;
    }
    let line = lines.line();
    match Object::from_value(value, lines, file.clone()) {
        Ok(object) => out.objects.push(object),
        Err(message) => out.errors.push(LoadError {
            location: SourceLocation {
                file: file.clone(),
                line,
            },
            message,
        }),
    }
}

/// Loads paths given as strings (convenience for tests and tools).
pub fn load_path_strs(paths: &[&str]) -> Loaded {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    load_paths(&paths, &LoadOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Loaded {
        let mut out = Loaded::default();
        load_str(text, "m.yaml".into(), &LoadOptions::default(), &mut out);
        out
    }

    #[test]
    fn lists_are_expanded_with_lines() {
        let out = load(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n    namespace: x\n",
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let names: Vec<_> = out.objects.iter().map(Object::display_name).collect();
        assert_eq!(names, ["Service/default/a", "ConfigMap/x/b"]);
        assert_eq!(out.objects[1].location.line, 7);
        assert_eq!(out.objects[1].location_of("/metadata/namespace").line, 11);
    }

    #[test]
    fn typed_lists_give_their_items_a_kind() {
        let out = load(
            r#"{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "p"}, "spec": {}}]}"#,
        );
        assert_eq!(out.objects.len(), 1);
        assert_eq!(out.objects[0].kind, "Pod");
        assert_eq!(out.objects[0].api_version, "v1");
    }

    #[test]
    fn non_objects_are_skipped_and_errors_located() {
        let out = load("replicaCount: 3\n---\n---\nkind: [x]\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n");
        assert_eq!(out.objects.len(), 1);
        assert_eq!(out.objects[0].display_name(), "Namespace/ns1");
        assert_eq!(out.skipped_documents, 1);
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].location.line, 4);
    }

    #[test]
    fn directories_files_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.yaml"),
            "kind: Namespace\nmetadata: {name: a}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.json"),
            "{\"kind\": \"Namespace\", \"metadata\": {\"name\": \"b\"}}",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("c.yml"),
            "kind: Namespace\nmetadata: {name: [\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "kind: Namespace\n").unwrap();
        std::fs::write(dir.path().join("d.yaml"), b"kind: \xff\n").unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/x.yaml"), "kind: Namespace\n").unwrap();
        let out = load_paths(&[dir.path().to_path_buf()], &LoadOptions::default());
        let names: Vec<_> = out.objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(out.files, 3);
        assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
        assert!(out.errors[0].location.file.ends_with("c.yml"));
        assert!(out.errors[1].message.contains("UTF-8"));

        let big = dir.path().join("big.yaml");
        std::fs::write(&big, "x".repeat(2000)).unwrap();
        let options = LoadOptions {
            max_file_bytes: 1000,
            ..LoadOptions::default()
        };
        let out = load_paths(&[big], &options);
        assert!(out.errors[0].message.contains("larger than"));
    }
}
