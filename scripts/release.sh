#!/usr/bin/env bash
# Builds the release binary to ship: `dist/palisade` without debug info (small), and
# `dist/palisade.debug` holding it, linked by a .gnu_debuglink so gdb, addr2line and
# `eu-stack` find it when symbolizing a crash. Needs binutils (objcopy).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked -p palisade-cli
mkdir -p dist
objcopy --only-keep-debug "$target/release/palisade" dist/palisade.debug
objcopy --strip-debug --add-gnu-debuglink=dist/palisade.debug "$target/release/palisade" dist/palisade
ls -l dist/palisade dist/palisade.debug
