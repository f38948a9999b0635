//! Passwords: bcrypt on threads of its own, one per core, at a lower priority
//! than the request threads and (under `tenet serve`) in a process and
//! scheduling group of its own; never on the async executor.
//!
//! The server never sees a stored hash: to check a password it asks the
//! database for the account's salt and cost, computes bcrypt with them
//! (`hash_with_salt`), and the database compares the result.
//!
//! bcrypt reads at most 72 bytes. To keep every character of a password up to
//! 1024 characters significant, the password is pre-hashed: bcrypt is applied
//! to base64(SHA-256(password)), 44 ASCII bytes.
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Arc, Mutex, OnceLock,
    },
};

use base64::{engine::general_purpose::STANDARD, Engine};
use rand::RngCore;
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

/// How much lower than the request threads the hashing runs: the nice value
/// of the hashing process's scheduling group (Linux autogroup), and added to
/// each hashing thread's own nice value (at most 19). At 10 the kernel gives a
/// runnable request about nine times the share of a core that hashing gets,
/// so `me` and the other requests stay fast during a login flood; when nothing
/// else wants the CPU the hashes still get all of it (login alone keeps its
/// ceiling), and under overload a login is slowed, not starved (19 would be
/// ~70×).
const HASHING_NICE: i32 = 10;

/// One bcrypt: the pre-hashed password, the cost and the 16 salt bytes.
/// The raw password never leaves the request's task: only its pre-hash
/// (which is what bcrypt reads) goes to a hashing thread or process.
struct Job {
    prehash: String,
    cost: u32,
    salt: [u8; 16],
}

impl Job {
    fn new(password: &str, cost: u32, salt: [u8; 16]) -> Self {
        Self { prehash: prehash(password), cost, salt }
    }

    /// The `$2b$` hash, or None if bcrypt refused (a cost out of range).
    fn run(&self) -> Option<String> {
        bcrypt::hash_with_salt(&self.prehash, self.cost, self.salt).ok().map(|parts| parts.format_for_version(bcrypt::Version::TwoB))
    }

    /// The job as one line of the hashing process's input:
    /// `<id> <cost> <salt, base64> <pre-hash>` (no field holds a space).
    fn to_line(&self, id: u64) -> String {
        format!("{id} {} {} {}\n", self.cost, STANDARD.encode(self.salt), self.prehash)
    }

    fn from_line(line: &str) -> Option<(u64, Job)> {
        let mut fields = line.split(' ');
        let id = fields.next()?.parse().ok()?;
        let cost = fields.next()?.parse().ok()?;
        let salt = STANDARD.decode(fields.next()?).ok()?.try_into().ok()?;
        let prehash = fields.next()?.to_owned();
        fields.next().is_none().then_some((id, Job { prehash, cost, salt }))
    }
}

/// Runs a job in the hashing process when the server started one (see
/// [`start_hashing_process`]), else on the hashing threads of this process.
async fn bcrypt_job(job: Job) -> AppResult<String> {
    let answer = match HASHING_PROCESS.get() {
        Some(process) => process.run(job).await?,
        None => on_a_core(move || job.run()).await?,
    };
    answer.ok_or_else(|| AppError::Internal("bcrypt refused the job".into()))
}

// ---------------------------------------------------------------------------
// The hashing process (`tenet serve` on Linux).
//
// Within one process the nice value only orders the process's own threads.
// The kernel first shares the CPU between scheduling groups (an autogroup per
// session, or a cgroup), and every core-second bcrypt burns is charged to the
// server's group: PostgreSQL's backends and the server's request threads then
// wait behind it. Measured with wrk against `me` (docs/performance.md,
// "Fifth session: bcrypt in a scheduling group of its own"): two busy loops
// in the server's group, even at SCHED_IDLE, took its p99 from 35–66 ms to
// 490–762 ms; in sessions of their own (autogroup nice 0, 10 or 19), to
// 49–65 ms. So `tenet serve` runs bcrypt in a child process, `tenet
// hash-worker`, that starts a session of its own (its own autogroup), lowers
// that group's nice value and hashes lines from its standard input, one
// thread per core.

static HASHING_PROCESS: OnceLock<HashingProcess> = OnceLock::new();

/// Starts `exe hash-worker` and sends every later bcrypt job there. If the
/// process cannot be started, jobs stay on this process's hashing threads
/// (logged). A process that dies is started again for the next job.
pub fn start_hashing_process(exe: std::path::PathBuf) {
    match HashingProcess::spawn(&exe) {
        Ok(worker) => {
            tracing::info!(pid = worker.child.id(), "bcrypt runs in a process of its own");
            let process = HashingProcess { exe, worker: tokio::sync::Mutex::new(Some(worker)), next_id: AtomicU64::new(0) };
            let _ = HASHING_PROCESS.set(process);
        }
        Err(e) => tracing::warn!(error = %e, "could not start the hashing process; bcrypt runs on threads of the server"),
    }
}

