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
//! Also here, for the model tests and the fuzzers: the adaptive worker count's shared state
//! ([`BranchCost`], [`Overhead`]), the fan-out core itself
//! ([`run_fan_out`], [`WorkQueue`]), the VM ([`Vm`], [`VmSpec`], [`Budget`], [`Fault`]),
//! compiled [`Chunk`]s, the JSON/Lua conversions every node's state goes through, and the
//! [`BranchEntry`]s a fan-in node is handed; and the budget alarm's plants ([`AlarmPlant`]),
//! which put the lost-alarm mutant's faults into the alarm and into Lua's `traceexec`.

pub use crate::chaos::Chaos;
pub use crate::fan_in::BranchEntry;
pub use crate::lua::chunk::Chunk;
pub use crate::lua::convert::{from_lua, to_lua};
pub use crate::lua::plant::AlarmPlant;
pub use crate::lua::vm::{Budget, Fault, SandboxFactory, Vm, VmFactory, VmSpec};
pub use crate::run::adaptive::{BranchCost, Overhead};
pub use crate::run::deadline::{Deadlines, PerNode};
pub use crate::run::pool::{BranchResult, Collector, RunBranch, Slots, WorkQueue, run_fan_out};
pub use crate::run::state::{Copies, States};
pub use crate::sync::pool::{CONTRACT, HandOff, Helpers, run_workers_with};
