//! Adaptive parallelism: a fan-out spawns workers only when it pays.
//!
//! Handing branches to other threads has a price: on std, waking a helper that went to
//! sleep took ~35 us on this project's 2-core VMs, spawning one ~30 us, and hundreds on a
//! busy host; branches of trivial Lua cost less than that, so on a busy host running them in
//! turn was up to 2.4x faster, and on a quiet one 10-20% slower. A fixed policy is wrong on
//! one of the two. So when nothing fixes the worker count (no `max_parallel_branches` in the
//! options or the workflow, no chaos, real threads), a fan-out predicts its branches' work
//! from a moving average of their times in its earlier runs ([`BranchCost`], kept in the
//! compiled workflow, through the runtime seam's atomics) and picks the worker count that
//! minimises `work / k + spawn × (k − 1)`. The spawn cost is the larger of an empty
//! `run_workers` measured now and then ([`spawn_cost`]) and what parallel fan-outs were seen
//! to pay beyond their work spread over their workers ([`Overhead`]): a helper that had to
//! be spawned or woken, and branches slowed by running side by side, cost more than an
//! empty call shows (on a quiet 2-core host a 4-branch fan-out of 40 µs branches ran 1.19x
//! slower in parallel than in turn while the empty call said parallel would pay). While
//! the policy keeps choosing fewer workers, the learned overhead decays, so a host that got
//! quieter is tried in parallel again. A fan-out with no history yet runs in parallel (a
//! CPU-bound one must).
//! The decision is recorded in the run's trace; soak and explore fix the worker count per
//! iteration (from the seed or the scenario's chaos), so they never depend on it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::sync::{RtAtomicUsize, Runtime, StdRuntime};

/// Applies `f` to `cell` in a compare-and-swap loop: concurrent updates are never lost (each
/// one applies to the value the last left) and never torn (one atomic word).
fn update<A: RtAtomicUsize>(cell: &A, f: impl Fn(usize) -> usize) {
    let mut old = cell.load(Ordering::Relaxed);
    while let Err(actual) = cell.compare_exchange(old, f(old), Ordering::Relaxed, Ordering::Relaxed)
    {
        old = actual;
    }
}

/// `old + (sample - old) / 4`, in integers, without overflow; the first sample (`old` 0) is
/// taken whole.
fn moving_average(old: usize, sample: usize) -> usize {
    if old == 0 {
        sample
    } else {
        old / 4 * 3 + sample / 4
    }
}

/// The moving average of a fan-out's branch times, in nanoseconds (0: no history), updated
/// by whichever runs finish, concurrently (a compare-and-swap loop), so a value is never torn and stays
/// between the samples that made it.
#[derive(Debug)]
pub struct BranchCost<A: RtAtomicUsize = <StdRuntime as Runtime>::AtomicUsize> {
    average_ns: A,
}

impl<A: RtAtomicUsize> Default for BranchCost<A> {
    fn default() -> Self {
        BranchCost {
            average_ns: A::new(0),
        }
    }
}

impl<A: RtAtomicUsize> BranchCost<A> {
    /// Adds one branch's time: an exponential moving average with weight 1/4 (the first
    /// sample is taken whole).
    pub fn record(&self, took: Duration) {
        let sample = (took.as_nanos().min(usize::MAX as u128 / 2) as usize).max(1);
        update(&self.average_ns, |old| moving_average(old, sample).max(1));
    }

    /// The predicted time of one branch, when there is a history.
    pub fn predicted(&self) -> Option<Duration> {
        match self.average_ns.load(Ordering::Relaxed) {
            0 => None,
            ns => Some(Duration::from_nanos(ns as u64)),
        }
    }
}

/// The worker count that minimises the predicted time of `branches` branches of `each`:
/// `branches × each / k + spawn × (k − 1)`, for `k` up to the cores and the branches; the
/// most when there is no prediction. Ties go to fewer workers.
pub fn workers(each: Option<Duration>, branches: usize, spawn: Duration, cores: usize) -> usize {
    let most = cores.min(branches).max(1);
    let Some(each) = each else {
        return most;
    };
    let work = each.as_nanos() * branches as u128;
    let spawn = spawn.as_nanos();
    (1..=most)
        .min_by_key(|&k| work / k as u128 + spawn * (k as u128 - 1))
        .unwrap_or(1)
}

/// What parallel fan-outs paid per extra worker beyond their work spread over their workers,
/// learned from the runs: an exponential moving average (weight 1/4) that decays by 1/32
/// each time the policy chooses fewer workers than it could. The engine keeps one per
/// process ([`Overhead::process`]), updated by concurrent runs (a compare-and-swap loop).
#[derive(Debug)]
pub struct Overhead<A: RtAtomicUsize = <StdRuntime as Runtime>::AtomicUsize> {
    ns: A,
}

impl<A: RtAtomicUsize> Default for Overhead<A> {
    fn default() -> Self {
        Overhead { ns: A::new(0) }
    }
}

