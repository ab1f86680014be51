//! Regressions for ways out of the time budget, the sandbox or the graph that an
//! adversarial review found: each ran for ever, aborted the process or misread a workflow.

use engine::{LoadErrorKind as K, Workflow};

use crate::common::*;

#[test]
fn pcall_and_xpcall_returning_many_values_do_not_abort_the_process() {
    let code = "local t = {}\nfor i = 1, 300 do t[i] = i end\n\
                local function deep(n) if n > 300 then return 0 end return pcall(deep, n + 1) end\n\
                return { p = select('#', pcall(table.unpack, t)), x = select('#', xpcall(table.unpack, print, t)), d = select('#', deep(1)) }";
    let wf = load(&fan_out(
        Dialect::Rust,
        code,
        &[("a", code)],
        KEEP_RESULTS,
        "{}",
    ));
    let state = ok_state(&wf, 0);
    assert_eq!(
        (state["p"].as_i64(), state["x"].as_i64()),
        (Some(301), Some(301))
    );
    assert_eq!(results(&state)[0]["state"]["p"], 301);
}

#[test]
fn table_library_c_loops_over_elements_that_are_not_there_stop_at_the_budget() {
    // These loops run in C, out of the hook's reach: without the guard each ran for ever.
    let lying_len = "setmetatable({}, { __len = function() return math.maxinteger // 2 end })";
    let branches = [
        ("move", "table.move({}, 1, math.maxinteger - 1, 1)".to_string()),
        ("insert", format!("table.insert({lying_len}, 1, 0)")),
        ("remove", format!("table.remove({lying_len}, 1)")),
        ("fine", "local t = {1, 2, 3}\ntable.insert(t, 1, 0)\ntable.remove(t)\nreturn { t = table.move(t, 1, 3, 2, {}) }".into()),
    ];
    let branches: Vec<(&str, &str)> = branches.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &branches,
        KEEP_RESULTS,
        "{ lua_timeout_ms: 300 }",
    ));
    let state = ok_state(&wf, 0);
    let r = results(&state);
    for entry in &r[..3] {
        assert_eq!(entry["error_type"], "TimeoutError", "{entry}");
    }
    assert_eq!(r[3]["state"]["t"], serde_json::json!([null, 0, 1, 2]));
}

#[test]
fn wrapped_table_functions_keep_lua_semantics_on_tables_with_metatables() {
    let code = "local t = setmetatable({10, 20, 30}, {})\ntable.insert(t, 2, 15)\ntable.insert(t, 40)\n\
                local removed = table.remove(t, 1)\nlocal last = table.remove(t)\n\
                local ok = pcall(table.insert, t, 99, 1)\n\
                return { t = { t[1], t[2], t[3] }, n = #t, removed = removed, last = last, bad_pos_ok = ok }";
    let state = ok_state(
        &load(&fan_out(
            Dialect::Rust,
            code,
            &[("a", "return {}")],
            "return {}",
            "{}",
        )),
        0,
    );
    assert_eq!(state["t"], serde_json::json!([15, 20, 30]));
    assert_eq!(
        (
            state["n"].as_i64(),
            state["removed"].as_i64(),
            state["last"].as_i64()
        ),
        (Some(3), Some(10), Some(40))
    );
    assert_eq!(state["bad_pos_ok"], false);
}

#[test]
fn branch_cannot_be_changed_with_rawset() {
    let probe = "local ok = pcall(rawset, branch, 'index', 99)\nlocal t = {}\nrawset(t, 'k', 1)\nreturn { ok = ok, index = branch.index, k = t.k }";
    let state = ok_state(
        &load(&fan_out(
            Dialect::Rust,
            "return {}",
            &[("a", probe)],
            KEEP_RESULTS,
            "{}",
        )),
        0,
    );
    let r = &results(&state)[0]["state"];
    assert_eq!(
        (r["ok"].as_bool(), r["index"].as_i64(), r["k"].as_i64()),
        (Some(false), Some(1), Some(1))
    );
}

