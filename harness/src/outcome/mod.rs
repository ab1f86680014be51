//! The outcome layer: what one run ended with (fingerprint, invariants), and what many runs
//! add up to (tally, class, rates, what a flake's failures have in common). Every runner judges iterations
//! through it, so they all mean the same thing by "clean", "failing" and "flaky".

pub mod check;
pub mod classify;
pub mod diff;
pub mod evaluate;
pub mod fingerprint;
pub mod flake_causes;
pub mod stats;
pub mod tally;

pub use classify::{Class, Verdict, classify};
pub use evaluate::{Outcome, evaluate};
pub use fingerprint::Fingerprint;
pub use tally::Tally;
