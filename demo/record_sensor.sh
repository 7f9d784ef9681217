#!/bin/bash
# Records demo/sensor-alerts.jsonl and demo/sensor-heartbeats.jsonl: the real sensor
# (`palisade sensor run`, eBPF, as root) watches real Docker containers of the demo image
# (demo/image, loaded into Docker with skopeo) while an "attacker" works in them:
#   - reads /etc/shadow, and the node's /etc/shadow through a hostPath-like bind mount;
#   - drops a binary into /tmp and runs it (drift);
#   - opens an interactive shell (docker exec -it, through `script` for a terminal).
# The sensor reports to a stand-in server (demo/recorder.py) exactly what it would send to
# `palisade server`: alert batches and heartbeats (node, collector, running containers).
# Needs: root, dockerd, skopeo, python3, script (util-linux), and a built palisade
# (PALISADE=path, default target/debug/palisade; hold /work/target/.cli.lock on the dev box).
set -euo pipefail
cd "$(dirname "$0")"
PALISADE=${PALISADE:-../target/debug/palisade}
IMAGE=registry.example.com/palisade-demo/shop-api:1.0
WORK=$(mktemp -d)
PORT=${PORT:-18931}
cleanup() {
    docker rm -f shop-api-6d5f7c9b8-x2k4q worker-5c4b9-hq8zt >/dev/null 2>&1 || true
    [ -n "${SENSOR:-}" ] && kill "$SENSOR" 2>/dev/null || true
    [ -n "${RECORDER:-}" ] && kill "$RECORDER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

skopeo copy --quiet oci:image:1.0 "docker-daemon:$IMAGE"
python3 recorder.py "$PORT" "$WORK" &
RECORDER=$!
PALISADE_TOKEN=recording "$PALISADE" sensor run --node demo-node-1 --cluster demo \
    --server "http://127.0.0.1:$PORT" --spool "$WORK/spool" --heartbeat-interval 2s \
    --dedup-window 0s -o "$WORK/sensor-output.jsonl" 2>"$WORK/sensor.log" &
SENSOR=$!
sleep 6   # the eBPF programs load

pod() {  # NAME POD CONTAINER: a long-running container labelled as a Kubernetes pod's
    docker run -d --name "$2" --label io.kubernetes.pod.name="$2" \
        --label io.kubernetes.pod.namespace=shop --label io.kubernetes.container.name="$3" \
        -v /etc:/host/etc:ro "$IMAGE" sleep 3600 >/dev/null
}
pod api shop-api-6d5f7c9b8-x2k4q api
pod worker worker-5c4b9-hq8zt worker
sleep 2
A=shop-api-6d5f7c9b8-x2k4q
docker exec "$A" sh -c 'cat /etc/shadow >/dev/null'
docker exec "$A" sh -c 'cat /host/etc/shadow >/dev/null'
# busybox picks its applet by name: the dropped copy is called sh.
docker exec "$A" sh -c 'cp /bin/busybox /tmp/sh && /tmp/sh -c id >/dev/null'
script -qec "docker exec -it $A sh -c 'id; ls /'" /dev/null >/dev/null
sleep 5   # two more heartbeats with both containers running
kill -INT "$SENSOR"
wait "$SENSOR" || true
SENSOR=
sleep 1
cp "$WORK/sensor-output.jsonl" sensor-alerts.jsonl
tail -n 1 "$WORK/heartbeats.jsonl" > sensor-heartbeats.jsonl
echo "recorded $(wc -l < sensor-alerts.jsonl) alerts (the server received $(wc -l < "$WORK/alerts.jsonl")), $(wc -l < "$WORK/heartbeats.jsonl") heartbeats"
