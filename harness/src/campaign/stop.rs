//! SIGINT and SIGTERM, honoured from process start ([`Stop::install`], first thing in
//! `main`), on a thread of their own (the main thread may be the stuck one):
//!
//! - before a run keeps a report (loading scenarios, `harness run`, `replay`, `report`), a
//!   signal exits at once with 130 (SIGINT) or 143 (SIGTERM): there is nothing to keep;
//! - once it does ([`Stop::begin_run`]), the first signal asks the run to stop: it writes its
//!   report, marked incomplete, and exits with that code;
//! - a second signal within [`SAME_REQUEST`] of the first is the same request (GNU `timeout`,
//!   CI runners and a shell's job control signal the process and its group, so one request
//!   often arrives twice);
//! - a later one exits at once with the first one's code, but first (within 1 s, on this
//!   thread) writes the final report from the last checkpoint, marked forced
//!   ([`Stop::on_force`]). No exit by SIGINT or SIGTERM leaves a report that says the run is
//!   still going.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A second signal this soon after the first is the same request.
pub const SAME_REQUEST: Duration = Duration::from_secs(1);

/// How long a forced exit may spend writing the report before it exits regardless.
pub const FORCE_LIMIT: Duration = Duration::from_secs(1);

/// The stop [`Stop::install`] made, for work deep inside a run (a replay's worker, a
/// shrink) that must end on the same signal.
static INSTALLED: OnceLock<Stop> = OnceLock::new();

/// Writes the final report from the last checkpoint, marked forced by the given signal.
pub type ForceFn = Box<dyn Fn(i32) + Send>;

#[derive(Default)]
struct Inner {
    requested: AtomicBool,
    signal: AtomicUsize,
    /// A run keeps a report: a signal asks it to stop rather than exiting.
    running: AtomicBool,
    /// When the first signal of the run came.
    first: Mutex<Option<Instant>>,
    force: Mutex<Option<ForceFn>>,
}

/// Whether, and by which signal, the run was asked to stop.
#[derive(Clone, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stop")
            .field("requested", &self.requested())
            .field("signal", &self.signal())
            .finish_non_exhaustive()
    }
}

/// What a signal does, given the state it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Exit at once with 128 + this signal.
    Exit(i32),
    /// Ask the run to stop.
    Request,
    /// Nothing: the same request again.
    Same,
    /// Write the final report, marked forced, and exit with 128 + the first signal.
    Force(i32),
}

/// What signal `signal` does at `now`, the run's first signal having come at `first`.
fn decide(running: bool, first: Option<(Instant, i32)>, signal: i32, now: Instant) -> Action {
    match first {
        _ if !running => Action::Exit(signal),
        None => Action::Request,
        Some((at, _)) if now.saturating_duration_since(at) < SAME_REQUEST => Action::Same,
        Some((_, first)) => Action::Force(first),
    }
}

impl Stop {
    /// A stop no signal sets (for replays and tests).
    pub fn never() -> Stop {
        Stop::default()
    }

    /// Handles SIGINT and SIGTERM from now on, on a thread of its own.
    pub fn install() -> std::io::Result<Stop> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let stop = INSTALLED.get_or_init(Stop::default).clone();
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        let handler = stop.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    handler.on_signal(signal);
                }
            })?;
        Ok(stop)
    }

    /// The installed stop, or one that never fires (no handlers in this process).
    pub fn current() -> Stop {
        INSTALLED.get().cloned().unwrap_or_default()
    }

    /// A run that keeps a report starts: from now on a signal asks it to stop.
    pub fn begin_run(&self) {
        self.inner.running.store(true, Ordering::SeqCst);
    }

    /// What a later second signal does before it exits: write the final report from the
    /// last checkpoint, marked forced (on the signal thread, within [`FORCE_LIMIT`]).
    pub fn on_force(&self, force: ForceFn) {
        *self.inner.force.lock().unwrap_or_else(|p| p.into_inner()) = Some(force);
    }

    /// Whether a signal asked the run to stop.
    pub fn requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }

    /// The signal that did (`SIGINT` is 2, `SIGTERM` 15).
    pub fn signal(&self) -> Option<i32> {
        match self.inner.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n as i32),
        }
    }

    /// The exit code for it: 128 + the signal (130 for SIGINT, 143 for SIGTERM).
    pub fn exit_code(&self) -> Option<u8> {
        self.signal().map(|s| (128 + s) as u8)
    }

    fn on_signal(&self, signal: i32) {
        let now = Instant::now();
        let mut first = self.inner.first.lock().unwrap_or_else(|p| p.into_inner());
        let running = self.inner.running.load(Ordering::SeqCst);
        let seen = (*first).map(|at| (at, self.signal().unwrap_or(signal)));
        let action = decide(running, seen, signal, now);
        match action {
            Action::Exit(signal) => exit(128 + signal),
            Action::Request => {
                *first = Some(now);
                self.inner.signal.store(signal as usize, Ordering::SeqCst);
                self.inner.requested.store(true, Ordering::SeqCst);
            }
            Action::Same => {}
            Action::Force(first) => {
                let code = 128 + first;
                // Whatever the writer does, the process ends within the limit.
                let _ = std::thread::Builder::new()
                    .name("forced-exit".into())
                    .spawn(move || {
                        std::thread::sleep(FORCE_LIMIT);
                        exit(code);
                    });
                if let Some(force) = &*self.inner.force.lock().unwrap_or_else(|p| p.into_inner()) {
                    force(first);
                }
                exit(code);
            }
        }
    }
}

/// Ends the process now: no destructors, no atexit handlers, no locks another thread may
/// hold (stdout's is flushed line by line already).
fn exit(code: i32) -> ! {
    // SAFETY: _exit ends the process; it is async-signal-safe and takes no lock.
    unsafe { libc::_exit(code) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_a_run_keeps_a_report_a_signal_exits_at_once() {
        let now = Instant::now();
        assert_eq!(decide(false, None, 15, now), Action::Exit(15));
        assert_eq!(decide(false, None, 2, now), Action::Exit(2));
    }

    #[test]
    fn a_second_signal_within_a_second_is_the_same_request_and_a_later_one_forces() {
        let at = Instant::now();
        assert_eq!(decide(true, None, 15, at), Action::Request);
        let first = Some((at, 15));
        assert_eq!(decide(true, first, 15, at), Action::Same);
        assert_eq!(
            decide(true, first, 2, at + Duration::from_millis(999)),
            Action::Same
        );
        // A later one exits with the first one's code.
        assert_eq!(decide(true, first, 2, at + SAME_REQUEST), Action::Force(15));
    }

    #[test]
    fn the_first_signal_sets_the_request_and_a_second_at_once_changes_nothing() {
        let stop = Stop::never();
        stop.begin_run();
        stop.on_signal(15);
        assert!(stop.requested());
        assert_eq!(stop.exit_code(), Some(143));
        stop.on_signal(2);
        assert_eq!(stop.signal(), Some(15), "the first signal's request stands");
    }
}
