//! The shuttle runtime: the same engine code under shuttle's controlled schedules, with
//! virtual time.
//!
//! Only valid inside a shuttle test (`shuttle::check_random`, `check_pct`, `replay`, or a
//! `shuttle::Runner`): shuttle's primitives panic outside one.

use shuttle::sync::Mutex;
use shuttle::sync::atomic::{AtomicBool, AtomicUsize};

use super::virtual_clock::{virtual_clock, virtual_time};
use super::{LUA_STACK_SIZE, Runtime, impl_primitives};

/// shuttle's threads and locks; every lock, atomic, sleep and yield is a scheduling point.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShuttleRuntime;

impl_primitives!(Mutex, AtomicUsize, AtomicBool);
virtual_clock!(shuttle::thread_local);

impl Runtime for ShuttleRuntime {
    const NAME: &'static str = "shuttle";
    const REAL_TIME: bool = false;
    type Mutex<T: Send> = Mutex<T>;
    type AtomicUsize = AtomicUsize;
    type AtomicBool = AtomicBool;

    /// shuttle's scoped spawn takes no stack size: it comes from `Config::stack_size`, which
    /// [`shuttle_config`] sets to [`LUA_STACK_SIZE`].
    fn run_workers<F: Fn(usize) + Sync>(workers: usize, _stack_size: usize, work: F) {
        let work = &work;
        let start = clock_now();
        shuttle::thread::scope(|scope| {
            for worker in 1..workers {
                scope.spawn(move || {
                    clock_set(start);
                    work(worker)
                });
            }
            work(0);
        });
    }

    virtual_time!(shuttle::thread::yield_now);
}

/// A shuttle `Config` whose threads have stacks large enough for Lua.
pub fn shuttle_config() -> shuttle::Config {
    let mut config = shuttle::Config::new();
    config.stack_size = LUA_STACK_SIZE;
    config
}
