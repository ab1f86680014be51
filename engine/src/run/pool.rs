//! The concurrent core of a fan-out: work distribution, result slots and cancellation.
//!
//! Workers (the caller plus at most `max_parallel_branches - 1` threads lent the work for the
//! fan-out by [`Runtime::run_workers`]) take branch indices in declared order from one shared
//! atomic index, run them, and put each result in the slot of its index. Results therefore come out in declared branch order, never in
//! completion order. With `fail_fast`, the first failure sets the cancel flag: branches that
//! have not started finish at once as cancelled, running ones are stopped by their VM hook.
//!
//! This module is generic over [`Runtime`] and knows nothing of Lua, so loom and shuttle can
//! drive it directly with trivial branches as well as through the engine.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use crate::chaos::{Chaos, ChaosPoint};
use crate::error::RunError;
use crate::sync::pool::{HandOff, run_workers_with};
use crate::sync::{Arc, LUA_STACK_SIZE, RtAtomicBool, RtAtomicUsize, RtMutex, Runtime};
use crate::trace::Step;

/// What one branch produced.
#[derive(Debug, Clone)]
pub struct BranchResult {
    /// 0-based declared index.
    pub index: usize,
    /// The branch's name (its first node).
    pub name: String,
    /// The branch's final state, or why it failed.
    pub outcome: Result<Value, RunError>,
    /// Wall-clock time the branch took (reported, never compared).
    pub elapsed: Duration,
    /// The nodes it ran, with their VM serials.
    pub steps: Vec<Step>,
}

/// Shared work index and cancel flag.
#[derive(Debug)]
pub struct WorkQueue<R: Runtime> {
    next: R::AtomicUsize,
    len: usize,
    cancelled: R::AtomicBool,
}

impl<R: Runtime> WorkQueue<R> {
    /// A queue of `len` branches.
    pub fn new(len: usize) -> Self {
        WorkQueue {
            next: R::AtomicUsize::new(0),
            len,
            cancelled: R::AtomicBool::new(false),
        }
    }

    /// The next branch index in declared order, or `None` when all are taken.
    pub fn take(&self) -> Option<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < self.len).then_some(i)
    }

    /// Asks every branch to stop.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
    }

    /// Whether [`WorkQueue::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }
}

/// The seam where branch results are gathered for the fan-in, as steps the engine drives.
///
/// For each branch, on the worker that ran it, the engine calls [`claim`](Collector::claim)
/// (a result is coming), [`store`](Collector::store) (it is written) and
/// [`publish`](Collector::publish) (it may be seen), with its own chaos points before the
/// claim, between claim and store, and between store and publish: the places where fan-in
/// races live. Once every worker has joined, [`finish`](Collector::finish) hands the fan-in
/// its results. Under `fail_fast` two more steps decide what a failed result does: whether it
/// cancels the siblings ([`cancels`](Collector::cancels)) and which failure ends the run
/// before its fan-in ([`failure`](Collector::failure)). The engine's own is [`Slots`];
/// mutants replace steps (an unlocked read-modify-write, a snapshot taken when a count says
/// done, completion order, a cancellation never raised), never the driver, so the engine's
/// perturbation stays where the race is.
pub trait Collector<R: Runtime>: Sync {
    /// What `claim` hands to `store` (the engine's own: nothing).
    type Claim;
    /// Room for `branches` results.
    fn new(branches: usize) -> Self;
    /// Branch `index` is done and its result is coming; once per branch, from any worker.
    fn claim(&self, index: usize) -> Self::Claim;
    /// Stores the result of the branch `claim` was for.
    fn store(&self, claim: Self::Claim, result: BranchResult);
    /// The result of branch `index` is stored.
    fn publish(&self, index: usize) {
        let _ = index;
    }
    /// The results for the fan-in, in declared order.
    fn finish(self) -> Vec<BranchResult>;

    /// Under `fail_fast`: whether `result` cancels the branches still to run or running. The
    /// engine's: every failure does.
    fn cancels(&self, result: &BranchResult) -> bool {
        result.outcome.is_err()
    }

