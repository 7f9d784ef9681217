//! What the user typed: `REGISTRY/REPO[:TAG|@DIGEST]`, `oci:DIR[:TAG]`, `docker-archive:FILE`,
//! `docker:NAME`, `dir:PATH`, `sbom:FILE`, or a bare path whose kind is detected.

use std::path::{Path, PathBuf};

use crate::ImageError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// An image in a registry, e.g. `127.0.0.1:5000/app:1` or `debian@sha256:...`.
    Registry(String),
    OciLayout {
        dir: PathBuf,
        tag: Option<String>,
    },
    DockerArchive(PathBuf),
    /// An image in the local Docker daemon, by name or id.
    Docker(String),
    Dir(PathBuf),
    Sbom(PathBuf),
}

impl ImageRef {
    pub fn parse(input: &str) -> Result<Self, ImageError> {
        let invalid = |reason: &str| ImageError::InvalidReference {
            reference: input.to_string(),
            reason: reason.to_string(),
        };
        if input.trim().is_empty() {
            return Err(invalid("empty"));
        }
        if let Some(rest) = input.strip_prefix("oci:") {
            // `oci:DIR:TAG`: the tag is after the last colon unless that colon is part of the path.
            return Ok(match rest.rsplit_once(':') {
                Some((dir, tag)) if !tag.contains('/') && !tag.is_empty() && !dir.is_empty() => {
                    Self::OciLayout {
                        dir: dir.into(),
                        tag: Some(tag.to_string()),
                    }
                }
                _ => Self::OciLayout {
                    dir: rest.into(),
                    tag: None,
                },
            });
        }
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            return Ok(Self::DockerArchive(rest.into()));
        }
        if let Some(rest) = input.strip_prefix("docker:") {
            if rest.is_empty() {
                return Err(invalid("docker: needs an image name"));
            }
            return Ok(Self::Docker(rest.to_string()));
        }
        if let Some(rest) = input.strip_prefix("dir:") {
            return Ok(Self::Dir(rest.into()));
        }
        if let Some(rest) = input.strip_prefix("sbom:") {
            return Ok(Self::Sbom(rest.into()));
        }
        if let Some(rest) = input.strip_prefix("registry:") {
            return Ok(Self::Registry(rest.to_string()));
        }
        let path = Path::new(input);
        if path.exists() {
            return detect_local(path);
        }
        if input.contains(char::is_whitespace) {
            return Err(invalid("contains whitespace"));
        }
        Ok(Self::Registry(input.to_string()))
    }
}

/// A bare path: a directory is an OCI layout when it has `oci-layout`, else a root filesystem;
/// a file is an SBOM when it is JSON, else a docker-archive tar (gzip or not).
fn detect_local(path: &Path) -> Result<ImageRef, ImageError> {
    if path.is_dir() {
        if path.join("oci-layout").is_file() {
            return Ok(ImageRef::OciLayout {
                dir: path.into(),
                tag: None,
            });
        }
        return Ok(ImageRef::Dir(path.into()));
    }
    let mut head = [0u8; 512];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| ImageError::io(path, e))?;
        f.read(&mut head).map_err(|e| ImageError::io(path, e))?
    };
    let first = head[..n].iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return Ok(ImageRef::Sbom(path.into()));
    }
    Ok(ImageRef::DockerArchive(path.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(
            ImageRef::parse("oci:/tmp/x:1.0").unwrap(),
            ImageRef::OciLayout {
                dir: "/tmp/x".into(),
                tag: Some("1.0".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci:/tmp/x").unwrap(),
            ImageRef::OciLayout {
                dir: "/tmp/x".into(),
                tag: None
            }
        );
        assert_eq!(
            ImageRef::parse("docker:alpine:3").unwrap(),
            ImageRef::Docker("alpine:3".into())
        );
        assert_eq!(
            ImageRef::parse("127.0.0.1:5000/app:1").unwrap(),
            ImageRef::Registry("127.0.0.1:5000/app:1".into())
        );
        assert!(ImageRef::parse("").is_err());
        assert!(ImageRef::parse("docker:").is_err());
    }

    #[test]
    fn detects_local_kinds() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            ImageRef::parse(dir.path().to_str().unwrap()).unwrap(),
            ImageRef::Dir(dir.path().into())
        );
        std::fs::write(dir.path().join("oci-layout"), "{}").unwrap();
        assert!(matches!(
            ImageRef::parse(dir.path().to_str().unwrap()).unwrap(),
            ImageRef::OciLayout { .. }
        ));
        let sbom = dir.path().join("bom.json");
        std::fs::write(&sbom, "  {\"bomFormat\":1}").unwrap();
        assert_eq!(
            ImageRef::parse(sbom.to_str().unwrap()).unwrap(),
            ImageRef::Sbom(sbom.clone())
        );
        let tar = dir.path().join("x.tar");
        std::fs::write(&tar, [0u8; 1024]).unwrap();
        assert_eq!(
            ImageRef::parse(tar.to_str().unwrap()).unwrap(),
            ImageRef::DockerArchive(tar.clone())
        );
    }
}
