//! Reading SBOMs back into an [`Inventory`]: CycloneDX 1.4–1.6 JSON and SPDX 2.2/2.3 JSON.
//!
//! Packages come from CycloneDX components / SPDX packages through their purl (type → ecosystem,
//! percent-decoded namespace, name, version and qualifiers), licences, and the `palisade:`
//! properties or annotations our own writers add (see `props.rs`), which make a write → read round
//! trip exact. The operating system comes from the `operating-system` component (CycloneDX) or the
//! OPERATING_SYSTEM package (SPDX). Components or packages whose ecosystem cannot be told are
//! skipped. The input is untrusted: it is size-capped, parsed by serde_json (whose recursion limit
//! caps nesting), and no part of it can make the reader panic.

use palisade_model::{
    Artifact, ArtifactKind, Ecosystem, Inventory, Location, OsFamily, OsInfo, Package, PackageKind,
};
use serde::Deserialize;

use crate::cyclonedx::{Bom, Component};
use crate::props::{self, ecosystem_from_str, PropBag};
use crate::purl::Purl;
use crate::spdx::{Document, SpdxPackage, NOASSERTION};
use crate::ReportError;

/// The largest SBOM [`read_sbom`] accepts, in bytes.
pub const MAX_SBOM_BYTES: usize = 512 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    bom_format: Option<String>,
    #[serde(default)]
    spec_version: Option<String>,
    #[serde(default)]
    spdx_version: Option<String>,
}

