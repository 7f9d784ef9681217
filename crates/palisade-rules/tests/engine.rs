//! Parser, merge and evaluation tests, against a small event source whose events are maps of
//! field name → values.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use palisade_model::Severity;
use palisade_rules::{Event, FieldError, FieldSource, FieldSpec, Level, RuleSet, Value, Values};

const FIELDS: &[&str] = &[
    "t.type", "t.name", "t.user", "t.count", "t.images", "t.flag", "t.path", "t.json",
];

struct Schema;

impl FieldSource for Schema {
    fn source(&self) -> &str {
        "test"
    }
    fn resolve(&self, name: &str, arg: Option<&str>) -> Result<FieldSpec, FieldError> {
        let id = FIELDS
            .iter()
            .position(|f| *f == name)
            .ok_or_else(|| FieldError::Unsupported(name.to_string()))?;
        if arg.is_some() && name != "t.json" {
            return Err(FieldError::Argument {
                field: name.into(),
                message: "takes no argument".into(),
            });
        }
        Ok(FieldSpec {
            id: id as u32,
            arg: arg.map(Arc::from),
            name: Arc::from(name),
        })
    }
    fn index_field(&self) -> Option<&str> {
        Some("t.type")
    }
}

#[derive(Default)]
struct Ev(HashMap<&'static str, Vec<Value<'static>>>);

impl Ev {
    fn s(mut self, f: &'static str, v: &'static str) -> Self {
        self.0
            .entry(f)
            .or_default()
            .push(Value::Str(Cow::Borrowed(v)));
        self
    }
    fn i(mut self, f: &'static str, v: i64) -> Self {
        self.0.entry(f).or_default().push(Value::Int(v));
        self
    }
    fn b(mut self, f: &'static str, v: bool) -> Self {
        self.0.entry(f).or_default().push(Value::Bool(v));
        self
    }
}

