//! `dir:PATH`: an unpacked root filesystem, walked like a single layer. Symlinks are recorded,
//! never followed, so nothing outside PATH is read.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::layer::{FileEntry, LayerChanges, LayerVisitor};
use crate::ImageError;

pub fn walk(root: &Path, visitor: &mut dyn LayerVisitor) -> Result<LayerChanges, ImageError> {
    let mut changes = LayerChanges::default();
    let is_host_root = root == Path::new("/");
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        // Scanning a live host's `/`: the kernel's virtual filesystems hold no packages, and
        // some of their files block when read.
        .filter_entry(move |e| {
            !(is_host_root
                && e.depth() == 1
                && matches!(e.file_name().to_str(), Some("proc" | "sys" | "dev" | "run")))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // Unreadable subdirectories are logged and skipped, like `find` does.
                tracing::warn!(
                    "skipping {}: {e}",
                    e.path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                );
                continue;
            }
        };
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let path = relative.to_string_lossy().into_owned();
        if path.is_empty() {
            continue;
        }
        changes.entries += 1;
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            if let Ok(target) = std::fs::read_link(entry.path()) {
                changes
                    .symlinks
                    .insert(path, target.to_string_lossy().into_owned());
            }
            continue;
        }
        if !file_type.is_file() {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let file = FileEntry {
            path: &path,
            size: meta.len(),
            mode: meta.permissions().mode(),
        };
        changes.uncompressed_bytes += meta.len();
        if visitor.wants(&file) {
            let mut content = Vec::with_capacity(meta.len().min(1 << 24) as usize);
            let read = std::fs::File::open(entry.path())
                .and_then(|f| f.take(meta.len()).read_to_end(&mut content));
            match read {
                Ok(_) => visitor.file(&file, &content),
                Err(e) => tracing::warn!("skipping {}: {e}", entry.path().display()),
            }
        }
    }
    Ok(changes)
}
