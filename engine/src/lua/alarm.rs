//! Budgets without a per-instruction cost, on real threads (Linux): a POSIX timer per thread
//! on that thread's CPU clock, which fires when the running node's budget is spent, and a
//! signal handler that arms the budget hook of the VM running on that thread.
//!
//! A count hook makes Lua 5.4 take its tracing path (`luaG_traceexec`) at every
//! instruction, not only at every thousandth, which made CPU-bound Lua 2.4x slower than in
//! a plain VM. Lua's own `lua.c` stops a running script on Ctrl-C by calling `lua_sethook`
//! from a signal handler, which `ldebug.c` allows "during a signal" (and not from another
//! thread). So here: each thread that runs nodes gets one timer (`timer_create` on
//! `CLOCK_THREAD_CPUTIME_ID` with `SIGEV_THREAD_ID`, signalling that thread with
//! [`signal`]); a node sets it for its budget, on the thread's CPU clock, and records its VM
//! in a thread-local; the handler, on that thread, sets the count hook (to fire within the
//! thousand instructions the count hook would have allowed); the hook checks the node's
//! charged time (`sync::charge`) and raises the timeout. Between nodes and when nothing
//! fires, Lua runs with no hook at all.
//!
//! # The protocol, and why no single signal can be lost, early or stray
//!
//! Per thread: [`RUNNING`] (the node's VM, or null), [`TIMER`] (off, set for a CPU time,
//! or fired) and [`RUNS`] (runs in progress). In order:
//!
//! * a node starts: its hook is cleared **first**, then it is recorded in `RUNNING`, then
//!   the timer is kept (set for an earlier CPU time: it fires first, and the hook sets it
//!   again) or set for the node's CPU deadline. A signal from here on finds the node;
//! * the handler marks the timer fired and, if a node runs, sets its count hook (which sets
//!   the traps of the running Lua functions);
//! * the hook, finding the budget spent, raises the timeout; finding it not spent (a timer
//!   kept from an earlier node, a sleep that moved the deadline, a stray signal), it clears
//!   its hook and **then** sets the timer again: a signal that lands inside `lua_sethook`
//!   loses its writes, and the timer set after it fires again (at once, when the deadline
//!   came meanwhile);
//! * Lua's `luaG_traceexec`, patched (`build.rs`), reads the hook mask again after clearing
//!   a function's trap, so a handler that ran between its two steps keeps its trap;
//! * a node ends: it is forgotten (`RUNNING` null) before its VM could be closed, so a late
//!   signal finds nothing; the timer stays set within a run (and on the engine's helper
//!   threads) for the next node, and the run's end disarms it.
//!
//! And once a timer has fired it keeps firing every [`REFIRE`] of the thread's CPU time
//! until it is set again or disarmed, so a signal lost by any other route is followed by
//! another while the thread spins. `engine/tests/alarm/` checks this protocol as a step
//! machine, every signal placed at every step boundary.
//!
//! CPU-clock timers expire on the kernel's scheduler ticks (4 ms here, `HZ=250`), so a node
//! stops within a tick of CPU time past its budget.
//!
//! When the signal is taken (its disposition is not the default when the engine first
//! looks), when a timer cannot be created (or the thread blocks the signal), off Linux, under
//! the model checkers (virtual time), or with `BRANCHPROOF_BUDGET=hook` in the environment,
//! VMs keep the count hook.
#![allow(clippy::disallowed_types)]

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering, compiler_fence};
use std::time::Duration;

use mlua::ffi;

/// The hook the handler sets: the budget hook of the runtime the node runs on.
pub(crate) type Hook = unsafe extern "C-unwind" fn(*mut ffi::lua_State, *mut ffi::lua_Debug);

/// A VM as the handler sees it: the state its nodes run on, its budget hook and the count
/// to set it with. Part of the VM's trip-wires, which live as long as its state.
#[derive(Debug, Default)]
pub(crate) struct Target {
    pub(crate) state: Cell<Option<std::ptr::NonNull<ffi::lua_State>>>,
    pub(crate) hook: Cell<Option<Hook>>,
    pub(crate) count: Cell<std::ffi::c_int>,
}

/// The plants of `super::plant` that act here: each node's timer first fires at once, and a
/// timer that fired does not fire again.
pub(crate) static PLANT_EARLY: AtomicBool = AtomicBool::new(false);
pub(crate) static PLANT_NO_REFIRE: AtomicBool = AtomicBool::new(false);