    /// Under `fail_fast`: the failure that fails the run instead of going on to the fan-in,
    /// if any. The engine's: the first in declared order that is not a cancellation.
    fn failure(results: &[BranchResult]) -> Option<RunError> {
        results.iter().find_map(|r| match &r.outcome {
            Err(RunError::Cancelled { .. }) | Ok(_) => None,
            Err(e) => Some(e.clone()),
        })
    }
}

/// One slot per branch behind one lock: written once each, read after every worker joined.
#[derive(Debug)]
pub struct Slots<R: Runtime> {
    slots: R::Mutex<Vec<Option<BranchResult>>>,
}

impl<R: Runtime> Collector<R> for Slots<R> {
    type Claim = usize;

    fn new(branches: usize) -> Self {
        Slots {
            slots: R::Mutex::new(vec![None; branches]),
        }
    }

    #[inline]
    fn claim(&self, index: usize) -> usize {
        index
    }

    fn store(&self, index: usize, result: BranchResult) {
        self.slots.lock()[index] = Some(result);
    }

    fn finish(self) -> Vec<BranchResult> {
        self.slots.into_inner().into_iter().flatten().collect()
    }
}

/// Runs branch `index` on `worker`: `(index, worker, queue) -> result`.
pub type RunBranch<'a, R> = dyn Fn(usize, usize, &Arc<WorkQueue<R>>) -> BranchResult + Sync + 'a;

/// Runs `len` branches on at most `workers` workers of the helper pool (its hand-off steps
/// `H`, the engine's own being [`Helpers`](crate::sync::pool::Helpers)) and collects them
/// with `C`.
///
/// `run_branch(index, worker, queue)` must produce the branch's result (`worker` is the
/// worker running it, 0 being the caller's thread); a panic in it becomes a
/// [`RunError::BranchPanic`] for that branch, and its siblings go on. Under `fail_fast`, a
/// branch taken after the cancel flag is set is not run: it is collected as
/// [`RunError::Cancelled`]. `name(index)` names branches for those cases. `chaos` perturbs
/// the collection steps ([`Chaos::OFF`] for none).
pub fn run_fan_out<R, C, H>(
    len: usize,
    workers: usize,
    fail_fast: bool,
    chaos: Chaos,
    name: &(dyn Fn(usize) -> String + Sync),
    run_branch: &RunBranch<'_, R>,
) -> Vec<BranchResult>
where
    R: Runtime,
    C: Collector<R>,
    H: HandOff,
{
    let queue = Arc::new(WorkQueue::<R>::new(len));
    let collector = C::new(len);
    let workers = workers.clamp(1, len.max(1));
    run_workers_with::<R, H, _>(workers, LUA_STACK_SIZE, |worker| {
        while let Some(index) = queue.take() {
            // A branch that starts after a fail_fast failure is cancelled before it runs; its
            // trace says so.
            let result = if fail_fast && queue.is_cancelled() {
                let mut cancelled = failed(
                    index,
                    name(index),
                    RunError::Cancelled {
                        branch: name(index),
                    },
                );
                cancelled
                    .steps
                    .push(Step::cancelled(name(index), index, name(index)));
                cancelled
            } else {
                catch_unwind(AssertUnwindSafe(|| run_branch(index, worker, &queue))).unwrap_or_else(
                    |payload| {
                        let error = RunError::panicked(name(index), payload.as_ref());
                        failed(index, name(index), error)
                    },
                )
            };
            if fail_fast && collector.cancels(&result) {
                queue.cancel();
            }
            chaos.perturb::<R>(index, ChaosPoint::BeforeCollect);
            let claim = collector.claim(index);
            chaos.perturb::<R>(index, ChaosPoint::InCollector);
            collector.store(claim, result);
            chaos.perturb::<R>(index, ChaosPoint::BeforePublish);
            collector.publish(index);
        }
    });
    collector.finish()
}

fn failed(index: usize, name: String, error: RunError) -> BranchResult {
    BranchResult {
        index,
        name,
        outcome: Err(error),
        elapsed: Duration::ZERO,
        steps: Vec::new(),
    }
}
