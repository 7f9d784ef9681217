//! CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/): our own serde types, the writer,
//! and the subset the reader (`read.rs`) needs, which also accepts CycloneDX 1.4 and 1.5.
//!
//! The image is `metadata.component` (type `container`), the operating system a component of
//! type `operating-system`, each package a component with its purl, licences and `palisade:`
//! properties (see `props.rs`); `dependencies` says the image depends on every component.

use std::collections::HashSet;
use std::io::Write;

use palisade_model::{ArtifactKind, Inventory, Package, PackageKind};
use serde::{Deserialize, Serialize};

use crate::license::{classify, LicenseForm};
use crate::props::{self, Props};
use crate::{DocumentContext, ReportError};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub bom_format: String,
    pub spec_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Scan results (`image scan -f cyclonedx`, `cyclonedx_vulns.rs`); empty in a plain SBOM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<crate::cyclonedx_vulns::Vulnerability>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// An object (`{"components": [...]}`) since 1.5, an array of tools in 1.4; kept untyped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    /// Scan results only: the advisory data used (`cyclonedx_vulns.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Component {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// Nested components (other tools nest; we never do).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct LicenseChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct License {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Property {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Evidence {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Occurrence {
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Dependency {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

pub(crate) fn write(
    inv: &Inventory,
    ctx: &DocumentContext,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let bom = build(inv, ctx);
    serde_json::to_writer_pretty(&mut *out, &bom)?;
    writeln!(out)?;
    Ok(())
}

/// Hands out bom-refs that are unique within the document.
#[derive(Default)]
struct Refs(HashSet<String>);

impl Refs {
    fn claim(&mut self, base: String) -> String {
        if self.0.insert(base.clone()) {
            return base;
        }
        let mut n = 2u64;
        loop {
            let candidate = format!("{base}#{n}");
            if self.0.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

pub(crate) fn build(inv: &Inventory, ctx: &DocumentContext) -> Bom {
    let mut refs = Refs::default();
    let a = &inv.artifact;
    let digest = a
        .config_digest
        .clone()
        .or_else(|| a.manifest_digest.clone());
    let image_ref = refs.claim(format!(
        "image:{}",
        digest.clone().unwrap_or_else(|| a.name.clone())
    ));
    let image = Component {
        ty: match a.kind {
            ArtifactKind::Directory => "file",
            ArtifactKind::Image | ArtifactKind::Sbom => "container",
        }
        .to_string(),
        bom_ref: Some(image_ref.clone()),
        name: a.name.clone(),
        version: digest,
        properties: properties(props::image_props(inv)),
        ..Component::default()
    };

    let mut components = Vec::with_capacity(inv.packages.len() + 1);
    if let Some(os) = &inv.os {
        components.push(Component {
            ty: "operating-system".into(),
            bom_ref: Some(refs.claim(format!("os:{}@{}", os.id, os.version_id))),
            name: os.id.clone(),
            version: Some(os.version_id.clone()).filter(|v| !v.is_empty()),
            description: Some(os.pretty_name.clone()).filter(|v| !v.is_empty()),
            properties: properties(props::os_props(os)),
            ..Component::default()
        });
    }
    for pkg in &inv.packages {
        let base = if pkg.purl.is_empty() {
            format!("palisade:{}/{}@{}", pkg.ecosystem, pkg.name, pkg.version)
        } else {
            pkg.purl.clone()
        };
        components.push(package_component(pkg, refs.claim(base)));
    }

    let depends_on = components
        .iter()
        .filter_map(|c| c.bom_ref.clone())
        .collect();
    Bom {
        schema: Some("http://cyclonedx.org/schema/bom-1.6.schema.json".into()),
        bom_format: "CycloneDX".into(),
        spec_version: "1.6".into(),
        serial_number: Some(format!("urn:uuid:{}", ctx.uuid)),
        version: Some(1),
        metadata: Some(Metadata {
            timestamp: Some(ctx.timestamp.clone()),
            tools: Some(serde_json::json!({
                "components": [{
                    "type": "application",
                    "name": "palisade",
                    "version": ctx.tool_version,
                }]
            })),
            component: Some(image),
            properties: Vec::new(),
        }),
        components,
        dependencies: vec![Dependency {
            reference: image_ref,
            depends_on,
        }],
        vulnerabilities: Vec::new(),
    }
}

fn package_component(pkg: &Package, bom_ref: String) -> Component {
    let ty = match pkg.kind {
        PackageKind::Application => "application",
        PackageKind::Runtime => "framework",
        PackageKind::Os | PackageKind::Library => "library",
    };
    let occurrences = pkg
        .locations
        .iter()
        .map(|l| Occurrence {
            location: l.path.clone(),
            additional_context: l.layer.as_ref().map(|d| format!("layer {d}")),
        })
        .collect::<Vec<_>>();
    Component {
        ty: ty.into(),
        bom_ref: Some(bom_ref),
        group: if pkg.ecosystem == palisade_model::Ecosystem::Maven {
            pkg.namespace.clone()
        } else {
            None
        },
        name: pkg.name.clone(),
        version: Some(pkg.version.clone()).filter(|v| !v.is_empty()),
        licenses: licenses(&pkg.licenses),
        purl: Some(pkg.purl.clone()).filter(|p| !p.is_empty()),
        evidence: if occurrences.is_empty() {
            None
        } else {
            Some(Evidence { occurrences })
        },
        properties: properties(props::package_props(pkg)),
        ..Component::default()
    }
}

/// A single SPDX expression becomes `[{"expression"}]`; otherwise each licence is an entry with
/// `id` (listed SPDX id) or `name` (anything else, expressions included, as CycloneDX does not
/// allow mixing expressions with licence entries).
fn licenses(list: &[String]) -> Vec<LicenseChoice> {
    if let [only] = list {
        if classify(only) == LicenseForm::Expression {
            return vec![LicenseChoice {
                license: None,
                expression: Some(only.clone()),
            }];
        }
    }
    list.iter()
        .map(|l| {
            let license = if classify(l) == LicenseForm::Id {
                License {
                    id: Some(l.clone()),
                    name: None,
                }
            } else {
                License {
                    id: None,
                    name: Some(l.clone()),
                }
            };
            LicenseChoice {
                license: Some(license),
                expression: None,
            }
        })
        .collect()
}

fn properties(props: Props) -> Vec<Property> {
    props
        .into_iter()
        .map(|(name, value)| Property {
            name: name.to_string(),
            value: Some(value),
        })
        .collect()
}
