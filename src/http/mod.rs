//! HTTP plumbing below the API: the request id and request log, the security
//! headers every response carries, the origin rule of the cookie-setting
//! endpoints, the Prometheus metrics, and the server loop with its read timeouts.
pub mod headers;
pub mod metrics;
pub mod origin;
pub mod request_id;
pub mod server;
