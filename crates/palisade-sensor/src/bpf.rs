//! The kernel side: loads `bpf/sensor.bpf.c` (compiled by build.rs, embedded here), attaches
//! its programs (BTF-enabled tracepoints: `sched_process_exec`, `sched_process_exit`,
//! `sys_enter`; no tracefs needed) and reads the ring buffer. Uses libbpf-rs's safe API only.
//!
//! Needs CAP_BPF and CAP_PERFMON (or root). The BPF memory is charged to the sensor's cgroup
//! (kernel 5.11+), so RLIMIT_MEMLOCK does not matter.

use std::time::{Duration, Instant};

use libbpf_rs::{Link, MapCore, MapFlags, Object, ObjectBuilder, RingBufferBuilder};

use crate::decode::Kind;

/// How long a poll waits: the kernel side does not wake user space per record (only when the
/// ring is filling up), so records are read in batches at least this often (after each poll,
/// woken or not).
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// The compiled eBPF object.
pub static OBJECT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sensor.bpf.o"));

#[derive(Debug, thiserror::Error)]
pub enum BpfError {
    #[error("eBPF: {context}: {source}")]
    Libbpf {
        context: &'static str,
        #[source]
        source: libbpf_rs::Error,
    },
    #[error("eBPF object has no map `{0}`")]
    MissingMap(&'static str),
}

fn ctx(context: &'static str) -> impl FnOnce(libbpf_rs::Error) -> BpfError {
    move |source| BpfError::Libbpf { context, source }
}

/// Ring buffer reserve failures per event kind, since load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drops(pub [u64; Kind::ALL.len()]);

impl Drops {
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn get(&self, kind: Kind) -> u64 {
        self.0[kind.raw() as usize - 1]
    }
}

/// Loaded and attached programs.
pub struct Collector {
    obj: Object,
    _links: Vec<Link>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").finish_non_exhaustive()
    }
}

impl Collector {
    /// Loads the programs into the kernel and attaches them.
    pub fn load() -> Result<Collector, BpfError> {
        let mut builder = ObjectBuilder::default();
        let open = builder
            .open_memory(OBJECT)
            .map_err(ctx("opening the object"))?;
        let obj = open.load().map_err(ctx(
            "loading the programs (needs CAP_BPF, CAP_PERFMON and a kernel with BTF)",
        ))?;
        let mut links = Vec::new();
        for prog in obj.progs_mut() {
            let name = prog.name().to_string_lossy().into_owned();
            let link = prog.attach().map_err(ctx("attaching a program"))?;
            tracing::debug!(program = %name, "attached");
            links.push(link);
        }
        Ok(Collector { obj, _links: links })
    }

    fn map(&self, name: &'static str) -> Result<libbpf_rs::Map<'_>, BpfError> {
        self.obj
            .maps()
            .find(|m| m.name() == name)
            .ok_or(BpfError::MissingMap(name))
    }

    /// Drop counters, summed over CPUs.
    pub fn drops(&self) -> Result<Drops, BpfError> {
        let map = self.map("drops")?;
        let mut out = Drops::default();
        for kind in Kind::ALL {
            let key = kind.raw().to_ne_bytes();
            let per_cpu = map
                .lookup_percpu(&key, MapFlags::ANY)
                .map_err(ctx("reading drop counters"))?
                .unwrap_or_default();
            out.0[kind.raw() as usize - 1] = per_cpu
                .iter()
                .filter_map(|v| {
                    v.get(..8)
                        .map(|b| u64::from_ne_bytes(b.try_into().unwrap_or([0; 8])))
                })
                .sum();
        }
        Ok(out)
    }

    /// Reads records until `until` is reached or `stop` says so; `on_record` gets each record's
    /// bytes, `on_tick` runs about once a second.
    pub fn run(
        &self,
        until: Option<Instant>,
        stop: &dyn Fn() -> bool,
        on_record: &mut dyn FnMut(&[u8]),
        on_tick: &mut dyn FnMut(&Collector),
    ) -> Result<(), BpfError> {
        let events = self.map("events")?;
        let mut builder = RingBufferBuilder::new();
        builder
            .add(&events, |data: &[u8]| {
                on_record(data);
                0
            })
            .map_err(ctx("ring buffer"))?;
        let rb = builder.build().map_err(ctx("ring buffer"))?;
        let mut last_tick = Instant::now();
        loop {
            if stop() || until.is_some_and(|u| Instant::now() >= u) {
                break;
            }
            match rb.poll(POLL_INTERVAL) {
                Ok(()) => {}
                // EINTR: a signal arrived; look at `stop` again.
                Err(e) if e.kind() == libbpf_rs::ErrorKind::Interrupted => {}
                Err(e) => return Err(ctx("polling the ring buffer")(e)),
            }
            // The poll only reads a ring the kernel woke it for; records submitted without a
            // wakeup are read here, every POLL_INTERVAL.
            rb.consume().map_err(ctx("reading the ring buffer"))?;
            if last_tick.elapsed() >= Duration::from_secs(1) {
                last_tick = Instant::now();
                on_tick(self);
            }
        }
        // Whatever is still queued.
        rb.consume().map_err(ctx("draining the ring buffer"))?;
        on_tick(self);
        Ok(())
    }
}
