//! Disk-buffered alert output: alerts are appended (one JSON line each) to segment files in
//! the spool directory and fsync'd before the sensor moves on; a forwarder sends closed
//! segments, oldest first, as JSON-lines batches and deletes a segment only after the
//! receiver answered 2xx. Segments left by a previous run are sent after a restart. Delivery
//! is therefore at-least-once: a segment whose 2xx was lost (crash, timeout) is sent again.
//!
//! Segments are named `<sequence, 20 digits>.jsonl`; the writer's current segment is closed
//! when it reaches [`SEGMENT_MAX`] bytes or has been open for the flush interval, and only
//! closed segments are sent. The spool is bounded: past `max_bytes`, the oldest closed
//! segments are deleted unsent, and the alerts lost that way are counted and logged.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{
    AtomicU64,
    Ordering::{Relaxed, SeqCst},
};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::metrics::Metrics;

/// A segment is closed at this size.
pub const SEGMENT_MAX: u64 = 1 << 20;
const SUFFIX: &str = ".jsonl";

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The segments in `dir`, oldest first.
pub fn segments(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut out: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let seq = name.to_str()?.strip_suffix(SUFFIX)?.parse().ok()?;
            Some((seq, e.path()))
        })
        .collect();
    out.sort();
    out
}

fn lines_in(path: &Path) -> u64 {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count() as u64)
        .unwrap_or(0)
}

struct Current {
    seq: u64,
    file: File,
    size: u64,
    opened: Instant,
}

