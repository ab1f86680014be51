//! Seed TEA-PY-002: globals, functions, tables and metatables set in one branch are nil in
//! its siblings and in the parent.

use crate::common::*;

/// Each probe defines something in its branch and reports what it sees of its siblings'.
const WRITER: &str = r#"
shared_global = "from " .. branch.name
function shared_fn() return branch.name end
shared_table = { owner = branch.name }
setmetatable(_G, { __index = function(_, k) return "meta:" .. k end })
string.leak = "patched"
return { wrote = true }
"#;

const READER: &str = r#"
sleep_ms(2)
local mt = getmetatable(_G)
return {
  saw_global = rawget(_G, "shared_global") ~= nil,
  saw_fn = rawget(_G, "shared_fn") ~= nil,
  saw_table = rawget(_G, "shared_table") ~= nil,
  saw_meta = mt ~= nil,
  saw_string_patch = string.leak ~= nil,
}
"#;

const PARENT_CHECK: &str = r#"
local mt = getmetatable(_G)
return {
  parent_saw = (rawget(_G, "shared_global") ~= nil) or (rawget(_G, "shared_fn") ~= nil)
    or (rawget(_G, "shared_table") ~= nil) or (mt ~= nil) or (string.leak ~= nil),
  readers = state.parallel_results,
}
"#;

#[test]
fn globals_functions_tables_and_metatables_do_not_leak_between_branches_or_to_parent() {
    for dialect in BOTH {
        let yaml = fan_out(
            dialect,
            "return {}",
            &[
                ("w1", WRITER),
                ("r1", READER),
                ("w2", WRITER),
                ("r2", READER),
            ],
            PARENT_CHECK,
            "{}",
        );
        let wf = load(&yaml);
        for seed in 0..20 {
            let state = ok_state(&wf, seed);
            assert_eq!(
                state["parent_saw"], false,
                "{dialect:?}: parent saw a branch's definitions"
            );
            let readers = state["readers"].as_array().unwrap();
            assert_eq!(readers.len(), 4);
            for r in readers {
                assert_eq!(r["success"], true, "{dialect:?}: {r}");
                if r["branch"].as_str().unwrap().starts_with('r') {
                    for key in [
                        "saw_global",
                        "saw_fn",
                        "saw_table",
                        "saw_meta",
                        "saw_string_patch",
                    ] {
                        assert_eq!(
                            r["state"][key], false,
                            "{dialect:?}: reader {} saw {key}",
                            r["branch"]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn parent_globals_are_not_visible_in_branches() {
    for dialect in BOTH {
        let setup = "parent_secret = 42\nfunction parent_fn() end\nreturn {}";
        let probe =
            "return { saw = rawget(_G, 'parent_secret') ~= nil or rawget(_G, 'parent_fn') ~= nil }";
        let join =
            "return { parent_still_has = parent_secret == 42, results = state.parallel_results }";
        let wf = load(&fan_out(
            dialect,
            setup,
            &[("a", probe), ("b", probe)],
            join,
            "{}",
        ));
        let state = ok_state(&wf, 1);
        assert_eq!(
            state["parent_still_has"], true,
            "main-path VM must keep its own globals"
        );
        for r in results(&state) {
            assert_eq!(
                r["state"]["saw"], false,
                "{dialect:?}: branch {} saw the parent's globals",
                r["branch"]
            );
        }
    }
}

#[test]
fn globals_do_not_survive_into_a_later_run() {
    let setup = "local seen = rawget(_G, 'run_marker') ~= nil\nrun_marker = true\nreturn { seen_before = seen }";
    let probe = "local seen = rawget(_G, 'branch_marker') ~= nil\nbranch_marker = true\nreturn { seen_before = seen }";
    let wf = load(&fan_out(
        Dialect::Rust,
        setup,
        &[("a", probe), ("b", probe)],
        KEEP_RESULTS,
        "{ max_parallel_branches: 1 }",
    ));
    for seed in 0..5 {
        let state = ok_state(&wf, seed);
        assert_eq!(
            state["seen_before"], false,
            "run {seed}: the main VM was reused"
        );
        for r in results(&state) {
            assert_eq!(
                r["state"]["seen_before"], false,
                "run {seed}: branch {} got a reused VM",
                r["branch"]
            );
        }
    }
}
