//! The scan table: grouped by package, ranked order kept, colour only when asked for.

use palisade_model::ScanReport;
use palisade_report::{write_findings, FindingsFormat};

fn finding(id: &str, package: &str, severity: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "severity": severity, "package": package, "version": "1.0",
        "ecosystem": "PyPI", "purl": format!("pkg:pypi/{package}@1.0"),
        "locations": [], "status": status,
        "fixed_version": if status == "fixed" { Some("1.1") } else { None },
    })
}

fn report() -> ScanReport {
    serde_json::from_value(serde_json::json!({
        "source": "test",
        "artifact": {"name": "test", "kind": "directory", "layers": []},
        "databases": [],
        "packages_scanned": 3,
        "findings": [
            finding("CVE-1", "alpha", "HIGH", "fixed"),
            finding("CVE-2", "beta", "MEDIUM", "will_not_fix"),
            finding("CVE-3", "alpha", "LOW", "fixed"),
        ],
        "suppressed": [],
        "remediations": []
    }))
    .unwrap()
}

fn render(format: FindingsFormat) -> String {
    let mut out = Vec::new();
    write_findings(&report(), format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn findings_are_grouped_by_package_in_rank_order() {
    let text = render(FindingsFormat::Table);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("PACKAGE"));
    assert!(lines[1].starts_with("alpha") && lines[1].contains("CVE-1"));
    // alpha's second finding follows it, without repeating the package.
    assert!(
        lines[2].starts_with(' ') && lines[2].contains("CVE-3"),
        "{text}"
    );
    assert!(lines[3].starts_with("beta") && lines[3].contains("will_not_fix"));
    assert!(!text.contains('\x1b'), "no colour unless asked");
}

#[test]
fn the_colour_table_colours_severities() {
    let text = render(FindingsFormat::ColorTable);
    assert!(text.contains("\x1b[31mHIGH"), "{text:?}");
    assert!(text.contains("\x1b[33mMEDIUM"));
    assert!(text.contains("\x1b[0m"));
}