/// How often a timer that fired fires again, in the thread's CPU time, until it is set again
/// or disarmed (the kernel rounds it up to its tick).
pub(crate) const REFIRE: Duration = Duration::from_millis(1);

/// [`TIMER`]: disarmed.
const OFF: u64 = 0;
/// [`TIMER`]: it fired, or a signal came that may have been it: it fires every [`REFIRE`]
/// until set again.
const FIRED: u64 = u64::MAX;

thread_local! {
    /// The VM running a node on this thread; null between nodes. One word, so the handler
    /// never sees it half written.
    static RUNNING: AtomicPtr<Target> = const { AtomicPtr::new(std::ptr::null_mut()) };
    /// This thread's timer: [`OFF`], [`FIRED`], or the CPU time (in ns) it fires at.
    /// Written by the handler too.
    static TIMER: AtomicU64 = const { AtomicU64::new(OFF) };
    /// Runs in progress on this thread ([`RunScope`]).
    static RUNS: Cell<u32> = const { Cell::new(0) };
}

/// The real-time signal the timers send: `SIGRTMAX - 3` (glibc keeps the lowest few
/// real-time signals for itself; applications tend to count up from `SIGRTMIN`).
#[cfg(target_os = "linux")]
pub(crate) fn signal() -> libc::c_int {
    libc::SIGRTMAX() - 3
}

/// Whether alarms work in this process (decided once).
pub(crate) fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if std::env::var_os("BRANCHPROOF_BUDGET").is_some_and(|v| v == "hook") {
            return false;
        }
        imp::install_handler()
    })
}

/// A node armed on this thread: forgets it when dropped. The timer stays set inside a run
/// and on the engine's helper threads; a node run on its own, on any other thread, disarms
/// it.
#[derive(Debug)]
pub(crate) struct Armed(());

impl Drop for Armed {
    fn drop(&mut self) {
        RUNNING.with(|r| r.store(std::ptr::null_mut(), Ordering::Relaxed));
        if RUNS.with(Cell::get) == 0 && !crate::sync::on_helper_thread() {
            quiet();
        }
    }
}

/// A run in progress on this thread: its nodes leave their timer set for the next, and the
/// outermost one disarms it when it ends (also when it unwinds), so the caller's thread
/// gets no signal once the run has returned.
#[derive(Debug)]
pub(crate) struct RunScope(());

impl RunScope {
    pub(crate) fn enter() -> RunScope {
        RUNS.with(|r| r.set(r.get() + 1));
        RunScope(())
    }
}

impl Drop for RunScope {
    fn drop(&mut self) {
        let left = RUNS.with(|r| {
            r.set(r.get() - 1);
            r.get()
        });
        if left == 0 && !crate::sync::on_helper_thread() {
            quiet();
        }
    }
}

/// Records `target` as the VM running a node on this thread and makes sure the timer fires
/// by `deadline` (on the charged clock): kept when it is set to fire earlier, set otherwise.
/// `None` when this thread has no timer (the node then polls). The caller has cleared the
/// node's hook first.
pub(crate) fn arm(target: &Target, deadline: Duration) -> Option<Armed> {
    RUNNING.with(|r| r.store(std::ptr::from_ref(target).cast_mut(), Ordering::Relaxed));
    // A signal from here on finds this node.
    compiler_fence(Ordering::SeqCst);
    let armed = Armed(());
    let at = cpu_deadline(deadline);
    if PLANT_EARLY.load(Ordering::Relaxed) {
        return set_timer(1).then_some(armed);
    }
    let kept = TIMER.with(|t| t.load(Ordering::Relaxed));
    if kept != OFF && kept != FIRED && kept <= at {
        return Some(armed);
    }
    set_timer(at).then_some(armed)
}

/// Sets this thread's timer again for `deadline` (on the charged clock): the hook found the
/// budget not spent, or a sleep moved the node's CPU deadline. `false` when it could not be
/// set (the node then polls).
pub(crate) fn rearm(deadline: Duration) -> bool {
    set_timer(cpu_deadline(deadline))
}

