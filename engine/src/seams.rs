//! The seams tests and mutants plug into, in one place.
//!
//! Each is a trait with the engine's own implementation beside it, chosen through
//! [`Executor`](crate::Executor)'s type parameters, so the real path pays nothing for it:
//!
//! | seam | engine's own | what it decides |
//! |---|---|---|
//! | [`VmFactory`] | [`SandboxFactory`] | which VM a path gets (a fresh sandboxed one) |
//! | [`Collector`] | [`Slots`] | how branch results reach the fan-in (one slot per branch) |
//! | [`Deadlines`] | [`PerNode`] | a branch node's budget (all of it, charged to its own thread) |
//! | [`States`] | [`Copies`] | a branch's state (a deep copy of the state at the fan-out) |
//! | [`HandOff`] | [`Helpers`] | the helper pool's steps (every helper awaited; one taken off the idle list stays for its job) |
//!
//! Also here, and hidden from the docs: what the model tests, benches and fuzzers drive
//! directly (the fan-out core [`run_fan_out`] with its [`WorkQueue`], the adaptive worker
//! count's shared state, compiled [`Chunk`]s, the JSON/Lua conversions every node's state
//! goes through), the [`BranchEntry`]s a fan-in node is handed, and the budget alarm's
//! plants ([`AlarmPlant`]), which put the lost-alarm mutant's faults into the alarm and into
//! Lua's `traceexec`.

pub use crate::fan_in::BranchEntry;
pub use crate::lua::vm::{Budget, Fault, SandboxFactory, Vm, VmFactory, VmSpec};
pub use crate::run::deadline::{Deadlines, PerNode};
pub use crate::run::pool::{BranchResult, Collector, Slots};
pub use crate::run::state::{Copies, States};
pub use crate::sync::pool::{CONTRACT, HandOff, Helpers, run_workers_with};

#[doc(hidden)]
pub use crate::chaos::Chaos;
#[doc(hidden)]
pub use crate::lua::chunk::Chunk;
#[doc(hidden)]
pub use crate::lua::convert::{from_lua, to_lua};
#[doc(hidden)]
pub use crate::lua::plant::AlarmPlant;
#[doc(hidden)]
pub use crate::run::adaptive::{BranchCost, Overhead};
#[doc(hidden)]
pub use crate::run::pool::{RunBranch, WorkQueue, run_fan_out};
