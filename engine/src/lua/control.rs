//! A VM's trip-wires: its node's deadline and cancellation, checked by a raw instruction
//! hook and by the engine's own C loops, and the errors that stop Lua when they fire.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

use mlua::{Lua, ffi};

use super::alarm::Target;
use crate::sync::Runtime;

/// How often (in Lua instructions) the hook checks the deadline and cancellation.
pub(crate) const HOOK_EVERY: c_int = 1000;

/// Lua's messages for a trip, preallocated in each VM's registry (raising one allocates
/// nothing, so running out of memory can never take a timeout's place).
pub(crate) const TIMEOUT_MESSAGE: &str = "branchproof: the node ran past its time budget";
pub(crate) const CANCEL_MESSAGE: &str = "branchproof: the branch was cancelled";
/// Registry keys (their addresses) of the preallocated trip messages.
static TIMEOUT_KEY: u8 = 0;
static CANCEL_KEY: u8 = 0;

/// Why a VM trip-wire fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trip {
    Timeout,
    Cancelled,
}

/// Per-VM trip-wires, shared by the hook, the engine's C loops, `sleep_ms` and the `pcall`
/// wrapper. It lives in the Lua state's extra space for the state's whole life.
#[derive(Default)]
pub(crate) struct Control {
    /// The running node's deadline, on the charged clock of its thread
    /// ([`Runtime::charged`]); `None` between nodes.
    pub(crate) deadline: Cell<Option<Duration>>,
    /// Wall time ([`Runtime::now`]) before which the charged clock cannot reach the deadline
    /// (it never runs ahead of wall time): checks read the wall clock until then, and the
    /// charged one, a system call on real threads, only after.
    pub(crate) wall_due: Cell<Duration>,
    /// Virtual time each check charges (nothing on real threads).
    pub(crate) quantum: Cell<Duration>,
    pub(crate) tripped: Cell<Option<Trip>>,
    pub(crate) cancel: RefCell<Option<Rc<dyn Fn() -> bool>>>,
    /// A panic in the cancellation check, caught where it must not unwind through Lua's C
    /// frames and resumed once Lua has unwound.
    pub(crate) panic: RefCell<Option<Box<dyn Any + Send>>>,
    /// The VM's memory limit, in bytes (the C loops refuse results that cannot fit).
    pub(crate) memory_limit: Cell<usize>,
    /// Calls of a C comparator so far (it checks the deadline every so many).
    pub(crate) calls: Cell<u32>,
    /// The state nodes run on (the main thread) and the budget hook of the runtime the VM
    /// runs on: for the engine's own hook changes and the alarm's handler.
    pub(crate) target: Target,
    /// Budgets are kept by a per-thread timer ([`super::alarm`]), not by a count hook.
    pub(crate) alarm: Cell<bool>,
    /// The running node's timer is set: its signal will arm the hook. False for a node
    /// whose thread could not set one, which polls instead.
    pub(crate) timed: Cell<bool>,
    /// The node ran out of memory (Lua said so, or the engine refused an allocation for it):
    /// no `pcall` may catch it, and the node fails with a memory fault.
    pub(crate) out_of_memory: Cell<bool>,
}

impl Control {
    /// Whether the hook must poll every [`HOOK_EVERY`] instructions: without alarms, or
    /// with a cancellation to notice (fail_fast), which no timer announces.
    pub(crate) fn polling(&self) -> bool {
        !self.alarm.get() || self.cancel.borrow().is_some()
    }

    /// Checks cancellation and the budget; records and returns a trip.
    pub(crate) fn check<R: Runtime>(&self) -> Option<Trip> {
        if let Some(trip) = self.tripped.get() {
            return Some(trip);
        }
        let trip = if self.cancel.borrow().as_ref().is_some_and(|c| c()) {
            Some(Trip::Cancelled)
        } else if self.spent::<R>() {
            Some(Trip::Timeout)
        } else {
            None
        };
        self.tripped.set(trip);
        trip
    }

    /// Whether the running node's budget is spent: the wall clock first, then, once wall
    /// time says it could be, the charged clock, which also sets when to look again.
    fn spent<R: Runtime>(&self) -> bool {
        let Some(deadline) = self.deadline.get() else {
            return false;
        };
        let now = R::now();
        if now < self.wall_due.get() {
            return false;
        }
        let charged = R::charged();
        if charged >= deadline {
            return true;
        }
        self.wall_due.set(now.saturating_add(deadline - charged));
        false
    }
}