impl Event for Ev {
    fn extract(&self, field: &FieldSpec) -> Values<'_> {
        let name = FIELDS[field.id as usize];
        match self.0.get(name) {
            None => Values::Missing,
            Some(v) if name == "t.images" => Values::Many(v.clone()),
            Some(v) => Values::One(v[0].clone()),
        }
    }
    fn index_key(&self) -> Option<&str> {
        match self.0.get("t.type")?.first()? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn load(yaml: &str) -> (palisade_rules::Engine, Vec<palisade_rules::Diagnostic>) {
    let mut set = RuleSet::new();
    set.add_file("rules.yaml", yaml);
    set.compile(&Schema)
}

fn rule_with(cond: &str) -> String {
    format!(
        "- rule: r\n  desc: d\n  condition: {cond}\n  output: o\n  priority: WARNING\n  source: test\n"
    )
}

/// Names of the rules the event fires.
fn fired(engine: &palisade_rules::Engine, ev: &Ev) -> Vec<String> {
    let mut hits = Vec::new();
    engine.evaluate(ev, &mut hits);
    hits.iter()
        .map(|&i| engine.rules()[i].meta.name.clone())
        .collect()
}

fn matches(cond: &str, ev: &Ev) -> bool {
    let (engine, diags) = load(&rule_with(cond));
    assert!(diags.is_empty(), "{cond}: {diags:?}");
    assert_eq!(engine.rules().len(), 1, "{cond}");
    !fired(&engine, ev).is_empty()
}

#[test]
fn every_operator() {
    let ev = Ev::default()
        .s("t.type", "create")
        .s("t.name", "Kube-Proxy")
        .s("t.user", "system:anonymous")
        .i("t.count", 403)
        .s("t.images", "nginx:1.25")
        .s("t.images", "docker.io/evil/xmrig:latest")
        .b("t.flag", true)
        .s("t.path", "/etc/kubernetes/pki");
    let cases: &[(&str, bool)] = &[
        ("t.type = create", true),
        ("t.type == create", true),
        ("t.type=create", true),
        ("t.type = update", false),
        ("t.type != update", true),
        ("t.type != create", false),
        ("t.count < 500", true),
        ("t.count < 403", false),
        ("t.count <= 403", true),
        ("t.count > 403", false),
        ("t.count >= 403", true),
        ("t.count = 403", true),
        ("t.type in (update, create)", true),
        ("t.type in (update, delete)", false),
        ("t.images in (nginx:1.25)", false),
        (
            "t.images in (nginx:1.25, docker.io/evil/xmrig:latest)",
            true,
        ),
        ("t.images intersects (nginx:1.25)", true),
        ("t.images intersects (redis)", false),
        ("t.name contains Proxy", true),
        ("t.name contains proxy", false),
        ("t.name icontains proxy", true),
        ("t.name startswith Kube", true),
        ("t.name startswith kube", false),
        ("t.name endswith Proxy", true),
        ("t.images glob '*xmrig*'", true),
        ("t.images glob 'redis*'", false),
        ("t.name iglob 'kube-*'", true),
        ("t.name glob 'kube-*'", false),
        ("t.name regex '^Kube-[A-Z]'", true),
        ("t.path pmatch (/etc/kubernetes)", true),
        ("t.path pmatch (/etc/kube)", false),
        ("t.flag exists", true),
        ("t.json exists", false),
        ("t.flag = true", true),
        ("t.flag = false", false),
        ("t.user = \"system:anonymous\"", true),
        ("t.user = system:anonymous", true),
        // A missing field satisfies no comparison, `!=` included.
        ("t.json[/a] != x", false),
        ("not t.json[/a] = x", true),
    ];
    for (cond, want) in cases {
        assert_eq!(matches(cond, &ev), *want, "{cond}");
    }
}

#[test]
fn precedence_not_and_or() {
    let ev = Ev::default().s("t.type", "a").s("t.name", "n");
    // and binds tighter than or: `false and false or true` is true.
    assert!(matches("t.type = x and t.name = y or t.type = a", &ev));
    // ... and `true or false and false` is true, not false.
    assert!(matches("t.type = a or t.name = y and t.type = x", &ev));
    // not binds tighter than and.
    assert!(!matches("not t.type = a and t.name = n", &ev));
    assert!(matches("not t.type = b and t.name = n", &ev));
    // Parentheses override.
    assert!(!matches("(t.type = a or t.name = y) and t.type = x", &ev));
    assert!(matches("not (t.type = x and t.name = n)", &ev));
    assert!(matches("not not t.type = a", &ev));
}

#[test]
fn macros_and_lists_by_name() {
    let yaml = r#"
- list: bad_images
  items: [xmrig, "evil/tool"]
- list: more_bad
  items: [bad_images, minerd, '"with space"']
- macro: is_create
  condition: t.type = create
- macro: bad
  condition: is_create and t.images intersects (more_bad)
- rule: r
  desc: d
  condition: bad or t.name in more_bad
  output: "image %t.images by %t.user"
  priority: ERROR
  source: test
"#;
    let (engine, diags) = load(yaml);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        fired(
            &engine,
            &Ev::default().s("t.type", "create").s("t.images", "minerd")
        ),
        ["r"]
    );
    assert_eq!(
        fired(
            &engine,
            &Ev::default()
                .s("t.type", "create")
                .s("t.images", "evil/tool")
        ),
        ["r"]
    );
    assert!(fired(
        &engine,
        &Ev::default().s("t.type", "delete").s("t.images", "xmrig")
    )
    .is_empty());
    assert_eq!(
        fired(
            &engine,
            &Ev::default().s("t.type", "other").s("t.name", "xmrig")
        ),
        ["r"]
    );
    // A quoted list item (Falco's way to keep spaces) matches without its quotes.
    assert_eq!(
        fired(
            &engine,
            &Ev::default().s("t.type", "other").s("t.name", "with space")
        ),
        ["r"]
    );
    let ev = Ev::default()
        .s("t.type", "create")
        .s("t.images", "xmrig")
        .s("t.images", "a");
    let rule = &engine.rules()[0];
    assert_eq!(rule.render_output(&ev), "image xmrig,a by <NA>");
    assert_eq!(rule.meta.severity, Severity::High);
}

