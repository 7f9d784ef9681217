//! SBOM writers and reader: the CycloneDX 1.6 and SPDX 2.3 output validated against the official
//! JSON schemas (`schemas/`), write → read round trips, key fields of each document, and reading
//! documents written by other tools and malformed input.

use std::collections::HashSet;

use palisade_model::{
    purl_for, Artifact, ArtifactKind, Ecosystem, Inventory, LayerInfo, Location, OsFamily, OsInfo,
    Package, PackageKind,
};
use palisade_report::{read_sbom, write_sbom, DocumentContext, ReportError, SbomFormat};
use serde_json::Value;

const LAYER0: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const LAYER1: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const CONFIG: &str = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
const MANIFEST: &str = "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

fn ctx() -> DocumentContext {
    DocumentContext {
        timestamp: "2026-11-24T01:02:03Z".into(),
        uuid: "3e671687-395b-41f5-a30f-a58921a69b79".into(),
        tool_version: "0.1.0".into(),
    }
}

fn debian() -> OsInfo {
    OsInfo {
        family: OsFamily::Debian,
        id: "debian".into(),
        version_id: "12".into(),
        codename: Some("bookworm".into()),
        pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
        source_path: "etc/os-release".into(),
    }
}

fn at(path: &str, layer: &str) -> Location {
    Location {
        path: path.into(),
        layer: Some(layer.into()),
    }
}

fn pkg(name: &str, version: &str, eco: Ecosystem, path: &str, layer: &str) -> Package {
    let mut p = Package::new(name, version, eco, path);
    p.locations = vec![at(path, layer)];
    p.introduced_by = Some(layer.into());
    p
}

