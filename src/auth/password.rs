//! Passwords: bcrypt on its own threads, one per core and at a lower
//! priority than the request threads, never on the async executor.
//!
//! The server never sees a stored hash: to check a password it asks the
//! database for the account's salt and cost, computes bcrypt with them
//! (`hash_with_salt`), and the database compares the result.
//!
//! bcrypt reads at most 72 bytes. To keep every character of a password up to
//! 1024 characters significant, the password is pre-hashed: bcrypt is applied
//! to base64(SHA-256(password)), 44 ASCII bytes.
use std::sync::{mpsc, Arc, Mutex, OnceLock};

use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult, FieldError};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 1024;

static COMMON: &str = include_str!("common-passwords.txt");

fn prehash(password: &str) -> String {
    STANDARD.encode(Sha256::digest(password.as_bytes()))
}

/// Checks a new password against the contract's rules.
pub fn validate_new(field: &str, password: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(FieldError::new(field, format!("must be at least {MIN_LEN} characters")));
    }
    if chars > MAX_LEN {
        return Err(FieldError::new(field, format!("must be at most {MAX_LEN} characters")));
    }
    if is_common(password) {
        return Err(FieldError::new(field, "is too common; choose a less predictable password"));
    }
    Ok(())
}

fn is_common(password: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect());
    set.contains(password.to_lowercase().as_str())
}

/// How much lower than the request threads the hashing threads run: added
/// to the process's nice value (at most 19). At 10 the kernel gives a
/// runnable request thread about nine times a hashing thread's share of a
/// core, so `me` and the other requests stay fast during a login flood;
/// when nothing else wants the CPU the hashes still get all of it (login
/// alone keeps its ceiling), and under overload a login is slowed, not
/// starved (19 would be ~70×).
const HASHING_NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads: one per core, started on first use, each
/// [`HASHING_NICE`] below the others, taking bcrypt jobs in arrival order.
/// A flood of logins keeps every core hashing but never starts a thread per
/// waiting login (32 hashing threads once left the runtime's two workers a
/// sliver of the CPU); a waiting login holds no thread and no connection
/// (docs/performance.md, "me during a login flood").
fn hashing_threads() -> Option<&'static mpsc::Sender<Job>> {
    static JOBS: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let started = (0..cores)
            .filter(|n| {
                let queue = Arc::clone(&queue);
                std::thread::Builder::new().name(format!("bcrypt-{n}")).spawn(move || hashing_thread(&queue)).is_ok()
            })
            .count();
        (started > 0).then_some(jobs)
    })
    .as_ref()
}

fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>) {
    lower_this_threads_priority();
    loop {
        // The lock is held only while waiting for the next job, not while hashing.
        let job = match queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv() {
            Ok(job) => job,
            Err(_) => return, // the sender is gone: the process is ending
        };
        // A panicking job loses its own answer (the caller sees an error),
        // not this thread.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// Raises the calling thread's nice value by [`HASHING_NICE`] (at most to
/// 19). On Linux the nice value is per thread, and raising it needs no
/// privilege. Failing to (a sandbox) only leaves the thread at the priority
/// of the others; elsewhere the nice value is per process, so nothing is
/// changed.
#[cfg(not(target_os = "linux"))]
fn lower_this_threads_priority() {}

#[cfg(target_os = "linux")]
fn lower_this_threads_priority() {
    let target = this_threads_nice().map_or(HASHING_NICE, |now| (now + HASHING_NICE).min(19));
    // SAFETY: setpriority takes plain integers and touches no memory of
    // ours; `who = 0` with PRIO_PROCESS names the calling thread on Linux.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, target) };
    if rc != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "could not lower the priority of a hashing thread");
    }
}

/// The calling thread's nice value, from /proc/thread-self/stat (field 19,
/// counted after the parenthesised command name); None where there is none.
fn this_threads_nice() -> Option<i32> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(16)?.parse().ok()
}

