#!/usr/bin/env bash
# Local-only check of the rpm-ndb cataloger against a real SUSE rpm database: the SLE 15 BCI
# Packages.db in go-rpmdb's public test data, compared with the package list go-rpmdb's tests
# expect (what `rpm -qa --queryformat` printed in that image, per the comment above
# SLE15WithNDB in pkg/rpmdb_testcase_test.go). Nothing is copied into this repository: the
# database and the list are read from a fetched copy of the go-rpmdb repository.
#
#   bash bench/compare-rpmdb-ndb.sh GO_RPMDB_GIT_DIR [PALISADE_BINARY]
#
# GO_RPMDB_GIT_DIR is a git directory (bare or not) of github.com/knqyf263/go-rpmdb.
# Prints "N of M packages found, all fields equal" and exits 0, or lists every difference
# (name, epoch, version, release, arch, source rpm) and exits 1.
set -euo pipefail
git_dir=${1:?usage: compare-rpmdb-ndb.sh GO_RPMDB_GIT_DIR [PALISADE_BINARY]}
palisade=${2:-${CARGO_TARGET_DIR:-target}/debug/palisade}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/usr/lib/sysimage/rpm" "$work/root/etc"
git --git-dir="$git_dir" show HEAD:pkg/testdata/sle15-bci/Packages.db > "$work/root/usr/lib/sysimage/rpm/Packages.db"
git --git-dir="$git_dir" show HEAD:pkg/rpmdb_testcase_test.go > "$work/expected.go"
printf 'NAME="SLES"\nVERSION="15-SP3"\nVERSION_ID="15.3"\nID="sles"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP3"\n' > "$work/root/etc/os-release"
"$palisade" sbom "dir:$work/root" -f json -o "$work/sbom.json"
python3 - "$work/expected.go" "$work/sbom.json" <<'PY'
import json, re, sys
src = open(sys.argv[1]).read()
block = src[src.index("SLE15WithNDB = func()"):]
block = block[:block.index("return toPackageInfo")]
row = re.compile(r'\{intRef\((\d*)\), "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)"')
want = set()
for epoch, name, version, release, arch, srpm in row.findall(block):
    evr = (epoch + ":" if epoch else "") + version + "-" + release
    want.add((name, evr, arch, srpm))
sbom = json.load(open(sys.argv[2]))
got = set()
for p in sbom["packages"]:
    if p["ecosystem"] != "rpm":
        continue
    sv = p.get("source_version") or ""
    sv = sv.split(":", 1)[1] if ":" in sv else sv
    srpm = "%s-%s.src.rpm" % (p.get("source_name"), sv)
    got.add((p["name"], p["version"], p.get("arch"), srpm))
missing, extra = sorted(want - got), sorted(got - want)
for m in missing:
    print("missing or different:", m)
for e in extra:
    print("unexpected:", e)
print("SLE 15 SP3 BCI Packages.db: %d of %d packages found%s" % (
    len(want & got), len(want), ", all fields equal" if not missing and not extra else ""))
print("os:", sbom["os"]["pretty_name"] if sbom.get("os") else None)
sys.exit(1 if missing or extra else 0)
PY
