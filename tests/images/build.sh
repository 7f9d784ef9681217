#!/usr/bin/env bash
# Builds the real test images the end-to-end tests scan, into $1 (default: test-images/).
#
#   rootfs/            debootstrap bookworm minbase (the base layer), as a directory
#   app-docker.tar     `docker save` of palisade-test/app:1 (base + app layer + a deleting layer)
#   app-docker.tar.gz  the same, gzip-compressed
#   app-oci/           the same image as an OCI layout (skopeo), tag `1`
#   app-oci-zstd/      the same, with zstd-compressed layers
#   app-rootfs/        the same image's final filesystem (docker export), for dir: scans
#   dpkg-query.txt     ground truth: dpkg-query on rootfs
#   rpm-docker.tar     a Rocky-like image whose rpmdb was written by the real rpm (2 packages)
#   rpm-query.txt      ground truth: rpm -qa on it
#
# Needs: debootstrap, dockerd running (start-dockerd.sh), skopeo, pip, npm. Idempotent: a
# finished build (marker file) is reused.
set -euo pipefail
out=$(realpath -m "${1:-test-images}")
marker="$out/.complete-v5"
[ -f "$marker" ] && { echo "test images already built in $out"; exit 0; }
rm -rf "$out"; mkdir -p "$out"
work="$out/work"; mkdir -p "$work"

echo "== debootstrap bookworm minbase"
debootstrap --variant=minbase bookworm "$out/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log"; exit 1; }
rm -rf "$out/rootfs/var/cache/apt/archives/"*.deb
# A Python package in the base layer that the app layer deletes again (whiteout test).
python3 -m pip install -q --no-deps --target "$out/rootfs/usr/lib/python3/dist-packages" six==1.10.0
dpkg-query --admindir="$out/rootfs/var/lib/dpkg" -W \
  -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n' \
  | awk -F'\t' '$1 ~ /^.i/ {print $2"\t"$3"\t"$4"\t"$5"\t"$6}' | sort >"$out/dpkg-query.txt"

echo "== application layer: old Python and npm packages"
app="$work/app"; mkdir -p "$app/opt/app"
python3 -m pip install -q --no-deps --target "$app/opt/app/site-packages" \
  requests==2.19.0 urllib3==1.24.1 Jinja2==2.10 PyYAML==5.3
(cd "$app/opt/app" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent lodash@4.17.4 minimist@0.0.8 >/dev/null)

echo "== docker image"
tar -C "$out/rootfs" -c . | docker import - palisade-test/base:1 >/dev/null
cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM palisade-test/base:1
COPY app/ /
RUN rm -rf /usr/lib/python3/dist-packages/six-1.10.0.dist-info /usr/lib/python3/dist-packages/six.py
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q --network none -t palisade-test/app:1 "$work" >/dev/null
docker save palisade-test/app:1 -o "$out/app-docker.tar"
gzip -k -1 "$out/app-docker.tar"
skopeo copy -q docker-archive:"$out/app-docker.tar" oci:"$out/app-oci:1"
skopeo copy -q --dest-compress-format zstd docker-archive:"$out/app-docker.tar" oci:"$out/app-oci-zstd:1"
cid=$(docker create palisade-test/app:1 /bin/true)
mkdir -p "$out/app-rootfs"
docker export "$cid" | tar -C "$out/app-rootfs" -x --exclude='dev/*' 2>/dev/null || true
docker rm "$cid" >/dev/null
echo "== rpm image (real rpmbuild + rpm database)"
rpmroot="$work/rpm-root"; top="$work/rpmbuild"
mkdir -p "$rpmroot/etc" "$top"/{SPECS,SOURCES,BUILD,RPMS,SRPMS,BUILDROOT}
here=$(cd "$(dirname "$0")" && pwd)
cp "$here/../../crates/palisade-catalog/fixtures/os-release/rocky-9" "$rpmroot/etc/os-release"
cat >"$top/SPECS/app.spec" <<'SPEC'
Name:       palisade-app
Epoch:      1
Version:    2.4.1
Release:    3.el9
Summary:    Palisade test package with an epoch
License:    MIT
BuildArch:  noarch
%global debug_package %{nil}
%description
Palisade test package.
%install
mkdir -p %{buildroot}/opt/palisade-app
echo hi > %{buildroot}/opt/palisade-app/hi.txt
%files
/opt/palisade-app/hi.txt
SPEC
cat >"$top/SPECS/tool.spec" <<'SPEC'
Name:       palisade-tool
Version:    0.7
Release:    1.el9
Summary:    Palisade test package for the host architecture
License:    Apache-2.0
%global debug_package %{nil}
%description
Palisade test package.
%files
SPEC
for spec in "$top"/SPECS/*.spec; do rpmbuild --quiet --define "_topdir $top" -bb "$spec" >/dev/null; done
rpm --root "$rpmroot" --dbpath /var/lib/rpm --initdb
rpm --root "$rpmroot" --dbpath /var/lib/rpm -i --nodeps "$top"/RPMS/*/*.rpm 2>/dev/null
rpm --root "$rpmroot" --dbpath /var/lib/rpm -qa \
  --qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\t%{ARCH}\t%{LICENSE}\n' | sort >"$out/rpm-query.txt"
rm -f "$rpmroot/var/lib/rpm/.rpm.lock"
tar -C "$rpmroot" -c . | docker import - palisade-test/rpm:1 >/dev/null
docker save palisade-test/rpm:1 -o "$out/rpm-docker.tar"
rm -rf "$work"
touch "$marker"
echo "test images built in $out"
