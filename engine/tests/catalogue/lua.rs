//! Lua that compiles badly or fails at run time: syntax and runtime errors with their file
//! line, results that are not tables, deep recursion, infinite loops, memory bombs and
//! giant strings. Budgets are small (100 ms) so the suite stays fast; no test times anything.

use engine::ErrorKind::{BadReturn, Lua, Memory, Timeout};
use engine::LoadErrorKind::LuaSyntax;
use engine::RunError;

use crate::check::{Fails, Load, bad_branch, branch_fails, load_fails, one_node, run_fails};

const SMALL: &str = "{ lua_timeout_ms: 100, lua_memory_limit: 1048576 }";

#[test]
fn a_syntax_error_names_the_file_line_and_node() {
    load_fails(
        &one_node("{}", "local x = 1\nlocal y = = 2\nreturn {}"),
        Load {
            kind: LuaSyntax,
            line: Some(7),
            node: Some("main"),
            says: &[
                "compile the `run` code",
                "bad.yaml:7:",
                "unexpected symbol near '='",
            ],
        },
    );
}

#[test]
fn an_unfinished_block_is_a_syntax_error() {
    load_fails(
        &one_node("{}", "if state.x then\nreturn {}"),
        Load {
            kind: LuaSyntax,
            line: Some(8),
            node: Some("main"),
            says: &["'end' expected (to close 'if' at line 6)"],
        },
    );
}

#[test]
fn a_runtime_error_names_the_node_and_its_line() {
    run_fails(
        &one_node("{}", "local a = 1\nerror('boom at ' .. a)"),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["run node `main`", "bad.yaml:7: boom at 1"],
        },
    );
}

#[test]
fn calling_a_nil_value_names_the_culprit() {
    run_fails(
        &one_node("{}", "return { v = state.missing.field }"),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &[
                "bad.yaml:6:",
                "attempt to index a nil value (field 'missing')",
            ],
        },
    );
}

#[test]
fn an_error_with_a_table_value_fails_the_same_way_every_run() {
    // Lua shows the table by its address, which differs per run; the message must not.
    let yaml = one_node("{}", "error({ code = 1 })");
    let first = run_fails(
        &yaml,
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["run node `main`: table value"],
        },
    );
    let again = run_fails(
        &yaml,
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &[],
        },
    );
    assert_eq!(first, again);
    let RunError::Lua { message, .. } = first else {
        unreachable!("checked kind")
    };
    assert!(!message.contains("0x"), "{message}");
    run_fails(
        &one_node(
            "{}",
            "error('got ' .. tostring(print) .. ' and ' .. tostring({}))",
        ),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["value and table value"],
        },
    );
}

#[test]
fn a_non_table_return_names_what_came_back() {
    for (code, found) in [
        ("return 42", "got a number"),
        ("return 'text'", "got a string"),
        ("return true", "got a boolean"),
        ("return function() end", "got a function"),
        (
            "return {1, 2, 3}",
            "an array (return a table with string keys)",
        ),
    ] {
        run_fails(
            &one_node("{}", code),
            Fails {
                kind: BadReturn,
                node: Some("main"),
                branch: None,
                says: &["use the result of node `main`", found],
            },
        );
    }
}

#[test]
fn a_table_with_no_json_form_is_a_bad_return() {
    for (code, why) in [
        (
            "return { t = { 1, 2, k = 3 } }",
            "mixes 2 array item(s) with 1 string key(s)",
        ),
        ("return { f = print }", "unsupported value type `function`"),
        ("return { n = 0/0 }", "the number NaN has no JSON form"),
        (
            "local t = {} t.self = t return { t = t }",
            "recursive table",
        ),
        (
            "return { t = { [true] = 1 } }",
            "a boolean key has no JSON form",
        ),
        (
            "return { t = { [1] = 'a', [5] = 'e' } }",
            "key 5 is not an index of the array 1..1",
        ),
    ] {
        run_fails(
            &one_node("{}", code),
            Fails {
                kind: BadReturn,
                node: Some("main"),
                branch: None,
                says: &["no JSON form", why],
            },
        );
    }
}

#[test]
fn deep_recursion_overflows_the_lua_stack() {
    run_fails(
        &one_node(
            "{}",
            "local function f(n) return 1 + f(n + 1) end\nreturn { v = f(1) }",
        ),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["stack overflow"],
        },
    );
}

#[test]
fn deep_recursion_under_a_small_memory_limit_hits_the_limit() {
    run_fails(
        &one_node(
            SMALL,
            "local function f(n) return 1 + f(n + 1) end\nreturn { v = f(1) }",
        ),
        Fails {
            kind: Memory,
            node: Some("main"),
            branch: None,
            says: &["within the 1048576 byte memory limit"],
        },
    );
}

#[test]
fn an_infinite_loop_times_out() {
    run_fails(
        &one_node(SMALL, "while true do end"),
        Fails {
            kind: Timeout,
            node: Some("main"),
            branch: None,
            says: &["run node `main` within its 100 ms budget"],
        },
    );
}

#[test]
fn an_infinite_loop_in_a_branch_times_out_alone() {
    let r = branch_fails(
        &bad_branch(SMALL, "local i = 0\nwhile true do i = i + 1 end"),
        "bad",
        Timeout,
        &["within its 100 ms budget"],
    );
    assert_eq!(r["timeout"], true);
}

#[test]
fn a_memory_bomb_hits_the_limit() {
    run_fails(
        &one_node(
            SMALL,
            "local t = {}\nfor i = 1, 1e8 do t[i] = { i } end\nreturn {}",
        ),
        Fails {
            kind: Memory,
            node: Some("main"),
            branch: None,
            says: &["within the 1048576 byte memory limit"],
        },
    );
}

#[test]
fn a_memory_bomb_in_a_branch_fails_alone() {
    branch_fails(
        &bad_branch(SMALL, "local s = 'x'\nwhile true do s = s .. s end"),
        "bad",
        Memory,
        &["memory limit"],
    );
}

#[test]
fn a_giant_string_hits_the_memory_limit() {
    run_fails(
        &one_node(SMALL, "return { s = string.rep('x', 1e8) }"),
        Fails {
            kind: Memory,
            node: Some("main"),
            branch: None,
            says: &["memory limit"],
        },
    );
}

#[test]
fn an_impossible_string_is_refused_by_lua() {
    run_fails(
        &one_node(SMALL, "return { s = string.rep('x', math.maxinteger) }"),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["bad.yaml:6:", "resulting string too large"],
        },
    );
}

#[test]
fn a_lua_line_is_found_when_the_workflow_is_named_like_a_node() {
    // The workflow is called `bad` too; its top-level `name:` must not be taken for the node.
    load_fails(
        &bad_branch("{}", "local n = = 1"),
        Load {
            kind: LuaSyntax,
            line: Some(10),
            node: Some("bad"),
            says: &["bad.yaml:10:"],
        },
    );
}

#[test]
fn a_runtime_error_in_a_branch_fails_only_that_branch() {
    branch_fails(
        &bad_branch("{}", "local n = state.n\nerror('branch broke ' .. n)"),
        "bad",
        Lua,
        &[
            "run node `bad` in branch `bad`",
            "bad.yaml:11: branch broke 1",
        ],
    );
}

#[test]
fn fail_fast_turns_a_failing_branch_into_a_run_error() {
    run_fails(
        &bad_branch("{ fail_fast: true }", "error('stop everything')"),
        Fails {
            kind: Lua,
            node: Some("bad"),
            branch: Some("bad"),
            says: &["in branch `bad`", "stop everything"],
        },
    );
}
