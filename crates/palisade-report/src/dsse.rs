//! DSSE (Dead Simple Signing Envelope, https://github.com/secure-systems-lab/dsse, protocol v1):
//! a JSON envelope `{payloadType, payload, signatures: [{keyid, sig}]}` whose signatures cover
//! the pre-authentication encoding (PAE) of the payload type and the payload bytes, never the
//! JSON around them.
//!
//! Envelopes come from anywhere: [`Envelope::parse`] caps the size, and [`Envelope::verify`]
//! returns the payload only when a signature by the given key checks out.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::keys::{self, PrivateKey, PublicKey};

/// Largest envelope accepted (a report of tens of thousands of findings fits several times).
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024 * 1024;
/// More signatures than this on one envelope is not a real envelope.
pub const MAX_SIGNATURES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub payload_type: String,
    /// Base64 (standard alphabet) of the payload bytes.
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Which key made the signature (our key id: hex sha256 of the SPKI DER). A hint, not
    /// authenticated by the signature itself; an empty one is accepted.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// Base64 of the signature bytes.
    pub sig: String,
}

/// Why an envelope is not what it claims. `Malformed` means it could not be read as an envelope
/// at all; every other variant means it was read and must not be trusted.
#[derive(Debug, thiserror::Error)]
pub enum DsseError {
    #[error("the envelope is {size} bytes, more than the {limit} accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("not a DSSE envelope: {0}")]
    Malformed(String),
    #[error("the envelope has no signatures")]
    NoSignatures,
    #[error("the envelope has {0} signatures, more than {MAX_SIGNATURES}")]
    TooManySignatures(usize),
    #[error("the payload is not valid base64: {0}")]
    PayloadEncoding(String),
    #[error("payload type is {found:?}, expected {expected:?}")]
    PayloadType { found: String, expected: String },
    #[error("not signed by key {key_id}: the envelope's signatures name {named}")]
    WrongKey { key_id: String, named: String },
    #[error("signature {index} is not valid base64: {reason}")]
    SignatureEncoding { index: usize, reason: String },
    #[error("signature {index} does not verify with key {key_id}: the envelope was altered or signed by another key")]
    BadSignature { index: usize, key_id: String },
}

impl DsseError {
    /// True when the input could not be read as an envelope (as opposed to read and rejected).
    pub fn is_malformed(&self) -> bool {
        matches!(self, Self::Malformed(_) | Self::TooLarge { .. })
    }
}

/// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII
/// decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Base64 as DSSE allows it: standard or URL-safe alphabet, padded or not.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    STANDARD_ANY_PAD
        .decode(text)
        .or_else(|e| URL_SAFE_ANY_PAD.decode(text).map_err(|_| e))
}

impl Envelope {
    /// Signs `payload` with `key`: one signature over PAE(payload_type, payload).
    pub fn sign(payload_type: &str, payload: &[u8], key: &PrivateKey) -> Self {
        let sig = keys::sign_bytes(key, &pae(payload_type, payload));
        let b64 = base64::engine::general_purpose::STANDARD;
        Self {
            payload_type: payload_type.to_string(),
            payload: b64.encode(payload),
            signatures: vec![EnvelopeSignature {
                keyid: key.public_key().key_id(),
                sig: b64.encode(sig),
            }],
        }
    }

    /// Reads an envelope from JSON bytes (size capped; every field required).
    pub fn parse(bytes: &[u8]) -> Result<Self, DsseError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(DsseError::TooLarge {
                size: bytes.len(),
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        serde_json::from_slice(bytes).map_err(|e| DsseError::Malformed(e.to_string()))
    }

    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }

