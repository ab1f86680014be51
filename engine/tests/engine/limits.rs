//! Per-node timeouts and per-VM memory limits: independent per branch, enforced by the
//! VM hook and allocator, never by watchdog threads.

use engine::ErrorKind;

use crate::common::*;

#[test]
fn an_infinite_loop_times_out_in_its_own_branch_while_a_sibling_succeeds() {
    for dialect in BOTH {
        let branches = [
            ("spin", "while true do end"),
            (
                "work",
                "local s = 0\nfor i = 1, 1000 do s = s + i end\nreturn { s = s }",
            ),
        ];
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            "{ lua_timeout_ms: 300 }",
        ));
        let state = ok_state(&wf, 0);
        let r = results(&state);
        assert_eq!(r[0]["success"], false);
        assert_eq!(r[0]["error_type"], "TimeoutError");
        assert_eq!(r[0]["timeout"], true);
        assert!(r[0]["error"].as_str().unwrap().contains("300 ms"));
        assert_eq!(r[1]["success"], true);
        assert_eq!(r[1]["state"]["s"], 500500);
        assert_eq!(r[1]["timeout"], false);
    }
}

#[test]
fn pcall_cannot_swallow_a_timeout() {
    let spin = "while true do pcall(function() while true do end end) end";
    // Lua runs message handlers with hooks off after a hook error: a looping handler must
    // still be stopped.
    let handler = "local function f() while true do end end\nwhile true do xpcall(f, function() while true do end end) end";
    let branches = [("a", spin), ("b", handler)];
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &branches,
        KEEP_RESULTS,
        "{ lua_timeout_ms: 50 }",
    ));
    let state = ok_state(&wf, 0);
    let kinds: Vec<&str> = results(&state)
        .iter()
        .map(|r| r["error_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["TimeoutError", "TimeoutError"]);
}

#[test]
fn pcall_cannot_swallow_running_out_of_memory() {
    let memory = "local t = {}\nwhile true do pcall(function() for i = 1, 1e8 do t[#t + 1] = {} end end) end";
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("m", memory)],
        KEEP_RESULTS,
        "{ lua_timeout_ms: 30000, lua_memory_limit: 2000000 }",
    ));
    assert_eq!(results(&ok_state(&wf, 0))[0]["error_type"], "MemoryError");
}

#[test]
fn a_sleeping_branch_times_out_without_delaying_its_siblings_budget() {
    // Two sleepers share no clock: each has its own 100 ms budget per node execution.
    let branches = [
        ("long", "sleep_ms(100000)"),
        ("short", "sleep_ms(1)\nreturn { done = true }"),
    ];
    let wf = load(&fan_out(
        Dialect::Python,
        "return {}",
        &branches,
        KEEP_RESULTS,
        "{ lua_timeout_ms: 500, max_parallel_branches: 1 }",
    ));
    let state = ok_state(&wf, 0);
    let r = results(&state);
    assert_eq!(r[0]["error_type"], "TimeoutError");
    // Run sequentially after the first branch used its whole budget: still succeeds.
    assert_eq!(r[1]["success"], true);
    assert_eq!(r[1]["state"]["done"], true);
}

#[test]
fn each_node_execution_has_its_own_budget() {
    // Three main-path nodes each use most of a budget; together they exceed it.
    // 600 ms each against a 1000 ms budget: 400 ms of slack for a busy machine.
    let yaml = "name: t\nsettings: { lua_timeout_ms: 1000 }\nnodes:\n\
        - { name: a, run: 'sleep_ms(600)' }\n- { name: b, run: 'sleep_ms(600)' }\n- { name: c, run: 'sleep_ms(600) return { ok = true }' }\n";
    assert_eq!(ok_state(&load(yaml), 0)["ok"], true);
}

#[test]
fn a_memory_bomb_hits_the_limit() {
    for dialect in BOTH {
        let bomb = "local t = {}\nfor i = 1, 1e8 do t[i] = string.rep('x', 64) .. i end";
        let caught = "local t = {}\nlocal ok = pcall(function() for i = 1, 1e8 do t[i] = {i} end end)\nreturn { swallowed = true }";
        let rep = "return { s = string.rep('x', 1 << 30) }";
        let fine = "return { ok = true }";
        let branches = [
            ("bomb", bomb),
            ("caught", caught),
            ("rep", rep),
            ("fine", fine),
        ];
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            "{ lua_memory_limit: 4000000, lua_timeout_ms: 30000 }",
        ));
        let state = ok_state(&wf, 0);
        let r = results(&state);
        for entry in &r[..3] {
            assert_eq!(entry["error_type"], "MemoryError", "{dialect:?} {entry}");
            assert!(entry["error"].as_str().unwrap().contains("4000000 byte"));
        }
        assert_eq!(r[3]["state"]["ok"], true);
    }
}

