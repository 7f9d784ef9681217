//! Detection list feeds for `db update`: TOR exit nodes, proxy and malicious networks,
//! malicious domains, mining pools. Each feed is fetched (URL, or a local file for offline
//! installs, like the vulnerability feeds' `--source NAME=PATH`), parsed as a list file
//! (`palisade_rules::listfile`: plain, netset or hosts format; bounded), and written
//! normalised to `<db dir>/lists/<list>.txt` (temporary file + rename); the rule engine loads
//! that directory at start. A failed feed keeps its previous file.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use palisade_rules::listfile;

use crate::update::{FeedOutcome, FetchError, Fetcher, Validators};

/// One list feed.
#[derive(Debug, Clone, Copy)]
pub struct ListFeed {
    /// Feed name for `--feed` / `--source` (`list-...`).
    pub name: &'static str,
    /// The rule list it fills (and its file name).
    pub list: &'static str,
    /// Default source; `None`: only with `--source`.
    pub url: Option<&'static str>,
}

/// Every list feed. The lists are declared (empty) in the built-in rule files.
pub const LIST_FEEDS: &[ListFeed] = &[
    ListFeed {
        name: "list-tor-exit-nodes",
        list: "pal_tor_exit_nodes",
        url: Some("https://check.torproject.org/torbulkexitlist"),
    },
    ListFeed {
        name: "list-proxy-networks",
        list: "pal_proxy_networks",
        url: Some("https://iplists.firehol.org/files/firehol_proxies.netset"),
    },
    ListFeed {
        name: "list-malicious-networks",
        list: "pal_malicious_networks",
        url: Some("https://iplists.firehol.org/files/firehol_level1.netset"),
    },
    ListFeed {
        name: "list-malicious-domains",
        list: "pal_malicious_domains",
        url: Some("https://urlhaus.abuse.ch/downloads/hostfile/"),
    },
    ListFeed {
        name: "list-miner-pools",
        list: "pal_feed_miner_pools",
        url: None,
    },
];

/// The directory the lists are written to and loaded from.
pub fn lists_dir(db_dir: &Path) -> PathBuf {
    db_dir.join("lists")
}

/// Whether a `--feed` / `--source` name is a list feed's.
pub fn is_list_feed(name: &str) -> bool {
    name.starts_with("list-")
}

/// Updates the selected list feeds (`feeds` empty: every one with a source). Unknown names
/// among `feeds` are reported as failed outcomes.
pub fn update_lists(
    db_dir: &Path,
    feeds: &[String],
    sources: &[(String, String)],
    fetcher: &dyn Fetcher,
) -> Vec<FeedOutcome> {
    let mut out = Vec::new();
    for name in feeds {
        if !LIST_FEEDS.iter().any(|f| f.name == name) {
            out.push(failed(
                name,
                "",
                format!("unknown list feed (known: {})", names()),
            ));
        }
    }
    let dir = lists_dir(db_dir);
    for feed in LIST_FEEDS {
        if !feeds.is_empty() && !feeds.iter().any(|f| f == feed.name) {
            continue;
        }
        let source = sources
            .iter()
            .rev()
            .find(|(n, _)| n == feed.name)
            .map(|(_, s)| s.as_str())
            .or(feed.url);
        let Some(source) = source else {
            if !feeds.is_empty() {
                out.push(failed(
                    feed.name,
                    "",
                    "no source: pass --source NAME=URL|PATH".into(),
                ));
            }
            continue;
        };
        match update_one(&dir, feed, source, fetcher) {
            Ok((records, skipped)) => out.push(FeedOutcome {
                name: feed.name.into(),
                source: source.into(),
                result: "updated".into(),
                records,
                skipped,
                error: None,
            }),
            Err(e) => {
                tracing::warn!(feed = feed.name, "{e}");
                out.push(failed(feed.name, source, e));
            }
        }
    }
    out
}

fn names() -> String {
    LIST_FEEDS
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn failed(name: &str, source: &str, error: String) -> FeedOutcome {
    FeedOutcome {
        name: name.into(),
        source: source.into(),
        result: "failed".into(),
        records: 0,
        skipped: 0,
        error: Some(error),
    }
}

fn update_one(
    dir: &Path,
    feed: &ListFeed,
    source: &str,
    fetcher: &dyn Fetcher,
) -> Result<(u64, u64), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let limit = listfile::MAX_LIST_FILE_BYTES as u64;
    let mut bytes = Vec::new();
    if source.starts_with("https://") || source.starts_with("http://") {
        let mut temp = tempfile::tempfile_in(dir).map_err(|e| e.to_string())?;
        fetcher
            .fetch(source, &Validators::default(), &mut temp)
            .map_err(|e: FetchError| e.to_string())?;
        temp.rewind().map_err(|e| e.to_string())?;
        temp.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
    } else {
        let path = Path::new(source.strip_prefix("file://").unwrap_or(source));
        File::open(path)
            .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let text = String::from_utf8(bytes).map_err(|_| "the list is not UTF-8 text".to_string())?;
    let list = listfile::parse(&text).map_err(|e| e.to_string())?;
    if list.items.is_empty() {
        return Err("the list has no items (previous file kept)".into());
    }
    let header = format!(
        "{} from {source}\nfetched {}",
        feed.name,
        humantime::format_rfc3339_seconds(std::time::SystemTime::now())
    );
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    temp.write_all(listfile::render(&header, &list).as_bytes())
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| e.to_string())?;
    let target = dir.join(format!("{}.txt", feed.list));
    temp.persist(&target)
        .map_err(|e| format!("{}: {e}", target.display()))?;
    Ok((list.items.len() as u64, list.skipped as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::update::FetchOutcome;

    struct Served(&'static str);
    impl Fetcher for Served {
        fn fetch(
            &self,
            _: &str,
            _: &Validators,
            dest: &mut File,
        ) -> Result<FetchOutcome, FetchError> {
            dest.write_all(self.0.as_bytes()).map_err(FetchError::Io)?;
            Ok(FetchOutcome::Downloaded {
                etag: None,
                last_modified: None,
            })
        }
    }

    #[test]
    fn writes_normalised_lists_and_keeps_the_previous_on_failure() {
        let db = tempfile::tempdir().unwrap();
        let offline = db.path().join("pools.txt");
        std::fs::write(&offline, "pool.minexmr.com\n# c\nXMR.pool.example:3333\n").unwrap();
        let out = update_lists(
            db.path(),
            &["list-tor-exit-nodes".into(), "list-miner-pools".into()],
            &[("list-miner-pools".into(), offline.display().to_string())],
            &Served("185.220.101.1\n185.220.101.2\n"),
        );
        assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
        let tor = std::fs::read_to_string(db.path().join("lists/pal_tor_exit_nodes.txt")).unwrap();
        assert!(tor.ends_with("185.220.101.1\n185.220.101.2\n"), "{tor}");
        let pools =
            std::fs::read_to_string(db.path().join("lists/pal_feed_miner_pools.txt")).unwrap();
        assert!(pools.contains("xmr.pool.example:3333\n"));
        // An empty answer fails the feed and keeps the file.
        let out = update_lists(
            db.path(),
            &["list-tor-exit-nodes".into()],
            &[],
            &Served("# nothing\n"),
        );
        assert!(out[0].error.is_some());
        assert_eq!(
            std::fs::read_to_string(db.path().join("lists/pal_tor_exit_nodes.txt")).unwrap(),
            tor
        );
        let out = update_lists(db.path(), &["list-nope".into()], &[], &Served(""));
        assert!(out[0]
            .error
            .as_deref()
            .unwrap()
            .contains("unknown list feed"));
    }
}
