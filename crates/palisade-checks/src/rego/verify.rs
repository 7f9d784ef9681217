//! Gatekeeper's `gator verify` test suites, run unchanged: a `Suite`
//! (`test.gatekeeper.sh/v1alpha1`) lists tests, each a ConstraintTemplate and a constraint
//! (paths relative to the suite file) with cases: an object (or an `AdmissionReview`) to
//! review, optional `inventory` files for `data.inventory`, and assertions on the violations
//! (`violations`: a count, `yes` or `no`, default `yes`; `message`: a regular expression the
//! counted violations' messages must match). A test marked `invalid: true` passes when its
//! constraint does not fit the template's parameter schema. `skip: true` skips a suite, test
//! or case. Same rules as gator: a case needs at least one assertion and exactly one object.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_k8s::{Inventory, LoadOptions, Object};
use serde::Deserialize;
use serde_json::Value;

use super::{load_objects, review, PolicySet};

/// A suite file's results.
#[derive(Debug)]
pub struct SuiteReport {
    pub path: PathBuf,
    /// Why the suite could not run at all.
    pub error: Option<String>,
    pub skipped: bool,
    pub tests: Vec<TestReport>,
}

#[derive(Debug)]
pub struct TestReport {
    pub name: String,
    /// Why the test failed as a whole (template or constraint unusable, `invalid` not met).
    pub error: Option<String>,
    pub skipped: bool,
    pub cases: Vec<CaseReport>,
}

#[derive(Debug)]
pub struct CaseReport {
    pub name: String,
    pub error: Option<String>,
    pub skipped: bool,
}

impl SuiteReport {
    pub fn passed(&self) -> bool {
        self.error.is_none()
            && self
                .tests
                .iter()
                .all(|t| t.error.is_none() && t.cases.iter().all(|c| c.error.is_none()))
    }
}

#[derive(Debug, Deserialize)]
struct Suite {
    #[serde(default)]
    tests: Vec<Test>,
    #[serde(default)]
    skip: bool,
}

#[derive(Debug, Deserialize)]
struct Test {
    #[serde(default)]
    name: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    constraint: String,
    #[serde(default)]
    cases: Vec<Case>,
    #[serde(default)]
    invalid: bool,
    #[serde(default)]
    skip: bool,
}

#[derive(Debug, Deserialize)]
struct Case {
    #[serde(default)]
    name: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    inventory: Vec<String>,
    #[serde(default)]
    assertions: Vec<Assertion>,
    #[serde(default)]
    skip: bool,
}