/// `deadline` on this thread's CPU clock, in ns: charged time is CPU time plus the sleeps
/// charged so far, so the CPU clock reaches the deadline at `deadline - slept` (never 0).
fn cpu_deadline(deadline: Duration) -> u64 {
    let at = deadline.saturating_sub(crate::sync::charge::slept());
    u64::try_from(at.as_nanos())
        .unwrap_or(FIRED - 1)
        .clamp(1, FIRED - 1)
}

/// No signal to come on this thread: a run is over, and its thread may go on to code that
/// does not expect one (a system call interrupted with `EINTR`). Disarms whenever the timer
/// is not off, fired ones included (they fire again).
fn quiet() {
    if let Ok(previous) = TIMER.try_with(|t| t.swap(OFF, Ordering::Relaxed))
        && previous != OFF
    {
        imp::disarm();
    }
}

/// Sets this thread's timer for CPU time `at` (ns), firing again every [`REFIRE`] once it
/// fired.
fn set_timer(at: u64) -> bool {
    // Recorded first: a signal from here on marks it fired, and the worst that does is one
    // more `timer_settime` at the next node.
    TIMER.with(|t| t.store(at, Ordering::Relaxed));
    compiler_fence(Ordering::SeqCst);
    let set = imp::set(Duration::from_nanos(at), refire());
    if !set {
        // What the kernel still has set is unknown: fired, so the run's end disarms it.
        TIMER.with(|t| t.store(FIRED, Ordering::Relaxed));
    }
    set
}

fn refire() -> Duration {
    if PLANT_NO_REFIRE.load(Ordering::Relaxed) {
        Duration::ZERO
    } else {
        REFIRE
    }
}

/// In a child made by `fork`: this thread's timer was not inherited (its id means nothing
/// here), so forget it and what was recorded of it; the next node makes a new one.
extern "C" fn forget_after_fork() {
    let _ = TIMER.try_with(|t| t.store(OFF, Ordering::Relaxed));
    imp::forget();
}

/// The plant in Lua's `traceexec` window (`super::plant`): this thread's timer fires here,
/// as if its expiry came at this instruction. Only a timer that is set for a node fires.
pub(crate) extern "C" fn fire_here(_state: *mut std::ffi::c_void) {
    let pending = TIMER
        .try_with(|t| t.load(Ordering::Relaxed))
        .is_ok_and(|t| t != OFF && t != FIRED);
    if pending {
        imp::fired_now(refire());
        on_signal();
    }
}

/// Test-only: from now on, this thread's timer cannot be set (as when the kernel refuses).
#[cfg(all(test, target_os = "linux"))]
pub(crate) fn fail_timers_on_this_thread() {
    imp::FAIL.with(|f| f.set(true));
}

/// Test-only: how long until this thread's timer fires, in its CPU time, when it is set
/// (read from the kernel, not from what this module recorded).
#[cfg(test)]
pub(crate) fn pending() -> Option<Duration> {
    imp::remaining()
}

/// The signal handler's work: mark the timer fired and arm the running node's hook.
fn on_signal() {
    // `try_with`: a signal during the thread's teardown finds nothing.
    let _ = TIMER.try_with(|t| {
        if t.load(Ordering::Relaxed) != OFF {
            t.store(FIRED, Ordering::Relaxed);
        }
    });
    let Ok(target) = RUNNING.try_with(|r| r.load(Ordering::Relaxed)) else {
        return;
    };
    // SAFETY: a running node's VM outlives the node (`Armed` forgets it first).
    let Some(target) = (unsafe { target.as_ref() }) else {
        return;
    };
    if let (Some(state), Some(hook)) = (target.state.get(), target.hook.get()) {
        let count = target.count.get();
        // SAFETY: `state` runs a node on this thread, and `lua_sethook` may be called from
        // a signal handler on the thread that runs the state (ldebug.c; lua.c's own Ctrl-C
        // handler does exactly this).
        unsafe { ffi::lua_sethook(state.as_ptr(), Some(hook), ffi::LUA_MASKCOUNT, count) };
    }
}

#[cfg(target_os = "linux")]
#[path = "alarm_linux.rs"]
mod imp;

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::time::Duration;

    pub(super) fn install_handler() -> bool {
        false
    }

    pub(super) fn set(_: Duration, _: Duration) -> bool {
        false
    }

    pub(super) fn fired_now(_: Duration) {}

    pub(super) fn disarm() {}

    pub(super) fn forget() {}

    #[cfg(test)]
    pub(super) fn remaining() -> Option<Duration> {
        None
    }
}
