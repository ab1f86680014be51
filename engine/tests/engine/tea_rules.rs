//! TEA's rules, one test each where the compatibility suite (`engine/tests/tea`) has no
//! fixture for them: where TEA-Rust's navigation would mean something other than what a
//! workflow seems to say it is refused, and while_loop, target maps and TEA's keys behave as
//! TEA's code does.

use engine::{ErrorKind, LoadErrorKind as K, Workflow};
use serde_json::{Value, json};

use crate::common::{load, ok_state, run};

fn refused(yaml: &str) -> engine::LoadError {
    Workflow::from_yaml(yaml, None).expect_err("the workflow must be refused")
}

fn run_err(yaml: &str, input: Value) -> engine::RunError {
    load(yaml)
        .run(input, &engine::RunOptions::seeded(1))
        .result
        .expect_err("the run must fail")
}

const GRADES: &str = r#"
name: grades
nodes:
  - name: grade
    goto:
      - { if: "state.score >= 90", to: a }
      - { if: "state.score >= 80", to: b }
      - { to: c }
  - { name: a, run: "return { grade = 'A' }", goto: __end__ }
  - { name: b, run: "return { grade = 'B' }", goto: __end__ }
  - { name: c, run: "return { grade = 'C' }" }
"#;

#[test]
fn overlapping_conditions_fail_the_run_rather_than_pick_one_of_two_answers() {
    let wf = load(GRADES);
    let grade = |score: i64| {
        wf.run(json!({ "score": score }), &engine::RunOptions::seeded(1))
            .result
            .map(|s| s["grade"].clone())
    };
    assert_eq!(grade(85), Ok(json!("B")));
    assert_eq!(grade(10), Ok(json!("C")));
    // 95 passes both: TEA-Rust (last-first) says B, TEA-Python and TEA's docs say A.
    let e = grade(95).expect_err("both conditions hold");
    assert_eq!((e.kind(), e.node()), (ErrorKind::Routing, Some("grade")));
    assert!(
        e.to_string().contains("both hold") && e.to_string().contains("make them exclusive"),
        "{e}"
    );
}

#[test]
fn conditions_that_tea_rust_never_evaluates_are_refused() {
    // An edge without `when` beside one with it: TEA-Rust always takes the plain one.
    let plain = refused(
        "name: t\nnodes:\n  - { name: a }\n  - { name: b }\n  - { name: c }\nedges:\n  - { from: a, to: b, when: state.x }\n  - { from: a, to: c }\n",
    );
    assert_eq!((plain.kind, plain.node.as_deref()), (K::Invalid, Some("a")));
    assert!(
        plain
            .message
            .contains("never evaluates the conditions of node `a`"),
        "{plain}"
    );
    // A goto rule `{to: __end__}` without `if` is TEA-Rust's finish edge, taken first.
    let end = refused(
        "name: t\nnodes:\n  - name: a\n    goto:\n      - { if: state.x, to: b }\n      - { to: __end__ }\n  - { name: b }\n",
    );
    assert!(end.message.contains("`{to: __end__}`"), "{end}");
    // Conditional edges from `__start__`: TEA-Rust adds an entry edge that wins over them.
    let start = refused(
        "name: t\nnodes:\n  - { name: a }\n  - { name: b }\nedges:\n  - { from: __start__, when: state.mode, targets: { x: a, y: b } }\n  - { from: a, to: __end__ }\n  - { from: b, to: __end__ }\n",
    );
    assert!(start.message.contains("from `__start__`"), "{start}");
    // The first edge to `__end__` gets TEA-Rust's finish edge when nothing else ends.
    let finish = refused(
        "name: t\nnodes:\n  - { name: a }\n  - { name: b }\nedges:\n  - { from: a, to: __end__, when: state.done }\n  - { from: a, to: b, when: 'not state.done' }\n  - { from: b, to: a }\n",
    );
    assert!(
        finish
            .message
            .contains("when nothing else ends the workflow"),
        "{finish}"
    );
}

#[test]
fn two_unconditional_edges_and_a_fallback_before_other_rules_are_refused() {
    let two = refused(
        "name: t\nnodes:\n  - { name: a }\n  - { name: b }\n  - { name: c }\nedges:\n  - { from: a, to: b }\n  - { from: a, to: c }\n",
    );
    assert!(two.message.contains("the one added last (`c`)"), "{two}");
    let early = refused(
        "name: t\nnodes:\n  - name: a\n    goto:\n      - { to: b }\n      - { if: state.x, to: c }\n  - { name: b }\n  - { name: c }\n",
    );
    assert_eq!((early.kind, early.line), (K::Invalid, Some(5)), "{early}");
    assert!(early.message.contains("must come last"), "{early}");
}

