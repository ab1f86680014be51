//! Checks a raw workflow and compiles it: node names to ids, edges to routes, fan-ins
//! decided, Lua compiled to bytecode once.
//!
//! Routing precedence is TEA's: a node's `goto` wins over its edges, and a node with neither
//! chains to the next node in list order. A workflow with no edges and no `goto` at all is a
//! plain list: its last node ends the run. Otherwise the last node must say where it goes.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;

use mlua::{Lua, LuaOptions, StdLib};
use serde_json::Value;

use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::{RawEdge, RawGoto, RawWorkflow};
use crate::locate;
use crate::sync::counters::next_chunk_id;
use crate::workflow::{Chunk, FanOut, Node, NodeId, Route, Settings, Target, Workflow};

const START: &str = "__start__";
const END: &str = "__end__";

struct Ctx<'a> {
    source: &'a str,
    file_label: String,
    names: HashMap<&'a str, NodeId>,
    lua: Lua,
}

impl Ctx<'_> {
    /// An error located at the node's `name:` line.
    fn at_node(&self, kind: K, node: &str, message: String) -> LoadError {
        LoadError::new(kind, message)
            .node(node)
            .at(locate::node_line(self.source, node), None)
    }

    /// An error about a reference, located where the reference is written.
    fn at_ref(&self, kind: K, node: Option<&str>, word: &str, message: String) -> LoadError {
        let mut e =
            LoadError::new(kind, message).at(locate::reference_line(self.source, word), None);
        e.node = node.map(str::to_string);
        e
    }

    fn target(&self, from: Option<&str>, name: &str) -> Result<Target, LoadError> {
        if name == END {
            return Ok(Target::End);
        }
        self.names
            .get(name)
            .map(|&id| Target::Node(id))
            .ok_or_else(|| {
                self.at_ref(
                    K::UnknownNode,
                    from,
                    name,
                    format!("unknown node `{name}`{}", from_msg(from)),
                )
            })
    }

    fn node_id(&self, from: Option<&str>, name: &str) -> Result<NodeId, LoadError> {
        match self.target(from, name)? {
            Target::Node(id) => Ok(id),
            Target::End => Err(self.at_ref(
                K::Invalid,
                from,
                name,
                format!("`{END}` cannot be a branch or fan-in"),
            )),
        }
    }

    /// Compiles Lua text to bytecode. `first_line` maps chunk line 1 to a file line.
    fn chunk(
        &self,
        node: &str,
        what: &str,
        code: &str,
        first_line: Option<usize>,
    ) -> Result<Chunk, LoadError> {
        let (name, text) = match first_line {
            Some(line) => (
                format!("={}", self.file_label),
                format!("{}{code}", "\n".repeat(line - 1)),
            ),
            None => (
                format!("={} ({what} of node `{node}`)", self.file_label),
                code.to_string(),
            ),
        };
        let function = self
            .lua
            .load(&text)
            .set_name(&name)
            .into_function()
            .map_err(|e| {
                let message = lua_message(&e);
                let line = first_line.and_then(|_| lua_line(&message));
                LoadError::new(K::LuaSyntax, format!("compile the {what}: {message}"))
                    .node(node)
                    .at(line.or_else(|| locate::node_line(self.source, node)), None)
            })?;
        Ok(Chunk {
            id: next_chunk_id(),
            name,
            bytecode: function.dump(false),
        })
    }

    fn condition(&self, node: &str, expr: &str) -> Result<Chunk, LoadError> {
        self.chunk(node, "condition", &format!("return ({expr})"), None)
    }
}

fn from_msg(from: Option<&str>) -> String {
    from.map(|f| format!(" (routing from `{f}`)"))
        .unwrap_or_default()
}

/// The first line of a Lua error, without mlua's "syntax error: " prefix.
fn lua_message(e: &mlua::Error) -> String {
    let text = match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => other.to_string(),
    };
    text.lines().next().unwrap_or("").to_string()
}

