//! Plants in the budget alarm's protocol, for its tests and the `lost-alarm` mutant: the
//! engine itself never sets one.
//!
//! Lua's `luaG_traceexec` reads `L->hookmask` and, finding it 0, clears the running
//! function's trap. A signal whose handler sets the budget hook between those two steps had
//! its trap cleared, and a loop with no call in it never looked at the hook again: a lost
//! alarm (`build.rs` patches the second read of the mask in). The window is a few
//! instructions wide; these plants make it happen every time:
//!
//! * **early**: each node's timer first fires at once, so its hook finds the budget not
//!   spent, clears itself (setting the mask to 0, traps still set) and sets the timer again;
//!   the next instruction then passes through the window;
//! * **window**: in the window, the thread's timer fires (`alarm::fire_here`);
//! * **no re-check**: `luaG_traceexec` does not read the mask again;
//! * **no re-fire**: a timer that fired does not fire again.
//!
//! With all four (the `lost-alarm` mutant) a node that spins is never stopped by its budget:
//! only a hard deadline ends it. Take either of the last two away and it times out.

#![allow(clippy::disallowed_types)]

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

use super::alarm::{PLANT_EARLY, PLANT_NO_REFIRE, fire_here};

/// Read by the patched `luaG_traceexec` (`lua-patch/bp_lua.h`): called in the window when
/// not null.
#[unsafe(no_mangle)]
static bp_traceexec_plant: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
/// Read by the patched `luaG_traceexec`: non-zero takes its second read of the mask away.
#[unsafe(no_mangle)]
static bp_traceexec_recheck_off: AtomicI32 = AtomicI32::new(0);

/// Which plants are in (process-wide).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlarmPlant {
    /// Each node's timer first fires at once.
    pub early: bool,
    /// The thread's timer fires in `luaG_traceexec`'s window.
    pub window: bool,
    /// `luaG_traceexec` does not read the hook mask again.
    pub no_recheck: bool,
    /// A timer that fired does not fire again.
    pub no_refire: bool,
}

impl AlarmPlant {
    /// None: the engine as it is.
    pub const NONE: AlarmPlant = AlarmPlant {
        early: false,
        window: false,
        no_recheck: false,
        no_refire: false,
    };
    /// All four: the `lost-alarm` mutant.
    pub const LOST_ALARM: AlarmPlant = AlarmPlant {
        early: true,
        window: true,
        no_recheck: true,
        no_refire: true,
    };

    /// Puts these plants in, for the whole process.
    pub fn install(self) {
        PLANT_EARLY.store(self.early, Ordering::SeqCst);
        PLANT_NO_REFIRE.store(self.no_refire, Ordering::SeqCst);
        bp_traceexec_recheck_off.store(c_int::from(self.no_recheck), Ordering::SeqCst);
        let plant: extern "C" fn(*mut c_void) = fire_here;
        let plant = if self.window {
            plant as *mut c_void
        } else {
            std::ptr::null_mut()
        };
        bp_traceexec_plant.store(plant, Ordering::SeqCst);
    }
}
