//! Both TEA parallel dialects build the same graph and really run in parallel (TEA-Rust
//! silently ran Python-style parallel edges as plain edges).

use serde_json::json;

use crate::common::*;

const BRANCHES: &[(&str, &str)] = &[
    ("a", "return { v = state.base + 1, who = branch.name }"),
    ("b", "return { v = state.base + 2, who = branch.name }"),
    ("c", "return { v = state.base * 3, who = branch.name }"),
];

#[test]
fn both_dialects_compile_to_the_same_graph_and_outcome() {
    let [rust, python] = BOTH.map(|d| {
        load(&fan_out(
            d,
            "return { base = 10 }",
            BRANCHES,
            KEEP_RESULTS,
            "{}",
        ))
    });
    assert_eq!(rust.shape(), python.shape());
    let strip = |mut s: serde_json::Value| {
        for r in s["results"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("timing_ms");
        }
        s
    };
    assert_eq!(strip(ok_state(&rust, 5)), strip(ok_state(&python, 5)));
}

#[test]
fn python_dialect_edges_run_as_a_fan_out_with_fresh_vms() {
    let wf = load(&fan_out(
        Dialect::Python,
        "return { base = 1 }",
        BRANCHES,
        KEEP_RESULTS,
        "{}",
    ));
    let run = run(&wf, 0);
    let state = run.result.unwrap();
    assert_eq!(
        results(&state).len(),
        3,
        "all three branches reached the fan-in"
    );
    let branch_steps: Vec<_> = run
        .trace
        .steps
        .iter()
        .filter(|s| s.branch.is_some())
        .map(|s| s.node.as_str())
        .collect();
    assert_eq!(
        branch_steps,
        ["a", "b", "c"],
        "each ran as a branch, not as a plain edge"
    );
    run.trace.check_distinct_vms().unwrap();
}

#[test]
fn rust_dialect_finds_the_fan_in_through_multi_node_branches() {
    let yaml = r#"
name: multi
nodes:
  - { name: setup, run: "return { n = 1 }" }
  - { name: a1, run: "return { n = state.n + 1 }" }
  - { name: a2, run: "helper_from_a1 = nil\nreturn { n = state.n * 10 }" }
  - { name: b1, run: "function helper(x) return x + 100 end\nreturn {}" }
  - { name: b2, run: "return { n = helper(state.n) }" }
  - name: join
    run: |
      return { a = state.parallel_results[1].state.n, b = state.parallel_results[2].state.n }
edges:
  - { from: setup, parallel: [a1, b1] }
  - { from: a1, to: a2 }
  - { from: a2, to: join }
  - { from: b1, to: b2 }
  - { from: b2, to: join }
  - { from: join, to: __end__ }
"#;
    let wf = load(yaml);
    let state = ok_state(&wf, 0);
    assert_eq!(state["a"], json!(20));
    assert_eq!(
        state["b"],
        json!(101),
        "a branch's nodes share the branch's VM"
    );
    assert!(is_fan_in(&wf, "join"), "join was found as the fan-in");
}

#[test]
fn a_fan_out_straight_from_start_runs_in_both_dialects() {
    let head = "name: t\ninitial_state: { base: 10 }\nnodes:\n  - { name: a, run: \"return { v = state.base + 1 }\" }\n  - { name: b, run: \"return { v = state.base + 2 }\" }\n  - name: join\n    run: |\n      local s = 0\n      for _, r in ipairs(state.parallel_results) do s = s + r.state.v end\n      return { sum = s, n = #state.parallel_results }\nedges:\n";
    let rust = format!(
        "{head}  - {{ from: __start__, parallel: [a, b] }}\n  - {{ from: a, to: join }}\n  - {{ from: b, to: join }}\n  - {{ from: join, to: __end__ }}\n"
    );
    let python = format!(
        "{head}  - {{ from: __start__, to: a, type: parallel, fan_in: join }}\n  - {{ from: __start__, to: b, type: parallel, fan_in: join }}\n  - {{ from: a, to: join }}\n  - {{ from: b, to: join }}\n  - {{ from: join, to: __end__ }}\n"
    );
    for yaml in [rust, python] {
        let wf = load(&yaml);
        assert!(is_fan_in(&wf, "join"), "{yaml}");
        let run = run(&wf, 3);
        run.trace.check_distinct_vms().unwrap();
        let state = run.result.unwrap();
        assert_eq!(
            (state["sum"].as_i64(), state["n"].as_i64()),
            (Some(23), Some(2))
        );
    }
}
