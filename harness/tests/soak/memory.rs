//! Memory is bounded and nothing is left behind: after 10,000 iterations no Lua VM is alive
//! and the thread count is back where it started, in the supervisor and in every worker
//! process. Each reads its own figures (the engine's live-VM gauge, /proc/self/status); the
//! workers send theirs with every batch, and the report keeps the worst.

use crate::common::{fixture, soak};

#[test]
fn soak_long_ten_thousand_iterations_leave_no_live_vms_and_no_extra_threads() {
    let run = soak(&[
        &fixture("soak/trivial-4.yaml"),
        "scenarios/fresh-vm-identity.yaml",
        "--iterations",
        "10000",
        "--jobs",
        "2",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let r = run.json();
    assert_eq!(r["totals"]["iterations"], 20_000);
    assert_eq!(r["host"]["live_vms_end"], 0);
    let (start, end) = (&r["host"]["threads_start"], &r["host"]["threads_end"]);
    assert!(start.is_u64(), "/proc/self/status is readable here");
    assert_eq!(start, end, "threads at start and end");
    // 20,000 iterations of a few VMs each: a leak of even 10 KiB per iteration would pass
    // 200 MiB; the streamed statistics keep the whole soak in a few MiB.
    let peak = r["host"]["peak_rss_kib"].as_u64().unwrap();
    assert!(peak < 200 * 1024, "peak RSS {peak} KiB");
    // The workers ran the iterations: their own figures, between batches.
    let workers = &r["host"]["workers"];
    assert_eq!(workers["live_vms_max"], 0, "{workers}");
    assert!(
        workers["threads_max"].as_u64().unwrap() <= 4,
        "a worker's main thread, stdin reader, watchdog and pause clock, nothing else: {workers}"
    );
    let worker_peak = workers["peak_rss_kib_max"].as_u64().unwrap();
    assert!(
        worker_peak < 200 * 1024,
        "worker peak RSS {worker_peak} KiB"
    );
}
