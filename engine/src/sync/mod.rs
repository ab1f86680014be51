//! The runtime seam: everything in the engine takes threads and locks from here.
//!
//! # Why a type parameter, not a `cfg` facade
//!
//! The same engine code runs in three worlds:
//!
//! * [`StdRuntime`]: real OS threads (helpers lent scoped work, kept warm between fan-outs
//!   for a moment: `pool`), the production path;
//! * `ShuttleRuntime` (the `shuttle` feature, which the harness turns on): shuttle's
//!   controlled scheduler, **in the same binary** that runs `harness soak` on real threads;
//! * `LoomRuntime` (behind the test-only `loom` feature): loom's exhaustive model checker.
//!
//! A compile-time facade (`#[cfg(feature = "shuttle")] pub use shuttle::sync::*`) switches the
//! whole build at once, so it cannot give std and shuttle side by side in one binary. Instead
//! the engine's small concurrent core (fan-out, work distribution, result slots, cancellation,
//! sleep and yield points) is generic over [`Runtime`], the way TigerBeetle passes its
//! environment in as type parameters. With the `shuttle` feature both the std and shuttle
//! implementations are compiled; monomorphisation means the std path pays nothing for the seam.
//!
//! loom is test-only, so it comes in through the `loom` cargo feature. Every runtime lends a
//! fan-out's work to the same helper pool (`pool`), written against this seam's mutex,
//! condition variable, atomics, joinable spawn and one timing choice point
//! ([`Runtime::fires`]); so loom and shuttle check the *real* fan-out code, its `unsafe`
//! hand-off and Lua VMs included, not a re-implementation of it. Under them the pool lives for
//! one execution and is shut down at its end (`pool::shutdown`). loom allows at most 5
//! threads including the main one, so loom models use at most 4 workers.
//!
//! # Stacks
//!
//! Threads that run Lua need a real stack: loom's default is 32 KiB and shuttle's 60 KiB, and
//! a chunk nested 150 `pcall`s deep overflows them. [`Runtime::run_workers`] takes the stack
//! size explicitly ([`LUA_STACK_SIZE`]) and the pool spawns its helpers with it on every
//! runtime; `shuttle_config` sets shuttle's default (`shuttle::Config::stack_size`) to it
//! as well, for threads a test spawns itself.
//!
//! # Time
//!
//! The engine reads two clocks, both from here. [`Runtime::now`] is wall time (a branch's
//! `timing_ms`, the adaptive policy); [`Runtime::charged`] is what node budgets count: on
//! std the thread's CPU time plus the sleeps it asked for (`charge`), so a busy or stalled
//! host never moves a budget. Under shuttle and loom both are one virtual clock per worker:
//! `sleep_ms(n)` moves the sleeping worker's clock by `n` ms, and the VM's instruction hook
//! charges 1/100 of the node's budget at each of its checks (every 1,000 Lua instructions),
//! so a spin loop times out after about 100 checks, a sleep past the budget times out, and
//! two siblings that each sleep within their own budget both succeed, under every schedule.
//!
//! # What may bypass the seam
//!
//! Only [`counters`] (the process-wide VM serial number and live-VM gauge) and the
//! sandbox's process-wide `OnceLock` holding its setup bytecode, which is written once and
//! never raced on by engine logic. They are telemetry
//! that must stay unique across shuttle and loom executions (which reset their own atomics),
//! and no engine decision depends on their interleaving. Besides them, the helper pool keeps
//! its model-checker threads' join handles under a plain lock: teardown bookkeeping, held for
//! a push or a take with no checker operation inside, that no schedule needs to vary.
//!
//! `clippy.toml` in this crate forbids the std originals everywhere else in the engine.

pub(crate) mod charge;
pub mod counters;
#[cfg(feature = "loom")]
mod loom_rt;
#[cfg(any(feature = "shuttle", feature = "loom"))]
mod model_condvar;
pub(crate) mod pool;
#[cfg(feature = "shuttle")]
mod shuttle_rt;
mod std_pool;
mod std_rt;
#[cfg(any(feature = "shuttle", feature = "loom"))]
mod virtual_clock;

use std::ops::DerefMut;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use charge::ThreadCharge;
#[doc(hidden)]
pub use pool::HelperPool;

#[cfg(feature = "loom")]
pub use loom_rt::LoomRuntime;
pub(crate) use pool::on_helper_thread;
#[cfg(feature = "shuttle")]
pub use shuttle_rt::{ShuttleRuntime, shuttle_config};
pub use std_rt::StdRuntime;

/// Shared ownership. std's `Arc` is used in every mode: shuttle re-exports it, and the
/// engine's correctness never depends on when an `Arc` is dropped.
pub use std::sync::Arc;

/// Stack size for every thread that runs Lua, in every mode.
pub const LUA_STACK_SIZE: usize = 4 * 1024 * 1024;