/// One package of every ecosystem, every licence form, collisions, a package without a purl.
fn inventory() -> Inventory {
    let os = debian();
    let mut packages = Vec::new();

    let mut p = pkg(
        "libstdc++6",
        "12.2.0-14+deb12u1",
        Ecosystem::Deb,
        "var/lib/dpkg/status",
        LAYER0,
    );
    p.source_name = Some("gcc-12".into());
    p.source_version = Some("12.2.0-14".into());
    p.arch = Some("amd64".into());
    p.licenses = vec!["GPL-3.0-or-later WITH GCC-exception-3.1".into()];
    packages.push(p);

    let mut p = pkg(
        "libc6",
        "2.36-9+deb12u4",
        Ecosystem::Deb,
        "var/lib/dpkg/status",
        LAYER0,
    );
    p.source_name = Some("glibc".into());
    p.arch = Some("amd64".into());
    p.licenses = vec!["GPL-2+ with exceptions".into(), "LGPL-2.1-or-later".into()];
    packages.push(p);

    let mut p = pkg(
        "openssl",
        "1:3.0.7-24.el9",
        Ecosystem::Rpm,
        "var/lib/rpm/rpmdb.sqlite",
        LAYER0,
    );
    p.source_name = Some("openssl".into());
    p.source_version = Some("3.0.7-24.el9".into());
    p.arch = Some("x86_64".into());
    p.licenses = vec!["Apache-2.0".into()];
    packages.push(p);

    let mut p = pkg(
        "busybox",
        "1.36.1-r15",
        Ecosystem::Apk,
        "lib/apk/db/installed",
        LAYER0,
    );
    p.source_name = Some("busybox".into());
    p.arch = Some("x86_64".into());
    p.licenses = vec!["GPL-2.0-only".into()];
    packages.push(p);

    let mut p = pkg(
        "Django_Rest.Framework",
        "3.15.1",
        Ecosystem::PyPI,
        "usr/lib/python3/dist-packages/djangorestframework-3.15.1.dist-info/METADATA",
        LAYER1,
    );
    p.licenses = vec!["BSD-style".into()];
    packages.push(p);

    let mut p = pkg(
        "requests",
        "2.31.0",
        Ecosystem::PyPI,
        "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
        LAYER1,
    );
    p.licenses = vec!["MIT OR Apache-2.0".into()];
    packages.push(p);

    let mut p = pkg(
        "@babel/core",
        "7.24.0",
        Ecosystem::Npm,
        "app/node_modules/@babel/core/package.json",
        LAYER1,
    );
    p.licenses = vec!["MIT".into()];
    packages.push(p);
    // The same npm package found again elsewhere: same purl, so bom-ref and SPDXID collide.
    let mut p = pkg(
        "@babel/core",
        "7.24.0",
        Ecosystem::Npm,
        "srv/node_modules/@babel/core/package.json",
        LAYER1,
    );
    p.licenses = vec!["MIT".into()];
    packages.push(p);

    packages.push(pkg(
        "golang.org/x/net",
        "v0.23.0",
        Ecosystem::Go,
        "app/server",
        LAYER1,
    ));
    let mut p = pkg(
        "example.com/server",
        "(devel)",
        Ecosystem::Go,
        "app/server",
        LAYER1,
    );
    p.kind = PackageKind::Application;
    packages.push(p);
    let mut p = pkg("stdlib", "go1.22.1", Ecosystem::Go, "app/server", LAYER1);
    p.kind = PackageKind::Runtime;
    packages.push(p);

    let mut p = pkg(
        "log4j-core",
        "2.17.1",
        Ecosystem::Maven,
        "app/app.war!WEB-INF/lib/log4j-core-2.17.1.jar",
        LAYER1,
    );
    p.namespace = Some("org.apache.logging.log4j".into());
    p.licenses = vec!["Apache-2.0".into()];
    packages.push(p);

    let mut p = pkg("serde", "1.0.200", Ecosystem::Cargo, "app/server", LAYER1);
    p.licenses = vec!["MIT".into(), "Apache-2.0".into()];
    packages.push(p);

    packages.push(pkg(
        "Newtonsoft.Json",
        "13.0.3",
        Ecosystem::NuGet,
        "app/App.deps.json",
        LAYER1,
    ));

    let mut p = pkg(
        "monolog/monolog",
        "3.5.0",
        Ecosystem::Packagist,
        "var/www/vendor/composer/installed.json",
        LAYER1,
    );
    p.licenses = vec!["MIT".into(), "BSD-3-Clause OR MIT".into()];
    packages.push(p);

    let mut p = pkg(
        "rails",
        "7.1.3",
        Ecosystem::RubyGems,
        "usr/local/bundle/specifications/rails-7.1.3.gemspec",
        LAYER1,
    );
    p.licenses = vec!["Custom: see LICENSE.txt".into()];
    p.locations.push(Location {
        path: "usr/local/bundle/gems/rails-7.1.3".into(),
        layer: None,
    });
    packages.push(p);

    for p in &mut packages {
        p.purl = purl_for(p, Some(&os));
    }
    // A package whose purl is unknown.
    let mut p = pkg("mystery", "1.0", Ecosystem::Cargo, "app/mystery", LAYER1);
    p.introduced_by = None;
    p.locations = vec![];
    packages.push(p);

    Inventory {
        source: "docker-archive:app.tar".into(),
        artifact: Artifact {
            name: "registry.local/app:1.0".into(),
            kind: ArtifactKind::Image,
            manifest_digest: Some(MANIFEST.into()),
            config_digest: Some(CONFIG.into()),
            repo_tags: vec![
                "registry.local/app:1.0".into(),
                "registry.local/app:latest".into(),
            ],
            repo_digests: vec![format!("registry.local/app@{MANIFEST}")],
            architecture: Some("amd64".into()),
            os: Some("linux".into()),
            layers: vec![
                LayerInfo {
                    diff_id: LAYER0.into(),
                    digest: Some("sha256:aaaa".into()),
                    size: 29_000_000,
                    created_by: Some("/bin/sh -c #(nop) ADD file:abc in / ".into()),
                },
                LayerInfo {
                    diff_id: LAYER1.into(),
                    digest: None,
                    size: 1234,
                    created_by: Some("RUN pip install \"requests==2.31.0\"".into()),
                },
            ],
        },
        os: Some(os),
        packages,
    }
}

fn write(inv: &Inventory, format: SbomFormat) -> Vec<u8> {
    let mut out = Vec::new();
    write_sbom(inv, format, &ctx(), &mut out).unwrap_or_else(|e| panic!("writing {format:?}: {e}"));
    out
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("output is not JSON: {e}"))
}

fn schema(name: &str) -> Value {
    let path = format!("{}/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn resource(name: &str) -> jsonschema::Resource {
    jsonschema::Resource::from_contents(schema(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} fails its schema:\n{}",
        errors.join("\n")
    );
}

fn cyclonedx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            resource("spdx.schema.json"),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            resource("jsf-0.82.schema.json"),
        )
        .build(&schema("bom-1.6.schema.json"))
        .unwrap_or_else(|e| panic!("CycloneDX schema: {e}"))
}

