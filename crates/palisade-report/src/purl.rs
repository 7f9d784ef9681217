//! Parsing Package URLs (https://github.com/package-url/purl-spec) read from untrusted SBOMs:
//! `pkg:type/namespace/name@version?qualifiers#subpath`, percent-decoded. Never panics.

/// A parsed purl; every part is percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    pub ty: String,
    pub namespace: Vec<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let (scheme, rest) = s.split_once(':')?;
        if !scheme.eq_ignore_ascii_case("pkg") {
            return None;
        }
        let rest = rest.trim_start_matches('/');
        let rest = match rest.split_once('#') {
            Some((r, _subpath)) => r,
            None => rest,
        };
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (ty, path) = rest.split_once('/')?;
        if ty.is_empty() {
            return None;
        }
        let path = path.trim_end_matches('/');
        // The version is after the last `@` of the last segment, so `@scope` namespaces stay.
        let (path, version) = match path.rsplit_once('/') {
            Some((ns, last)) => match last.rsplit_once('@') {
                Some((name, v)) => (format!("{ns}/{name}"), Some(v)),
                None => (path.to_string(), None),
            },
            None => match path.rsplit_once('@') {
                Some((name, v)) => (name.to_string(), Some(v)),
                None => (path.to_string(), None),
            },
        };
        let mut segments: Vec<String> = Vec::new();
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            segments.push(decode(seg)?);
        }
        let name = segments.pop()?;
        if name.is_empty() {
            return None;
        }
        let version = match version {
            Some(v) if !v.is_empty() => Some(decode(v)?),
            _ => None,
        };
        let mut quals = Vec::new();
        for pair in qualifiers.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=')?;
            quals.push((k.to_ascii_lowercase(), decode(v)?));
        }
        Some(Self {
            ty: ty.to_ascii_lowercase(),
            namespace: segments,
            name,
            version,
            qualifiers: quals,
        })
    }

    pub(crate) fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decodes `s`; `None` on a malformed escape or bytes that are not UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = hex_val(*bytes.get(i + 1)?)?;
            let lo = hex_val(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes() {
        let p = Purl::parse(
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12",
        )
        .unwrap_or_else(|| panic!("valid purl"));
        assert_eq!(p.ty, "deb");
        assert_eq!(p.namespace, vec!["debian"]);
        assert_eq!(p.name, "libstdc++6");
        assert_eq!(p.version.as_deref(), Some("12.2.0-14+deb12u1"));
        assert_eq!(p.qualifier("upstream"), Some("gcc-12"));

        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap_or_else(|| panic!("valid"));
        assert_eq!(p.namespace, vec!["@babel"]);
        let p = Purl::parse("pkg:npm/@babel/core").unwrap_or_else(|| panic!("valid"));
        assert_eq!(
            (p.namespace[0].as_str(), p.name.as_str()),
            ("@babel", "core")
        );
        assert_eq!(p.version, None);
        let p = Purl::parse("pkg:golang/golang.org/x/net@v0.1.0#sub/dir")
            .unwrap_or_else(|| panic!("valid"));
        assert_eq!(p.namespace, vec!["golang.org", "x"]);
        assert_eq!(p.name, "net");
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "pkg:",
            "pkg:deb",
            "pkg:/x",
            "http://x",
            "pkg:deb/%",
            "pkg:deb/%zz",
            "pkg:deb/%C3",
            "pkg:deb/a?b",
            "pkg:deb/@",
            "pkg:a/é%",
        ] {
            assert_eq!(Purl::parse(bad), None, "{bad}");
        }
    }
}
