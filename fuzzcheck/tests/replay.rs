//! Replays the committed fuzz seeds and every crash ever found through the fuzz targets'
//! own check functions, so the suite catches a regression without the fuzz toolchain.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Runs every file of `fuzz/<kind>/<target>/` through `check`; returns how many ran.
fn replay(kind: &str, target: &str, check: fn(&[u8])) -> usize {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file)
            .unwrap_or_else(|e| panic!("failed to read {}: {e}", file.display()));
        eprintln!("replaying {}", file.display());
        check(&data);
    }
    files.len()
}

fn replay_seeds(target: &str, check: fn(&[u8])) {
    let seeds = replay("seeds", target, check);
    assert!(
        seeds >= 5,
        "fuzz/seeds/{target}/ should hold a seed corpus, found {seeds} files"
    );
    replay("regressions", target, check);
}

#[test]
fn yaml_load_seeds_and_regressions_pass() {
    replay_seeds("yaml_load", fuzzcheck::yaml_load);
}

#[test]
fn lua_bridge_seeds_and_regressions_pass() {
    replay_seeds("lua_bridge", fuzzcheck::lua_bridge);
}

#[test]
fn run_small_seeds_and_regressions_pass() {
    replay_seeds("run_small", fuzzcheck::run_small);
}

/// Runs one committed regression input through `check`.
fn replay_file(path: &str, check: fn(&[u8])) {
    let file = fuzz_dir().join(path);
    let data =
        std::fs::read(&file).unwrap_or_else(|e| panic!("failed to read {}: {e}", file.display()));
    check(&data);
}

// Each input the fuzzers ever crashed on, by name. (The directory replay above runs them
// too; these name them in the test report.)

/// libFuzzer found a load error "past the last line": libyaml counts a lone CR as a line
/// break and `str::lines` does not. The check now counts lines as YAML does.
#[test]
fn regression_yaml_load_error_line_after_a_lone_cr() {
    replay_file(
        "regressions/yaml_load/line-count-lone-cr",
        fuzzcheck::yaml_load,
    );
}

/// libFuzzer found a key 3 past an array's end that Lua's border (`#t`) included: the gap
/// reads as `null` and nothing is lost, which the check now accepts.
#[test]
fn regression_lua_bridge_gap_inside_the_border_reads_as_null() {
    replay_file(
        "regressions/lua_bridge/sparse-key-inside-the-border",
        fuzzcheck::lua_bridge,
    );
}

/// The first `lua_bridge` seed found that an empty JSON object came back from Lua as `[]`
/// (mlua's mixed-table detection reads every empty table as an array); fixed in
/// `engine::convert`.
#[test]
fn regression_an_empty_json_object_comes_back_as_an_object() {
    fuzzcheck::lua_bridge(br#"0{"empty": {}, "list": [], "nested": [{}, {"a": {}}]}"#);
}
