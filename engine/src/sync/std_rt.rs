//! The production runtime: real OS threads (the helper pool, `pool`), the monotonic clock, and
//! the threads' CPU clocks for budgets (`charge`).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::pool::HelperPool;
use super::{RtCondvar, Runtime, Timer, impl_primitives};

/// Real threads and locks (the helper pool's threads, `std::sync`).
#[derive(Debug, Clone, Copy, Default)]
pub struct StdRuntime;

impl_primitives!(Mutex, AtomicUsize, AtomicBool);

/// The process's time origin: [`Runtime::now`] is measured from here.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl Runtime for StdRuntime {
    const NAME: &'static str = "std";
    const REAL_TIME: bool = true;
    type Mutex<T: Send> = Mutex<T>;
    type AtomicUsize = AtomicUsize;
    type AtomicBool = AtomicBool;
    type Condvar = Condvar;
    type JoinHandle = JoinHandle<()>;

    #[inline]
    fn now() -> Duration {
        epoch().elapsed()
    }

    #[inline]
    fn tick(_cpu: Duration) {}

    #[inline]
    fn charged() -> Duration {
        super::charge::now()
    }

    fn sleep(duration: Duration) {
        std::thread::sleep(duration);
        super::charge::charge_sleep(duration);
    }

    fn yield_now() {
        std::thread::yield_now();
    }

    fn available_parallelism() -> usize {
        static CORES: OnceLock<usize> = OnceLock::new();
        *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    fn spawn<F: FnOnce() + Send + 'static>(
        name: String,
        stack_size: usize,
        f: F,
    ) -> Option<JoinHandle<()>> {
        std::thread::Builder::new()
            .name(name)
            .stack_size(stack_size)
            .spawn(f)
            .ok()
    }

    fn join(handle: JoinHandle<()>) -> bool {
        handle.join().is_ok()
    }

    #[inline]
    fn fires(_timer: Timer, since: Duration, after: Duration) -> bool {
        Self::now().saturating_sub(since) >= after
    }

    /// One per process; a child made by `fork` drops its parent's idle list (`std_pool`).
    fn helper_pool() -> &'static HelperPool<Self> {
        static POOL: OnceLock<HelperPool<StdRuntime>> = OnceLock::new();
        POOL.get_or_init(|| HelperPool::new(super::std_pool::forks))
    }
}

impl RtCondvar<StdRuntime> for Condvar {
    fn new() -> Self {
        Condvar::new()
    }

    fn wait_until<T: Send, U>(
        &self,
        mutex: &Mutex<T>,
        timeout: Option<Duration>,
        mut ready: impl FnMut(&mut T) -> Option<U>,
    ) -> Option<U> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut guard = mutex.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = ready(&mut guard) {
                return Some(value);
            }
            guard = match deadline {
                None => self.wait(guard).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.wait_timeout(guard, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    fn notify_one(&self) {
        Condvar::notify_one(self);
    }

    fn notify_all(&self) {
        Condvar::notify_all(self);
    }
}
