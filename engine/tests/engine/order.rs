//! Fan-in results come in declared branch order, never completion order; the state each
//! branch sees is a correct deep copy.

use crate::common::*;

#[test]
fn fan_in_gets_declared_order_with_reversed_sleeps() {
    for dialect in BOTH {
        let branches = [
            ("slow", "sleep_ms(30)\nreturn { v = 1 }"),
            ("mid", "sleep_ms(10)\nreturn { v = 2 }"),
            ("fast", "return { v = 3 }"),
        ];
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            "{ max_parallel_branches: 3 }",
        ));
        for seed in 0..5 {
            let state = ok_state(&wf, seed);
            let names: Vec<&str> = results(&state)
                .iter()
                .map(|r| r["branch"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["slow", "mid", "fast"], "{dialect:?}");
            let values: Vec<i64> = results(&state)
                .iter()
                .map(|r| r["state"]["v"].as_i64().unwrap())
                .collect();
            assert_eq!(values, [1, 2, 3]);
        }
    }
}

#[test]
fn each_branch_sees_a_correct_deep_copy_of_the_state() {
    for dialect in BOTH {
        let setup = "return { n = 5, nested = { list = {1, 2, 3}, inner = { k = 'v' } } }";
        let mutate = |tag: &str| {
            format!(
                "assert(state.n == 5 and #state.nested.list == 3 and state.nested.inner.k == 'v', 'bad state')\n\
                 state.nested.list[1] = '{tag}'\nstate.nested.inner.k = '{tag}'\n\
                 return {{ nested = state.nested, tag = '{tag}' }}"
            )
        };
        let (a, b) = (mutate("a"), mutate("b"));
        let join = "return { after = state.nested, results = state.parallel_results }";
        let wf = load(&fan_out(
            dialect,
            setup,
            &[("a", &a), ("b", &b)],
            join,
            "{}",
        ));
        let state = ok_state(&wf, 3);
        assert_eq!(
            state["after"]["list"][0], 1,
            "{dialect:?}: a branch mutated the parent's state"
        );
        assert_eq!(state["after"]["inner"]["k"], "v");
        let r = results(&state);
        assert_eq!(r[0]["state"]["nested"]["inner"]["k"], "a");
        assert_eq!(r[1]["state"]["nested"]["inner"]["k"], "b");
        assert_eq!(r[1]["state"]["nested"]["list"][0], "b");
        assert_eq!(r[1]["state"]["nested"]["list"][1], 2);
    }
}

#[test]
fn branch_states_are_not_merged_into_the_main_state() {
    let wf = load(&fan_out(
        Dialect::Rust,
        "return { keep = 1 }",
        &[("a", "return { from_a = 1 }")],
        "return {}",
        "{}",
    ));
    let state = ok_state(&wf, 0);
    assert_eq!(state.get("from_a"), None);
    assert_eq!(
        state.get("parallel_results"),
        None,
        "parallel_results is for the fan-in only"
    );
    assert_eq!(state["keep"], 1);
}

#[test]
fn same_seed_gives_same_result_and_different_seeds_differ() {
    let branch =
        "local t = {}\nfor i = 1, 5 do t[i] = math.random(1, 1000000) end\nreturn { r = t }";
    // The fan-in keeps branch states only: `timing_ms` is a timing and differs run to run.
    let join = "local s = {}\nfor i, r in ipairs(state.parallel_results) do s[i] = r.state end\nreturn { results = s }";
    let wf = load(&fan_out(
        Dialect::Rust,
        "return { m = math.random(1, 1000000) }",
        &[("a", branch), ("b", branch)],
        join,
        "{}",
    ));
    let first = ok_state(&wf, 42);
    assert_eq!(first, ok_state(&wf, 42), "same seed, same state");
    let r = results(&first);
    assert_ne!(r[0]["r"], r[1]["r"], "branches are seeded with their index");
    assert_ne!(
        first["m"],
        ok_state(&wf, 43)["m"],
        "a different seed changes math.random"
    );
}

#[test]
fn json_null_arrives_as_nil_and_the_global_null_writes_it() {
    let yaml = "name: t\ninitial_state: { gone: null, here: 1, list: [1, null] }\nnodes:\n  - name: a\n    run: |\n      return { is_nil = state.gone == nil, falsy = not state.gone, here_nil = state.here == nil,\n               holes = #state.list, written = null, list = state.list }\n";
    let state = ok_state(&load(yaml), 0);
    assert_eq!(state["is_nil"], true);
    assert_eq!(state["falsy"], true, "TEA's null is nil: falsy, as in TEA");
    assert_eq!(state["here_nil"], false);
    assert_eq!(state["holes"], 1, "a trailing hole is not counted by `#`");
    assert!(
        state["written"].is_null(),
        "the global `null` writes a JSON null"
    );
    assert!(
        state["gone"].is_null(),
        "a key the node did not return keeps its null"
    );
    assert_eq!(
        state["list"],
        serde_json::json!([1, null]),
        "the array keeps its length"
    );
}