/// Runs `work` on a hashing thread and waits for its answer; the work runs
/// to the end even if the request is dropped meanwhile.
async fn on_a_core<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let jobs = hashing_threads().ok_or_else(|| AppError::Internal("no hashing thread could be started".into()))?;
    let (answer, answered) = oneshot::channel();
    jobs.send(Box::new(move || {
        let _ = answer.send(work());
    }))
    .map_err(|_| AppError::Internal("the hashing threads are gone".into()))?;
    answered.await.map_err(|_| AppError::Internal("a hashing job failed".into()))
}

pub async fn hash(password: String, cost: u32) -> AppResult<String> {
    on_a_core(move || bcrypt::hash(prehash(&password), cost))
        .await?
        .map_err(|e| AppError::Internal(format!("bcrypt failed: {e}")))
}

/// bcrypt of a candidate password with a given `$2b$<cost>$<22-char salt>`
/// prefix (as `app.begin_login` / `app.password_salt` answer it), for the
/// database to compare with the stored hash.
pub async fn hash_with_salt(password: String, salt: String) -> AppResult<String> {
    let (cost, salt) = parse_salt(&salt).ok_or_else(|| AppError::Internal("the database answered a malformed salt".into()))?;
    on_a_core(move || bcrypt::hash_with_salt(prehash(&password), cost, salt))
        .await?
        .map(|parts| parts.format_for_version(bcrypt::Version::TwoB))
        .map_err(|e| AppError::Internal(format!("bcrypt failed: {e}")))
}

/// `$2b$12$` + 22 characters of bcrypt's base64 → (cost, 16 salt bytes).
fn parse_salt(prefix: &str) -> Option<(u32, [u8; 16])> {
    use base64::{alphabet::BCRYPT, engine::GeneralPurpose, engine::GeneralPurposeConfig, engine::DecodePaddingMode};
    let rest = prefix.strip_prefix('$')?;
    let (_version, rest) = rest.split_once('$')?;
    let (cost, salt) = rest.split_once('$')?;
    let engine = GeneralPurpose::new(
        &BCRYPT,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true).with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let bytes = engine.decode(salt.get(..22)?).ok()?;
    Some((cost.parse().ok()?, bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_passwords_stay_significant_past_72_bytes() {
        let a = "a".repeat(100);
        let b = format!("{}b", "a".repeat(99));
        assert_ne!(prehash(&a), prehash(&b));
        assert!(prehash(&a).len() <= 72);
    }

    #[test]
    fn a_hash_recomputed_from_its_salt_matches() -> Result<(), Box<dyn std::error::Error>> {
        let stored = bcrypt::hash(prehash("correct horse"), 4)?;
        let (cost, salt) = parse_salt(&stored[..29]).ok_or("no salt in the hash")?;
        let again = bcrypt::hash_with_salt(prehash("correct horse"), cost, salt)?;
        assert_eq!(again.format_for_version(bcrypt::Version::TwoB), stored);
        let wrong = bcrypt::hash_with_salt(prehash("wrong horse"), cost, salt)?;
        assert_ne!(wrong.format_for_version(bcrypt::Version::TwoB), stored);
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_run_below_the_request_threads() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request_thread = this_threads_nice().ok_or("no nice value in /proc/thread-self/stat")?;
        let hashing_thread = on_a_core(this_threads_nice).await.map_err(|e| format!("{e:?}"))?.ok_or("no nice value")?;
        assert_eq!(hashing_thread, (request_thread + HASHING_NICE).min(19));
        if request_thread < 19 {
            assert!(hashing_thread > request_thread, "hashing at nice {hashing_thread}, requests at {request_thread}");
        }
        // And the hashing threads still answer bcrypt.
        let hashed = hash("correct horse battery".into(), 4).await.map_err(|e| format!("{e:?}"))?;
        assert!(hashed.starts_with("$2b$04$"), "{hashed}");
        Ok(())
    }

    #[test]
    fn rejects_short_long_and_common_passwords() {
        assert!(validate_new("password", "short").is_err());
        assert!(validate_new("password", &"x".repeat(1025)).is_err());
        assert!(validate_new("password", "Password1").is_err());
        assert!(validate_new("password", "correct horse battery staple").is_ok());
    }
}
