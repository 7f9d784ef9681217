#!/usr/bin/env bash
# Installs what building Palisade needs beyond a Rust toolchain and gcc (Debian/Ubuntu): clang,
# bpftool and the libbpf headers for the sensor's eBPF programs; libelf, zlib, pkg-config and
# make for the vendored libbpf. Idempotent; as root or through sudo.
set -euo pipefail
packages=(clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config make)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
