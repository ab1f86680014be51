//! Instruction counts under `valgrind --tool=callgrind`: the same every run, whatever the
//! host's speed, so CI can hold them to a budget.
//!
//! The probe (`benches/src/bin/callgrind_probe.rs`) repeats one workload `N` times after a
//! warm-up. It runs twice, with [`LOW`] and [`HIGH`] repetitions; the difference of the two
//! totals over `HIGH - LOW` is one repetition's cost, with start-up, warm-up and exit
//! cancelled out.

use std::path::Path;
use std::process::{Command, Stdio};

use benches::probe::Workload;

/// Repetitions in the short run (most workloads; see [`Workload::repetitions`]).
pub const LOW: u64 = 10;
/// Repetitions in the long run (most workloads).
pub const HIGH: u64 = 110;

/// Whether `valgrind` can be run here.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Instructions per repetition of `workload`, or why there is no count.
pub fn per_repetition(probe: &Path, workload: Workload, out_dir: &Path) -> Result<f64, String> {
    let (low_n, high_n) = workload.repetitions();
    let low = total(probe, workload, low_n, out_dir)?;
    let high = total(probe, workload, high_n, out_dir)?;
    if high <= low {
        return Err(format!(
            "{high_n} repetitions counted {high} instructions, not more than {low_n} ({low})"
        ));
    }
    Ok((high - low) as f64 / (high_n - low_n) as f64)
}

/// The total instruction count (`Ir`) of one probe run.
fn total(probe: &Path, workload: Workload, times: u64, out_dir: &Path) -> Result<u64, String> {
    let out = out_dir.join(format!("callgrind.{}.{times}.out", workload.name()));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(probe)
        .arg(workload.name())
        .arg(times.to_string())
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("valgrind could not start: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!(
            "valgrind exited with {}: {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    let text =
        std::fs::read_to_string(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    parse_total(&text)
        .ok_or_else(|| format!("no `summary:` or `totals:` line in {}", out.display()))
}

/// The `summary:` (or `totals:`) line of a callgrind output file.
pub fn parse_total(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_summary_line() {
        let out =
            "version: 1\ncmd: x\nevents: Ir\nfn=main\n0 5\nsummary: 27294740\ntotals: 27294740\n";
        assert_eq!(parse_total(out), Some(27_294_740));
        assert_eq!(parse_total("events: Ir\n"), None);
    }
}