/// The error a trip raises through mlua (from `sleep_ms`).
pub(crate) fn trip_error(trip: Trip) -> mlua::Error {
    mlua::Error::runtime(match trip {
        Trip::Timeout => TIMEOUT_MESSAGE,
        Trip::Cancelled => CANCEL_MESSAGE,
    })
}

/// Puts `control` in the state's extra space, the trip messages in its registry, and, unless
/// budgets are kept by alarms (real threads, where [`super::alarm`] works), [`budget_hook`]
/// on the state.
pub(crate) fn install<R: Runtime>(lua: &Lua, control: &Rc<Control>) -> mlua::Result<()> {
    let alarm = R::REAL_TIME && super::alarm::available();
    control.alarm.set(alarm);
    control.target.hook.set(Some(budget_hook::<R>));
    control.target.count.set(HOOK_EVERY);
    // The state itself holds a reference to `control` (in its app data, which mlua drops
    // after `lua_close`): host code may clone the `Lua` and drop the VM, and the hook must
    // still never see a dangling pointer, while Lua code runs or while the state closes.
    let _ = lua.set_app_data(Rc::clone(control));
    let state = &control.target.state;
    let control = Rc::as_ptr(control);
    // SAFETY: the closure only uses the raw state mlua hands it, with the stack room Lua
    // guarantees a C function (LUA_MINSTACK); it pushes one value at a time and pops it.
    unsafe {
        lua.exec_raw::<()>((), |l| {
            *(ffi::lua_getextraspace(l) as *mut *const Control) = control;
            for (key, text) in [
                (&TIMEOUT_KEY, TIMEOUT_MESSAGE),
                (&CANCEL_KEY, CANCEL_MESSAGE),
            ] {
                ffi::lua_pushlstring(l, text.as_ptr().cast(), text.len());
                ffi::lua_rawsetp(l, ffi::LUA_REGISTRYINDEX, registry_key(key));
            }
            state.set(std::ptr::NonNull::new(l));
            if !alarm {
                ffi::lua_sethook(l, Some(budget_hook::<R>), ffi::LUA_MASKCOUNT, HOOK_EVERY);
            }
        })
    }
}

fn registry_key(key: &'static u8) -> *const c_void {
    key as *const u8 as *const c_void
}

/// The state's [`Control`], if the engine made the state.
///
/// # Safety
/// `l` is a live Lua state (or one of its coroutines).
pub(crate) unsafe fn control<'a>(l: *mut ffi::lua_State) -> Option<&'a Control> {
    // SAFETY: the extra space holds the VM's `Control` (see `install`) for the whole life
    // of the state, or null; coroutines copy it from the main thread.
    unsafe { (*(ffi::lua_getextraspace(l) as *const *const Control)).as_ref() }
}

/// The time budget's instruction-count hook, a raw C hook rather than mlua's `set_hook`.
///
/// Why raw: mlua raises a hook callback's error after `lua_settop`-ing the interrupted
/// frame, and `lua_settop` runs that frame's to-be-closed variables' `__close` handlers
/// right there, inside the hook, where Lua has switched hooks off (`L->allowhook`, ldo.c),
/// so a looping handler never saw the hook again. Here the error is raised on the untouched
/// frame: Lua unwinds it itself (`luaD_pcall` turns hooks back on before it closes
/// variables), and once tripped the hook runs at every instruction, so a handler that
/// loops, by whatever route it was called (a `<close>` attribute, the closing value every
/// generic `for` carries, error unwinding), stops after one instruction.
unsafe extern "C-unwind" fn budget_hook<R: Runtime>(
    l: *mut ffi::lua_State,
    _: *mut ffi::lua_Debug,
) {
    // SAFETY: Lua calls the hook with a live state.
    let Some(control) = (unsafe { control(l) }) else {
        return;
    };
    // Nothing with a destructor may be alive when `lua_error` jumps out of this function.
    let trip = poll::<R>(control);
    let polling = control.polling() || !control.timed.get();
    // SAFETY: a hook may change the hook; `raise` raises on the interrupted frame.
    unsafe {
        match (trip, polling) {
            // An alarm that found the budget not spent (a timer an earlier node left set, a
            // sleep that moved the deadline, a stray signal): back to no hook at all, then
            // the timer set for this node's deadline. In that order: a signal inside
            // `lua_sethook` loses its writes, and the timer set after it fires again (at
            // once, if the deadline came meanwhile).
            (None, false) => {
                ffi::lua_sethook(l, None, 0, 0);
                if let Some(deadline) = control.deadline.get()
                    && !super::alarm::rearm(deadline)
                {
                    // No timer to be had: this node polls from here on.
                    poll_from_here::<R>(control);
                }
            }
            _ => {
                let count = if trip.is_some() { 1 } else { HOOK_EVERY };
                if ffi::lua_gethookcount(l) != count {
                    ffi::lua_sethook(l, Some(budget_hook::<R>), ffi::LUA_MASKCOUNT, count);
                }
            }
        }
        if let Some(trip) = trip {
            raise::<R>(l, trip);
        }
    }
}

