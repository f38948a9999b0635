//! Authentication: password hashing, access tokens (JWT), refresh tokens, the
//! per-address rate limit and the extractors that turn a request into a
//! database scope carrying its context.
pub mod extract;
pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod refresh;

pub use extract::{Authenticated, Identified, Meta};