/// Where the engine gets its threads, locks, atomics, clock, sleep and yield.
pub trait Runtime: Sized + Send + Sync + 'static {
    /// Short name shown in traces and reports (`std`, `shuttle`, `loom`).
    const NAME: &'static str;
    /// Whether time is real. Under model checkers it is virtual (see [`Runtime::now`]), so a
    /// sleep is one scheduling point that moves the clock instead of many short waits.
    const REAL_TIME: bool;

    /// A mutex over `T`.
    type Mutex<T: Send>: RtMutex<T>;
    /// An atomic `usize`.
    type AtomicUsize: RtAtomicUsize;
    /// An atomic `bool`.
    type AtomicBool: RtAtomicBool;

    /// Runs `work(worker)` for `worker` in `0..workers`: worker 0 on the calling thread, the
    /// others on the helper pool's threads, with at least `stack_size` bytes of stack, lent
    /// `work` for the call (the same pool code on every runtime: `pool`). Returns once all
    /// are done.
    ///
    /// `work` must not unwind (the engine catches panics per branch). If a thread cannot be
    /// spawned, its worker number is skipped: the shared work index hands its share to the
    /// workers that did start.
    fn run_workers<F: Fn(usize) + Sync>(workers: usize, stack_size: usize, work: F) {
        pool::run_workers::<Self, F>(workers, stack_size, work);
    }

    /// Time since this runtime's epoch, on the calling worker's clock.
    ///
    /// On real threads it is the process's monotonic clock. Under shuttle and loom it is
    /// virtual and kept per worker (a scoped thread starts from its spawner's time): it moves
    /// only by [`Runtime::sleep`] and [`Runtime::tick`] on that worker, as a thread's own
    /// progress would, so one worker's sleeps never move a sibling's clock and a deadline is
    /// reached deterministically.
    fn now() -> Duration;

    /// Charges `cpu` of computation to the calling worker's clock: nothing on real threads
    /// (the clock moves by itself); under model checkers the VM hook charges a quantum of the
    /// node's budget at every check, so a spin loop reaches any deadline.
    fn tick(cpu: Duration);

    /// The calling worker's charged time, the clock node budgets run on: on real threads its
    /// thread's CPU time plus the sleeps charged to it ([`Runtime::sleep`]), so time the
    /// host takes from the thread is never charged; under model checkers its virtual clock
    /// (which [`Runtime::tick`] and [`Runtime::sleep`] move). It never runs ahead of
    /// [`Runtime::now`].
    fn charged() -> Duration;

    /// Sleeps, and charges the sleep to the calling worker ([`Runtime::charged`]): exactly
    /// `duration`, however long the host took to wake it. Under model checkers it moves the
    /// worker's clock by `duration` and is one scheduling point.
    fn sleep(duration: Duration);

    /// Yields to other threads; a scheduling point under model checkers.
    fn yield_now();

    /// The default worker cap of a fan-out: the cores of the machine that runs it (read once
    /// per process), or a fixed 2 under model checkers so schedules do not depend on the
    /// machine.
    fn available_parallelism() -> usize;

    /// A condition variable for [`Runtime::Mutex`]; under the model checkers its timed wait
    /// is a choice point ([`Runtime::fires`]), since neither times a wait out.
    type Condvar: RtCondvar<Self>;
    /// A spawned thread, to join.
    type JoinHandle: Send + 'static;

    /// Spawns a thread with at least `stack_size` bytes of stack (named `name` where threads
    /// have names); `None` when no thread could be spawned.
    fn spawn<F: FnOnce() + Send + 'static>(
        name: String,
        stack_size: usize,
        f: F,
    ) -> Option<Self::JoinHandle>;

    /// Waits for a thread [`Runtime::spawn`] made to end; whether it ended without a panic.
    fn join(handle: Self::JoinHandle) -> bool;

    /// The helper pool's timing decisions, as one choice point: whether `timer`, set at
    /// `since` (on [`Runtime::now`]'s clock) for `after`, has gone off. On real threads the
    /// clock says. Under the model checkers it is the checker's choice, whatever the
    /// arguments: shuttle draws it from its scheduler-controlled randomness (so a schedule,
    /// and its replay token, fixes it); loom explores [`Timer::Idle`] as a store racing with
    /// the read, and ends a [`Timer::Spin`] after one poll (where that poll falls among the
    /// other threads' steps is loom's to explore; an unbounded spin would be a livelock to it).
    fn fires(timer: Timer, since: Duration, after: Duration) -> bool;

    /// This runtime's helper pool: one per process on real threads, one per execution under
    /// the model checkers (their `lazy_static`), so no helper outlives the execution that
    /// spawned it (`pool::shutdown`).
    fn helper_pool() -> &'static HelperPool<Self>;

    /// A helper starts its share of a `run_workers` call that its caller handed out at
    /// `caller_time` (the caller's [`Runtime::now`]): under the model checkers its virtual
    /// clock starts from there, as a fresh scoped thread's did; nothing on real threads.
    fn worker_starts(caller_time: Duration) {
        let _ = caller_time;
    }
}

