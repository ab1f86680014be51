//! The fan-out table: per branch count N, the cost of N trivial branches run in parallel
//! and on one thread, and the floor the machine allows, all from one bench run.
//!
//! * cost(N) = run(N) − run(main path alone): the workflow minus its setup node, fan-in
//!   node and main-path VM, which the `fanout/main_path` bench measures.
//! * floor(N) = N × b / k + s when k > 1, else N × b, with k = min(N, cores): N branches
//!   spread over k workers, plus one hand-off to a worker (the caller is the other worker). b is
//!   `branch/end_to_end` (a branch VM created, the trivial chunk run, the VM dropped) and
//!   s is `thread/spawn_one` (handing a worker its share: a helper kept from the call before).

use std::collections::BTreeMap;

use super::criterion::Estimate;
use super::span::Span;

/// Branch counts the benches cover.
pub const SIZES: [usize; 6] = [1, 2, 4, 8, 16, 32];

/// One row of the table, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Branch count.
    pub n: usize,
    /// Whole run, branches on the engine's workers.
    pub parallel_run: Span,
    /// Whole run, branches on one thread (`max_parallel = 1`).
    pub sequential_run: Span,
    /// Fan-out cost, parallel.
    pub parallel_cost: Span,
    /// Fan-out cost, sequential.
    pub sequential_cost: Span,
    /// The floor.
    pub floor: Span,
}

/// What the floor is built from, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloorInputs {
    /// One branch end to end.
    pub branch: Span,
    /// Handing one worker its share and waiting for it.
    pub spawn: Span,
    /// The main path alone.
    pub main_path: Span,
    /// Cores available.
    pub cores: usize,
}

/// The floor inputs, when the run has all three benches.
pub fn floor_inputs(estimates: &BTreeMap<String, Estimate>, cores: usize) -> Option<FloorInputs> {
    let us = |id: &str| estimates.get(id).map(|e| Span::from_estimate(e, 1e-3));
    Some(FloorInputs {
        branch: us("branch/end_to_end")?,
        spawn: us("thread/spawn_one")?,
        main_path: us("fanout/main_path")?,
        cores: cores.max(1),
    })
}

/// The floor for `n` branches.
pub fn floor(inputs: &FloorInputs, n: usize) -> Span {
    let k = n.min(inputs.cores).max(1);
    let spread = inputs.branch.times(n as f64 / k as f64);
    if k > 1 {
        spread.plus(inputs.spawn)
    } else {
        spread
    }
}

/// Every row the run has results for, in N order.
pub fn rows(estimates: &BTreeMap<String, Estimate>, inputs: &FloorInputs) -> Vec<Row> {
    SIZES
        .iter()
        .filter_map(|&n| {
            let us = |kind: &str| {
                estimates
                    .get(&format!("fanout/{kind}/{n}"))
                    .map(|e| Span::from_estimate(e, 1e-3))
            };
            let (parallel_run, sequential_run) = (us("parallel")?, us("sequential")?);
            Some(Row {
                n,
                parallel_run,
                sequential_run,
                parallel_cost: parallel_run.minus(inputs.main_path),
                sequential_cost: sequential_run.minus(inputs.main_path),
                floor: floor(inputs, n),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_spreads_branches_over_cores_and_adds_one_spawn() {
        let inputs = FloorInputs {
            branch: Span::exact(57.6),
            spawn: Span::exact(25.0),
            main_path: Span::exact(60.0),
            cores: 2,
        };
        // ANCHORS: 4 × 57.6 / 2 + one spawn.
        assert_eq!(floor(&inputs, 4).mid, 4.0 * 57.6 / 2.0 + 25.0);
        // One branch runs on the caller: no spawn, no spreading.
        assert_eq!(floor(&inputs, 1).mid, 57.6);
    }
}
