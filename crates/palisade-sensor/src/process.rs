//! What user space remembers about processes between their exec and exit events: executable,
//! argv, parent and container, so that an open or connect (which carries only the pid) can be
//! described like its exec, and `proc.aname[N]` can walk up the tree. Bounded; a process
//! that started before the sensor is read from `/proc` once.

use std::collections::HashMap;

use crate::cgroup::{self, Attribution};
use crate::decode::{Kind, NodeEvent, MAX_ARGS};
use crate::fields::MAX_ANCESTORS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    pub name: String,
    pub exe: Option<String>,
    pub args: Vec<String>,
    pub cwd: Option<String>,
    pub ppid: u32,
    /// The parent's name when this process exec'd (empty if unknown).
    pub pname: String,
    pub attribution: Attribution,
}

/// pid → [`ProcInfo`], at most `capacity` entries.
#[derive(Debug)]
pub struct ProcessTable {
    procs: HashMap<u32, ProcInfo>,
    capacity: usize,
    /// Whether to read `/proc` for processes not seen exec'ing (off in pure tests).
    read_proc: bool,
}

impl ProcessTable {
    pub fn new(capacity: usize, read_proc: bool) -> Self {
        ProcessTable {
            procs: HashMap::new(),
            capacity,
            read_proc,
        }
    }

    pub fn len(&self) -> usize {
        self.procs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    pub fn get(&self, pid: u32) -> Option<&ProcInfo> {
        self.procs.get(&pid)
    }

    fn insert(&mut self, pid: u32, info: ProcInfo) {
        if self.procs.len() >= self.capacity && !self.procs.contains_key(&pid) {
            // Full: forget an arbitrary entry (exit events keep this rare).
            if let Some(k) = self.procs.keys().next().copied() {
                self.procs.remove(&k);
            }
        }
        self.procs.insert(pid, info);
    }

    /// The attribution of an event: from the kernel's cgroup names when it sent any, else
    /// what is known of the process.
    pub fn attribution(&self, e: &NodeEvent) -> Attribution {
        if e.cgroups.iter().all(String::is_empty) {
            return self
                .procs
                .get(&e.pid)
                .map_or(Attribution::Host, |p| p.attribution.clone());
        }
        let names: Vec<&str> = e.cgroups.iter().map(String::as_str).collect();
        cgroup::from_names(&names)
    }

    /// Updates the table with an event (before rules run on it; exit removes after).
    pub fn observe(&mut self, e: &NodeEvent) {
        match e.kind {
            Kind::Exec => {
                let attribution = self.attribution(e);
                self.insert(
                    e.pid,
                    ProcInfo {
                        name: e.comm.clone(),
                        exe: e.path.clone(),
                        args: e.args.clone(),
                        cwd: e.cwd.clone(),
                        ppid: e.ppid,
                        pname: e.pcomm.clone(),
                        attribution,
                    },
                );
            }
            _ if !self.procs.contains_key(&e.pid) && self.read_proc => {
                if let Some(info) = read_proc(e.pid) {
                    self.insert(e.pid, info);
                }
            }
            _ => {}
        }
    }

    pub fn forget(&mut self, pid: u32) {
        self.procs.remove(&pid);
    }

    /// What the table knows of a process's ancestors: parent first, as far as the chain of
    /// known parents goes.
    pub fn lineage(&self, e: &NodeEvent) -> Vec<&ProcInfo> {
        let mut out = Vec::new();
        let mut pid = e.ppid;
        while out.len() < MAX_ANCESTORS {
            let Some(p) = self.procs.get(&pid) else { break };
            out.push(p);
            if p.ppid == pid || p.ppid == 0 {
                break;
            }
            pid = p.ppid;
        }
        out
    }

    /// Ancestor names of a process: parent first.
    pub fn ancestors<'a>(&'a self, e: &'a NodeEvent) -> Vec<&'a str> {
        let mut out = Vec::new();
        if e.pcomm.is_empty() {
            return out;
        }
        out.push(e.pcomm.as_str());
        let mut pid = e.ppid;
        while out.len() < MAX_ANCESTORS {
            let Some(p) = self.procs.get(&pid) else { break };
            let pname = if p.pname.is_empty() {
                match self.procs.get(&p.ppid) {
                    Some(pp) => pp.name.as_str(),
                    None => break,
                }
            } else {
                p.pname.as_str()
            };
            out.push(pname);
            if p.ppid == pid || p.ppid == 0 {
                break;
            }
            pid = p.ppid;
        }
        out
    }
}

/// A running process as `/proc` shows it (for processes that started before the sensor).
pub fn read_proc(pid: u32) -> Option<ProcInfo> {
    let dir = format!("/proc/{pid}");
    let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let name = stat.get(open + 1..close)?.to_string();
    let ppid = stat
        .get(close + 2..)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let cmdline = std::fs::read(format!("{dir}/cmdline")).unwrap_or_default();
    let args = cmdline
        .strip_suffix(&[0])
        .unwrap_or(&cmdline)
        .split(|&c| c == 0)
        .filter(|a| !a.is_empty())
        .take(MAX_ARGS)
        .map(|a| String::from_utf8_lossy(&a[..a.len().min(4096)]).into_owned())
        .collect();
    let exe = std::fs::read_link(format!("{dir}/exe"))
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    let attribution = std::fs::read_to_string(format!("{dir}/cgroup"))
        .map(|t| cgroup::from_proc_cgroup(&t))
        .unwrap_or(Attribution::Host);
    let cwd = std::fs::read_link(format!("{dir}/cwd"))
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    Some(ProcInfo {
        name,
        exe,
        args,
        cwd,
        ppid,
        pname: String::new(),
        attribution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_process() {
        let me = read_proc(std::process::id()).unwrap();
        assert_eq!(me.ppid, std::os::unix::process::parent_id());
        assert!(me.exe.is_some());
        assert!(!me.args.is_empty());
    }
}
