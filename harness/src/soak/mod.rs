//! The soak runner: replay scenarios thousands of times on real threads.
//!
//! One file per job: [`knobs`] derives every iteration's seed and knobs, [`iteration`] runs
//! and judges one, [`runner`] spreads a scenario's iterations over threads, [`replay`]
//! reruns one iteration from its seed. What the iterations add up to is the outcome layer's
//! job ([`crate::outcome`]).

pub mod iteration;
pub mod knobs;
pub mod replay;
pub mod runner;
