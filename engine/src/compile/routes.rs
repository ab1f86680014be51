//! Routes from `goto`, edges (simple, conditional, target maps, both parallel dialects)
//! and implicit chaining, as TEA-Rust builds them ([`super::tea_graph`]): a node's `goto`
//! wins over its edges, a node with neither chains to the next node in the list, and the
//! last node in the list with neither ends the run, in workflows with edges too.

use std::collections::{BTreeSet, HashMap};

use super::context::{Ctx, END, START};
use super::tea_graph::{Edge, Why, goto_edges, legacy_edge, route};
use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::{RawEdge, RawWorkflow};
use crate::workflow::{FanOut, NodeId, Route, Target};

/// The route of `__start__` and of every node. Rust-dialect fan-outs are left with a
/// placeholder fan-in, decided in [`super::fanin::fan_outs`].
pub(super) fn routes(
    ctx: &Ctx,
    raw: &RawWorkflow,
) -> Result<(Route, Vec<Option<Route>>), LoadError> {
    // Edges by source, sources in the order they first appear (errors come in file order).
    let mut by_from: HashMap<&str, Vec<&RawEdge>> = HashMap::new();
    let mut sources: Vec<&str> = Vec::new();
    for edge in &raw.edges {
        if edge.from != START {
            ctx.node_id(None, &edge.from)?;
        }
        let list = by_from.entry(edge.from.as_str()).or_default();
        if list.is_empty() {
            sources.push(edge.from.as_str());
        }
        list.push(edge);
    }
    // Index 0 is `__start__`, node `n` is `n + 1`.
    let slot = |name: &str| {
        if name == START {
            0
        } else {
            ctx.names[name] + 1
        }
    };
    let mut graph: Vec<Vec<Edge>> = vec![Vec::new(); raw.nodes.len() + 1];
    let mut fan_outs: Vec<Option<Route>> = (0..=raw.nodes.len()).map(|_| None).collect();
    let has_start = by_from.contains_key(START);
    if !has_start {
        graph[0].push(Edge::Simple(Target::Node(0), Why::Entry));
    }
    let ends = node_edges(ctx, raw, &by_from, &mut graph)?;
    for from in sources {
        let edges = &by_from[from];
        let at = slot(from);
        if at > 0 && raw.nodes[at - 1].goto.is_some() {
            continue; // `goto` wins; parallel edges beside it were refused in `node_edges`
        }
        if edges.iter().any(|e| is_parallel(e)) {
            fan_outs[at] = Some(edge_route(ctx, from, edges)?);
            continue;
        }
        for edge in edges {
            graph[at].extend(legacy_edge(ctx, from, edge)?);
        }
    }
    if has_start && let Some(entry) = first_entry(raw) {
        graph[0].push(Edge::Simple(ctx.target(Some(START), entry)?, Why::Entry));
    }
    if !ends {
        let Some(last) = raw.edges.iter().find(|e| e.to.as_deref() == Some(END)) else {
            return Err(LoadError::new(
                K::NoWayOut,
                "nothing ends the workflow, and TEA-Rust refuses such a workflow: end it with \
                 a last node in the list with no goto and no edge, `goto: __end__`, a goto \
                 rule `{to: __end__}`, or an edge to `__end__`",
            ));
        };
        graph[slot(&last.from)].push(Edge::Simple(Target::End, Why::Finish));
    }
    let mut routes = Vec::with_capacity(raw.nodes.len() + 1);
    for (at, edges) in graph.iter().enumerate() {
        let from = if at == 0 {
            START
        } else {
            raw.nodes[at - 1].name.as_str()
        };
        routes.push(match fan_outs[at].take() {
            Some(fan_out) => fan_out,
            None => route(ctx, from, edges)?,
        });
    }
    let start = routes.remove(0);
    Ok((start, routes.into_iter().map(Some).collect()))
}

/// Each node's `goto` edges or implicit chaining (TEA-Rust's
/// `process_goto_and_implicit_edges`); returns whether one of them ends the workflow.
fn node_edges(
    ctx: &Ctx,
    raw: &RawWorkflow,
    by_from: &HashMap<&str, Vec<&RawEdge>>,
    graph: &mut [Vec<Edge>],
) -> Result<bool, LoadError> {
    let mut ends = false;
    for (id, node) in raw.nodes.iter().enumerate() {
        let name = node.name.as_str();
        let edges = by_from.get(name);
        if let Some(goto) = &node.goto {
            if edges.is_some_and(|es| es.iter().any(|e| is_parallel(e))) {
                // `goto` wins over edges, which would silently drop this fan-out.
                return Err(ctx.at_node(
                    K::Invalid,
                    name,
                    format!("node `{name}` has both a `goto` and parallel edges; the `goto` would drop the fan-out"),
                ));
            }
            let (list, end) = goto_edges(ctx, name, goto)?;
            graph[id + 1].extend(list);
            ends |= end;
        } else if edges.is_some() {
            // Its edges come from the `edges:` list.
        } else if id + 1 < raw.nodes.len() {
            graph[id + 1].push(Edge::Simple(Target::Node(id + 1), Why::Chain));
        } else {
            graph[id + 1].push(Edge::Simple(Target::End, Why::Last));
            ends = true;
        }
    }
    Ok(ends)
}

/// The node TEA-Rust enters at when `__start__` has edges: the first such edge's `to`,
/// target or first branch.
fn first_entry(raw: &RawWorkflow) -> Option<&str> {
    raw.edges.iter().filter(|e| e.from == START).find_map(|e| {
        e.to.as_deref()
            .or_else(|| {
                e.targets
                    .as_ref()
                    .and_then(|t| t.values().next().map(String::as_str))
            })
            .or_else(|| {
                e.parallel
                    .as_ref()
                    .and_then(|p| p.first().map(String::as_str))
            })
    })
}

fn is_parallel(edge: &RawEdge) -> bool {
    edge.parallel.is_some() || edge.kind.is_some()
}

/// The fan-out route given by one node's parallel edges (either dialect).
fn edge_route(ctx: &Ctx, from: &str, edges: &[&RawEdge]) -> Result<Route, LoadError> {
    if edges.iter().any(|e| !is_parallel(e)) {
        return Err(ctx.at_node(
            K::Invalid,
            from,
            format!("node `{from}` mixes parallel edges with other edges"),
        ));
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
        if edge.to.is_some()
            || edge.when.is_some()
            || edge.fan_in.is_some()
            || edge.targets.is_some()
        {
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
            cost: Default::default(),
        }));
    }

    python_fan_out(ctx, from, edges)
}

/// Python dialect: one `{from, to, type: parallel, fan_in}` edge per branch.
fn python_fan_out(ctx: &Ctx, from: &str, edges: &[&RawEdge]) -> Result<Route, LoadError> {
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
        if edge.when.is_some() || edge.targets.is_some() {
            return Err(ctx.at_ref(
                K::Yaml,
                Some(from),
                to,
                "a parallel edge cannot have `when` or `targets`".into(),
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
    Ok(Route::FanOut(FanOut {
        branches,
        fan_in,
        cost: Default::default(),
    }))
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