/// The jobs a hashing process has not answered yet.
#[derive(Default)]
struct Answers {
    /// The process's output ended: it has exited, and answers nothing more.
    ended: bool,
    waiting: HashMap<u64, oneshot::Sender<Option<String>>>,
}

impl Answers {
    /// Waits for the answer to job `id`, unless the output has ended. Taken
    /// under the lock that the end of the output takes, so a job is never
    /// left waiting on a process that answers nothing more.
    fn register(&mut self, id: u64, answer: oneshot::Sender<Option<String>>) -> bool {
        if !self.ended {
            self.waiting.insert(id, answer);
        }
        !self.ended
    }
}

struct HashingProcess {
    exe: std::path::PathBuf,
    worker: tokio::sync::Mutex<Option<Worker>>,
    next_id: AtomicU64,
}

struct Worker {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    answers: Arc<Mutex<Answers>>,
}

impl HashingProcess {
    fn spawn(exe: &std::path::Path) -> std::io::Result<Worker> {
        use std::process::Stdio;
        let mut child = tokio::process::Command::new(exe)
            .arg("hash-worker")
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("the hashing process has no pipes"));
        };
        let answers = Arc::<Mutex<Answers>>::default();
        tokio::spawn(read_answers(stdout, Arc::clone(&answers)));
        Ok(Worker { child, stdin, answers })
    }

    /// Sends the job and waits for its answer. A job whose process died
    /// before answering (or could not take it) goes once more, to a new one.
    async fn run(&self, job: Job) -> AppResult<Option<String>> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let line = job.to_line(id);
        match self.send(id, &line).await {
            Ok(answer) => Ok(answer),
            Err(e) => {
                tracing::warn!(error = ?e, "a hashing job failed; sending it to a new hashing process");
                self.send(id, &line).await
            }
        }
    }

    async fn send(&self, id: u64, line: &str) -> AppResult<Option<String>> {
        use tokio::io::AsyncWriteExt;
        let (answer, answered) = oneshot::channel();
        {
            let mut worker = self.worker.lock().await;
            // A process that has exited, or whose output has ended, is
            // replaced before the job is sent. Both are asked: a dying
            // process closes its output before it can be waited for.
            if worker.as_mut().is_some_and(|w| lock(&w.answers).ended || !matches!(w.child.try_wait(), Ok(None))) {
                tracing::warn!("the hashing process has exited; starting another");
                *worker = None;
            }
            let w = match worker.as_mut() {
                Some(w) => w,
                None => worker.insert(Self::spawn(&self.exe).map_err(|e| AppError::Internal(format!("cannot start the hashing process: {e}")))?),
            };
            if !lock(&w.answers).register(id, answer) {
                *worker = None;
                return Err(AppError::Internal("the hashing process ended".into()));
            }
            if let Err(e) = w.stdin.write_all(line.as_bytes()).await {
                lock(&w.answers).waiting.remove(&id);
                *worker = None;
                return Err(AppError::Internal(format!("the hashing process is gone: {e}")));
            }
        }
        answered.await.map_err(|_| AppError::Internal("the hashing process ended before answering".into()))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Hands each answer line (`<id> <hash>`, or `<id> -` when bcrypt refused)
/// to the job waiting for it. At the end of the output (the process exited)
/// the process is marked ended and every job still waiting fails, which
/// `HashingProcess::run` answers by sending it once more, to a new process.
async fn read_answers(stdout: tokio::process::ChildStdout, answers: Arc<Mutex<Answers>>) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Some((id, hash)) = line.split_once(' ') else { continue };
        let Ok(id) = id.parse::<u64>() else { continue };
        let answer = lock(&answers).waiting.remove(&id);
        if let Some(answer) = answer {
            let _ = answer.send((hash != "-").then(|| hash.to_owned()));
        }
    }
    let mut answers = lock(&answers);
    answers.ended = true;
    answers.waiting.clear();
}