#[test]
fn list_append_and_override() {
    let base = r#"
- list: names
  items: [a, b]
- rule: r
  desc: d
  condition: t.name in (names)
  output: o
  priority: NOTICE
  source: test
"#;
    let ev = |n: &'static str| Ev::default().s("t.type", "x").s("t.name", n);
    let (engine, _) = load(base);
    assert!(fired(&engine, &ev("c")).is_empty());
    let (engine, diags) = load(&format!(
        "{base}- list: names\n  items: [c]\n  append: true\n"
    ));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(fired(&engine, &ev("a")), ["r"]);
    assert_eq!(fired(&engine, &ev("c")), ["r"]);
    let (engine, diags) = load(&format!(
        "{base}- list: names\n  items: [c]\n  override:\n    items: append\n"
    ));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(fired(&engine, &ev("c")), ["r"]);
    assert_eq!(fired(&engine, &ev("b")), ["r"]);
    let (engine, diags) = load(&format!(
        "{base}- list: names\n  items: [c]\n  override:\n    items: replace\n"
    ));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(fired(&engine, &ev("c")), ["r"]);
    assert!(fired(&engine, &ev("a")).is_empty());
    // Without append or override, a later definition replaces the earlier one.
    let (engine, _) = load(&format!("{base}- list: names\n  items: [z]\n"));
    assert!(fired(&engine, &ev("a")).is_empty());
    assert_eq!(fired(&engine, &ev("z")), ["r"]);
    // Appending to a list nobody defined is an error with its position.
    let (_, diags) = load("- list: nope\n  items: [a]\n  append: true\n");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].pos.to_string(), "rules.yaml:1:9");
}

#[test]
fn rule_and_macro_append_override_enabled() {
    let base = r#"
- macro: m
  condition: t.type = a
- rule: r
  desc: d
  condition: m
  output: o
  priority: WARNING
  source: test
"#;
    let ev = |t: &'static str, n: &'static str| Ev::default().s("t.type", t).s("t.name", n);
    // Macro append: `t.type = a or t.type = b`.
    let (engine, diags) = load(&format!(
        "{base}- macro: m\n  condition: or t.type = b\n  append: true\n"
    ));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(fired(&engine, &ev("b", "x")), ["r"]);
    // Rule condition append narrows it.
    let (engine, diags) = load(&format!(
        "{base}- rule: r\n  condition: and not t.name = ok\n  override:\n    condition: append\n"
    ));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(fired(&engine, &ev("a", "x")), ["r"]);
    assert!(fired(&engine, &ev("a", "ok")).is_empty());
    // Legacy append.
    let (engine, _) = load(&format!(
        "{base}- rule: r\n  condition: and t.name = only\n  append: true\n"
    ));
    assert!(fired(&engine, &ev("a", "x")).is_empty());
    assert_eq!(fired(&engine, &ev("a", "only")), ["r"]);
    // Priority replace.
    let (engine, diags) = load(&format!(
        "{base}- rule: r\n  priority: CRITICAL\n  override:\n    priority: replace\n"
    ));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(engine.rules()[0].meta.severity, Severity::High);
    // Disabled by a later item: compiled, never fires.
    let (engine, diags) = load(&format!("{base}- rule: r\n  enabled: false\n"));
    assert!(diags.is_empty(), "{diags:?}");
    assert!(fired(&engine, &ev("a", "x")).is_empty());
    assert_eq!(engine.enabled_count(), 0);
}

#[test]
fn exceptions() {
    let yaml = r#"
- list: trusted
  items: [admin, root]
- rule: r
  desc: d
  condition: t.type = create
  output: o
  priority: INFO
  source: test
  exceptions:
    - name: known
      fields: [t.user, t.name]
      comps: [in, startswith]
      values:
        - [trusted, kube-]
        - [[ci, cd], build-]
    - name: one_field
      fields: t.name
      values: [safe, also-safe]
"#;
    let (engine, diags) = load(yaml);
    assert!(diags.is_empty(), "{diags:?}");
    let ev = |u: &'static str, n: &'static str| {
        Ev::default()
            .s("t.type", "create")
            .s("t.user", u)
            .s("t.name", n)
    };
    assert!(fired(&engine, &ev("admin", "kube-proxy")).is_empty());
    assert!(fired(&engine, &ev("cd", "build-7")).is_empty());
    assert!(fired(&engine, &ev("x", "also-safe")).is_empty());
    assert_eq!(fired(&engine, &ev("admin", "build-7")), ["r"]);
    assert_eq!(fired(&engine, &ev("eve", "kube-proxy")), ["r"]);
    assert_eq!(engine.rules()[0].meta.severity, Severity::Low);
}

