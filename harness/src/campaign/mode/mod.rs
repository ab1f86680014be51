//! The campaign's two modes behind one trait: what a worker process does with a batch of
//! iterations and with a question about one of them. [`soak`] runs iterations on real
//! threads; [`explore`] runs shuttle schedules (and alone imports the shuttle side,
//! [`crate::explore`]). Everything else in the runner (plan, supervisor, protocol, watchdog,
//! stop, sink) is the same for both.

pub(crate) mod explore;
pub(crate) mod soak;

use super::protocol::{Reply, Request};
use super::watch::Watch;

/// One way of running a scenario's iterations in a worker.
pub trait Mode {
    /// What the worker says once it has loaded the scenario, after [`Reply::Ready`]
    /// (explore: the facts its measuring run found).
    fn loaded(&self) -> Option<Reply>;

    /// Runs iteration (or schedule) `index`; `watch` enforces its nodes' hard deadlines.
    /// `None` when there is no such iteration (a DFS ran out of schedules).
    fn run(&mut self, index: u64, watch: &Watch) -> Option<Reply>;

    /// Answers a request about one iteration (a replay, a shrink), or says this mode has no
    /// answer to it.
    fn answer(&mut self, request: Request, watch: &Watch) -> Reply;
}
