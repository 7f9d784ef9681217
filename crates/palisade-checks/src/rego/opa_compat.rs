//! Where regorus and OPA evaluate the same Rego differently, OPA (what Gatekeeper runs) is the
//! contract. This module rewrites template source so regorus gives OPA's answer.
//!
//! **Negated calls of the policy's own functions.** OPA's compiler moves the reference and
//! call arguments of a user-defined function call out of a `not`: `not allowed(input.x)` runs as
//! `t := input.x; not allowed(t)`, so when `input.x` is undefined the whole rule body is
//! undefined (no violation). regorus keeps the argument inside the negation, where an
//! undefined argument makes `not` succeed, and reports a violation Gatekeeper never would.
//! The rewrite hoists such arguments on the same line (`t := input.x; not allowed(t)`), so
//! line numbers in errors are unchanged.
//!
//! Only a `not` that starts a line of a rule body is rewritten, and only when the call is the
//! whole expression (no `with`, no comparison after it); calls of built-ins are left alone
//! (OPA does not hoist their reference arguments). Other known differences are listed in
//! ARCHITECTURE.md.

use std::collections::BTreeSet;

/// Prefix of the variables the rewrite introduces (not a name a policy would use).
const HOISTED: &str = "__palisade_hoisted_";

/// Names of the functions the modules define (`name(args) { ... }`, `name(args) := ...`,
/// `name(args) if ...`), the calls whose arguments OPA hoists.
pub fn defined_functions<'a>(modules: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for module in modules {
        for line in module.lines() {
            let line = line.trim_start();
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            let rest = &line[name.len()..];
            if !rest.starts_with('(') {
                continue;
            }
            if let Some(close) = matching_paren(rest) {
                let after = rest[close + 1..].trim_start();
                if after.starts_with('{')
                    || after.starts_with(":=")
                    || after.starts_with('=')
                    || after.starts_with("if")
                {
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// Rewrites every `not f(args)` line whose `f` is in `functions` (by its last name segment).
pub fn hoist_negated_call_arguments(source: &str, functions: &BTreeSet<String>) -> String {
    let mut out = String::with_capacity(source.len());
    let mut counter = 0usize;
    let mut in_raw_string = false;
    for line in source.split_inclusive('\n') {
        let starts_in_raw = in_raw_string;
        in_raw_string ^= line.matches('`').count() % 2 == 1;
        if starts_in_raw {
            out.push_str(line);
            continue;
        }
        match rewrite_line(line, functions, &mut counter) {
            Some(rewritten) => out.push_str(&rewritten),
            None => out.push_str(line),
        }
    }
    out
}

fn rewrite_line(line: &str, functions: &BTreeSet<String>, counter: &mut usize) -> Option<String> {
    let indent_len = line.len() - line.trim_start().len();
    let (indent, body) = line.split_at(indent_len);
    let after_not = body.strip_prefix("not")?;
    if !after_not.starts_with([' ', '\t']) {
        return None;
    }
    let call = after_not.trim_start();
    let name_len = call
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(call.len());
    let name = &call[..name_len];
    let short = name.rsplit('.').next().unwrap_or(name);
    if short.is_empty() || !functions.contains(short) {
        return None;
    }
    let parens = &call[name_len..];
    if !parens.starts_with('(') {
        return None;
    }
    let close = matching_paren(parens)?;
    let rest = parens[close + 1..].trim();
    if !(rest.is_empty() || rest.starts_with('#') || rest == ";") {
        return None;
    }
    let args = split_top_level(&parens[1..close]);
    let mut hoisted = Vec::new();
    let mut new_args = Vec::new();
    for arg in args {
        let arg = arg.trim();
        if needs_hoisting(arg) {
            let var = format!("{HOISTED}{counter}");
            *counter += 1;
            hoisted.push(format!("{var} := {arg}; "));
            new_args.push(var);
        } else {
            new_args.push(arg.to_owned());
        }
    }
    if hoisted.is_empty() {
        return None;
    }
    let newline = if line.ends_with('\n') { "\n" } else { "" };
    let comment = parens[close + 1..].trim_end_matches('\n');
    Some(format!(
        "{indent}{}not {name}({}){comment}{newline}",
        hoisted.concat(),
        new_args.join(", ")
    ))
}

/// A reference (`input.x`, `c.securityContext`, `xs[i]`) or a call: what OPA moves out.
/// Literals, bare variables and composite literals stay.
fn needs_hoisting(arg: &str) -> bool {
    let first = arg.chars().next().unwrap_or(' ');
    if matches!(first, '"' | '`' | '[' | '{' | '-') || first.is_ascii_digit() {
        return false;
    }
    if matches!(arg, "true" | "false" | "null") {
        return false;
    }
    arg.contains(['.', '[', '('])
}

/// Index of the `)` closing the `(` at index 0, skipping strings and nested brackets.
fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' => skip_string(&mut chars, c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (c == ')').then_some(i);
                }
            }
            '#' => return None,
            _ => {}
        }
    }
    None
}

