//! A failing branch becomes a failure entry and its siblings go on; fail_fast cancels.

// The test's own rendezvous lives outside the engine's seam.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::sync::atomic::{AtomicBool, Ordering};

use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::StdRuntime;
use engine::{ErrorKind, Executor, RunOptions};

use crate::common::*;

#[test]
fn a_failing_branch_leaves_its_siblings_intact() {
    for dialect in BOTH {
        let branches = [
            ("good1", "return { v = 1 }"),
            ("bad", "error('boom')"),
            ("good2", "return { v = 2 }"),
        ];
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            "{}",
        ));
        let state = ok_state(&wf, 0);
        let r = results(&state);
        assert_eq!(r[0]["success"], true);
        assert_eq!(r[0]["state"]["v"], 1);
        assert_eq!(r[2]["success"], true);
        assert_eq!(r[2]["state"]["v"], 2);
        assert_eq!(r[1]["success"], false);
        assert_eq!(r[1]["error_type"], "LuaError");
        assert!(r[1].get("state").is_none() || r[1]["state"].is_null());
        let error = r[1]["error"].as_str().unwrap();
        assert!(
            error.contains("boom") && error.contains("node `bad`"),
            "{error}"
        );
    }
}

#[test]
fn lua_errors_report_the_yaml_line() {
    let yaml = "name: t\nnodes:\n  - name: a\n    run: |\n      local x = 1\n      return { y = nil + x }\n";
    let run = run(&load(yaml), 0);
    let err = run.result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Lua);
    assert_eq!(err.node(), Some("a"));
    assert!(
        err.to_string().contains("test:6:") || err.to_string().contains(":6:"),
        "{err}"
    );
}

/// `looper_started()` marks that the spinning branch runs; `wait_for_looper()` blocks until it
/// does (up to 20 s), so `bad` fails while `looper` spins, however the host schedules them.
static LOOPER_STARTED: AtomicBool = AtomicBool::new(false);

#[derive(Default)]
struct Rendezvous;

impl VmFactory<StdRuntime> for Rendezvous {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<StdRuntime>, Fault> {
        let vm = vm_with_global(spec, "looper_started", |_, ()| {
            LOOPER_STARTED.store(true, Ordering::SeqCst);
            Ok(())
        })?;
        let wait = vm
            .lua()
            .create_function(|_, ()| {
                let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
                while !LOOPER_STARTED.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                    std::thread::yield_now();
                }
                Ok(())
            })
            .expect("a host function");
        vm.lua()
            .globals()
            .set("wait_for_looper", wait)
            .expect("a global");
        Ok(vm)
    }
}

#[test]
fn fail_fast_cancels_siblings_and_fails_the_run_with_the_first_failure() {
    for dialect in BOTH {
        // With two workers, `looper` spins until cancelled while `bad` fails. If cancellation
        // did not work, `looper` would time out after 60 s and the run would fail with its
        // timeout instead of `bad`'s error.
        LOOPER_STARTED.store(false, Ordering::SeqCst);
        let branches = [
            ("looper", "looper_started()\nwhile true do end"),
            ("bad", "wait_for_looper()\nerror('first failure')"),
            ("late", "return { v = 1 }"),
        ];
        let settings = "{ fail_fast: true, max_parallel_branches: 2, lua_timeout_ms: 60000 }";
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            settings,
        ));
        let exec = Executor::<StdRuntime, Rendezvous>::default();
        let run = exec.run(&wf, serde_json::json!({}), &RunOptions::seeded(0));
        let err = run.result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Lua, "{err}");
        assert_eq!(err.branch(), Some("bad"));
        assert!(err.to_string().contains("first failure"));
        let looper = run
            .trace
            .steps
            .iter()
            .find(|s| s.node == "looper")
            .expect("looper ran");
        assert_eq!(looper.error.as_deref(), Some("cancelled"));
        assert!(
            !run.trace.steps.iter().any(|s| s.node == "join"),
            "the fan-in must not run after a fail_fast failure"
        );
    }
}

#[test]
fn a_non_table_return_is_a_bad_return_naming_the_node() {
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("a", "return 42"), ("b", "return 'x'")],
        KEEP_RESULTS,
        "{}",
    ));
    let state = ok_state(&wf, 0);
    for r in results(&state) {
        assert_eq!(r["error_type"], "ReturnError");
    }
    assert!(
        results(&state)[0]["error"]
            .as_str()
            .unwrap()
            .contains("got a number")
    );
    let main = load("name: t\nnodes:\n  - name: only\n    run: return true\n");
    let err = run(&main, 0).result.unwrap_err();
    assert_eq!(
        (err.kind(), err.node()),
        (ErrorKind::BadReturn, Some("only"))
    );
}

#[test]
fn a_panic_in_host_code_becomes_a_branch_panic_entry() {
    use engine::seams::{Fault, Vm, VmFactory, VmSpec};
    use engine::sync::StdRuntime;

    /// The real VM plus a host function that panics.
    struct Panicky;
    impl VmFactory<StdRuntime> for Panicky {
        fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<StdRuntime>, Fault> {
            vm_with_global(spec, "explode", |_, ()| -> mlua::Result<()> {
                panic!("host callback exploded")
            })
        }
    }
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("a", "explode()"), ("b", "return { v = 1 }")],
        KEEP_RESULTS,
        "{}",
    ));
    let exec = engine::Executor::<StdRuntime, Panicky>::with_factory(Panicky);
    let run = exec.run(&wf, serde_json::json!({}), &engine::RunOptions::seeded(0));
    let state = run.result.unwrap();
    let r = results(&state);
    assert_eq!(r[0]["error_type"], "PanicError");
    assert!(
        r[0]["error"]
            .as_str()
            .unwrap()
            .contains("host callback exploded")
    );
    assert_eq!(r[1]["state"]["v"], 1, "the sibling went on");
}
