//! Java archives: `*.jar`, `*.war`, `*.ear`, `*.par`, `*.sar`, `*.jpi`, `*.hpi` (zip files),
//! and the archives nested in them (`WEB-INF/lib/*.jar`, Spring Boot `BOOT-INF/lib/*.jar`,
//! ear modules), up to four levels deep.
//!
//! Why it matters: Java applications ship their libraries as jars inside the image, often inside
//! a war or a fat jar; Log4Shell-style vulnerabilities are found only by looking inside them.
//!
//! What identifies a package, in order:
//! 1. every `META-INF/maven/<groupId>/<artifactId>/pom.properties` (written by Maven when it
//!    builds the jar; a shaded jar carries one per library it swallowed):
//!    ```text
//!    #Created by Apache Maven 3.6.3
//!    groupId=org.codehaus.plexus
//!    artifactId=plexus-cipher
//!    version=2.0
//!    ```
//!    groupId → `namespace`, artifactId → `name`;
//! 2. else the main section of `META-INF/MANIFEST.MF`: `Implementation-Title` or
//!    `Bundle-SymbolicName` → name, `Implementation-Version` or `Bundle-Version` → version,
//!    `Implementation-Vendor-Id` → namespace; whatever is missing is taken from the file name;
//! 3. else the file name, `name-1.2.3.jar` (the version starts at the first `-` followed by a
//!    digit).
//!
//! Locations: the archive's image path, with `!` before each path inside an archive
//! (`opt/app.ear!webapp.war!WEB-INF/lib/greeter.jar`). The packages of a top-level war or ear's
//! own metadata are kind Application.
//!
//! Limits (zip bombs): metadata entries over 1 MiB are ignored, nested archives over 64 MiB are
//! not opened, and one top-level file may decompress at most 512 MiB in total.
//!
//! References: <https://maven.apache.org/shared/maven-archiver/>,
//! <https://docs.oracle.com/en/java/javase/17/docs/specs/jar/jar.html> (manifest format),
//! Syft `syft/pkg/cataloger/java/archive_parser.go`.

use std::io::{Cursor, Read};

use palisade_model::{Ecosystem, Package, PackageKind};

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct Java;

const EXTENSIONS: &[&str] = &[".jar", ".war", ".ear", ".par", ".sar", ".jpi", ".hpi"];
/// Archives nested deeper than this (the top level is depth 0) are not opened.
const MAX_DEPTH: usize = 4;
const MAX_METADATA_ENTRY: u64 = 1024 * 1024;
const MAX_NESTED_ARCHIVE: u64 = 64 * 1024 * 1024;
const MAX_TOTAL_DECOMPRESSED: u64 = 512 * 1024 * 1024;

impl Cataloger for Java {
    fn id(&self) -> &'static str {
        "java"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        is_java_archive(file.file_name())
    }

    fn max_size(&self) -> u64 {
        256 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let mut scan = Scan {
            budget: MAX_TOTAL_DECOMPRESSED,
            packages: Vec::new(),
        };
        scan.archive(content, path, 0)
            .map_err(|e| CatalogError::new(self.id(), path, e))?;
        Ok(Found::packages(scan.packages))
    }
}

fn is_java_archive(name: &str) -> bool {
    let bytes = name.as_bytes();
    EXTENSIONS.iter().any(|ext| {
        bytes.len() > ext.len()
            && bytes
                .get(bytes.len() - ext.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(ext.as_bytes()))
    })
}

struct Scan {
    /// Decompressed bytes still allowed for this top-level file.
    budget: u64,
    packages: Vec<Package>,
}

