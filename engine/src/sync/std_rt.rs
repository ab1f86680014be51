//! The production runtime: real OS threads (see `std_pool`), the monotonic clock, and the
//! threads' CPU clocks for budgets (`charge`).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::{Runtime, impl_primitives};

/// Real threads and locks (`std_pool`'s helpers, `std::sync`).
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

    fn run_workers<F: Fn(usize) + Sync>(workers: usize, stack_size: usize, work: F) {
        super::std_pool::run_workers(workers, stack_size, work);
    }

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
}