/// The line number in `file:LINE: message`.
fn lua_line(message: &str) -> Option<usize> {
    let mut parts = message.splitn(3, ':');
    parts.next()?;
    parts.next()?.trim().parse().ok()
}

/// Compiles a parsed workflow (see the module doc for routing rules).
pub(crate) fn compile(
    raw: RawWorkflow,
    source: &str,
    file: Option<&Path>,
) -> Result<Workflow, LoadError> {
    let lua = Lua::new_with(StdLib::NONE, LuaOptions::new())
        .map_err(|e| LoadError::new(K::Invalid, format!("create the Lua compiler: {e}")))?;
    let file_label = file
        .and_then(|f| f.file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| raw.name.clone());
    let mut ctx = Ctx {
        source,
        file_label,
        names: HashMap::new(),
        lua,
    };

    if raw.nodes.is_empty() {
        return Err(LoadError::new(K::Invalid, "the workflow has no nodes"));
    }
    for (id, node) in raw.nodes.iter().enumerate() {
        if node.name == START || node.name == END {
            return Err(ctx.at_node(
                K::Invalid,
                &node.name,
                format!("`{}` is reserved", node.name),
            ));
        }
        if ctx.names.insert(node.name.as_str(), id).is_some() {
            let mut e = ctx.at_node(
                K::DuplicateNode,
                &node.name,
                format!("node `{}` is defined twice", node.name),
            );
            // Point at the second definition.
            e.line = locate::node_lines(source, &node.name).nth(1).or(e.line);
            return Err(e);
        }
        if let Some(lang) = &node.language
            && lang != "lua"
        {
            return Err(ctx.at_node(
                K::Language,
                &node.name,
                format!(
                    "node `{}` uses language `{lang}`; only `lua` is supported",
                    node.name
                ),
            ));
        }
    }

    let settings = settings(&raw)?;
    let initial_state = match &raw.initial_state {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return Err(ctx.at_ref(
                K::Yaml,
                None,
                "initial_state",
                "`initial_state` must be a mapping".into(),
            ));
        }
    };

    let (start, mut routes) = routes(&ctx, &raw)?;
    let fan_outs = fan_outs(&ctx, &raw, &mut routes)?;

    let mut nodes = Vec::with_capacity(raw.nodes.len());
    for (id, (node, route)) in raw.nodes.iter().zip(routes).enumerate() {
        let chunk = match &node.run {
            Some(code) if !code.trim().is_empty() => Some(ctx.chunk(
                &node.name,
                "`run` code",
                code,
                locate::run_code_line(source, &node.name),
            )?),
            _ => None,
        };
        let route = route.ok_or_else(|| {
            ctx.at_node(
                K::NoWayOut,
                &node.name,
                format!(
                    "node `{}` has no way out: give it a `goto` or an edge (use `{END}` to finish)",
                    node.name
                ),
            )
        })?;
        let fan_in = node.fan_in || fan_outs.contains(&id);
        nodes.push(Node {
            name: node.name.clone(),
            chunk,
            route,
            fan_in,
        });
    }
    check_branches(&ctx, &nodes)?;
    drop(ctx);

    Ok(Workflow {
        name: raw.name.clone(),
        file: file.map(Path::to_path_buf),
        initial_state,
        settings,
        nodes,
        start,
        raw,
    })
}