#[derive(Debug, Deserialize)]
struct Assertion {
    violations: Option<Violations>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Violations {
    Count(i64),
    Word(String),
    /// gator reads suites as YAML 1.2, where `yes` and `no` are words; the manifest loader
    /// reads YAML 1.1 as Kubernetes does, where they are booleans.
    YesNo(bool),
}

/// The suite files a path names: a file; the YAML files of a directory; with a trailing
/// `/...`, those of the directory and every directory below it (as gator reads its paths).
/// Files that are not suites are passed over when `run_suite` reads them.
pub fn suite_files(target: &str) -> Result<Vec<PathBuf>, String> {
    let (dir, recursive) = match target.strip_suffix("/...") {
        Some(d) => (if d.is_empty() { "." } else { d }, true),
        None => (target, false),
    };
    let path = Path::new(dir);
    let meta = std::fs::metadata(path).map_err(|e| format!("{dir}: {e}"))?;
    if meta.is_file() {
        if recursive {
            return Err(format!("{dir}: only a directory can be walked with /..."));
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let p = entry.map_err(|e| format!("{}: {e}", d.display()))?.path();
            if p.is_dir() {
                if recursive {
                    pending.push(p);
                }
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The objects of one file, or why not.
fn read_objects(path: &Path) -> Result<Vec<Object>, String> {
    let loaded = palisade_k8s::load_paths(&[path.to_path_buf()], &LoadOptions::default());
    if let Some(e) = loaded.errors.first() {
        return Err(format!("{}: {}", e.location, e.message));
    }
    Ok(loaded.objects)
}

/// Runs one file's suite; `None` when the file holds no `Suite`.
pub fn run_suite(path: &Path) -> Option<SuiteReport> {
    let objects = match read_objects(path) {
        Ok(o) => o,
        Err(e) => {
            return Some(SuiteReport {
                path: path.to_path_buf(),
                error: Some(e),
                skipped: false,
                tests: Vec::new(),
            })
        }
    };
    let suite_object = objects
        .iter()
        .find(|o| o.kind == "Suite" && o.api_version.starts_with("test.gatekeeper.sh/"))?;
    let mut report = SuiteReport {
        path: path.to_path_buf(),
        error: None,
        skipped: false,
        tests: Vec::new(),
    };
    let suite: Suite = match serde_json::from_value(suite_object.value.clone()) {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(format!("not a valid Suite: {e}"));
            return Some(report);
        }
    };
    if suite.skip {
        report.skipped = true;
        return Some(report);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    report.tests = suite.tests.iter().map(|t| run_test(dir, t)).collect();
    Some(report)
}

fn run_test(dir: &Path, test: &Test) -> TestReport {
    let mut report = TestReport {
        name: test.name.clone(),
        error: None,
        skipped: test.skip,
        cases: Vec::new(),
    };
    if test.skip {
        return report;
    }
    let policies = match load_policy(dir, test) {
        Ok(p) => p,
        Err(e) => {
            report.error = Some(e);
            return report;
        }
    };
    match (test.invalid, policies) {
        (true, Ok(_)) => {
            report.error =
                Some("the constraint fits the template's parameter schema, but the test wants it invalid".into());
        }
        (true, Err(_)) => {}
        (false, Err(e)) => report.error = Some(e),
        (false, Ok(set)) => {
            report.cases = test
                .cases
                .iter()
                .map(|c| CaseReport {
                    name: c.name.clone(),
                    skipped: c.skip,
                    error: if c.skip {
                        None
                    } else {
                        run_case(dir, &set, c).err()
                    },
                })
                .collect();
        }
    }
    report
}

/// The template (an error here fails the test); then the constraint with it, whose errors
/// are what `invalid` tests expect.
fn load_policy(dir: &Path, test: &Test) -> Result<Result<PolicySet, String>, String> {
    if test.template.is_empty() {
        return Err("missing template".into());
    }
    if test.constraint.is_empty() {
        return Err("missing constraint".into());
    }
    let template = read_objects(&dir.join(&test.template))?;
    let (set, errors) = load_objects(&template);
    if let Some(e) = errors.first() {
        return Err(format!("{}: {}", e.location, e.message));
    }
    if set.templates.len() != 1 {
        return Err(format!(
            "{}: holds {} ConstraintTemplates, not one",
            test.template,
            set.templates.len()
        ));
    }
    let constraint = read_objects(&dir.join(&test.constraint))?;
    let mut both = template;
    both.extend(constraint);
    let (set, errors) = load_objects(&both);
    if let Some(e) = errors.first() {
        return Ok(Err(format!("{}: {}", e.location, e.message)));
    }
    if set.constraints.len() != 1 {
        return Err(format!(
            "{}: holds {} constraints, not one",
            test.constraint,
            set.constraints.len()
        ));
    }
    Ok(Ok(set))
}

fn run_case(dir: &Path, set: &PolicySet, case: &Case) -> Result<(), String> {
    if case.object.is_empty() {
        return Err("must define object".into());
    }
    if case.assertions.is_empty() {
        return Err("assertions must be non-empty".into());
    }
    let mut objects = read_objects(&dir.join(&case.object))?;
    if objects.len() != 1 {
        return Err(format!("{} defines {} objects", case.object, objects.len()));
    }
    let mut inventory = Vec::new();
    for p in &case.inventory {
        inventory.extend(read_objects(&dir.join(p))?);
    }
    let object = objects.remove(0);
    let (object, review_value) = if object.kind == "AdmissionReview"
        && object.api_version.starts_with("admission.k8s.io/")
    {
        admission_review(&object)?
    } else {
        let r = review(&object);
        (object, r)
    };
    let data = Inventory::new(inventory.clone());
    inventory.push(object.clone());
    let matching = Inventory::new(inventory);
    let eval = set.evaluate_review_with_data(&object, &review_value, &matching, &data);
    if let Some(e) = eval.errors.first() {
        return Err(e.message.clone());
    }
    let messages: Vec<&str> = eval.findings.iter().map(|f| f.message.as_str()).collect();
    for assertion in &case.assertions {
        check(assertion, &messages)?;
    }
    Ok(())
}

/// An `AdmissionReview` case: its request is `input.review`, its object what is matched.
fn admission_review(o: &Object) -> Result<(Object, Value), String> {
    let request = o
        .value
        .get("request")
        .filter(|r| r.is_object())
        .ok_or("the AdmissionReview has no request")?;
    let target = match request.get("object").filter(|v| !v.is_null()) {
        Some(v) => v.clone(),
        None => request
            .get("oldObject")
            .filter(|v| !v.is_null())
            .cloned()
            .ok_or("the AdmissionReview's request has neither object nor oldObject")?,
    };
    let object = Object::from_value(target, o.lines().clone(), Arc::clone(&o.location.file))?;
    Ok((object, request.clone()))
}

fn check(assertion: &Assertion, messages: &[&str]) -> Result<(), String> {
    let pattern = match &assertion.message {
        Some(m) => Some(regex::Regex::new(m).map_err(|e| format!("message {m:?}: {e}"))?),
        None => None,
    };
    let matching = messages
        .iter()
        .filter(|m| pattern.as_ref().is_none_or(|p| p.is_match(m)))
        .count();
    let containing = assertion
        .message
        .as_ref()
        .map(|m| format!(" containing {m:?}"))
        .unwrap_or_default();
    let got = format!("got {matching} violations{containing}");
    let fail = |want: String| Err(format!("{got} but want {want}: got messages {messages:?}"));
    match &assertion.violations {
        None => {
            if matching == 0 {
                return fail("at least 1".into());
            }
        }
        Some(Violations::YesNo(true)) => {
            if matching == 0 {
                return fail("at least 1".into());
            }
        }
        Some(Violations::YesNo(false)) => {
            if matching > 0 {
                return fail("none".into());
            }
        }
        Some(Violations::Word(w)) if w == "yes" => {
            if matching == 0 {
                return fail("at least 1".into());
            }
        }
        Some(Violations::Word(w)) if w == "no" => {
            if matching > 0 {
                return fail("none".into());
            }
        }
        Some(Violations::Count(n)) if *n >= 0 => {
            if matching as i64 != *n {
                return fail(format!("exactly {n}"));
            }
        }
        Some(_) => {
            return Err(
                "assertion.violations, if set, must be a nonnegative integer, \"yes\", or \"no\""
                    .into(),
            )
        }
    }
    Ok(())
}
