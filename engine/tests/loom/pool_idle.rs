//! A helper that exits idle just as a new call arrives: after a first call, its helper's idle
//! timeout fires (a store racing with the helper's read: `fire_idle_timers`) while the next
//! call takes helpers off the idle list. Whichever wins, the new call's job is run: the helper
//! it took stays for it, or the call spawns a new one.

use engine::sync::LoomRuntime;

use crate::pool::{call_once_each, model};

#[test]
fn loom_pool_a_helper_timing_out_as_a_call_takes_it_still_runs_the_job() {
    model("idle exit as a call arrives", || {
        call_once_each(2);
        let timer = loom::thread::spawn(LoomRuntime::fire_idle_timers);
        call_once_each(2);
        timer.join().unwrap();
        LoomRuntime::shutdown();
    });
}
