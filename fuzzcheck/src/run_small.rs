//! Target `run_small`: arbitrary Lua runs in a fixed fan-out graph, or an arbitrary small
//! workflow (input starting with `name:`) runs as written, always under small limits.
//!
//! The first byte picks the limits: a 5-40 ms budget per node execution, a 256 KiB-2 MiB
//! memory limit per VM, 1-4 workers, and `fail_fast`. The rest is the Lua source, run as
//! the setup node, as one of two branches and as the fan-in, or the workflow YAML, whose
//! own settings are clamped to those limits (and `max_steps` to 50).
//!
//! Properties: nothing panics (a `BranchPanic` here can only come from engine code, as the
//! graph registers no host function that panics); every error has a message and the kind
//! its limits imply; and afterwards no Lua VM is alive and no engine worker thread runs.

use std::sync::{Mutex, PoisonError};

use engine::loader::{self, RawWorkflow};
use engine::{RunError, RunOptions, Workflow};
use serde_json::json;

use crate::leaks::assert_nothing_left;

/// The fixed graph; every `run` is replaced by the input's Lua except `b`'s.
const GRAPH: &str = r#"
name: run-small
nodes:
  - name: setup
    run: "-- input"
  - name: a
    run: "-- input"
  - name: b
    run: return { b = (state.n or 0) + 1 }
  - name: join
    fan_in: true
    run: "-- input"
edges:
  - { from: setup, parallel: [a, b] }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: join, to: __end__ }
"#;

/// One run at a time: the live-VM gauge and the thread count are process-wide, and a plain
/// `cargo test` runs tests on parallel threads.
static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// Limits decoded from the first input byte.
#[derive(Debug, Clone, Copy)]
struct Limits {
    timeout_ms: u64,
    memory: usize,
    workers: usize,
    fail_fast: bool,
}

impl Limits {
    fn from_byte(b: u8) -> Limits {
        Limits {
            timeout_ms: 5 + u64::from(b & 0x7) * 5,
            memory: (256 * 1024) << ((b >> 3) & 0x3),
            workers: 1 + usize::from((b >> 5) & 0x3),
            fail_fast: b & 0x80 != 0,
        }
    }
}

/// Runs the input under small limits and checks the run left nothing behind.
pub fn run_small(data: &[u8]) {
    let _one_at_a_time = EXCLUSIVE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let limits = Limits::from_byte(first);
    let source = String::from_utf8_lossy(rest);
    let raw = if source.starts_with("name:") {
        match loader::from_yaml::<RawWorkflow>(&source, None) {
            Ok(raw) => raw,
            Err(e) => return assert!(!e.message.is_empty(), "{e:?}"),
        }
    } else {
        let mut raw: RawWorkflow = loader::from_yaml(GRAPH, None).expect("the fixed graph parses");
        for node in raw.nodes.iter_mut().filter(|n| n.name != "b") {
            node.run = Some(engine::loader::RawRun::Code(source.to_string()));
        }
        raw
    };
    let wf = match Workflow::from_raw(clamp(raw, limits), "", None) {
        Ok(wf) => wf,
        Err(e) => return assert!(!e.message.is_empty(), "{e:?}"),
    };
    let seed = u64::from(first) | (rest.len() as u64) << 8;
    let options = RunOptions::seeded(seed).with_max_parallel(limits.workers);
    let input = json!({ "n": 3, "s": "x", "list": [1, 2, 3], "obj": {}, "empty": [] });
    let run = wf.run(input, &options);
    if let Err(e) = &run.result {
        check_error(e, limits);
    }
    if let Err(e) = run.trace.check_distinct_vms() {
        panic!("failed to keep VMs apart: {e}");
    }
    drop(run);
    drop(wf);
    assert_nothing_left();
}

fn clamp(mut raw: RawWorkflow, limits: Limits) -> RawWorkflow {
    let s = &mut raw.settings;
    s.lua_timeout_ms = Some(limits.timeout_ms);
    s.lua_memory_limit = Some(limits.memory);
    s.max_parallel_branches = Some(limits.workers);
    s.max_steps = Some(s.max_steps.unwrap_or(50).clamp(1, 50));
    s.fail_fast = Some(limits.fail_fast);
    raw
}

fn check_error(e: &RunError, limits: Limits) {
    let text = e.to_string();
    assert!(!text.trim().is_empty(), "an error without a message: {e:?}");
    match e {
        RunError::BranchPanic { .. } => panic!("engine code panicked: {text}"),
        RunError::Timeout { budget_ms, .. } => assert_eq!(*budget_ms, limits.timeout_ms),
        RunError::Memory { limit, .. } => assert_eq!(*limit, limits.memory),
        RunError::Lua { node, message, .. } => {
            assert!(!node.is_empty() && !message.trim().is_empty(), "{e:?}");
        }
        _ => {}
    }
}
