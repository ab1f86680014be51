//! One iteration, below every runner: its seed and knobs ([`knobs`]: one run seed, one seed
//! per (scenario, iteration), and the swarm knobs each seed picks), and running the
//! scenario's workflow with them on a runtime and judging what it did ([`execute`]). Soak
//! runs it on real threads, explore under shuttle ([`crate::explore::workload`]), replay from
//! a token.

pub(crate) mod execute;
pub(crate) mod knobs;

pub use execute::{WireRun, run_iteration};
pub use knobs::{HashSeed, Knobs, Overrides};
