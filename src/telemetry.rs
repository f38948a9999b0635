//! Structured logging. `RUST_LOG` filters (default `info`); `LOG_FORMAT=json`
//! switches to one JSON object per line for log shippers.
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").map(|v| v == "json").unwrap_or(false);
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        let _ = registry.with(fmt::layer().json().flatten_event(true)).try_init();
    } else {
        let _ = registry.with(fmt::layer().with_target(false)).try_init();
    }
}