/// Reads a CycloneDX (1.4, 1.5, 1.6) or SPDX (2.2, 2.3) JSON document into an inventory.
///
/// The artifact's kind is [`ArtifactKind::Sbom`]; its `source` is the one recorded by Palisade,
/// or empty (the caller knows which file it read).
pub fn read_sbom(bytes: &[u8]) -> Result<Inventory, ReportError> {
    if bytes.len() > MAX_SBOM_BYTES {
        return Err(ReportError::TooLarge {
            size: bytes.len(),
            limit: MAX_SBOM_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return Err(ReportError::UnknownFormat(
            "this looks like XML; only the JSON forms of CycloneDX and SPDX are supported".into(),
        ));
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(ReportError::NotJson)?;
    match (probe.bom_format.as_deref(), probe.spdx_version.as_deref()) {
        (Some("CycloneDX"), _) => {
            let version = probe.spec_version.unwrap_or_default();
            if !matches!(version.as_str(), "1.4" | "1.5" | "1.6") {
                return Err(ReportError::UnsupportedVersion {
                    format: "CycloneDX",
                    version,
                    supported: "1.4, 1.5, 1.6",
                });
            }
            let bom: Bom =
                serde_json::from_slice(bytes).map_err(|source| ReportError::Malformed {
                    format: "CycloneDX",
                    source,
                })?;
            Ok(from_cyclonedx(bom))
        }
        (_, Some(version)) => {
            if !matches!(version, "SPDX-2.2" | "SPDX-2.3") {
                return Err(ReportError::UnsupportedVersion {
                    format: "SPDX",
                    version: version.to_string(),
                    supported: "SPDX-2.2, SPDX-2.3",
                });
            }
            let doc: Document =
                serde_json::from_slice(bytes).map_err(|source| ReportError::Malformed {
                    format: "SPDX",
                    source,
                })?;
            Ok(from_spdx(doc))
        }
        (Some(other), None) => Err(ReportError::UnknownFormat(format!(
            "bomFormat is {other:?}, expected \"CycloneDX\""
        ))),
        (None, None) => Err(ReportError::UnknownFormat(
            "neither a CycloneDX document (bomFormat) nor an SPDX document (spdxVersion)".into(),
        )),
    }
}

/// What both formats give for one package.
struct Candidate<'a> {
    name: &'a str,
    version: Option<&'a str>,
    group: Option<&'a str>,
    purl: Option<&'a str>,
    props: PropBag<'a>,
    licenses: Vec<String>,
    kind: Option<PackageKind>,
    evidence: Vec<String>,
}

fn ecosystem_for_purl_type(ty: &str) -> Option<Ecosystem> {
    Some(match ty {
        "deb" => Ecosystem::Deb,
        "apk" => Ecosystem::Apk,
        "rpm" => Ecosystem::Rpm,
        "pypi" => Ecosystem::PyPI,
        "npm" => Ecosystem::Npm,
        "golang" => Ecosystem::Go,
        "maven" => Ecosystem::Maven,
        "cargo" => Ecosystem::Cargo,
        "gem" => Ecosystem::RubyGems,
        "composer" => Ecosystem::Packagist,
        "nuget" => Ecosystem::NuGet,
        _ => return None,
    })
}

fn to_package(c: Candidate<'_>) -> Option<Package> {
    let purl = c.purl.and_then(Purl::parse);
    let ours = c
        .props
        .first(props::ECOSYSTEM)
        .and_then(|e| ecosystem_from_str(&e));
    let ecosystem = ours.or_else(|| purl.as_ref().and_then(|p| ecosystem_for_purl_type(&p.ty)))?;
    let scoped = matches!(
        ecosystem,
        Ecosystem::Npm | Ecosystem::Packagist | Ecosystem::Go
    );
    let name = match &purl {
        Some(p)
            if ours.is_none()
                && (c.name.is_empty()
                    || (scoped && !c.name.contains('/') && !p.namespace.is_empty())) =>
        {
            if scoped && !p.namespace.is_empty() {
                format!("{}/{}", p.namespace.join("/"), p.name)
            } else {
                p.name.clone()
            }
        }
        _ => c.name.to_string(),
    };
    if name.is_empty() {
        return None;
    }
    let version = match c.version.filter(|v| !v.is_empty()) {
        Some(v) => v.to_string(),
        None => match purl.as_ref().and_then(|p| p.version.clone()) {
            Some(v) => match (ecosystem, purl.as_ref().and_then(|p| p.qualifier("epoch"))) {
                (Ecosystem::Rpm, Some(epoch)) => format!("{epoch}:{v}"),
                _ => v,
            },
            None => String::new(),
        },
    };
    let namespace = if ecosystem == Ecosystem::Maven {
        c.group.map(str::to_string).or_else(|| {
            purl.as_ref()
                .filter(|p| !p.namespace.is_empty())
                .map(|p| p.namespace.join("/"))
        })
    } else {
        None
    };

    let mut source_name = c.props.first(props::SOURCE_NAME);
    let mut source_version = c.props.first(props::SOURCE_VERSION);
    let mut arch = c.props.first(props::ARCH);
    let mut locations: Vec<Location> = c
        .props
        .all(props::LOCATION)
        .iter()
        .map(|v| props::parse_location(v))
        .collect();
    if ours.is_none() {
        // Another tool's document: take what the purl and the evidence say.
        if let Some(p) = &purl {
            if matches!(ecosystem, Ecosystem::Deb | Ecosystem::Apk) {
                if let Some(up) = p.qualifier("upstream") {
                    match up.split_once('@') {
                        Some((n, v)) => {
                            source_name = Some(n.to_string());
                            source_version = Some(v.to_string());
                        }
                        None => source_name = Some(up.to_string()),
                    }
                }
            }
            if arch.is_none() {
                arch = p.qualifier("arch").map(str::to_string);
            }
        }
        if locations.is_empty() {
            locations = c
                .evidence
                .into_iter()
                .map(|path| Location { path, layer: None })
                .collect();
        }
    }
    let kind = c.kind.unwrap_or(if ecosystem.is_os() {
        PackageKind::Os
    } else {
        PackageKind::Library
    });
    Some(Package {
        name,
        version,
        ecosystem,
        kind,
        purl: c.purl.unwrap_or_default().to_string(),
        source_name,
        source_version,
        arch,
        licenses: c.licenses,
        namespace,
        locations,
        introduced_by: c.props.first(props::LAYER_DIFF_ID),
    })
}

fn os_info(
    name: &str,
    version: Option<&str>,
    description: Option<&str>,
    props: &PropBag<'_>,
) -> OsInfo {
    let version_id = version.unwrap_or_default().to_string();
    OsInfo {
        family: props
            .os_family()
            .unwrap_or_else(|| OsFamily::from_os_release_id(name)),
        id: name.to_string(),
        codename: props.first(props::OS_CODENAME),
        pretty_name: props
            .first(props::OS_PRETTY_NAME)
            .or_else(|| description.map(str::to_string))
            .unwrap_or_else(|| format!("{name} {version_id}").trim().to_string()),
        source_path: props.first(props::OS_SOURCE_PATH).unwrap_or_default(),
        version_id,
    }
}

/// The artifact and the inventory `source` from the image's properties.
fn artifact(name: &str, version: Option<&str>, props: &PropBag<'_>) -> (Artifact, String) {
    let ours = props.has_prefix("palisade:image:");
    let config_digest = props.first(props::IMAGE_CONFIG_DIGEST).or_else(|| {
        version
            .filter(|v| !ours && v.starts_with("sha256:"))
            .map(str::to_string)
    });
    (
        Artifact {
            name: name.to_string(),
            kind: ArtifactKind::Sbom,
            manifest_digest: props.first(props::IMAGE_MANIFEST_DIGEST),
            config_digest,
            repo_tags: props.all(props::IMAGE_REPO_TAG),
            repo_digests: props.all(props::IMAGE_REPO_DIGEST),
            architecture: props.first(props::IMAGE_ARCHITECTURE),
            os: props.first(props::IMAGE_OS),
            layers: props.layers(),
        },
        props.first(props::IMAGE_SOURCE).unwrap_or_default(),
    )
}

fn cdx_props(c: &Component) -> PropBag<'_> {
    PropBag::new(
        c.properties
            .iter()
            .filter_map(|p| p.value.as_deref().map(|v| (p.name.as_str(), v)))
            .collect(),
    )
}

fn from_cyclonedx(bom: Bom) -> Inventory {
    let image = bom.metadata.and_then(|m| m.component);
    let (artifact, source) = match &image {
        Some(c) => artifact(&c.name, c.version.as_deref(), &cdx_props(c)),
        None => artifact("", None, &PropBag::new(Vec::new())),
    };
    let mut flat: Vec<&Component> = Vec::new();
    for c in &bom.components {
        flatten(c, &mut flat);
    }
    let mut os = None;
    let mut packages = Vec::new();
    for c in flat {
        let props = cdx_props(c);
        if c.ty == "operating-system" {
            if os.is_none() {
                os = Some(os_info(
                    &c.name,
                    c.version.as_deref(),
                    c.description.as_deref(),
                    &props,
                ));
            }
            continue;
        }
        let licenses = c
            .licenses
            .iter()
            .filter_map(|l| {
                l.expression.clone().or_else(|| {
                    l.license
                        .as_ref()
                        .and_then(|l| l.id.clone().or_else(|| l.name.clone()))
                })
            })
            .collect();
        let candidate = Candidate {
            name: &c.name,
            version: c.version.as_deref(),
            group: c.group.as_deref(),
            purl: c.purl.as_deref(),
            props,
            licenses,
            kind: match c.ty.as_str() {
                "application" => Some(PackageKind::Application),
                "framework" => Some(PackageKind::Runtime),
                _ => None,
            },
            evidence: c
                .evidence
                .iter()
                .flat_map(|e| e.occurrences.iter().map(|o| o.location.clone()))
                .collect(),
        };
        if let Some(p) = to_package(candidate) {
            packages.push(p);
        }
    }
    Inventory {
        source,
        artifact,
        os,
        packages,
    }
}

/// Depth-first, in document order; serde's recursion limit bounds the depth.
fn flatten<'a>(c: &'a Component, out: &mut Vec<&'a Component>) {
    out.push(c);
    for child in &c.components {
        flatten(child, out);
    }
}

