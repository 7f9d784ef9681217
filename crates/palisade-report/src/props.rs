//! The `palisade:` name/value properties both SBOM writers attach to the image, the operating
//! system and each package (CycloneDX `properties`, SPDX package annotations), and the code that
//! reads them back. They carry what the standard fields cannot, so an inventory survives a round trip.

use palisade_model::{Ecosystem, LayerInfo, Location, OsFamily, OsInfo, Package};

pub(crate) const ECOSYSTEM: &str = "palisade:package:ecosystem";
pub(crate) const SOURCE_NAME: &str = "palisade:package:source-name";
pub(crate) const SOURCE_VERSION: &str = "palisade:package:source-version";
pub(crate) const ARCH: &str = "palisade:package:arch";
/// SPDX only: one per licence, exactly as the package records it.
pub(crate) const LICENSE: &str = "palisade:package:license";
pub(crate) const LAYER_DIFF_ID: &str = "palisade:layer:diff-id";
/// `path`, or `path@layer-diff-id`.
pub(crate) const LOCATION: &str = "palisade:location";

pub(crate) const IMAGE_SOURCE: &str = "palisade:image:source";
pub(crate) const IMAGE_REPO_TAG: &str = "palisade:image:repo-tag";
pub(crate) const IMAGE_REPO_DIGEST: &str = "palisade:image:repo-digest";
pub(crate) const IMAGE_MANIFEST_DIGEST: &str = "palisade:image:manifest-digest";
pub(crate) const IMAGE_CONFIG_DIGEST: &str = "palisade:image:config-digest";
pub(crate) const IMAGE_ARCHITECTURE: &str = "palisade:image:architecture";
pub(crate) const IMAGE_OS: &str = "palisade:image:os";
/// One per layer, bottom to top; the value is the layer as compact JSON.
pub(crate) const IMAGE_LAYER: &str = "palisade:image:layer";

pub(crate) const OS_FAMILY: &str = "palisade:os:family";
pub(crate) const OS_CODENAME: &str = "palisade:os:codename";
pub(crate) const OS_PRETTY_NAME: &str = "palisade:os:pretty-name";
pub(crate) const OS_SOURCE_PATH: &str = "palisade:os:source-path";

