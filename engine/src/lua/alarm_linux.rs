//! The alarm's system calls on Linux: the signal handler and each thread's CPU-clock timer.

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

/// Forgets this thread's timer without deleting it (after `fork`: its id is the parent's).
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

/// This thread's timer, on its CPU clock; none when the thread blocks the signal (a host
/// thread may block what it does not expect), whose nodes then poll. The mask is read once,
/// when the thread's first node arms: a thread that blocks the signal later must not run
/// nodes.
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
        if libc::timer_create(libc::CLOCK_THREAD_CPUTIME_ID, &mut event, &mut timer) == 0 {
            Ok(Timer(timer))
        } else {
            Err(())
        }
    }
}

fn timespec(d: Duration) -> libc::timespec {
    libc::timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64 / 2) as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    }
}

/// `timer_settime` on this thread's timer: `value` (absolute when `absolute`; zero
/// disarms), then every `interval` (zero: once).
fn settime(value: Duration, interval: Duration, absolute: bool) -> bool {
    #[cfg(test)]
    if FAIL.with(std::cell::Cell::get) {
        return false;
    }
    with_timer(|timer| {
        let spec = libc::itimerspec {
            it_interval: timespec(interval),
            it_value: timespec(value),
        };
        let flags = if absolute { libc::TIMER_ABSTIME } else { 0 };
        // SAFETY: this thread's own timer.
        unsafe { libc::timer_settime(timer, flags, &spec, std::ptr::null_mut()) == 0 }
    })
    .unwrap_or(false)
}

/// Sets the timer to fire when this thread's CPU clock reaches `at` (at once if it has),
/// then every `refire`.
pub(super) fn set(at: Duration, refire: Duration) -> bool {
    settime(at.max(Duration::from_nanos(1)), refire, true)
}

/// The timer as if it had just fired: it fires again after `refire`, or never when zero.
pub(super) fn fired_now(refire: Duration) {
    settime(refire, refire, false);
}

pub(super) fn disarm() {
    settime(Duration::ZERO, Duration::ZERO, false);
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
