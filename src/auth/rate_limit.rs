//! Per-client-address limit on signup, login and refresh
//! (`AUTH_RATE_LIMIT_PER_MINUTE`, 0 = off): a fixed one-minute window per
//! address, in memory. The per-email login throttle, which must hold across
//! processes and restarts, lives in Postgres (`app.login_retry_after`).
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// `Ok(())` when allowed, otherwise the seconds until the window resets.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        let (Some(ip), true) = (ip, self.per_minute > 0) else { return Ok(()) };
        let now = Instant::now();
        let mut windows = match self.windows.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(60u64.saturating_sub(now.duration_since(entry.0).as_secs()).max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}