fn spdx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema("spdx-schema-2.3.json"))
        .unwrap_or_else(|e| panic!("SPDX schema: {e}"))
}

#[test]
fn cyclonedx_output_is_valid_against_the_official_1_6_schema() {
    let validator = cyclonedx_validator();
    assert_valid(
        &validator,
        &json(&write(&inventory(), SbomFormat::CycloneDx)),
        "CycloneDX",
    );
    // An inventory without OS, packages or digests is valid too.
    let mut bare = inventory();
    bare.os = None;
    bare.packages.clear();
    bare.artifact.manifest_digest = None;
    bare.artifact.config_digest = None;
    bare.artifact.kind = ArtifactKind::Directory;
    assert_valid(
        &validator,
        &json(&write(&bare, SbomFormat::CycloneDx)),
        "bare CycloneDX",
    );
}

#[test]
fn the_cyclonedx_schema_rejects_what_it_should() {
    // Guards against a validator that accepts everything (e.g. unresolved `$ref`s).
    let validator = cyclonedx_validator();
    let mut doc = json(&write(&inventory(), SbomFormat::CycloneDx));
    doc["components"][1]["licenses"] = serde_json::json!([{"license": {"id": "Not-A-Licence"}}]);
    assert!(!validator.is_valid(&doc));
    let mut doc = json(&write(&inventory(), SbomFormat::CycloneDx));
    doc["serialNumber"] = "urn:uuid:nope".into();
    assert!(!validator.is_valid(&doc));
}

#[test]
fn spdx_output_is_valid_against_the_official_2_3_schema() {
    let validator = spdx_validator();
    assert_valid(
        &validator,
        &json(&write(&inventory(), SbomFormat::Spdx)),
        "SPDX",
    );
    let mut bare = inventory();
    bare.os = None;
    bare.packages.clear();
    assert_valid(
        &validator,
        &json(&write(&bare, SbomFormat::Spdx)),
        "bare SPDX",
    );
    let mut doc = json(&write(&inventory(), SbomFormat::Spdx));
    doc["packages"][0]["primaryPackagePurpose"] = "OPERATING-SYSTEM".into();
    assert!(!validator.is_valid(&doc));
}

fn assert_round_trip(format: SbomFormat) {
    let original = inventory();
    let back = read_sbom(&write(&original, format))
        .unwrap_or_else(|e| panic!("reading back {format:?}: {e}"));
    assert_eq!(back.packages.len(), original.packages.len());
    for (b, o) in back.packages.iter().zip(&original.packages) {
        assert_eq!(b, o, "{format:?} round trip of {}", o.name);
    }
    assert_eq!(back.os, original.os);
    assert_eq!(back.source, original.source);
    let mut expected = original.artifact.clone();
    expected.kind = ArtifactKind::Sbom;
    assert_eq!(back.artifact, expected);
}

#[test]
fn cyclonedx_round_trip_keeps_the_inventory() {
    assert_round_trip(SbomFormat::CycloneDx);
}

#[test]
fn spdx_round_trip_keeps_the_inventory() {
    assert_round_trip(SbomFormat::Spdx);
}

