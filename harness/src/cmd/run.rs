//! `harness run WORKFLOW.yaml`: one run, final state on stdout, errors on stderr.

use engine::{RunOptions, Workflow};
use serde_json::Value;

use super::cli::RunArgs;
use super::error::CmdError;
use crate::report::trace;
use crate::util::exit;

/// Runs the workflow once; a failed run is [`CmdError::Run`].
pub fn run(args: &RunArgs) -> Result<u8, CmdError> {
    let workflow = Workflow::from_file(&args.workflow)?;
    let input = initial_state(args)?;
    let run = workflow.run(input, &RunOptions::seeded(args.seed));
    if args.trace {
        eprintln!("trace (seed {}):", args.seed);
        for line in trace::lines(&run.trace, 2) {
            eprintln!("{line}");
        }
    }
    let state = run.result.map_err(CmdError::Run)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&state).expect("JSON values serialize")
    );
    Ok(exit::OK)
}

fn initial_state(args: &RunArgs) -> Result<Value, CmdError> {
    let (text, origin) = match (&args.state, &args.state_file) {
        (Some(text), _) => (text.clone(), "--state".to_string()),
        (None, Some(path)) => (
            std::fs::read_to_string(path).map_err(|source| CmdError::Io {
                what: "read state file",
                path: path.clone(),
                source,
            })?,
            path.display().to_string(),
        ),
        (None, None) => return Ok(Value::Null),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(CmdError::Usage(format!(
            "use the state from {origin}: it must be a JSON object"
        ))),
        Err(e) => Err(CmdError::Usage(format!(
            "parse the state from {origin} as JSON: {e}"
        ))),
    }
}
