//! The layered filesystem view: per-path results of each layer stacked bottom to top with
//! whiteouts, opaque directories and symlinks applied, and paths resolved inside the root.

use std::collections::BTreeMap;

use crate::layer::LayerChanges;

/// Per-path values (`T`: whatever a scanner derived from the file) after stacking layers.
#[derive(Debug, Clone)]
pub struct LayeredView<T> {
    files: BTreeMap<String, (usize, T)>,
    symlinks: BTreeMap<String, (usize, String)>,
}

impl<T> Default for LayeredView<T> {
    fn default() -> Self {
        Self {
            files: BTreeMap::new(),
            symlinks: BTreeMap::new(),
        }
    }
}

const MAX_SYMLINK_HOPS: usize = 40;

impl<T> LayeredView<T> {
    /// Applies layer `index` on top of what is there: first its opaque directories and
    /// whiteouts hide lower content, then its files and symlinks replace what they shadow.
    pub fn apply(&mut self, index: usize, changes: &LayerChanges, files: BTreeMap<String, T>) {
        for dir in &changes.opaque_dirs {
            self.remove_under(dir);
        }
        for path in &changes.whiteouts {
            self.files.remove(path);
            self.symlinks.remove(path);
            self.remove_under(path);
        }
        for (path, target) in &changes.symlinks {
            self.files.remove(path);
            self.remove_under(path);
            self.symlinks.insert(path.clone(), (index, target.clone()));
        }
        for (path, value) in files {
            self.symlinks.remove(&path);
            self.remove_under(&path);
            self.files.insert(path, (index, value));
        }
    }

    fn remove_under(&mut self, dir: &str) {
        if dir.is_empty() {
            self.files.clear();
            self.symlinks.clear();
            return;
        }
        let prefix = format!("{dir}/");
        let doomed: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.files.remove(&k);
        }
        let doomed: Vec<String> = self
            .symlinks
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.symlinks.remove(&k);
        }
    }

    /// Every visible file: path, the layer index holding it, its value.
    pub fn files(&self) -> impl Iterator<Item = (&str, usize, &T)> {
        self.files.iter().map(|(k, (i, v))| (k.as_str(), *i, v))
    }

    pub fn get(&self, path: &str) -> Option<(usize, &T)> {
        self.files.get(path).map(|(i, v)| (*i, v))
    }

    /// Resolves `path` through every symlink in it, never leaving the root (`..` at the root
    /// stays at the root, absolute targets restart at the image root). `None` on a loop.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .rev()
            .map(str::to_string)
            .collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(component) = pending.pop() {
            if component == ".." {
                current.pop();
                continue;
            }
            current.push(component);
            let joined = current.join("/");
            if let Some((_, target)) = self.symlinks.get(&joined) {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return None;
                }
                current.pop();
                if target.starts_with('/') {
                    current.clear();
                }
                for part in target.split('/').rev() {
                    if !part.is_empty() && part != "." {
                        pending.push(part.to_string());
                    }
                }
            }
        }
        Some(current.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(wh: &[&str], opq: &[&str], links: &[(&str, &str)]) -> LayerChanges {
        LayerChanges {
            whiteouts: wh.iter().map(|s| s.to_string()).collect(),
            opaque_dirs: opq.iter().map(|s| s.to_string()).collect(),
            symlinks: links
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    fn files(paths: &[&str]) -> BTreeMap<String, u32> {
        paths.iter().map(|p| (p.to_string(), 1)).collect()
    }

    #[test]
    fn whiteouts_and_opaque_dirs_hide_lower_layers() {
        let mut view = LayeredView::default();
        view.apply(
            0,
            &changes(&[], &[], &[]),
            files(&["a/x", "a/y", "b/z", "c"]),
        );
        view.apply(1, &changes(&["a/x", "c"], &["b"], &[]), files(&["b/new"]));
        let seen: Vec<&str> = view.files().map(|(p, _, _)| p).collect();
        assert_eq!(seen, vec!["a/y", "b/new"]);
        assert_eq!(view.get("b/new").unwrap().0, 1);
    }

    #[test]
    fn whiteout_of_a_directory_hides_its_content() {
        let mut view = LayeredView::default();
        view.apply(0, &changes(&[], &[], &[]), files(&["d/e/f", "d2"]));
        view.apply(1, &changes(&["d"], &[], &[]), files(&[]));
        assert_eq!(view.files().count(), 1);
    }

    #[test]
    fn symlinks_resolve_inside_the_root_only() {
        let mut view: LayeredView<u32> = LayeredView::default();
        view.apply(
            0,
            &changes(
                &[],
                &[],
                &[
                    ("etc/os-release", "../usr/lib/os-release"),
                    ("lib", "usr/lib"),
                    ("escape", "../../../../etc/shadow"),
                    ("abs", "/usr/lib"),
                    ("loop1", "loop2"),
                    ("loop2", "loop1"),
                ],
            ),
            files(&["usr/lib/os-release"]),
        );
        assert_eq!(
            view.resolve("etc/os-release").unwrap(),
            "usr/lib/os-release"
        );
        assert_eq!(
            view.resolve("lib/os-release").unwrap(),
            "usr/lib/os-release"
        );
        assert_eq!(view.resolve("escape").unwrap(), "etc/shadow");
        assert_eq!(view.resolve("abs/x").unwrap(), "usr/lib/x");
        assert_eq!(view.resolve("loop1"), None);
    }
}