fn props(component: &Value) -> Vec<(String, String)> {
    component["properties"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or_default().to_string(),
                        p["value"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no component {name}"))
}

#[test]
fn cyclonedx_key_fields() {
    let doc = json(&write(&inventory(), SbomFormat::CycloneDx));
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(
        doc["serialNumber"],
        "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    );
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["metadata"]["timestamp"], "2026-11-24T01:02:03Z");
    assert_eq!(
        doc["metadata"]["tools"]["components"][0],
        serde_json::json!({"type": "application", "name": "palisade", "version": "0.1.0"})
    );
    let image = &doc["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.local/app:1.0");
    assert_eq!(image["version"], CONFIG);
    assert_eq!(image["bom-ref"], format!("image:{CONFIG}"));
    let image_props = props(image);
    assert!(image_props.contains(&(
        "palisade:image:repo-tag".into(),
        "registry.local/app:latest".into()
    )));
    assert!(image_props.contains(&(
        "palisade:image:repo-digest".into(),
        format!("registry.local/app@{MANIFEST}")
    )));

    let os = &doc["components"][0];
    assert_eq!(os["type"], "operating-system");
    assert_eq!(
        (os["name"].as_str(), os["version"].as_str()),
        (Some("debian"), Some("12"))
    );

    let deb = component(&doc, "libstdc++6");
    assert_eq!(deb["type"], "library");
    assert_eq!(
        deb["purl"],
        "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12"
    );
    assert_eq!(deb["bom-ref"], deb["purl"]);
    assert_eq!(
        deb["licenses"],
        serde_json::json!([{"expression": "GPL-3.0-or-later WITH GCC-exception-3.1"}])
    );
    assert_eq!(
        props(deb),
        vec![
            ("palisade:package:ecosystem".to_string(), "deb".to_string()),
            ("palisade:package:source-name".into(), "gcc-12".into()),
            ("palisade:package:source-version".into(), "12.2.0-14".into()),
            ("palisade:package:arch".into(), "amd64".into()),
            ("palisade:layer:diff-id".into(), LAYER0.into()),
            (
                "palisade:location".into(),
                format!("var/lib/dpkg/status@{LAYER0}")
            ),
        ]
    );
    assert_eq!(
        deb["evidence"]["occurrences"][0]["location"],
        "var/lib/dpkg/status"
    );

    assert_eq!(
        component(&doc, "libc6")["licenses"],
        serde_json::json!([
            {"license": {"name": "GPL-2+ with exceptions"}},
            {"license": {"id": "LGPL-2.1-or-later"}}
        ])
    );
    assert_eq!(
        component(&doc, "monolog/monolog")["licenses"],
        serde_json::json!([
            {"license": {"id": "MIT"}},
            {"license": {"name": "BSD-3-Clause OR MIT"}}
        ])
    );
    assert!(component(&doc, "Newtonsoft.Json").get("licenses").is_none());
    assert_eq!(
        component(&doc, "openssl")["purl"],
        "pkg:rpm/debian/openssl@3.0.7-24.el9?arch=x86_64&distro=debian-12&epoch=1"
    );
    assert_eq!(component(&doc, "openssl")["version"], "1:3.0.7-24.el9");
    let maven = component(&doc, "log4j-core");
    assert_eq!(maven["group"], "org.apache.logging.log4j");
    assert_eq!(
        maven["purl"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"
    );
    assert_eq!(component(&doc, "example.com/server")["type"], "application");
    assert_eq!(component(&doc, "stdlib")["type"], "framework");
    assert_eq!(
        component(&doc, "@babel/core")["purl"],
        "pkg:npm/%40babel/core@7.24.0"
    );

    // bom-refs are unique; the duplicate npm package got a counter.
    let refs: Vec<&str> = doc["components"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["bom-ref"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(refs.len(), inventory().packages.len() + 1);
    assert_eq!(refs.iter().collect::<HashSet<_>>().len(), refs.len());
    assert!(refs.contains(&"pkg:npm/%40babel/core@7.24.0#2"));

    let deps = &doc["dependencies"];
    assert_eq!(deps.as_array().map(Vec::len), Some(1));
    assert_eq!(deps[0]["ref"], image["bom-ref"]);
    assert_eq!(
        deps[0]["dependsOn"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>()),
        Some(refs)
    );
}

fn spdx_package<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no package {name}"))
}

#[test]
fn spdx_key_fields() {
    let doc = json(&write(&inventory(), SbomFormat::Spdx));
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "registry.local/app:1.0");
    assert_eq!(
        doc["documentNamespace"],
        "https://spdx.org/spdxdocs/palisade-registry.local-app-1.0-3e671687-395b-41f5-a30f-a58921a69b79"
    );
    assert_eq!(doc["creationInfo"]["created"], "2026-11-24T01:02:03Z");
    assert_eq!(
        doc["creationInfo"]["creators"],
        serde_json::json!(["Tool: palisade-0.1.0"])
    );

    let image = &doc["packages"][0];
    assert_eq!(image["SPDXID"], "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["versionInfo"], CONFIG);
    let os = &doc["packages"][1];
    assert_eq!(os["primaryPackagePurpose"], "OPERATING_SYSTEM");
    assert_eq!(
        (os["name"].as_str(), os["versionInfo"].as_str()),
        (Some("debian"), Some("12"))
    );

    let deb = spdx_package(&doc, "libstdc++6");
    assert_eq!(deb["downloadLocation"], "NOASSERTION");
    assert_eq!(deb["filesAnalyzed"], false);
    assert_eq!(deb["licenseConcluded"], "NOASSERTION");
    assert_eq!(
        deb["licenseDeclared"],
        "GPL-3.0-or-later WITH GCC-exception-3.1"
    );
    assert_eq!(
        deb["externalRefs"],
        serde_json::json!([{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12"
        }])
    );
    assert_eq!(
        deb["sourceInfo"],
        format!("acquired package info from deb metadata: var/lib/dpkg/status (layer {LAYER0})")
    );
    let comments: Vec<&str> = deb["annotations"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["comment"].as_str()).collect())
        .unwrap_or_default();
    assert!(comments.contains(&"palisade:package:ecosystem=deb"));
    assert!(comments.contains(&"palisade:package:source-name=gcc-12"));
    assert_eq!(deb["annotations"][0]["annotator"], "Tool: palisade-0.1.0");
    assert_eq!(deb["annotations"][0]["annotationType"], "OTHER");

    assert_eq!(
        spdx_package(&doc, "libc6")["licenseDeclared"],
        "LicenseRef-GPL-2-with-exceptions AND LGPL-2.1-or-later"
    );
    assert_eq!(
        spdx_package(&doc, "serde")["licenseDeclared"],
        "MIT AND Apache-2.0"
    );
    assert_eq!(
        spdx_package(&doc, "monolog/monolog")["licenseDeclared"],
        "MIT AND (BSD-3-Clause OR MIT)"
    );
    assert_eq!(
        spdx_package(&doc, "requests")["licenseDeclared"],
        "MIT OR Apache-2.0"
    );
    assert_eq!(
        spdx_package(&doc, "Newtonsoft.Json")["licenseDeclared"],
        "NOASSERTION"
    );
    assert_eq!(
        spdx_package(&doc, "rails")["licenseDeclared"],
        "LicenseRef-Custom-see-LICENSE.txt"
    );
    assert_eq!(
        spdx_package(&doc, "stdlib")["primaryPackagePurpose"],
        "FRAMEWORK"
    );
    let extracted: Vec<&str> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["licenseId"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        extracted,
        vec![
            "LicenseRef-BSD-style",
            "LicenseRef-Custom-see-LICENSE.txt",
            "LicenseRef-GPL-2-with-exceptions"
        ]
    );

    // SPDX ids: allowed characters only, unique.
    let ids: Vec<&str> = doc["packages"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["SPDXID"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    for id in &ids {
        let rest = id
            .strip_prefix("SPDXRef-")
            .unwrap_or_else(|| panic!("{id}"));
        assert!(
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "{id}"
        );
    }
    assert!(ids.contains(&"SPDXRef-Package-npm-babel-core-7.24.0-2"));

    let rels = doc["relationships"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    assert_eq!(rels.len(), ids.len());
    assert_eq!(
        rels[0],
        serde_json::json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"})
    );
    assert!(rels[1..]
        .iter()
        .all(|r| r["relationshipType"] == "CONTAINS" && r["spdxElementId"] == "SPDXRef-Image"));
}

#[test]
fn output_is_reproducible() {
    assert_eq!(
        write(&inventory(), SbomFormat::CycloneDx),
        write(&inventory(), SbomFormat::CycloneDx)
    );
    assert_eq!(
        write(&inventory(), SbomFormat::Spdx),
        write(&inventory(), SbomFormat::Spdx)
    );
}

#[test]
fn bad_context_is_rejected() {
    let mut c = ctx();
    c.uuid = "3E671687-395B-41F5-A30F-A58921A69B79".into();
    let mut out = Vec::new();
    let err = write_sbom(&inventory(), SbomFormat::CycloneDx, &c, &mut out);
    assert!(matches!(err, Err(ReportError::InvalidContext(_))));
}

#[test]
fn json_and_table_formats() {
    let inv = inventory();
    let back: Inventory =
        serde_json::from_slice(&write(&inv, SbomFormat::Json)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, inv);
    let table = String::from_utf8(write(&inv, SbomFormat::Table)).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), inv.packages.len() + 1);
    assert!(lines[0].starts_with("NAME "));
    let col = lines[0]
        .find("VERSION")
        .unwrap_or_else(|| panic!("no VERSION column"));
    assert_eq!(&lines[1][col..col + 17], "12.2.0-14+deb12u1");
    assert!(lines[1].contains("gcc-12@12.2.0-14"));
    assert!(lines[1].ends_with("111111111111"));
}

#[test]
fn reads_a_cyclonedx_1_4_document_from_another_tool() {
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "metadata": {
            "tools": [{"vendor": "anchore", "name": "syft", "version": "0.90.0"}],
            "component": {"type": "container", "name": "alpine:3.19", "version": "sha256:abcd"}
        },
        "components": [
            {"type": "library", "name": "busybox", "version": "1.36.1-r15",
             "licenses": [{"license": {"id": "GPL-2.0-only"}}],
             "purl": "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&upstream=busybox&distro=alpine-3.19.0"},
            {"type": "library", "group": "@babel", "name": "core", "version": "7.24.0",
             "purl": "pkg:npm/%40babel/core@7.24.0",
             "licenses": [{"expression": "MIT OR Apache-2.0"}]},
            {"type": "library", "name": "openssl",
             "purl": "pkg:rpm/redhat/openssl@3.0.7-24.el9?epoch=1&arch=x86_64"},
            {"type": "library", "name": "libssl", "version": "1.0", "purl": "pkg:deb/debian/libssl@1.0?upstream=openssl%403.0.11-1"},
            {"type": "library", "name": "commons-io", "group": "commons-io", "version": "2.11.0",
             "purl": "pkg:maven/commons-io/commons-io@2.11.0"},
            {"type": "application", "name": "frame", "components": [
                {"type": "library", "name": "nested", "version": "1", "purl": "pkg:gem/nested@1"}
            ]},
            {"type": "library", "name": "no-purl", "version": "1"},
            {"type": "library", "name": "bad-purl", "version": "1", "purl": "pkg:npm/%zz"},
            {"type": "library", "name": "other", "version": "1", "purl": "pkg:swift/x/other@1"},
            {"type": "operating-system", "name": "alpine", "version": "3.19.0"}
        ]
    });
    let inv = read_sbom(doc.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(inv.artifact.name, "alpine:3.19");
    assert_eq!(inv.artifact.kind, ArtifactKind::Sbom);
    assert_eq!(inv.artifact.config_digest.as_deref(), Some("sha256:abcd"));
    let os = inv.os.unwrap_or_else(|| panic!("no OS"));
    assert_eq!(
        (os.family, os.id.as_str(), os.version_id.as_str()),
        (OsFamily::Alpine, "alpine", "3.19.0")
    );
    let names: Vec<(&str, &str, Ecosystem)> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.ecosystem))
        .collect();
    assert_eq!(
        names,
        vec![
            ("busybox", "1.36.1-r15", Ecosystem::Apk),
            ("@babel/core", "7.24.0", Ecosystem::Npm),
            ("openssl", "1:3.0.7-24.el9", Ecosystem::Rpm),
            ("libssl", "1.0", Ecosystem::Deb),
            ("commons-io", "2.11.0", Ecosystem::Maven),
            ("nested", "1", Ecosystem::RubyGems),
        ]
    );
    let busybox = &inv.packages[0];
    assert_eq!(busybox.arch.as_deref(), Some("x86_64"));
    assert_eq!(busybox.source_name.as_deref(), Some("busybox"));
    assert_eq!(busybox.licenses, vec!["GPL-2.0-only"]);
    assert_eq!(busybox.kind, PackageKind::Os);
    assert_eq!(inv.packages[1].licenses, vec!["MIT OR Apache-2.0"]);
    assert_eq!(inv.packages[3].source_name.as_deref(), Some("openssl"));
    assert_eq!(inv.packages[3].source_version.as_deref(), Some("3.0.11-1"));
    assert_eq!(inv.packages[4].namespace.as_deref(), Some("commons-io"));
}

#[test]
fn reads_an_spdx_2_2_document_from_another_tool() {
    let doc = serde_json::json!({
        "spdxVersion": "SPDX-2.2",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "debian:12",
        "documentNamespace": "https://example.com/debian-12",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: syft-0.90.0"]},
        "packages": [
            {"SPDXID": "SPDXRef-image", "name": "debian:12", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-a", "name": "libc6", "versionInfo": "2.36-9",
             "downloadLocation": "NOASSERTION", "licenseDeclared": "LicenseRef-custom",
             "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl",
                               "referenceLocator": "pkg:deb/debian/libc6@2.36-9?arch=amd64&upstream=glibc"}]},
            {"SPDXID": "SPDXRef-b", "name": "six", "versionInfo": "1.16.0",
             "downloadLocation": "NOASSERTION", "licenseDeclared": "MIT",
             "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl",
                               "referenceLocator": "pkg:pypi/six@1.16.0"}]},
            {"SPDXID": "SPDXRef-c", "name": "no-purl", "downloadLocation": "NOASSERTION"}
        ],
        "hasExtractedLicensingInfos": [{"licenseId": "LicenseRef-custom", "extractedText": "...", "name": "Custom licence"}],
        "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-image"}
        ]
    });
    let inv = read_sbom(doc.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(inv.artifact.name, "debian:12");
    assert_eq!(inv.packages.len(), 2);
    let libc = &inv.packages[0];
    assert_eq!(
        (libc.name.as_str(), libc.version.as_str(), libc.ecosystem),
        ("libc6", "2.36-9", Ecosystem::Deb)
    );
    assert_eq!(libc.arch.as_deref(), Some("amd64"));
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.licenses, vec!["Custom licence"]);
    assert_eq!(inv.packages[1].licenses, vec!["MIT"]);
    assert_eq!(inv.packages[1].ecosystem, Ecosystem::PyPI);
}

