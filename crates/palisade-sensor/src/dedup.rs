//! Alert de-duplication for the sensor: the first alert of a group is written at once (a
//! runtime alert must not wait for a window to close), repeats of the same rule in the same
//! container by the same executable with the same key evidence (file path, or destination
//! `ip:port`) are suppressed for `window`, and the group's next alert after the window
//! carries `"suppressed": N`. Memory is bounded: past `max_groups` groups, the oldest is
//! forgotten (its pending count is reported in the [`Dedup::forgotten`] total).

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use crate::alert::NodeAlert;

#[derive(Debug, Clone, Copy)]
struct Group {
    /// When the group's last emitted alert was (nanoseconds on the caller's clock).
    start: u64,
    suppressed: u64,
}

/// See the module documentation.
#[derive(Debug)]
pub struct Dedup {
    window_ns: u64,
    max_groups: usize,
    groups: HashMap<u64, Group>,
    /// (start, key) in emission order, for eviction; stale entries are skipped.
    order: VecDeque<(u64, u64)>,
    /// Suppressed repeats whose group was evicted before its next alert.
    pub forgotten: u64,
}

/// The grouping key of an alert.
pub fn key(a: &NodeAlert) -> u64 {
    let mut h = DefaultHasher::new();
    a.rule_id.as_deref().unwrap_or(&a.rule).hash(&mut h);
    a.container.id.hash(&mut h);
    a.process.exepath.hash(&mut h);
    let e = &a.evidence;
    if e.addr.is_some() {
        e.addr.hash(&mut h);
        e.a1.hash(&mut h);
    } else {
        e.path.hash(&mut h);
    }
    h.finish()
}

impl Dedup {
    /// `window_ns == 0` disables de-duplication.
    pub fn new(window: std::time::Duration, max_groups: usize) -> Dedup {
        Dedup {
            window_ns: u64::try_from(window.as_nanos()).unwrap_or(u64::MAX),
            max_groups: max_groups.max(1),
            groups: HashMap::new(),
            order: VecDeque::new(),
            forgotten: 0,
        }
    }

    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Whether to emit `alert` at `now_ns`; when it is emitted after suppressed repeats, its
    /// `suppressed` says how many.
    pub fn admit(&mut self, alert: &mut NodeAlert, now_ns: u64) -> bool {
        if self.window_ns == 0 {
            return true;
        }
        let k = key(alert);
        if let Some(g) = self.groups.get_mut(&k) {
            if now_ns.saturating_sub(g.start) < self.window_ns {
                g.suppressed += 1;
                return false;
            }
            if g.suppressed > 0 {
                alert.suppressed = Some(g.suppressed);
            }
            *g = Group {
                start: now_ns,
                suppressed: 0,
            };
            self.order.push_back((now_ns, k));
            self.trim(now_ns);
            return true;
        }
        while self.groups.len() >= self.max_groups {
            // Oldest first; groups no longer queued (window closed with repeats pending) go
            // in any order once the queue is empty.
            let old = match self.order.pop_front() {
                Some((start, old)) if self.groups.get(&old).is_some_and(|g| g.start == start) => {
                    old
                }
                Some(_) => continue,
                None => match self.groups.keys().next() {
                    Some(k) => *k,
                    None => break,
                },
            };
            if let Some(g) = self.groups.remove(&old) {
                self.forgotten += g.suppressed;
            }
        }
        self.groups.insert(
            k,
            Group {
                start: now_ns,
                suppressed: 0,
            },
        );
        self.order.push_back((now_ns, k));
        self.trim(now_ns);
        true
    }

    /// Drops groups whose window closed without repeats (nothing to carry) from the front.
    fn trim(&mut self, now_ns: u64) {
        while let Some(&(start, k)) = self.order.front() {
            if now_ns.saturating_sub(start) < self.window_ns {
                break;
            }
            self.order.pop_front();
            if let Some(g) = self.groups.get(&k) {
                if g.start == start && g.suppressed == 0 {
                    self.groups.remove(&k);
                }
            }
        }
        // Entries of groups that restarted are stale; keep the queue within bounds anyway.
        if self.order.len() > self.max_groups.saturating_mul(2) {
            let groups = &self.groups;
            self.order
                .retain(|(s, k)| groups.get(k).is_some_and(|g| g.start == *s));
        }
    }

