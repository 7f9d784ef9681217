#!/usr/bin/env bash
# Sensor under load: a container (palisade-test/sensor:1, host network) runs EXECS execs/s of
# a static no-op program and CONNECTS connects/s to 127.0.0.1:9 (closed, so each is a real
# connect that is refused at once) for SECS seconds, from WORKERS processes (bench/loadgen.c,
# built static here with cc), while `palisade sensor run` watches the node. Prints what the
# load reached, the sensor's CPU use (share of one core), peak RSS, events seen and drops.
# Usage: bench/sensor-load.sh [EXECS] [CONNECTS] [SECS] [WORKERS]   (root; release build)
# PALISADE_SENSOR_ARGS adds `sensor run` options (e.g. "--collector netlink --listen 127.0.0.1:0").
set -euo pipefail
cd "$(dirname "$0")/.."
execs=${1:-1000} connects=${2:-5000} secs=${3:-20} workers=${4:-1}
bin=${PALISADE_BIN:-${CARGO_TARGET_DIR:-target}/release/palisade}
out=$(mktemp -d)
mkdir -p "$out/load"
cc -O2 -static -o "$out/load/loadgen" bench/loadgen.c
printf 'int main(void) { return 0; }\n' | cc -O2 -static -x c -o "$out/load/true" -
PALISADE_REPORT_PEAK_RSS=1 "$bin" -v sensor run ${PALISADE_SENSOR_ARGS:-} --duration $((secs * 3 + 10)) -o "$out/alerts.jsonl" 2>"$out/sensor.log" &
pid=$!
until grep -q "sensor: collecting" "$out/sensor.log"; do sleep 0.2; done
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks)
start=$(date +%s.%N)
docker run --rm --network host -v "$out/load:/load:ro" palisade-test/sensor:1 \
  /load/loadgen "$execs" "$connects" "$secs" /load/true 9 "$workers"
t1=$(ticks)
end=$(date +%s.%N)
wait $pid || true
hz=$(getconf CLK_TCK)
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v s="$start" -v e="$end" \
  'BEGIN { printf "sensor CPU: %.2f%% of one core over %.1f s of load\n", 100 * (t1 - t0) / hz / (e - s), e - s }'
grep -E "sensor: stopped|events dropped|peak RSS" "$out/sensor.log" | sed 's/\x1b\[[0-9;]*m//g'
rm -rf "$out"