#[test]
fn a_goto_on_a_node_with_parallel_edges_is_rejected_not_silently_dropped() {
    let yaml = "name: t\nnodes:\n  - { name: s, goto: __end__ }\n  - { name: a }\n  - { name: b }\n  - { name: j }\n\
                edges:\n  - { from: s, parallel: [a, b] }\n  - { from: a, to: j }\n  - { from: b, to: j }\n  - { from: j, to: __end__ }\n";
    let e = Workflow::from_yaml(yaml, None).unwrap_err();
    assert_eq!((e.kind, e.node.as_deref()), (K::Invalid, Some("s")));
}

#[test]
fn a_retry_loop_back_through_the_fan_in_finds_the_nearest_fan_in_and_reseeds_branches() {
    let yaml = r#"
name: retry
nodes:
  - { name: s, run: "return { round = (state.round or 0) + 1 }" }
  - { name: a, run: "return { r = math.random(1, 1000000000) }" }
  - { name: b, run: "return { r = math.random(1, 1000000000) }" }
  - name: j
    run: |
      local draws = state.draws or {}
      draws[#draws + 1] = state.parallel_results[1].state.r
      return { draws = draws }
  - name: k
    goto:
      - { if: "state.round < 3", to: s }
      - { to: done }
  - { name: done }
edges:
  - { from: s, parallel: [a, b] }
  - { from: a, to: j }
  - { from: b, to: j }
  - { from: j, to: k }
"#;
    let wf = load(yaml);
    assert!(is_fan_in(&wf, "j"), "j is the nearest meeting point");
    let state = ok_state(&wf, 7);
    let draws = state["draws"].as_array().unwrap();
    assert_eq!(draws.len(), 3);
    assert!(
        draws[0] != draws[1] && draws[1] != draws[2],
        "each fan-out draws anew: {draws:?}"
    );
}

#[test]
fn a_branch_that_is_its_own_fan_in_is_rejected_clearly() {
    let yaml = "name: t\nnodes:\n  - { name: s }\n  - { name: j }\n  - { name: b, goto: j }\n\
                edges:\n  - { from: s, to: j, type: parallel, fan_in: j }\n  - { from: s, to: b, type: parallel, fan_in: j }\n  - { from: j, to: __end__ }\n";
    let e = Workflow::from_yaml(yaml, None).unwrap_err();
    assert_eq!(e.kind, K::FanIn);
    assert!(e.message.contains("both a branch"), "{e}");
}

#[test]
fn settings_errors_name_their_line() {
    let e = Workflow::from_yaml(
        "name: t\nsettings:\n  max_parallel_branches: 0\nnodes:\n  - name: a\n",
        None,
    )
    .unwrap_err();
    assert_eq!((e.kind, e.line), (K::Invalid, Some(3)));
}

#[test]
fn fail_fast_stops_a_branch_of_many_short_nodes_between_nodes() {
    // `slow` loops through a cheap node (fewer instructions than the hook's period) until
    // cancelled; without a check between nodes it would run until max_steps.
    let yaml = r#"
name: t
settings: { fail_fast: true, max_parallel_branches: 2, max_steps: 100000000, lua_timeout_ms: 60000 }
nodes:
  - { name: s }
  - { name: slow, run: "return {}", goto: [{ if: "state.done", to: j }, { to: slow }] }
  - { name: bad, run: "error('boom')" }
  - { name: j, fan_in: true }
edges:
  - { from: s, to: slow, type: parallel, fan_in: j }
  - { from: s, to: bad, type: parallel, fan_in: j }
  - { from: bad, to: j }
  - { from: j, to: __end__ }
"#;
    let run = run(&load(yaml), 0);
    let err = run.result.unwrap_err();
    assert_eq!(err.branch(), Some("bad"), "{err}");
}