/// `tenet hash-worker`: the hashing process's side. Leaves the server's
/// session (and so its autogroup) and lowers its own group's priority, then
/// answers each input line on one of the hashing threads (one per core)
/// until its input ends (the server has exited; queued jobs are dropped).
/// Writes only answers to standard output; complaints go to standard error,
/// the server's log.
pub fn serve_hashing_requests() -> std::process::ExitCode {
    use std::io::{BufRead, Write};
    leave_the_servers_scheduling_group();
    let Some(jobs) = hashing_threads() else {
        eprintln!("tenet hash-worker: could not start a hashing thread");
        return std::process::ExitCode::FAILURE;
    };
    let out = Arc::new(Mutex::new(std::io::stdout()));
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Some((id, job)) = Job::from_line(&line) else {
            eprintln!("tenet hash-worker: ignoring a malformed job line");
            continue;
        };
        let out = Arc::clone(&out);
        let answer_it = move || {
            let answer = job.run();
            let mut out = lock(&out);
            if writeln!(out, "{id} {}", answer.as_deref().unwrap_or("-")).and_then(|()| out.flush()).is_err() {
                // The server is gone: the jobs still queued have nobody to answer.
                std::process::exit(0);
            }
        };
        if jobs.send(Box::new(answer_it)).is_err() {
            break;
        }
    }
    // The input ended: the server has exited (or dropped this process), so
    // the jobs still queued have nobody to answer.
    std::process::ExitCode::SUCCESS
}

/// A new session is a new autogroup on Linux; its nice value is set through
/// /proc/self/autogroup (raising it needs no privilege). Where autogroups are
/// off or a cgroup decides, only the threads' own nice values apply.
#[cfg(target_os = "linux")]
fn leave_the_servers_scheduling_group() {
    // SAFETY: setsid takes no arguments and touches no memory of ours.
    if unsafe { libc::setsid() } < 0 {
        eprintln!("tenet hash-worker: setsid failed: {}", std::io::Error::last_os_error());
        return;
    }
    if let Err(e) = std::fs::write("/proc/self/autogroup", HASHING_NICE.to_string()) {
        eprintln!("tenet hash-worker: could not lower the autogroup's priority: {e}");
    }
}

#[cfg(not(target_os = "linux"))]
fn leave_the_servers_scheduling_group() {}

// ---------------------------------------------------------------------------
// The hashing threads: in the hashing process, or in the server itself when
// it started none (the test suites' in-process servers, or a failed start).

type ThreadJob = Box<dyn FnOnce() + Send>;

/// The hashing threads: one per core, started on first use, each
/// [`HASHING_NICE`] below the others, taking bcrypt jobs in arrival order.
/// A flood of logins keeps every core hashing but never starts a thread per
/// waiting login (32 hashing threads once left the runtime's two workers a
/// sliver of the CPU); a waiting login holds no thread and no connection
/// (docs/performance.md, "me during a login flood").
fn hashing_threads() -> Option<&'static mpsc::Sender<ThreadJob>> {
    static JOBS: OnceLock<Option<mpsc::Sender<ThreadJob>>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<ThreadJob>();
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

fn hashing_thread(queue: &Mutex<mpsc::Receiver<ThreadJob>>) {
    lower_this_threads_priority();
    loop {
        // The lock is held only while waiting for the next job, not while
        // hashing (a `while let` would keep the guard through the job).
        let job = match lock(queue).recv() {
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
        // stderr, not tracing: in the hashing process standard output is the answers.
        eprintln!("tenet: could not lower the priority of a hashing thread: {}", std::io::Error::last_os_error());
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

/// A new bcrypt hash of `password` at `cost`, with a fresh random salt.
pub async fn hash(password: String, cost: u32) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    bcrypt_job(Job::new(&password, cost, salt)).await
}

/// bcrypt of a candidate password with a given `$2b$<cost>$<22-char salt>`
/// prefix (as `app.begin_login` / `app.password_salt` answer it), for the
/// database to compare with the stored hash.
pub async fn hash_with_salt(password: String, salt: String) -> AppResult<String> {
    let (cost, salt) = parse_salt(&salt).ok_or_else(|| AppError::Internal("the database answered a malformed salt".into()))?;
    bcrypt_job(Job::new(&password, cost, salt)).await
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
    fn a_job_crosses_to_the_hashing_process_intact() -> Result<(), Box<dyn std::error::Error>> {
        let job = Job::new("correct horse", 4, [42; 16]);
        let line = job.to_line(17);
        assert_eq!(line.matches(' ').count(), 3, "four fields: {line}");
        assert!(line.ends_with('\n'));
        let (id, back) = Job::from_line(line.trim_end()).ok_or("not read back as a job")?;
        assert_eq!((id, back.cost, back.salt, back.prehash.as_str()), (17, 4, [42; 16], job.prehash.as_str()));
        assert_eq!(back.run(), job.run());
        assert!(Job::from_line("17 4 not-base64 x").is_none());
        assert!(Job::from_line(&format!("{} extra", line.trim_end())).is_none());
        assert!(Job::new("x", 99, [0; 16]).run().is_none(), "a cost out of range is refused, not a panic");
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
