//! What a run must not leave behind: live Lua VMs and worker threads.

use std::time::Duration;

use engine::sync::counters::live_vms;

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

/// Panics if a Lua VM is still alive or an engine worker thread is still running.
///
/// A joined thread can stay listed in `/proc` for a moment after `join` returns (the kernel
/// wakes the joiner before it unlists the thread), so the thread count gets a bounded
/// grace period; a thread that really leaked stays forever and fails the check.
pub fn assert_nothing_left() {
    assert_eq!(live_vms(), 0, "a Lua VM outlived its run");
    for _ in 0..500 {
        if worker_threads() == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!(
        "{} engine worker thread(s) outlived their run",
        worker_threads()
    );
}
