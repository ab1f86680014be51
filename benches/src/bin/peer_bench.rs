//! `peer-bench [N] [WORKFLOW] [--workers K]`: branchproof's side of the side-by-side with The
//! Edge Agent, timed the way the TEA side is (README, "Comparing per-run cost"): load the
//! workflow once, 200 warm-up runs, then `N` runs (default 2,000) each timed on its own;
//! one JSON line with the median, p90 and mean per run, the threads before, right after
//! (an idle engine helper may still be waiting for more work) and settled (once idle
//! helpers had the time to exit), and the last run's final state. `--workers K` fixes the fan-out's worker count (default: the
//! engine's own decision). `--alternate` times the engine's own decision and one worker run
//! by run, in turn (this host's speed drifts by up to 2x over minutes), and reports both
//! medians and the median of the per-pair ratios; with `--baseline PATH` (the same workflow
//! without its fan-out) it times that too, in the same turns, and reports the fan-out's cost
//! ratio `(own − baseline) ÷ (one worker − baseline)` from the three medians.

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
    let alternate = args
        .iter()
        .position(|a| a == "--alternate")
        .map(|at| args.remove(at));
    let baseline = args.iter().position(|a| a == "--baseline").map(|at| {
        let path = args
            .get(at + 1)
            .cloned()
            .expect("--baseline takes a workflow file");
        args.drain(at..=at + 1);
        Workflow::from_file(std::path::Path::new(&path)).expect("the baseline workflow loads")
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
    if alternate.is_some() {
        let one = RunOptions::seeded(7).with_max_parallel(1);
        let time = |o: &RunOptions| {
            #[allow(clippy::disallowed_methods)]
            let start = Instant::now();
            std::hint::black_box(wf.run(json!({}), o).result.expect("the workflow runs"));
            start.elapsed().as_nanos() as f64 / 1000.0
        };
        let (mut own, mut seq, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let mut base = Vec::new();
        for i in 0..n {
            if let Some(b) = &baseline {
                #[allow(clippy::disallowed_methods)]
                let start = Instant::now();
                std::hint::black_box(b.run(json!({}), &one).result.expect("the baseline runs"));
                base.push(start.elapsed().as_nanos() as f64 / 1000.0);
            }
            // Which goes first alternates too.
            let (a, b) = if i % 2 == 0 {
                let a = time(&options);
                (a, time(&one))
            } else {
                let b = time(&one);
                (time(&options), b)
            };
            own.push(a);
            seq.push(b);
            ratios.push(a / b);
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            (v[v.len() / 2] * 1000.0).round() / 1000.0
        };
        let (own, seq) = (median(&mut own), median(&mut seq));
        let base = (!base.is_empty()).then(|| median(&mut base));
        let cost_ratio = base
            .filter(|b| seq > *b)
            .map(|b| ((own - b) / (seq - b) * 1000.0).round() / 1000.0);
        println!(
            "{}",
            json!({
                "engine": "branchproof",
                "runs": n,
                "own_median_us": own,
                "one_worker_median_us": seq,
                "baseline_median_us": base,
                "own_over_one_worker_median": median(&mut ratios),
                "cost_ratio": cost_ratio,
            })
        );
        return;
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
    // The engine's idle helper threads exit once idle for a moment (`std_pool`): count
    // again once they had the time to, waiting up to 2 s.
    let threads_settled = {
        let mut now = threads();
        for _ in 0..2000 {
            if now <= threads_before {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
            now = threads();
        }
        now
    };
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
            "threads_settled": threads_settled,
            "workers": decided,
            "final_state": last,
        })
    );
}
