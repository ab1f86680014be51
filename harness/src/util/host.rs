//! What the soak costs the host: peak RSS and thread count, from `/proc/self/status`; and
//! what the host was doing meanwhile: its CPUs, load averages (`/proc/loadavg`) and steal
//! (`/proc/stat`), so a reader can judge a run's timing.
//!
//! All are read from the kernel rather than tracked, so they also catch threads and memory
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

/// What the host was doing at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// CPUs this process may use.
    pub cpus: usize,
    /// The 1, 5 and 15 minute load averages (`None` off Linux).
    pub load: Option<[f64; 3]>,
    /// The host's CPU time so far, in clock ticks: `(steal, total)` (`None` off Linux).
    ticks: Option<(u64, u64)>,
}

impl Sample {
    /// The host now.
    pub fn now() -> Sample {
        Sample {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            load: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|text| parse_loadavg(&text)),
            ticks: std::fs::read_to_string("/proc/stat")
                .ok()
                .and_then(|text| parse_stat(&text)),
        }
    }

    /// The share of the host's CPU time stolen since `start`, in percent (`None` where the
    /// kernel does not say, or no tick passed).
    pub fn steal_percent_since(&self, start: &Sample) -> Option<f64> {
        let ((steal0, total0), (steal1, total1)) = (start.ticks?, self.ticks?);
        let total = total1.checked_sub(total0).filter(|t| *t > 0)?;
        Some(100.0 * steal1.saturating_sub(steal0) as f64 / total as f64)
    }
}

/// `0.52 0.58 0.59 1/467 12345` -> the three averages.
fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

/// The `cpu` line of `/proc/stat` (user nice system idle iowait irq softirq steal ...) ->
/// `(steal, total)`; guest time is already in user and nice, so the total stops at steal.
/// A kernel without the steal column (before 2.6.11) gives `None`.
fn parse_stat(text: &str) -> Option<(u64, u64)> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    (ticks.len() == 8).then(|| (ticks[7], ticks.iter().sum()))
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
    fn reads_the_load_average_and_the_steal_column() {
        assert_eq!(
            parse_loadavg("0.52 0.58 0.59 1/467 12345\n"),
            Some([0.52, 0.58, 0.59])
        );
        assert_eq!(parse_loadavg("garbage"), None);
        let stat = "cpu  100 5 50 800 10 1 2 32 0 0\ncpu0 50 2 25 400 5 0 1 16 0 0\n";
        assert_eq!(parse_stat(stat), Some((32, 1000)));
        assert_eq!(parse_stat("cpu  100 5 50 800\n"), None, "no steal column");
        let start = Sample {
            cpus: 2,
            load: None,
            ticks: Some((32, 1000)),
        };
        let end = Sample {
            ticks: Some((82, 2000)),
            ..start
        };
        assert_eq!(end.steal_percent_since(&start), Some(5.0));
        assert_eq!(start.steal_percent_since(&start), None, "no tick passed");
        if cfg!(target_os = "linux") {
            let now = Sample::now();
            assert!(now.load.is_some() && now.ticks.is_some(), "{now:?}");
        }
    }

    #[test]
    fn reads_threads_and_peak_rss_on_linux() {
        if !cfg!(target_os = "linux") {
            return;
        }
        assert!(threads().unwrap() >= 1);
        assert!(peak_rss_kib().unwrap() > 0);
    }
}
