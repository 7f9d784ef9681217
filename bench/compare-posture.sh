#!/usr/bin/env bash
# Palisade's posture scan against its peers on the manifest corpus (tests/manifests):
#  1. every class of issue `trivy config` and Checkov report must be reported by Palisade too:
#     for each peer finding (check, file), Palisade must have a finding of a check mapped to that
#     class (bench/posture-peers.tsv) in the same file; misses are listed, a class the table
#     does not know is an error;
#  2. wall time of each tool on the corpus (hyperfine).
# Usage: bench/compare-posture.sh [PALISADE_BINARY]   (CHECKOV=path/to/checkov, RUNS=N)
# Checkov is not installed by CI: `python3 -m venv /tmp/ckv && /tmp/ckv/bin/pip install checkov`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${1:-$here/target/release/palisade}
checkov=${CHECKOV:-$(command -v checkov || true)}
runs=${RUNS:-5}
corpus=$here/tests/manifests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$palisade" posture scan "$corpus" -f json --allowed-registry registry.example.com >"$work/palisade.json" || true
trivy config --quiet -f json "$corpus" >"$work/trivy.json"
if [ -n "$checkov" ]; then
  "$checkov" -d "$corpus" --framework kubernetes -o json --quiet >"$work/checkov.json" 2>/dev/null || true
fi

python3 - "$work" "$here/bench/posture-peers.tsv" "$corpus" <<'PY'
import collections, json, os, sys
work, table, corpus = sys.argv[1:4]
mapping, notes = {}, {}
for line in open(table):
    if line.startswith("#") or not line.strip():
        continue
    cols = line.rstrip("\n").split("\t")
    mapping[cols[0]] = set(cols[1].split(","))
    if len(cols) > 2:
        notes[cols[0]] = cols[2]
ours = collections.defaultdict(set)
for f in json.load(open(f"{work}/palisade.json"))["findings"]:
    ours[os.path.relpath(f["location"]["file"], corpus)].add(f["check_id"])
peer = collections.defaultdict(set)  # class -> files
tr = json.load(open(f"{work}/trivy.json"))
for r in tr.get("Results", []):
    for m in r.get("Misconfigurations") or []:
        peer[m["ID"]].add(os.path.relpath(os.path.join(corpus, r["Target"]), corpus))
if os.path.exists(f"{work}/checkov.json"):
    ck = json.load(open(f"{work}/checkov.json"))
    for rep in ck if isinstance(ck, list) else [ck]:
        for r in rep["results"]["failed_checks"]:
            peer[r["check_id"]].add(r["file_path"].lstrip("/"))
unknown = sorted(c for c in peer if c not in mapping)
print(f"{'class':<12} {'files':>5} {'missed':>6}  note")
missed_total = 0
for cls in sorted(peer, key=lambda c: (c.split("-")[0].split("_")[0], c)):
    if cls not in mapping:
        continue
    missed = sorted(f for f in peer[cls] if not (ours.get(f, set()) & mapping[cls]))
    missed_total += len(missed)
    note = notes.get(cls, "")
    print(f"{cls:<12} {len(peer[cls]):>5} {len(missed):>6}  {note}")
    for f in missed:
        print(f"{'':<20}missed in {f}")
if unknown:
    print("classes missing from bench/posture-peers.tsv:", ", ".join(unknown))
    sys.exit(1)
never = [c for c in peer if not any(ours[f] & mapping[c] for f in ours)]
if never:
    print("classes Palisade never reports:", ", ".join(never))
    sys.exit(1)
print(f"{len(peer)} peer classes, each reported by Palisade in the corpus; "
      f"{missed_total} (class, file) pairs without a mapped Palisade finding (see the notes)")
PY

cmds=("$palisade posture scan $corpus -f json -o /dev/null" "trivy config --quiet -f json $corpus")
[ -n "$checkov" ] && cmds+=("$checkov -d $corpus --framework kubernetes -o json --quiet")
hyperfine -N -i --warmup 1 --runs "$runs" "${cmds[@]}"