fn settings(raw: &RawWorkflow) -> Result<Settings, LoadError> {
    let s = &raw.settings;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let settings = Settings {
        max_parallel_branches: s.max_parallel_branches.unwrap_or(cores),
        lua_timeout_ms: s.lua_timeout_ms.unwrap_or(30_000),
        lua_memory_limit: s.lua_memory_limit.unwrap_or(64 * 1024 * 1024),
        max_steps: s.max_steps.unwrap_or(1000),
        fail_fast: s.fail_fast.unwrap_or(false),
    };
    let bad = |m: &str| Err(LoadError::new(K::Invalid, format!("settings: {m}")));
    if settings.max_parallel_branches == 0 {
        return bad("`max_parallel_branches` must be at least 1");
    }
    if settings.lua_timeout_ms == 0 {
        return bad("`lua_timeout_ms` must be at least 1");
    }
    if settings.lua_memory_limit < 256 * 1024 {
        return bad(
            "`lua_memory_limit` must be at least 262144 bytes (a sandboxed VM needs about 20 KiB)",
        );
    }
    if settings.max_steps == 0 {
        return bad("`max_steps` must be at least 1");
    }
    Ok(settings)
}

/// Every node's route from `goto`, edges, or implicit chaining; `None` where there is none.
/// Rust-dialect fan-outs are left with a placeholder fan-in, decided in [`fan_outs`].
fn routes(ctx: &Ctx, raw: &RawWorkflow) -> Result<(Route, Vec<Option<Route>>), LoadError> {
    let mut by_from: HashMap<&str, Vec<&RawEdge>> = HashMap::new();
    for edge in &raw.edges {
        if edge.from != START {
            ctx.node_id(None, &edge.from)?;
        }
        by_from.entry(edge.from.as_str()).or_default().push(edge);
    }
    let plain_list = raw.edges.is_empty() && raw.nodes.iter().all(|n| n.goto.is_none());

    let start = match by_from.get(START) {
        Some(edges) => {
            if edges.iter().any(|e| is_parallel(e)) {
                return Err(ctx.at_ref(
                    K::Invalid,
                    None,
                    START,
                    format!("a fan-out from `{START}` is not supported: add a setup node"),
                ));
            }
            edge_route(ctx, START, edges)?
        }
        None => Route::Go(Target::Node(0)),
    };

    let mut routes = Vec::with_capacity(raw.nodes.len());
    for (id, node) in raw.nodes.iter().enumerate() {
        let name = node.name.as_str();
        let route = if let Some(goto) = &node.goto {
            Some(match goto {
                RawGoto::Target(t) => Route::Go(ctx.target(Some(name), t)?),
                RawGoto::Rules(rules) if rules.is_empty() => {
                    return Err(ctx.at_node(
                        K::NoWayOut,
                        name,
                        format!("node `{name}` has an empty `goto` list"),
                    ));
                }
                RawGoto::Rules(rules) => {
                    let mut out = Vec::with_capacity(rules.len());
                    for rule in rules {
                        let cond = rule
                            .condition
                            .as_deref()
                            .map(|c| ctx.condition(name, c))
                            .transpose()?;
                        out.push((cond, ctx.target(Some(name), &rule.to)?));
                    }
                    Route::Choose(out)
                }
            })
        } else if let Some(edges) = by_from.get(name) {
            Some(edge_route(ctx, name, edges)?)
        } else if id + 1 < raw.nodes.len() {
            Some(Route::Go(Target::Node(id + 1)))
        } else if plain_list {
            Some(Route::Go(Target::End))
        } else {
            None
        };
        routes.push(route);
    }
    Ok((start, routes))
}

fn is_parallel(edge: &RawEdge) -> bool {
    edge.parallel.is_some() || edge.kind.is_some()
}