pub(crate) type Props = Vec<(&'static str, String)>;

const ALL_ECOSYSTEMS: [Ecosystem; 11] = [
    Ecosystem::Deb,
    Ecosystem::Apk,
    Ecosystem::Rpm,
    Ecosystem::PyPI,
    Ecosystem::Npm,
    Ecosystem::Go,
    Ecosystem::Maven,
    Ecosystem::Cargo,
    Ecosystem::RubyGems,
    Ecosystem::Packagist,
    Ecosystem::NuGet,
];

pub(crate) fn ecosystem_from_str(s: &str) -> Option<Ecosystem> {
    ALL_ECOSYSTEMS.into_iter().find(|e| e.as_str() == s)
}

pub(crate) fn package_props(pkg: &Package) -> Props {
    let mut props: Props = vec![(ECOSYSTEM, pkg.ecosystem.as_str().to_string())];
    if let Some(v) = &pkg.source_name {
        props.push((SOURCE_NAME, v.clone()));
    }
    if let Some(v) = &pkg.source_version {
        props.push((SOURCE_VERSION, v.clone()));
    }
    if let Some(v) = &pkg.arch {
        props.push((ARCH, v.clone()));
    }
    if let Some(v) = &pkg.introduced_by {
        props.push((LAYER_DIFF_ID, v.clone()));
    }
    for loc in &pkg.locations {
        props.push((LOCATION, location_value(loc)));
    }
    props
}

pub(crate) fn image_props(inv: &palisade_model::Inventory) -> Props {
    let a = &inv.artifact;
    let mut props: Props = Vec::new();
    if !inv.source.is_empty() {
        props.push((IMAGE_SOURCE, inv.source.clone()));
    }
    for t in &a.repo_tags {
        props.push((IMAGE_REPO_TAG, t.clone()));
    }
    for d in &a.repo_digests {
        props.push((IMAGE_REPO_DIGEST, d.clone()));
    }
    if let Some(v) = &a.manifest_digest {
        props.push((IMAGE_MANIFEST_DIGEST, v.clone()));
    }
    if let Some(v) = &a.config_digest {
        props.push((IMAGE_CONFIG_DIGEST, v.clone()));
    }
    if let Some(v) = &a.architecture {
        props.push((IMAGE_ARCHITECTURE, v.clone()));
    }
    if let Some(v) = &a.os {
        props.push((IMAGE_OS, v.clone()));
    }
    for layer in &a.layers {
        if let Ok(json) = serde_json::to_string(layer) {
            props.push((IMAGE_LAYER, json));
        }
    }
    props
}

pub(crate) fn os_props(os: &OsInfo) -> Props {
    let mut props: Props = Vec::new();
    if let Ok(serde_json::Value::String(family)) = serde_json::to_value(os.family) {
        props.push((OS_FAMILY, family));
    }
    if let Some(v) = &os.codename {
        props.push((OS_CODENAME, v.clone()));
    }
    if !os.pretty_name.is_empty() {
        props.push((OS_PRETTY_NAME, os.pretty_name.clone()));
    }
    if !os.source_path.is_empty() {
        props.push((OS_SOURCE_PATH, os.source_path.clone()));
    }
    props
}

pub(crate) fn location_value(loc: &Location) -> String {
    match &loc.layer {
        Some(layer) => format!("{}@{}", loc.path, layer),
        None => loc.path.clone(),
    }
}

/// Reads `path` or `path@layer`; the part after the last `@` is a layer only when it looks like
/// an OCI digest (`algorithm:encoded`), so paths holding `@` (`node_modules/@babel/...`) stay whole.
pub(crate) fn parse_location(value: &str) -> Location {
    if let Some((path, layer)) = value.rsplit_once('@') {
        if is_digest(layer) {
            return Location {
                path: path.to_string(),
                layer: Some(layer.to_string()),
            };
        }
    }
    Location {
        path: value.to_string(),
        layer: None,
    }
}

fn is_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some((alg, enc)) => {
            !alg.is_empty()
                && !enc.is_empty()
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
                && enc
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b))
        }
        None => false,
    }
}

/// A lookup over name/value pairs read from a document.
pub(crate) struct PropBag<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> PropBag<'a> {
    pub(crate) fn new(pairs: Vec<(&'a str, &'a str)>) -> Self {
        Self { pairs }
    }

    pub(crate) fn first(&self, name: &str) -> Option<String> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
            .collect()
    }

    pub(crate) fn has_prefix(&self, prefix: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n.starts_with(prefix))
    }

    pub(crate) fn layers(&self) -> Vec<LayerInfo> {
        self.pairs
            .iter()
            .filter(|(n, _)| *n == IMAGE_LAYER)
            .filter_map(|(_, v)| serde_json::from_str(v).ok())
            .collect()
    }

    pub(crate) fn os_family(&self) -> Option<OsFamily> {
        self.first(OS_FAMILY)
            .and_then(|f| serde_json::from_value(serde_json::Value::String(f)).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_with_at_signs_survive() {
        for (path, layer) in [
            ("var/lib/dpkg/status", None),
            ("var/lib/dpkg/status", Some("sha256:abc123")),
            ("app/node_modules/@babel/core/package.json", None),
            (
                "app/node_modules/@babel/core/package.json",
                Some("sha256:ff"),
            ),
            ("a@b", None),
        ] {
            let loc = Location {
                path: path.into(),
                layer: layer.map(str::to_string),
            };
            assert_eq!(parse_location(&location_value(&loc)), loc);
        }
    }
}
