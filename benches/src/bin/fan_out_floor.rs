//! `fan-out-floor [N] [RUNS] [ROUNDS]`: the default fan-out of N trivial branches (default 4)
//! against its floor, every figure timed in one process, in turn (this host's speed drifts
//! by up to 2x over minutes, so criterion medians taken minutes apart can disagree): per
//! round, RUNS runs (default 1,000) of each of the main path alone, the N-branch workflow
//! on one worker and with the engine's own worker count, one bare branch (VM created,
//! trivial chunk run, VM dropped) and one hand-off to a worker, taken in blocks of 25 of a
//! kind in turn (back to back within a block, as a loop of runs would be), and their
//! medians; then cost = run − main path and floor = N × branch ÷ min(N, cores) + hand-off,
//! as `harness overhead` defines them. One JSON line per round (ROUNDS, default 5), after
//! 200 warm-up runs of each workflow.

use std::time::Instant;

use benches::fixtures::{
    BenchVm, TRIVIAL_BRANCH, branch_spec, budget, chunk, fan_out, small_state,
};
use engine::RunOptions;
use engine::sync::{LUA_STACK_SIZE, Runtime, StdRuntime};
use serde_json::json;

/// Runs in a block of one kind, back to back.
const BLOCK: usize = 25;

/// Adds the times of `BLOCK` calls of `f` to `times`, in microseconds.
fn block(times: &mut Vec<f64>, f: &mut dyn FnMut()) {
    for _ in 0..BLOCK {
        // Timed with the std clock, outside the engine's seam.
        #[allow(clippy::disallowed_methods)]
        let start = Instant::now();
        f();
        times.push(start.elapsed().as_nanos() as f64 / 1000.0);
    }
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .map_or(default, |s| s.parse().expect("a number"))
    };
    let (n, runs, rounds) = (arg(1, 4), arg(2, 1000).max(1), arg(3, 5));
    let workflow = fan_out(n, TRIVIAL_BRANCH);
    let main_path = fan_out(0, TRIVIAL_BRANCH);
    let one = RunOptions::seeded(7).with_max_parallel(1);
    let own = RunOptions::seeded(7);
    let (chunk, state, spec) = (chunk(TRIVIAL_BRANCH), small_state(), branch_spec(7));
    let cores = StdRuntime::available_parallelism();
    let run = |wf: &engine::Workflow, options: &RunOptions| {
        std::hint::black_box(
            wf.run(json!({}), options)
                .result
                .expect("the workflow runs"),
        );
    };
    let mut bare = || {
        let vm = BenchVm::new(&spec).expect("a branch VM");
        let out = vm.run_node(&chunk, &state, None, budget());
        drop(vm);
        std::hint::black_box(out.expect("the trivial branch runs"));
    };
    let mut hand = || {
        StdRuntime::run_workers(2, LUA_STACK_SIZE, |w| {
            std::hint::black_box(w);
        })
    };
    // Warm-up, as peer-bench does: the adaptive worker count learns from the first runs.
    for _ in 0..200 {
        run(&main_path, &one);
        run(&workflow, &one);
        run(&workflow, &own);
    }
    for _ in 0..rounds {
        let mut times: [Vec<f64>; 5] = Default::default();
        for _ in 0..runs.div_ceil(BLOCK) {
            block(&mut times[0], &mut || run(&main_path, &one));
            block(&mut times[1], &mut || run(&workflow, &one));
            block(&mut times[2], &mut || run(&workflow, &own));
            block(&mut times[3], &mut bare);
            block(&mut times[4], &mut hand);
        }
        let [base, sequential, default, branch, hand_off] = times.map(median);
        let k = n.min(cores).max(1);
        let floor = n as f64 * branch / k as f64 + if k > 1 { hand_off } else { 0.0 };
        let (cost, sequential_cost) = (default - base, sequential - base);
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        println!(
            "{}",
            json!({
                "branches": n,
                "main_path_us": round(base),
                "sequential_us": round(sequential),
                "default_us": round(default),
                "branch_us": round(branch),
                "hand_off_us": round(hand_off),
                "floor_us": round(floor),
                "default_over_sequential": round(cost / sequential_cost),
                "default_over_min_sequential_floor": round(cost / floor.min(sequential_cost)),
            })
        );
    }
}
