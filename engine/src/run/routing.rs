//! Conditions at run time: which rule of a node's route is taken, and TEA's while_loop.
//! Both evaluate through the workflow's [`crate::condition::Conditions`] (Tera, as TEA-Rust
//! does), never in the VM.
//!
//! Rules are tried in the order written, as TEA's docs and TEA-Python take them. TEA-Rust
//! tries them last-first; the two agree unless two conditions hold at once with different
//! targets, so a node with more than one condition evaluates them all and fails the run
//! when that happens, rather than pick one of the two answers.

use serde_json::Value;

use super::guard::routing;
use super::walk::{Path, PathPolicy};
use crate::condition::CondId;
use crate::error::RunError;
use crate::fan_in::BranchEntry;
use crate::lua::vm::VmFactory;
use crate::sync::Runtime;
use crate::workflow::{Guard, Node, Route, Target, WhileLoop};

impl<R: Runtime, F: VmFactory<R>> Path<'_, R, F> {
    /// Picks the next target of `route` (not a fan-out) from node `from`.
    pub(crate) fn choose(
        &mut self,
        route: &Route,
        from: &str,
        state: &Value,
    ) -> Result<Target, RunError> {
        let rules = match route {
            Route::Go(target) => return Ok(*target),
            Route::FanOut(_) => {
                unreachable!("fan-outs are walked by the caller; nested ones are rejected at load")
            }
            Route::Choose(rules) => rules,
        };
        let conditions = &self.wf.conditions;
        let several = rules.iter().filter(|(g, _)| *g != Guard::Always).count() > 1;
        // A target map renders its condition once for all its keys.
        let mut rendered: Option<(CondId, String)> = None;
        let mut taken: Option<(&Guard, Target)> = None;
        for (guard, target) in rules {
            let holds = match guard {
                Guard::Always => {
                    if taken.is_none() {
                        return Ok(*target);
                    }
                    break;
                }
                Guard::Holds(id) => conditions.holds(*id, state),
                Guard::Renders(id, key) => {
                    if rendered.as_ref().is_none_or(|(at, _)| at != id) {
                        let text = conditions.render(*id, state).map_err(|why| {
                            routing(
                                from,
                                format!(
                                    "render the `when` of its `targets` (`{}`): {why}",
                                    conditions.text(*id)
                                ),
                            )
                        })?;
                        rendered = Some((*id, text.trim().to_string()));
                    }
                    rendered.as_ref().is_some_and(|(_, text)| text == key)
                }
            };
            match (holds, taken) {
                (false, _) => {}
                (true, None) if !several => return Ok(*target),
                (true, None) => taken = Some((guard, *target)),
                (true, Some((first, to))) if to != *target => {
                    return Err(overlap(self, from, (first, to), (guard, *target)));
                }
                (true, Some(_)) => {}
            }
        }
        taken
            .map(|(_, t)| t)
            .ok_or_else(|| routing(from, "no condition matched and there is no fallback".into()))
    }

    /// Runs a while_loop node: while its condition renders `true`, its body in order. Each
    /// body run counts in `executed` against `max_steps`, so loops inside loops stay bounded
    /// (TEA counts only graph nodes against its own limit).
    pub(crate) fn run_loop(
        &mut self,
        node: &Node,
        while_loop: &WhileLoop,
        state: &mut Value,
        (parallel_results, executed): (Option<&[BranchEntry]>, &mut usize),
        policy: &impl PathPolicy,
    ) -> Result<(), RunError> {
        let conditions = &self.wf.conditions;
        let name = node.name.as_str();
        for iteration in 0.. {
            let holds = conditions
                .loop_holds(while_loop.condition, state)
                .map_err(|why| {
                    routing(
                        name,
                        format!(
                            "evaluate the while_loop condition `{}`: {why}",
                            conditions.text(while_loop.condition)
                        ),
                    )
                })?;
            if !holds {
                break;
            }
            if iteration >= while_loop.max_iterations {
                return Err(routing(
                    name,
                    format!(
                        "while_loop `{name}` exceeded max_iterations ({})",
                        while_loop.max_iterations
                    ),
                ));
            }
            if policy.cancelled() {
                return Err(RunError::Cancelled {
                    branch: self.branch_name().unwrap_or("__main__").to_string(),
                });
            }
            for (body, chunk) in &while_loop.body {
                *executed += 1;
                if *executed > self.wf.settings.max_steps {
                    return Err(routing(
                        name,
                        format!(
                            "exceeded `max_steps` ({}) in while_loop `{name}` (its body runs \
                             count as node executions)",
                            self.wf.settings.max_steps
                        ),
                    ));
                }
                self.exec_chunk(body, chunk.as_ref(), state, parallel_results, policy)?;
            }
        }
        Ok(())
    }
}

/// Two conditions of `from` hold with different targets: TEA-Rust and TEA-Python part.
fn overlap<R: Runtime, F: VmFactory<R>>(
    path: &Path<'_, R, F>,
    from: &str,
    (first, to_first): (&Guard, Target),
    (second, to_second): (&Guard, Target),
) -> RunError {
    let describe = |guard: &Guard, to: Target| {
        let to = match to {
            Target::Node(id) => path.wf.nodes[id].name.as_str(),
            Target::End => "__end__",
        };
        match guard {
            Guard::Holds(id) => format!("`{}` (to `{to}`)", path.wf.conditions.text(*id)),
            Guard::Renders(id, key) => {
                format!(
                    "`{}` rendering `{key}` (to `{to}`)",
                    path.wf.conditions.text(*id)
                )
            }
            Guard::Always => format!("the fallback (to `{to}`)"),
        }
    };
    routing(
        from,
        format!(
            "its conditions {} and {} both hold: TEA-Python and TEA's docs take the first, \
             TEA-Rust the last; make them exclusive",
            describe(first, to_first),
            describe(second, to_second)
        ),
    )
}
