//! The scenario file format (`scenarios/*.yaml`), exactly as written.
//!
//! A scenario is a workflow plus what it must keep:
//!
//! ```yaml
//! name: isolation-globals
//! description: a global set in one branch is nil in its siblings and in the parent
//! story: "TEA-PY-002 (seed 001): a shared runtime leaked globals between branches"   # optional
//! workflow_file: workflows/isolation-globals.yaml   # or `workflow:` inline
//! initial_state: { n: 1 }          # merged over the workflow's own initial_state
//! iterations: 2000                 # this scenario's default; `--iterations` overrides
//! max_iterations: 5000             # optional cap for deliberately slow scenarios
//! engine_thread: caller            # caller | spawned | mixed (seeded per iteration)
//! hard_deadline: 60s               # an iteration past it is a hang (default 60s, or 5s past
//!                                   # hard_timeout_ms; must exceed lua_timeout_ms)
//! chaos:
//!   level: light                   # off | light | heavy; `--chaos` overrides
//!   workers: [1, 2, 4]             # each iteration picks max_parallel_branches by seed
//! expect:
//!   - final_state: { leaked: false }          # a subset that must match
//!   - lua: state.count == 3 and result.ok     # a predicate over state, result, trace
//!   - error: { kind: timeout, node: spin }    # the run must fail this way
//!   - distinct_vms: true                      # no VM serial shared across paths
//!   - reproducible: true                      # same seed twice, same fingerprint
//!   - equivalent_to: workflows/other.yaml     # same seed, same outcome fingerprint
//!   - deterministic: true                     # (default) one fingerprint across iterations
//! expect_failure: false            # true only for the canary, which must fail every run
//! ```
//!
//! Unknown keys are errors with file:line:column ([`engine::loader::from_yaml`]).

use std::path::PathBuf;

use engine::loader::RawWorkflow;
use serde::Deserialize;
use serde_json::Value;

/// A scenario document as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Unique name; also keys the per-iteration seeds.
    pub name: String,
    /// What it checks, in a sentence.
    #[serde(default)]
    pub description: Option<String>,
    /// The seed story or bug class it comes from (see `shared/seeds/README.md`), if any.
    #[serde(default)]
    pub story: Option<String>,
    /// The workflow, inline. Exactly one of `workflow` and `workflow_file`.
    #[serde(default)]
    pub workflow: Option<RawWorkflow>,
    /// The workflow file, relative to the scenario file.
    #[serde(default)]
    pub workflow_file: Option<PathBuf>,
    /// State merged over the workflow's `initial_state` at the start of every iteration.
    #[serde(default)]
    pub initial_state: Option<Value>,
    /// Iterations when the command line does not say.
    #[serde(default)]
    pub iterations: Option<u64>,
    /// Most iterations this scenario runs, whatever the command line says (slow scenarios).
    #[serde(default)]
    pub max_iterations: Option<u64>,
    /// Which thread runs the engine in each iteration.
    #[serde(default)]
    pub engine_thread: EngineThread,
    /// How long one iteration may take before it is a hang (`60s`, `500ms`, `2m`; default
    /// 60 s; `--hard-deadline` overrides).
    #[serde(default)]
    pub hard_deadline: Option<String>,
    /// Schedule perturbation knobs.
    #[serde(default)]
    pub chaos: RawChaos,
    /// Invariants every iteration must keep.
    #[serde(default)]
    pub expect: Vec<RawInvariant>,
    /// The canary: it must fail every iteration, proving the harness reports failures.
    #[serde(default)]
    pub expect_failure: bool,
}

/// Which thread runs the engine (TEA-PY-006 broke only off the main thread).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineThread {
    /// The soak worker that took the iteration.
    #[default]
    Caller,
    /// A thread spawned for the iteration.
    Spawned,
    /// Either, chosen by the iteration seed (about half each).
    Mixed,
}

/// `chaos:` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChaos {
    /// `off`, `light` or `heavy` (default `off`).
    #[serde(default)]
    pub level: Option<String>,
    /// Swarm knob: each iteration runs with one of these worker caps, picked by its seed.
    #[serde(default)]
    pub workers: Vec<usize>,
}

/// One entry of `expect:`, written as a single-key map (`- lua: ...`). It is a struct of
/// options rather than an enum so that any YAML backend reads it the same way and unknown
/// keys still fail with their line; [`RawInvariant::check`] insists on exactly one key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvariant {
    /// A subset of the final state that must match.
    #[serde(default)]
    pub final_state: Option<Value>,
    /// A Lua predicate over `state`, `result` and `trace` that must return true.
    #[serde(default)]
    pub lua: Option<String>,
    /// The run must fail with this error.
    #[serde(default)]
    pub error: Option<RawExpectedError>,
    /// Whether every iteration must have the same outcome fingerprint (default true).
    #[serde(default)]
    pub deterministic: Option<bool>,
    /// No VM serial is shared between the main path and a branch, or across branches.
    #[serde(default)]
    pub distinct_vms: Option<bool>,
    /// Running the same iteration seed twice gives the same fingerprint.
    #[serde(default)]
    pub reproducible: Option<bool>,
    /// This other workflow file, run with the same seed, has the same outcome fingerprint.
    #[serde(default)]
    pub equivalent_to: Option<PathBuf>,
}

/// The one check a [`RawInvariant`] names.
#[derive(Debug, Clone, Copy)]
pub enum RawCheck<'a> {
    /// `final_state:`.
    FinalState(&'a Value),
    /// `lua:`.
    Lua(&'a str),
    /// `error:`.
    Error(&'a RawExpectedError),
    /// `deterministic:`.
    Deterministic(bool),
    /// `distinct_vms:`.
    DistinctVms(bool),
    /// `reproducible:`.
    Reproducible(bool),
    /// `equivalent_to:`.
    EquivalentTo(&'a PathBuf),
}

impl RawInvariant {
    /// The check it names; an error when it names none or several.
    pub fn check(&self) -> Result<RawCheck<'_>, String> {
        let mut found = Vec::new();
        if let Some(v) = &self.final_state {
            found.push(RawCheck::FinalState(v));
        }
        if let Some(v) = &self.lua {
            found.push(RawCheck::Lua(v));
        }
        if let Some(v) = &self.error {
            found.push(RawCheck::Error(v));
        }
        if let Some(v) = self.deterministic {
            found.push(RawCheck::Deterministic(v));
        }
        if let Some(v) = self.distinct_vms {
            found.push(RawCheck::DistinctVms(v));
        }
        if let Some(v) = self.reproducible {
            found.push(RawCheck::Reproducible(v));
        }
        if let Some(v) = &self.equivalent_to {
            found.push(RawCheck::EquivalentTo(v));
        }
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(
                "it names no check (final_state, lua, error, deterministic, \
                       distinct_vms, reproducible, equivalent_to)"
                    .into(),
            ),
            _ => Err("it names several checks; write one per `-` entry".into()),
        }
    }
}

/// `error:` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpectedError {
    /// An error kind: lua, timeout, memory, panic, routing, bad_return, cancelled.
    pub kind: String,
    /// The node it must name, if given.
    #[serde(default)]
    pub node: Option<String>,
    /// The branch it must name, if given.
    #[serde(default)]
    pub branch: Option<String>,
}
