//! The loom runtime (test-only, `loom` feature): the real fan-out code, the helper pool
//! included, under loom, with virtual time.
//!
//! The helper pool lives for one execution (loom's `lazy_static`): a model calls
//! [`LoomRuntime::shutdown`] at its end, or loom fails it for leaving threads running. loom
//! allows at most 5 threads including the main one.
//!
//! The idle timeout is a store racing with the helper's read: a model that wants helpers to
//! time out spawns a thread that calls [`LoomRuntime::fire_idle_timers`]; a helper's timed
//! wait fires when it sees that store, and loom explores the reads that see it and those
//! that do not. Without it no helper ever times out (they wait until shutdown), which keeps
//! the other models small.

use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::{Condvar, Mutex};
use loom::thread::JoinHandle;

use super::model_condvar::model_condvar;
use super::pool::HelperPool;
use super::virtual_clock::{virtual_clock, virtual_time};
use super::{RtAtomicBool, Runtime, Timer, impl_primitives};

/// loom's threads and locks, for exhaustive model checking.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoomRuntime;

// loom's `Mutex::lock` and `into_inner` return `LockResult`s like std's, so the shared macro
// fits as it is.
impl_primitives!(Mutex, AtomicUsize, AtomicBool);
model_condvar!(LoomRuntime, Condvar);
virtual_clock!(loom::thread_local);

loom::lazy_static! {
    /// This execution's helpers (dropped with the execution); an execution cannot fork.
    static ref POOL: HelperPool<LoomRuntime> = HelperPool::new(|| 0);
    /// Whether the idle timers have gone off: the store `fire_idle_timers` races with.
    static ref IDLE_FIRED: AtomicBool = <AtomicBool as RtAtomicBool>::new(false);
}

impl LoomRuntime {
    /// Wakes and joins this execution's helpers: call it at the end of every model that ran
    /// a fan-out (see [`pool::shutdown`](super::pool::shutdown)).
    pub fn shutdown() {
        super::pool::shutdown::<Self>();
    }

    /// Makes every later idle timeout fire: the store a helper's timed wait races with.
    pub fn fire_idle_timers() {
        IDLE_FIRED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Runtime for LoomRuntime {
    const NAME: &'static str = "loom";
    const REAL_TIME: bool = false;
    type Mutex<T: Send> = Mutex<T>;
    type AtomicUsize = AtomicUsize;
    type AtomicBool = AtomicBool;
    type Condvar = Condvar;
    type JoinHandle = JoinHandle<()>;

    fn spawn<F: FnOnce() + Send + 'static>(
        name: String,
        stack_size: usize,
        f: F,
    ) -> Option<JoinHandle<()>> {
        loom::thread::Builder::new()
            .name(name)
            .stack_size(stack_size)
            .spawn(f)
            .ok()
    }

    fn join(handle: JoinHandle<()>) -> bool {
        handle.join().is_ok()
    }

    /// A spin ends after one poll; an idle timeout fires once the racing store is seen.
    fn fires(timer: Timer, _since: std::time::Duration, _after: std::time::Duration) -> bool {
        match timer {
            Timer::Spin => true,
            Timer::Idle => IDLE_FIRED.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    fn helper_pool() -> &'static HelperPool<Self> {
        &POOL
    }

    virtual_time!(loom::thread::yield_now);
}
