//! Load errors name the file, line, column and node.

use std::path::Path;

use engine::{LoadError, LoadErrorKind as K, Workflow};

fn load_err(yaml: &str) -> LoadError {
    Workflow::from_yaml(yaml, Some(Path::new("flows/bad.yaml")))
        .expect_err("the workflow must be rejected")
}

#[test]
fn malformed_yaml_reports_its_line_and_column() {
    let e = load_err("name: t\nnodes:\n  - name: a\n    run: [unclosed\n  - name: b\n");
    assert_eq!(e.kind, K::Yaml);
    assert!(e.line.is_some_and(|l| l >= 4), "{e:?}");
    let text = e.to_string();
    assert!(text.starts_with("load workflow flows/bad.yaml:"), "{text}");
}

#[test]
fn unknown_keys_are_rejected_with_their_line() {
    let e = load_err("name: t\nnodes:\n  - name: a\n    run: return {}\n    retries: 3\n");
    assert_eq!(e.kind, K::Yaml);
    assert_eq!((e.line, e.column), (Some(5), Some(5)), "{e}");
    assert!(e.message.contains("retries"), "{e}");
    let top = load_err("name: t\nimports: []\nnodes:\n  - name: a\n");
    assert!(top.message.contains("imports"), "{top}");
}

#[test]
fn unknown_node_references_name_the_node_and_line() {
    let e = load_err(
        "name: t\nnodes:\n  - name: a\n    run: return {}\nedges:\n  - { from: a, to: ghost }\n",
    );
    assert_eq!(e.kind, K::UnknownNode);
    assert_eq!(e.line, Some(6));
    assert!(e.to_string().contains("`ghost`"), "{e}");
    let g = load_err("name: t\nnodes:\n  - name: a\n    goto: nowhere\n");
    assert_eq!(
        (g.kind, g.node.as_deref(), g.line),
        (K::UnknownNode, Some("a"), Some(4))
    );
}

#[test]
fn duplicate_nodes_point_at_the_second_definition() {
    let e = load_err(
        "name: t\nnodes:\n  - name: a\n    run: return {}\n  - name: a\n    run: return {}\n",
    );
    assert_eq!(
        (e.kind, e.node.as_deref(), e.line),
        (K::DuplicateNode, Some("a"), Some(5))
    );
}

#[test]
fn a_workflow_that_nothing_ends_is_rejected_as_tea_rust_rejects_it() {
    // Only a conditional rule leads to `__end__`: TEA-Rust has no finish point and refuses.
    let e = load_err(
        "name: t\nnodes:\n  - name: a\n    goto:\n      - { if: state.done, to: __end__ }\n      - { to: a }\n",
    );
    assert_eq!(e.kind, K::NoWayOut, "{e}");
    assert!(e.message.contains("nothing ends the workflow"), "{e}");
}

#[test]
fn an_ambiguous_fan_in_is_a_load_error() {
    let yaml = "name: t\nnodes:\n  - { name: s }\n  - { name: a }\n  - { name: b }\n  - { name: j1, goto: j2 }\n  - { name: j2, goto: [{ if: state.again, to: j1 }, { to: e }] }\n  - { name: e }\n\
                edges:\n  - { from: s, parallel: [a, b] }\n  - { from: a, to: j1 }\n  - { from: b, to: j2 }\n";
    let e = load_err(yaml);
    assert_eq!((e.kind, e.node.as_deref()), (K::FanIn, Some("s")));
    assert!(
        e.message.contains("ambiguous") && e.message.contains("fan_in: true"),
        "{e}"
    );
}

#[test]
fn branches_that_never_meet_or_skip_their_fan_in_are_rejected() {
    let never = "name: t\nnodes:\n  - { name: s }\n  - { name: a, goto: __end__ }\n  - { name: b, goto: __end__ }\nedges:\n  - { from: s, parallel: [a, b] }\n";
    assert_eq!(load_err(never).kind, K::FanIn);
    let skip = "name: t\nnodes:\n  - { name: s }\n  - { name: a, goto: __end__ }\n  - { name: b, goto: j }\n  - { name: j, goto: __end__ }\n\
                edges:\n  - { from: s, to: a, type: parallel, fan_in: j }\n  - { from: s, to: b, type: parallel, fan_in: j }\n";
    let e = load_err(skip);
    assert_eq!((e.kind, e.node.as_deref()), (K::FanIn, Some("a")));
}

#[test]
fn nested_fan_out_inside_a_branch_is_rejected_not_run_wrong() {
    let yaml = "name: t\nnodes:\n  - { name: s }\n  - { name: a }\n  - { name: a1, goto: aj }\n  - { name: a2, goto: aj }\n  - { name: aj, fan_in: true, goto: j }\n  - { name: b, goto: j }\n  - { name: j, fan_in: true, goto: __end__ }\n\
                edges:\n  - { from: s, parallel: [a, b] }\n  - { from: a, parallel: [a1, a2] }\n";
    let e = load_err(yaml);
    assert_eq!((e.kind, e.node.as_deref()), (K::NestedFanOut, Some("a")));
}

#[test]
fn other_languages_are_rejected_naming_the_node() {
    let e = load_err("name: t\nnodes:\n  - name: py\n    language: python\n    run: x = 1\n");
    assert_eq!(
        (e.kind, e.node.as_deref(), e.line),
        (K::Language, Some("py"), Some(3))
    );
}

#[test]
fn lua_syntax_errors_report_the_file_line_of_the_bad_code() {
    let e = load_err(
        "name: t\nnodes:\n  - name: a\n    run: |\n      local x = 1\n      return { x = }\n",
    );
    assert_eq!(
        (e.kind, e.node.as_deref(), e.line),
        (K::LuaSyntax, Some("a"), Some(6))
    );
    assert!(e.message.contains("bad.yaml:6:"), "{e}");
    let cond = load_err(
        "name: t\nnodes:\n  - name: a\n    goto:\n      - { if: 'state.x ==', to: __end__ }\n      - { to: b }\n  - name: b\n",
    );
    assert_eq!(
        (cond.kind, cond.node.as_deref(), cond.line),
        (K::Condition, Some("a"), Some(5))
    );
    assert!(cond.message.contains("Tera cannot parse"), "{cond}");
}

#[test]
fn empty_and_garbage_input_are_clear_errors() {
    assert!(load_err("").message.contains("empty"));
    assert_eq!(load_err("\u{0}\u{1}\u{2}binary").kind, K::Yaml);
    assert_eq!(load_err("- just\n- a list\n").kind, K::Yaml);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let e = Workflow::from_file(Path::new("no/such/flow.yaml")).unwrap_err();
    assert_eq!(e.kind, K::Io);
    assert!(e.to_string().contains("no/such/flow.yaml"), "{e}");
}
