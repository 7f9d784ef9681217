//! SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): our own serde types, the writer, and
//! the subset the reader (`read.rs`) needs, which also accepts SPDX 2.2.
//!
//! The document DESCRIBES the image package (purpose CONTAINER), which CONTAINS the operating
//! system package (OPERATING_SYSTEM, the JSON schema's spelling) and every package. Each package
//! has its purl as a PACKAGE-MANAGER external reference, a declared licence that is a valid SPDX
//! expression (free-text licences become `LicenseRef-` ids with `hasExtractedLicensingInfos`), and
//! `palisade:` annotations (see `props.rs`) so the inventory reads back exactly.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use palisade_model::{Inventory, Package, PackageKind};
use serde::{Deserialize, Serialize};

use crate::license::{classify, is_compound, license_refs, sanitize_idstring, LicenseForm};
use crate::props::{self, Props};
use crate::{DocumentContext, ReportError};

pub(crate) const NOASSERTION: &str = "NOASSERTION";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    pub spdx_version: String,
    #[serde(default)]
    pub data_license: String,
    #[serde(rename = "SPDXID", default)]
    pub spdx_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub document_namespace: String,
    #[serde(default)]
    pub creation_info: Option<CreationInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<SpdxPackage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreationInfo {
    pub created: String,
    pub creators: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_list_version: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpdxPackage {
    #[serde(rename = "SPDXID", default)]
    pub spdx_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    #[serde(default)]
    pub download_location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_analyzed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_concluded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_declared: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_package_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalRef {
    pub reference_category: String,
    pub reference_type: String,
    pub reference_locator: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Annotation {
    #[serde(default)]
    pub annotation_date: String,
    #[serde(default)]
    pub annotation_type: String,
    #[serde(default)]
    pub annotator: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: String,
    pub related_spdx_element: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExtractedLicense {
    pub license_id: String,
    #[serde(default)]
    pub extracted_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

pub(crate) fn write(
    inv: &Inventory,
    ctx: &DocumentContext,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let doc = build(inv, ctx);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

/// Hands out SPDX ids (`SPDXRef-` + `[A-Za-z0-9.-]+`) that are unique within the document.
#[derive(Default)]
struct Ids(HashSet<String>);

impl Ids {
    fn claim(&mut self, parts: &[&str]) -> String {
        let joined = parts
            .iter()
            .map(|p| sanitize_idstring(p))
            .collect::<Vec<_>>()
            .join("-");
        let base = format!("SPDXRef-{joined}");
        if self.0.insert(base.clone()) {
            return base;
        }
        let mut n = 2u64;
        loop {
            let candidate = format!("{base}-{n}");
            if self.0.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Free-text licences and undeclared `LicenseRef-`s, collected for `hasExtractedLicensingInfos`.
#[derive(Default)]
struct Extracted {
    /// licence id → (text, name)
    by_id: BTreeMap<String, (String, Option<String>)>,
    /// free text → licence id
    by_text: BTreeMap<String, String>,
}

impl Extracted {
    fn for_text(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let base = format!("LicenseRef-{}", sanitize_idstring(text));
        let mut id = base.clone();
        let mut n = 2u64;
        while self.by_id.contains_key(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.by_id
            .insert(id.clone(), (text.to_string(), Some(text.to_string())));
        self.by_text.insert(text.to_string(), id.clone());
        id
    }

    fn reference(&mut self, id: String) {
        self.by_id.entry(id.clone()).or_insert_with(|| {
            (
                format!(
                    "The package names the licence {id}; its text is not available to palisade."
                ),
                None,
            )
        });
    }
}

fn declared_license(list: &[String], extracted: &mut Extracted) -> String {
    if list.is_empty() {
        return NOASSERTION.to_string();
    }
    let several = list.len() > 1;
    let parts: Vec<String> = list
        .iter()
        .map(|l| match classify(l) {
            LicenseForm::Id => l.clone(),
            LicenseForm::Expression => {
                for r in license_refs(l) {
                    extracted.reference(r);
                }
                if several && is_compound(l) {
                    format!("({l})")
                } else {
                    l.clone()
                }
            }
            LicenseForm::Other => extracted.for_text(l),
        })
        .collect();
    parts.join(" AND ")
}

fn annotations(props: Props, ctx: &DocumentContext) -> Vec<Annotation> {
    props
        .into_iter()
        .map(|(name, value)| Annotation {
            annotation_date: ctx.timestamp.clone(),
            annotation_type: "OTHER".into(),
            annotator: format!("Tool: palisade-{}", ctx.tool_version),
            comment: format!("{name}={value}"),
        })
        .collect()
}

pub(crate) fn build(inv: &Inventory, ctx: &DocumentContext) -> Document {
    let mut ids = Ids::default();
    let mut extracted = Extracted::default();
    let a = &inv.artifact;
    let image_id = ids.claim(&["Image"]);
    let mut packages = vec![SpdxPackage {
        spdx_id: image_id.clone(),
        name: a.name.clone(),
        version_info: a
            .config_digest
            .clone()
            .or_else(|| a.manifest_digest.clone()),
        download_location: NOASSERTION.into(),
        files_analyzed: Some(false),
        license_concluded: Some(NOASSERTION.into()),
        license_declared: Some(NOASSERTION.into()),
        copyright_text: Some(NOASSERTION.into()),
        primary_package_purpose: Some("CONTAINER".into()),
        annotations: annotations(props::image_props(inv), ctx),
        ..SpdxPackage::default()
    }];
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES".into(),
        related_spdx_element: image_id.clone(),
    }];
    let contains = |id: &str, rels: &mut Vec<Relationship>| {
        rels.push(Relationship {
            spdx_element_id: image_id.clone(),
            relationship_type: "CONTAINS".into(),
            related_spdx_element: id.to_string(),
        })
    };

    if let Some(os) = &inv.os {
        let id = ids.claim(&["OperatingSystem", &os.id, &os.version_id]);
        contains(&id, &mut relationships);
        packages.push(SpdxPackage {
            spdx_id: id,
            name: os.id.clone(),
            version_info: Some(os.version_id.clone()).filter(|v| !v.is_empty()),
            download_location: NOASSERTION.into(),
            files_analyzed: Some(false),
            license_concluded: Some(NOASSERTION.into()),
            license_declared: Some(NOASSERTION.into()),
            copyright_text: Some(NOASSERTION.into()),
            description: Some(os.pretty_name.clone()).filter(|v| !v.is_empty()),
            primary_package_purpose: Some("OPERATING_SYSTEM".into()),
            annotations: annotations(props::os_props(os), ctx),
            ..SpdxPackage::default()
        });
    }

    for pkg in &inv.packages {
        let id = ids.claim(&["Package", pkg.ecosystem.as_str(), &pkg.name, &pkg.version]);
        contains(&id, &mut relationships);
        packages.push(package(pkg, id, ctx, &mut extracted));
    }

    Document {
        spdx_version: "SPDX-2.3".into(),
        data_license: "CC0-1.0".into(),
        spdx_id: "SPDXRef-DOCUMENT".into(),
        name: a.name.clone(),
        document_namespace: format!(
            "https://spdx.org/spdxdocs/palisade-{}-{}",
            sanitize_idstring(&a.name),
            ctx.uuid
        ),
        creation_info: Some(CreationInfo {
            created: ctx.timestamp.clone(),
            creators: vec![format!("Tool: palisade-{}", ctx.tool_version)],
            license_list_version: Some(crate::spdx_ids::LICENSE_LIST_VERSION.into()),
        }),
        packages,
        relationships,
        has_extracted_licensing_infos: extracted
            .by_id
            .into_iter()
            .map(|(license_id, (extracted_text, name))| ExtractedLicense {
                license_id,
                extracted_text,
                name,
            })
            .collect(),
    }
}

fn package(
    pkg: &Package,
    spdx_id: String,
    ctx: &DocumentContext,
    extracted: &mut Extracted,
) -> SpdxPackage {
    let purpose = match pkg.kind {
        PackageKind::Application => "APPLICATION",
        PackageKind::Runtime => "FRAMEWORK",
        PackageKind::Os | PackageKind::Library => "LIBRARY",
    };
    let source_info = if pkg.locations.is_empty() {
        None
    } else {
        let found = pkg
            .locations
            .iter()
            .map(|l| match &l.layer {
                Some(layer) => format!("{} (layer {layer})", l.path),
                None => l.path.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!(
            "acquired package info from {} metadata: {found}",
            pkg.ecosystem
        ))
    };
    let mut props = props::package_props(pkg);
    for l in &pkg.licenses {
        props.push((props::LICENSE, l.clone()));
    }
    SpdxPackage {
        spdx_id,
        name: pkg.name.clone(),
        version_info: Some(pkg.version.clone()).filter(|v| !v.is_empty()),
        download_location: NOASSERTION.into(),
        files_analyzed: Some(false),
        license_concluded: Some(NOASSERTION.into()),
        license_declared: Some(declared_license(&pkg.licenses, extracted)),
        copyright_text: Some(NOASSERTION.into()),
        source_info,
        primary_package_purpose: Some(purpose.into()),
        external_refs: if pkg.purl.is_empty() {
            Vec::new()
        } else {
            vec![ExternalRef {
                reference_category: "PACKAGE-MANAGER".into(),
                reference_type: "purl".into(),
                reference_locator: pkg.purl.clone(),
            }]
        },
        annotations: annotations(props, ctx),
        ..SpdxPackage::default()
    }
}
