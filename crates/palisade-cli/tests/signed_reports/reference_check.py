"""Checks a Palisade signed report with the reference implementations: DSSE verification by
securesystemslib, and in-toto Statement v1 validation by in-toto-attestation.

usage: reference_check.py ENVELOPE PUBLIC_KEY_PEM KEY_ID
Exit 0 when both accept it; an exception (non-zero exit) otherwise.
"""
import json
import sys

from cryptography.hazmat.primitives import serialization
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

envelope_path, pem_path, key_id = sys.argv[1:4]
with open(envelope_path) as f:
    envelope = Envelope.from_dict(json.load(f))
with open(pem_path, "rb") as f:
    public = serialization.load_pem_public_key(f.read())
raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
key = SSlibKey(key_id, "ed25519", "ed25519", {"public": raw.hex()})

accepted = envelope.verify([key], 1)
assert list(accepted) == [key_id], accepted
assert envelope.payload_type == "application/vnd.in-toto+json", envelope.payload_type

message = json_format.Parse(envelope.payload, statement_pb2.Statement(), ignore_unknown_fields=False)
Statement.copy_from_pb(message).validate()
print(f"ok {message.predicate_type} {message.subject[0].name}")
