//! Hard deadlines for node executions: the engine tells a [`Watch`] when each node starts
//! and ends ([`NodeWatch`]); a watchdog thread notices a node that has not come back by its
//! hard deadline (code the time budget cannot interrupt, such as Lua's pattern matcher) and
//! reports it. A thread cannot be killed, so what happens then is the caller's: a worker
//! process reports and exits, `harness run` exits with a timeout error, a soak in thread
//! isolation stops with its report written.
//!
//! A node's hard deadline runs on its **charged clock**, the clock its budget runs on (the
//! node thread's CPU time plus its charged sleeps, [`ThreadCharge`], read from the watchdog's
//! thread): a hard deadline cannot expire before the budget could have, however busy the host
//! is, and a stopped process is charged nothing. A node blocked without using CPU (a
//! deadlock) never reaches a charged deadline, so something on wall time backs it up: the
//! iteration's hard deadline where there is one (a worker's supervisor, thread isolation), or
//! else this watchdog's own [`Backstop::Wall`] (`harness run`): a node whose charged clock
//! has not moved for its hard deadline (at least [`BLOCKED_MIN`]) of active wall time, which
//! discounts the process's pauses ([`crate::util::pause`]), is blocked. A node that computes,
//! however slowly a busy host lets it, moves its charged clock, so only its charged deadline
//! can end it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use engine::NodeWatch;
use engine::sync::ThreadCharge;

use crate::util::pause;

/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(50);

/// The least time a node's charged clock must stand still before [`Backstop::Wall`] calls it
/// blocked: a runnable thread on a busy host goes that long without CPU only in extremes.
pub const BLOCKED_MIN: Duration = Duration::from_secs(2);

/// How far a node's charged clock must move to count as moving (a blocked thread's CPU clock
/// creeps by microseconds when it is woken for nothing).
const MOVED: Duration = Duration::from_millis(1);

/// Test-only: a node of this name blocks forever once it is watched, without using CPU (a
/// deadlock, as a watchdog sees one). Read once per process; workers inherit it.
pub const BLOCK_NODE_VAR: &str = "BRANCHPROOF_TEST_BLOCK_NODE";

/// What backs a node's charged hard deadline up, for a node that blocks without using CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backstop {
    /// A wall-clock deadline outside this watch: a worker's supervisor, or thread isolation's
    /// iteration deadline.
    Iteration,
    /// This watch: a node whose charged clock stands still for its hard deadline (at least
    /// [`BLOCKED_MIN`]) of active wall time.
    Wall,
}

/// A node execution that did not come back by its hard deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The iteration it belongs to, `(index, seed)` as [`Watch::for_iteration`] was given
    /// (no index for a replay); `None` for a run that is not an iteration.
    pub iteration: Option<(Option<u64>, u64)>,
    /// `node `x` in branch `b``.
    pub label: String,
    /// Its hard deadline.
    pub hard: Duration,
    /// It was blocked (charged nothing) for this long of active wall time: the backstop, not
    /// the charged deadline.
    pub blocked: Option<Duration>,
}

impl Overdue {
    /// What happened, after the label: `did not come back within ...`.
    pub fn why(&self) -> String {
        if let Some(blocked) = self.blocked {
            format!(
                "did not come back: it was charged no time for {} of wall time (its hard \
                 deadline is {} of charged time): it is blocked, using no CPU (a deadlock?)",
                humantime::format_duration(blocked),
                humantime::format_duration(self.hard)
            )
        } else {
            format!(
                "did not come back within its hard deadline of {}",
                humantime::format_duration(self.hard)
            )
        }
    }
}

impl std::fmt::Display for Overdue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.label, self.why())
    }
}

/// A node execution in progress.
#[derive(Debug)]
struct Running {
    /// Its thread's charged clock, and its reading when the node started.
    charge: ThreadCharge,
    charged_at: Option<Duration>,
    /// Active wall time when it started.
    started: Duration,
    /// The last time its charged clock was seen to move: `(charged, active wall time)`.
    moved: (Duration, Duration),
    overdue: Overdue,
}

impl Running {
    /// Whether it is past its charged hard deadline, or `backstop` says it is blocked.
    fn overdue(&mut self, now: Duration, backstop: Backstop) -> Option<Overdue> {
        let hard = self.overdue.hard;
        let wall = now.saturating_sub(self.started);
        // Where a thread's charged clock cannot be read (off Linux), active wall time.
        let charged = match (self.charge.now(), self.charged_at) {
            (Some(now), Some(at)) => now.saturating_sub(at),
            _ => wall,
        };
        if charged >= hard {
            return Some(self.overdue.clone());
        }
        if charged >= self.moved.0.saturating_add(MOVED) {
            self.moved = (charged, now);
        }
        let still = now.saturating_sub(self.moved.1);
        (backstop == Backstop::Wall && still >= hard.max(BLOCKED_MIN)).then(|| Overdue {
            blocked: Some(still),
            ..self.overdue.clone()
        })
    }
}

#[derive(Debug, Default)]
struct Registry {
    running: Mutex<HashMap<u64, Running>>,
    next: AtomicU64,
}

/// Watches the node executions of the runs it is given to (see [`Watch::for_iteration`]).
#[derive(Debug, Clone, Default)]
pub struct Watch {
    registry: Arc<Registry>,
    /// `(index, seed)` of the iteration this handle is for.
    iteration: Option<(Option<u64>, u64)>,
}