/// The writing side.
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    flush_after: Duration,
    current: Option<Current>,
    next_seq: u64,
    /// The sequence of the segment being written (`u64::MAX`: none), for the forwarder.
    active: Arc<AtomicU64>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("dir", &self.dir)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Spool {
    /// Opens (creating) the spool directory; segments already there are closed and will be
    /// sent.
    pub fn open(
        dir: &Path,
        max_bytes: u64,
        flush_after: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Spool, SpoolError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let existing = segments(dir);
        let next_seq = existing.last().map_or(1, |(s, _)| s + 1);
        let bytes: u64 = existing
            .iter()
            .filter_map(|(_, p)| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        metrics.spool_bytes.store(bytes, Relaxed);
        if !existing.is_empty() {
            tracing::info!(
                segments = existing.len(),
                bytes,
                "spool: alerts from an earlier run will be sent"
            );
        }
        Ok(Spool {
            dir: dir.to_path_buf(),
            max_bytes: max_bytes.max(SEGMENT_MAX),
            flush_after,
            current: None,
            next_seq,
            active: Arc::new(AtomicU64::new(u64::MAX)),
            metrics,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Shared with the forwarder: which segment is still being written.
    pub fn active(&self) -> Arc<AtomicU64> {
        self.active.clone()
    }

    /// Appends alerts (one JSON document per line, without newlines) and fsyncs.
    pub fn append(&mut self, lines: &[String]) -> Result<(), SpoolError> {
        if lines.is_empty() {
            return Ok(());
        }
        if self.current.is_none() {
            let seq = self.next_seq;
            self.next_seq += 1;
            let path = self.dir.join(format!("{seq:020}{SUFFIX}"));
            // Marked active before it exists, so the forwarder never takes it for closed.
            self.active.store(seq, SeqCst);
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(io(&path))?;
            self.current = Some(Current {
                seq,
                file,
                size: 0,
                opened: Instant::now(),
            });
        }
        let Some(cur) = self.current.as_mut() else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in lines {
            buf.extend_from_slice(l.as_bytes());
            buf.push(b'\n');
        }
        let path = self.dir.join(format!("{:020}{SUFFIX}", cur.seq));
        cur.file.write_all(&buf).map_err(io(&path))?;
        cur.file.sync_data().map_err(io(&path))?;
        cur.size += buf.len() as u64;
        self.metrics
            .spool_appended
            .fetch_add(lines.len() as u64, Relaxed);
        self.metrics
            .spool_bytes
            .fetch_add(buf.len() as u64, Relaxed);
        if cur.size >= SEGMENT_MAX {
            self.close();
        }
        self.enforce_bound();
        Ok(())
    }

    /// Closes the current segment when it has been open for the flush interval (call it
    /// regularly, so a quiet sensor's last alerts are sent too).
    pub fn tick(&mut self) {
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.opened.elapsed() >= self.flush_after)
        {
            self.close();
        }
    }

    /// Closes the current segment (it becomes sendable).
    pub fn close(&mut self) {
        if self.current.take().is_some() {
            self.active.store(u64::MAX, SeqCst);
        }
    }

    /// Deletes the oldest closed segments while the spool is larger than its bound.
    fn enforce_bound(&mut self) {
        let all = segments(&self.dir);
        let mut total: u64 = all
            .iter()
            .filter_map(|(_, p)| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let active = self.active.load(SeqCst);
        for (seq, path) in all {
            if total <= self.max_bytes {
                break;
            }
            if seq == active {
                continue;
            }
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let lost = lines_in(&path);
            if std::fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(size);
                self.metrics.spool_lost.fetch_add(lost, Relaxed);
                tracing::warn!(
                    segment = %path.display(),
                    alerts = lost,
                    bound = self.max_bytes,
                    "spool full: oldest unsent alerts deleted"
                );
            }
        }
        self.metrics.spool_bytes.store(total, Relaxed);
    }
}

/// Sends every closed segment, oldest first, through `send` (which must return `Ok` only
/// for a 2xx answer); a sent segment is deleted. Stops at the first failure (order is kept).
/// Returns the number of alerts delivered.
pub fn forward_once(
    dir: &Path,
    active: &AtomicU64,
    metrics: &Metrics,
    send: &mut dyn FnMut(Vec<u8>) -> Result<(), String>,
) -> Result<u64, String> {
    let mut delivered = 0;
    for (seq, path) in segments(dir) {
        if seq == active.load(SeqCst) {
            break;
        }
        let body = match std::fs::read(&path) {
            Ok(b) => b,
            // Deleted meanwhile (spool bound): nothing to send.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let lines = body.iter().filter(|&&c| c == b'\n').count() as u64;
        let size = body.len() as u64;
        if lines > 0 {
            send(body)?;
        }
        let _ = std::fs::remove_file(&path);
        delivered += lines;
        metrics.spool_forwarded.fetch_add(lines, Relaxed);
        let _ = metrics
            .spool_bytes
            .fetch_update(Relaxed, Relaxed, |b| Some(b.saturating_sub(size)));
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Arc<Metrics> {
        Arc::new(Metrics::new(vec![]))
    }

    #[test]
    fn append_close_forward_delete() {
        let dir = tempfile::tempdir().unwrap();
        let m = metrics();
        let mut s = Spool::open(dir.path(), 1 << 30, Duration::from_secs(3600), m.clone()).unwrap();
        s.append(&["{\"a\":1}".into(), "{\"a\":2}".into()]).unwrap();
        let active = s.active();
        let mut sent = Vec::new();
        // The open segment is not sent.
        assert_eq!(
            forward_once(dir.path(), &active, &m, &mut |b| {
                sent.push(b);
                Ok(())
            }),
            Ok(0)
        );
        s.close();
        s.append(&["{\"a\":3}".into()]).unwrap();
        // A failing receiver keeps everything.
        assert!(forward_once(dir.path(), &active, &m, &mut |_| Err("down".into())).is_err());
        assert_eq!(segments(dir.path()).len(), 2);
        assert_eq!(
            forward_once(dir.path(), &active, &m, &mut |b| {
                sent.push(b);
                Ok(())
            }),
            Ok(2)
        );
        assert_eq!(sent, vec![b"{\"a\":1}\n{\"a\":2}\n".to_vec()]);
        assert_eq!(segments(dir.path()).len(), 1, "the open one stays");
        // After a restart, the old segment is closed and sent; new ones continue the sequence.
        drop(s);
        let mut s2 = Spool::open(dir.path(), 1 << 30, Duration::ZERO, m.clone()).unwrap();
        s2.append(&["{\"a\":4}".into()]).unwrap();
        s2.tick();
        let names: Vec<u64> = segments(dir.path()).iter().map(|(q, _)| *q).collect();
        assert_eq!(names, vec![2, 3]);
        let mut got = Vec::new();
        forward_once(dir.path(), &s2.active(), &m, &mut |b| {
            got.push(String::from_utf8(b).unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(got, vec!["{\"a\":3}\n", "{\"a\":4}\n"]);
        assert!(segments(dir.path()).is_empty());
        assert_eq!(m.spool_forwarded.load(Relaxed), 4);
        assert_eq!(m.spool_appended.load(Relaxed), 4);
        assert_eq!(m.spool_bytes.load(Relaxed), 0);
    }

    #[test]
    fn bounded_with_counted_loss() {
        let dir = tempfile::tempdir().unwrap();
        let m = metrics();
        let mut s = Spool::open(dir.path(), 0, Duration::ZERO, m.clone()).unwrap();
        // The bound is at least one segment; 3 segments of ~600 KiB exceed it.
        let line = "x".repeat(600 << 10);
        for _ in 0..3 {
            s.append(std::slice::from_ref(&line)).unwrap();
            s.close();
        }
        let left = segments(dir.path());
        let bytes: u64 = left
            .iter()
            .map(|(_, p)| std::fs::metadata(p).unwrap().len())
            .sum();
        assert!(bytes <= SEGMENT_MAX, "{bytes}");
        assert_eq!(m.spool_lost.load(Relaxed), 2);
        assert_eq!(left.last().unwrap().0, 3, "the newest is kept");
    }
}
