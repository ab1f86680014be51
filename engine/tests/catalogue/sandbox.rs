//! Attempts to get out of the sandbox: hidden libraries, loaders, `string.dump` through the
//! string metatable, finalizers, `collectgarbage`, and catching a timeout or a memory error
//! with `pcall` to keep running. Each fails the node with a message naming what is missing.

use engine::ErrorKind::{Lua, Memory, Timeout};

use crate::check::{Fails, bad_branch, branch_fails, one_node, run_fails};

const SMALL: &str = "{ lua_timeout_ms: 100, lua_memory_limit: 1048576 }";

fn blocked(code: &str, says: &str) {
    run_fails(
        &one_node("{}", code),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["run node `main`", "bad.yaml:6:", says],
        },
    );
}

#[test]
fn require_and_package_are_gone() {
    blocked(
        "local io = require('io')",
        "attempt to call a nil value (global 'require')",
    );
    blocked(
        "local os = package.loaded.os",
        "attempt to index a nil value (global 'package')",
    );
}

#[test]
fn code_loaders_are_gone() {
    blocked("return load('return 1')()", "(global 'load')");
    blocked("return loadstring('return 1')()", "(global 'loadstring')");
    blocked("return dofile('/etc/passwd')", "(global 'dofile')");
    blocked("return loadfile('/etc/passwd')()", "(global 'loadfile')");
}

#[test]
fn string_dump_is_gone_also_through_the_string_metatable() {
    blocked("return { b = string.dump(print) }", "(field 'dump')");
    blocked("return { b = ('x'):dump() }", "(method 'dump')");
    // The string metatable itself is out of reach: `getmetatable('')` is false.
    blocked(
        "return { b = getmetatable('').__index.dump(print) }",
        "attempt to index a boolean value",
    );
}

#[test]
fn io_os_debug_and_coroutine_are_gone() {
    blocked("return { f = io.open('/etc/passwd') }", "(global 'io')");
    blocked("os.execute('true')", "(global 'os')");
    blocked("return { i = debug.getinfo(1) }", "(global 'debug')");
    blocked(
        "return { c = coroutine.wrap(print) }",
        "(global 'coroutine')",
    );
    blocked(
        "return { f = rawget(_G, 'io').open }",
        "attempt to index a nil value",
    );
    blocked(
        "return { f = _ENV.os.exit }",
        "attempt to index a nil value (global 'os')",
    );
}

#[test]
fn collectgarbage_only_counts() {
    blocked(
        "collectgarbage('collect')",
        "collectgarbage: only \"count\" is allowed",
    );
    blocked("collectgarbage('stop')", "only \"count\" is allowed");
    let state = crate::check::run(&one_node("{}", "return { kb = collectgarbage('count') }"))
        .expect("count is allowed");
    assert!(state["kb"].as_f64().is_some_and(|kb| kb > 0.0), "{state}");
}

#[test]
fn finalizers_are_refused() {
    blocked(
        "setmetatable({}, { __gc = function() while true do end end })",
        "__gc metamethods are not allowed",
    );
}

#[test]
fn host_arguments_are_checked() {
    run_fails(
        &one_node("{}", "sleep_ms(-1)"),
        Fails {
            kind: Lua,
            node: Some("main"),
            branch: None,
            says: &["sleep_ms: expected a non-negative number"],
        },
    );
}

#[test]
fn branch_info_is_read_only() {
    branch_fails(
        &bad_branch("{}", "branch.name = 'other'"),
        "bad",
        Lua,
        &["branch is read-only"],
    );
}

#[test]
fn pcall_cannot_swallow_a_timeout() {
    run_fails(
        &one_node(
            SMALL,
            "local ok = pcall(function() while true do end end)\nreturn { survived = true, ok = ok }",
        ),
        Fails {
            kind: Timeout,
            node: Some("main"),
            branch: None,
            says: &["within its 100 ms budget"],
        },
    );
}

#[test]
fn xpcall_handlers_cannot_swallow_a_timeout() {
    for handler in [
        "function() return 'handled' end",
        "function() while true do end end",
    ] {
        run_fails(
            &one_node(
                SMALL,
                &format!(
                    "xpcall(function() while true do end end, {handler})\nreturn {{ survived = true }}"
                ),
            ),
            Fails {
                kind: Timeout,
                node: Some("main"),
                branch: None,
                says: &["within its 100 ms budget"],
            },
        );
    }
}

#[test]
fn pcall_cannot_swallow_running_out_of_memory() {
    run_fails(
        &one_node(
            SMALL,
            "local ok = pcall(string.rep, 'x', 1e8)\nreturn { survived = true }",
        ),
        Fails {
            kind: Memory,
            node: Some("main"),
            branch: None,
            says: &["memory limit"],
        },
    );
}

#[test]
fn loops_hidden_in_callbacks_still_time_out() {
    for code in [
        "local t = setmetatable({}, { __index = function() while true do end end })\nreturn { v = t.x }",
        "local s = ('x'):gsub('.', function() while true do end end)",
        "local t = {3, 1, 2}\ntable.sort(t, function(a, b) while true do end end)",
    ] {
        run_fails(
            &one_node(SMALL, code),
            Fails {
                kind: Timeout,
                node: Some("main"),
                branch: None,
                says: &["within its 100 ms budget"],
            },
        );
    }
}
