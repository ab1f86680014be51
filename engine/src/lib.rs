//! branchproof's workflow engine: a small YAML/Lua state graph whose parallel branches each
//! get a fresh, sandboxed Lua VM.
//!
//! # Example
//!
//! ```
//! use engine::{RunOptions, Workflow};
//! use serde_json::json;
//!
//! let wf = Workflow::from_yaml(r#"
//! name: demo
//! nodes:
//!   - name: setup
//!     run: return { n = 2 }
//!   - name: a
//!     run: return { v = state.n * 10 }
//!   - name: b
//!     run: return { v = state.n * 20 }
//!   - name: join
//!     fan_in: true
//!     run: |
//!       local sum = 0
//!       for _, r in ipairs(state.parallel_results) do sum = sum + r.state.v end
//!       return { sum = sum }
//! edges:
//!   - { from: setup, parallel: [a, b] }
//!   - { from: a, to: join }
//!   - { from: b, to: join }
//!   - { from: join, to: __end__ }
//! "#, None).unwrap();
//! let run = wf.run(json!({}), &RunOptions::seeded(7));
//! assert_eq!(run.result.unwrap()["sum"], json!(60));
//! ```
//!
//! # What it guarantees (each is tested)
//!
//! * Every branch runs on its own fresh VM, created on the thread that runs it, with a deep
//!   copy of the state. Nothing a branch defines is visible to its siblings or the parent.
//! * `parallel_results` is in declared branch order, never completion order.
//! * Timeouts (an instruction hook, armed by the thread's own timer signal on Linux or
//!   checking every 1,000 instructions elsewhere; no watchdog threads) and memory limits are
//!   per node execution and per VM; one branch's clock never affects another's.
//! * The same seed gives the same result: `math.random` is seeded per VM from the run seed
//!   and the branch index, and states are canonical JSON (keys sorted).
//! * The Edge Agent's Lua workflows run as TEA-Rust runs them (conditions rendered by the
//!   Tera it uses, its navigation rules, its while_loop, its `parallel_results` fields), or
//!   are refused at load naming the TEA feature: `docs/tea-compatibility.md`, and the
//!   compatibility suite in `tests/tea`.
//!
//! # The public surface
//!
//! * the workflow: [`Workflow`] (load, run), [`RunOptions`], [`Run`], [`Trace`], the errors
//!   ([`LoadError`], [`RunError`]) and the YAML model ([`loader`]);
//! * the runtime seam, [`sync`]: threads, locks, atomics and the clock;
//! * [`seams`]: the VM factory, the collector, deadlines and branch states that tests and
//!   mutants plug into, with [`Executor`] to run a workflow through them.
//!
//! Everything else is private.
//!
//! # How to debug
//!
//! `harness run WORKFLOW.yaml --trace` prints which node ran on which VM serial and branch.
//! The engine's threads, locks and clock all come from [`sync`], so a suspect interleaving
//! can be explored under shuttle (`ShuttleRuntime`, `shuttle` feature) or loom
//! (`LoomRuntime`, `loom` feature).
#![deny(missing_docs, missing_debug_implementations)]

mod chaos;
mod compile;
mod condition;
mod error;
mod fan_in;
pub mod loader;
mod locate;
mod lua;
mod predicate;
mod run;
pub mod seams;
pub mod sync;
mod tea_keys;
mod trace;
mod workflow;
mod yaml_check;

pub use chaos::{ChaosLevel, mix};
pub use error::{ErrorKind, LoadError, LoadErrorKind, RunError};
pub use lua::convert::MAX_STATE_DEPTH;
pub use predicate::{PREDICATE_BUDGET, Predicate};
pub use run::executor::{Executor, check_input};
pub use run::options::{NodeWatch, Run, RunOptions};
pub use trace::{FanOutRun, Step, Trace};
pub use workflow::{Settings, Workflow};
