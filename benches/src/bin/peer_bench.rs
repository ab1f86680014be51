//! `peer-bench [N] [WORKFLOW] [--workers K]`: branchproof's side of the side-by-side with The
//! Edge Agent, timed the way the TEA side is (README, "Comparing per-run cost"): load the
//! workflow once, 200 warm-up runs, then `N` runs (default 2,000) each timed on its own;
//! one JSON line with the median, p90 and mean per run, the threads before and after, and
//! the last run's final state. `--workers K` fixes the fan-out's worker count (default: the
//! engine's own decision).

use std::time::Instant;

use engine::{RunOptions, Workflow};
use serde_json::{Value, json};

const WARMUP: usize = 200;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let workers = args.iter().position(|a| a == "--workers").map(|at| {
        let k: usize = args
            .get(at + 1)
            .and_then(|k| k.parse().ok())
            .expect("--workers takes a number");
        args.drain(at..=at + 1);
        k
    });
    let n: usize = args
        .first()
        .map_or(2000, |s| s.parse().expect("N is a number"));
    let path = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| benches::fixtures::PEER_WORKFLOW_PATH.to_string());
    let threads_before = threads();
    let wf = Workflow::from_file(std::path::Path::new(&path)).expect("the workflow loads");
    let mut options = RunOptions::seeded(7);
    if let Some(k) = workers {
        options = options.with_max_parallel(k);
    }
    let run = || {
        wf.run(json!({}), &options)
            .result
            .expect("the workflow runs")
    };
    for _ in 0..WARMUP {
        std::hint::black_box(run());
    }
    let mut times_ns: Vec<u128> = Vec::with_capacity(n);
    let mut last = Value::Null;
    for _ in 0..n {
        // Timed with the std clock, as the TEA side is: outside the engine's seam.
        #[allow(clippy::disallowed_methods)]
        let start = Instant::now();
        last = run();
        times_ns.push(start.elapsed().as_nanos());
    }
    let threads_after = threads();
    let mean = times_ns.iter().sum::<u128>() as f64 / n as f64 / 1000.0;
    times_ns.sort_unstable();
    let at = |p: f64| times_ns[((n as f64 - 1.0) * p).round() as usize] as f64 / 1000.0;
    let decided = wf
        .run(json!({}), &options)
        .trace
        .fan_outs
        .first()
        .map(|f| format!("{} ({})", f.workers, f.decided_by));
    println!(
        "{}",
        json!({
            "engine": "branchproof",
            "runs": n,
            "median_us": (at(0.5) * 10.0).round() / 10.0,
            "p90_us": (at(0.9) * 10.0).round() / 10.0,
            "mean_us": (mean * 10.0).round() / 10.0,
            "threads_before": threads_before,
            "threads_after": threads_after,
            "workers": decided,
            "final_state": last,
        })
    );
}
