//! Routing: goto over edges over implicit chaining; conditions; bounded loops.

use engine::ErrorKind;
use serde_json::json;

use crate::common::*;

#[test]
fn implicit_chaining_follows_list_order_and_the_main_vm_is_shared() {
    let yaml = "name: t\nnodes:\n  - { name: a, run: 'function inc(x) return x + 1 end return { n = 1 }' }\n  - { name: b, run: 'return { n = inc(state.n) }' }\n  - { name: c, run: 'return { n = inc(state.n) }' }\n";
    assert_eq!(ok_state(&load(yaml), 0)["n"], 3);
}

#[test]
fn goto_rules_loop_until_a_condition_and_take_the_fallback() {
    let yaml = r#"
name: loop
nodes:
  - name: step
    run: return { i = (state.i or 0) + 1 }
    goto:
      - { if: "state.i < 5", to: step }
      - { to: done }
  - name: done
    run: return { finished = true }
    goto: __end__
"#;
    let state = ok_state(&load(yaml), 0);
    assert_eq!(state, json!({ "i": 5, "finished": true }));
}

#[test]
fn goto_takes_precedence_over_edges() {
    let yaml = "name: t\nnodes:\n  - { name: a, run: 'return {}', goto: c }\n  - { name: b, run: 'return { via = \"b\" }', goto: __end__ }\n  - { name: c, run: 'return { via = \"c\" }', goto: __end__ }\nedges:\n  - { from: a, to: b }\n";
    assert_eq!(ok_state(&load(yaml), 0)["via"], "c");
}

#[test]
fn conditional_edges_pick_the_first_true_condition() {
    let yaml = r#"
name: t
initial_state: { x: 7 }
nodes:
  - { name: start, run: "return {}" }
  - { name: small, run: "return { size = 'small' }" }
  - { name: big, run: "return { size = 'big' }" }
edges:
  - { from: start, to: small, when: "state.x < 5" }
  - { from: start, to: big, when: "state.x >= 5" }
  - { from: small, to: __end__ }
  - { from: big, to: __end__ }
"#;
    let wf = load(yaml);
    assert_eq!(ok_state(&wf, 0)["size"], "big");
    let small = wf
        .run(json!({ "x": 1 }), &engine::RunOptions::seeded(0))
        .result
        .unwrap();
    assert_eq!(small["size"], "small");
}

#[test]
fn an_unbounded_loop_stops_at_max_steps() {
    // `done` is never reached, but TEA-Rust refuses a workflow that nothing ends.
    let yaml = "name: t\nsettings: { max_steps: 25 }\nnodes:\n  - { name: spin, run: 'return {}', goto: spin }\n  - { name: done }\n";
    let err = run(&load(yaml), 0).result.unwrap_err();
    assert_eq!((err.kind(), err.node()), (ErrorKind::Routing, Some("spin")));
    assert!(err.to_string().contains("max_steps"), "{err}");
}

#[test]
fn no_matching_condition_is_a_routing_error() {
    let yaml = "name: t\nnodes:\n  - name: a\n    run: return {}\n    goto:\n      - { if: 'state.x > 1', to: __end__ }\n  - name: b\n";
    let err = run(&load(yaml), 0).result.unwrap_err();
    assert_eq!((err.kind(), err.node()), (ErrorKind::Routing, Some("a")));
}

#[test]
fn sequential_fan_outs_each_get_fresh_vms() {
    let yaml = r#"
name: two-fan-outs
nodes:
  - { name: s, run: "return {}" }
  - { name: a, run: "x = 1 return { a = 1 }" }
  - { name: b, run: "return { b = rawget(_G, 'x') == nil }" }
  - { name: j1, fan_in: true, run: "return { first = #state.parallel_results }" }
  - { name: c, run: "return { c = rawget(_G, 'x') == nil }" }
  - { name: d, run: "return { d = 1 }" }
  - { name: j2, fan_in: true, run: "return { second = state.parallel_results[1].state.c }" }
edges:
  - { from: s, parallel: [a, b] }
  - { from: a, to: j1 }
  - { from: b, to: j1 }
  - { from: j1, parallel: [c, d] }
  - { from: c, to: j2 }
  - { from: d, to: j2 }
  - { from: j2, to: __end__ }
"#;
    let run = run(&load(yaml), 0);
    run.trace.check_distinct_vms().unwrap();
    let state = run.result.unwrap();
    assert_eq!(state["first"], 2);
    assert_eq!(state["second"], true);
}
