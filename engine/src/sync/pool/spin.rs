//! Waiting a moment before sleeping: the caller for its helpers, a helper for its next job.

use super::SPIN;
use crate::sync::{Runtime, Timer};

/// Polls `done` until it is true or the spin ends ([`Timer::Spin`], [`SPIN`] on real
/// threads), yielding the CPU after the first few polls; whether it became true.
pub(super) fn spin_until<R: Runtime>(done: impl Fn() -> bool) -> bool {
    let start = R::now();
    for poll in 0u32.. {
        if done() {
            return true;
        }
        if R::REAL_TIME && poll < 64 {
            std::hint::spin_loop();
        } else if R::fires(Timer::Spin, start, SPIN) {
            return false;
        } else {
            R::yield_now();
        }
    }
    false
}
