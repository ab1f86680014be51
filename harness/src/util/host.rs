//! What the soak costs the host: peak RSS and thread count, from `/proc/self/status`.
//!
//! Both are read from the kernel rather than tracked, so they also catch threads and memory
//! the engine (or a dependency) leaves behind: TEA-Rust left 5 threads per run.

use std::time::Duration;

/// Reads a `Key:  value` line of `/proc/self/status` as a number (`None` off Linux).
fn status_field(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Peak resident set size so far (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_field("VmHWM")
}

/// Threads in this process now.
pub fn threads() -> Option<u64> {
    status_field("Threads")
}

/// Threads once any that were just joined have left the kernel's count, waiting up to
/// 2 s for at most `baseline`. A joined thread has stopped running, but the kernel takes
/// it off the count a moment later, so an immediate read can be one too high.
pub fn settled_threads(baseline: Option<u64>) -> Option<u64> {
    settle(baseline, threads)
}

/// Threads in this process now besides the engine's helper threads, which live on for a
/// moment after the fan-outs that used them (`engine::sync::counters::helper_threads`).
fn threads_besides_helpers() -> Option<u64> {
    threads().map(|n| n.saturating_sub(engine::sync::counters::helper_threads() as u64))
}

/// [`settled_threads`], not counting the engine's helper threads: what a worker process
/// reports after each batch without waiting for its idle helpers to exit.
pub fn settled_threads_besides_helpers(baseline: Option<u64>) -> Option<u64> {
    settle(baseline, threads_besides_helpers)
}

fn settle(baseline: Option<u64>, count: impl Fn() -> Option<u64>) -> Option<u64> {
    let mut now = count();
    for _ in 0..2000 {
        match (now, baseline) {
            (Some(n), Some(b)) if n > b => {
                std::thread::sleep(Duration::from_millis(1));
                now = count();
            }
            _ => break,
        }
    }
    now
}

/// A signal's name: `SIGINT`, `SIGKILL (the OOM killer, or someone else)`, `signal 40`.
pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGKILL => "SIGKILL (the OOM killer, or someone else)".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGILL => "SIGILL".into(),
        libc::SIGFPE => "SIGFPE".into(),
        other => format!("signal {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_threads_and_peak_rss_on_linux() {
        if !cfg!(target_os = "linux") {
            return;
        }
        assert!(threads().unwrap() >= 1);
        assert!(peak_rss_kib().unwrap() > 0);
    }
}
