//! `harness run WORKFLOW.yaml`: one run, final state on stdout, errors on stderr.

use engine::{RunOptions, Workflow};
use serde_json::Value;

use super::cli::RunArgs;
use super::error::CmdError;
use crate::campaign::watch::{Backstop, Watch};
use crate::report::trace_lines;
use crate::util::{exit, input};

/// Runs the workflow once; a failed run is [`CmdError::Run`]. A node that does not come
/// back by its hard deadline (code no time budget can interrupt), or is charged no time for
/// that long (at least 2 s) of wall time less pauses (it is blocked), ends the process with a
/// timeout error and exit code 1.
pub fn run(args: &RunArgs) -> Result<u8, CmdError> {
    let source = input::read_text(&args.workflow, input::WORKFLOW)
        .map_err(|e| CmdError::Usage(e.to_string()))?;
    let workflow = Workflow::from_yaml(&source, Some(&args.workflow))
        .map_err(|e| scenario_hint(&args.workflow, &source, e))?;
    let input = initial_state(args)?;
    // No supervisor here: the watchdog's own wall-clock backstop stops a blocked node.
    let watch = Watch::start(Backstop::Wall, |overdue| {
        if overdue.blocked.is_some() {
            eprintln!(
                "error: failed to finish {}: it {}; stopping",
                overdue.label,
                overdue.why()
            );
        } else {
            eprintln!(
                "error: failed to finish {} within its hard deadline of {}: it is still \
                 running, in code the time budget cannot interrupt (Lua's pattern matcher, \
                 say); stopping",
                overdue.label,
                humantime::format_duration(overdue.hard)
            );
        }
        std::process::exit(i32::from(exit::FAILED));
    });
    let options = RunOptions::seeded(args.seed).with_watch(watch.for_run());
    let run = workflow.run(input, &options);
    if args.trace {
        eprintln!("trace (seed {}):", args.seed);
        for line in trace_lines::lines(&run.trace, 2) {
            eprintln!("{line}");
        }
    }
    let state = run.result.map_err(CmdError::Run)?;
    crate::util::out::say(format_args!(
        "{}",
        serde_json::to_string_pretty(&state).expect("JSON values serialize")
    ));
    Ok(exit::OK)
}

fn initial_state(args: &RunArgs) -> Result<Value, CmdError> {
    let (text, origin) = match (&args.state, &args.state_file) {
        (Some(text), _) => (text.clone(), "--state".to_string()),
        (None, Some(path)) => (
            input::read_text(path, input::STATE).map_err(|e| CmdError::Usage(e.to_string()))?,
            crate::util::text::path(path),
        ),
        (None, None) => return Ok(Value::Null),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(v @ Value::Object(_)) => engine::check_input(&v)
            .map(|()| v)
            .map_err(|why| CmdError::Usage(format!("use the state from {origin}: {why}"))),
        Ok(_) => Err(CmdError::Usage(format!(
            "use the state from {origin}: it must be a JSON object"
        ))),
        Err(e) => Err(CmdError::Usage(format!(
            "parse the state from {origin} as JSON: {}",
            crate::util::text::elide_values(&e.to_string())
        ))),
    }
}

/// A scenario file handed to `harness run` fails as a workflow (no `nodes`, unknown
/// `workflow`): say what it is and how to run it.
fn scenario_hint(file: &std::path::Path, source: &str, e: engine::LoadError) -> CmdError {
    let is_scenario = serde_yaml::from_str::<serde_yaml::Mapping>(source).is_ok_and(|doc| {
        ["workflow", "workflow_file", "expect"]
            .iter()
            .any(|key| doc.contains_key(*key))
    });
    if is_scenario {
        CmdError::Usage(format!(
            "run {}: it is a scenario, not a workflow; soak it with `harness soak {}`",
            file.display(),
            crate::util::shell::shell_word(&file.display().to_string())
        ))
    } else {
        // The values a parser quotes from the file are elided here too: CI logs are shared.
        CmdError::Workflow(crate::scenario::error::elided(e))
    }
}
