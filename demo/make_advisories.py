#!/usr/bin/env python3
"""Cuts demo/advisories/ out of the real advisory data in ../shared/data (or $PALISADE_DATA):

- alpine-secdb/v3.10-main.yaml: the v3.10 `main` secdb document with only the packages whose
  origin is in the demo image (alpinelinux/alpine-secdb, commit 06f6e960).
- osv-pypi/*.json: every OSV record of pypa/advisory-database (commit 3ccb6125) that names one of
  the image's PyPI packages, unchanged.
- kev.json: the CISA KEV catalog (cisagov/kev-data, commit eacf03ec) with only the entries whose
  CVE is named by a record above (the catalog's header kept).

Run from anywhere: python3 demo/make_advisories.py [DATA_DIR]
"""
import json
import os
import shutil
import sys
import zipfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "advisories")
sys.path.insert(0, HERE)
from make_image import APK, WHEELS  # noqa: E402

DATA = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "PALISADE_DATA", os.path.join(HERE, "..", "..", "shared", "data"))


def norm(name):
    return name.lower().replace("_", "-").replace(".", "-")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "alpine-secdb"))
    os.makedirs(os.path.join(OUT, "osv-pypi"))
    cves = set()

    origins = {a[2] for a in APK}
    with open(os.path.join(DATA, "alpine-secdb", "v3.10", "main.yaml")) as f:
        secdb = yaml.safe_load(f)
    secdb["packages"] = [p for p in secdb["packages"] if p["pkg"]["name"] in origins]
    for p in secdb["packages"]:
        for ids in p["pkg"]["secfixes"].values():
            cves.update(ids or [])
    with open(os.path.join(OUT, "alpine-secdb", "v3.10-main.yaml"), "w") as f:
        f.write("# A slice of alpinelinux/alpine-secdb v3.10/main.yaml (commit 06f6e960):\n"
                "# the packages of demo/image. Made by demo/make_advisories.py.\n")
        yaml.safe_dump(secdb, f, sort_keys=False, explicit_start=True)

    wanted = {norm(w.split("==")[0]) for w in WHEELS}
    records = 0
    with zipfile.ZipFile(os.path.join(DATA, "osv", "PyPI", "all.zip")) as z:
        for n in sorted(z.namelist()):
            rec = json.loads(z.read(n))
            names = {norm(a.get("package", {}).get("name", "")) for a in rec.get("affected", [])}
            if names & wanted:
                with open(os.path.join(OUT, "osv-pypi", os.path.basename(n)), "wb") as out:
                    out.write(z.read(n))
                records += 1
                cves.update(a for a in [rec["id"]] + rec.get("aliases", []) if a.startswith("CVE-"))

    with open(os.path.join(DATA, "kev", "known_exploited_vulnerabilities.json")) as f:
        kev = json.load(f)
    kev["vulnerabilities"] = [v for v in kev["vulnerabilities"] if v["cveID"] in cves]
    kev["count"] = len(kev["vulnerabilities"])
    with open(os.path.join(OUT, "kev.json"), "w") as f:
        json.dump(kev, f, indent=2)
        f.write("\n")
    print(f"demo/advisories: {len(secdb['packages'])} secdb packages, {records} OSV records, "
          f"{kev['count']} KEV entries")


if __name__ == "__main__":
    main()
