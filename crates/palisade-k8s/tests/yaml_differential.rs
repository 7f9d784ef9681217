//! Differential test of the manifest YAML loader against PyYAML over libyaml (`CSafeLoader`),
//! which is lenient in the same places as go-yaml (the parser behind the Kubernetes API server
//! and kubectl): quoted scalars continued at any indentation, YAML 1.1 booleans and octals.
//!
//! The corpus is generated here: multi-line quoted and plain scalars at every indentation
//! around their key, in mappings and sequences, escapes and empty lines inside them, anchors,
//! aliases and merge keys, YAML 1.1 scalars, tabs, comments and block scalars. For each
//! document both must accept or both refuse, and accepted documents must have the same value.
//! Left out on purpose, where go-yaml and PyYAML disagree with each other: `y`/`n` booleans,
//! exponents without a dot (`1e3`), `08`-like non-octals, timestamps, and duplicate keys (which
//! kubectl refuses and PyYAML keeps the last of; the loader refuses them, as kubectl).

use std::io::Write;
use std::process::{Command, Stdio};

use palisade_k8s::yaml::{parse_stream, Limits};
use serde_json::{json, Value};

/// Reads a JSON list of YAML texts on stdin; prints, for each, `{"ok": [documents]}` or
/// `{"error": "..."}`.
const PYYAML: &str = r#"
import json, sys, yaml
assert yaml.__with_libyaml__, "PyYAML without libyaml"
out = []
for text in json.load(sys.stdin):
    try:
        docs = [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
        out.append({"ok": docs})
    except yaml.YAMLError as e:
        out.append({"error": str(e).splitlines()[0]})
json.dump(out, sys.stdout)
"#;

fn pyyaml(cases: &[String]) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", PYYAML])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with PyYAML (installed by .ci/run)");
    let input = serde_json::to_vec(cases).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "PyYAML runner failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Multi-line quoted and plain scalars with the continuation at every column from 0 to past
/// the key, under keys at several depths, in a mapping and in a sequence item.
fn multi_line_scalars(out: &mut Vec<String>) {
    let bodies: [fn(&str) -> String; 6] = [
        |i| format!("\"one\n{i}two\""),
        |i| format!("\"one\n\n{i}two  \n{i}  three\""),
        |i| format!("\"one \\\n{i}two\\tx \\\"q\\\"\""),
        |i| format!("'one\n{i}two''s'"),
        |i| format!("'one\n\n\n{i}two'"),
        |i| format!("one\n{i}two"),
    ];
    for depth in 0..3usize {
        let key_col = depth * 2;
        let mut prefix = String::new();
        for d in 0..depth {
            prefix.push_str(&format!("{}k{d}:\n", "  ".repeat(d)));
        }
        let key_pad = " ".repeat(key_col);
        for body in bodies {
            for cont in 0..key_col + 4 {
                let text = body(&" ".repeat(cont));
                out.push(format!("{prefix}{key_pad}key: {text}\n{key_pad}next: 1\n"));
                out.push(format!(
                    "{prefix}{key_pad}- key: {text}\n{key_pad}  next: 1\n"
                ));
                out.push(format!("{prefix}{key_pad}- {text}\n{key_pad}- 2\n"));
            }
        }
    }
}

fn yaml_1_1_scalars(out: &mut Vec<String>) {
    for v in [
        "yes",
        "Yes",
        "YES",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "~",
        "null",
        "Null",
        "NULL",
        "0777",
        "0x1F",
        "-17",
        "+17",
        "1_000",
        "0.5",
        "-1.25",
        ".5",
        "1.0e+3",
        "0",
        "-0",
        "'yes'",
        "\"0777\"",
        "\"on\"",
        "yes please",
        "0777x",
        "a: b",
        "\"a: b\"",
        "- x",
    ] {
        out.push(format!("value: {v}\n"));
        out.push(format!("list:\n- {v}\n- {v}\n"));
    }
}