/// Sets the hook a node starts with, on the thread about to run it: the count hook when the
/// VM polls, none when an alarm will arm it (a trip may have left it firing at every
/// instruction). Returns the alarm, armed for `deadline` on `R`'s charged clock, when there
/// is one; a thread without a timer polls instead.
pub(crate) fn start_node<R: Runtime>(
    control: &Control,
    deadline: Duration,
) -> Option<super::alarm::Armed> {
    let state = control.target.state.get()?.as_ptr();
    let armed = if control.polling() {
        None
    } else {
        // No hook first, then the alarm: its signal can come as soon as it is armed (a
        // deadline already here, or a timer kept from an earlier node), and the hook its
        // handler sets must not be cleared after it.
        // SAFETY: the VM's own state, on the thread that runs it, outside any Lua call.
        unsafe { ffi::lua_sethook(state, None, 0, 0) };
        super::alarm::arm(&control.target, deadline)
    };
    control.timed.set(armed.is_some());
    #[cfg(test)]
    if armed.is_some()
        && let Some(after_arm) = AFTER_ARM.with(std::cell::Cell::get)
    {
        after_arm();
    }
    if armed.is_none() {
        // SAFETY: as above.
        unsafe {
            ffi::lua_sethook(
                state,
                Some(budget_hook::<R>),
                ffi::LUA_MASKCOUNT,
                HOOK_EVERY,
            );
        }
    }
    armed
}

/// The node goes on polling (its thread's timer could not be set again): the count hook,
/// from inside the node's Lua (a C function or hook on its thread).
pub(crate) fn poll_from_here<R: Runtime>(control: &Control) {
    control.timed.set(false);
    if let Some(state) = control.target.state.get() {
        // SAFETY: the VM's own state, on the thread that runs its node.
        unsafe {
            ffi::lua_sethook(
                state.as_ptr(),
                Some(budget_hook::<R>),
                ffi::LUA_MASKCOUNT,
                HOOK_EVERY,
            )
        };
    }
}

#[cfg(test)]
thread_local! {
    /// Test-only: runs right after a node's alarm is armed, where a descheduled thread would
    /// take the alarm's signal.
    pub(crate) static AFTER_ARM: std::cell::Cell<Option<fn()>> = const { std::cell::Cell::new(None) };
}

/// One check: charges the quantum to a virtual clock, then checks. A panic (in the
/// cancellation check) is kept for the VM to resume and trips it.
#[inline(never)]
pub(crate) fn poll<R: Runtime>(control: &Control) -> Option<Trip> {
    match catch_unwind(AssertUnwindSafe(|| {
        R::tick(control.quantum.get());
        control.check::<R>()
    })) {
        Ok(trip) => trip,
        Err(payload) => {
            *control.panic.borrow_mut() = Some(payload);
            control.tripped.set(Some(Trip::Cancelled));
            Some(Trip::Cancelled)
        }
    }
}

/// Raises `trip`'s preallocated message, and sets the hook to run at every instruction so
/// whatever runs while Lua unwinds (a `__close` handler) stops at once too.
///
/// # Safety
/// `l` is a live state inside a C function or hook, with one free stack slot, and no Rust
/// value with a destructor may be alive in the caller's frames up to that C function.
pub(crate) unsafe fn raise<R: Runtime>(l: *mut ffi::lua_State, trip: Trip) -> ! {
    let key = match trip {
        Trip::Timeout => &TIMEOUT_KEY,
        Trip::Cancelled => &CANCEL_KEY,
    };
    // SAFETY: see the function's contract.
    unsafe {
        ffi::lua_sethook(l, Some(budget_hook::<R>), ffi::LUA_MASKCOUNT, 1);
        ffi::lua_rawgetp(l, ffi::LUA_REGISTRYINDEX, registry_key(key));
        ffi::lua_error(l)
    }
}
