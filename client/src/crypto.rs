//! SHA-256 and HMAC-SHA256 for the signer: the one place that chooses their
//! implementation, so that [`crate::signer`] stays free of any backend.
//!
//! - With the `rustls` feature: aws-lc-rs. It is in the tree anyway as
//!   rustls's crypto provider, and its SHA-256 is about twice as fast as a
//!   portable one on CPUs without SHA extensions (docs/benchmarks.md).
//! - Otherwise (`native-tls`, or no TLS at all): a portable implementation
//!   in plain Rust (`crypto/portable.rs`), so that such a build needs no C
//!   compiler, no aws-lc and no extra crates.
//!
//! Both give the same bytes; the signer's unit tests check fixed vectors
//! from the official SDK in every configuration.

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    imp::sha256(data)
}

/// An HMAC-SHA256 key, prepared once: the key's inner and outer pads are
/// hashed when it is made, not on every signature.
#[derive(Clone)]
pub(crate) struct HmacKey(imp::Key);

impl HmacKey {
    pub(crate) fn new(key: &[u8]) -> Self {
        HmacKey(imp::key(key))
    }

    /// HMAC-SHA256 of `data` under this key.
    pub(crate) fn sign(&self, data: &[u8]) -> [u8; 32] {
        imp::sign(&self.0, data)
    }
}

#[cfg(feature = "rustls")]
mod imp {
    use aws_lc_rs::{digest, hmac};

    pub(super) type Key = hmac::Key;

    pub(super) fn sha256(data: &[u8]) -> [u8; 32] {
        to_array(digest::digest(&digest::SHA256, data).as_ref())
    }

    pub(super) fn key(key: &[u8]) -> Key {
        hmac::Key::new(hmac::HMAC_SHA256, key)
    }

    pub(super) fn sign(key: &Key, data: &[u8]) -> [u8; 32] {
        to_array(hmac::sign(key, data).as_ref())
    }

    fn to_array(bytes: &[u8]) -> [u8; 32] {
        bytes.try_into().expect("SHA-256 gives 32 bytes")
    }
}

#[cfg(not(feature = "rustls"))]
use portable as imp;

// Compiled in every build, so that the default build's tests can check it
// against aws-lc-rs.
#[cfg_attr(feature = "rustls", allow(dead_code))]
mod portable;

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_fips_180_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 2.
        let key = HmacKey::new(b"Jefe");
        assert_eq!(
            hex(&key.sign(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        let key = HmacKey::new(&[0xaa; 131]);
        assert_eq!(
            hex(&key.sign(b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // A prepared key signs many times with the same result.
        assert_eq!(key.sign(b"x"), key.sign(b"x"));
    }

    #[test]
    fn the_portable_implementation_matches_the_published_vectors() {
        assert_eq!(
            hex(&portable::sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&portable::sign(
                &portable::key(b"Jefe"),
                b"what do ya want for nothing?"
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[cfg(feature = "rustls")]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Any data and key, any length around the block boundaries: the
        /// portable implementation gives aws-lc-rs's bytes.
        #[test]
        fn portable_equals_aws_lc(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            key in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..150),
        ) {
            proptest::prop_assert_eq!(portable::sha256(&data), sha256(&data));
            let ours = portable::sign(&portable::key(&key), &data);
            proptest::prop_assert_eq!(ours, HmacKey::new(&key).sign(&data));
        }
    }
}
