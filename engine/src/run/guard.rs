//! Faults and panics to [`RunError`]s: every piece of VM work a path does goes through
//! [`guarded`], so a Lua fault names its node and branch and a panic in host code fails
//! only its own path.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::RunError;
use crate::lua::vm::Fault;
use crate::workflow::Workflow;

/// Runs VM work for `node` on the path of `branch` (`None`: the main path), turning a fault
/// into a [`RunError`] and a panic in host code into [`RunError::BranchPanic`].
pub(crate) fn guarded<T>(
    wf: &Workflow,
    node: &str,
    branch: Option<&str>,
    f: impl FnOnce() -> Result<T, Fault>,
) -> Result<T, RunError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(fault)) => Err(fault_error(fault, wf, node, branch)),
        Err(payload) => Err(RunError::panicked(
            branch.unwrap_or("__main__"),
            payload.as_ref(),
        )),
    }
}

/// The run error for a VM fault in `node`.
pub(crate) fn fault_error(
    fault: Fault,
    wf: &Workflow,
    node: &str,
    branch: Option<&str>,
) -> RunError {
    let (node, branch) = (node.to_string(), branch.map(str::to_string));
    match fault {
        Fault::Lua(message) => RunError::Lua {
            node,
            branch,
            message,
        },
        Fault::Timeout => RunError::Timeout {
            node,
            branch,
            budget_ms: wf.settings.lua_timeout_ms,
            took_ms: None,
        },
        Fault::Overran(took) => RunError::Timeout {
            node,
            branch,
            budget_ms: wf.settings.lua_timeout_ms,
            took_ms: Some(took.as_millis() as u64),
        },
        Fault::Memory => RunError::Memory {
            node,
            branch,
            limit: wf.settings.lua_memory_limit,
        },
        Fault::Cancelled => RunError::Cancelled {
            branch: branch.unwrap_or_else(|| "__main__".into()),
        },
        Fault::BadReturn(found) => RunError::BadReturn {
            node,
            branch,
            found,
        },
    }
}

/// A route error from `node`.
pub(crate) fn routing(node: &str, message: String) -> RunError {
    RunError::Routing {
        node: node.to_string(),
        message,
    }
}
