//! The latch and the idle list with two callers at once: two threads each run calls of two
//! workers, sharing one idle list; every call's latch waits for its own helper only, and a
//! helper one call put back may serve the other.

use engine::sync::LoomRuntime;

use crate::pool::{call_once_each, model};

#[test]
fn loom_pool_two_callers_share_the_idle_list_and_each_latch_waits_for_its_own() {
    model("two callers", || {
        let other = loom::thread::spawn(|| call_once_each(2));
        call_once_each(2);
        other.join().unwrap();
        call_once_each(2);
        LoomRuntime::shutdown();
    });
}
