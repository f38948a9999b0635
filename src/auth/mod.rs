//! Authentication: who is asking (`Identity`), password hashing, access
//! tokens (JWT), refresh tokens, API keys, the per-address rate limit and the
//! extractor that verifies a request's token.
pub mod api_key;
pub mod extract;
pub mod identity;
pub mod jwt;
pub mod password;
pub mod permission;
pub mod rate_limit;
pub mod refresh;

pub use extract::{Authenticated, Meta};
pub use identity::Identity;
pub use permission::Permission;
