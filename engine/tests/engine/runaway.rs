//! Runaway Lua that the in-VM mechanisms can stop, each in a branch beside a healthy
//! sibling: the run ends, the runaway branch fails the way its kind says, and the sibling's
//! result is intact. (Code nothing in the process can stop, the pattern matcher, is the
//! harness's hard deadline's job: `harness/tests/soak/hang.rs`.)

use serde_json::Value;

use crate::common::*;

/// A `__close` handler that loops for ever.
const LOOPING_CLOSER: &str = "setmetatable({}, { __close = function() while true do end end })";

/// Runs `code` as branch `runaway` beside `healthy` under a 200 ms budget; returns the
/// runaway branch's entry after checking the sibling.
fn beside_a_sibling(code: &str) -> Value {
    beside_a_sibling_within(code, 200)
}

/// [`beside_a_sibling`] with a budget of `budget_ms`.
fn beside_a_sibling_within(code: &str, budget_ms: u64) -> Value {
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("runaway", code), ("healthy", "return { fine = true }")],
        KEEP_RESULTS,
        &format!("{{ lua_timeout_ms: {budget_ms}, max_parallel_branches: 2 }}"),
    ));
    let state = ok_state(&wf, 0);
    let r = results(&state);
    assert_eq!(r[1]["success"], true, "the sibling: {}", r[1]);
    assert_eq!(r[1]["state"]["fine"], true);
    r[0].clone()
}

fn times_out(code: &str) {
    times_out_within(code, 200);
}

fn times_out_within(code: &str, budget_ms: u64) {
    let entry = beside_a_sibling_within(code, budget_ms);
    assert_eq!(
        entry["error_type"], "TimeoutError",
        "{code}
{entry}"
    );
    assert_eq!(entry["timeout"], true);
}

fn refused(code: &str, says: &str) {
    let entry = beside_a_sibling(code);
    assert_eq!(entry["error_type"], "LuaError", "{code}\n{entry}");
    let error = entry["error"].as_str().unwrap();
    assert!(error.contains(says), "{error}");
}

#[test]
fn a_looping_close_handler_of_an_attribute_stops_at_the_budget() {
    times_out(&format!(
        "local x <close> = {LOOPING_CLOSER}\nwhile true do end"
    ));
    // A comment inside the attribute got past the old text check.
    times_out(&format!(
        "local x <--[[ hidden ]]close> = {LOOPING_CLOSER}\nwhile true do end"
    ));
}

#[test]
fn a_looping_closing_value_of_a_generic_for_stops_at_the_budget() {
    // Every generic `for` closes its fourth value, with no attribute in sight.
    times_out(&format!(
        "local closer = {LOOPING_CLOSER}\nfor k in next, {{ 1 }}, nil, closer do while true do end end"
    ));
    times_out(&format!(
        "local closer = {LOOPING_CLOSER}\nfor k in next, {{ 1 }}, nil, closer do break end\nreturn {{}}"
    ));
}

#[test]
fn a_looping_close_handler_stops_on_error_unwinding_and_on_normal_exit() {
    times_out(&format!(
        "local x <close> = {LOOPING_CLOSER}\nerror('boom')"
    ));
    times_out(&format!(
        "local ok = pcall(function() local x <close> = {LOOPING_CLOSER}\nerror('boom') end)\nreturn {{ ok = ok }}"
    ));
    times_out(&format!(
        "do local x <close> = {LOOPING_CLOSER} end\nreturn {{}}"
    ));
    times_out(
        "local x <close> = setmetatable({}, { __close = function() while true do pcall(function() end) end end })\nwhile true do end",
    );
}

#[test]
fn to_be_closed_variables_work_and_their_handlers_run() {
    let entry = beside_a_sibling(
        "local log = {}\ndo local x <close> = setmetatable({}, { __close = function() log[#log + 1] = 'closed' end }) end\n\
         for k in next, { 1 }, nil, setmetatable({}, { __close = function() log[#log + 1] = 'for' end }) do end\n\
         return { log = table.concat(log, ',') }",
    );
    assert_eq!(entry["state"]["log"], "closed,for", "{entry}");
}

#[test]
fn string_rep_of_nothing_returns_at_once_and_too_much_is_out_of_memory() {
    let entry = beside_a_sibling(
        "return { a = #string.rep('', 1e15), b = #string.rep('', 1e15, ''), c = string.rep('ab', 3, '-') }",
    );
    assert_eq!(entry["state"]["a"], 0, "{entry}");
    assert_eq!(entry["state"]["b"], 0);
    assert_eq!(entry["state"]["c"], "ab-ab-ab");
    let entry = beside_a_sibling("local s = string.rep('x', 1e9)\nreturn { n = #s }");
    assert_eq!(entry["error_type"], "MemoryError", "{entry}");
    let caught = beside_a_sibling("local ok = pcall(string.rep, 'x', 1e9)\nreturn { ok = ok }");
    assert_eq!(
        caught["error_type"], "MemoryError",
        "pcall cannot catch it: {caught}"
    );
}

