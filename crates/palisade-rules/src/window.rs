//! Count-within-window (`window: {count, seconds, by}` on a rule): the state of the counts,
//! kept by the caller so that the engine stays pure.
//!
//! Memory is bounded: at most [`Windows::capacity`] keys (rule + values of the `by` fields)
//! are tracked, each with at most `count` (≤ 1000) timestamps. When the map is full, keys
//! whose window has passed are dropped first, then the key seen least recently (so a flood of
//! distinct keys can make a slow burst be missed, never grow memory). With the default
//! capacity (16,384 keys) and rules counting up to 10 events, the state stays under ~3 MiB.

use std::collections::{HashMap, VecDeque};

use crate::event::{Event, FieldSpec};

/// A compiled `window:`.
#[derive(Debug, Clone)]
pub struct Window {
    pub count: u32,
    pub millis: u64,
    pub by: Vec<FieldSpec>,
}

/// Keys tracked at most by default.
pub const DEFAULT_CAPACITY: usize = 16_384;

#[derive(Debug)]
struct Slot {
    times: VecDeque<u64>,
    last: u64,
    millis: u64,
}

/// The counts of every windowed rule.
#[derive(Debug)]
pub struct Windows {
    slots: HashMap<(usize, String), Slot>,
    capacity: usize,
    /// Keys dropped because the map was full while their window was open.
    pub evicted: u64,
}

impl Default for Windows {
    fn default() -> Self {
        Windows::new(DEFAULT_CAPACITY)
    }
}

