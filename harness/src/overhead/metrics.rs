//! Turns one run's measurements into figures, one per budget, with verdicts.
//!
//! Each metric id in `benches/budgets.yaml` maps to one derivation below, with the unit it
//! is measured in; a budget in another unit, or an unknown id, is a load error.

use std::collections::BTreeMap;
use std::path::Path;

use benches::probe::MemoryFigures;

use super::budgets::{Budget, Budgets};
use super::criterion::Estimate;
use super::error::OverheadError;
use super::fanout::{self, FloorInputs};
use super::span::Span;

/// Everything one run measured.
#[derive(Debug, Default)]
pub struct Measurements {
    /// criterion's medians by bench id.
    pub estimates: BTreeMap<String, Estimate>,
    /// The memory probe, when it ran.
    pub memory: Option<MemoryFigures>,
    /// Instructions per repetition by callgrind workload name, or why there is none.
    pub instructions: BTreeMap<String, Result<f64, String>>,
    /// Cores available to the fan-outs.
    pub cores: usize,
    /// The default fan-out's cost over one worker's, timed in turn, per branch count
    /// ([`super::alternate`]); `None` when not measured (criterion's medians are used).
    pub alternate: Option<BTreeMap<usize, f64>>,
}

/// A measured (or derived) figure and how to reproduce it.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The value with its range.
    pub span: Span,
    /// The command or derivation that gives it.
    pub how: String,
}

/// The outcome for one budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Measured and within budget.
    Within,
    /// Measured and over budget.
    Over,
    /// Measured; the metric has no budget (context only).
    NoBudget,
    /// Not measured in this run.
    NotMeasured,
}

impl Verdict {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Within => "within",
            Verdict::Over => "over",
            Verdict::NoBudget => "no budget",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct Metric {
    /// The budget entry.
    pub budget: Budget,
    /// The figure, or why there is none.
    pub figure: Result<Figure, String>,
    /// Within / over / no budget / not measured.
    pub verdict: Verdict,
}

impl Metric {
    /// Whether this metric fails `--check` (with `timing`: `--check-timing`).
    pub fn fails_check(&self, timing: bool) -> bool {
        self.verdict == Verdict::Over
            && self.budget.waived.is_none()
            && (timing || self.budget.class.deterministic())
    }
}

/// The unit each metric is measured in; also the list of known ids.
pub fn unit_of(id: &str) -> Option<&'static str> {
    Some(match id {
        "vm_used_memory_fresh"
        | "vm_used_memory_after_chunk"
        | "chunk_used_memory_added"
        | "rss_per_live_vm" => "KiB",
        "vm_create_instructions"
        | "branch_instructions"
        | "fanout_4_instructions"
        | "node_large_instructions"
        | "peer_run_instructions" => "k instr",
        "vm_create" | "vm_drop" | "branch_end_to_end" | "node_small_state" | "node_large_state"
        | "thread_spawn" | "peer_run" | "yaml_load_compile" => "µs",
        "live_1000_create" => "ms",
        "fanout_vs_floor_4"
        | "fanout_vs_sequential_4"
        | "cpu_speedup_4"
        | "machine_speedup_2"
        | "fanout_4_over_branches_instructions"
        | "lua_cpu_vs_plain"
        | "lua_cpu_vs_plain_instructions"
        | "fanout_vs_sequential_max"
        | "fanout_vs_best_4"
        | "cpu_speedup_of_machine" => "×",
        "soak_rate" => "iter/s",
        _ => return None,
    })
}

