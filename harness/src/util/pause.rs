//! This process's **active time**: wall time less the intervals the process was paused
//! (SIGSTOP, Ctrl-Z, a debugger, a suspended or paused machine), which is what its wall-clock
//! deadlines run on. A paused process must not find, when it is continued, that everything it
//! was waiting for is overdue.
//!
//! A process cannot wait on itself, so a pause is seen from inside in two ways:
//!
//! - a continue always delivers SIGCONT (SIGSTOP cannot be caught, but SIGCONT can): the
//!   handler sets a flag, and the gap since the last tick, less one tick, is a pause;
//! - a tick more than [`LATE`] late is a pause too (a suspended machine, or a stop no SIGCONT
//!   announced yet because the reader runs first): the gap, less one tick, is discounted.
//!
//! A ticker thread ([`start`]) ticks every [`TICK`]; every reading ([`now`]) is a tick too, so
//! a thread that wakes up after a pause sees it at once, before the ticker does. Pauses are
//! never inferred from low CPU use: a blocked process is not a paused one. On Linux
//! `Instant` (`CLOCK_MONOTONIC`) does not advance while the machine sleeps, so a suspend is
//! discounted at the source as well.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How often the ticker ticks.
pub const TICK: Duration = Duration::from_millis(100);

/// A tick this much later than due is a pause.
pub const LATE: Duration = Duration::from_secs(1);

struct Clock {
    /// When the clock started: active time counts from here.
    epoch: Instant,
    state: Mutex<State>,
    /// Set by the SIGCONT handler.
    continued: Arc<AtomicBool>,
}

struct State {
    /// The last tick (or reading).
    last: Instant,
    /// The pauses seen so far.
    paused: Duration,
    /// A gap too short to be late, seen without a SIGCONT, and when: a continue's signal
    /// handler may run after another thread's first reading (the threads of a continued
    /// process all wake at once), so a SIGCONT seen within [`LATE`] of it claims it.
    unclaimed: Option<(Duration, Instant)>,
}

static CLOCK: OnceLock<Clock> = OnceLock::new();

fn clock() -> &'static Clock {
    CLOCK.get_or_init(|| {
        let continued = Arc::new(AtomicBool::new(false));
        // Without the handler, late ticks still find the pauses longer than a second.
        let _ = signal_hook::flag::register(signal_hook::consts::SIGCONT, continued.clone());
        let now = Instant::now();
        Clock {
            epoch: now,
            state: Mutex::new(State {
                last: now,
                paused: Duration::ZERO,
                unclaimed: None,
            }),
            continued,
        }
    })
}

/// Starts this process's pause clock and its ticker thread (once; later calls do nothing).
pub fn start() {
    static TICKER: OnceLock<()> = OnceLock::new();
    TICKER.get_or_init(|| {
        clock();
        std::thread::Builder::new()
            .name("pause-clock".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(TICK);
                    now();
                }
            })
            .expect("spawn the pause clock's ticker");
    });
}

/// Active time since the clock started: wall time less the pauses seen (a tick). It does
/// not go back, except by a short pause a late-handled SIGCONT claims (under [`LATE`]);
/// deadlines on it subtract with saturation.
pub fn now() -> Duration {
    let clock = clock();
    let mut state = clock.state.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    let continued = clock.continued.swap(false, Ordering::SeqCst);
    state.observe(now, continued);
    now.saturating_duration_since(clock.epoch)
        .saturating_sub(state.paused)
}

impl State {
    /// A tick at `now`, after a SIGCONT when `continued`: a gap more than [`LATE`] past the
    /// tick that was due is a pause, and so is any gap a SIGCONT announces (less the tick).
    fn observe(&mut self, now: Instant, continued: bool) {
        let gap = now.saturating_duration_since(self.last);
        let extra = gap.saturating_sub(TICK);
        let unclaimed = self
            .unclaimed
            .filter(|(_, at)| now.saturating_duration_since(*at) < LATE)
            .map_or(Duration::ZERO, |(d, _)| d);
        if gap > TICK + LATE {
            self.paused += extra;
        } else if continued {
            self.paused += extra.max(unclaimed);
            self.unclaimed = None;
        } else if extra > TICK {
            self.unclaimed = Some((extra.max(unclaimed), now));
        }
        self.last = self.last.max(now);
    }
}

/// The pauses this process has seen so far.
pub fn paused() -> Duration {
    now();
    clock()
        .state
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .paused
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pause a state that last ticked at `at` sees in a tick `gap` later.
    fn paused_in(gap: Duration, continued: bool) -> Duration {
        let at = Instant::now();
        let mut state = State {
            last: at,
            paused: Duration::ZERO,
            unclaimed: None,
        };
        state.observe(at + gap, continued);
        state.paused
    }

    #[test]
    fn a_tick_on_time_is_no_pause_and_a_late_or_continued_one_is() {
        assert_eq!(paused_in(TICK, false), Duration::ZERO);
        assert_eq!(paused_in(TICK + LATE, false), Duration::ZERO);
        let gap = Duration::from_secs(4);
        assert_eq!(paused_in(gap, false), gap - TICK);
        assert_eq!(paused_in(gap, true), gap - TICK);
        // After SIGCONT even a short stop counts.
        assert_eq!(
            paused_in(Duration::from_millis(400), true),
            Duration::from_millis(300)
        );
        assert_eq!(paused_in(Duration::from_millis(20), true), Duration::ZERO);
    }

    #[test]
    fn a_sigcont_handled_after_the_first_reading_still_claims_its_stop() {
        let at = Instant::now();
        let mut state = State {
            last: at,
            paused: Duration::ZERO,
            unclaimed: None,
        };
        // A thread reads the clock after a 500 ms stop, before the handler ran...
        let after = at + Duration::from_millis(500);
        state.observe(after, false);
        assert_eq!(state.paused, Duration::ZERO);
        // ...which then runs: the next reading claims the stop.
        state.observe(after + Duration::from_millis(5), true);
        assert_eq!(state.paused, Duration::from_millis(400));
        // A SIGCONT long after an unannounced gap does not claim it.
        let mut state = State {
            last: at,
            paused: Duration::ZERO,
            unclaimed: None,
        };
        state.observe(after, false);
        let mut t = after;
        for _ in 0..20 {
            t += TICK;
            state.observe(t, false);
        }
        state.observe(t + Duration::from_millis(5), true);
        assert_eq!(state.paused, Duration::ZERO);
    }

    #[test]
    fn active_time_does_not_go_back_while_nothing_pauses() {
        start();
        let mut last = now();
        for _ in 0..1000 {
            let next = now();
            assert!(next >= last);
            last = next;
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_stop_of_this_process_is_discounted() {
        start();
        let before = paused();
        // Stop this very test process for 1.5 s, from a child that continues it: the test
        // binary's other tests are stopped with it, which is harmless.
        let pid = std::process::id().to_string();
        let mut helper = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("kill -STOP {pid}; sleep 1.5; kill -CONT {pid}"),
            ])
            .spawn()
            .expect("sh");
        helper.wait().expect("the helper ends");
        let discounted = paused() - before;
        assert!(
            discounted >= Duration::from_millis(1200),
            "a 1.5 s stop discounted as {discounted:?}"
        );
    }
}