impl Scan {
    /// Reads one archive; `location` is its full location (image path, `!` inner paths).
    fn archive(&mut self, bytes: &[u8], location: &str, depth: usize) -> Result<(), String> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("not a readable zip archive: {e}"))?;

        let mut poms: Vec<String> = Vec::new();
        let mut manifest: Option<String> = None;
        let mut nested: Vec<(usize, String)> = Vec::new();
        for i in 0..zip.len() {
            let Ok(entry) = zip.by_index_raw(i) else {
                continue;
            };
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().to_string();
            drop(entry);
            if is_pom_properties(&name) {
                if let Some(text) = self.read_text(&mut zip, i) {
                    poms.push(text);
                }
            } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                manifest = self.read_text(&mut zip, i);
            } else if is_java_archive(&name) {
                nested.push((i, name));
            }
        }

        let file_name = location.rsplit(['/', '!']).next().unwrap_or(location);
        let own_kind = if depth == 0 && is_application(file_name) {
            PackageKind::Application
        } else {
            PackageKind::Library
        };
        let from_poms: Vec<Package> = poms
            .iter()
            .filter_map(|text| from_pom_properties(text, location))
            .collect();
        // Only pom.properties of shaded libraries (guice.jar carries cglib's) and a manifest
        // that names a version: the archive itself is reported from its manifest as well.
        let shaded_only = !from_poms.is_empty()
            && !has_own_pom(&from_poms, manifest.as_deref(), file_name)
            && manifest_id(manifest.as_deref(), file_name)
                .version
                .is_some();
        let from_manifest = if from_poms.is_empty() || shaded_only {
            from_manifest_or_name(manifest.as_deref(), file_name, location)
        } else {
            None
        };
        let poms_kind = if shaded_only {
            PackageKind::Library
        } else {
            own_kind
        };
        for mut pkg in from_poms {
            pkg.kind = poms_kind;
            self.packages.push(pkg);
        }
        if let Some(mut pkg) = from_manifest {
            pkg.kind = own_kind;
            self.packages.push(pkg);
        }

        if depth >= MAX_DEPTH {
            if !nested.is_empty() {
                tracing::debug!(location, "java archives nested too deep, not opened");
            }
            return Ok(());
        }
        for (i, name) in nested {
            let inner_location = format!("{location}!{name}");
            let Some(inner) = self.read_entry(&mut zip, i, MAX_NESTED_ARCHIVE) else {
                tracing::debug!(
                    location = inner_location,
                    "nested archive not read (size limits)"
                );
                continue;
            };
            if let Err(e) = self.archive(&inner, &inner_location, depth + 1) {
                tracing::debug!(
                    location = inner_location,
                    error = e,
                    "nested archive skipped"
                );
            }
        }
        Ok(())
    }

    fn read_text(&mut self, zip: &mut zip::ZipArchive<Cursor<&[u8]>>, i: usize) -> Option<String> {
        let bytes = self.read_entry(zip, i, MAX_METADATA_ENTRY)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The decompressed entry, or `None` when it is unreadable or bigger than `cap` or than
    /// the remaining budget. The declared size is not trusted: reading stops at the cap.
    fn read_entry(
        &mut self,
        zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
        i: usize,
        cap: u64,
    ) -> Option<Vec<u8>> {
        let limit = cap.min(self.budget);
        let entry = zip.by_index(i).ok()?;
        if entry.size() > limit {
            return None;
        }
        let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        let read = entry.take(limit.saturating_add(1)).read_to_end(&mut out);
        self.budget = self.budget.saturating_sub(out.len() as u64);
        match read {
            Ok(n) if (n as u64) <= limit => Some(out),
            _ => None,
        }
    }
}

fn is_application(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower.ends_with(".war") || lower.ends_with(".ear")
}

/// `META-INF/maven/<group>/<artifact>/pom.properties`.
fn is_pom_properties(name: &str) -> bool {
    name.strip_prefix("META-INF/maven/")
        .and_then(|rest| rest.strip_suffix("/pom.properties"))
        .is_some_and(|middle| middle.split('/').count() == 2)
}

/// Java `.properties` lines: `key=value` or `key: value`, `#`/`!` comments.
fn properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let at = l.find(['=', ':'])?;
            Some((l.get(..at)?.trim(), l.get(at + 1..)?.trim()))
        })
        .collect()
}

fn from_pom_properties(text: &str, location: &str) -> Option<Package> {
    let props = properties(text);
    let get = |key: &str| {
        props
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty())
    };
    let artifact = get("artifactId")?;
    let version = get("version")?;
    let mut pkg = Package::new(artifact, version, Ecosystem::Maven, location);
    pkg.namespace = get("groupId").map(str::to_string);
    Some(pkg)
}

