//! Hard deadlines for node executions: the engine tells a [`Watch`] when each node starts
//! and ends ([`NodeWatch`]); a watchdog thread notices a node that has not come back by its
//! hard deadline (code the time budget cannot interrupt, such as Lua's pattern matcher) and
//! reports it. A thread cannot be killed, so what happens then is the caller's: a worker
//! process reports and exits, `harness run` exits with a timeout error, a soak in thread
//! isolation stops with its report written.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use engine::NodeWatch;

/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(50);

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
}

impl std::fmt::Display for Overdue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} did not come back within its hard deadline of {}",
            self.label,
            humantime::format_duration(self.hard)
        )
    }
}

#[derive(Debug, Default)]
struct Registry {
    running: Mutex<HashMap<u64, (Instant, Overdue)>>,
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
    /// passes its hard deadline. The watchdog stops once every handle is dropped.
    pub fn start(on_overdue: impl Fn(Overdue) + Send + 'static) -> Watch {
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
                    let now = Instant::now();
                    let overdue = registry
                        .running
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .values()
                        .find(|(deadline, _)| now >= *deadline)
                        .map(|(_, o)| o.clone());
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
    fn enter(&self, node: &str, branch: Option<&str>, hard: Duration) -> u64 {
        let ticket = self.registry.next.fetch_add(1, Ordering::Relaxed);
        let label = match branch {
            Some(b) => format!("node `{node}` in branch `{b}`"),
            None => format!("node `{node}`"),
        };
        let overdue = Overdue {
            iteration: self.iteration,
            label,
            hard,
        };
        self.registry
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(ticket, (crate::util::time::until(hard), overdue));
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