#[test]
fn concat_and_move_over_ranges_that_are_not_there_stop_at_the_budget() {
    // `concat` copies the table for Lua's own function, and a copy this long outgrows the
    // 64 MiB memory limit after some 200 ms of a debug build's CPU: these get 20 ms (both
    // limits count the thread's own work, so which comes first does not depend on the
    // host's load). A Lua `__index` that always answers: the loop is Lua's, through
    // metamethods.
    times_out_within(
        "local t = setmetatable({}, { __index = function() return '' end })\nreturn { s = table.concat(t, '', 1, math.maxinteger) }",
        20,
    );
    // A C `__index` that always answers (rawlen: 0) and a `__len` that lies: all in C.
    times_out_within(
        "local t = setmetatable({}, { __index = rawlen, __len = function() return math.maxinteger end })\nreturn { s = table.concat(t) }",
        20,
    );
    // Nils moved for ever; a float bound is an integer to Lua.
    times_out("local sink = {}\ntable.move({}, 1, 1e15, 1, sink)\nreturn {}");
    times_out("table.move({}, 1, math.maxinteger - 1, 1)\nreturn {}");
    // On a plain table concat stops at the first element that is not there, as Lua does.
    refused(
        "return { s = table.concat({ 'a' }, '', 1, 1e15) }",
        "at index 2 in table for 'concat'",
    );
    let fine = beside_a_sibling(
        "return { s = table.concat({ 'a', 'b', 'c' }, '-'), t = table.move({ 1, 2, 3 }, 1, 3.0, 2, {}) }",
    );
    assert_eq!(fine["state"]["s"], "a-b-c", "{fine}");
    assert_eq!(fine["state"]["t"], serde_json::json!([null, 1, 2, 3]));
}

#[test]
fn a_len_that_lies_twice_is_asked_once() {
    // `__len` answered the old Lua guard 0 and the C function a huge length.
    let entry = beside_a_sibling(
        "local asked = 0\nlocal t = setmetatable({}, { __len = function() asked = asked + 1; if asked == 1 then return 0 end return math.maxinteger // 2 end })\n\
         table.insert(t, 1, 'x')\nreturn { asked = asked, first = rawget(t, 1) }",
    );
    assert_eq!(entry["state"]["asked"], 1, "{entry}");
    assert_eq!(entry["state"]["first"], "x");
    // `sort` copies the table too (see the `concat` test above).
    times_out_within(
        "local t = setmetatable({}, { __len = function() return 2^31 - 2 end, __index = rawlen, __newindex = rawequal })\ntable.sort(t)\nreturn {}",
        20,
    );
    times_out(
        "local t = setmetatable({}, { __len = function() return math.maxinteger // 2 end })\ntable.remove(t, 1)\nreturn {}",
    );
    times_out(
        "local t = setmetatable({}, { __len = function() return math.maxinteger // 2 end })\ntable.insert(t, 1, 'x')\nreturn {}",
    );
}

#[test]
fn the_table_library_keeps_lua_semantics_on_tables_with_metatables() {
    let entry = beside_a_sibling(
        "local t = setmetatable({ 30, 10, 20 }, {})\ntable.sort(t)\nlocal u = setmetatable({ 3, 1, 2 }, {})\ntable.sort(u, function(a, b) return a > b end)\n\
         local v = { 3, 1, 2 }\ntable.sort(v, math.ult)\n\
         table.insert(t, 2, 15)\nlocal removed = table.remove(t)\nlocal bad = pcall(table.insert, t, 99, 1)\n\
         return { t = { t[1], t[2], t[3] }, u = { u[1], u[2], u[3] }, v = { v[1], v[2], v[3] }, removed = removed, bad = bad }",
    );
    let s = &entry["state"];
    assert_eq!(s["t"], serde_json::json!([10, 15, 20]), "{entry}");
    assert_eq!(s["u"], serde_json::json!([3, 2, 1]));
    assert_eq!(s["v"], serde_json::json!([1, 2, 3]));
    assert_eq!(s["removed"], 30);
    assert_eq!(s["bad"], false);
}

#[test]
fn proxies_much_larger_than_their_raw_part_keep_lua_semantics() {
    // 20,000 elements behind `__index`/`__newindex`/`__len`, none held raw (the old guard
    // refused anything past 65,536 beyond the raw part; this keeps the test quick with the
    // count hook too).
    let entry = beside_a_sibling(
        "local store = {}\nfor i = 1, 20000 do store[i] = tostring(i % 10) end\n\
         local p = setmetatable({}, { __index = store, __newindex = store, __len = function() return #store end })\n\
         table.insert(p, 'x')\nlocal last = table.remove(p)\nlocal s = table.concat(p, '', 1, 20000)\n\
         local m = table.move(p, 1, 20000, 1, {})\n\
         return { last = last, len = #s, moved = #m, n = #store }",
    );
    let s = &entry["state"];
    assert_eq!(s["last"], "x", "{entry}");
    assert_eq!(s["len"], 20000);
    assert_eq!(s["moved"], 20000);
    assert_eq!(s["n"], 20000);
}

#[test]
fn wrapped_functions_name_themselves_in_argument_errors() {
    refused(
        "local t = setmetatable({ 3, 1 }, {})\ntable.sort(t, 5)\nreturn {}",
        "bad argument #2 to 'sort' (function expected, got number)",
    );
    refused(
        "local t = setmetatable({ 'a' }, {})\nreturn { s = table.concat(t, {}) }",
        "bad argument #2 to 'concat'",
    );
    refused(
        "return { t = table.move({}, 1, 2) }",
        "bad argument #4 to 'move'",
    );
}

#[test]
fn concat_asks_len_once() {
    let entry = beside_a_sibling(
        "local asked = 0\nlocal t = setmetatable({ 'a', 'b' }, { __len = function() asked = asked + 1; return 2 end })\n\
         return { s = table.concat(t, '-'), asked = asked }",
    );
    assert_eq!(entry["state"]["s"], "a-b", "{entry}");
    assert_eq!(entry["state"]["asked"], 1);
}