/// Moves `chars` past the string literal whose opening quote (`"` or `` ` ``) was just read.
fn skip_string(chars: &mut std::str::CharIndices<'_>, quote: char) {
    while let Some((_, c)) = chars.next() {
        if c == quote {
            return;
        }
        if c == '\\' && quote == '"' {
            chars.next();
        }
    }
}

/// Splits call arguments at the commas that are not inside brackets or strings.
fn split_top_level(args: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut chars = args.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' => skip_string(&mut chars, c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !args[start..].trim().is_empty() {
        parts.push(&args[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"package p

violation[{"msg": msg}] {
  c := input.review.object.spec.containers[_]
  not allowed(input.parameters.repos, c.image)   # hoisted
  not startswith(input.review.object.metadata.name, "x")
  msg := "no"
}

allowed(repos, image) {
  startswith(image, repos[_])
}

helper(x) := y {
  y := x
}
"#;

    fn fns() -> BTreeSet<String> {
        defined_functions([POLICY])
    }

    #[test]
    fn finds_the_functions_a_module_defines() {
        let names: Vec<String> = fns().into_iter().collect();
        assert_eq!(names, ["allowed", "helper"]);
    }

    #[test]
    fn hoists_reference_arguments_of_negated_user_calls_only() {
        let out = hoist_negated_call_arguments(POLICY, &fns());
        assert!(out.contains(
            "  __palisade_hoisted_0 := input.parameters.repos; __palisade_hoisted_1 := c.image; not allowed(__palisade_hoisted_0, __palisade_hoisted_1)   # hoisted\n"
        ), "{out}");
        // Built-ins are left alone, and the line count does not change.
        assert!(out.contains("  not startswith(input.review.object.metadata.name, \"x\")\n"));
        assert_eq!(out.lines().count(), POLICY.lines().count());
    }

    #[test]
    fn leaves_literals_variables_and_other_shapes_alone() {
        let f: BTreeSet<String> = ["f".to_owned()].into();
        for line in [
            "  not f(x, \"a,b\", 3, [1, 2])\n",
            "  not f(input.x) with input as {}\n",
            "  not f(input.x) == true\n",
            "  not input.x\n",
            "  x := not_f(input.y)\n",
            "  not g(input.x)\n",
        ] {
            assert_eq!(hoist_negated_call_arguments(line, &f), line);
        }
        assert_eq!(
            hoist_negated_call_arguments("  not lib.util.f(input.a[\"k,1\"], count(xs))\n", &f),
            "  __palisade_hoisted_0 := input.a[\"k,1\"]; __palisade_hoisted_1 := count(xs); not lib.util.f(__palisade_hoisted_0, __palisade_hoisted_1)\n"
        );
    }

    #[test]
    fn raw_strings_are_not_rewritten() {
        let f: BTreeSet<String> = ["f".to_owned()].into();
        let src = "x := `\nnot f(input.a)\n`\n";
        assert_eq!(hoist_negated_call_arguments(src, &f), src);
    }

    #[test]
    fn regorus_then_agrees_with_opa_on_an_undefined_argument() {
        let policy = "package p\nviolation[{\"msg\": \"no\"}] {\n  not allowed(input.review.object.metadata.labels.team)\n}\nallowed(t) {\n  t == \"a\"\n}\n";
        let eval = |src: String, input: &str| {
            let mut e = regorus::Engine::new();
            e.set_rego_v0(true);
            e.add_policy("p.rego".into(), src).unwrap();
            e.set_input(regorus::Value::from_json_str(input).unwrap());
            let v = e.eval_rule("data.p.violation".into()).unwrap();
            serde_json::to_value(&v).unwrap()
        };
        let no_label = r#"{"review": {"object": {"metadata": {}}}}"#;
        let other_team = r#"{"review": {"object": {"metadata": {"labels": {"team": "b"}}}}}"#;
        // regorus as it is: a violation OPA would not give.
        assert_eq!(
            eval(policy.to_owned(), no_label),
            serde_json::json!([{"msg": "no"}])
        );
        let fixed = hoist_negated_call_arguments(policy, &defined_functions([policy]));
        // Rewritten: undefined argument, no violation (OPA); a defined one still fires.
        let none = eval(fixed.clone(), no_label);
        assert!(none.as_array().is_none_or(|a| a.is_empty()), "{none}");
        assert_eq!(eval(fixed, other_team), serde_json::json!([{"msg": "no"}]));
    }
}
