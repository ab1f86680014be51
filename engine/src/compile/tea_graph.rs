//! TEA-Rust's graph, rebuilt: the edges its `yaml_edges.rs` gives each node (goto rules,
//! implicit chaining, the `edges:` list, and the entry and finish edges it infers), and the
//! route its executor's `get_next_node` takes over them.
//!
//! TEA-Rust takes an unconditional edge before evaluating any condition, and of two such
//! edges the one added last; it evaluates conditions last-added first, then a goto rule
//! without `if`. Where that makes a workflow mean something other than what TEA's docs and
//! TEA-Python say (a condition never evaluated, one of two edges silently dropped, a
//! fallback before later rules), the workflow is refused here with the form that means the
//! same in both. Conditions are evaluated in list order; the walker fails a run in which
//! two of them hold with different targets, the one case where the two orders differ
//! (`crate::run::walk`).

use super::context::{Ctx, END, START};
use crate::condition::Mode;
use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::{RawEdge, RawGoto};
use crate::workflow::{Guard, Route, Target};

/// Why an unconditional edge is there, to say which one TEA-Rust takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    /// `goto: node`.
    Goto,
    /// A goto rule `{to: __end__}` without `if` (TEA-Rust's finish edge).
    GotoEnd,
    /// An edge without `when`.
    Edge,
    /// Implicit chaining to the next node in the list.
    Chain,
    /// The last node in the list, with no goto and no edge: it ends the run.
    Last,
    /// TEA-Rust's entry edge from `__start__`.
    Entry,
    /// The edge to `__end__` TEA-Rust adds when nothing else ends the workflow.
    Finish,
}

/// One outgoing edge as TEA-Rust's graph holds it.
#[derive(Debug, Clone)]
pub(super) enum Edge {
    Simple(Target, Why),
    Cond(Guard, Target),
    /// A goto rule without `if`, to a node.
    Fallback(Target),
}

/// A node's `goto` as edges, and whether it ends the workflow (TEA's finish point).
pub(super) fn goto_edges(
    ctx: &Ctx,
    name: &str,
    goto: &RawGoto,
) -> Result<(Vec<Edge>, bool), LoadError> {
    let rules = match goto {
        RawGoto::Target(t) => {
            let t = ctx.target(Some(name), t)?;
            return Ok((vec![Edge::Simple(t, Why::Goto)], t == Target::End));
        }
        RawGoto::Rules(rules) if rules.is_empty() => {
            return Err(ctx.at_node(
                K::NoWayOut,
                name,
                format!("node `{name}` has an empty `goto` list"),
            ));
        }
        RawGoto::Rules(rules) => rules,
    };
    let (mut edges, mut ends) = (Vec::with_capacity(rules.len()), false);
    for (i, rule) in rules.iter().enumerate() {
        let target = ctx.target(Some(name), &rule.to)?;
        edges.push(match &rule.condition {
            Some(c) => Edge::Cond(Guard::Holds(ctx.condition(name, c, Mode::Test)?), target),
            None if i + 1 < rules.len() => {
                return Err(ctx.at_ref(
                    K::Invalid,
                    Some(name),
                    &rule.to,
                    format!(
                        "the goto rule of node `{name}` without `if` (to `{}`) must come last: \
                         TEA-Python takes it at once, TEA-Rust evaluates the rules after it \
                         first",
                        rule.to
                    ),
                ));
            }
            None if target == Target::End => {
                ends = true;
                Edge::Simple(target, Why::GotoEnd)
            }
            None => Edge::Fallback(target),
        });
    }
    Ok((edges, ends))
}

