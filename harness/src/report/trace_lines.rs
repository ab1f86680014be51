//! A run's trace as text lines: which node ran on which VM, in which branch, and how many
//! workers each fan-out ran on.

use engine::Trace;

/// One line per step, indented by `indent` spaces, with the error class of a step that failed
/// (`FAILED (cancelled)` for a branch a `fail_fast` failure stopped), then one line per
/// fan-out with the workers it ran on and what decided them (`adaptive`: the policy's
/// choice). Branches are numbered from 1, as `branch.index` numbers them in Lua.
pub fn lines(trace: &Trace, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let fan_outs = trace.fan_outs.iter().map(|f| {
        format!(
            "{pad}fan-out to `{}`: {} branches on {} worker{} ({})",
            f.fan_in,
            f.branches,
            f.workers,
            if f.workers == 1 { "" } else { "s" },
            f.decided_by
        )
    });
    trace
        .steps
        .iter()
        .map(|step| {
            let branch = match (&step.branch, &step.branch_name) {
                (Some(i), Some(name)) => format!("branch {} `{name}`", i + 1),
                _ => "main".to_string(),
            };
            let vm = if step.vm == 0 {
                "no VM".to_string()
            } else {
                format!("VM #{}", step.vm)
            };
            let status = match (&step.error, step.ok) {
                (_, true) => "ok".to_string(),
                (Some(kind), false) => format!("FAILED ({kind})"),
                (None, false) => "FAILED".to_string(),
            };
            format!("{pad}{:<24} {vm:<10} {branch:<28} {status}", step.node)
        })
        .chain(fan_outs)
        .collect()
}
