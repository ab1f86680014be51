//! Workflows that parse but whose graph is wrong: unknown or duplicate nodes, fan-ins that
//! cannot be found or reached, routes with no way out (at load time where the graph shows
//! it, at run time where a condition decides), and invalid settings.

use engine::ErrorKind;
use engine::LoadErrorKind::{
    Condition, DuplicateNode, FanIn, Invalid, Language, NestedFanOut, NoWayOut, UnknownNode,
};

use crate::check::{Fails, Load, bad_branch, branch_fails, load_fails, run_fails};

#[test]
fn unknown_node_in_an_edge_points_at_the_reference() {
    load_fails(
        "name: t\nnodes:\n  - name: a\nedges:\n  - from: a\n    to: nowhere\n",
        Load {
            kind: UnknownNode,
            line: Some(6),
            node: Some("a"),
            says: &["unknown node `nowhere`", "routing from `a`"],
        },
    );
}

#[test]
fn unknown_node_in_a_goto_points_at_the_reference() {
    load_fails(
        "name: t\nnodes:\n  - name: a\n    goto: elsewhere\n",
        Load {
            kind: UnknownNode,
            line: Some(4),
            node: Some("a"),
            says: &["unknown node `elsewhere`"],
        },
    );
}

#[test]
fn unknown_branch_of_a_fan_out_is_named() {
    load_fails(
        "name: t\nnodes:\n  - name: s\n  - name: a\n  - name: j\nedges:\n  - { from: s, parallel: [a, ghost] }\n  - { from: a, to: j }\n  - { from: j, to: __end__ }\n",
        Load {
            kind: UnknownNode,
            line: Some(7),
            node: Some("s"),
            says: &["unknown node `ghost`"],
        },
    );
}

#[test]
fn duplicate_node_points_at_the_second_definition() {
    load_fails(
        "name: t\nnodes:\n  - name: a\n    run: return {}\n  - name: a\n",
        Load {
            kind: DuplicateNode,
            line: Some(5),
            node: Some("a"),
            says: &["node `a` is defined twice"],
        },
    );
}

#[test]
fn a_branch_that_never_reaches_its_fan_in() {
    // Python dialect: the fan-in is named, but branch `b` ends the run instead.
    load_fails(
        "name: t\nnodes:\n  - name: s\n  - name: a\n  - name: b\n  - name: j\nedges:\n  \
         - { from: s, to: a, type: parallel, fan_in: j }\n  - { from: s, to: b, type: parallel, fan_in: j }\n  \
         - { from: a, to: j }\n  - { from: b, to: __end__ }\n  - { from: j, to: __end__ }\n",
        Load {
            kind: FanIn,
            line: Some(5),
            node: Some("b"),
            says: &["branch `b` of `s` never reaches its fan-in `j`"],
        },
    );
}

#[test]
fn branches_that_never_meet() {
    load_fails(
        "name: t\nnodes:\n  - name: s\n  - name: a\n  - name: b\nedges:\n  - { from: s, parallel: [a, b] }\n  \
         - { from: a, to: __end__ }\n  - { from: b, to: __end__ }\n",
        Load {
            kind: FanIn,
            line: Some(3),
            node: Some("s"),
            says: &["the branches of `s` never meet"],
        },
    );
}

#[test]
fn an_ambiguous_fan_in_lists_the_candidates() {
    load_fails(
        "name: t\nnodes:\n  - name: s\n  - name: a\n  - name: b\n  - name: c\n  - name: d\n  - name: z\nedges:\n  \
         - { from: s, parallel: [a, b] }\n  - { from: a, to: c }\n  - { from: b, to: d }\n  \
         - { from: c, to: d }\n  - { from: d, to: c }\n",
        Load {
            kind: FanIn,
            line: Some(3),
            node: Some("s"),
            says: &[
                "the fan-in of `s` is ambiguous",
                "`c`",
                "`d`",
                "fan_in: true",
            ],
        },
    );
}

#[test]
fn one_fan_out_into_two_fan_ins() {
    load_fails(
        "name: t\nnodes:\n  - name: s\n  - name: a\n  - name: b\n  - name: j\n  - name: k\nedges:\n  \
         - { from: s, to: a, type: parallel, fan_in: j }\n  - { from: s, to: b, type: parallel, fan_in: k }\n",
        Load {
            kind: FanIn,
            line: Some(3),
            node: Some("s"),
            says: &["two fan-ins (`j` and `k`)"],
        },
    );
}

#[test]
fn a_nested_fan_out_is_rejected() {
    load_fails(
        "name: t\nnodes:\n  - name: s\n  - name: a\n  - name: a1\n  - name: a2\n  - name: aj\n  - name: b\n  - name: j\n\
         edges:\n  - { from: s, parallel: [a, b] }\n  - { from: a, parallel: [a1, a2] }\n  - { from: a1, to: aj }\n  \
         - { from: a2, to: aj }\n  - { from: aj, to: j }\n  - { from: b, to: j }\n  - { from: j, to: __end__ }\n",
        Load {
            kind: NestedFanOut,
            line: Some(4),
            node: Some("a"),
            says: &["nested fan-out is not supported"],
        },
    );
}