#[test]
fn every_matching_rule_fires_and_index_skips_others() {
    let yaml = r#"
- rule: one
  desc: d
  condition: t.type in (create, update) and t.name = n
  output: o
  priority: WARNING
  source: test
- rule: two
  desc: d
  condition: t.name = n
  output: o
  priority: WARNING
  source: test
- rule: three
  desc: d
  condition: t.type = delete or t.type = create
  output: o
  priority: WARNING
  source: test
- rule: other_source
  desc: d
  condition: proc.name = sh
  output: o
  priority: WARNING
"#;
    let (engine, diags) = load(yaml);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        engine.rules().len(),
        3,
        "the syscall rule belongs to another source"
    );
    assert_eq!(
        fired(
            &engine,
            &Ev::default().s("t.type", "create").s("t.name", "n")
        ),
        ["one", "two", "three"]
    );
    assert_eq!(
        fired(&engine, &Ev::default().s("t.type", "get").s("t.name", "n")),
        ["two"]
    );
    assert_eq!(fired(&engine, &Ev::default().s("t.name", "n")), ["two"]);
}

#[test]
fn error_positions() {
    let pos = |yaml: &str| -> Vec<String> {
        let (_, diags) = load(yaml);
        diags
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| d.to_string())
            .collect()
    };
    // Token positions inside a plain scalar.
    let e = pos(&rule_with("t.type = a and and"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("rules.yaml:3:29: error:"), "{e:?}");
    // Unsupported field, reported by name.
    let (_, diags) = load(&rule_with("t.type = a and proc.name = sh"));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].unsupported_field.as_deref(), Some("proc.name"));
    assert_eq!(diags[0].pos.to_string(), "rules.yaml:3:29");
    // Inside a folded block scalar, on its second line.
    let yaml = "- rule: r\n  desc: d\n  condition: >\n    t.type = a and\n    t.nope exists\n  output: o\n  priority: WARNING\n  source: test\n";
    let e = pos(yaml);
    assert!(
        e[0].starts_with("rules.yaml:5:5: error: unsupported field `t.nope`"),
        "{e:?}"
    );
    // Inside a quoted scalar.
    let e = pos(&rule_with("\"t.type = (a\""));
    assert!(e[0].starts_with("rules.yaml:3:24:"), "{e:?}");
    // Unknown macro; undefined list; bad number; unknown priority; invalid YAML.
    assert!(pos(&rule_with("t.type = a and missing_macro"))[0]
        .starts_with("rules.yaml:3:29: error: undefined macro `missing_macro`"));
    assert!(pos(&rule_with("t.type in nolist"))[0]
        .starts_with("rules.yaml:3:24: error: undefined list"));
    assert!(pos(&rule_with("t.count > many"))[0].starts_with("rules.yaml:3:24: error:"));
    let e = pos("- rule: r\n  desc: d\n  condition: t.type = a\n  output: o\n  priority: LOUD\n  source: test\n");
    assert!(
        e[0].starts_with("rules.yaml:5:13: error: rule `r`: unknown priority"),
        "{e:?}"
    );
    let e = pos("- rule: r\n  desc: [unclosed\n");
    assert!(e[0].starts_with("rules.yaml:3:"), "{e:?}");
    // A macro that refers to itself is an error, not a hang.
    let e = pos("- macro: m\n  condition: t.type = a or m\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n  source: test\n");
    assert!(e[0].contains("refers to itself"), "{e:?}");
    // Errors inside an appended condition point into the appending item.
    let e = pos(&format!(
        "{}- rule: r\n  condition: and (\n  append: true\n",
        rule_with("t.type = a")
    ));
    assert!(e[0].starts_with("rules.yaml:8:"), "{e:?}");
    // Deep nesting is refused.
    let deep = format!("{}t.type = a{}", "(".repeat(500), ")".repeat(500));
    assert!(pos(&rule_with(&deep))[0].contains("nested deeper"));
}

#[test]
fn output_fields_unsupported_are_warnings() {
    let (engine, diags) = load(
        "- rule: r\n  desc: d\n  condition: t.type = a\n  output: \"user=%t.user proc=%proc.name json=%t.json[/x]\"\n  priority: INFO\n  source: test\n",
    );
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].level, Level::Warning);
    assert_eq!(diags[0].unsupported_field.as_deref(), Some("proc.name"));
    let ev = Ev::default().s("t.type", "a").s("t.user", "bob");
    assert_eq!(
        engine.rules()[0].render_output(&ev),
        "user=bob proc=<NA> json=<NA>"
    );
}

