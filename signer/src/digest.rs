//! SHA-256 and HMAC-SHA256 from a well-kept crate. With the `aws-lc-rs`
//! feature they come from aws-lc-rs, which a rustls build links anyway (no
//! crate added); otherwise from RustCrypto `sha2` and `hmac`, pure Rust.

#[cfg(feature = "aws-lc-rs")]
mod backend {
    use aws_lc_rs::{digest, hmac};

    pub fn sha256(data: &[u8]) -> [u8; 32] {
        let d = digest::digest(&digest::SHA256, data);
        d.as_ref().try_into().expect("SHA-256 is 32 bytes")
    }

    /// Boxed: aws-lc's prepared key is over a kilobyte, which would make
    /// every type holding one that large.
    #[derive(Clone)]
    pub struct HmacKey(Box<hmac::Key>);

    impl HmacKey {
        pub fn new(key: &[u8]) -> Self {
            HmacKey(Box::new(hmac::Key::new(hmac::HMAC_SHA256, key)))
        }

        pub fn sign(&self, data: &[u8]) -> [u8; 32] {
            let tag = hmac::sign(&self.0, data);
            tag.as_ref().try_into().expect("HMAC-SHA256 is 32 bytes")
        }
    }
}

#[cfg(all(feature = "rustcrypto", not(feature = "aws-lc-rs")))]
mod backend {
    use hmac::Mac;
    use sha2::{Digest, Sha256};

    pub fn sha256(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    /// The key's inner and outer pads are hashed once, here.
    #[derive(Clone)]
    pub struct HmacKey(hmac::Hmac<Sha256>);

    impl HmacKey {
        pub fn new(key: &[u8]) -> Self {
            HmacKey(hmac::Hmac::new_from_slice(key).expect("HMAC takes any key length"))
        }

        pub fn sign(&self, data: &[u8]) -> [u8; 32] {
            self.0
                .clone()
                .chain_update(data)
                .finalize()
                .into_bytes()
                .into()
        }
    }
}

#[cfg(not(any(feature = "rustcrypto", feature = "aws-lc-rs")))]
compile_error!(
    "secmaster-signer needs a SHA-256 backend: enable its `rustcrypto` (pure Rust) or `aws-lc-rs` \
     feature (secmaster-client: `rustls`, `native-tls` or `rustcrypto`)"
);

#[cfg(any(feature = "rustcrypto", feature = "aws-lc-rs"))]
pub use backend::{HmacKey, sha256};