fn spdx_props(p: &SpdxPackage) -> PropBag<'_> {
    PropBag::new(
        p.annotations
            .iter()
            .filter(|a| a.comment.starts_with("palisade:"))
            .filter_map(|a| a.comment.split_once('='))
            .collect(),
    )
}

fn from_spdx(doc: Document) -> Inventory {
    let described: Vec<&str> = doc
        .relationships
        .iter()
        .filter(|r| r.spdx_element_id == doc.spdx_id && r.relationship_type == "DESCRIBES")
        .map(|r| r.related_spdx_element.as_str())
        .collect();
    let image_index = doc
        .packages
        .iter()
        .position(|p| p.primary_package_purpose.as_deref() == Some("CONTAINER"))
        .or_else(|| {
            doc.packages
                .iter()
                .position(|p| described.contains(&p.spdx_id.as_str()) && !has_purl_of_known_type(p))
        });
    let (artifact, source) = match image_index.and_then(|i| doc.packages.get(i)) {
        Some(p) => artifact(&p.name, p.version_info.as_deref(), &spdx_props(p)),
        None => artifact(&doc.name, None, &PropBag::new(Vec::new())),
    };
    let extracted_name = |id: &str| -> Option<String> {
        doc.has_extracted_licensing_infos
            .iter()
            .find(|e| e.license_id == id)
            .map(|e| e.name.clone().unwrap_or_else(|| e.license_id.clone()))
    };

    let mut os = None;
    let mut packages = Vec::new();
    for (i, p) in doc.packages.iter().enumerate() {
        if Some(i) == image_index {
            continue;
        }
        let props = spdx_props(p);
        let purpose = p.primary_package_purpose.as_deref().unwrap_or_default();
        if purpose == "OPERATING_SYSTEM" || purpose == "OPERATING-SYSTEM" {
            if os.is_none() {
                os = Some(os_info(
                    &p.name,
                    p.version_info.as_deref(),
                    p.description.as_deref(),
                    &props,
                ));
            }
            continue;
        }
        let mut licenses = props.all(props::LICENSE);
        if licenses.is_empty() {
            if let Some(declared) = p
                .license_declared
                .as_deref()
                .filter(|d| !d.is_empty() && *d != NOASSERTION && *d != "NONE")
            {
                licenses.push(extracted_name(declared).unwrap_or_else(|| declared.to_string()));
            }
        }
        let candidate = Candidate {
            name: &p.name,
            version: p.version_info.as_deref(),
            group: None,
            purl: purl_ref(p),
            props,
            licenses,
            kind: match purpose {
                "APPLICATION" => Some(PackageKind::Application),
                "FRAMEWORK" => Some(PackageKind::Runtime),
                _ => None,
            },
            evidence: Vec::new(),
        };
        if let Some(pkg) = to_package(candidate) {
            packages.push(pkg);
        }
    }
    Inventory {
        source,
        artifact,
        os,
        packages,
    }
}

fn purl_ref(p: &SpdxPackage) -> Option<&str> {
    p.external_refs
        .iter()
        .find(|r| r.reference_type == "purl")
        .map(|r| r.reference_locator.as_str())
}

fn has_purl_of_known_type(p: &SpdxPackage) -> bool {
    purl_ref(p)
        .and_then(Purl::parse)
        .and_then(|u| ecosystem_for_purl_type(&u.ty))
        .is_some()
}
