//! The fuzz seeds of the operations side parse: `sensor_netlink` (real datagram layouts,
//! each decoding to the messages it is named after; `PALISADE_WRITE_SEEDS=1` rewrites
//! them), `sensor_baseline` and `sensor_drift_policy`.

use palisade_sensor::netlink::{encode, parse, Message, ProcEvent};
use palisade_sensor::{Baseline, DriftPolicy};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds");

fn datagrams() -> Vec<(&'static str, Vec<Message>)> {
    let m = |ts_ns, event| Message {
        cpu: 1,
        ts_ns,
        event,
    };
    vec![
        ("ack", vec![m(1, ProcEvent::Ack { err: 0 })]),
        (
            "fork-exec-exit",
            vec![
                m(
                    2,
                    ProcEvent::Fork {
                        parent_pid: 100,
                        parent_tgid: 100,
                        child_pid: 101,
                        child_tgid: 101,
                    },
                ),
                m(
                    3,
                    ProcEvent::Exec {
                        pid: 101,
                        tgid: 101,
                    },
                ),
                m(
                    4,
                    ProcEvent::Exit {
                        pid: 101,
                        tgid: 101,
                        code: 0,
                        signal: 17,
                    },
                ),
            ],
        ),
        ("comm", vec![m(5, ProcEvent::Other { what: 0x200 })]),
    ]
}

#[test]
fn netlink_seeds_parse_to_their_messages() {
    let dir = format!("{SEEDS}/sensor_netlink");
    let write = std::env::var_os("PALISADE_WRITE_SEEDS").is_some();
    for (name, msgs) in datagrams() {
        let path = format!("{dir}/{name}.bin");
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, encode(&msgs)).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(parse(&bytes).unwrap().messages, msgs, "{name}");
    }
}

#[test]
fn baseline_and_policy_seeds_parse() {
    for entry in std::fs::read_dir(format!("{SEEDS}/sensor_baseline")).unwrap() {
        let path = entry.unwrap().path();
        let b = Baseline::parse(&std::fs::read(&path).unwrap()).unwrap();
        assert!(b.images() > 0, "{}", path.display());
    }
    for entry in std::fs::read_dir(format!("{SEEDS}/sensor_drift_policy")).unwrap() {
        let path = entry.unwrap().path();
        let p = DriftPolicy::load(&path).unwrap();
        assert!(!p.entries().is_empty(), "{}", path.display());
    }
}
