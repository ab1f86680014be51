//! The helper pool behind [`Runtime::run_workers`](super::Runtime::run_workers), written once
//! against the runtime seam: the same code runs on std threads, under shuttle and under loom.
//!
//! A fan-out's extra workers are threads that finished an earlier call moments ago, or new
//! ones. Why not a fresh scoped thread per call: on this project's 2-core VMs a spawn and join
//! cost ~30 µs, and a thread woken from sleep started its first branch ~35 µs after it was
//! asked (its idle vCPU has to be scheduled again): together more than a trivial branch. So a
//! helper that finishes its share polls for the next one for [`SPIN`] (yielding the CPU to
//! anything else runnable), then sleeps, and exits once idle for [`IDLE`]: no thread outlives
//! the last call that used it by more than `SPIN + IDLE`, and there are never more helpers
//! than the calls running at one time asked for. The caller, done with its own share, polls
//! for its helpers the same way before it sleeps.
//!
//! # The protocol, and the contract it keeps
//!
//! A call lends its closure to helpers with its lifetime erased (`job.rs`), hands each helper
//! one job (`call.rs`), runs worker 0 itself, and waits on a latch until the helpers it
//! waits for are done (`latch.rs`). That is what makes lending a borrowed closure sound: the
//! contract of `std::thread::scope`. The pool checks the contract itself: every job holds a
//! token, apart from the latch, that its helper gives back right after its last use of the
//! closure (or that the job gives back if it is dropped unrun); before `run_workers` returns
//! or unwinds it asserts that no token is out. A latch that lets the caller go one helper
//! early (a use-after-free, undefined behaviour rather than a clean failure) then fails with
//! that named assertion, [`CONTRACT`], after waiting for the tokens so that nothing is used
//! after it is freed; so does a job that a helper leaves without running.
//!
//! A helper between calls waits on its own slot (`helper.rs`, `serve.rs`); the idle list and the threads
//! live in a [`HelperPool`] per runtime (`state.rs`): one per process on real threads, one per
//! execution under the model checkers, where [`shutdown`] wakes and joins every helper at the
//! end of each execution (loom fails a model that leaves a thread running; shuttle calls
//! helpers blocked forever a deadlock).
//!
//! # Timing on the model checkers
//!
//! Neither checker times out a wait (loom 0.7's `Condvar::wait_timeout` never does; shuttle
//! treats threads blocked in timed waits as a deadlock). So the pool's two timers are one
//! choice point of the seam, [`Runtime::fires`](super::Runtime::fires): the spin ends or not,
//! the idle timeout fires or not. A timeout that fires is also a yield, so the woken helper
//! runs when the scheduler gets to it, which is where the race with a caller that is taking
//! it off the idle list lives.
//!
//! # Seams
//!
//! The steps a broken pool changes are [`HandOff`]'s (`steps.rs`): how many helpers the
//! caller waits for, and whether a helper that timed out leaves although a caller just took
//! it. The engine's own is [`Helpers`]; `harness mutants` plants broken ones through
//! [`run_workers_with`].

mod call;
mod helper;
mod job;
mod latch;
mod serve;
mod spin;
mod state;
mod steps;

use std::time::Duration;

pub(crate) use call::run_workers;
pub use call::run_workers_with;
pub(crate) use serve::on_helper_thread;
pub use state::HelperPool;
#[cfg(any(test, feature = "shuttle", feature = "loom"))]
pub use state::shutdown;
pub use steps::{HandOff, Helpers};

/// How long a helper with nothing to do sleeps before it exits.
pub const IDLE: Duration = Duration::from_millis(20);

/// How long a waiter polls before it sleeps.
pub const SPIN: Duration = Duration::from_micros(200);

/// The start of every panic message of the pool's contract assertions: the harness and the
/// tests recognise a contract violation by it.
pub const CONTRACT: &str = "helper pool contract violated";