impl Windows {
    pub fn new(capacity: usize) -> Windows {
        Windows {
            slots: HashMap::new(),
            capacity: capacity.max(1),
            evicted: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Keys tracked now.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Counts one match of `rule` at `now_ms`; true when it is the `count`-th of its key
    /// within the window (the key then starts counting afresh).
    pub fn admit<E: Event + ?Sized>(
        &mut self,
        rule: usize,
        w: &Window,
        ev: &E,
        now_ms: u64,
    ) -> bool {
        let mut key = String::new();
        for (i, f) in w.by.iter().enumerate() {
            if i > 0 {
                key.push('\u{1f}');
            }
            for (j, v) in ev.extract(f).as_slice().iter().enumerate() {
                if j > 0 {
                    key.push(',');
                }
                key.push_str(&v.as_text());
            }
        }
        let k = (rule, key);
        if !self.slots.contains_key(&k) && self.slots.len() >= self.capacity {
            self.make_room(now_ms);
        }
        let slot = self.slots.entry(k).or_insert_with(|| Slot {
            times: VecDeque::new(),
            last: now_ms,
            millis: w.millis,
        });
        slot.last = slot.last.max(now_ms);
        while slot
            .times
            .front()
            .is_some_and(|&t| now_ms.saturating_sub(t) > w.millis)
        {
            slot.times.pop_front();
        }
        slot.times.push_back(now_ms);
        if slot.times.len() >= w.count as usize {
            slot.times.clear();
            return true;
        }
        false
    }

    fn make_room(&mut self, now_ms: u64) {
        self.slots
            .retain(|_, s| now_ms.saturating_sub(s.last) <= s.millis);
        if self.slots.len() >= self.capacity {
            if let Some(oldest) = self
                .slots
                .iter()
                .min_by_key(|(_, s)| s.last)
                .map(|(k, _)| k.clone())
            {
                self.slots.remove(&oldest);
                self.evicted += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{FieldSource, Value, Values};
    use crate::{Event, FieldError, FieldSpec, RuleSet};
    use std::borrow::Cow;
    use std::sync::Arc;

    struct Src;
    impl FieldSource for Src {
        fn source(&self) -> &str {
            "t"
        }
        fn resolve(&self, name: &str, _: Option<&str>) -> Result<FieldSpec, FieldError> {
            let id = match name {
                "cmd" => 0,
                "cid" => 1,
                _ => return Err(FieldError::Unsupported(name.into())),
            };
            Ok(FieldSpec {
                id,
                arg: None,
                name: Arc::from(name),
            })
        }
    }
    struct Ev(&'static str, &'static str);
    impl Event for Ev {
        fn extract(&self, f: &FieldSpec) -> Values<'_> {
            Values::One(Value::Str(Cow::Borrowed(if f.id == 0 {
                self.0
            } else {
                self.1
            })))
        }
    }

    fn engine() -> crate::Engine {
        let mut set = RuleSet::new();
        set.add_file(
            "r.yaml",
            "- rule: burst\n  desc: d\n  condition: cmd in (id, whoami, uname)\n  output: o\n  priority: NOTICE\n  source: t\n  window: {count: 3, seconds: 10, by: [cid]}\n- rule: plain\n  desc: d\n  condition: cmd = id\n  output: o\n  priority: NOTICE\n  source: t\n",
        );
        let (e, d) = set.compile(&Src);
        assert!(d.is_empty(), "{d:?}");
        e
    }

    #[test]
    fn fires_on_the_count_th_match_within_the_window_per_key() {
        let e = engine();
        let mut w = Windows::new(100);
        let mut run = |ev: Ev, t: u64| {
            let mut hits = Vec::new();
            e.evaluate_windowed(&ev, t, &mut w, &mut hits);
            hits
        };
        assert_eq!(run(Ev("id", "a"), 0), [1], "the plain rule fires at once");
        assert_eq!(run(Ev("whoami", "a"), 1_000), Vec::<usize>::new());
        assert_eq!(
            run(Ev("uname", "b"), 2_000),
            Vec::<usize>::new(),
            "other key"
        );
        assert_eq!(
            run(Ev("uname", "a"), 3_000),
            [0],
            "third of key a within 10 s"
        );
        assert_eq!(
            run(Ev("uname", "a"), 4_000),
            Vec::<usize>::new(),
            "counting afresh"
        );
        assert_eq!(run(Ev("uname", "b"), 20_000), Vec::<usize>::new());
        assert_eq!(
            run(Ev("uname", "b"), 21_000),
            Vec::<usize>::new(),
            "b's first fell out"
        );
        assert_eq!(
            run(Ev("ls", "b"), 21_500),
            Vec::<usize>::new(),
            "no match, no count"
        );
        assert_eq!(run(Ev("whoami", "b"), 22_000), [0]);
    }

    #[test]
    fn memory_is_bounded_by_capacity() {
        let e = engine();
        let mut w = Windows::new(8);
        let keys: Vec<&'static str> = (0..1000)
            .map(|i| &*Box::leak(format!("c{i}").into_boxed_str()))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            let mut hits = Vec::new();
            e.evaluate_windowed(&Ev("whoami", k), i as u64, &mut w, &mut hits);
            assert!(w.len() <= 8);
        }
        assert!(w.evicted > 0);
    }

    #[test]
    fn window_keys_are_checked() {
        for (bad, why) in [
            ("{count: 0, seconds: 10}", "from 1"),
            ("{count: 5}", "needs count and seconds"),
            ("{count: 5, seconds: 10, every: 3}", "unknown key"),
            ("{count: 5000, seconds: 10}", "from 1 to 1000"),
        ] {
            let mut set = RuleSet::new();
            set.add_file("r.yaml", &format!("- rule: r\n  desc: d\n  condition: cmd = id\n  output: o\n  priority: NOTICE\n  source: t\n  window: {bad}\n"));
            let (_, d) = set.compile(&Src);
            assert!(d.iter().any(|d| d.message.contains(why)), "{bad}: {d:?}");
        }
        let mut set = RuleSet::new();
        set.add_file("r.yaml", "- rule: r\n  desc: d\n  condition: cmd = id\n  output: o\n  priority: NOTICE\n  source: t\n  window: {count: 2, seconds: 1, by: nope}\n");
        let (_, d) = set.compile(&Src);
        assert!(d.iter().any(|d| d.message.contains("nope")), "{d:?}");
    }
}