#[test]
fn bad_input_gives_clear_errors_without_panicking() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "not valid JSON"),
        (b"\xff\xfe garbage".to_vec(), "not valid JSON"),
        (b"<?xml version=\"1.0\"?><bom/>".to_vec(), "XML"),
        (b"[1, 2]".to_vec(), "not valid JSON"),
        (b"{}".to_vec(), "neither a CycloneDX"),
        (br#"{"bomFormat": "SWID"}"#.to_vec(), "bomFormat"),
        (
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.2"}"#.to_vec(),
            "unsupported CycloneDX version",
        ),
        (
            br#"{"spdxVersion": "SPDX-3.0"}"#.to_vec(),
            "unsupported SPDX version",
        ),
        (
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}}"#.to_vec(),
            "malformed CycloneDX",
        ),
        (
            br#"{"spdxVersion": "SPDX-2.3", "packages": [{"name": 5}]}"#.to_vec(),
            "malformed SPDX",
        ),
    ];
    for (input, expected) in cases {
        match read_sbom(&input) {
            Ok(_) => panic!("{:?} was accepted", String::from_utf8_lossy(&input)),
            Err(e) => assert!(
                e.to_string().contains(expected),
                "{:?}: {e} (expected {expected:?})",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    // Deep nesting hits serde_json's recursion limit instead of the stack.
    let mut deep =
        String::from(r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ["#);
    for _ in 0..10_000 {
        deep.push_str(r#"{"type": "library", "name": "x", "components": ["#);
    }
    for _ in 0..10_000 {
        deep.push_str("]}");
    }
    deep.push_str("]}");
    assert!(read_sbom(deep.as_bytes()).is_err());
}

#[test]
fn corrupted_documents_never_panic() {
    for format in [SbomFormat::CycloneDx, SbomFormat::Spdx] {
        let bytes = write(&inventory(), format);
        let step = (bytes.len() / 300).max(1);
        for i in (0..bytes.len()).step_by(step) {
            let _ = read_sbom(&bytes[..i]);
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x20;
            let _ = read_sbom(&flipped);
        }
        // Valid JSON with hostile values: every string replaced by odd purls and paths.
        let mut doc = json(&bytes);
        for key in [
            "metadata",
            "components",
            "packages",
            "hasExtractedLicensingInfos",
        ] {
            if let Some(part) = doc.get_mut(key) {
                poison(part);
            }
        }
        let inv = read_sbom(doc.to_string().as_bytes());
        assert!(inv.is_ok(), "{format:?}: {inv:?}");
    }
}

fn poison(v: &mut Value) {
    const ODD: [&str; 6] = [
        "pkg:",
        "pkg:npm/%",
        "pkg:deb/@@@?a",
        "@",
        "palisade:location=@",
        "é%C3",
    ];
    match v {
        Value::String(s) => {
            let pick = s.len() % ODD.len();
            *s = ODD[pick].to_string();
        }
        Value::Array(a) => a.iter_mut().for_each(poison),
        Value::Object(o) => o.values_mut().for_each(poison),
        _ => {}
    }
}
