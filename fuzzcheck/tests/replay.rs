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
