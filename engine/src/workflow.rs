//! The compiled, immutable workflow: cheap to run many times, from many threads.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::condition::{CondId, Conditions};
use crate::loader::RawWorkflow;
use crate::lua::chunk::Chunk;

/// Index of a node in [`Workflow::nodes`].
pub(crate) type NodeId = usize;

/// A loaded and checked workflow. Build it with [`Workflow::from_yaml`] or
/// [`Workflow::from_file`]; run it with [`Workflow::run`].
#[derive(Debug)]
pub struct Workflow {
    pub(crate) name: String,
    pub(crate) file: Option<PathBuf>,
    pub(crate) initial_state: Value,
    pub(crate) settings: Settings,
    pub(crate) nodes: Vec<Node>,
    pub(crate) start: Route,
    /// Every condition of the workflow, compiled into one Tera instance.
    pub(crate) conditions: Conditions,
    pub(crate) raw: RawWorkflow,
}

/// Engine settings, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Most workers (threads, counting the caller) one fan-out uses; `None` means the cores
    /// of the machine that runs it, decided when it runs.
    pub max_parallel_branches: Option<usize>,
    /// Time budget of one node execution, in ms.
    pub lua_timeout_ms: u64,
    /// Hard deadline of one node execution, in ms: past it a [`NodeWatch`](crate::NodeWatch)
    /// is told the node never came back. Default: twice the budget plus 5 s.
    pub hard_timeout_ms: u64,
    /// Memory limit of every VM, in bytes.
    pub lua_memory_limit: usize,
    /// Most node executions on the main path, and in each branch.
    pub max_steps: usize,
    /// Cancel the other branches and fail the run when one branch fails.
    pub fail_fast: bool,
}

/// One compiled node.
#[derive(Debug)]
pub(crate) struct Node {
    /// Unique name.
    pub(crate) name: String,
    /// Compiled `run`; `None` passes the state through.
    pub(crate) chunk: Option<Chunk>,
    /// A `type: while_loop` node's loop (its `chunk` is then `None`).
    pub(crate) while_loop: Option<WhileLoop>,
    /// Where to go next.
    pub(crate) route: Route,
    /// Whether it is a fan-in (declared, or the target of a fan-out).
    pub(crate) fan_in: bool,
}

/// TEA's `type: while_loop`: while `condition` renders as `true`, run `body` in order, at
/// most `max_iterations` times (a run that would need one more fails).
#[derive(Debug)]
pub(crate) struct WhileLoop {
    pub(crate) condition: CondId,
    pub(crate) max_iterations: usize,
    /// `(name, compiled run)` of each body node, in order.
    pub(crate) body: Vec<(String, Option<Chunk>)>,
}

/// When a [`Route::Choose`] entry is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Guard {
    /// Always (a goto rule without `if`).
    Always,
    /// When the condition holds (`if`, `when` with `to`).
    Holds(CondId),
    /// When the condition renders as this text (`when` with `targets:`).
    Renders(CondId, String),
}

/// Where a route leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A node.
    Node(NodeId),
    /// `__end__`.
    End,
}

/// How a node (or `__start__`) picks its successor.
#[derive(Debug)]
pub(crate) enum Route {
    /// Always this target.
    Go(Target),
    /// The first entry whose guard holds (see [`crate::run::walk`] for overlaps).
    Choose(Vec<(Guard, Target)>),
    /// Run the branches in parallel, then the fan-in.
    FanOut(FanOut),
}

/// A parallel fan-out: branches run from their start nodes until they reach `fan_in`.
#[derive(Debug)]
pub(crate) struct FanOut {
    /// The branches' start nodes, in declared order (the order of `parallel_results`).
    pub(crate) branches: Vec<NodeId>,
    /// The node that receives `parallel_results`.
    pub(crate) fan_in: NodeId,
    /// What its branches took in earlier runs: the adaptive worker count's prediction.
    pub(crate) cost: crate::run::adaptive::BranchCost,
}

impl Route {
    /// Every target this route may lead to (for fan-out: the branches, then the fan-in).
    pub(crate) fn targets(&self) -> Vec<Target> {
        match self {
            Route::Go(t) => vec![*t],
            Route::Choose(rules) => rules.iter().map(|(_, t)| *t).collect(),
            Route::FanOut(f) => f
                .branches
                .iter()
                .chain([&f.fan_in])
                .map(|&n| Target::Node(n))
                .collect(),
        }
    }
}

impl Workflow {
    /// The workflow's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file it was loaded from, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The workflow as written (for round trips and tools).
    pub fn raw(&self) -> &RawWorkflow {
        &self.raw
    }

    /// The shape of the compiled graph, without Lua bytecode: each node's name, fan-in flag
    /// and route targets by name. Two workflows with equal shapes route identically.
    pub fn shape(&self) -> Value {
        let name = |t: &Target| match t {
            Target::Node(n) => self.nodes[*n].name.clone(),
            Target::End => "__end__".to_string(),
        };
        let route = |r: &Route| match r {
            Route::Go(t) => serde_json::json!({ "go": name(t) }),
            Route::Choose(rules) => serde_json::json!({
                "choose": rules.iter().map(|(g, t)| serde_json::json!([*g != Guard::Always, name(t)])).collect::<Vec<_>>()
            }),
            Route::FanOut(f) => serde_json::json!({
                "fan_out": f.branches.iter().map(|b| self.nodes[*b].name.clone()).collect::<Vec<_>>(),
                "fan_in": self.nodes[f.fan_in].name,
            }),
        };
        serde_json::json!({
            "start": route(&self.start),
            "nodes": self.nodes.iter().map(|n| serde_json::json!({
                "name": n.name, "fan_in": n.fan_in, "runs_lua": n.chunk.is_some(),
                "while_loop": n.while_loop.is_some(), "route": route(&n.route),
            })).collect::<Vec<_>>(),
        })
    }
}