/// The route given by one node's outgoing edges.
fn edge_route(ctx: &Ctx, from: &str, edges: &[&RawEdge]) -> Result<Route, LoadError> {
    let parallel = edges.iter().filter(|e| is_parallel(e)).count();
    if parallel > 0 && parallel < edges.len() {
        return Err(ctx.at_node(
            K::Invalid,
            from,
            format!("node `{from}` mixes parallel edges with other edges"),
        ));
    }
    if parallel == 0 {
        let mut rules = Vec::with_capacity(edges.len());
        for edge in edges {
            let Some(to) = &edge.to else {
                return Err(ctx.at_ref(
                    K::Yaml,
                    Some(from),
                    from,
                    format!("an edge from `{from}` has no `to`"),
                ));
            };
            if edge.fan_in.is_some() {
                return Err(ctx.at_ref(
                    K::Yaml,
                    Some(from),
                    to,
                    "`fan_in` on an edge needs `type: parallel`".into(),
                ));
            }
            let cond = edge
                .when
                .as_deref()
                .map(|w| ctx.condition(from, w))
                .transpose()?;
            rules.push((cond, ctx.target(Some(from), to)?));
        }
        return Ok(match rules.as_slice() {
            [(None, t)] => Route::Go(*t),
            _ => Route::Choose(rules),
        });
    }

    // Rust dialect: one `{from, parallel: [...]}` edge; fan-in decided later.
    if edges.iter().any(|e| e.parallel.is_some()) {
        if edges.len() > 1 || edges[0].kind.is_some() {
            return Err(ctx.at_node(
                K::Invalid,
                from,
                format!(
                    "node `{from}` has more than one fan-out, or mixes the two parallel dialects"
                ),
            ));
        }
        let edge = edges[0];
        if edge.to.is_some() || edge.when.is_some() || edge.fan_in.is_some() {
            return Err(ctx.at_ref(
                K::Yaml,
                Some(from),
                from,
                "a `parallel:` edge takes only `from` and `parallel`".into(),
            ));
        }
        let branches = branch_ids(ctx, from, edge.parallel.as_deref().unwrap_or_default())?;
        return Ok(Route::FanOut(FanOut {
            branches,
            fan_in: usize::MAX,
        }));
    }

    // Python dialect: one `{from, to, type: parallel, fan_in}` edge per branch.
    let mut fan_in_name: Option<&str> = None;
    let mut branch_names = Vec::with_capacity(edges.len());
    for edge in edges {
        if edge.kind.as_deref() != Some("parallel") {
            let kind = edge.kind.as_deref().unwrap_or_default();
            return Err(ctx.at_ref(
                K::Yaml,
                Some(from),
                kind,
                format!("unknown edge type `{kind}` (only `parallel`)"),
            ));
        }
        let (Some(to), Some(fan_in)) = (&edge.to, &edge.fan_in) else {
            return Err(ctx.at_node(
                K::Yaml,
                from,
                format!("a parallel edge from `{from}` needs both `to` and `fan_in`"),
            ));
        };
        if edge.when.is_some() {
            return Err(ctx.at_ref(
                K::Yaml,
                Some(from),
                to,
                "a parallel edge cannot have `when`".into(),
            ));
        }
        match fan_in_name {
            Some(f) if f != fan_in => {
                return Err(ctx.at_node(
                    K::FanIn,
                    from,
                    format!("node `{from}` fans out into two fan-ins (`{f}` and `{fan_in}`)"),
                ));
            }
            _ => fan_in_name = Some(fan_in),
        }
        branch_names.push(to.clone());
    }
    let branches = branch_ids(ctx, from, &branch_names)?;
    let fan_in = ctx.node_id(Some(from), fan_in_name.unwrap_or_default())?;
    Ok(Route::FanOut(FanOut { branches, fan_in }))
}

