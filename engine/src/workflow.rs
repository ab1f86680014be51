//! The compiled, immutable workflow: cheap to run many times, from many threads.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::LoadError;
use crate::loader::RawWorkflow;

/// Index of a node in [`Workflow::nodes`].
pub type NodeId = usize;

/// A loaded and checked workflow. Build it with [`Workflow::from_yaml`] or
/// [`Workflow::from_file`]; run it with [`Workflow::run`] (see [`crate::exec`]).
#[derive(Debug)]
pub struct Workflow {
    pub(crate) name: String,
    pub(crate) file: Option<PathBuf>,
    pub(crate) initial_state: Value,
    pub(crate) settings: Settings,
    pub(crate) nodes: Vec<Node>,
    pub(crate) start: Route,
    pub(crate) raw: RawWorkflow,
}

/// Engine settings, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Most workers (threads, counting the caller) one fan-out uses.
    pub max_parallel_branches: usize,
    /// Time budget of one node execution, in ms.
    pub lua_timeout_ms: u64,
    /// Memory limit of every VM, in bytes.
    pub lua_memory_limit: usize,
    /// Most node executions on the main path, and in each branch.
    pub max_steps: usize,
    /// Cancel the other branches and fail the run when one branch fails.
    pub fail_fast: bool,
}

/// One compiled node.
#[derive(Debug)]
pub struct Node {
    /// Unique name.
    pub name: String,
    /// Compiled `run`; `None` passes the state through.
    pub chunk: Option<Chunk>,
    /// Where to go next.
    pub route: Route,
    /// Whether it is a fan-in (declared, or the target of a fan-out).
    pub fan_in: bool,
}

/// Lua compiled once at load time. Each VM loads the bytecode at most once.
#[derive(Debug)]
pub struct Chunk {
    /// Process-unique id, the key of each VM's function cache.
    pub id: u64,
    /// Lua chunk name (`=file.yaml`), which prefixes Lua's error messages.
    pub name: String,
    /// Bytecode from `string.dump`, with line information.
    pub bytecode: Vec<u8>,
}

/// Where a route leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A node.
    Node(NodeId),
    /// `__end__`.
    End,
}

/// How a node (or `__start__`) picks its successor.
#[derive(Debug)]
pub enum Route {
    /// Always this target.
    Go(Target),
    /// The first entry whose condition holds (`None` always holds).
    Choose(Vec<(Option<Chunk>, Target)>),
    /// Run the branches in parallel, then the fan-in.
    FanOut(FanOut),
}

/// A parallel fan-out: branches run from their start nodes until they reach `fan_in`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOut {
    /// The branches' start nodes, in declared order (the order of `parallel_results`).
    pub branches: Vec<NodeId>,
    /// The node that receives `parallel_results`.
    pub fan_in: NodeId,
}

impl Route {
    /// Every target this route may lead to (for fan-out: the branches, then the fan-in).
    pub fn targets(&self) -> Vec<Target> {
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
    /// Loads a workflow from YAML text. `file` labels errors and Lua chunk names.
    pub fn from_yaml(source: &str, file: Option<&Path>) -> Result<Workflow, LoadError> {
        let raw = crate::loader::parse_workflow(source, file)?;
        Self::from_raw(raw, source, file)
    }

    /// Reads and loads a workflow file.
    pub fn from_file(path: &Path) -> Result<Workflow, LoadError> {
        let source = std::fs::read_to_string(path).map_err(|e| {
            let mut err = LoadError::new(crate::error::LoadErrorKind::Io, e.to_string());
            err.file = Some(path.to_path_buf());
            err
        })?;
        Self::from_yaml(&source, Some(path))
    }

    /// Compiles an already-parsed workflow. `source` is only used to locate errors and Lua
    /// line numbers; pass `""` when there is none.
    pub fn from_raw(
        raw: RawWorkflow,
        source: &str,
        file: Option<&Path>,
    ) -> Result<Workflow, LoadError> {
        crate::compile::compile(raw, source, file).map_err(|mut e| {
            if e.file.is_none() {
                e.file = file.map(Path::to_path_buf);
            }
            e
        })
    }

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

    /// The compiled nodes, in declared order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// How the run starts.
    pub fn start(&self) -> &Route {
        &self.start
    }

    /// The workflow as written (for round trips and tools).
    pub fn raw(&self) -> &RawWorkflow {
        &self.raw
    }

    /// The `initial_state` as written (an object).
    pub fn initial_state(&self) -> &Value {
        &self.initial_state
    }

    /// Looks a node up by name.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name)
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
                "choose": rules.iter().map(|(c, t)| serde_json::json!([c.is_some(), name(t)])).collect::<Vec<_>>()
            }),
            Route::FanOut(f) => serde_json::json!({
                "fan_out": f.branches.iter().map(|b| self.nodes[*b].name.clone()).collect::<Vec<_>>(),
                "fan_in": self.nodes[f.fan_in].name,
            }),
        };
        serde_json::json!({
            "start": route(&self.start),
            "nodes": self.nodes.iter().map(|n| serde_json::json!({
                "name": n.name, "fan_in": n.fan_in, "runs_lua": n.chunk.is_some(), "route": route(&n.route),
            })).collect::<Vec<_>>(),
        })
    }
}
