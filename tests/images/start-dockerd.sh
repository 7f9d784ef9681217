#!/usr/bin/env bash
# Starts a Docker daemon kept off the host network (no bridge, no iptables) unless one answers.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
mkdir -p /var/log/palisade-ci
nohup dockerd --iptables=false --bridge=none --ip-masq=false \
  >/var/log/palisade-ci/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "dockerd did not start; its log:" >&2
tail -50 /var/log/palisade-ci/dockerd.log >&2
exit 1