#[test]
fn a_last_node_without_edges_ends_the_run_in_a_workflow_with_edges() {
    let yaml = "name: t\nnodes:\n  - { name: a, run: 'return { a = 1 }' }\n  - { name: z, run: 'return { z = 1 }' }\n  - { name: b, run: 'return { b = 1 }' }\nedges:\n  - { from: a, to: b }\n";
    // a -> b by the edge; b is last in the list and has no edge: the run ends there.
    assert_eq!(ok_state(&load(yaml), 0), json!({ "a": 1, "b": 1 }));
}

const TARGETS: &str = r#"
name: targets
variables: { suffix: "_go" }
nodes:
  - name: check
  - { name: left, run: "return { took = 'left' }", goto: __end__ }
  - { name: right, run: "return { took = 'right' }", goto: __end__ }
  - name: last
edges:
  - { from: check, when: "state.side ~ variables.suffix", targets: { left_go: left, right_go: right } }
"#;

#[test]
fn a_target_map_compares_the_rendered_text_and_fails_on_a_render_error_or_no_match() {
    let wf = load(TARGETS);
    let took = |input| wf.run(input, &engine::RunOptions::seeded(1)).result;
    assert_eq!(took(json!({ "side": "right" })).unwrap()["took"], "right");
    let missing = took(json!({})).expect_err("`state.side` is missing");
    assert!(
        missing.to_string().contains("render the `when`"),
        "{missing}"
    );
    let nowhere = took(json!({ "side": "up" })).expect_err("no key is `up_go`");
    assert!(
        nowhere.to_string().contains("no condition matched"),
        "{nowhere}"
    );
}

const LOOP: &str = r#"
name: loop
settings: { max_steps: 40 }
nodes:
  - name: count
    type: while_loop
    description: TEA's counter
    condition: "state.n < state.limit"
    max_iterations: 10
    body:
      - { name: inc, run: "return { n = (state.n or 0) + 1 }" }
      - { name: log, run: { type: lua, code: "return { log = (state.log or '') .. state.n }" } }
"#;

#[test]
fn a_while_loop_runs_its_body_until_the_condition_stops_rendering_true() {
    let run = load(LOOP).run(
        json!({ "n": 0, "limit": 3 }),
        &engine::RunOptions::seeded(1),
    );
    let state = run.result.expect("the loop ends");
    assert_eq!(
        (state["n"].clone(), state["log"].clone()),
        (json!(3), json!("123"))
    );
    let names: Vec<&str> = run.trace.steps.iter().map(|s| s.node.as_str()).collect();
    assert_eq!(names, ["inc", "log", "inc", "log", "inc", "log", "count"]);
}

#[test]
fn a_while_loop_fails_past_max_iterations_on_a_render_error_and_past_max_steps() {
    let over = run_err(LOOP, json!({ "n": 0, "limit": 11 }));
    assert!(
        over.to_string().contains("exceeded max_iterations (10)"),
        "{over}"
    );
    let render = run_err(LOOP, json!({ "n": 0 }));
    assert!(
        render
            .to_string()
            .contains("evaluate the while_loop condition"),
        "{render}"
    );
    // A goto loop around a while_loop that ends every time: without counting its body runs
    // (10 a cycle here) the outer loop would reach `max_steps` only after 20 cycles.
    let around = LOOP.replace(
        "    max_iterations: 10\n",
        "    max_iterations: 10\n    goto: reset\n",
    ) + "  - { name: reset, run: \"return { n = 0 }\", goto: count }\n  - { name: done }\n";
    let steps = run_err(&around, json!({ "n": 0, "limit": 5 }));
    assert!(
        steps
            .to_string()
            .contains("exceeded `max_steps` (40) in while_loop `count`"),
        "{steps}"
    );
}

