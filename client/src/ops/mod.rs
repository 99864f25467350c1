//! The operations, one file each: input checks, then the generated builder
//! (or, where progenitor cannot generate one, a hand-built request) sent
//! through [`SecMasterClient::call`](crate::SecMasterClient).

mod export;
