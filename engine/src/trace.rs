//! The run trace: which node ran on which VM, in which branch.

use serde::{Deserialize, Serialize};

/// One node execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The node.
    pub node: String,
    /// Serial number of the VM it ran on (0 for a node with no Lua).
    pub vm: u64,
    /// 0-based branch index, `None` on the main path.
    pub branch: Option<usize>,
    /// The branch's name, `None` on the main path.
    pub branch_name: Option<String>,
    /// Whether the node succeeded.
    pub ok: bool,
    /// The error class when it failed (`lua`, `timeout`, `cancelled`, ...).
    pub error: Option<String>,
}

impl Step {
    /// Node `node` of branch `index` (`branch`) never ran: a `fail_fast` failure cancelled it
    /// first (no VM: serial 0).
    pub(crate) fn cancelled(node: String, index: usize, branch: String) -> Step {
        Step {
            node,
            vm: 0,
            branch: Some(index),
            branch_name: Some(branch),
            ok: false,
            error: Some(crate::error::ErrorKind::Cancelled.as_str().to_string()),
        }
    }
}

/// How one fan-out ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanOutRun {
    /// Its fan-in node.
    pub fan_in: String,
    /// Its branches.
    pub branches: usize,
    /// The workers it ran them on (1: in turn, on the caller's thread).
    pub workers: usize,
    /// What decided that: `options` (`max_parallel_branches` in the run options), `workflow`
    /// (its settings), `chaos` or `model` (the cores, under perturbation or a model checker)
    /// or `adaptive` (the predicted branch time against the spawn cost).
    pub decided_by: String,
}

/// Every node execution of a run: the main path in order, each fan-out's branches inserted
/// in declared branch order before their fan-in; and how each fan-out ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// The steps.
    pub steps: Vec<Step>,
    /// Each fan-out's worker count, in the order they ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fan_outs: Vec<FanOutRun>,
}

impl Trace {
    /// VM serials used on the main path.
    pub fn main_vms(&self) -> Vec<u64> {
        self.vms(|s| s.branch.is_none())
    }

    /// VM serials used by branch `index` (of any fan-out).
    pub fn branch_vms(&self, index: usize) -> Vec<u64> {
        self.vms(|s| s.branch == Some(index))
    }

    fn vms(&self, keep: impl Fn(&Step) -> bool) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .steps
            .iter()
            .filter(|s| keep(s) && s.vm != 0)
            .map(|s| s.vm)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Checks that no VM serial is shared between the main path and a branch, or between two
    /// branch executions. Returns a description of the first violation.
    pub fn check_distinct_vms(&self) -> Result<(), String> {
        use std::collections::HashMap;
        // Owner of each serial: None for the main path, Some((fan-out ordinal, branch)).
        let mut owner: HashMap<u64, Option<(usize, usize)>> = HashMap::new();
        let mut fan_out = 0;
        let mut last_was_branch = false;
        for step in &self.steps {
            if step.branch.is_some() && !last_was_branch {
                fan_out += 1;
            }
            last_was_branch = step.branch.is_some();
            if step.vm == 0 {
                continue;
            }
            let me = step.branch.map(|b| (fan_out, b));
            match owner.insert(step.vm, me) {
                Some(prev) if prev != me => {
                    let who = |o: Option<(usize, usize)>| match o {
                        None => "the main path".to_string(),
                        Some((_, b)) => format!("branch {b}"),
                    };
                    return Err(format!(
                        "VM #{} ran nodes of {} and of {} (node `{}`)",
                        step.vm,
                        who(prev),
                        who(me),
                        step.node
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
