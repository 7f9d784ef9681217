//! Ed25519 keys for signed reports (and, later, signed database bundles).
//!
//! Private keys are PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, RFC 8410), public keys SPKI PEM
//! (`-----BEGIN PUBLIC KEY-----`): the forms `openssl genpkey -algorithm ed25519` and
//! `openssl pkey -pubout` write and read. A key's id is the hex sha256 of its SPKI DER encoding.
//!
//! [`sign_bytes`] and [`verify_bytes`] sign and check arbitrary bytes; DSSE (`dsse.rs`) builds on
//! them.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer, SECRET_KEY_LENGTH, SIGNATURE_LENGTH};
use sha2::{Digest, Sha256};

/// Largest PEM key file accepted (a real one is about 120 bytes).
pub const MAX_KEY_BYTES: usize = 16 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key file is {size} bytes, more than the {limit} bytes a PEM key can be")]
    TooLarge { size: usize, limit: usize },
    #[error("not an Ed25519 private key in PKCS#8 PEM (\"BEGIN PRIVATE KEY\"): {0}")]
    BadPrivateKey(String),
    #[error("not an Ed25519 public key in SPKI PEM (\"BEGIN PUBLIC KEY\"): {0}")]
    BadPublicKey(String),
    #[error("encoding the key: {0}")]
    Encode(String),
    #[error("a signature is {SIGNATURE_LENGTH} bytes, this one is {0}")]
    SignatureLength(usize),
    #[error("the signature does not verify with this key")]
    BadSignature,
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

/// An Ed25519 private key. Its bytes are wiped when it is dropped (ed25519-dalek's `zeroize`)
/// and never printed.
pub struct PrivateKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("key_id", &self.public_key().key_id())
            .finish_non_exhaustive()
    }
}

/// An Ed25519 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PublicKey").field(&self.key_id()).finish()
    }
}

impl PrivateKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self, KeyError> {
        use rand_core::RngCore;
        let mut seed = [0u8; SECRET_KEY_LENGTH];
        rand_core::OsRng
            .try_fill_bytes(&mut seed)
            .map_err(|e| KeyError::Random(e.to_string()))?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(Self(key))
    }

    /// Reads a PKCS#8 PEM private key (v1, as OpenSSL writes it, or v2 with the public key).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        check_size(pem.len())?;
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(Self)
            .map_err(|e| KeyError::BadPrivateKey(e.to_string()))
    }

    /// PKCS#8 v1 PEM (the private key only, as `openssl genpkey` writes it), LF line endings.
    /// The returned string is wiped on drop.
    pub fn to_pem(&self) -> Result<zeroize::Zeroizing<String>, KeyError> {
        let bytes = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.0.to_bytes(),
            public_key: None,
        };
        bytes
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

impl PublicKey {
    /// Reads an SPKI PEM public key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        check_size(pem.len())?;
        ed25519_dalek::VerifyingKey::from_public_key_pem(pem)
            .map(Self)
            .map_err(|e| KeyError::BadPublicKey(e.to_string()))
    }

    /// SPKI PEM, LF line endings.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))
    }

    /// The SPKI DER encoding (44 bytes for Ed25519): the fixed RFC 8410 header, then the key.
    pub fn to_der(&self) -> Vec<u8> {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.0.as_bytes());
        der
    }

    /// The key id: lower-case hex sha256 of the SPKI DER encoding.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(self.to_der()))
    }
}

/// The fixed DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4), before the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn check_size(size: usize) -> Result<(), KeyError> {
    if size > MAX_KEY_BYTES {
        return Err(KeyError::TooLarge {
            size,
            limit: MAX_KEY_BYTES,
        });
    }
    Ok(())
}

/// Signs `message` (pure Ed25519, RFC 8032: the message itself, not a pre-hash). The result is
/// the 64-byte signature, the same bytes `openssl pkeyutl -sign -rawin` produces.
pub fn sign_bytes(key: &PrivateKey, message: &[u8]) -> [u8; SIGNATURE_LENGTH] {
    key.0.sign(message).to_bytes()
}

/// Checks a signature made by [`sign_bytes`] (or any RFC 8032 Ed25519 signer). Strict: weak
/// public keys and non-canonical signatures are refused.
pub fn verify_bytes(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), KeyError> {
    let bytes: [u8; SIGNATURE_LENGTH] = signature
        .try_into()
        .map_err(|_| KeyError::SignatureLength(signature.len()))?;
    let signature = ed25519_dalek::Signature::from_bytes(&bytes);
    key.0
        .verify_strict(message, &signature)
        .map_err(|_| KeyError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_round_trips_through_pem_and_signs() {
        let key = PrivateKey::generate().unwrap();
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = PrivateKey::from_pem(&pem).unwrap();
        let public = PublicKey::from_pem(&again.public_key().to_pem().unwrap()).unwrap();
        assert_eq!(public, key.public_key());
        let sig = sign_bytes(&key, b"hello");
        verify_bytes(&public, b"hello", &sig).unwrap();
        assert!(matches!(
            verify_bytes(&public, b"hellO", &sig),
            Err(KeyError::BadSignature)
        ));
        assert!(matches!(
            verify_bytes(&public, b"hello", &sig[..63]),
            Err(KeyError::SignatureLength(63))
        ));
        let other = PrivateKey::generate().unwrap().public_key();
        assert!(verify_bytes(&other, b"hello", &sig).is_err());
        assert_ne!(other.key_id(), public.key_id());
    }

    #[test]
    fn the_key_id_is_the_sha256_of_the_spki_der() {
        // RFC 8032 §7.1 test 1 public key.
        let raw = hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            .unwrap();
        let key =
            PublicKey(ed25519_dalek::VerifyingKey::from_bytes(&raw.try_into().unwrap()).unwrap());
        let der = key.to_der();
        assert_eq!(der.len(), 44);
        assert_eq!(der, key.0.to_public_key_der().unwrap().as_bytes());
        assert_eq!(der[..12], SPKI_PREFIX);
        assert_eq!(key.key_id(), hex::encode(Sha256::digest(&der)));
    }

    #[test]
    fn rfc8032_test_vector_2_signs_identically() {
        let secret =
            hex::decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
                .unwrap();
        let key = PrivateKey(ed25519_dalek::SigningKey::from_bytes(
            &secret.try_into().unwrap(),
        ));
        let sig = sign_bytes(&key, &[0x72]);
        assert_eq!(
            hex::encode(sig),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        );
    }

    #[test]
    fn garbage_and_wrong_kinds_of_pem_are_refused() {
        assert!(PrivateKey::from_pem("").is_err());
        assert!(PrivateKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )
        .is_err());
        let key = PrivateKey::generate().unwrap();
        let public = key.public_key().to_pem().unwrap();
        assert!(PrivateKey::from_pem(&public).is_err());
        assert!(PublicKey::from_pem(&key.to_pem().unwrap()).is_err());
        assert!(matches!(
            PublicKey::from_pem(&"A".repeat(MAX_KEY_BYTES + 1)),
            Err(KeyError::TooLarge { .. })
        ));
    }
}