#[test]
fn a_memory_bomb_on_the_main_path_fails_the_run() {
    let yaml = "name: t\nsettings: { lua_memory_limit: 1000000 }\nnodes:\n  - name: big\n    run: return { s = string.rep('ab', 1e7) }\n";
    let err = run(&load(yaml), 0).result.unwrap_err();
    assert_eq!((err.kind(), err.node()), (ErrorKind::Memory, Some("big")));
}

#[test]
fn deep_recursion_is_a_lua_error_not_a_crash() {
    let deep = "local function f(n) return f(n + 1) + 1 end\nreturn { v = f(1) }";
    let pcalls = "local function f(n) if n == 0 then return 0 end local ok, v = pcall(f, n - 1) return v end\nreturn { v = f(190) }";
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("deep", deep), ("pcalls", pcalls)],
        KEEP_RESULTS,
        "{}",
    ));
    let state = ok_state(&wf, 0);
    let r = results(&state);
    assert_eq!(r[0]["error_type"], "LuaError");
    assert!(
        r[0]["error"].as_str().unwrap().contains("stack overflow"),
        "{}",
        r[0]
    );
    assert_eq!(r[1]["success"], true, "{}", r[1]);
}

#[test]
fn the_default_worker_cap_is_left_to_the_machine_that_runs_the_workflow() {
    let unset = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("a", "return { v = 1 }"), ("b", "return { v = 2 }")],
        KEEP_RESULTS,
        "{}",
    ));
    assert_eq!(unset.settings().max_parallel_branches, None);
    assert_eq!(results(&ok_state(&unset, 0)).len(), 2);
    let set = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("a", "return { v = 1 }")],
        KEEP_RESULTS,
        "{ max_parallel_branches: 3 }",
    ));
    assert_eq!(set.settings().max_parallel_branches, Some(3));
}

/// The real VM plus `block(ms)`: host code that computes for `ms` of its thread's CPU time
/// without returning to Lua (as a long C call would, Lua's pattern matcher say), out of the
/// hook's reach.
#[derive(Default)]
struct Blocking;

impl engine::seams::VmFactory<engine::sync::StdRuntime> for Blocking {
    fn create(
        &self,
        spec: &engine::seams::VmSpec<'_>,
    ) -> Result<engine::seams::Vm<engine::sync::StdRuntime>, engine::seams::Fault> {
        vm_with_global(spec, "block", |_, ms: u64| {
            let charge = engine::sync::ThreadCharge::current();
            let start = charge.now().expect("this thread's charged clock");
            while charge.now().expect("still running") - start
                < std::time::Duration::from_millis(ms)
            {}
            Ok(())
        })
    }
}

fn run_blocking(budget_ms: u64, block_ms: u64) -> serde_json::Value {
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[
            (
                "slow",
                &format!("block({block_ms})\nreturn {{ done = true }}"),
            ),
            ("healthy", "return { fine = true }"),
        ],
        KEEP_RESULTS,
        &format!("{{ lua_timeout_ms: {budget_ms} }}"),
    ));
    let exec = engine::Executor::<engine::sync::StdRuntime, Blocking>::with_factory(Blocking);
    exec.run(&wf, serde_json::json!({}), &engine::RunOptions::seeded(0))
        .result
        .unwrap()
}

#[test]
fn a_node_that_comes_back_long_after_its_budget_is_a_timeout_with_its_overrun() {
    // 600 ms of CPU in code the hook cannot stop, against 50 ms: more than 250 ms past the
    // deadline, however long the host took to give it that CPU.
    let state = run_blocking(50, 600);
    let r = results(&state);
    assert_eq!(r[0]["error_type"], "TimeoutError", "{}", r[0]);
    assert_eq!(r[0]["timeout"], true);
    let error = r[0]["error"].as_str().unwrap();
    assert!(
        error.contains("50 ms budget") && error.contains("it came back having used"),
        "{error}"
    );
    assert_eq!(r[1]["success"], true);
}

#[test]
fn a_small_overrun_of_code_the_hook_cannot_stop_stays_a_success() {
    // 5 ms of CPU against 1 ms: 4 ms past the deadline, well within the 250 ms tolerance;
    // a stalled host adds wall time, never charged time.
    let state = run_blocking(1, 5);
    assert_eq!(results(&state)[0]["success"], true, "{state}");
}
