//! A panic in host code called from Lua: it fails its branch (siblings go on) or the run,
//! as `panic` with the payload, and Lua's `pcall` cannot hide it. The host function comes
//! from a VM factory that wraps the real one, the seam embedders use.

use engine::seams::Slots;
use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::StdRuntime;
use engine::{ErrorKind, Executor, RunError, RunOptions, Workflow};
use serde_json::Value;

use crate::check::{FILE, bad_branch, one_node};

/// The real sandboxed VM plus `host_panic(msg)`, a host function that panics.
#[derive(Debug, Default)]
struct PanickyHost;

impl VmFactory<StdRuntime> for PanickyHost {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<StdRuntime>, Fault> {
        let vm = Vm::new(spec)?;
        let host_panic = vm
            .lua()
            .create_function(|_, msg: String| -> mlua::Result<()> {
                panic!("host callback failed: {msg}")
            })
            .expect("create the host function");
        vm.lua()
            .globals()
            .raw_set("host_panic", host_panic)
            .expect("register it");
        Ok(vm)
    }
}

fn run(yaml: &str) -> Result<Value, RunError> {
    let wf = Workflow::from_yaml(yaml, Some(std::path::Path::new(FILE)))
        .unwrap_or_else(|e| panic!("failed to {e}"));
    let executor =
        Executor::<StdRuntime, PanickyHost, Slots<StdRuntime>>::with_factory(PanickyHost);
    executor
        .run(&wf, Value::Null, &RunOptions::seeded(1))
        .result
}

#[test]
fn a_host_panic_in_a_branch_fails_only_that_branch() {
    let state =
        run(&bad_branch("{}", "host_panic('in a branch')\nreturn {}")).expect("siblings go on");
    let results = state["results"].as_array().expect("results");
    assert_eq!(results[0]["success"], true, "the sibling: {}", results[0]);
    let bad = &results[1];
    assert_eq!(bad["success"], false);
    assert_eq!(bad["error_type"], ErrorKind::Panic.tea_name());
    let text = bad["error"].as_str().expect("an error");
    assert!(
        text.contains("branch `bad`") && text.contains("host callback failed: in a branch"),
        "{text}"
    );
}

#[test]
fn a_host_panic_on_the_main_path_fails_the_run() {
    let e = run(&one_node("{}", "host_panic('on the main path')")).expect_err("the panic was lost");
    assert_eq!(e.kind(), ErrorKind::Panic, "{e}");
    assert_eq!(e.branch(), Some("__main__"));
    let text = e.to_string();
    assert!(
        text.contains("it panicked: host callback failed: on the main path"),
        "{text}"
    );
}

#[test]
fn pcall_cannot_hide_a_host_panic() {
    for code in [
        "local ok = pcall(host_panic, 'inside pcall')\nreturn { survived = true }",
        "xpcall(host_panic, function() return 'handled' end, 'inside xpcall')\nreturn { survived = true }",
    ] {
        let e = run(&one_node("{}", code)).expect_err("pcall swallowed a host panic");
        assert_eq!(e.kind(), ErrorKind::Panic, "{e}");
        assert!(
            e.to_string().contains("host callback failed: inside"),
            "{e}"
        );
    }
}
