//! States and documents that JSON cannot hold or the engine cannot carry, the branch global,
//! host arguments and YAML merge keys (issue 9's findings): each a clear error with its
//! line, or the documented behaviour.

use engine::ErrorKind::{Lua, Routing};
use engine::LoadErrorKind::{Condition, Invalid, Yaml};
use engine::{RunOptions, Workflow};
use serde_json::json;

use crate::check::*;

const NODE: &str = "nodes:\n  - { name: n, run: \"return { seen = state.x }\" }\n";

#[test]
fn nan_and_infinity_in_the_initial_state_are_refused_with_their_path() {
    for (value, says) in [
        (".nan", "is .nan"),
        (".inf", "is .inf"),
        ("-.Inf", "is -.inf"),
    ] {
        load_fails(
            &format!("name: t\ninitial_state:\n  x: {value}\n{NODE}"),
            Load {
                kind: Yaml,
                line: Some(3),
                node: None,
                says: &["`initial_state.x`", says, "a number JSON cannot hold"],
            },
        );
    }
}

#[test]
fn a_number_too_large_for_a_double_is_refused_not_read_as_a_string() {
    load_fails(
        &format!("name: t\ninitial_state: {{ big: 1e400 }}\n{NODE}"),
        Load {
            kind: Yaml,
            line: Some(2),
            node: None,
            says: &["`initial_state.big` is 1e400", "too large", "quote it"],
        },
    );
    // Quoted, it is the string the author wrote.
    let wf = Workflow::from_yaml(
        &format!("name: t\ninitial_state: {{ x: \"1e400\" }}\n{NODE}"),
        None,
    )
    .unwrap();
    let state = wf.run(json!({}), &RunOptions::seeded(0)).result.unwrap();
    assert_eq!(state["seen"], "1e400");
}

fn nested(levels: usize) -> String {
    let mut v = "1".to_string();
    for _ in 0..levels {
        v = format!("{{a: {v}}}");
    }
    v
}

#[test]
fn a_state_nested_deeper_than_the_engine_carries_is_refused_at_load_and_at_run() {
    load_fails(
        &format!("name: t\ninitial_state: {}\n{NODE}", nested(101)),
        Load {
            kind: Invalid,
            line: Some(2),
            node: None,
            says: &["nests 101 levels deep", "may nest 100"],
        },
    );
    let ok = Workflow::from_yaml(
        &format!("name: t\ninitial_state: {}\n{NODE}", nested(100)),
        None,
    );
    assert!(ok.is_ok(), "100 levels are allowed");
    let wf = Workflow::from_yaml(&format!("name: t\n{NODE}"), None).unwrap();
    let input: serde_json::Value = serde_yaml::from_str(&nested(120)).unwrap();
    let e = wf.run(input, &RunOptions::seeded(0)).result.unwrap_err();
    assert_eq!(e.kind(), Routing);
    assert!(e.to_string().contains("nests 120 levels deep"), "{e}");
}

#[test]
fn a_node_returning_a_table_nested_too_deep_fails_there_not_at_the_fan_in() {
    run_fails(
        &one_node(
            "{}",
            "local t = {}\nfor i = 1, 150 do t = { t } end\nreturn { deep = t }",
        ),
        Fails {
            kind: engine::ErrorKind::BadReturn,
            node: Some("main"),
            branch: None,
            says: &["nested more than 100 levels deep"],
        },
    );
}

#[test]
fn a_nul_byte_in_a_node_name_is_refused() {
    load_fails(
        "name: t\nnodes:\n  - { name: \"a\\0b\", run: \"return {}\" }\n",
        Load {
            kind: Invalid,
            line: Some(2),
            node: None,
            says: &["contains a NUL byte"],
        },
    );
}

#[test]
fn a_condition_with_a_syntax_error_reports_its_own_error() {
    load_fails(
        "name: t\nnodes:\n  - name: a\n    run: return {}\n    goto:\n      - { if: \"1 +\", to: __end__ }\n      - { to: __end__ }\n",
        Load {
            kind: Condition,
            line: Some(6),
            node: Some("a"),
            says: &[
                "use the condition `1 +` of node `a`",
                "Tera cannot parse it (at 1:8",
            ],
        },
    );
}

#[test]
fn yaml_merge_keys_are_supported() {
    let wf = Workflow::from_yaml(
        "name: t\nnodes:\n  - &base { name: a, run: \"return { v = (state.v or 0) + 1 }\" }\n  - { <<: *base, name: b }\n",
        None,
    )
    .unwrap();
    let state = wf.run(json!({}), &RunOptions::seeded(0)).result.unwrap();
    assert_eq!(state["v"], 2, "both nodes ran the merged code");
}

#[test]
fn a_node_replacing_the_branch_global_does_not_change_it_for_the_next_node() {
    let yaml = "name: t\nnodes:\n  - { name: setup, run: \"return {}\" }\n  - { name: a, run: \"branch = 'gone'\\nreturn { mine = branch }\" }\n  - { name: a2, run: \"return { next = branch.name, index = branch.index }\" }\n  - { name: join, fan_in: true, run: \"return { r = state.parallel_results[1].state }\" }\nedges:\n  - { from: setup, parallel: [a] }\n  - { from: a, to: a2 }\n  - { from: a2, to: join }\n  - { from: join, to: __end__ }\n";
    let state = Workflow::from_yaml(yaml, None)
        .unwrap()
        .run(json!({}), &RunOptions::seeded(0))
        .result
        .unwrap();
    assert_eq!(
        state["r"]["mine"], "gone",
        "a node may shadow it for itself"
    );
    assert_eq!(state["r"]["next"], "a");
    assert_eq!(state["r"]["index"], 1);
}

#[test]
fn sleep_ms_of_infinity_says_the_value_must_be_finite() {
    run_fails(
        &one_node("{}", "sleep_ms(1/0)"),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &[
                "sleep_ms: expected a non-negative number",
                "got inf",
                "must be finite",
            ],
        },
    );
}
