//! Stopping a run on SIGINT or SIGTERM: the first one asks the run to stop (it writes its
//! report, marked incomplete, and exits 130 or 143); a second one exits at once with the
//! same code, losing at most the seconds since the last checkpoint.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The stop [`Stop::install`] made, for work deep inside a run (a replay's worker, a
/// shrink) that must end on the same signal.
static INSTALLED: OnceLock<Stop> = OnceLock::new();

/// Whether, and by which signal, the run was asked to stop.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    requested: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Stop {
    /// A stop no signal sets (for replays and tests).
    pub fn never() -> Stop {
        Stop::default()
    }

    /// Installs the handlers for SIGINT and SIGTERM.
    pub fn install() -> std::io::Result<Stop> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::flag;
        let stop = Stop::default();
        for signal in [SIGINT, SIGTERM] {
            // Registered first, so it sees the flag as it was before this signal.
            flag::register_conditional_shutdown(signal, 128 + signal, stop.requested.clone())?;
            flag::register_usize(signal, stop.signal.clone(), signal as usize)?;
            flag::register(signal, stop.requested.clone())?;
        }
        let _ = INSTALLED.set(stop.clone());
        Ok(stop)
    }

    /// The installed stop, or one that never fires (no handlers in this process).
    pub fn current() -> Stop {
        INSTALLED.get().cloned().unwrap_or_default()
    }

    /// Whether a signal asked the run to stop.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// The signal that did (`SIGINT` is 2, `SIGTERM` 15).
    pub fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n as i32),
        }
    }

    /// The exit code for it: 128 + the signal (130 for SIGINT, 143 for SIGTERM).
    pub fn exit_code(&self) -> Option<u8> {
        self.signal().map(|s| (128 + s) as u8)
    }
}
