//! The soak runner: replay scenarios thousands of times, in supervised worker processes or
//! on threads.
//!
//! One file per job: [`knobs`] derives every iteration's seed and knobs, [`iteration`] runs
//! and judges one, [`runner`] soaks a scenario in [`processes`] (supervised workers, each
//! a [`worker`] speaking the [`protocol`]) or [`threads`], into one [`sink`]; [`watch`]
//! enforces nodes' hard deadlines and [`child_clock`] a worker's iteration deadline on its
//! active time, [`stop`] turns signals into a clean stop, [`session`]
//! holds one worker for a conversation (a replay, a shrink); [`exe`] is the binary workers
//! run. What the iterations add up to is the outcome layer's
//! job ([`crate::outcome`]).

pub mod child_clock;
pub mod exe;
pub mod plan;
pub mod processes;
pub mod protocol;
pub mod runner;
pub mod session;
pub mod sink;
pub mod stop;
pub mod threads;
pub mod watch;
pub mod worker;
