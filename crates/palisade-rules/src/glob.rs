//! Shell-style wildcard matching for the `glob` operator: `*` (any run, `/` included), `?`
//! (one character), `[abc]`, `[a-z]`, `[!x]` / `[^x]`. Linear in practice: the classic
//! backtrack-to-last-star algorithm, no recursion.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Char(char),
    Any,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    toks: Vec<Tok>,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let mut toks = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                }
                '?' => toks.push(Tok::Any),
                '\\' => toks.push(Tok::Char(chars.next().unwrap_or('\\'))),
                '[' => {
                    let negated = matches!(chars.peek(), Some('!') | Some('^'));
                    if negated {
                        chars.next();
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let Some(c) = chars.next() else {
                            return Err(format!("unclosed `[` in glob pattern {pattern:?}"));
                        };
                        if c == ']' && !first {
                            break;
                        }
                        first = false;
                        if chars.peek() == Some(&'-') {
                            let mut look = chars.clone();
                            look.next();
                            if let Some(&hi) = look.peek() {
                                if hi != ']' {
                                    chars.next();
                                    chars.next();
                                    ranges.push((c, hi));
                                    continue;
                                }
                            }
                        }
                        ranges.push((c, c));
                    }
                    toks.push(Tok::Class { negated, ranges });
                }
                c => toks.push(Tok::Char(c)),
            }
        }
        Ok(Glob { toks })
    }

    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut p, mut t) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            let step = match self.toks.get(p) {
                Some(Tok::Star) => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(Tok::Any) => true,
                Some(Tok::Char(c)) => *c == text[t],
                Some(Tok::Class { negated, ranges }) => {
                    let inside = ranges
                        .iter()
                        .any(|(lo, hi)| *lo <= text[t] && text[t] <= *hi);
                    inside != *negated
                }
                None => false,
            };
            if step {
                p += 1;
                t += 1;
            } else if let Some((sp, st)) = star {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        self.toks[p..].iter().all(|t| *t == Tok::Star)
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn wildcards_and_classes() {
        let g = |p: &str, t: &str| Glob::new(p).unwrap().matches(t);
        assert!(g("*", ""));
        assert!(g("/etc/*", "/etc/shadow"));
        assert!(g("/etc/*", "/etc/a/b"));
        assert!(!g("/etc/*", "/usr/etc/x"));
        assert!(g("docker.io/*/xmrig*", "docker.io/miner/xmrig:latest"));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("[a-c]x", "bx"));
        assert!(!g("[!a-c]x", "bx"));
        assert!(g("[]]", "]"));
        assert!(g("*a*b*c", "xxaxxbxxc"));
        assert!(!g("*a*b*c", "xxaxxbxx"));
        assert!(Glob::new("[abc").is_err());
    }
}
