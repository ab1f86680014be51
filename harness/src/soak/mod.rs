//! `harness soak`: replay scenarios thousands of times and say, with confidence bounds,
//! whether each always behaves the same way.
//!
//! One file per job: [`seed`] derives every iteration's seed, [`iteration`] runs and checks
//! one, [`runner`] spreads a scenario's iterations over threads, [`tally`] streams their
//! statistics, [`classify`] turns a tally into clean / failing / flaky, [`stats`] gives the
//! bounds, [`replay`] reruns one iteration from its seed.

pub mod args;
pub mod classify;
pub mod fingerprint;
pub mod host;
pub mod iteration;
pub mod replay;
pub mod runner;
pub mod seed;
pub mod stats;
pub mod tally;
