#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds: the catalogers' real fixtures, small layer tars made
# from them, and the hand-written seeds in fuzz/seeds/. Run from anywhere; idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../crates/palisade-catalog/fixtures"
corpus="$here/corpus"
mkdir -p "$corpus"
seed() { # target, files...
  local target=$1; shift
  mkdir -p "$corpus/$target"
  for f in "$@"; do
    if [ -f "$f" ]; then cp "$f" "$corpus/$target/$(sha1sum < "$f" | cut -c1-16)"; fi
  done
}
seed os_release "$fixtures"/os-release/*
seed dpkg "$fixtures"/dpkg/status
seed dpkg_distroless "$fixtures"/dpkg-distroless/status.d/*
seed dpkg_copyright $(find "$fixtures/dpkg-copyright" -name copyright)
seed apk "$fixtures"/apk/installed
seed rpm_sqlite "$fixtures"/rpm-sqlite/rpmdb.sqlite
seed rpm_bdb "$fixtures"/rpm-bdb/Packages "$fixtures"/rpm-bdb/Packages-be "$fixtures"/rpm-bdb/Packages-chksum
seed rpm_ndb "$fixtures"/rpm-ndb/Packages.db "$fixtures"/rpm-ndb/Packages-churn.db "$here"/seeds/rpm_ndb/*
seed python_metadata $(find "$fixtures/python" -type f \( -name METADATA -o -name PKG-INFO -o -name '*.egg-info' \))
seed npm_package $(find "$fixtures/npm-package" -name package.json)
seed npm_lock $(find "$fixtures/npm-lock" -name package-lock.json)
seed go_binary "$fixtures"/go-binary/hello-linux-amd64 "$fixtures"/go-binary/hello-windows-amd64.exe "$fixtures"/go-binary/hello-darwin-arm64
seed rust_audit "$fixtures"/rust-audit/hello-audit
seed java "$fixtures"/java/*.jar "$fixtures"/java/*.war "$fixtures"/java/*.ear
seed ruby_gemspec $(find "$fixtures/ruby-gemspec" -name '*.gemspec')
seed composer $(find "$fixtures/composer" -name installed.json)
seed dotnet_deps "$fixtures"/dotnet-deps/*.deps.json
# OSV: a small real zip (a slice of the PyPI feed) and single records.
mkdir -p "$corpus/osv_zip" "$corpus/osv_record"
osv_work=$(mktemp -d)
(cd "$osv_work" && unzip -q "$here/../../shared/data/osv/PyPI/all.zip" PYSEC-2018-28.json PYSEC-2020-96.json PYSEC-2021-142.json \
  && cp PYSEC-*.json "$corpus/osv_record/" && zip -q "$corpus/osv_zip/pypi-slice.zip" PYSEC-*.json)
rm -rf "$osv_work"
# KEV: the head of the real catalog, re-closed as valid JSON.
mkdir -p "$corpus/kev"
python3 - "$here/../../shared/data/kev/known_exploited_vulnerabilities.json" "$corpus/kev/head.json" <<'PY'
import json, sys
catalog = json.load(open(sys.argv[1]))
catalog["vulnerabilities"] = catalog["vulnerabilities"][:5]
json.dump(catalog, open(sys.argv[2], "w"))
PY
# Version pairs, NUL-separated, per scheme.
while read -r scheme a b; do
  mkdir -p "$corpus/version_$scheme"
  printf '%s\0%s' "$a" "$b" > "$corpus/version_$scheme/$(printf '%s_%s' "$a" "$b" | sha1sum | cut -c1-16)"
done <<'PAIRS'
deb 1:2.30-1~deb12u1 2.30-1
deb 1.0~rc1 1.0
rpm 2:1.2.3-4.el9 1.2.3^git1-1
rpm 1.0~beta 1.0
apk 1.2.3_rc1-r0 1.2.3-r1
apk 2.4.52-r0 2.4.52a-r0
semver 1.2.3-alpha.1+build 1.2.3
semver v0.0.0-20200101000000-abcdef123456 0.1.0
pep440 1!2.0.post1.dev3+local.7 2.0rc1
pep440 1.0a1 1.0.0
maven 1.0-alpha-1 1.0-SNAPSHOT
maven 1.0.0.RELEASE 1-sp1
rubygems 1.0.0.pre.a 1.0.0
rubygems 2.0.0.rc1 2.0.0.b2
nuget 1.0.0.1-Beta+meta 1.0.0.1-beta
nuget 2.0 2.0.0.0
composer v1.0.0-RC1 1.0.0-beta2
composer dev-main 1.0.x-dev
PAIRS
# Detection rules: the built-in rule files plus hand-written ones; audit events and lists.
seed rule_file "$here"/../rules/k8s_audit/*.yaml "$here"/../rules/node/*.yaml "$here"/../crates/palisade-audit/tests/fixtures/*.yaml "$here"/seeds/rule_file/*
seed rule_condition "$here"/seeds/rule_condition/*
seed rule_list_file "$here"/seeds/rule_list_file/*
seed audit_event "$here"/seeds/audit_event/*
seed server_ingest "$here"/../crates/palisade-server/tests/fixtures/* "$here"/seeds/server_ingest/*
seed dashboard_input "$here"/seeds/dashboard_input/*
seed sensor_record "$here"/seeds/sensor_record/*
for t in sensor_netlink sensor_baseline sensor_drift_policy; do seed "$t" "$here"/seeds/$t/*; done
seed sensor_runtime_bundle $(find "$here"/../crates/palisade-sensor/fixtures/runtimes -name "*.json")
for t in image_manifest sbom_read openvex ignore_file dsse_envelope intoto_statement pem_key k8s_manifests posture_exceptions gatekeeper_policies host_daemon_config admission_review graph_inputs; do seed "$t" "$here"/seeds/$t/*; done
# The posture corpus: realistic manifests, valid and broken.
seed k8s_manifests $(find "$here/../tests/manifests" -type f \( -name '*.yaml' -o -name '*.json' \))
# Layer tars: a few fixture trees as plain and gzip tars, with a symlink and a whiteout.
mkdir -p "$corpus/layer_walk"
work=$(mktemp -d)
mkdir -p "$work/root/var/lib/dpkg" "$work/root/etc" "$work/root/old"
cp "$fixtures/dpkg/status" "$work/root/var/lib/dpkg/status"
ln -sf ../usr/lib/os-release "$work/root/etc/os-release"
touch "$work/root/old/.wh.gone" "$work/root/old/.wh..wh..opq"
ln "$work/root/var/lib/dpkg/status" "$work/root/etc/hardlink"
tar -C "$work/root" -cf "$corpus/layer_walk/dpkg.tar" .
gzip -c "$corpus/layer_walk/dpkg.tar" > "$corpus/layer_walk/dpkg.tar.gz"
tar -C "$fixtures/npm-package" -cf "$corpus/layer_walk/npm.tar" .
rm -rf "$work"
echo "seeded $(find "$corpus" -type f | wc -l) files in $corpus"
# Vulnerability feeds: the real-shaped fixtures and a slice of the real Alpine secdb.
vulndb_fixtures="$here/../crates/palisade-vulndb/fixtures"
seed nvd "$vulndb_fixtures"/nvd/*.json
seed debian_tracker "$vulndb_fixtures"/debian-tracker/*.json
mkdir -p "$corpus/epss" "$corpus/alpine_secdb"
gunzip -c "$vulndb_fixtures/epss/epss_scores-sample.csv.gz" > "$corpus/epss/sample.csv"
head -c 4000 "$here/../../shared/data/alpine-secdb/v3.11/main.yaml" | sed '$d' > "$corpus/alpine_secdb/v3.11-head.yaml"
printf '{"distroversion":"v3.19","reponame":"main","packages":[{"pkg":{"name":"openssl","secfixes":{"3.1.4-r1":["CVE-2023-5678"],"0":["CVE-2022-0001"]}}}]}' > "$corpus/alpine_secdb/v3.19.json"