impl Watch {
    /// A watch whose `on_overdue` is called (once, on the watchdog thread) when a node
    /// passes its hard deadline, or `backstop`'s. The watchdog stops once every handle is
    /// dropped. Starts this process's pause clock.
    pub fn start(backstop: Backstop, on_overdue: impl Fn(Overdue) + Send + 'static) -> Watch {
        pause::start();
        let watch = Watch::default();
        let registry: Weak<Registry> = Arc::downgrade(&watch.registry);
        std::thread::Builder::new()
            .name("hard-deadline-watchdog".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(POLL);
                    let Some(registry) = registry.upgrade() else {
                        return;
                    };
                    let now = pause::now();
                    let overdue = registry
                        .running
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .values_mut()
                        .find_map(|r| r.overdue(now, backstop));
                    if let Some(overdue) = overdue {
                        on_overdue(overdue);
                        return;
                    }
                }
            })
            .expect("spawn the hard-deadline watchdog");
        watch
    }

    /// The same watch, for the nodes of the iteration with `index` (none for a replay) and
    /// `seed`.
    pub fn for_iteration(&self, index: Option<u64>, seed: u64) -> Arc<dyn NodeWatch> {
        Arc::new(Watch {
            registry: self.registry.clone(),
            iteration: Some((index, seed)),
        })
    }

    /// The same watch, for a run that is not an iteration (`harness run`).
    pub fn for_run(&self) -> Arc<dyn NodeWatch> {
        Arc::new(self.clone())
    }
}

impl NodeWatch for Watch {
    /// Called on the node's own thread (the engine does), which is what lets the watchdog
    /// read that thread's charged clock.
    fn enter(&self, node: &str, branch: Option<&str>, hard: Duration) -> u64 {
        let ticket = self.registry.next.fetch_add(1, Ordering::Relaxed);
        let label = match branch {
            Some(b) => format!("node `{node}` in branch `{b}`"),
            None => format!("node `{node}`"),
        };
        let charge = ThreadCharge::current();
        let started = pause::now();
        let running = Running {
            charged_at: charge.now(),
            charge,
            started,
            moved: (Duration::ZERO, started),
            overdue: Overdue {
                iteration: self.iteration,
                label,
                hard,
                blocked: None,
            },
        };
        self.registry
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(ticket, running);
        if blocked_node().is_some_and(|name| name == node) {
            block_forever();
        }
        ticket
    }

    fn leave(&self, ticket: u64) {
        self.registry
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ticket);
    }
}

/// The node [`BLOCK_NODE_VAR`] names, if any.
fn blocked_node() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| std::env::var(BLOCK_NODE_VAR).ok().filter(|n| !n.is_empty()))
        .as_deref()
}

/// Blocks this thread for good without using CPU, as a deadlocked node does.
fn block_forever() -> ! {
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(hard: Duration) -> Running {
        let charge = ThreadCharge::current();
        let started = pause::now();
        Running {
            charged_at: charge.now(),
            charge,
            started,
            moved: (Duration::ZERO, started),
            overdue: Overdue {
                iteration: None,
                label: "node `x`".into(),
                hard,
                blocked: None,
            },
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_hard_deadline_runs_on_the_nodes_charged_clock_not_on_wall_time() {
        let mut r = running(Duration::from_millis(200));
        // Far past the hard deadline in wall time, but this thread was not charged for it.
        let later = r.started + Duration::from_secs(1);
        assert_eq!(r.overdue(later, Backstop::Iteration), None);
        // Spinning is charged: spin until the charged deadline passes (a generous wall
        // bound only guards against spinning forever).
        let guard = std::time::Instant::now() + Duration::from_secs(60);
        while r.overdue(r.started, Backstop::Iteration).is_none() {
            assert!(
                std::time::Instant::now() < guard,
                "spinning was never charged"
            );
            std::hint::black_box(0);
        }
        let overdue = r.overdue(r.started, Backstop::Iteration).unwrap();
        assert_eq!(overdue.blocked, None);
        assert_eq!(
            overdue.to_string(),
            "node `x` did not come back within its hard deadline of 200ms"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_wall_backstop_calls_a_node_blocked_only_when_its_charged_clock_stands_still() {
        let hard = Duration::from_secs(60);
        let mut r = running(hard);
        // Charged nothing for less than its hard deadline: not yet.
        assert_eq!(r.overdue(r.started + hard / 2, Backstop::Wall), None);
        // A node that computes, however slowly, moves its charged clock: spin 5 ms of CPU.
        let before = r.charge.now().unwrap();
        let guard = std::time::Instant::now() + Duration::from_secs(60);
        while r.charge.now().unwrap() < before + Duration::from_millis(5) {
            assert!(
                std::time::Instant::now() < guard,
                "spinning was never charged"
            );
            std::hint::black_box(0);
        }
        let moved_at = r.started + hard - Duration::from_secs(1);
        assert_eq!(r.overdue(moved_at, Backstop::Wall), None);
        // Its hard deadline of wall time after it last moved, it is blocked.
        assert_eq!(r.overdue(moved_at + hard / 2, Backstop::Wall), None);
        assert_eq!(r.overdue(moved_at + hard, Backstop::Iteration), None);
        let blocked = r.overdue(moved_at + hard, Backstop::Wall).unwrap();
        assert_eq!(blocked.blocked, Some(hard));
        let text = blocked.to_string();
        assert!(
            text.starts_with("node `x` did not come back: it was charged no time for 1m of wall")
                && text.ends_with("it is blocked, using no CPU (a deadlock?)"),
            "{text}"
        );
        // A short hard deadline still waits the least standstill.
        let mut r = running(Duration::from_millis(100));
        assert_eq!(r.overdue(r.started + BLOCKED_MIN / 2, Backstop::Wall), None);
        assert!(r.overdue(r.started + BLOCKED_MIN, Backstop::Wall).is_some());
    }
}
