//! The explore runner: each scenario's workflow under shuttle's controlled schedules, through
//! the engine's `ShuttleRuntime`, with virtual time, judged by the same outcome layer as a
//! soak.
//!
//! One file per job: [`schedulers`] (one small file per strategy, on shuttle's public
//! `Scheduler` trait), [`trace`] records what a schedule did, [`run`] runs one execution,
//! [`workload`] makes a scenario iteration a shuttle workload, [`unit`] explores a scenario
//! one schedule at a time, [`shrink`] shrinks a failing schedule to its fewest preemptions.

pub(crate) mod params;
pub(crate) mod rng;
pub(crate) mod run;
pub(crate) mod schedulers;
pub(crate) mod shrink;
pub(crate) mod steps;
pub(crate) mod trace;
pub(crate) mod unit;
pub(crate) mod workload;

pub use params::{ExploreParams, SchedulerKind};
pub use steps::parse_steps;
pub use unit::{Explored, Explorer};
