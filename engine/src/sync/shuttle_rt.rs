//! The shuttle runtime: the same engine code, the helper pool included, under shuttle's
//! controlled schedules, with virtual time.
//!
//! Only valid inside a shuttle test (`shuttle::check_random`, `check_pct`, `replay`, or a
//! `shuttle::Runner`): shuttle's primitives panic outside one. The helper pool lives for one
//! execution: call [`ShuttleRuntime::shutdown`] at its end, or shuttle reports the helpers
//! still waiting for work as a deadlock.

use shuttle::rand::Rng;
use shuttle::sync::atomic::{AtomicBool, AtomicUsize};
use shuttle::sync::{Condvar, Mutex};
use shuttle::thread::JoinHandle;

use super::model_condvar::model_condvar;
use super::pool::HelperPool;
use super::virtual_clock::{virtual_clock, virtual_time};
use super::{LUA_STACK_SIZE, Runtime, Timer, impl_primitives};

/// shuttle's threads and locks; every lock, atomic, sleep and yield is a scheduling point.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShuttleRuntime;

impl_primitives!(Mutex, AtomicUsize, AtomicBool);
model_condvar!(ShuttleRuntime, Condvar);
virtual_clock!(shuttle::thread_local);

shuttle::lazy_static! {
    /// This execution's helpers (dropped with the execution); an execution cannot fork.
    static ref POOL: HelperPool<ShuttleRuntime> = HelperPool::new(|| 0);
}

impl ShuttleRuntime {
    /// Wakes and joins this execution's helpers: call it at the end of every execution that
    /// ran a fan-out (see [`pool::shutdown`](super::pool::shutdown)).
    pub fn shutdown() {
        super::pool::shutdown::<Self>();
    }
}

impl Runtime for ShuttleRuntime {
    const NAME: &'static str = "shuttle";
    const REAL_TIME: bool = false;
    type Mutex<T: Send> = Mutex<T>;
    type AtomicUsize = AtomicUsize;
    type AtomicBool = AtomicBool;
    type Condvar = Condvar;
    type JoinHandle = JoinHandle<()>;

    /// shuttle takes the stack size per thread; [`shuttle_config`] sets the default to
    /// [`LUA_STACK_SIZE`] as well.
    fn spawn<F: FnOnce() + Send + 'static>(
        name: String,
        stack_size: usize,
        f: F,
    ) -> Option<JoinHandle<()>> {
        shuttle::thread::Builder::new()
            .name(name)
            .stack_size(stack_size)
            .spawn(f)
            .ok()
    }

    fn join(handle: JoinHandle<()>) -> bool {
        handle.join().is_ok()
    }

    /// A coin the scheduler tosses: its randomness is part of the schedule, recorded and
    /// replayed with it.
    fn fires(_timer: Timer, _since: std::time::Duration, _after: std::time::Duration) -> bool {
        shuttle::rand::thread_rng().r#gen::<bool>()
    }

    fn helper_pool() -> &'static HelperPool<Self> {
        &POOL
    }

    virtual_time!(shuttle::thread::yield_now);
}

/// A shuttle `Config` whose threads have stacks large enough for Lua.
pub fn shuttle_config() -> shuttle::Config {
    let mut config = shuttle::Config::new();
    config.stack_size = LUA_STACK_SIZE;
    config
}