#[test]
fn a_while_loop_cannot_start_a_branch_and_loop_fields_need_a_loop() {
    let branch = refused(
        "name: t\nnodes:\n  - { name: s }\n  - { name: l, type: while_loop, condition: 'true', max_iterations: 1, body: [{ name: x }] }\n  - { name: b }\n  - { name: j }\nedges:\n  - { from: s, parallel: [l, b] }\n  - { from: l, to: j }\n  - { from: b, to: j }\n",
    );
    assert!(branch.message.contains("would skip the loop"), "{branch}");
    let stray = refused("name: t\nnodes:\n  - { name: a, max_iterations: 3 }\n");
    assert!(
        stray.message.contains("only a `type: while_loop` node"),
        "{stray}"
    );
    let kind = refused("name: t\nnodes:\n  - { name: a, type: dynamic_parallel }\n");
    assert_eq!(kind.kind, K::Unsupported, "{kind}");
}

#[test]
fn tea_features_outside_this_engine_are_named_with_their_line() {
    let uses = refused("name: t\nnodes:\n  - name: a\n    uses: llm.call\n");
    assert_eq!((uses.kind, uses.line), (K::Yaml, Some(4)));
    assert!(uses.message.contains("TEA's actions") && uses.message.contains("outside this engine"));
    let pause = refused("name: t\nnodes:\n  - name: a\n    interrupt: before\n");
    assert!(pause.message.contains("TEA's interrupts"), "{pause}");
    let stream = refused(
        "name: t\nnodes:\n  - { name: a }\n  - { name: b }\n  - { name: c }\nedges:\n  - { from: a, to: [b, c], parallel: true }\n",
    );
    assert!(stream.message.contains("the stream form"), "{stream}");
    let settings = refused("name: t\nsettings:\n  llm: { model: x }\nnodes:\n  - name: a\n");
    assert!(
        settings
            .message
            .contains("TEA's settings other than `rate_limiters`"),
        "{settings}"
    );
    let python = refused(
        "name: t\nnodes:\n  - name: a\n    run: |\n      return {\"x\": len(state[\"l\"])}\n",
    );
    assert!(python.message.contains("looks like Python"), "{python}");
}

#[test]
fn descriptions_and_tea_forms_of_lua_are_accepted() {
    let yaml = "name: t\ndescription: d\nnodes:\n  - name: a\n    description: d\n    language: lua\n    run: |\n      -- lua\n      return { a = 1 }\n  - name: b\n    run: { type: lua, code: 'return { b = state.a + 1 }' }\nedges:\n  - { from: a, to: b, description: d }\n";
    assert_eq!(ok_state(&load(yaml), 0), json!({ "a": 1, "b": 2 }));
    let bad =
        refused("name: t\nnodes:\n  - name: a\n    run: { type: lua, code: 'x', extra: 1 }\n");
    assert_eq!((bad.kind, bad.line), (K::Yaml, Some(4)), "{bad}");
}

#[test]
fn conditions_are_evaluated_inside_branches_too() {
    let yaml = r#"
name: t
nodes:
  - { name: s, run: "return { x = 2 }" }
  - name: a
    goto:
      - { if: "state.x is even", to: a_even }
      - { to: a_odd }
  - { name: a_even, run: "return { parity = 'even' }", goto: j }
  - { name: a_odd, run: "return { parity = 'odd' }", goto: j }
  - { name: b, goto: j }
  - { name: j, fan_in: true, run: "return { parity = state.parallel_results[1].state.parity }" }
edges:
  - { from: s, parallel: [a, b] }
"#;
    assert_eq!(ok_state(&load(yaml), 0)["parity"], "even");
    assert_eq!(run(&load(yaml), 1).result.unwrap()["parity"], "even");
}

#[test]
fn a_condition_deeper_than_teras_renderer_can_take_is_refused_not_an_abort() {
    let chain = |n: usize| {
        format!(
            "name: t\nnodes:\n  - name: a\n    goto:\n      - {{ if: \"{}\", to: b }}\n      - {{ to: b }}\n  - {{ name: b, run: \"return {{ ok = true }}\" }}\n",
            vec!["state.x"; n].join(" and ")
        )
    };
    // 60 levels render on a test thread's 2 MiB stack, in a debug build too.
    let state = load(&chain(60)).run(json!({ "x": 1 }), &engine::RunOptions::seeded(1));
    assert_eq!(state.result.expect("it runs")["ok"], true);
    // 300 would overflow it in Tera's recursive renderer, which aborts the process.
    let e = refused(&chain(300));
    assert_eq!(e.kind, K::Condition, "{e}");
    assert!(e.message.contains("levels deep"), "{e}");
}