#[test]
fn mitre_tags_and_palisade_keys() {
    let (engine, diags) = load(
        "- rule: r\n  id: PAL-TEST-001\n  desc: d\n  condition: t.type = a\n  output: o\n  priority: WARNING\n  source: test\n  remediation: fix it\n  tags: [k8s, T1611, T1053.007, TA0004, mitre_persistence]\n",
    );
    assert!(diags.is_empty(), "{diags:?}");
    let m = &engine.rules()[0].meta;
    assert_eq!(m.id.as_deref(), Some("PAL-TEST-001"));
    assert_eq!(m.techniques, ["T1053.007", "T1611"]);
    assert_eq!(m.tactics, ["TA0004", "persistence"]);
    assert_eq!(m.remediation.as_deref(), Some("fix it"));
}

#[test]
fn exception_arity_errors_are_reported_not_panics() {
    let (_, diags) = load(
        "- rule: r\n  desc: d\n  condition: t.type = a\n  output: o\n  priority: INFO\n  source: test\n  exceptions:\n    - name: e\n      values: [[x]]\n",
    );
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].message.contains("1 value(s) for 0 field(s)"),
        "{diags:?}"
    );
    let (_, diags) = load(
        "- rule: r\n  desc: d\n  condition: t.type = a\n  output: o\n  priority: INFO\n  source: test\n  exceptions:\n    - name: e\n      fields: [t.name]\n- rule: r\n  exceptions:\n    - name: e\n      values: [[x, y]]\n  append: true\n",
    );
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].message.contains("2 value(s) for 1 field(s)"),
        "{diags:?}"
    );
}

/// CIDR values in `in` / `intersects` lists and `=` match by network containment, for single
/// addresses (`fd.sip`-like) and lists of them (`ka.sourceips`-like), IPv4 and IPv6;
/// non-CIDR items of the same list still match exactly.
#[test]
fn cidr_values_match_by_containment() {
    let meta = Ev::default().s("t.name", "169.254.169.254");
    assert!(matches(
        "t.name in (169.254.169.254/32, fd00:ec2::254/128)",
        &meta
    ));
    assert!(matches("t.name = 169.254.0.0/16", &meta));
    assert!(!matches("t.name != 169.254.0.0/16", &meta));
    assert!(matches("t.name != 10.0.0.0/8", &meta));
    assert!(
        !matches("t.name != 10.0.0.0/8", &Ev::default()),
        "missing field"
    );
    assert!(!matches("t.name in (10.0.0.0/8, 192.168.0.0/16)", &meta));
    let v6 = Ev::default().s("t.name", "fd00:ec2::254");
    assert!(matches(
        "t.name in (169.254.169.254/32, fd00:ec2::254/128)",
        &v6
    ));
    assert!(!matches("t.name in (169.254.169.254/32)", &v6));
    // A list field: `in` needs every value inside, `intersects` one.
    let ips = Ev::default()
        .s("t.images", "10.1.2.3")
        .s("t.images", "203.0.113.7");
    assert!(matches("t.images intersects (203.0.113.0/24)", &ips));
    assert!(!matches("t.images in (203.0.113.0/24)", &ips));
    assert!(matches("t.images in (203.0.113.0/24, 10.0.0.0/8)", &ips));
    // Networks as values: a /16 lies inside a /8, not the other way round.
    let ranges = Ev::default().s("t.images", "10.1.0.0/16");
    assert!(matches("t.images in (10.0.0.0/8)", &ranges));
    assert!(!matches("t.images in (10.1.0.0/24)", &ranges));
    // Mixed lists keep their exact items; what is not an address matches no network.
    assert!(matches(
        "t.name in (nginx, 10.0.0.0/8)",
        &Ev::default().s("t.name", "nginx")
    ));
    assert!(!matches(
        "t.name in (0.0.0.0/0)",
        &Ev::default().s("t.name", "nginx")
    ));
    // Named lists work the same.
    let (engine, diags) = load(
        "- list: tor\n  items: [198.51.100.0/24, 2001:db8::/32]\n- rule: r\n  desc: d\n  condition: t.images intersects (tor)\n  output: o\n  priority: WARNING\n  source: test\n",
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        fired(&engine, &Ev::default().s("t.images", "2001:db8::7")),
        ["r"]
    );
    assert!(fired(&engine, &Ev::default().s("t.images", "2001:db9::7")).is_empty());
}