    /// Checks the envelope against `key` and returns the payload bytes.
    ///
    /// Accepted when the payload type is `expected_type` and some signature whose key id is
    /// this key's (or empty) verifies over PAE. A signature naming another key is not tried: a
    /// key id altered after signing, or a report signed by someone else, is refused.
    pub fn verify(&self, key: &PublicKey, expected_type: &str) -> Result<Vec<u8>, DsseError> {
        if self.signatures.is_empty() {
            return Err(DsseError::NoSignatures);
        }
        if self.signatures.len() > MAX_SIGNATURES {
            return Err(DsseError::TooManySignatures(self.signatures.len()));
        }
        let key_id = key.key_id();
        let mut candidates = self
            .signatures
            .iter()
            .enumerate()
            .filter(|(_, s)| s.keyid.is_empty() || s.keyid == key_id)
            .peekable();
        if candidates.peek().is_none() {
            let named = self
                .signatures
                .iter()
                .map(|s| s.keyid.chars().take(80).collect::<String>())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(DsseError::WrongKey { key_id, named });
        }
        let payload =
            decode_base64(&self.payload).map_err(|e| DsseError::PayloadEncoding(e.to_string()))?;
        let message = pae(&self.payload_type, &payload);
        let mut last = None;
        for (index, signature) in candidates {
            let sig = match decode_base64(&signature.sig) {
                Ok(sig) => sig,
                Err(e) => {
                    last = Some(DsseError::SignatureEncoding {
                        index,
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            match keys::verify_bytes(key, &message, &sig) {
                Ok(()) => {
                    // The type is covered by the signature, so check it only once that holds:
                    // a bad type on a good signature is the signer's claim, reported as such.
                    if self.payload_type != expected_type {
                        return Err(DsseError::PayloadType {
                            found: self.payload_type.chars().take(200).collect(),
                            expected: expected_type.to_string(),
                        });
                    }
                    return Ok(payload);
                }
                Err(_) => {
                    last = Some(DsseError::BadSignature {
                        index,
                        key_id: key_id.clone(),
                    })
                }
            }
        }
        Err(last.unwrap_or(DsseError::NoSignatures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_specification_example() {
        // The example from DSSE's protocol.md.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn sign_then_verify_and_every_alteration_is_refused() {
        let key = PrivateKey::generate().unwrap();
        let public = key.public_key();
        let ty = "application/vnd.in-toto+json";
        let envelope = Envelope::sign(ty, b"{\"a\":1}", &key);
        let parsed = Envelope::parse(&envelope.to_json().unwrap()).unwrap();
        assert_eq!(parsed.verify(&public, ty).unwrap(), b"{\"a\":1}");

        let b64 = base64::engine::general_purpose::STANDARD;
        let mut tampered = parsed.clone();
        tampered.payload = b64.encode(b"{\"a\":2}");
        assert!(matches!(
            tampered.verify(&public, ty),
            Err(DsseError::BadSignature { index: 0, .. })
        ));

        let mut retyped = parsed.clone();
        retyped.payload_type = "text/plain".into();
        assert!(matches!(
            retyped.verify(&public, ty),
            Err(DsseError::BadSignature { .. })
        ));

        let other = PrivateKey::generate().unwrap().public_key();
        assert!(matches!(
            parsed.verify(&other, ty),
            Err(DsseError::WrongKey { .. })
        ));

        let mut truncated = parsed.clone();
        truncated.signatures[0].sig.truncate(40);
        assert!(truncated.verify(&public, ty).is_err());

        let mut no_sigs = parsed.clone();
        no_sigs.signatures.clear();
        assert!(matches!(
            no_sigs.verify(&public, ty),
            Err(DsseError::NoSignatures)
        ));

        // Signed with the wrong type: the signature holds, the type is refused.
        let wrong_type = Envelope::sign("text/plain", b"x", &key);
        assert!(matches!(
            wrong_type.verify(&public, ty),
            Err(DsseError::PayloadType { .. })
        ));
    }

    #[test]
    fn url_safe_and_unpadded_base64_are_accepted() {
        let key = PrivateKey::generate().unwrap();
        let mut envelope = Envelope::sign("t", &[0xfb, 0xff, 0xfe], &key);
        envelope.payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xfb, 0xff, 0xfe]);
        envelope.signatures[0].sig = envelope.signatures[0].sig.trim_end_matches('=').to_string();
        assert_eq!(
            envelope.verify(&key.public_key(), "t").unwrap(),
            [0xfb, 0xff, 0xfe]
        );
    }

    #[test]
    fn non_envelopes_are_malformed() {
        for bad in [&b""[..], b"null", b"[]", b"{\"payload\":\"\"}", b"\xff\xfe"] {
            assert!(Envelope::parse(bad).unwrap_err().is_malformed());
        }
    }
}