#[test]
fn a_workflow_that_nothing_ends() {
    // The last node in the list has a `goto`, and only a conditional rule reaches
    // `__end__`: TEA-Rust finds no finish point and refuses the workflow.
    load_fails(
        "name: t\nnodes:\n  - name: a\n    goto:\n      - { if: state.done, to: __end__ }\n      - { to: a }\n",
        Load {
            kind: NoWayOut,
            line: None,
            node: None,
            says: &["nothing ends the workflow", "`goto: __end__`"],
        },
    );
}

#[test]
fn an_empty_goto_list_is_no_way_out() {
    load_fails(
        "name: t\nnodes:\n  - name: a\n    goto: []\n",
        Load {
            kind: NoWayOut,
            line: Some(3),
            node: Some("a"),
            says: &["empty `goto` list"],
        },
    );
}

#[test]
fn a_language_other_than_lua() {
    load_fails(
        "name: t\nnodes:\n  - name: py\n    language: python\n    run: print('hi')\n",
        Load {
            kind: Language,
            line: Some(3),
            node: Some("py"),
            says: &["language `python`", "only Lua runs here"],
        },
    );
}

#[test]
fn reserved_names_are_invalid_and_a_fan_out_from_start_must_meet() {
    load_fails(
        "name: t\nnodes:\n  - name: __end__\n",
        Load {
            kind: Invalid,
            line: Some(3),
            node: Some("__end__"),
            says: &["`__end__` is reserved"],
        },
    );
    // A fan-out straight from `__start__` is supported; its branches must still meet.
    load_fails(
        "name: t\nnodes:\n  - name: a\n    goto: __end__\n  - name: b\n    goto: __end__\nedges:\n  - { from: __start__, parallel: [a, b] }\n",
        Load {
            kind: FanIn,
            line: None,
            node: Some("__start__"),
            says: &["the branches of `__start__` never meet"],
        },
    );
}

#[test]
fn settings_out_of_range_are_invalid() {
    load_fails(
        "name: t\nsettings: { lua_memory_limit: 1000 }\nnodes:\n  - name: a\n",
        Load {
            kind: Invalid,
            line: Some(2),
            node: None,
            says: &["settings: `lua_memory_limit` must be at least"],
        },
    );
    load_fails(
        "name: t\nsettings: { max_parallel_branches: 0 }\nnodes:\n  - name: a\n",
        Load {
            kind: Invalid,
            line: Some(2),
            node: None,
            says: &["`max_parallel_branches` must be at least 1"],
        },
    );
}

#[test]
fn a_workflow_without_nodes_is_invalid() {
    load_fails(
        "name: t\nnodes: []\n",
        Load {
            kind: Invalid,
            line: None,
            node: None,
            says: &["the workflow has no nodes"],
        },
    );
}

#[test]
fn a_condition_that_does_not_compile_names_its_node() {
    load_fails(
        "name: t\nnodes:\n  - name: a\n    goto:\n      - { if: \"state.x ==\", to: __end__ }\n      - { to: __end__ }\n",
        Load {
            kind: Condition,
            line: Some(5),
            node: Some("a"),
            says: &[
                "use the condition `state.x ==` of node `a`",
                "Tera cannot parse",
            ],
        },
    );
}

#[test]
fn no_condition_matching_and_no_fallback_fails_the_route() {
    run_fails(
        "name: t\nnodes:\n  - name: a\n    run: return { x = 1 }\n    goto:\n      - { if: \"state.x > 5\", to: __end__ }\n  - name: b\n",
        Fails {
            kind: ErrorKind::Routing,
            node: Some("a"),
            branch: None,
            says: &["route from node `a`", "no condition matched"],
        },
    );
}

#[test]
fn a_loop_with_no_exit_stops_at_max_steps() {
    run_fails(
        "name: t\nsettings: { max_steps: 20 }\nnodes:\n  - name: spin\n    run: return { n = (state.n or 0) + 1 }\n    goto: spin\n  - name: done\n",
        Fails {
            kind: ErrorKind::Routing,
            node: Some("spin"),
            branch: None,
            says: &["exceeded `max_steps` (20)"],
        },
    );
}

#[test]
fn a_branch_routed_to_the_end_before_its_fan_in_fails_alone() {
    let yaml = bad_branch("{}", "return { gone = true }")
        .replace("  - { from: bad, to: join }\n", "")
        .replace(
            "  - name: join\n",
            "    goto:\n      - { if: \"state.n == 1\", to: __end__ }\n      - { to: join }\n  - name: join\n",
        );
    branch_fails(
        &yaml,
        "bad",
        ErrorKind::Routing,
        &["reached `__end__` before its fan-in `join`"],
    );
}
