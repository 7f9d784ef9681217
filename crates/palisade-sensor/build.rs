//! Builds the eBPF programs: generates `vmlinux.h` from the running kernel's BTF with bpftool
//! (CO-RE: the object then loads on any BTF-enabled kernel), compiles `bpf/sensor.bpf.c` with
//! clang for the BPF target, and leaves `sensor.bpf.o` in OUT_DIR for `include_bytes!`.

use std::path::PathBuf;
use std::process::Command;

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (install clang and bpftool)"));
    if !out.status.success() {
        panic!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    out.stdout
}

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let btf = std::env::var("PALISADE_BTF").unwrap_or_else(|_| "/sys/kernel/btf/vmlinux".into());
    println!("cargo:rerun-if-changed=bpf/sensor.bpf.c");
    println!("cargo:rerun-if-env-changed=PALISADE_BTF");
    let vmlinux = run(Command::new("bpftool").args(["btf", "dump", "file", &btf, "format", "c"]));
    std::fs::write(out.join("vmlinux.h"), vmlinux).expect("write vmlinux.h");
    let obj = out.join("sensor.bpf.o");
    run(Command::new("clang")
        .args([
            "-g",
            "-O2",
            "-target",
            "bpf",
            "-D__TARGET_ARCH_x86",
            "-Wall",
            "-Werror",
        ])
        .arg("-I")
        .arg(&out)
        .arg("-c")
        .arg("bpf/sensor.bpf.c")
        .arg("-o")
        .arg(&obj));
}