/// The main section of a manifest: `Key: value`, continuation lines start with one space.
fn manifest_main(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, value)) = out.last_mut() {
                value.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// What the manifest's main section says about the archive itself.
struct ManifestId {
    name: Option<String>,
    version: Option<String>,
    vendor_id: Option<String>,
}

fn manifest_id(manifest: Option<&str>, file_name: &str) -> ManifestId {
    let main = manifest.map(manifest_main).unwrap_or_default();
    let get = |key: &str| {
        main.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let title = get("Implementation-Title");
    let symbolic = get("Bundle-SymbolicName")
        .map(|s| s.split(';').next().unwrap_or(s).trim())
        .filter(|s| !s.is_empty());
    let (file_stem_name, _) = split_file_name(file_name);
    // A title without spaces is an artifact-like name; "Apache Commons Lang" is a last resort.
    let name = title
        .filter(|t| !t.contains(char::is_whitespace))
        .or(symbolic)
        .or(file_stem_name)
        .or(title)
        .or_else(|| get("Bundle-Name"));
    ManifestId {
        name: name.map(str::to_string),
        version: get("Implementation-Version")
            .or_else(|| get("Bundle-Version"))
            .map(str::to_string),
        vendor_id: get("Implementation-Vendor-Id").map(str::to_string),
    }
}

fn from_manifest_or_name(
    manifest: Option<&str>,
    file_name: &str,
    location: &str,
) -> Option<Package> {
    let id = manifest_id(manifest, file_name);
    let name = id.name?;
    let version = id
        .version
        .or_else(|| split_file_name(file_name).1.map(str::to_string))
        .unwrap_or_default();
    let mut pkg = Package::new(name, version, Ecosystem::Maven, location);
    pkg.namespace = id.vendor_id;
    Some(pkg)
}

/// Whether one of the pom.properties packages is the archive itself rather than a library
/// shaded into it: its artifactId is in the file name, or its version is the manifest's.
fn has_own_pom(poms: &[Package], manifest: Option<&str>, file_name: &str) -> bool {
    let stem = file_name.to_ascii_lowercase();
    let id = manifest_id(manifest, file_name);
    poms.iter().any(|p| {
        stem.contains(&p.name.to_ascii_lowercase())
            || id.version.as_deref() == Some(p.version.as_str())
    })
}

/// `commons-lang3-3.12.0.jar` → (`commons-lang3`, `3.12.0`); `guava-31.1-jre.jar` →
/// (`guava`, `31.1-jre`); `app.jar` → (`app`, none).
fn split_file_name(file_name: &str) -> (Option<&str>, Option<&str>) {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
    let bytes = stem.as_bytes();
    let split = (0..bytes.len())
        .find(|&i| bytes.get(i) == Some(&b'-') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
    let (name, version) = match split {
        Some(i) => (stem.get(..i), stem.get(i + 1..)),
        None => (Some(stem), None),
    };
    (
        name.filter(|s| !s.is_empty()),
        version.filter(|s| !s.is_empty()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(rel: &str) -> Vec<Package> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/java")
            .join(rel);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        Java.catalog(&format!("opt/app/{rel}"), &bytes)
            .unwrap()
            .packages
    }

    type Row<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, PackageKind);

    fn rows(pkgs: &[Package]) -> Vec<Row<'_>> {
        pkgs.iter()
            .map(|p| {
                assert_eq!(p.ecosystem, Ecosystem::Maven);
                (
                    p.locations[0].path.as_str(),
                    p.namespace.as_deref(),
                    p.name.as_str(),
                    p.version.as_str(),
                    p.kind,
                )
            })
            .collect()
    }

    use PackageKind::{Application as App, Library as Lib};

    #[test]
    fn wants_java_archives() {
        let wants = |path| {
            Java.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        for p in [
            "a/b.jar",
            "x.WAR",
            "app.ear",
            "p.par",
            "s.sar",
            "plugins/git.jpi",
            "h.hpi",
        ] {
            assert!(wants(p), "{p}");
        }
        for p in ["a/b.zip", "jar", "a/.jar/x", "b.jar.sha1", "a/.jar"] {
            assert!(!wants(p), "{p}");
        }
    }

    #[test]
    fn pom_properties_jar() {
        assert_eq!(
            rows(&catalog("plexus-cipher-2.0.jar")),
            vec![(
                "opt/app/plexus-cipher-2.0.jar",
                Some("org.codehaus.plexus"),
                "plexus-cipher",
                "2.0",
                Lib
            )]
        );
    }

    #[test]
    fn manifest_only_jars() {
        assert_eq!(
            rows(&catalog("javax.inject-1.jar")),
            vec![(
                "opt/app/javax.inject-1.jar",
                None,
                "javax.inject",
                "1.0.0",
                Lib
            )]
        );
        assert_eq!(
            rows(&catalog("greeter.jar")),
            vec![(
                "opt/app/greeter.jar",
                Some("com.example"),
                "greeter",
                "2.4.1",
                Lib
            )]
        );
    }

    #[test]
    fn shaded_pom_only_adds_the_manifest_identity() {
        assert_eq!(
            rows(&catalog("toolkit.jar")),
            vec![
                ("opt/app/toolkit.jar", Some("cglib"), "cglib", "3.2.12", Lib),
                (
                    "opt/app/toolkit.jar",
                    None,
                    "org.example.toolkit",
                    "1.4.0",
                    Lib
                ),
            ]
        );
    }

    #[test]
    fn file_name_only_jar() {
        assert_eq!(
            rows(&catalog("mystery-lib-0.9.1.jar")),
            vec![(
                "opt/app/mystery-lib-0.9.1.jar",
                None,
                "mystery-lib",
                "0.9.1",
                Lib
            )]
        );
    }

    #[test]
    fn war_and_ear_nesting() {
        let war = "opt/app/webapp.war";
        assert_eq!(
            rows(&catalog("webapp.war")),
            vec![
                (war, Some("com.example"), "webapp", "1.0.0", App),
                (
                    "opt/app/webapp.war!WEB-INF/lib/greeter.jar",
                    Some("com.example"),
                    "greeter",
                    "2.4.1",
                    Lib
                ),
                (
                    "opt/app/webapp.war!WEB-INF/lib/javax.inject-1.jar",
                    None,
                    "javax.inject",
                    "1.0.0",
                    Lib
                ),
                (
                    "opt/app/webapp.war!WEB-INF/lib/mystery-lib-0.9.1.jar",
                    None,
                    "mystery-lib",
                    "0.9.1",
                    Lib
                ),
                (
                    "opt/app/webapp.war!WEB-INF/lib/plexus-cipher-2.0.jar",
                    Some("org.codehaus.plexus"),
                    "plexus-cipher",
                    "2.0",
                    Lib
                ),
            ]
        );
        let ear = catalog("app.ear");
        let got = rows(&ear);
        // The ear itself has only a manifest without a title: its name comes from the file.
        assert_eq!(got[0], ("opt/app/app.ear", None, "app", "", App));
        assert_eq!(
            got[1],
            (
                "opt/app/app.ear!webapp.war",
                Some("com.example"),
                "webapp",
                "1.0.0",
                Lib
            )
        );
        assert_eq!(
            got[5],
            (
                "opt/app/app.ear!webapp.war!WEB-INF/lib/plexus-cipher-2.0.jar",
                Some("org.codehaus.plexus"),
                "plexus-cipher",
                "2.0",
                Lib
            )
        );
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn nesting_stops_at_depth_four() {
        let got = catalog("deep.jar");
        let names: Vec<_> = got
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("level0", "1.0.0"),
                ("level1", "1.0.1"),
                ("level2", "1.0.2"),
                ("level3", "1.0.3"),
                ("level4", "1.0.4"),
            ]
        );
        assert_eq!(
            got[4].locations[0].path,
            "opt/app/deep.jar!lib/level1-1.0.1.jar!lib/level2-1.0.2.jar!lib/level3-1.0.3.jar!lib/level4-1.0.4.jar"
        );
    }

    #[test]
    fn zip_bomb_is_capped() {
        // A 64 MiB manifest and a 300 MiB nested jar, both deflated to a few hundred KiB.
        let got = catalog("bomb-1.0.jar");
        assert_eq!(
            rows(&got),
            vec![("opt/app/bomb-1.0.jar", None, "bomb", "1.0", Lib)]
        );
    }

    #[test]
    fn lying_entry_sizes_are_not_trusted() {
        // Both entries claim 100 bytes but inflate to 32 MiB and 100 MiB.
        let got = catalog("liar-3.0.jar");
        assert_eq!(
            rows(&got),
            vec![("opt/app/liar-3.0.jar", None, "liar", "3.0", Lib)]
        );
        assert_eq!(got[0].locations[0].path, "opt/app/liar-3.0.jar");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Java.catalog("a.jar", b"").is_err());
        assert!(Java.catalog("a.jar", b"PK\x03\x04garbage").is_err());
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/java/webapp.war"),
        )
        .unwrap();
        for len in [10, 100, 1000, bytes.len() / 2, bytes.len() - 10] {
            let _ = Java.catalog("a.war", bytes.get(..len).unwrap());
        }
    }

    #[test]
    fn file_names_and_manifests() {
        assert_eq!(
            split_file_name("commons-lang3-3.12.0.jar"),
            (Some("commons-lang3"), Some("3.12.0"))
        );
        assert_eq!(
            split_file_name("guava-31.1-jre.jar"),
            (Some("guava"), Some("31.1-jre"))
        );
        assert_eq!(split_file_name("app.jar"), (Some("app"), None));
        assert_eq!(split_file_name("-1.0.jar"), (None, Some("1.0")));
        let m = "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.very.long.na\r\n me;singleton:=true\r\nBundle-Version: 3.2.1.v2020\r\n\r\nName: x\r\nImplementation-Title: nope\r\n";
        let pkg = from_manifest_or_name(Some(m), "x.jar", "x.jar").unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("org.example.very.long.name", "3.2.1.v2020")
        );
        let m = "Implementation-Title: Apache Commons Lang\nImplementation-Version: 3.12.0\nBundle-SymbolicName: org.apache.commons.lang3\n";
        let pkg = from_manifest_or_name(Some(m), "commons-lang3.jar", "x").unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("org.apache.commons.lang3", "3.12.0")
        );
        let m = "Implementation-Title: Apache Commons Lang\n";
        let pkg = from_manifest_or_name(Some(m), "commons-lang3-3.12.0.jar", "x").unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("commons-lang3", "3.12.0")
        );
        assert!(is_pom_properties("META-INF/maven/g/a/pom.properties"));
        assert!(!is_pom_properties("META-INF/maven/g/pom.properties"));
        assert!(!is_pom_properties("x/META-INF/maven/g/a/pom.properties"));
    }
}
