//! `report.json`: the machine-readable soak report. Its schema is stable within a
//! `schema_version`; fields are only ever added. Version 2 (issue 9): classes follow the
//! pass/fail split, hangs and crashes, failure signatures, isolation and workers, `stopped`.
//! Version 3 (issue 13): shards and merges (`harness`, `build`, `shard`, `merged`, the
//! scenario's `content_hash` and `iterations.start/total`), each scenario's whole `tally`
//! (exact counts of every distinct outcome, which `harness report merge` adds), the
//! fingerprint table capped for display, and `flake_causes` for flaky scenarios.
//! Added within version 3 (issue 18): `forced`, and `host.load` (the host's CPUs, load
//! averages and steal).
//!
//! Seeds are decimal **strings** (a u64 does not survive a JSON double, as in jq or
//! JavaScript); fingerprints are 16 hex digits. Rates are fractions in [0, 1].
//!
//! ```text
//! {
//!   "schema_version": 2,
//!   "complete": bool,            // false: stopped early, or a checkpoint of a running soak
//!   "interrupted": bool,         // Ctrl-C / SIGTERM
//!   "forced": bool,              // a later second signal: the last checkpoint, finished
//!   "stopped": "by SIGTERM" | "by --fail-fast in scenario `x`" | "in scenario `x`: ..." | null,
//!                                // null with complete false: a checkpoint, still running
//!                                // (written at finished_at)
//!   "run_seed": "123",           // pass as --seed to rerun the whole run
//!   "harness": "0.1.0", "build": "2f3ec539ad91d9a3",   // shards of one run share both
//!   "shard": { "index": 2, "count": 3 } | null,        // --shard 2/3
//!   "merged": { "shards": ["dir1", ...], "incomplete": ["dir2"] } | null,  // report merge
//!   "command": "harness soak ...",
//!   "started_at": "2026-01-01T00:00:00Z", "finished_at": "...", "elapsed_s": 1.5,
//!   "options": { "iterations": 10000 | null, "jobs": 2, "chaos": "light" | null,
//!                "fail_fast": bool, "include_canary": bool,
//!                "isolation": "process" | "thread", "hard_deadline_s": 90.0 | null,
//!                "hash_seed": "vary" | "fixed", "mutant": "none" | "timeout-leak" | ...,
//!                "scheduler": "pct depth 3" | "random" | "dfs" | null,
//!                "workers": 2 | null,   // worker cap of scenarios naming none (the cores)
//!                "check_determinism": bool },
//!   "host": { "peak_rss_kib": 23000 | null, "threads_start": 1 | null,
//!             "threads_end": 1 | null, "live_vms_end": 0,
//!             "workers": { "spawned": 4, "hangs": 1, "crashes": 0, "live_vms_max": 0,
//!                          "threads_max": 4 | null, "peak_rss_kib_max": 10240 | null }
//!                        | null,          // null in thread isolation
//!             "load": { "cpus": 2,        // what the host was doing (null in a merge)
//!                       "load_start": [1.52, 0.98, 0.77] | null,   // 1, 5, 15 min
//!                       "load_end": [4.1, 2.01, 1.1] | null,       // at the end, or checkpoint
//!                       "steal_percent": 0.0 | null } | null },    // of CPU time, /proc/stat
//!   "totals": { "scenarios", "clean", "failing", "flaky", "error", "not_run",
//!               "expected_failures", "unexpected_passes", "iterations", "iterations_per_s" },
//!   "exit_code": 0,              // 0 clean, 1 failing, 2 flaky, 3 bad input, 130/143 signal
//!   "scenarios": [{
//!     "name": "isolation-globals", "file": "scenarios/isolation-globals.yaml",
//!     "content_hash": "0c91fb2b0901bc5e" | null,   // the scenario and its workflow file
//!     "story": "..." | null, "description": "..." | null,
//!     "status": "clean" | "failing" | "flaky" | "error" | "not_run",
//!     "expect_failure": bool,    // the canary
//!     "ok": bool,                // clean, or failing when expect_failure
//!     "complete": bool,          // every planned iteration ran
//!     "iterations": { "planned": 10000, "run": 10000, "cap": 2000 | null, "capped": bool,
//!                     "start": 0, "total": 10000 },  // a shard runs planned of total from start
//!     "chaos": "off" | "light" | "heavy",
//!     "elapsed_s": 1.2, "iterations_per_s": 8000.0,
//!     "failures": { "failures": 0, "iterations": 10000, "rate": 0.0,
//!                   "wilson95": [0.0, 0.00038], "rule_of_three": 0.0003 | null },
//!     "divergent": 0,            // outcomes other than the most common (deterministic only)
//!     "deterministic": bool,
//!     "fingerprints": { "distinct": 1,     // exact, up to 100,000 distinct outcomes
//!                       "overflow": 0, "too_many": false,  // iterations past that bound
//!                       "table": [      // the 64 most common (ties: lowest first iteration)
//!       { "fingerprint": "0123456789abcdef", "outcome": "ok" | "timeout error at node `x`",
//!         "count": 10000, "violating": 0, "example_iteration": 0, "example_seed": "..." } ] },
//!     "invariants": [{ "label": "#1 lua", "violations": 0,
//!                      "first": { "iteration", "seed", "message" } | null }],
//!     "first_bad": { "iteration": 7, "seed": "...", "message": "..." } | null,
//!     "failure_signatures": [{ "signature": "#1 lua / ok" | "hang" | "crash" | "outcome ...",
//!                              "count": 7 }],   // every way it failed, most first
//!     "hangs": 0,                // iterations past a hard deadline
//!     "replay": "harness soak scenarios/x.yaml --replay 123" | null,
//!     "error": "load scenario x.yaml:3:1: unknown field `foo` ..." | null,
//!     "flake_causes": {          // flaky scenarios only, else null
//!       "knobs": [{ "knob": "workers", "value": "1", "failures": 96, "runs": 200,
//!                   "rate": 0.48, "low": 0.41, "high": 0.55, "separates": true }],
//!       "summary": ["fails 48% (41%–55%) with workers = 1, 0% (0%–1.9%) otherwise"],
//!       "flips": [{ "knob": "hash_seed", "flips": 8, "followed": 8, "line": "..." }],
//!       "diff": [{ "path": "parallel_results[2].branch", "usual": "\"c\"",
//!                  "divergent": "\"b\"" }],   // values as JSON text
//!       "diff_of": "the usual outcome (iteration 3) against iteration 0" | null
//!     } | null,
//!     "tally": {                 // every count above comes from here; null if it did not run
//!       "labels": ["#1 lua"], "run", "violating", "stopped", "hangs",
//!       "signatures": { "#1 lua / ok": { "count": 7, "first": { "iteration", "seed",
//!                                                               "message" } } },
//!       "invariants": [{ "violations", "first_violated", "first": {...} | null }],
//!       "fingerprints": { "0123456789abcdef": { "count", "violating", "example_iteration",
//!                                               "example_seed": "...", "summary": "ok" } },
//!       "overflow", "overflow_violating", "signature_overflow",
//!       "first_bad": { "iteration", "seed", "message" } | null,
//!       "knob_outcomes": true,   // knob values count outcomes too (deterministic only)
//!       "knobs": { "workers=1": { "run", "violating",
//!                                 "fingerprints": { "0123...": [count, violating] },
//!                                 "overflow": [count, violating] } }
//!     } | null
//!   }]
//! }
//! ```

use super::model::Report;

/// The report as pretty JSON.
pub fn render(report: &Report) -> String {
    super::views::json(report)
}
