#!/usr/bin/env python3
"""Builds demo/image/: a one-layer OCI image layout (tag `1.0`) from real package metadata.

- lib/apk/db/installed: the package set of the official Alpine 3.10.0 base image (June 2019)
  plus expat, sqlite-libs, libcurl/curl and python3 at the versions Alpine 3.10.0 shipped, and
  apache2 held back at its Alpine 3.9 version 2.4.38-r2
  (name, version, origin, licence, URL and description as in Alpine's v3.10 index; checksums,
  sizes and file lists left out). demo/advisories/alpine-secdb/ has the fixes that make them
  vulnerable.
- usr/lib/python3.7/site-packages/*.dist-info/METADATA: the METADATA files of real PyPI wheels,
  downloaded with pip (`pip download --no-deps`), unchanged.
- bin/busybox: Debian's static busybox (package busybox-static, from /bin/busybox), with applet
  links, so that containers of the image run (the sensor alerts in demo/ were recorded from
  them). It stands in for Alpine's dynamically linked busybox; no cataloger reads it.
- etc/passwd, etc/group, etc/shadow as Alpine ships them for root.

Needs /bin/busybox (Debian: apt-get install busybox-static). The layer is a reproducible tar (sorted, mtime 0, root owner) gzipped with mtime 0, so a rerun
with the same wheels makes the same digests. Needs python3 and pip (network to PyPI).
Run from anywhere: python3 demo/make_image.py
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "image")

WHEELS = ["requests==2.19.1", "urllib3==1.24.1", "Jinja2==2.10", "Flask==0.12.2", "Werkzeug==0.14.1"]

# (name, version, origin, license, url, description)
APK = [
    ("musl", "1.1.22-r2", "musl", "MIT", "http://www.musl-libc.org/", "the musl c library (libc) implementation"),
    ("busybox", "1.30.1-r2", "busybox", "GPL-2.0", "http://busybox.net", "Size optimized toolbox of many common UNIX utilities"),
    ("alpine-baselayout", "3.1.2-r0", "alpine-baselayout", "GPL-2.0-only", "https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout", "Alpine base dir structure and init scripts"),
    ("alpine-keys", "2.1-r2", "alpine-keys", "MIT", "https://alpinelinux.org", "Public keys for Alpine Linux packages"),
    ("libcrypto1.1", "1.1.1c-r0", "openssl", "OpenSSL", "https://www.openssl.org", "Crypto library from openssl"),
    ("libssl1.1", "1.1.1c-r0", "openssl", "OpenSSL", "https://www.openssl.org", "SSL shared libraries"),
    ("ca-certificates-cacert", "20190108-r0", "ca-certificates", "MPL-2.0 GPL-2.0-or-later", "https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/", "Mozilla bundled certificates"),
    ("libtls-standalone", "2.9.1-r0", "libtls-standalone", "ISC", "https://www.libressl.org/", "libtls extricated from libressl sources"),
    ("ssl_client", "1.30.1-r2", "busybox", "GPL-2.0", "http://busybox.net", "EXternal ssl_client for busybox wget"),
    ("zlib", "1.2.11-r1", "zlib", "Zlib", "http://zlib.net", "A compression/decompression Library"),
    ("apk-tools", "2.10.4-r1", "apk-tools", "GPL2", "https://git.alpinelinux.org/cgit/apk-tools/", "Alpine Package Keeper - package manager for alpine"),
    ("scanelf", "1.2.3-r0", "pax-utils", "GPL-2.0", "https://wiki.gentoo.org/wiki/Hardened/PaX_Utilities", "Scan ELF binaries for stuff"),
    ("musl-utils", "1.1.22-r2", "musl", "MIT BSD GPL2+", "http://www.musl-libc.org/", "the musl c library (libc) implementation"),
    ("libc-utils", "0.7.1-r0", "libc-dev", "BSD", "http://alpinelinux.org", "Meta package to pull in correct libc"),
    ("expat", "2.2.7-r0", "expat", "MIT", "http://www.libexpat.org/", "XML Parser library written in C"),
    ("sqlite-libs", "3.28.0-r0", "sqlite", "Public-Domain", "https://www.sqlite.org/", "Sqlite3 library"),
    ("nghttp2-libs", "1.39.1-r0", "nghttp2", "MIT", "https://nghttp2.org", "Experimental HTTP/2 client, server and proxy (libraries)"),
    ("libcurl", "7.65.1-r0", "curl", "MIT", "https://curl.haxx.se/", "The multiprotocol file transfer library"),
    ("curl", "7.65.1-r0", "curl", "MIT", "https://curl.haxx.se/", "URL retrival utility and library"),
    ("python3", "3.7.3-r0", "python3", "PSF", "https://www.python.org/", "A high-level scripting language"),
    # Held back at the Alpine 3.9 version (pinned, as happens): CVE-2019-0211 is in CISA KEV.
    ("apache2", "2.4.38-r2", "apache2", "Apache-2.0", "https://httpd.apache.org/", "A high performance Unix-based HTTP server"),
]

OS_RELEASE = """NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.10.0
PRETTY_NAME="Alpine Linux v3.10"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://bugs.alpinelinux.org/"
"""


def apk_db():
    out = []
    for name, ver, origin, lic, url, desc in APK:
        out.append(
            f"P:{name}\nV:{ver}\nA:x86_64\nT:{desc}\nU:{url}\nL:{lic}\no:{origin}\n"
            f"m:Natanael Copa <ncopa@alpinelinux.org>\n\n"
        )
    return "".join(out).encode()


def wheel_metadata(tmp):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.7", "-d", tmp] + WHEELS,
        check=True,
    )
    files = {}
    for whl in sorted(os.listdir(tmp)):
        with zipfile.ZipFile(os.path.join(tmp, whl)) as z:
            for n in z.namelist():
                if n.endswith(".dist-info/METADATA"):
                    files["usr/lib/python3.7/site-packages/" + n] = z.read(n)
    if len(files) != len(WHEELS):
        sys.exit(f"expected {len(WHEELS)} METADATA files, got {sorted(files)}")
    return files


APPLETS = ["sh", "ash", "cat", "cp", "ls", "sleep", "chmod", "id", "echo", "rm", "mkdir", "wget", "nc", "ps", "env"]


def layer_tar(files, links, modes):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = {"tmp"}
        for path in list(files) + list(links):
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        for path in sorted(dirs | set(files) | set(links)):
            info = tarfile.TarInfo(path)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if path in links:
                info.type = tarfile.SYMTYPE
                info.linkname = links[path]
                info.mode = 0o777
                tar.addfile(info)
            elif path in files:
                info.size = len(files[path])
                info.mode = modes.get(path, 0o644)
                tar.addfile(info, io.BytesIO(files[path]))
            else:
                info.type = tarfile.DIRTYPE
                info.mode = 0o1777 if path == "tmp" else 0o755
                tar.addfile(info)
    return buf.getvalue()


def put_blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(OUT, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest


def main():
    with tempfile.TemporaryDirectory() as tmp:
        files = wheel_metadata(tmp)
    files["lib/apk/db/installed"] = apk_db()
    files["etc/os-release"] = OS_RELEASE.encode()
    files["etc/alpine-release"] = b"3.10.0\n"
    files["etc/passwd"] = b"root:x:0:0:root:/root:/bin/ash\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
    files["etc/group"] = b"root:x:0:root\nnobody:x:65534:\n"
    files["etc/shadow"] = b"root:!::0:::::\nnobody:!::0:::::\n"
    with open("/bin/busybox", "rb") as f:
        files["bin/busybox"] = f.read()
    modes = {"bin/busybox": 0o755, "etc/shadow": 0o640}
    links = {f"bin/{a}": "busybox" for a in APPLETS}
    tar = layer_tar(files, links, modes)
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, filename="") as g:
        g.write(tar)
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "blobs", "sha256"))
    layer = put_blob(gz.getvalue())
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["python3", "-m", "flask", "run"], "WorkingDir": "/app",
                   "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
        "history": [{"created": "2019-06-19T00:00:00Z",
                     "created_by": "demo/make_image.py: Alpine 3.10.0 packages and PyPI METADATA"}],
    }
    cfg = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    cfg_digest = put_blob(cfg)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": len(gz.getvalue())}],
    }
    man = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    man_digest = put_blob(man)
    index = {
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_digest,
                       "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "1.0"}}],
    }
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, sort_keys=True, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}\n')
    print(f"demo/image: manifest {man_digest}, layer {len(gz.getvalue())} bytes")


if __name__ == "__main__":
    main()
