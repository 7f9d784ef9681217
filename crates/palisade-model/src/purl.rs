//! Package URLs (https://github.com/package-url/purl-spec), built from our package model.

use crate::{Ecosystem, OsFamily, OsInfo, Package};

/// Builds the purl of `pkg`; OS packages take their namespace and `distro` qualifier from `os`.
pub fn purl_for(pkg: &Package, os: Option<&OsInfo>) -> String {
    let mut qualifiers: Vec<(&str, String)> = Vec::new();
    let (ty, namespace, name, version): (&str, Vec<String>, String, String) = match pkg.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => {
            let ty = match pkg.ecosystem {
                Ecosystem::Deb => "deb",
                Ecosystem::Apk => "apk",
                _ => "rpm",
            };
            let vendor = os.map(os_namespace).unwrap_or_else(|| match pkg.ecosystem {
                Ecosystem::Deb => "debian".into(),
                Ecosystem::Apk => "alpine".into(),
                _ => "redhat".into(),
            });
            let mut version = pkg.version.clone();
            if pkg.ecosystem == Ecosystem::Rpm {
                if let Some((epoch, rest)) = version.split_once(':') {
                    if epoch.chars().all(|c| c.is_ascii_digit()) && !epoch.is_empty() {
                        qualifiers.push(("epoch", epoch.to_string()));
                        version = rest.to_string();
                    }
                }
            }
            if let Some(arch) = &pkg.arch {
                qualifiers.push(("arch", arch.clone()));
            }
            if let Some(os) = os {
                let distro = if pkg.ecosystem == Ecosystem::Apk {
                    os.version_id.clone()
                } else {
                    format!("{}-{}", os.id, os.version_id)
                };
                qualifiers.push(("distro", distro));
            }
            if pkg.ecosystem == Ecosystem::Deb {
                if let Some(src) = &pkg.source_name {
                    if src != &pkg.name {
                        qualifiers.push(("upstream", src.clone()));
                    }
                }
            }
            (ty, vec![vendor], pkg.name.clone(), version)
        }
        Ecosystem::PyPI => (
            "pypi",
            vec![],
            pkg.name.to_ascii_lowercase().replace(['_', '.'], "-"),
            pkg.version.clone(),
        ),
        Ecosystem::Npm => match pkg.name.split_once('/') {
            Some((scope, name)) if scope.starts_with('@') => (
                "npm",
                vec![scope.to_string()],
                name.to_string(),
                pkg.version.clone(),
            ),
            _ => ("npm", vec![], pkg.name.clone(), pkg.version.clone()),
        },
        Ecosystem::Go => {
            let mut segments: Vec<String> = pkg.name.split('/').map(str::to_string).collect();
            let name = segments.pop().unwrap_or_default();
            ("golang", segments, name, pkg.version.clone())
        }
        Ecosystem::Maven => (
            "maven",
            pkg.namespace.iter().cloned().collect(),
            pkg.name.clone(),
            pkg.version.clone(),
        ),
        Ecosystem::Cargo => ("cargo", vec![], pkg.name.clone(), pkg.version.clone()),
        Ecosystem::RubyGems => ("gem", vec![], pkg.name.clone(), pkg.version.clone()),
        Ecosystem::Packagist => match pkg.name.split_once('/') {
            Some((vendor, name)) => (
                "composer",
                vec![vendor.to_string()],
                name.to_string(),
                pkg.version.clone(),
            ),
            None => ("composer", vec![], pkg.name.clone(), pkg.version.clone()),
        },
        Ecosystem::NuGet => ("nuget", vec![], pkg.name.clone(), pkg.version.clone()),
    };

    let mut out = format!("pkg:{ty}/");
    for segment in namespace.iter().filter(|s| !s.is_empty()) {
        out.push_str(&encode(segment));
        out.push('/');
    }
    out.push_str(&encode(&name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(&version));
    }
    qualifiers.retain(|(_, v)| !v.is_empty());
    qualifiers.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

fn os_namespace(os: &OsInfo) -> String {
    match os.family {
        OsFamily::Rhel => "redhat".into(),
        OsFamily::Amazon => "amazon".into(),
        OsFamily::Suse => "suse".into(),
        _ => os.id.to_ascii_lowercase(),
    }
}

/// Percent-encodes everything outside the purl spec's unreserved set (and keeps `:` readable).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn deb_purl_carries_distro_arch_and_encodes_plus() {
        let mut p = Package::new("libstdc++6", "12.2.0-14+deb12u1", Ecosystem::Deb, "x");
        p.arch = Some("amd64".into());
        p.source_name = Some("gcc-12".into());
        assert_eq!(
            purl_for(&p, Some(&debian())),
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12"
        );
    }

    #[test]
    fn rpm_epoch_moves_to_qualifier() {
        let p = Package::new("openssl", "1:3.0.7-24.el9", Ecosystem::Rpm, "x");
        assert_eq!(
            purl_for(&p, None),
            "pkg:rpm/redhat/openssl@3.0.7-24.el9?epoch=1"
        );
    }

    #[test]
    fn npm_scope_and_pypi_normalisation() {
        let p = Package::new("@babel/core", "7.0.0", Ecosystem::Npm, "x");
        assert_eq!(purl_for(&p, None), "pkg:npm/%40babel/core@7.0.0");
        let p = Package::new("Django_Rest.Framework", "3.0", Ecosystem::PyPI, "x");
        assert_eq!(purl_for(&p, None), "pkg:pypi/django-rest-framework@3.0");
        let p = Package::new("golang.org/x/net", "v0.1.0", Ecosystem::Go, "x");
        assert_eq!(purl_for(&p, None), "pkg:golang/golang.org/x/net@v0.1.0");
    }
}
