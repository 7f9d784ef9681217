//! List files: rule lists kept outside the rule files, one item per line, so that feeds (TOR
//! exit nodes, proxy networks, malicious addresses and domains, mining pools) can be
//! refreshed by `palisade db update` without touching rules. A file `NAME.txt` in the lists
//! directory replaces the list `NAME` of the rule files (the built-in rules declare each feed
//! list, empty).
//!
//! Format (untrusted input, parsed strictly and bounded): UTF-8 text; `#` or `;` starts a
//! comment (whole line, or after the item); blank lines are skipped; a line holds one item, or
//! a hosts-file entry (`0.0.0.0 bad.example` → `bad.example`); items are lower-cased. Items
//! with characters the condition language cannot hold in a list (`(`, `)`, `,`, quotes,
//! control characters) or longer than 255 bytes are skipped and counted.

/// Files bigger than this are refused.
pub const MAX_LIST_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Items per list at most (the compiler's own cap on an expanded list).
pub const MAX_LIST_FILE_ITEMS: usize = 1_000_000;
const MAX_ITEM_BYTES: usize = 255;

/// A parsed list file: the items (in file order, duplicates removed) with their line numbers,
/// and how many lines were skipped as unusable.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListFile {
    pub items: Vec<(String, usize)>,
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListFileError {
    #[error("list file is larger than {MAX_LIST_FILE_BYTES} bytes")]
    TooLarge,
    #[error("list file has more than {MAX_LIST_FILE_ITEMS} items")]
    TooManyItems,
    #[error("`{0}` is not a list name (letters, digits, `_`, `-`, `.`)")]
    BadName(String),
}

/// Whether `name` can name a list (and a file in the lists directory).
pub fn valid_list_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

const HOSTS_SINKS: &[&str] = &["0.0.0.0", "127.0.0.1", "::", "::1"];

/// Parses a list file's text.
pub fn parse(text: &str) -> Result<ListFile, ListFileError> {
    if text.len() > MAX_LIST_FILE_BYTES {
        return Err(ListFileError::TooLarge);
    }
    let mut out = ListFile::default();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split(['#', ';']).next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let item = match words.next() {
            Some(second) if HOSTS_SINKS.contains(&first) => second,
            _ => first,
        };
        let ok = item.len() <= MAX_ITEM_BYTES
            && !item
                .chars()
                .any(|c| c.is_control() || matches!(c, '(' | ')' | ',' | '"' | '\''));
        if !ok {
            out.skipped += 1;
            continue;
        }
        let item = item.to_lowercase();
        if seen.insert(item.clone()) {
            if out.items.len() >= MAX_LIST_FILE_ITEMS {
                return Err(ListFileError::TooManyItems);
            }
            out.items.push((item, i + 1));
        }
    }
    Ok(out)
}

/// The list as a normalised file (what `db update` writes): a header comment, one item per
/// line.
pub fn render(header: &str, list: &ListFile) -> String {
    let mut s = String::new();
    for h in header.lines() {
        s.push_str("# ");
        s.push_str(h);
        s.push('\n');
    }
    for (item, _) in &list.items {
        s.push_str(item);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_netset_and_hosts_formats() {
        let text = "# TOR exit list\n185.220.101.1\n\n  2001:DB8::7  \n10.0.0.0/8 ; comment\n0.0.0.0 Bad.Example\n127.0.0.1 evil.test # c\n185.220.101.1\nbad(item\n";
        let l = parse(text).unwrap();
        let items: Vec<&str> = l.items.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(
            items,
            [
                "185.220.101.1",
                "2001:db8::7",
                "10.0.0.0/8",
                "bad.example",
                "evil.test"
            ]
        );
        assert_eq!(l.items[1].1, 4, "line numbers kept");
        assert_eq!(l.skipped, 1);
        let again = parse(&render("feed x\nfetched now", &l)).unwrap();
        assert_eq!(
            again.items.iter().map(|(i, _)| i).collect::<Vec<_>>(),
            items
        );
    }

    #[test]
    fn bounded() {
        assert_eq!(
            parse(&"x".repeat(MAX_LIST_FILE_BYTES + 1)),
            Err(ListFileError::TooLarge)
        );
        let long = format!("{}\nok\n", "a".repeat(300));
        assert_eq!(parse(&long).unwrap().skipped, 1);
        assert!(valid_list_name("pal_tor_exit_nodes"));
        for bad in ["", "../x", ".hidden", "a b", "a/b"] {
            assert!(!valid_list_name(bad), "{bad}");
        }
    }
}
