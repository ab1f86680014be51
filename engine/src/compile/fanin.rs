//! Fan-ins: the nearest common successor of a Rust-dialect fan-out's branches, reachability
//! checks, and the rejection of fan-outs nested inside branches.

use std::collections::{BTreeSet, VecDeque};

use super::context::{Ctx, START};
use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::RawWorkflow;
use crate::workflow::{FanOut, Node, NodeId, Route, Target};

/// Edges on the shortest route from `from` to `to` (`usize::MAX` when there is none).
fn distance(routes: &[Option<Route>], from: NodeId, to: NodeId) -> usize {
    let mut seen = BTreeSet::from([from]);
    let mut queue = VecDeque::from([(from, 0)]);
    while let Some((n, d)) = queue.pop_front() {
        if n == to {
            return d;
        }
        for t in routes[n].as_ref().map(Route::targets).unwrap_or_default() {
            if let Target::Node(m) = t
                && m != usize::MAX
                && seen.insert(m)
            {
                queue.push_back((m, d + 1));
            }
        }
    }
    usize::MAX
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
pub(super) fn fan_outs(
    ctx: &Ctx,
    raw: &RawWorkflow,
    start: &mut Route,
    routes: &mut [Option<Route>],
) -> Result<BTreeSet<NodeId>, LoadError> {
    let mut fan_ins = BTreeSet::new();
    if let Route::FanOut(f) = start {
        f.fan_in = fan_in(ctx, raw, routes, START, None, f)?;
        fan_ins.insert(f.fan_in);
    }
    for x in 0..routes.len() {
        let Some(Route::FanOut(f)) = &routes[x] else {
            continue;
        };
        let decided = fan_in(ctx, raw, routes, &raw.nodes[x].name, Some(x), f)?;
        if let Some(Route::FanOut(f)) = &mut routes[x] {
            f.fan_in = decided;
        }
        fan_ins.insert(decided);
    }
    Ok(fan_ins)
}

/// The fan-in of fan-out `f` from `from` (node `source`, or `__start__`): given, or the
/// nearest common successor of its branches; checked to be reachable from each branch.
fn fan_in(
    ctx: &Ctx,
    raw: &RawWorkflow,
    routes: &[Option<Route>],
    from: &str,
    source: Option<NodeId>,
    f: &FanOut,
) -> Result<NodeId, LoadError> {
    let branches = &f.branches;
    let reaches: Vec<BTreeSet<NodeId>> = branches.iter().map(|&b| reach(routes, b)).collect();
    let fan_in = if f.fan_in == usize::MAX {
        let mut common = reaches[0].clone();
        for r in &reaches[1..] {
            common = common.intersection(r).copied().collect();
        }
        common.retain(|n| Some(*n) != source && !branches.contains(n));
        nearest(ctx, raw, routes, from, branches, common)?
    } else {
        f.fan_in
    };
    for (&b, r) in branches.iter().zip(&reaches) {
        let name = &raw.nodes[b].name;
        let message = if b == fan_in {
            format!("`{name}` is both a branch of `{from}` and its fan-in")
        } else if !r.contains(&fan_in) {
            let fan_in = &raw.nodes[fan_in].name;
            format!("branch `{name}` of `{from}` never reaches its fan-in `{fan_in}`")
        } else {
            continue;
        };
        return Err(ctx.at_node(K::FanIn, name, message));
    }
    Ok(fan_in)
}

/// The fan-in among `common`, the nodes every branch of `from` reaches: the one marked
/// `fan_in: true` or, among all when none is, the nearest meeting point (the candidate with
/// the smallest worst distance from the branches). A loop back through the fan-in (a retry)
/// leaves one nearest node; two candidates at the same distance are a real ambiguity.
fn nearest(
    ctx: &Ctx,
    raw: &RawWorkflow,
    routes: &[Option<Route>],
    from: &str,
    branches: &[NodeId],
    common: BTreeSet<NodeId>,
) -> Result<NodeId, LoadError> {
    let marked: BTreeSet<_> = common
        .iter()
        .copied()
        .filter(|&n| raw.nodes[n].fan_in)
        .collect();
    let pool = if marked.is_empty() { common } else { marked };
    let worst = |c: NodeId| branches.iter().map(|&b| distance(routes, b, c)).max();
    let best = pool.iter().map(|&c| worst(c).unwrap_or(0)).min();
    let nearest: Vec<NodeId> = pool
        .iter()
        .copied()
        .filter(|&c| Some(worst(c).unwrap_or(0)) == best)
        .collect();
    match nearest.as_slice() {
        [one] => Ok(*one),
        [] => Err(ctx.at_node(
            K::FanIn,
            from,
            format!("the branches of `{from}` never meet: no node is reachable from all of them"),
        )),
        _ => {
            let names: Vec<_> = pool
                .iter()
                .map(|&n| format!("`{}`", raw.nodes[n].name))
                .collect();
            Err(ctx.at_node(
                K::FanIn,
                from,
                format!("the fan-in of `{from}` is ambiguous: {} could all be it; mark one with `fan_in: true`", names.join(", ")),
            ))
        }
    }
}

/// Rejects fan-outs nested inside branches (not supported, so they must not run) and a
/// while_loop that starts a branch (TEA-Rust would skip its loop).
pub(super) fn check_branches(ctx: &Ctx, start: &Route, nodes: &[Node]) -> Result<(), LoadError> {
    let fan_outs =
        std::iter::once((START, start)).chain(nodes.iter().map(|n| (n.name.as_str(), &n.route)));
    for (from, route) in fan_outs {
        let Route::FanOut(f) = route else {
            continue;
        };
        for &b in &f.branches {
            if nodes[b].while_loop.is_some() {
                return Err(ctx.at_node(
                    K::Invalid,
                    &nodes[b].name,
                    format!(
                        "while_loop `{}` is a branch of `{from}`: TEA-Rust runs a branch's \
                         first node by its own code only, so it would skip the loop; start the \
                         branch with a node that goes to the loop",
                        nodes[b].name
                    ),
                ));
            }
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
                            nodes[n].name, nodes[b].name, from
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
