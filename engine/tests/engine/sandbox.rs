//! The sandbox holds against people trying to get out, not only against the usual names.

use crate::common::*;

/// Each probe returns a string describing what it reached, or "blocked".
const PROBES: &[(&str, &str)] = &[
    ("io", "return io"),
    ("os", "return os"),
    ("package", "return package"),
    ("require", "return require"),
    ("require_io", "return require and require('io')"),
    (
        "package_loaded_os",
        "return package and package.loaded and package.loaded.os",
    ),
    ("debug", "return debug"),
    ("load", "return load"),
    ("loadstring", "return loadstring"),
    ("loadfile", "return loadfile"),
    ("dofile", "return dofile"),
    ("string_dump", "return string.dump"),
    ("string_meta_dump", "return getmetatable('').__index.dump"),
    ("coroutine", "return coroutine"),
    ("g_io", "return _G.io or _G['o' .. 's']"),
    ("env_io", "return _ENV.io"),
    ("rawget_os", "return rawget(_G, 'os')"),
    (
        "collectgarbage_collect",
        "return (pcall(collectgarbage, 'collect')) or nil",
    ),
    (
        "collectgarbage_stop",
        "return (pcall(collectgarbage, 'stop')) or nil",
    ),
    ("warn", "return warn"),
    ("module", "return module"),
    ("setfenv", "return setfenv"),
    ("ffi", "return ffi or jit"),
    (
        "gc_finalizer",
        "return (pcall(setmetatable, {}, { __gc = function() while true do end end })) or nil",
    ),
];

#[test]
fn every_escape_route_is_blocked() {
    let mut code = String::from("local found = {}\n");
    for (name, probe) in PROBES {
        code += &format!(
            "do local ok, v = pcall(function() {probe} end)\n  if ok and v ~= nil then found[#found + 1] = '{name}' end end\n"
        );
    }
    code += "return { found = table.concat(found, ','), count_ok = type(collectgarbage('count')) == 'number' }";
    for dialect in BOTH {
        let wf = load(&fan_out(
            dialect,
            &code,
            &[("a", &code), ("b", &code)],
            &code.replace("return {", "return { results = state.parallel_results,"),
            "{}",
        ));
        let state = ok_state(&wf, 0);
        assert_eq!(
            state["found"], "",
            "{dialect:?}: main path reached {}",
            state["found"]
        );
        assert_eq!(
            state["count_ok"], true,
            "collectgarbage('count') still works"
        );
        for r in results(&state) {
            assert_eq!(
                r["state"]["found"], "",
                "{dialect:?}: branch {} reached {}",
                r["branch"], r["state"]["found"]
            );
        }
    }
}

#[test]
fn only_the_allowed_libraries_are_loaded() {
    let code = "local libs = {}\nfor k, v in pairs(_G) do if type(v) == 'table' and k ~= '_G' then libs[#libs + 1] = k end end\n\
                table.sort(libs)\nreturn { libs = table.concat(libs, ',') }";
    let yaml = format!(
        "name: t\nnodes:\n  - name: a\n    run: |\n{}",
        code.lines()
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    );
    let state = ok_state(&load(&yaml), 0);
    assert_eq!(state["libs"], "math,state,string,table,utf8");
}

#[test]
fn string_metatable_changes_stay_inside_one_vm() {
    // The metatable itself is hidden (`getmetatable('')` is false); its `__index` is the
    // `string` table, which a node can still change.
    let patch = "string.upper = function() return 'pwned' end\nreturn { mine = ('a'):upper(), hidden = getmetatable('') == false }";
    let check = "sleep_ms(2)\nreturn { mine = ('a'):upper() }";
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("patch", patch), ("check", check)],
        "return { main = ('a'):upper(), results = state.parallel_results }",
        "{}",
    ));
    let state = ok_state(&wf, 0);
    assert_eq!(state["main"], "A");
    assert_eq!(results(&state)[0]["state"]["mine"], "pwned");
    assert_eq!(results(&state)[0]["state"]["hidden"], true);
    assert_eq!(results(&state)[1]["state"]["mine"], "A");
}
