//! The soak mode: a worker runs each iteration on real threads, with the seed and knobs its
//! index derives, under the watchdog; a replay runs a token's seed and knobs twice (the second
//! says whether the seed decides the outcome).

use std::sync::Arc;

use super::Mode;
use crate::campaign::protocol::{Reply, Request};
use crate::campaign::watch::Watch;
use crate::iteration::execute::{WireRun, execute, run_iteration};
use crate::iteration::knobs::{Knobs, Overrides, iteration_seed};
use crate::outcome::Fingerprint;
use crate::scenario::Scenario;

/// A soak worker's scenario and what derives its iterations.
#[derive(Debug)]
pub struct Soak {
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// The run seed.
    pub run_seed: u64,
    /// What the command line overrides in every iteration's knobs.
    pub overrides: Overrides,
}

impl Mode for Soak {
    fn loaded(&self) -> Option<Reply> {
        None
    }

    fn run(&mut self, index: u64, watch: &Watch) -> Option<Reply> {
        let seed = iteration_seed(self.run_seed, &self.scenario.name, index);
        let knobs = Knobs::derive(&self.scenario, seed, &self.overrides);
        let watched = watch.for_iteration(Some(index), seed);
        let (_, outcome) = run_iteration(&self.scenario, seed, &knobs, Some(watched));
        Some(Reply::done(Some(index), seed, &outcome))
    }

    fn answer(&mut self, request: Request, watch: &Watch) -> Reply {
        let Request::Replay { seed, knobs } = request else {
            return Reply::Failed {
                message: "a soak worker replays iterations only".into(),
            };
        };
        let knobs = knobs.unwrap_or_else(|| Knobs::derive(&self.scenario, seed, &self.overrides));
        replayed(&self.scenario, seed, &knobs, watch)
    }
}

/// The iteration with `seed` and `knobs`, run twice: the first run in full, the second's
/// fingerprint.
fn replayed(scenario: &Arc<Scenario>, seed: u64, knobs: &Knobs, watch: &Watch) -> Reply {
    let (run, outcome) =
        run_iteration(scenario, seed, knobs, Some(watch.for_iteration(None, seed)));
    let again = Fingerprint::of(&execute(
        &scenario.workflow,
        &scenario.input,
        seed,
        knobs,
        Some(watch.for_iteration(None, seed)),
    ));
    let mut reply = Reply::done(None, seed, &outcome);
    if let Reply::Done {
        run: r, again: a, ..
    } = &mut reply
    {
        *r = Some(WireRun::from(run));
        *a = Some(again.to_string());
    }
    reply
}
