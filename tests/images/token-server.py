#!/usr/bin/python3
"""A minimal Docker registry token server (the bearer flow Docker Hub, GHCR and Harbor use).

Used by crates/palisade-cli/tests/registry_token_auth.rs against a real distribution 2.8
registry (Debian's docker-registry) configured with `auth: token`.

    /usr/bin/python3 token-server.py --port PORT --cert CERT.pem --log ISSUED.log [--anonymous-pull]

It generates an RSA key and a self-signed certificate, writes the certificate PEM to --cert (the
registry's `rootcertbundle`), then serves on 127.0.0.1:PORT

    GET /token?service=SERVICE&scope=repository:NAME:ACTIONS[&scope=...]

answering {"token": JWT, "access_token": JWT, "expires_in": 300}. The JWT is RS256 with claims
iss, sub, aud (= service), exp, nbf, iat, jti and access: [{type, name, actions}]. Its header
carries the certificate as `x5c` (distribution verifies the chain against rootcertbundle; the
self-signed certificate is its own root) and, as a fallback, `kid` = the libtrust key id of the
public key (distribution looks that up among the bundle's keys when there is no x5c).

Credentials: alice / s3cret-pw get pull and push. Anonymous requests get pull only with
--anonymous-pull, otherwise 401. Wrong credentials always get 401. Every issued token appends a
JSON line {"sub", "access"} to --log, so a test can prove the bearer flow happened.

Needs Debian's python3-jwt and python3-cryptography (run with /usr/bin/python3).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

USERS = {"alice": ("s3cret-pw", {"pull", "push"})}
ISSUER = "palisade-test-issuer"


def make_key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "palisade test token signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def libtrust_key_id(public_key):
    """docker/libtrust keyIDFromCryptoKey: base32 of the first 30 bytes of the SHA-256 of the
    DER (PKIX) public key, without padding, in 12 groups of 4 joined by ':'."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def parse_scope(scope):
    """`repository:NAME:pull,push` -> (type, name, {actions}); the name may hold ':' (a port)."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if not kind or not name:
        return None
    return kind, name, {a for a in actions.split(",") if a}


class Handler(BaseHTTPRequestHandler):
    server_version = "palisade-token-server/1"

    def log_message(self, fmt, *args):  # quiet unless --verbose
        if self.server.config.verbose:
            sys.stderr.write("token-server: " + (fmt % args) + "\n")

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def unauthorized(self, why):
        self.reply(
            401,
            {"errors": [{"code": "UNAUTHORIZED", "message": why}]},
            [("WWW-Authenticate", 'Basic realm="palisade-token-server"')],
        )

    def do_GET(self):
        config = self.server.config
        url = urlparse(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
            return
        query = parse_qs(url.query)
        service = (query.get("service") or [""])[0]
        if service != config.service:
            self.reply(400, {"errors": [{"code": "BAD_SERVICE", "message": service}]})
            return

        header = self.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            try:
                user, _, password = (
                    base64.b64decode(header[6:].strip()).decode().partition(":")
                )
            except Exception:
                self.unauthorized("malformed basic credentials")
                return
            known = USERS.get(user)
            if known is None or known[0] != password:
                self.unauthorized("bad credentials")
                return
            subject, allowed = user, known[1]
        elif header:
            self.unauthorized("unsupported authorization")
            return
        elif config.anonymous_pull:
            subject, allowed = "", {"pull"}
        else:
            self.unauthorized("authentication required")
            return

        access = []
        for scope in query.get("scope", []):
            for part in scope.split(" "):
                parsed = parse_scope(part)
                if parsed is None or parsed[0] != "repository":
                    continue  # registry:catalog:* and friends are never granted
                kind, name, wanted = parsed
                granted = sorted(wanted & allowed)
                if granted:
                    access.append({"type": kind, "name": name, "actions": granted})

        now = int(time.time())
        claims = {
            "iss": config.issuer,
            "sub": subject,
            "aud": service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        headers = {"typ": "JWT", "kid": config.kid}
        if not config.kid_only:
            headers["x5c"] = [config.cert_b64]
        token = jwt.encode(claims, config.key_pem, algorithm="RS256", headers=headers)
        if isinstance(token, bytes):  # PyJWT 1.x
            token = token.decode()
        with config.log_lock, open(config.log, "a") as log:
            log.write(json.dumps({"sub": subject, "access": access}) + "\n")
        self.reply(
            200,
            {
                "token": token,
                "access_token": token,
                "expires_in": 300,
                "issued_at": datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
                .isoformat()
                .replace("+00:00", "Z"),
            },
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True, help="where to write the certificate PEM")
    parser.add_argument("--log", required=True, help="issued tokens are appended here")
    parser.add_argument("--service", default="palisade-test")
    parser.add_argument("--issuer", default=ISSUER)
    parser.add_argument("--anonymous-pull", action="store_true")
    parser.add_argument("--kid-only", action="store_true", help="sign with kid, without x5c")
    parser.add_argument("--verbose", action="store_true")
    config = parser.parse_args()

    key, cert = make_key_and_cert()
    config.key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    config.cert_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    config.kid = libtrust_key_id(key.public_key())
    config.log_lock = threading.Lock()
    open(config.log, "a").close()
    with open(config.cert + ".tmp", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(config.cert + ".tmp", config.cert)

    # Loopback only: the test never needs anything else.
    server = ThreadingHTTPServer(("127.0.0.1", config.port), Handler)
    server.config = config
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
