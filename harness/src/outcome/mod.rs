//! The outcome layer: what one run ended with (fingerprint, invariants), and what many runs
//! add up to (tally, class, rates, what a flake's failures have in common). Every runner judges iterations
//! through it, so they all mean the same thing by "clean", "failing" and "flaky".

pub(crate) mod check;
pub(crate) mod classify;
pub(crate) mod diff;
pub(crate) mod evaluate;
pub(crate) mod fingerprint;
pub(crate) mod flake_causes;
pub(crate) mod stats;
pub(crate) mod tally;

pub use classify::{Class, Verdict, classify};
pub use evaluate::{Outcome, evaluate};
pub use fingerprint::Fingerprint;
pub use tally::Tally;