/// The edges one (not parallel) `edges:` entry adds.
pub(super) fn legacy_edge(ctx: &Ctx, from: &str, edge: &RawEdge) -> Result<Vec<Edge>, LoadError> {
    let bad = |message: &str| Err(ctx.at_ref(K::Yaml, Some(from), from, message.to_string()));
    if edge.fan_in.is_some() {
        return bad("`fan_in` on an edge needs `type: parallel`");
    }
    match (&edge.to, &edge.targets) {
        (Some(_), Some(_)) => bad(&format!(
            "an edge from `{from}` has both `to` and `targets` (TEA-Rust would ignore `to`): \
             keep one"
        )),
        (None, Some(targets)) if targets.is_empty() => {
            bad(&format!("an edge from `{from}` has an empty `targets` map"))
        }
        (None, Some(targets)) => {
            // TEA-Rust's default for a target map without `when`.
            let when = edge.when.as_deref().unwrap_or("state.result");
            let id = ctx.condition(from, when, Mode::Match)?;
            targets
                .iter()
                .map(|(key, to)| {
                    let to = ctx.target(Some(from), to)?;
                    Ok(Edge::Cond(Guard::Renders(id, key.clone()), to))
                })
                .collect()
        }
        (Some(to), None) => {
            let to = ctx.target(Some(from), to)?;
            Ok(vec![match &edge.when {
                Some(w) => Edge::Cond(Guard::Holds(ctx.condition(from, w, Mode::Test)?), to),
                None => Edge::Simple(to, Why::Edge),
            }])
        }
        (None, None) => bad(&format!("an edge from `{from}` has no `to`")),
    }
}

/// The route TEA-Rust takes over `edges` (in the order it added them), or why it would not
/// take what the workflow seems to say.
pub(super) fn route(ctx: &Ctx, from: &str, edges: &[Edge]) -> Result<Route, LoadError> {
    let (mut simple, mut simple_targets) = (None, Vec::new());
    let (mut rules, mut fallback) = (Vec::new(), None);
    for edge in edges {
        match edge {
            Edge::Simple(t, why) => {
                if !simple_targets.contains(t) {
                    simple_targets.push(*t);
                }
                simple = Some((*t, *why));
            }
            Edge::Cond(guard, t) => rules.push((guard.clone(), *t)),
            Edge::Fallback(t) => fallback = Some(*t),
        }
    }
    if let Some((taken, why)) = simple {
        if !rules.is_empty() || fallback.is_some() {
            return Err(shadowed(ctx, from, taken, why));
        }
        if simple_targets.len() > 1 {
            let names: Vec<String> = simple_targets.iter().map(|t| ctx.name_of(*t)).collect();
            return Err(ctx.at_node(
                K::Invalid,
                from,
                format!(
                    "node `{from}` has unconditional edges to `{}`: TEA-Rust takes only the one \
                     added last (`{}`); keep one, or give them `when` conditions",
                    names.join("`, `"),
                    ctx.name_of(taken)
                ),
            ));
        }
        return Ok(Route::Go(taken));
    }
    if let Some(t) = fallback {
        rules.push((Guard::Always, t));
    }
    Ok(match rules.is_empty() {
        true => Route::Go(Target::End),
        false => Route::Choose(rules),
    })
}

/// A node with conditions whose unconditional edge TEA-Rust takes before evaluating them.
fn shadowed(ctx: &Ctx, from: &str, taken: Target, why: Why) -> LoadError {
    let to = ctx.name_of(taken);
    let (edge, fix) = match why {
        Why::GotoEnd => (
            "its goto rule `{to: __end__}` without `if` (TEA-Rust's finish edge)".to_string(),
            "give that rule an `if` (the negation of the others' conditions)",
        ),
        Why::Entry => (
            format!("the edge TEA-Rust adds from `{START}` to `{to}`"),
            "start with a node that routes with `goto` rules or `when` edges",
        ),
        Why::Finish => (
            format!(
                "the edge to `{END}` TEA-Rust adds from it when nothing else ends the workflow"
            ),
            "end the workflow with a `goto: __end__`, or a last node in the list with no goto and no edge",
        ),
        Why::Goto | Why::Edge | Why::Chain | Why::Last => (
            format!("its unconditional edge to `{to}`"),
            "give every edge from it a `when`",
        ),
    };
    ctx.at_node(
        K::Invalid,
        from,
        format!(
            "TEA-Rust never evaluates the conditions of node `{from}`: it takes {edge} first \
             (TEA-Python evaluates them); {fix}"
        ),
    )
}
