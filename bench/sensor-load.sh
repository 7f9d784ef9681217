#!/usr/bin/env bash
# Sensor under load: a container (palisade-test/sensor:1, host network) runs EXECS execs/s of
# /bin/true and CONNECTS connects/s to 127.0.0.1:9 (closed, so each is a real connect that
# is refused at once) for SECS seconds while `palisade sensor run` watches the node. Prints
# the sensor's CPU use (share of one core), peak RSS, events seen and drops.
# Usage: bench/sensor-load.sh [EXECS] [CONNECTS] [SECS]   (root; release build)
# PALISADE_SENSOR_ARGS adds `sensor run` options (e.g. "--collector netlink --listen 127.0.0.1:0").
set -euo pipefail
cd "$(dirname "$0")/.."
execs=${1:-1000} connects=${2:-5000} secs=${3:-20}
bin=${PALISADE_BIN:-${CARGO_TARGET_DIR:-target}/release/palisade}
out=$(mktemp -d)
PALISADE_REPORT_PEAK_RSS=1 "$bin" -v sensor run ${PALISADE_SENSOR_ARGS:-} --duration $((secs * 3 + 10)) -o "$out/alerts.jsonl" 2>"$out/sensor.log" &
pid=$!
until grep -q "sensor: collecting" "$out/sensor.log"; do sleep 0.2; done
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks)
start=$(date +%s.%N)
docker run --rm --network host palisade-test/sensor:1 perl -e '
  use Socket;
  my ($execs, $conns, $secs) = @ARGV; my ($e, $c) = (0, 0);
  my $addr = pack_sockaddr_in(9, inet_aton("127.0.0.1"));
  my $t = time; my $end = $t + $secs;
  while ($t < $end) {
    # One second: the execs and connects, spread in 10 slices, then wait for the next second.
    for my $slice (1 .. 10) {
      for (1 .. $execs / 10) { my $p = fork; if (!$p) { exec "/bin/true" } waitpid($p, 0); $e++ }
      for (1 .. $conns / 10) { socket(my $s, PF_INET, SOCK_STREAM, 0); connect($s, $addr); close $s; $c++ }
    }
    $t++;
    select(undef, undef, undef, 0.01) while time < $t;
  }
  print STDERR "load: $e execs, $c connects (rate: see the wall time below)\n";' "$execs" "$connects" "$secs"
t1=$(ticks)
end=$(date +%s.%N)
wait $pid || true
hz=$(getconf CLK_TCK)
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v s="$start" -v e="$end" \
  'BEGIN { printf "sensor CPU: %.2f%% of one core over %.1f s of load\n", 100 * (t1 - t0) / hz / (e - s), e - s }'
grep -E "sensor: stopped|events dropped|peak RSS" "$out/sensor.log" | sed 's/\x1b\[[0-9;]*m//g'
rm -rf "$out"