/// The helper pool's two timers ([`Runtime::fires`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// A waiter polls this long before it sleeps.
    Spin,
    /// A helper with nothing to do sleeps this long before it exits.
    Idle,
}

/// The condition variable operations the helper pool uses, on runtime `R`'s mutex.
pub trait RtCondvar<R: Runtime>: Send + Sync {
    /// A new condition variable.
    fn new() -> Self;
    /// Locks `mutex` and waits on this condition variable until `ready` (called under the
    /// lock, first before any wait) returns a value, or, with a `timeout`, until it passes
    /// ([`Timer::Idle`]): then `None`, with the lock released.
    fn wait_until<T: Send, U>(
        &self,
        mutex: &R::Mutex<T>,
        timeout: Option<Duration>,
        ready: impl FnMut(&mut T) -> Option<U>,
    ) -> Option<U>;
    /// Wakes one waiter. Change what it waits for under the mutex first.
    fn notify_one(&self);
    /// Wakes every waiter. Change what they wait for under the mutex first.
    fn notify_all(&self);
}

/// The mutex operations the engine uses.
pub trait RtMutex<T>: Send + Sync {
    /// Wraps `value`.
    fn new(value: T) -> Self;
    /// Locks, ignoring poisoning: the engine never panics while holding a lock.
    fn lock(&self) -> impl DerefMut<Target = T> + '_;
    /// Unwraps the value.
    fn into_inner(self) -> T;
}

/// The atomic `usize` operations the engine uses.
pub trait RtAtomicUsize: Send + Sync {
    /// A new atomic.
    fn new(value: usize) -> Self;
    /// `fetch_add`.
    fn fetch_add(&self, value: usize, order: Ordering) -> usize;
    /// `fetch_sub`.
    fn fetch_sub(&self, value: usize, order: Ordering) -> usize;
    /// `load`.
    fn load(&self, order: Ordering) -> usize;
    /// `compare_exchange`: `Ok(previous)` when it stored `new`, `Err(actual)` otherwise.
    fn compare_exchange(
        &self,
        current: usize,
        new: usize,
        success: Ordering,
        failure: Ordering,
    ) -> Result<usize, usize>;
}

/// The atomic `bool` operations the engine uses.
pub trait RtAtomicBool: Send + Sync {
    /// A new atomic.
    fn new(value: bool) -> Self;
    /// `load`.
    fn load(&self, order: Ordering) -> bool;
    /// `store`.
    fn store(&self, value: bool, order: Ordering);
}

/// Implements the atomic and mutex traits for one runtime's types.
macro_rules! impl_primitives {
    ($mutex:ident, $usize:ty, $bool:ty) => {
        impl<T: Send> $crate::sync::RtMutex<T> for $mutex<T> {
            fn new(value: T) -> Self {
                $mutex::new(value)
            }
            fn lock(&self) -> impl std::ops::DerefMut<Target = T> + '_ {
                $mutex::lock(self).unwrap_or_else(|poisoned| poisoned.into_inner())
            }
            fn into_inner(self) -> T {
                $mutex::into_inner(self).unwrap_or_else(|poisoned| poisoned.into_inner())
            }
        }
        impl $crate::sync::RtAtomicUsize for $usize {
            fn new(value: usize) -> Self {
                <$usize>::new(value)
            }
            fn fetch_add(&self, value: usize, order: std::sync::atomic::Ordering) -> usize {
                <$usize>::fetch_add(self, value, order)
            }
            fn fetch_sub(&self, value: usize, order: std::sync::atomic::Ordering) -> usize {
                <$usize>::fetch_sub(self, value, order)
            }
            fn load(&self, order: std::sync::atomic::Ordering) -> usize {
                <$usize>::load(self, order)
            }
            fn compare_exchange(
                &self,
                current: usize,
                new: usize,
                success: std::sync::atomic::Ordering,
                failure: std::sync::atomic::Ordering,
            ) -> Result<usize, usize> {
                <$usize>::compare_exchange(self, current, new, success, failure)
            }
        }
        impl $crate::sync::RtAtomicBool for $bool {
            fn new(value: bool) -> Self {
                <$bool>::new(value)
            }
            fn load(&self, order: std::sync::atomic::Ordering) -> bool {
                <$bool>::load(self, order)
            }
            fn store(&self, value: bool, order: std::sync::atomic::Ordering) {
                <$bool>::store(self, value, order)
            }
        }
    };
}
pub(crate) use impl_primitives;
