//! The charged clock on real threads: what a node's time budget counts.
//!
//! A thread's charged time is its CPU time (the kernel's per-thread CPU clock: time it ran,
//! never time it waited to run, was stopped, or waited for a page) plus the sleeps it was
//! charged: a sleep through the seam ([`super::Runtime::sleep`]) charges what it asked for,
//! however long it really took. So a busy or stalled host cannot move a node's budget: a node
//! that sleeps 50 ms is charged 50 ms whether the host woke it after 50 ms or after 400.
//!
//! Charged time never runs ahead of wall time (a thread cannot run longer than it exists,
//! and a sleep lasts at least what it asked), which lets budget checks read the cheap wall
//! clock and consult the CPU clock, a system call, only once wall time says the budget could
//! be spent.
//!
//! [`ThreadCharge`] reads a thread's charged clock from another thread: the harness's node
//! watchdog uses it, so a hard deadline on a busy host cannot expire before the budget could.
#![allow(clippy::disallowed_types)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

thread_local! {
    /// Nanoseconds of sleep charged to this thread so far.
    static SLEPT: Arc<AtomicU64> = Arc::new(AtomicU64::new(0));
}

/// The calling thread's charged time: its CPU time plus the sleeps charged to it.
pub(crate) fn now() -> Duration {
    cpu_now().saturating_add(slept())
}

/// The sleeps charged to the calling thread so far.
#[inline]
pub(crate) fn slept() -> Duration {
    Duration::from_nanos(SLEPT.with(|s| s.load(Ordering::Relaxed)))
}

/// Charges `duration` of sleep to the calling thread.
pub(crate) fn charge_sleep(duration: Duration) {
    let ns = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    SLEPT.with(|s| s.fetch_add(ns, Ordering::Relaxed));
}

/// The calling thread's CPU time.
#[cfg(unix)]
pub(crate) fn cpu_now() -> Duration {
    read_clock(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or_default()
}

/// Off Unix there is no per-thread CPU clock here: charged time is wall time.
#[cfg(not(unix))]
#[allow(clippy::disallowed_methods)]
pub(crate) fn cpu_now() -> Duration {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(std::time::Instant::now).elapsed()
}

#[cfg(unix)]
fn read_clock(clock: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: reading a clock into a local structure.
    (unsafe { libc::clock_gettime(clock, &mut ts) } == 0)
        .then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// One thread's charged clock, readable from any thread while that thread lives (a node
/// watchdog takes it on the node's thread when the node starts and reads it from its own).
#[derive(Debug, Clone)]
pub struct ThreadCharge {
    /// The thread's CPU clock (`pthread_getcpuclockid`); `None` where there is none, and
    /// then [`ThreadCharge::now`] cannot be read from another thread.
    #[cfg(target_os = "linux")]
    clock: Option<libc::clockid_t>,
    slept: Arc<AtomicU64>,
}

impl ThreadCharge {
    /// The calling thread's charged clock.
    pub fn current() -> ThreadCharge {
        ThreadCharge {
            #[cfg(target_os = "linux")]
            clock: {
                let mut clock: libc::clockid_t = 0;
                // SAFETY: this thread's own id, and a local to write its clock id to.
                (unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) } == 0)
                    .then_some(clock)
            },
            slept: SLEPT.with(Arc::clone),
        }
    }

    /// That thread's charged time so far: its CPU time plus the sleeps charged to it.
    /// `None` when its CPU clock cannot be read (off Linux, or once the thread has ended):
    /// a watchdog then falls back to wall time.
    pub fn now(&self) -> Option<Duration> {
        let slept = Duration::from_nanos(self.slept.load(Ordering::Relaxed));
        #[cfg(target_os = "linux")]
        return read_clock(self.clock?).map(|cpu| cpu.saturating_add(slept));
        #[cfg(not(target_os = "linux"))]
        {
            let _ = slept;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charged_sleep_counts_what_it_asked_for_and_no_more() {
        let before = slept();
        charge_sleep(Duration::from_millis(50));
        assert_eq!(slept() - before, Duration::from_millis(50));
    }

    #[test]
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)]
    fn another_thread_reads_a_threads_charged_clock_and_it_excludes_waiting() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            charge_sleep(Duration::from_secs(3));
            tx.send(ThreadCharge::current()).unwrap();
            // Blocked, not running: none of this wait may be charged.
            wait.recv().unwrap();
        });
        let charge = rx.recv().unwrap();
        let first = charge.now().expect("a live thread's charged clock");
        assert!(
            first >= Duration::from_secs(3),
            "the charged sleep is in it"
        );
        std::thread::sleep(Duration::from_millis(100));
        let second = charge.now().expect("still alive");
        assert!(
            second - first < Duration::from_millis(100),
            "a blocked thread was charged for waiting: {:?}",
            second - first
        );
        go.send(()).unwrap();
        worker.join().unwrap();
    }
}
