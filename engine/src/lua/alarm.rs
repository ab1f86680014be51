//! Budgets without a per-instruction cost, on real threads (Linux): a POSIX timer per
//! thread that fires at the running node's deadline, and a signal handler that arms the
//! budget hook of the VM running on that thread.
//!
//! A count hook makes Lua 5.4 take its tracing path (`luaG_traceexec`) at every
//! instruction, not only at every thousandth, which made CPU-bound Lua 2.4x slower than in
//! a plain VM. Lua's own `lua.c` stops a running script on Ctrl-C by calling
//! `lua_sethook` from a signal handler, which `ldebug.c` allows "during a signal" (and not
//! from another thread). So here: each thread that runs nodes gets one timer
//! (`timer_create` with `SIGEV_THREAD_ID`, signalling that thread with [`signal`]); a node
//! arms it for its deadline and records its state in a thread-local; the handler, on that
//! thread, sets the count hook (to fire within the thousand instructions the count hook would
//! have allowed); the hook checks the deadline as before and raises the timeout. The
//! thread-local is cleared when the node returns, before the state could be closed, so a
//! late signal finds nothing to touch. The timer itself stays set between the nodes of a run
//! (see [`arm`]) and is disarmed when the run ends. Between nodes and when nothing fires, Lua
//! runs with no hook at all.
//!
//! When the signal is taken (its disposition is not the default when the engine first
//! looks), when a timer cannot be created (or the thread blocks the signal), off Linux, under the model checkers (virtual
//! time), or with `BRANCHPROOF_BUDGET=hook` in the environment, VMs keep the count hook.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{Ordering, compiler_fence};
use std::time::Duration;

use mlua::ffi;

/// The hook the handler arms: the budget hook of the runtime the node runs on.
pub(crate) type Hook = unsafe extern "C-unwind" fn(*mut ffi::lua_State, *mut ffi::lua_Debug);

