//! A worker's clock, as its supervisor keeps it: this process's active time
//! ([`crate::util::pause`]) less the intervals the worker was stopped. An iteration's hard
//! deadline runs on it, so a worker that is stopped and continued (SIGSTOP/SIGTSTP, a
//! debugger) is never killed as a hang for the time it spent stopped.
//!
//! Stops are read from the kernel as what they are: `waitid(P_PID, pid, WSTOPPED |
//! WCONTINUED | WNOHANG)` reports the worker's stops and continues without reaping it (no
//! `WEXITED`: `Child::wait` still collects its exit). Never from low CPU use: a worker blocked
//! in a deadlock uses none, and must still reach its deadline. A stop and continue that both
//! fall between two polls are seen as a continue alone: the whole interval since the last
//! poll is then taken as stopped (polls are 50–100 ms apart). Off Linux no stop of a worker
//! is seen; the supervisor's own pauses still are.

use std::time::Duration;

use crate::util::pause;

/// A worker's active time, as its supervisor sees it.
#[derive(Debug)]
pub struct ChildClock {
    pid: u32,
    /// Stopped time so far, on this process's active clock.
    stopped: Duration,
    /// When it was seen stopped (it has not been seen continued since).
    stopped_since: Option<Duration>,
    /// When it was last polled.
    polled: Duration,
}

/// What the kernel said about a child since the last poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Stopped,
    Continued,
}

impl ChildClock {
    /// The clock of child `pid` (started now); starts this process's pause clock.
    pub fn new(pid: u32) -> ChildClock {
        pause::start();
        let now = pause::now();
        ChildClock {
            pid,
            stopped: Duration::ZERO,
            stopped_since: None,
            polled: now,
        }
    }

    /// The worker's active time: this process's, less the worker's stops (polled now).
    pub fn now(&mut self) -> Duration {
        let now = pause::now();
        for _ in 0..4 {
            let Some(change) = poll(self.pid) else { break };
            self.apply(change, now);
        }
        self.polled = now;
        let stopped = self.stopped + self.stopped_since.map_or(Duration::ZERO, |s| now - s);
        now.saturating_sub(stopped)
    }

    /// Whether it is stopped, as of the last [`ChildClock::now`] (the tests' view).
    #[cfg(test)]
    fn is_stopped(&self) -> bool {
        self.stopped_since.is_some()
    }

    fn apply(&mut self, change: Change, now: Duration) {
        match (change, self.stopped_since) {
            (Change::Stopped, None) => self.stopped_since = Some(now),
            (Change::Stopped, Some(_)) => {}
            (Change::Continued, Some(since)) => {
                self.stopped += now.saturating_sub(since);
                self.stopped_since = None;
            }
            // Stopped and continued between two polls: it was stopped somewhere in there.
            (Change::Continued, None) => self.stopped += now.saturating_sub(self.polled),
        }
    }
}

/// The child's next stop or continue not yet reported, without reaping it.
#[cfg(target_os = "linux")]
fn poll(pid: u32) -> Option<Change> {
    // SAFETY: an all-zero siginfo_t is valid; waitid writes into it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: waitid on our own child, into a local; without WEXITED it reaps nothing.
    let r = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WSTOPPED | libc::WCONTINUED | libc::WNOHANG,
        )
    };
    // SAFETY: waitid filled `info` (a zero pid means no change was waiting).
    if r != 0 || unsafe { info.si_pid() } == 0 {
        return None;
    }
    match info.si_code {
        libc::CLD_STOPPED | libc::CLD_TRAPPED => Some(Change::Stopped),
        libc::CLD_CONTINUED => Some(Change::Continued),
        _ => None,
    }
}

#[cfg(not(target_os = "linux"))]
fn poll(_pid: u32) -> Option<Change> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> ChildClock {
        ChildClock {
            pid: 0,
            stopped: Duration::ZERO,
            stopped_since: None,
            polled: Duration::from_secs(10),
        }
    }

    #[test]
    fn a_seen_stop_counts_from_when_it_was_seen_until_the_continue() {
        let mut c = clock();
        c.apply(Change::Stopped, Duration::from_secs(11));
        assert!(c.is_stopped());
        c.apply(Change::Stopped, Duration::from_secs(12));
        c.apply(Change::Continued, Duration::from_secs(15));
        assert!(!c.is_stopped());
        assert_eq!(c.stopped, Duration::from_secs(4));
    }

    #[test]
    fn a_continue_without_a_seen_stop_takes_the_interval_since_the_last_poll() {
        let mut c = clock();
        c.apply(Change::Continued, Duration::from_millis(10_080));
        assert_eq!(c.stopped, Duration::from_millis(80));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_real_childs_stop_is_seen_and_its_exit_is_left_to_wait() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep");
        let mut c = ChildClock::new(child.id());
        let kill = |sig: &str| {
            std::process::Command::new("kill")
                .args([sig, &child.id().to_string()])
                .status()
                .expect("kill")
        };
        assert!(kill("-STOP").success());
        // The stop is reported once the kernel has stopped it: poll until it is seen.
        for _ in 0..1000 {
            c.now();
            if c.is_stopped() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(c.is_stopped(), "the stop was not seen");
        assert!(kill("-CONT").success());
        for _ in 0..1000 {
            c.now();
            if !c.is_stopped() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!c.is_stopped(), "the continue was not seen");
        child.kill().unwrap();
        let status = child.wait().expect("its exit is still there to collect");
        assert!(!status.success());
    }
}
