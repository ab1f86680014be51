//! The pool's state: the idle helpers and, under the model checkers, every helper's thread.

use std::sync::Arc;
// The join list of the model checkers' helpers is teardown bookkeeping, not part of the
// protocol they check: a plain lock (held for a push or a take, with no checker operation
// inside) keeps it from adding scheduling points to every schedule.
#[allow(clippy::disallowed_types)]
use std::sync::Mutex as PlainMutex;

use super::helper::Helper;
use crate::sync::{RtAtomicUsize, RtMutex, Runtime};

/// One runtime's helpers: one per process on real threads, one per execution under the model
/// checkers ([`Runtime::helper_pool`]).
pub struct HelperPool<R: Runtime> {
    idle: R::Mutex<Idle<R>>,
    /// Every helper's thread, kept under the model checkers so that [`shutdown`] can join
    /// them; on real threads a helper exits on its own and nothing joins it.
    #[allow(clippy::disallowed_types)]
    threads: PlainMutex<Vec<R::JoinHandle>>,
    /// Helpers spawned so far, to name them.
    spawned: R::AtomicUsize,
    /// Children made by `fork` since the process started (the generation of the idle list).
    forks: fn() -> u64,
}

/// Helpers waiting for work, as of fork generation `generation`.
struct Idle<R: Runtime> {
    generation: u64,
    helpers: Vec<Arc<Helper<R>>>,
    /// Shut down: no helper goes back on the list.
    closed: bool,
}

impl<R: Runtime> std::fmt::Debug for HelperPool<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelperPool")
            .field("runtime", &R::NAME)
            .finish_non_exhaustive()
    }
}

/// The calling runtime's pool.
pub(super) fn pool<R: Runtime>() -> &'static HelperPool<R> {
    R::helper_pool()
}

#[allow(clippy::disallowed_types)]
impl<R: Runtime> HelperPool<R> {
    /// An empty pool. `forks` counts the children made by `fork` so far: a child inherits
    /// the idle list but not its threads, so a list from an older generation is dropped on
    /// its first use. Only real threads can fork; the model checkers pass a constant.
    pub(crate) fn new(forks: fn() -> u64) -> Self {
        HelperPool {
            idle: R::Mutex::new(Idle {
                generation: 0,
                helpers: Vec::new(),
                closed: false,
            }),
            threads: PlainMutex::new(Vec::new()),
            spawned: R::AtomicUsize::new(0),
            forks,
        }
    }

    /// Runs `f` on the idle list (emptied first if a fork happened since it was last used).
    fn with_idle<T>(&self, f: impl FnOnce(&mut Idle<R>) -> T) -> T {
        let mut idle = self.idle.lock();
        let forks = (self.forks)();
        if idle.generation != forks {
            idle.helpers.clear();
            idle.generation = forks;
        }
        f(&mut idle)
    }

    /// A waiting helper with at least `stack_size` bytes of stack, off the list.
    pub(super) fn take_idle(&self, stack_size: usize) -> Option<Arc<Helper<R>>> {
        self.with_idle(|idle| {
            let at = idle
                .helpers
                .iter()
                .rposition(|h| h.stack_size >= stack_size)?;
            Some(idle.helpers.swap_remove(at))
        })
    }

    /// Puts `helper` back on the list; `false` when the pool is shut down.
    pub(super) fn push_idle(&self, helper: &Arc<Helper<R>>) -> bool {
        self.with_idle(|idle| {
            if !idle.closed {
                idle.helpers.push(helper.clone());
            }
            !idle.closed
        })
    }

    /// Takes `helper` off the list; whether it was on it.
    pub(super) fn remove_idle(&self, helper: &Arc<Helper<R>>) -> bool {
        self.with_idle(|idle| {
            let at = idle.helpers.iter().position(|h| Arc::ptr_eq(h, helper));
            at.map(|at| idle.helpers.swap_remove(at)).is_some()
        })
    }

    /// The next helper's number, from 1.
    pub(super) fn next_number(&self) -> usize {
        self.spawned
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1
    }

    /// Keeps a helper's thread for [`shutdown`] (model checkers only).
    pub(super) fn keep(&self, thread: R::JoinHandle) {
        self.threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(thread);
    }
}

/// Wakes and joins every helper of `R`'s pool, and lets the pool take new ones again. The
/// models and `harness explore` call it at the end of each execution of a model checker
/// (whose pool lives for one execution); on real threads helpers exit on their own once idle,
/// and it only tells the idle ones to go now. Call it when no `run_workers` is running.
#[cfg(any(test, feature = "shuttle", feature = "loom"))]
pub fn shutdown<R: Runtime>() {
    let pool = pool::<R>();
    let idle = pool.with_idle(|idle| {
        idle.closed = true;
        std::mem::take(&mut idle.helpers)
    });
    for helper in &idle {
        helper.stop();
    }
    drop(idle);
    let threads = std::mem::take(
        &mut *pool
            .threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for thread in threads {
        R::join(thread);
    }
    pool.with_idle(|idle| idle.closed = false);
}
