//! Assertions shared by the catalogue: a load must fail with this kind, file, line, node
//! and message; a run must fail (or a branch must fail) with this kind, node and message.

use std::path::Path;

use engine::{ErrorKind, LoadError, LoadErrorKind, RunError, RunOptions, Workflow};
use serde_json::Value;

/// The file name every catalogue workflow is loaded as.
pub const FILE: &str = "catalogue/bad.yaml";

/// What a load error must say.
pub struct Load<'a> {
    pub kind: LoadErrorKind,
    pub line: Option<usize>,
    pub node: Option<&'a str>,
    /// Fragments the message must contain.
    pub says: &'a [&'a str],
}

/// Loads `yaml` as [`FILE`], expecting `want`; returns the error for further checks.
pub fn load_fails(yaml: &str, want: Load) -> LoadError {
    let e = match Workflow::from_yaml(yaml, Some(Path::new(FILE))) {
        Ok(_) => panic!("a bad workflow loaded:\n{yaml}"),
        Err(e) => e,
    };
    assert_load_error(&e, want);
    e
}

pub fn assert_load_error(e: &LoadError, want: Load) {
    let text = e.to_string();
    assert_eq!(e.kind, want.kind, "{text}");
    assert_eq!(e.file.as_deref(), Some(Path::new(FILE)), "{text}");
    assert_eq!(e.line, want.line, "{text}");
    assert_eq!(e.node.as_deref(), want.node, "{text}");
    let mut location = format!("load workflow {FILE}");
    if let Some(line) = want.line {
        location += &format!(":{line}");
    }
    assert!(
        text.starts_with(&location),
        "`{text}` should start with `{location}`"
    );
    if let Some(node) = want.node {
        assert!(text.contains(&format!("(node `{node}`)")), "{text}");
    }
    assert_says(&text, want.says);
}

fn assert_says(text: &str, fragments: &[&str]) {
    assert!(!text.trim().is_empty());
    let first = text.chars().next().expect("not empty");
    assert!(
        first.is_lowercase(),
        "messages read after \"failed to\": {text}"
    );
    for fragment in fragments {
        assert!(text.contains(fragment), "`{text}` should say `{fragment}`");
    }
}

/// Loads `yaml` as [`FILE`] (it must load) and runs it with seed 1.
pub fn run(yaml: &str) -> Result<Value, RunError> {
    let wf = Workflow::from_yaml(yaml, Some(Path::new(FILE)))
        .unwrap_or_else(|e| panic!("failed to {e}\n{yaml}"));
    wf.run(Value::Null, &RunOptions::seeded(1)).result
}

/// What a run error must say.
pub struct Fails<'a> {
    pub kind: ErrorKind,
    pub node: Option<&'a str>,
    pub branch: Option<&'a str>,
    pub says: &'a [&'a str],
}

/// Runs `yaml`, expecting the run to fail as `want` says; returns the error.
pub fn run_fails(yaml: &str, want: Fails) -> RunError {
    let e = match run(yaml) {
        Ok(state) => panic!("a bad workflow ran to {state}:\n{yaml}"),
        Err(e) => e,
    };
    let text = e.to_string();
    assert_eq!(e.kind(), want.kind, "{text}");
    assert_eq!(e.node(), want.node, "{text}");
    assert_eq!(e.branch(), want.branch, "{text}");
    if let Some(node) = want.node {
        assert!(text.contains(&format!("`{node}`")), "{text}");
    }
    assert_says(&text, want.says);
    e
}

/// Runs a fan-out whose fan-in keeps `parallel_results`, expecting branch `branch` to fail
/// with `kind` and the other branches to succeed. Returns the failed entry.
pub fn branch_fails(yaml: &str, branch: &str, kind: ErrorKind, says: &[&str]) -> Value {
    let state = run(yaml).unwrap_or_else(|e| panic!("a failing branch failed the run: {e}"));
    let results = state["results"]
        .as_array()
        .expect("the fan-in keeps parallel_results");
    let mut failed = None;
    for r in results {
        if r["branch"] == branch {
            failed = Some(r.clone());
        } else {
            assert_eq!(
                r["success"], true,
                "a sibling of the failing branch failed: {r}"
            );
        }
    }
    let r = failed.unwrap_or_else(|| panic!("no result for branch `{branch}`"));
    assert_eq!(r["success"], false, "{r}");
    assert_eq!(r["error_type"], kind.tea_name(), "{r}");
    let text = r["error"].as_str().expect("a failed branch has an error");
    assert!(text.contains(&format!("branch `{branch}`")), "{text}");
    for fragment in says {
        assert!(text.contains(fragment), "`{text}` should say `{fragment}`");
    }
    r
}

/// Indents Lua code under a `run: |` block at node level.
fn block(code: &str) -> String {
    code.lines().map(|l| format!("      {l}\n")).collect()
}

/// One node `main` running `code`; its first code line is line 6 of the file.
pub fn one_node(settings: &str, code: &str) -> String {
    format!(
        "name: bad\nsettings: {settings}\nnodes:\n  - name: main\n    run: |\n{}",
        block(code)
    )
}

/// `setup`, then branches `ok` (returns `{ fine = true }`) and `bad` (runs `code`), then a
/// fan-in `join` that keeps `parallel_results`. `bad`'s first code line is line 10.
pub fn bad_branch(settings: &str, code: &str) -> String {
    format!(
        "name: bad\nsettings: {settings}\nnodes:\n  - name: setup\n    run: return {{ n = 1 }}\n  \
         - name: ok\n    run: return {{ fine = true }}\n  - name: bad\n    run: |\n{}  \
         - name: join\n    fan_in: true\n    run: return {{ results = state.parallel_results }}\n\
         edges:\n  - {{ from: setup, parallel: [ok, bad] }}\n  - {{ from: ok, to: join }}\n  \
         - {{ from: bad, to: join }}\n  - {{ from: join, to: __end__ }}\n",
        block(code)
    )
}