    /// Repeats suppressed so far that no later alert has reported yet.
    pub fn pending(&self) -> u64 {
        self.groups.values().map(|g| g.suppressed).sum()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::fields::NodeRecord;
    use crate::{Attribution, Kind, NodeEvent};

    const SEC: u64 = 1_000_000_000;

    fn alert(rule: &str, container: &str, exe: &str, path: &str) -> NodeAlert {
        let e = NodeEvent {
            kind: Kind::Open,
            pid: 10,
            tid: 10,
            ppid: 1,
            uid: 0,
            gid: 0,
            ts_ns: 5,
            cgroup_id: 1,
            comm: "cat".into(),
            pcomm: "sh".into(),
            cgroups: vec![],
            path: Some(path.into()),
            args: vec![],
            cwd: None,
            args_truncated: false,
            a0: 0,
            a1: 0,
            addr: None,
            ..Default::default()
        };
        let attribution = if container == "host" {
            Attribution::Host
        } else {
            Attribution::Container {
                id: container.into(),
                runtime: crate::cgroup::Runtime::Docker,
            }
        };
        let r = NodeRecord {
            event: &e,
            exe: Some(exe),
            args: &[],
            cwd: None,
            ancestors: &[],
            lineage: &[],
            num: 1,
            attribution: &attribution,
            container: None,
        };
        let meta = palisade_rules::RuleMeta {
            name: rule.into(),
            id: Some(rule.into()),
            desc: String::new(),
            priority: palisade_rules::Priority::Warning,
            severity: palisade_model::Severity::High,
            tags: vec![],
            techniques: vec![],
            tactics: vec![],
            source: "syscall".into(),
            remediation: None,
            enabled: true,
            pos: palisade_rules::Pos::new(&std::sync::Arc::from("t"), 1, 1),
        };
        NodeAlert::from_meta(&meta, "m".into(), &r, "t".into(), None)
    }

    #[test]
    fn repeats_are_suppressed_and_reported_by_the_next_alert() {
        let mut d = Dedup::new(Duration::from_secs(60), 100);
        let mut a = alert("R1", "c1", "/bin/cat", "/etc/shadow");
        assert!(d.admit(&mut a, 0));
        assert_eq!(a.suppressed, None);
        for t in 1..=5 {
            let mut again = alert("R1", "c1", "/bin/cat", "/etc/shadow");
            assert!(!d.admit(&mut again, t * SEC), "repeat {t}");
        }
        // Other container, executable, evidence or rule: separate groups.
        for mut other in [
            alert("R1", "c2", "/bin/cat", "/etc/shadow"),
            alert("R1", "c1", "/bin/less", "/etc/shadow"),
            alert("R1", "c1", "/bin/cat", "/etc/gshadow"),
            alert("R2", "c1", "/bin/cat", "/etc/shadow"),
        ] {
            assert!(d.admit(&mut other, 6 * SEC));
        }
        assert_eq!(d.pending(), 5);
        let mut later = alert("R1", "c1", "/bin/cat", "/etc/shadow");
        assert!(d.admit(&mut later, 61 * SEC));
        assert_eq!(later.suppressed, Some(5));
        let json = serde_json::to_value(&later).unwrap();
        assert_eq!(json["suppressed"], 5);
        assert_eq!(d.pending(), 0);
        // A new window started with the re-emitted alert.
        let mut again = alert("R1", "c1", "/bin/cat", "/etc/shadow");
        assert!(!d.admit(&mut again, 62 * SEC));
    }

    #[test]
    fn zero_window_disables() {
        let mut d = Dedup::new(Duration::ZERO, 100);
        for _ in 0..3 {
            let mut a = alert("R1", "c1", "/bin/cat", "/etc/shadow");
            assert!(d.admit(&mut a, 0));
        }
        assert_eq!(d.groups(), 0);
    }

    #[test]
    fn memory_is_bounded() {
        let mut d = Dedup::new(Duration::from_secs(60), 64);
        for i in 0..10_000u64 {
            let mut a = alert("R1", "c1", "/bin/cat", &format!("/etc/f{i}"));
            assert!(d.admit(&mut a, i));
            let mut b = alert("R1", "c1", "/bin/cat", &format!("/etc/f{i}"));
            assert!(!d.admit(&mut b, i + 1));
            assert!(d.groups() <= 64);
            assert!(d.order.len() <= 129, "{}", d.order.len());
        }
        // Every group evicted had one suppressed repeat pending.
        assert_eq!(d.forgotten + d.pending(), 10_000);
        // Windows that close without repeats are dropped from memory.
        let mut d = Dedup::new(Duration::from_secs(1), 64);
        for i in 0..1000u64 {
            let mut a = alert("R1", "c1", "/bin/cat", &format!("/etc/f{i}"));
            assert!(d.admit(&mut a, i * 2 * SEC));
            assert!(d.groups() <= 2);
        }
    }
}