impl Overhead {
    /// The process's figure (real threads: the policy is off under the model checkers).
    pub fn process() -> &'static Overhead {
        static PROCESS: std::sync::OnceLock<Overhead> = std::sync::OnceLock::new();
        PROCESS.get_or_init(Overhead::default)
    }
}

impl<A: RtAtomicUsize> Overhead<A> {
    /// The learned overhead per extra worker (zero until a parallel fan-out ran).
    pub fn learned(&self) -> Duration {
        Duration::from_nanos(self.ns.load(Ordering::Relaxed) as u64)
    }

    /// A parallel fan-out on `workers` workers took `total`, its branches `work` together.
    pub fn observe(&self, total: Duration, work: Duration, workers: usize) {
        if workers < 2 {
            return;
        }
        let spread = work / workers as u32;
        let sample = (total.saturating_sub(spread) / (workers as u32 - 1)).as_nanos();
        let sample = sample.min(usize::MAX as u128 / 2) as usize;
        update(&self.ns, |old| moving_average(old, sample));
    }

    /// The policy chose fewer workers than it could: let the learned overhead fade.
    pub fn fade(&self) {
        update(&self.ns, |old| old - old / 32);
    }
}

/// Adaptive decisions between two measurements of the spawn cost: the host's load changes
/// over minutes, and a cost measured once, at a quiet moment, kept a busy host's fan-outs of
/// cheap branches parallel. Each measurement spawns five workers (about 250 µs on a quiet
/// host): every 128 decisions that was 2 µs a run, 5% of a one-branch fan-out; what parallel
/// runs actually pay ([`Overhead`]) now follows the load between measurements.
const MEASURE_EVERY: usize = 1024;

/// What spawning and joining one more worker costs on this host now: the median of five
/// measurements, taken on the first fan-out that asks and again every [`MEASURE_EVERY`]
/// decisions.
pub fn spawn_cost<R: Runtime>() -> Duration {
    // Process-wide figures of real threads (the policy is off under the model checkers).
    #[allow(clippy::disallowed_types)]
    static COST_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    #[allow(clippy::disallowed_types)]
    static ASKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let asked = ASKED.fetch_add(1, Ordering::Relaxed);
    let known = COST_NS.load(Ordering::Relaxed);
    if known != 0 && !asked.is_multiple_of(MEASURE_EVERY) {
        return Duration::from_nanos(known);
    }
    let mut samples: Vec<Duration> = (0..5)
        .map(|_| {
            let start = R::now();
            R::run_workers(2, crate::sync::LUA_STACK_SIZE, |_| {});
            R::now().saturating_sub(start)
        })
        .collect();
    samples.sort();
    let cost = samples[2].max(Duration::from_nanos(1));
    COST_NS.store(
        cost.as_nanos().min(u64::MAX as u128) as u64,
        Ordering::Relaxed,
    );
    cost
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: Duration = Duration::from_micros(1);

    #[test]
    fn cheap_branches_on_a_costly_spawn_run_in_turn() {
        // Three 50 µs branches, a 200 µs spawn: 150 µs in turn beats 75 + 200.
        assert_eq!(workers(Some(US * 50), 3, US * 200, 2), 1);
    }

    #[test]
    fn costly_branches_use_every_core() {
        assert_eq!(workers(Some(US * 5000), 4, US * 100, 2), 2);
        assert_eq!(workers(Some(US * 5000), 4, US * 100, 8), 4);
    }

    #[test]
    fn without_history_a_fan_out_runs_in_parallel() {
        assert_eq!(workers(None, 4, US * 10_000, 2), 2);
        assert_eq!(workers(None, 1, US, 8), 1);
    }

    #[test]
    fn the_learned_overhead_follows_parallel_runs_and_fades_while_unused() {
        let overhead = Overhead::<<StdRuntime as Runtime>::AtomicUsize>::default();
        overhead.observe(US * 300, US * 400, 2); // 300 − 400/2 = 100 µs per extra worker
        assert_eq!(overhead.learned(), US * 100);
        overhead.observe(US * 700, US * 400, 2); // sample 500: 100 + (500 − 100) / 4
        assert_eq!(overhead.learned(), US * 200);
        overhead.observe(US * 1, US * 4, 1); // one worker: nothing to learn
        assert_eq!(overhead.learned(), US * 200);
        for _ in 0..32 {
            overhead.fade();
        }
        assert!(overhead.learned() < US * 80, "{:?}", overhead.learned());
    }

    #[test]
    fn the_moving_average_takes_the_first_sample_whole_then_moves_a_quarter() {
        let cost = BranchCost::<<StdRuntime as Runtime>::AtomicUsize>::default();
        assert_eq!(cost.predicted(), None);
        cost.record(US * 100);
        assert_eq!(cost.predicted(), Some(US * 100));
        cost.record(US * 500);
        assert_eq!(cost.predicted(), Some(US * 200));
    }
}