fn structure(out: &mut Vec<String>) {
    for text in [
        // Anchors, aliases, merge keys (one and several), overrides after a merge.
        "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
        "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n",
        "a: &s hello\nb: *s\nc: [*s, *s]\n",
        "- &i {n: 1}\n- *i\n- {<<: *i, m: 2}\n",
        "b: *nowhere\n",
        // Tabs: as separators inside a line, in quoted scalars, and as (refused) indentation.
        "k:\tv\n",
        "k: \"a\tb\"\n",
        "k:\n\tv: 1\n",
        "k: v\t# comment\n",
        // Comments.
        "# only a comment\nk: v # trailing\nl: v#not-a-comment\n",
        "k: |\n  # kept\n  text\n",
        "k: \"# not a comment\"\n",
        // Block scalars with chomping and explicit indentation.
        "k: |\n  a\n  b\n\nn: 1\n",
        "k: |-\n  a\n  b\n",
        "k: |+\n  a\n\n\nn: 1\n",
        "k: >\n  a\n  b\n\n  c\n",
        "k: >-\n  folded\n  text\n",
        "k: |2\n    indented\n  two\n",
        // Flow collections over several lines.
        "k: [a,\n  b,\nc]\n",
        "k: {a: 1,\n b: 2}\n",
        // Several documents, empty ones, and an end marker.
        "a: 1\n---\nb: 2\n---\n",
        "---\na: 1\n...\n---\nb: 2\n",
        "a: \"one\n---\nb\"\n",
        // Plain scalars that look like other things.
        "k: - not a list\n",
        "k: a - b\n",
        "k: 'it''s'\n",
        "k: \"unterminated\n",
        "k: [unclosed\n",
        "key with spaces: v\n",
        "\"quoted key\": v\n",
        "? complex\n: value\n",
        "k: @reserved\n",
    ] {
        out.push(text.to_owned());
    }
}

fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    multi_line_scalars(&mut out);
    yaml_1_1_scalars(&mut out);
    structure(&mut out);
    out
}

/// Numbers compared as numbers (PyYAML's 1000.0 and serde's 1000.0 may print differently).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn accepts_and_reads_what_libyaml_accepts_and_reads() {
    let cases = corpus();
    assert!(cases.len() > 300, "corpus of {} documents", cases.len());
    let reference = pyyaml(&cases);
    assert_eq!(reference.len(), cases.len());
    let mut mismatches = Vec::new();
    let mut accepted = 0;
    for (text, expected) in cases.iter().zip(&reference) {
        let (docs, errors) = parse_stream(text, &Limits::default());
        let ours = if errors.is_empty() {
            json!({"ok": docs.into_iter().map(|d| d.value).filter(|v| !v.is_null()).collect::<Vec<_>>()})
        } else {
            json!({"error": errors[0].message})
        };
        let agree = match (ours.get("ok"), expected.get("ok")) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => true,
            _ => false,
        };
        if agree {
            accepted += usize::from(ours.get("ok").is_some());
        } else {
            mismatches.push(format!(
                "{text:?}\n  palisade: {ours}\n  pyyaml:   {expected}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} documents differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
    // Both sides must refuse some of the corpus, or it tests no refusal.
    assert!(accepted < cases.len(), "the corpus has no refused document");
}

#[test]
fn reindenting_a_quoted_scalar_keeps_lines_and_later_documents() {
    let text = "a: 1\n---\nkind: ConstraintTemplate\nmetadata:\n  annotations:\n    description: \"Requires\n    limits\"\n  name: x\n---\nb: 2\n";
    let (docs, errors) = parse_stream(text, &Limits::default());
    assert!(errors.is_empty(), "{errors:?}");
    let values: Vec<&Value> = docs.iter().map(|d| &d.value).collect();
    assert_eq!(
        values,
        [
            &json!({"a": 1}),
            &json!({"kind": "ConstraintTemplate", "metadata": {"annotations": {"description": "Requires limits"}, "name": "x"}}),
            &json!({"b": 2}),
        ]
    );
    assert_eq!(docs.iter().map(|d| d.line).collect::<Vec<_>>(), [1, 2, 9]);
    assert_eq!(
        docs[1].lines.get("/metadata/name").map(|l| l.line()),
        Some(8)
    );
}

#[test]
fn many_misindented_scalars_are_bounded_not_quadratic_without_end() {
    let mut text = String::from("k:\n");
    for i in 0..1000 {
        text.push_str(&format!("  f{i}: \"a\n  b\"\n"));
    }
    let (docs, errors) = parse_stream(&text, &Limits::default());
    // The document needs more re-indentations than allowed: a clear error, not a hang.
    assert!(docs.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("quoted scalar"), "{errors:?}");
}
