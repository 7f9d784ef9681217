//! The demo material of `palisade server --demo`, embedded at build time from the repository's
//! `demo/` directory (see `demo/README.md`), so the command works from any directory.

use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// The embedded file at `path` (relative to `demo/`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

/// Writes every embedded file below `dir` (which becomes a copy of `demo/`).
pub fn unpack(dir: &Path) -> std::io::Result<()> {
    for (path, bytes) in FILES {
        let dest = dir.join(path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(dest, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is the directory: every file under demo/ is embedded, byte for byte.
    #[test]
    fn every_demo_file_is_embedded() {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
        let mut on_disk = Vec::new();
        let mut stack = vec![demo.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if name == "__pycache__" || name.ends_with(".pyc") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(&demo).unwrap().to_string_lossy().to_string();
                    assert_eq!(
                        file(&rel),
                        Some(std::fs::read(&p).unwrap().as_slice()),
                        "{rel}"
                    );
                    on_disk.push(rel);
                }
            }
        }
        assert_eq!(on_disk.len(), FILES.len());
        for needed in [
            "image/index.json",
            "audit.log",
            "sensor-alerts.jsonl",
            "README.md",
        ] {
            assert!(file(needed).is_some(), "{needed}");
        }
    }
}
