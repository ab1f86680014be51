//! `lost-alarm` (issue 18, a lost budget alarm seen once in 10,000 iterations on a busy host):
//! the alarm's signal lands in the instant `luaG_traceexec` found the hook mask empty and is
//! about to clear the trap, and the timer that fired never fires again. A loop with no call in
//! it then never looks at its budget: only the hard deadline ends it. The real engine closes
//! the window twice (the mask read again after the trap is cleared, a timer that re-fires
//! every millisecond of CPU); this mutant takes both away and makes the window happen every
//! time ([`AlarmPlant::LOST_ALARM`], planted in the Lua build). Explore runs on virtual time
//! with count hooks and never arms the alarm: soak catches it, as a hang.

use engine::seams::AlarmPlant;

use super::{About, Mutant, Seam};

/// What `lost-alarm` is.
pub(super) const ABOUT: About = About {
    name: "lost-alarm",
    seam: Seam::Alarm,
    story: "issue 18",
    class: "a budget alarm that is lost",
};

/// Puts the alarm plant `mutant` runs with in (process-wide; every other engine has none).
pub(super) fn install_for(mutant: Mutant) {
    let plant = if mutant == Mutant::LostAlarm {
        AlarmPlant::LOST_ALARM
    } else {
        AlarmPlant::NONE
    };
    plant.install();
}