fn branch_ids(ctx: &Ctx, from: &str, names: &[String]) -> Result<Vec<NodeId>, LoadError> {
    if names.is_empty() {
        return Err(ctx.at_node(
            K::Invalid,
            from,
            format!("node `{from}` fans out into no branches"),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        let id = ctx.node_id(Some(from), name)?;
        if !seen.insert(id) {
            return Err(ctx.at_ref(
                K::Invalid,
                Some(from),
                name,
                format!("branch `{name}` is listed twice"),
            ));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Nodes reachable from `from` (not counting `from` unless there is a cycle back to it).
fn reach(routes: &[Option<Route>], from: NodeId) -> BTreeSet<NodeId> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        for t in routes[n].as_ref().map(Route::targets).unwrap_or_default() {
            if let Target::Node(m) = t
                && m != usize::MAX
                && seen.insert(m)
            {
                queue.push_back(m);
            }
        }
    }
    seen
}

/// Decides the fan-in of every Rust-dialect fan-out (the nearest common successor of its
/// branches, preferring nodes marked `fan_in: true`) and checks every fan-in is reachable
/// from each of its branches. Returns the set of fan-in nodes.
fn fan_outs(
    ctx: &Ctx,
    raw: &RawWorkflow,
    routes: &mut [Option<Route>],
) -> Result<BTreeSet<NodeId>, LoadError> {
    let mut fan_ins = BTreeSet::new();
    for x in 0..routes.len() {
        let Some(Route::FanOut(f)) = &routes[x] else {
            continue;
        };
        let from = raw.nodes[x].name.as_str();
        let branches = f.branches.clone();
        let reaches: Vec<BTreeSet<NodeId>> = branches.iter().map(|&b| reach(routes, b)).collect();
        let fan_in = if f.fan_in == usize::MAX {
            let mut common = reaches[0].clone();
            for r in &reaches[1..] {
                common = common.intersection(r).copied().collect();
            }
            common.retain(|n| *n != x && !branches.contains(n));
            let marked: BTreeSet<_> = common
                .iter()
                .copied()
                .filter(|&n| raw.nodes[n].fan_in)
                .collect();
            let pool = if marked.is_empty() { common } else { marked };
            let nearest: Vec<NodeId> = pool
                .iter()
                .copied()
                .filter(|&c| {
                    !pool
                        .iter()
                        .any(|&d| d != c && reach(routes, d).contains(&c))
                })
                .collect();
            match nearest.as_slice() {
                [one] => *one,
                [] if pool.is_empty() => {
                    return Err(ctx.at_node(K::FanIn, from, format!("the branches of `{from}` never meet: no node is reachable from all of them")));
                }
                _ => {
                    let names: Vec<_> = pool
                        .iter()
                        .map(|&n| format!("`{}`", raw.nodes[n].name))
                        .collect();
                    return Err(ctx.at_node(
                        K::FanIn,
                        from,
                        format!("the fan-in of `{from}` is ambiguous: {} could all be it; mark one with `fan_in: true`", names.join(", ")),
                    ));
                }
            }
        } else {
            f.fan_in
        };
        for (&b, r) in branches.iter().zip(&reaches) {
            if !r.contains(&fan_in) {
                return Err(ctx.at_node(
                    K::FanIn,
                    &raw.nodes[b].name,
                    format!(
                        "branch `{}` of `{from}` never reaches its fan-in `{}`",
                        raw.nodes[b].name, raw.nodes[fan_in].name
                    ),
                ));
            }
        }
        if let Some(Route::FanOut(f)) = &mut routes[x] {
            f.fan_in = fan_in;
        }
        fan_ins.insert(fan_in);
    }
    Ok(fan_ins)
}

/// Rejects fan-outs nested inside branches: they are not supported, so they must not run.
fn check_branches(ctx: &Ctx, nodes: &[Node]) -> Result<(), LoadError> {
    for node in nodes {
        let Route::FanOut(f) = &node.route else {
            continue;
        };
        for &b in &f.branches {
            let mut seen = BTreeSet::from([b]);
            let mut queue = VecDeque::from([b]);
            while let Some(n) = queue.pop_front() {
                if n == f.fan_in {
                    continue;
                }
                if matches!(nodes[n].route, Route::FanOut(_)) {
                    return Err(ctx.at_node(
                        K::NestedFanOut,
                        &nodes[n].name,
                        format!(
                            "node `{}` fans out inside branch `{}` of `{}`; nested fan-out is not supported",
                            nodes[n].name, nodes[b].name, node.name
                        ),
                    ));
                }
                for t in nodes[n].route.targets() {
                    if let Target::Node(m) = t
                        && seen.insert(m)
                    {
                        queue.push_back(m);
                    }
                }
            }
        }
    }
    Ok(())
}
