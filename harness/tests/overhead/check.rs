//! `--check` and `--check-timing`: which breaches fail, and which do not.

use crate::common::{Scratch, metric, real_budgets, stderr};

const TINY_MEMORY: &str = "  - id: vm_used_memory_fresh
    what: fresh VM, deliberately tiny budget
    class: memory
    unit: KiB
    max: 1
    source: a test that must see --check fail
";

#[test]
fn check_fails_on_a_deliberately_tiny_memory_budget() {
    let s = Scratch::new();
    let budgets = s.budgets(TINY_MEMORY);
    let out = s.overhead(&budgets, &["--check"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("failed to stay within 1 budget: vm_used_memory_fresh"),
        "stderr: {}",
        stderr(&out)
    );
    let report = s.json();
    assert_eq!(metric(&report, "vm_used_memory_fresh")["verdict"], "over");
    assert!(s.markdown().contains("| **over** |"));
}

#[test]
fn without_check_a_breach_is_reported_but_exits_zero() {
    let s = Scratch::new();
    let out = s.overhead(&s.budgets(TINY_MEMORY), &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(metric(&s.json(), "vm_used_memory_fresh")["verdict"], "over");
}

#[test]
fn check_passes_on_the_real_budgets_with_memory_within_or_waived() {
    // What CI enforces: every memory budget holds, or its breach is waived in the budgets
    // file with a reason (and still reported as over).
    let s = Scratch::new();
    let out = s.overhead(&real_budgets(), &["--check"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let report = s.json();
    let memory: Vec<_> = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["class"] == "memory")
        .collect();
    assert!(
        memory.len() >= 3,
        "the real budgets cover memory: {memory:?}"
    );
    for m in memory {
        let ok = m["verdict"] == "within"
            || m["verdict"] == "no budget"
            || (m["verdict"] == "over" && m["waived"].is_string());
        assert!(ok, "{m}");
    }
}

#[test]
fn a_waived_breach_is_reported_as_over_but_does_not_fail_check() {
    let s = Scratch::new();
    let budgets = s.budgets(&format!(
        "{TINY_MEMORY}    waived: known; a fix is on its way\n"
    ));
    let out = s.overhead(&budgets, &["--check"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let entry = metric(&s.json(), "vm_used_memory_fresh").clone();
    assert_eq!(entry["verdict"], "over");
    assert_eq!(entry["waived"], "known; a fix is on its way");
    assert!(s.markdown().contains("**over** (waived)"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("WAIVED"));
}

#[test]
fn a_timing_breach_fails_only_check_timing() {
    let s = Scratch::new();
    // vm/create at 100 µs against a 40 µs budget, in criterion's own files.
    s.criterion_result("vm/create", 100_000.0, 95_000.0, 105_000.0);
    let budgets = s.budgets(
        "  - id: vm_create
    what: sandboxed VM create
    class: time
    unit: µs
    max: 40
    source: ours
",
    );
    let out = s.overhead(&budgets, &["--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "--check ignores timing: {}",
        stderr(&out)
    );
    let entry = metric(&s.json(), "vm_create").clone();
    assert_eq!(entry["verdict"], "over");
    assert_eq!(entry["figure"]["median"], 100.0);
    assert_eq!(entry["figure"]["low"], 95.0);
    let out = s.overhead(&budgets, &["--check-timing"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(stderr(&out).contains("vm_create"));
}

#[test]
fn a_budget_for_an_unknown_metric_is_a_usage_error_naming_the_file() {
    let s = Scratch::new();
    let budgets = s.budgets("  - { id: vm_teleport, what: x, class: time, unit: µs, source: x }\n");
    let out = s.overhead(&budgets, &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("failed to use budget `vm_teleport`"),
        "stderr: {err}"
    );
    assert!(err.contains("budgets.yaml"), "stderr: {err}");
}

#[test]
fn a_budget_in_the_wrong_unit_is_a_usage_error() {
    let s = Scratch::new();
    let budgets =
        s.budgets("  - { id: vm_create, what: x, class: time, unit: ms, max: 1, source: x }\n");
    let out = s.overhead(&budgets, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("measured in `µs`, not `ms`"),
        "stderr: {}",
        stderr(&out)
    );
}

#[test]
fn a_malformed_budgets_file_names_its_line() {
    let s = Scratch::new();
    let budgets = s.budgets(
        "  - id: vm_create\n    what: x\n    class: sometimes\n    unit: µs\n    source: x\n",
    );
    let out = s.overhead(&budgets, &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("failed to load budgets"), "stderr: {err}");
    assert!(err.contains("budgets.yaml:4:"), "stderr: {err}");
}
