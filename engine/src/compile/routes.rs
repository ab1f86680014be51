//! Routes from `goto`, edges (simple, conditional, both parallel dialects) and implicit
//! chaining, in TEA's precedence.

use std::collections::{BTreeSet, HashMap};

use super::context::{Ctx, START};
use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::{RawEdge, RawGoto, RawWorkflow};
use crate::workflow::{FanOut, NodeId, Route, Target};

/// Every node's route from `goto`, edges, or implicit chaining; `None` where there is none.
/// Rust-dialect fan-outs are left with a placeholder fan-in, decided in [`fan_outs`].
pub(super) fn routes(
    ctx: &Ctx,
    raw: &RawWorkflow,
) -> Result<(Route, Vec<Option<Route>>), LoadError> {
    let mut by_from: HashMap<&str, Vec<&RawEdge>> = HashMap::new();
    for edge in &raw.edges {
        if edge.from != START {
            ctx.node_id(None, &edge.from)?;
        }
        by_from.entry(edge.from.as_str()).or_default().push(edge);
    }
    let plain_list = raw.edges.is_empty() && raw.nodes.iter().all(|n| n.goto.is_none());

    let start = match by_from.get(START) {
        // A fan-out straight from `__start__` is how TEA users often begin.
        Some(edges) => edge_route(ctx, START, edges)?,
        None => Route::Go(Target::Node(0)),
    };

    let mut routes = Vec::with_capacity(raw.nodes.len());
    for (id, node) in raw.nodes.iter().enumerate() {
        let name = node.name.as_str();
        if node.goto.is_some()
            && let Some(edges) = by_from.get(name)
            && edges.iter().any(|e| is_parallel(e))
        {
            // `goto` wins over edges, which would silently drop this fan-out.
            return Err(ctx.at_node(
                K::Invalid,
                name,
                format!("node `{name}` has both a `goto` and parallel edges; the `goto` would drop the fan-out"),
            ));
        }
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
            cost: Default::default(),
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