/// Checks every budget names a known metric in the unit it is measured in.
pub fn validate(budgets: &Budgets, file: &Path) -> Result<(), OverheadError> {
    for b in &budgets.metrics {
        let err = |message: String| OverheadError::Metric {
            file: file.to_path_buf(),
            id: b.id.clone(),
            message,
        };
        match unit_of(&b.id) {
            None => return Err(err("no such metric".into())),
            Some(unit) if unit != b.unit => {
                return Err(err(format!("it is measured in `{unit}`, not `{}`", b.unit)));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Every budget's figure and verdict.
pub fn evaluate(budgets: &Budgets, m: &Measurements) -> Vec<Metric> {
    budgets
        .metrics
        .iter()
        .map(|budget| {
            let figure = figure(&budget.id, m);
            let verdict = match &figure {
                Err(_) => Verdict::NotMeasured,
                Ok(_) if budget.max.is_none() && budget.min.is_none() => Verdict::NoBudget,
                Ok(f) if budget.breached_by(f.span.mid) => Verdict::Over,
                Ok(_) => Verdict::Within,
            };
            Metric {
                budget: budget.clone(),
                figure,
                verdict,
            }
        })
        .collect()
}

fn bench_command(filter: &str) -> String {
    format!("cargo bench -p benches -- '^{filter}$'")
}

fn figure(id: &str, m: &Measurements) -> Result<Figure, String> {
    memory_figure(id, m)
        .or_else(|| instruction_figure(id, m))
        .unwrap_or_else(|| timed_figure(id, m))
}

/// Microseconds per nanosecond: criterion's estimates are in ns.
const US: f64 = 1e-3;

/// A criterion bench's median, `per_ns` of its unit per nanosecond.
fn bench(m: &Measurements, bench_id: &str, per_ns: f64) -> Result<Figure, String> {
    let e = m
        .estimates
        .get(bench_id)
        .ok_or_else(|| format!("no criterion result for `{bench_id}`"))?;
    Ok(Figure {
        span: Span::from_estimate(e, per_ns),
        how: bench_command(bench_id),
    })
}

/// A memory probe figure, in KiB.
fn memory(m: &Measurements, f: fn(&MemoryFigures) -> Option<f64>) -> Result<Figure, String> {
    let figures = m.memory.as_ref().ok_or("the memory probe did not run")?;
    let bytes = f(figures).ok_or("RSS is unavailable here (no /proc/self/status)")?;
    Ok(Figure {
        span: Span::exact(bytes / 1024.0),
        how: "cargo run --release -p harness -- overhead --no-bench --no-callgrind".into(),
    })
}

/// A callgrind probe workload's instructions per repetition, in thousands.
fn instructions(m: &Measurements, workload: &str) -> Result<Figure, String> {
    let count = m
        .instructions
        .get(workload)
        .ok_or("callgrind did not run")?
        .clone()?;
    let (low, high) = benches::probe::Workload::parse(workload)
        .map_or((super::callgrind::LOW, super::callgrind::HIGH), |w| {
            w.repetitions()
        });
    Ok(Figure {
        span: Span::exact(count / 1000.0),
        how: format!(
            "valgrind --tool=callgrind target/release/callgrind-probe {workload} N, for N = {low} and {high}; difference / {}",
            high - low
        ),
    })
}

/// The memory metrics, or `None` for another id.
fn memory_figure(id: &str, m: &Measurements) -> Option<Result<Figure, String>> {
    Some(match id {
        "vm_used_memory_fresh" => memory(m, |f| Some(f.fresh_used as f64)),
        "vm_used_memory_after_chunk" => memory(m, |f| Some(f.after_chunk_used as f64)),
        "chunk_used_memory_added" => {
            memory(m, |f| Some(f.after_chunk_used as f64 - f.fresh_used as f64))
        }
        "rss_per_live_vm" => memory(m, |f| f.rss_per_live_vm),
        _ => return None,
    })
}

/// The instruction-count metrics, or `None` for another id.
fn instruction_figure(id: &str, m: &Measurements) -> Option<Result<Figure, String>> {
    let ratio = |top: &str, bottom: &str, how: &str| -> Result<Figure, String> {
        let top = instructions(m, top)?.span.mid;
        let bottom = instructions(m, bottom)?.span.mid;
        Ok(Figure {
            span: Span::exact(top / bottom),
            how: how.into(),
        })
    };
    Some(match id {
        "vm_create_instructions" => instructions(m, "vm-create"),
        "branch_instructions" => instructions(m, "branch"),
        "fanout_4_instructions" => instructions(m, "fanout-4"),
        "node_large_instructions" => instructions(m, "node-large"),
        "peer_run_instructions" => instructions(m, "peer"),
        "fanout_4_over_branches_instructions" => (|| {
            let fan_out = instructions(m, "fanout-4")?.span.mid;
            let main = instructions(m, "main-path")?.span.mid;
            let branch = instructions(m, "branch")?.span.mid;
            Ok(Figure {
                span: Span::exact((fan_out - main) / (4.0 * branch)),
                how: "callgrind: (fanout-4 − main-path) ÷ (4 × branch), counts from the callgrind probe"
                    .into(),
            })
        })(),
        "lua_cpu_vs_plain_instructions" => ratio(
            "lua-sandboxed",
            "lua-plain",
            "callgrind: lua-sandboxed ÷ lua-plain, counts from the callgrind probe",
        ),
        _ => return None,
    })
}

/// The timed fan-out ratios: `fanout_vs_*`.
fn fan_out_figure(id: &str, m: &Measurements) -> Result<Figure, String> {
    match id {
        "fanout_vs_sequential_max" if m.alternate.is_some() => {
            let ratios = m.alternate.as_ref().ok_or("not measured")?;
            let worst = ratios
                .values()
                .copied()
                .max_by(f64::total_cmp)
                .ok_or("no fan-out sizes")?;
            Ok(Figure {
                span: Span::exact(worst),
                how: format!(
                    "max over N of (default − baseline) ÷ (one worker − baseline), medians of \
                     runs timed in turn (target/release/peer-bench RUNS fan-out-N.yaml \
                     --alternate --baseline fan-out-0.yaml): {}",
                    super::alternate::describe(ratios)
                ),
            })
        }
        "fanout_vs_sequential_max" => {
            let inputs = fanout::floor_inputs(&m.estimates, m.cores)
                .ok_or("missing branch/end_to_end, thread/spawn_one or fanout/main_path")?;
            let worst = fanout::rows(&m.estimates, &inputs)
                .iter()
                .filter_map(|r| r.parallel_cost.over(r.sequential_cost))
                .max_by(|a, b| a.mid.total_cmp(&b.mid))
                .ok_or("no fan-out rows")?;
            Ok(Figure {
                span: worst,
                how: "max over N of (fanout/parallel/N − main) ÷ (fanout/sequential/N − main), same run (parallel is the engine's default: the adaptive worker count)".into(),
            })
        }
        "fanout_vs_best_4" => {
            let inputs = fanout::floor_inputs(&m.estimates, m.cores)
                .ok_or("missing branch/end_to_end, thread/spawn_one or fanout/main_path")?;
            let row = fanout::rows(&m.estimates, &inputs)
                .into_iter()
                .find(|r| r.n == 4)
                .ok_or("missing fanout/parallel/4 or fanout/sequential/4")?;
            let best = if row.sequential_cost.mid <= row.floor.mid {
                row.sequential_cost
            } else {
                row.floor
            };
            Ok(Figure {
                span: row.parallel_cost.over(best).ok_or("a zero denominator")?,
                how: "(fanout/parallel/4 − main) ÷ min(sequential cost, floor), same run".into(),
            })
        }
        _ => fan_out_ratio(id, m),
    }
}

/// The criterion benches' figures and their ratios (and an unknown id's error).
fn timed_figure(id: &str, m: &Measurements) -> Result<Figure, String> {
    let bench = |bench_id: &str, per_ns: f64| bench(m, bench_id, per_ns);
    let us = US;
    match id {
        "vm_create" => bench("vm/create", us),
        "vm_drop" => bench("vm/drop", us),
        "branch_end_to_end" => bench("branch/end_to_end", us),
        "node_small_state" => bench("node/small_state", us),
        "node_large_state" => bench("node/large_state", us),
        "thread_spawn" => bench("thread/spawn_one", us),
        "peer_run" => bench("peer/run", us),
        "yaml_load_compile" => bench("yaml/load_compile", us),
        "live_1000_create" => bench("memory/live_1000", 1e-6),
        "soak_rate" => {
            let f = bench("soak/iteration_4", 1.0)?;
            Ok(Figure {
                span: f.span.reciprocal(1e9).ok_or("a zero soak time")?,
                how: format!("1 s / median of {}", f.how),
            })
        }
        "cpu_speedup_4" => {
            let seq = bench("cpu/sequential_4", us)?;
            let par = bench("cpu/parallel_4", us)?;
            Ok(Figure {
                span: seq.span.over(par.span).ok_or("a zero parallel time")?,
                how:
                    "cpu/sequential_4 ÷ cpu/parallel_4, same run: cargo bench -p benches -- '^cpu/'"
                        .into(),
            })
        }
        "machine_speedup_2" => {
            let seq = bench("cpu/machine_sequential_2", us)?;
            let par = bench("cpu/machine_parallel_2", us)?;
            Ok(Figure {
                span: seq.span.over(par.span).ok_or("a zero parallel time")?,
                how: "cpu/machine_sequential_2 ÷ cpu/machine_parallel_2 (a pure-Rust spin, no Lua), same run".into(),
            })
        }
        "lua_cpu_vs_plain" => {
            let sandboxed = bench("lua/sandboxed", us)?;
            let plain = bench("lua/plain", us)?;
            Ok(Figure {
                span: sandboxed.span.over(plain.span).ok_or("a zero plain time")?,
                how: "lua/sandboxed ÷ lua/plain, same run: cargo bench -p benches -- '^lua/'"
                    .into(),
            })
        }
        "fanout_vs_floor_4"
        | "fanout_vs_sequential_4"
        | "fanout_vs_sequential_max"
        | "fanout_vs_best_4" => fan_out_figure(id, m),
        "cpu_speedup_of_machine" => {
            let cpu = figure("cpu_speedup_4", m)?;
            let machine = figure("machine_speedup_2", m)?;
            Ok(Figure {
                span: cpu
                    .span
                    .over(machine.span)
                    .ok_or("a zero machine speedup")?,
                how: "cpu_speedup_4 ÷ machine_speedup_2, same run".into(),
            })
        }
        other => Err(format!("unknown metric `{other}`")),
    }
}

fn fan_out_ratio(id: &str, m: &Measurements) -> Result<Figure, String> {
    let inputs: FloorInputs = fanout::floor_inputs(&m.estimates, m.cores)
        .ok_or("missing branch/end_to_end, thread/spawn_one or fanout/main_path")?;
    let row = fanout::rows(&m.estimates, &inputs)
        .into_iter()
        .find(|r| r.n == 4)
        .ok_or("missing fanout/parallel/4 or fanout/sequential/4")?;
    let (over, how) = if id == "fanout_vs_floor_4" {
        (
            row.floor,
            "(fanout/parallel/4 − fanout/main_path) ÷ (4 × branch/end_to_end ÷ cores + thread/spawn_one), same run",
        )
    } else {
        (
            row.sequential_cost,
            "(fanout/parallel/4 − fanout/main_path) ÷ (fanout/sequential/4 − fanout/main_path), same run",
        )
    };
    Ok(Figure {
        span: row
            .parallel_cost
            .over(over)
            .ok_or("the denominator's range reaches zero (too noisy to divide)")?,
        how: how.into(),
    })
}
