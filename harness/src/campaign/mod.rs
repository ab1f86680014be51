//! The campaign runner: a scenario's iterations, thousands of them, in supervised worker
//! processes (or on threads), for `harness soak` and `harness explore` alike; its two modes
//! differ only behind [`mode::Mode`].
//!
//! Where is what:
//!
//! | file | job |
//! |---|---|
//! | [`runner`] | [`soak`]: one scenario's iterations into one [`sink`], in [`processes`] or [`threads`] |
//! | [`plan`] | the [`Plan`]: seed, jobs, isolation, shard, and what can stop a scenario |
//! | [`mode`] | the [`mode::Mode`] trait, and its two modes: [`mode::soak`], [`mode::explore`] |
//! | [`processes`] | the supervisor: hands out batches, kills hangs, records crashes |
//! | [`worker`] | `harness __worker`: the process side, speaking the [`protocol`] |
//! | [`watch`], [`child_clock`] | the watchdog on nodes' hard deadlines; a worker's active time |
//! | [`stop`] | signals turned into a clean stop |
//! | [`sink`] | where iterations end up: the tally, progress, `--fail-fast`, checkpoints |
//! | [`session`] | one worker for a conversation (a replay, a shrink) |
//! | [`exe`] | the binary workers run, and their command line |
//!
//! What one iteration is (seed, knobs, run, judgement) sits below, in [`crate::iteration`];
//! what iterations add up to in [`crate::outcome`]; the shuttle side of explore in
//! [`crate::explore`].

pub(crate) mod child_clock;
pub(crate) mod exe;
pub(crate) mod mode;
pub(crate) mod plan;
pub(crate) mod processes;
pub(crate) mod protocol;
pub(crate) mod runner;
pub(crate) mod session;
pub(crate) mod sink;
pub(crate) mod stop;
pub(crate) mod threads;
pub(crate) mod watch;
pub(crate) mod worker;

pub use exe::set_worker_exe;
pub use plan::{ExplorePlan, ExploreStats, Halt, Isolation, KEPT_SCHEDULES};
pub use plan::{Plan, Shard, WorkerStats};
pub use runner::{Soaked, soak};
pub use stop::Stop;
pub use worker::WorkerArgs;