thread_local! {
    /// The state running a node on this thread, and its budget hook; null between nodes.
    /// Read by the signal handler: const-initialized, no destructor, so reading it is a
    /// plain thread-local load.
    static RUNNING: Cell<(*mut ffi::lua_State, Option<Hook>, std::ffi::c_int)> =
        const { Cell::new((std::ptr::null_mut(), None, 0)) };
    /// When this thread's timer fires, on the runtime's clock, while it is set; `None` once
    /// it fired or was disarmed. Written by the handler too (const-initialized, `Copy`).
    static EXPIRY: Cell<Option<Duration>> = const { Cell::new(None) };
    /// Runs in progress on this thread ([`RunScope`]).
    static RUNS: Cell<u32> = const { Cell::new(0) };
    /// The timer was set since it was last disarmed. Unlike [`EXPIRY`], no signal clears it
    /// (a signal can come between recording the expiry and setting the timer, or be sent
    /// by someone else), so disarming never misses a timer that is set.
    static SET: Cell<bool> = const { Cell::new(false) };
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
/// and on the engine's helper threads (see [`arm`]); a node run on its own, on any other
/// thread, disarms it.
#[derive(Debug)]
pub(crate) struct Armed(());

impl Drop for Armed {
    fn drop(&mut self) {
        RUNNING.with(|r| r.set((std::ptr::null_mut(), None, 0)));
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

/// Arms this thread's timer for `deadline` (`now` and `deadline` on the runtime's clock),
/// for the node running on `state` with `hook` as its budget hook, to be called every
/// `count` instructions once the timer fired (as many as the count hook would have allowed:
/// a node that ends within them is not stopped by the hook, whichever way its budget is
/// kept). `None` when this thread has no timer (the caller keeps the count hook).
///
/// A node's end leaves the timer set, and the next node keeps it when it fires before that
/// node's deadline, without a system call: its signal then finds a node whose deadline has
/// not come, and the budget hook sets the timer again for that node's deadline ([`rearm`]).
/// Nodes of equal budgets, one after the other, so pay one `timer_settime` per budget's
/// length rather than two per node (12 a run of the peer workflow, ~1.5 us each here).
pub(crate) fn arm(
    state: *mut ffi::lua_State,
    hook: Hook,
    count: std::ffi::c_int,
    now: Duration,
    deadline: Duration,
) -> Option<Armed> {
    RUNNING.with(|r| r.set((state, Some(hook), count)));
    // A signal from here on finds this node (and one before cleared EXPIRY).
    compiler_fence(Ordering::SeqCst);
    let armed = Armed(());
    if EXPIRY
        .with(Cell::get)
        .is_some_and(|at| now < at && at <= deadline)
    {
        return Some(armed);
    }
    set_timer(now, deadline).then_some(armed)
}

/// Sets this thread's timer for `deadline` again: the budget hook found the timer had fired
/// for an earlier one (see [`arm`]). `false` when it could not be set (the hook then polls).
pub(crate) fn rearm(now: Duration, deadline: Duration) -> bool {
    set_timer(now, deadline)
}

/// No signal to come on this thread: a run is over, and its thread may go on to code that
/// does not expect one (a system call interrupted with `EINTR`). Disarms whenever a timer
/// was set, even one whose expiry has passed: the kernel's signal can come a little after.
fn quiet() {
    if let Ok(true) = SET.try_with(|s| s.replace(false)) {
        EXPIRY.with(|e| e.set(None));
        imp::disarm();
    }
}

/// In a child made by `fork`: this thread's timer was not inherited (its id means nothing
/// here), so forget it and what was recorded of it; the next node makes a new one.
extern "C" fn forget_after_fork() {
    let _ = EXPIRY.try_with(|e| e.set(None));
    let _ = SET.try_with(|s| s.set(false));
    imp::forget();
}

/// Test-only: from now on, this thread's timer cannot be set (as when the kernel refuses).
#[cfg(all(test, target_os = "linux"))]
pub(crate) fn fail_timers_on_this_thread() {
    imp::FAIL.with(|f| f.set(true));
}

/// Test-only: how long until this thread's timer fires, when it is set (read from the
/// kernel, not from what this module recorded).
#[cfg(test)]
pub(crate) fn pending() -> Option<Duration> {
    imp::remaining()
}

fn set_timer(now: Duration, deadline: Duration) -> bool {
    // Recorded first: a signal right after `timer_settime` clears it.
    EXPIRY.with(|e| e.set(Some(deadline)));
    SET.with(|s| s.set(true));
    compiler_fence(Ordering::SeqCst);
    // A zero `it_value` disarms: a deadline already here fires in a nanosecond.
    let set = imp::arm(deadline.saturating_sub(now).max(Duration::from_nanos(1)));
    if !set {
        EXPIRY.with(|e| e.set(None));
    }
    set
}

/// The signal handler's work: arm the running node's hook to fire at once.
fn on_signal() {
    // The timer fired (or someone sent the signal: then the next node sets it again).
    let _ = EXPIRY.try_with(|e| e.set(None));
    // `try_with`: a signal during the thread's teardown finds nothing.
    let Ok((state, Some(hook), count)) = RUNNING.try_with(Cell::get) else {
        return;
    };
    if state.is_null() {
        return;
    }
    // SAFETY: `state` runs a node on this thread (it is cleared before the node returns),
    // and `lua_sethook` may be called from a signal handler on the thread that runs the
    // state (ldebug.c; lua.c's own Ctrl-C handler does exactly this).
    unsafe { ffi::lua_sethook(state, Some(hook), ffi::LUA_MASKCOUNT, count) };
}

#[cfg(target_os = "linux")]
mod imp {
    use std::cell::RefCell;
    use std::time::Duration;

    /// This thread's timer, created on first use and deleted with the thread.
    struct Timer(libc::timer_t);

    impl Drop for Timer {
        fn drop(&mut self) {
            // SAFETY: a timer this thread created and nothing else holds.
            unsafe { libc::timer_delete(self.0) };
        }
    }

    thread_local! {
        static TIMER: RefCell<Option<Result<Timer, ()>>> = const { RefCell::new(None) };
    }

    extern "C" fn handler(_: libc::c_int) {
        let errno = std::io::Error::last_os_error().raw_os_error();
        super::on_signal();
        // A handler must leave errno as it found it.
        if let Some(e) = errno {
            // SAFETY: this thread's errno location.
            unsafe { *libc::__errno_location() = e };
        }
    }

    /// Installs the handler, unless the signal is somebody else's.
    pub(super) fn install_handler() -> bool {
        let sig = super::signal();
        // SAFETY: plain sigaction calls with zeroed, then filled, structures.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction != libc::SIG_DFL
            {
                return false;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(sig, &action, std::ptr::null_mut()) != 0 {
                return false;
            }
            libc::pthread_atfork(None, None, Some(super::forget_after_fork));
            true
        }
    }

    /// Forgets this thread's timer without deleting it (after `fork`: its id is the
    /// parent's).
    pub(super) fn forget() {
        let _ = TIMER.try_with(|t| {
            if let Ok(mut t) = t.try_borrow_mut()
                && let Some(Ok(timer)) = t.take()
            {
                std::mem::forget(timer);
            }
        });
    }

    #[cfg(test)]
    thread_local! {
        /// Test-only: this thread's timer cannot be set (as when the kernel refuses).
        pub(super) static FAIL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn with_timer<T>(f: impl FnOnce(libc::timer_t) -> T) -> Option<T> {
        TIMER
            .try_with(|t| {
                let mut t = t.borrow_mut();
                let timer = t.get_or_insert_with(create);
                timer.as_ref().ok().map(|timer| f(timer.0))
            })
            .ok()
            .flatten()
    }

    /// This thread's timer; none when the thread blocks the signal (a host thread may block
    /// what it does not expect), whose nodes then poll. The mask is read once, when the
    /// thread's first node arms: a thread that blocks the signal later must not run nodes.
    fn create() -> Result<Timer, ()> {
        // SAFETY: reading this thread's signal mask, then a zeroed sigevent filled for
        // SIGEV_THREAD_ID to this thread.
        unsafe {
            let mut mask: libc::sigset_t = std::mem::zeroed();
            if libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut mask) != 0
                || libc::sigismember(&mask, super::signal()) == 1
            {
                return Err(());
            }
            let mut event: libc::sigevent = std::mem::zeroed();
            event.sigev_notify = libc::SIGEV_THREAD_ID;
            event.sigev_signo = super::signal();
            event.sigev_notify_thread_id = libc::gettid();
            let mut timer: libc::timer_t = std::mem::zeroed();
            if libc::timer_create(libc::CLOCK_MONOTONIC, &mut event, &mut timer) == 0 {
                Ok(Timer(timer))
            } else {
                Err(())
            }
        }
    }

    fn set(after: Duration) -> bool {
        #[cfg(test)]
        if FAIL.with(std::cell::Cell::get) {
            return false;
        }
        with_timer(|timer| {
            let spec = libc::itimerspec {
                it_interval: libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                },
                it_value: libc::timespec {
                    tv_sec: after.as_secs().min(i64::MAX as u64 / 2) as libc::time_t,
                    tv_nsec: after.subsec_nanos() as libc::c_long,
                },
            };
            // SAFETY: this thread's own timer.
            unsafe { libc::timer_settime(timer, 0, &spec, std::ptr::null_mut()) == 0 }
        })
        .unwrap_or(false)
    }

    pub(super) fn arm(after: Duration) -> bool {
        set(after)
    }

    pub(super) fn disarm() {
        set(Duration::ZERO);
    }

    #[cfg(test)]
    pub(super) fn remaining() -> Option<Duration> {
        with_timer(|timer| {
            // SAFETY: this thread's own timer, read into a zeroed structure.
            let mut spec: libc::itimerspec = unsafe { std::mem::zeroed() };
            unsafe { libc::timer_gettime(timer, &mut spec) };
            let left = Duration::new(spec.it_value.tv_sec as u64, spec.it_value.tv_nsec as u32);
            (!left.is_zero()).then_some(left)
        })
        .flatten()
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::time::Duration;

    pub(super) fn install_handler() -> bool {
        false
    }

    pub(super) fn arm(_: Duration) -> bool {
        false
    }

    pub(super) fn disarm() {}

    pub(super) fn forget() {}

    #[cfg(test)]
    pub(super) fn remaining() -> Option<Duration> {
        None
    }
}
