//! `harness run WORKFLOW.yaml`: one run, final state on stdout, errors on stderr.

use engine::{RunOptions, Workflow};
use serde_json::Value;

use crate::cli::RunArgs;
use crate::exit;

/// Runs the workflow once.
pub fn run(args: &RunArgs) -> u8 {
    let workflow = match Workflow::from_file(&args.workflow) {
        Ok(wf) => wf,
        Err(e) => {
            eprintln!("error: failed to {e}");
            return exit::USAGE;
        }
    };
    let input = match initial_state(args) {
        Ok(v) => v,
        Err(message) => {
            eprintln!("error: failed to {message}");
            return exit::USAGE;
        }
    };
    let run = workflow.run(input, &RunOptions::seeded(args.seed));
    if args.trace {
        eprintln!("trace (seed {}):", args.seed);
        for step in &run.trace.steps {
            let branch = match (&step.branch, &step.branch_name) {
                (Some(i), Some(name)) => format!("branch {i} `{name}`"),
                _ => "main".to_string(),
            };
            let vm = if step.vm == 0 {
                "no VM".to_string()
            } else {
                format!("VM #{}", step.vm)
            };
            let status = if step.ok { "ok" } else { "FAILED" };
            eprintln!("  {:<24} {:<10} {:<28} {status}", step.node, vm, branch);
        }
    }
    match run.result {
        Ok(state) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&state).expect("JSON values serialize")
            );
            exit::OK
        }
        Err(e) => {
            eprintln!("error: failed to {e}");
            exit::FAILED
        }
    }
}

fn initial_state(args: &RunArgs) -> Result<Value, String> {
    let (text, origin) = match (&args.state, &args.state_file) {
        (Some(text), _) => (text.clone(), "--state".to_string()),
        (None, Some(path)) => (
            std::fs::read_to_string(path)
                .map_err(|e| format!("read state file {}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        (None, None) => return Ok(Value::Null),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(format!(
            "use the state from {origin}: it must be a JSON object"
        )),
        Err(e) => Err(format!("parse the state from {origin} as JSON: {e}")),
    }
}
