//! What a run must not leave behind: live Lua VMs and worker threads.

use std::time::Duration;

use engine::sync::counters::{helper_threads, live_vms};

/// Thread name prefix of the engine's workers (`branchproof-worker-N`), as the kernel keeps
/// it: thread names are cut to 15 bytes.
const WORKER_PREFIX: &str = "branchproof-wor";

/// How many engine worker threads this process has now (0 where `/proc` is missing).
pub fn worker_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with(WORKER_PREFIX))
        })
        .count()
}

/// The most helper threads one run may leave waiting: a fan-out has at most 4 workers here
/// (`run_small` caps them), the caller being one.
pub const MOST_HELPERS: usize = 3;

/// Panics if a Lua VM is still alive, an engine thread is running that is not one of its
/// helpers, or more helpers wait than one run can have used.
///
/// The engine keeps a fan-out's helper threads for a moment in case another fan-out comes
/// (`std_pool`: 200 us polling, then 20 ms asleep before they exit), so they are counted, not
/// waited for: [`assert_helpers_exit`] checks they do exit. A joined thread can stay listed
/// in `/proc` for a moment after `join` returns, so the comparison gets a bounded grace
/// period; a thread that really leaked stays and fails the check.
pub fn assert_nothing_left() {
    assert_eq!(live_vms(), 0, "a Lua VM outlived its run");
    settle(
        "engine thread(s) that are not counted helpers outlived their run",
        || worker_threads() <= helper_threads(),
    );
    // Settled too: a helper that just timed out is counted until its thread ends, and the
    // next run may have spawned its replacement already.
    settle(
        &format!("more helper threads wait than one run can have used ({MOST_HELPERS})"),
        || helper_threads() <= MOST_HELPERS,
    );
}

/// Panics unless every engine thread, idle helpers included, is gone within 5 s.
pub fn assert_helpers_exit() {
    settle(
        "engine thread(s) still there 5 s after the last run",
        || worker_threads() == 0 && helper_threads() == 0,
    );
}

fn settle(what: &str, done: impl Fn() -> bool) {
    for _ in 0..2500 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!(
        "{what}: {} listed, {} helpers counted",
        worker_threads(),
        helper_threads()
    );
}
