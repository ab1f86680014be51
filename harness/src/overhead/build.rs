//! Building the overhead report: run the probes and benches, read their figures, judge them
//! against the budgets, and note what the host did meanwhile.

use benches::probe::{self, Workload};

use super::args::OverheadArgs;
use super::error::OverheadError;
use super::metrics::{Measurements, Metric, Verdict};
use super::report::Report;
use super::runner::{self, Workspace};
use super::{alternate, budgets, callgrind, criterion, fanout, metrics};

/// VMs kept alive at once for the RSS figure.
const LIVE_VMS: usize = 1000;

/// Measures everything `args` asks for and judges it against the budgets.
pub fn measure(args: &OverheadArgs) -> Result<Report, OverheadError> {
    let ws = Workspace::locate();
    let budgets_file = args
        .budgets
        .clone()
        .unwrap_or_else(|| ws.root.join("benches/budgets.yaml"));
    let budgets = budgets::load(&budgets_file)?;
    metrics::validate(&budgets, &budgets_file)?;
    let home = args
        .criterion_dir
        .clone()
        .unwrap_or_else(|| ws.target.join("overhead/criterion"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut notes = Vec::new();

    // First, while this process is fresh: the RSS figure is a difference of this process's
    // resident set, which the later steps would only blur.
    eprintln!("overhead: memory probe ({LIVE_VMS} live VMs)");
    let memory = probe::memory(LIVE_VMS);
    let load_before = runner::load_average();
    let bench_command = if args.no_bench {
        None
    } else {
        eprintln!("overhead: criterion benches");
        Some(runner::run_benches(&ws, &home, args.quick)?)
    };
    let alternate = if args.no_bench {
        None
    } else {
        time_alternately(args, &ws, &mut notes)
    };
    let load_after = runner::load_average();
    let estimates = criterion::read_all(&home);
    let instructions = count_instructions(args, &ws, &mut notes)?;
    let measurements = Measurements {
        estimates,
        memory: Some(memory),
        instructions,
        cores,
        alternate,
    };
    let metrics = metrics::evaluate(&budgets, &measurements);
    let floor_inputs = fanout::floor_inputs(&measurements.estimates, cores);
    let rows = floor_inputs
        .map(|inputs| fanout::rows(&measurements.estimates, &inputs))
        .unwrap_or_default();
    note_the_host(
        &mut notes,
        &metrics,
        [load_before, load_after],
        cores,
        bench_command.is_some(),
    );
    let report = Report {
        generated_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        commit: runner::commit(&ws),
        quick: args.quick,
        cores,
        bench_command,
        criterion_home: runner::relative(&ws.root, &home),
        budgets_file: runner::relative(&ws.root, &budgets_file),
        load: (load_before, load_after),
        metrics,
        floor_inputs,
        rows,
        notes,
    };
    Ok(report)
}

/// The default fan-out against one worker, timed run by run in turn (`peer-bench
/// --alternate`), or `None` with a note saying why not.
fn time_alternately(
    args: &OverheadArgs,
    ws: &Workspace,
    notes: &mut Vec<String>,
) -> Option<std::collections::BTreeMap<usize, f64>> {
    eprintln!("overhead: the default fan-out against one worker, timed in turn");
    let measured = runner::build_bin(ws, "peer-bench")
        .map_err(|e| e.to_string())
        .and_then(|bench| {
            alternate::measure(
                &bench,
                &ws.target.join("overhead/alternate"),
                alternate::runs(args.quick),
            )
        });
    match measured {
        Ok(ratios) => Some(ratios),
        Err(e) => {
            notes.push(format!(
                "the fan-out timed in turn against one worker: {e}; the verdict uses \
                 criterion's medians, taken minutes apart"
            ));
            None
        }
    }
}

/// Notes on what the host did to the figures: a busy host (`loads` before and after the
/// benches, when they were `benched`), a host that allowed little parallel speedup, and
/// deterministic budgets left unenforced.
fn note_the_host(
    notes: &mut Vec<String>,
    metrics: &[Metric],
    loads: [Option<f64>; 2],
    cores: usize,
    benched: bool,
) {
    let busiest = loads.into_iter().flatten().fold(0.0_f64, f64::max);
    if benched && busiest > cores as f64 * 0.75 {
        notes.push(format!(
            "the host was busy (load average up to {busiest:.1} on {cores} cores): times are \
             inflated, parallel ratios most (a spawned worker waits for a core); rerun on a \
             quiet host before acting on a time verdict"
        ));
    }
    if let Some(Ok(machine)) = metrics
        .iter()
        .find(|m| m.budget.id == "machine_speedup_2")
        .map(|m| &m.figure)
        && machine.span.mid < 1.8
    {
        notes.push(format!(
            "the host itself allowed only {:.2}× parallel speedup during this run (a pure-Rust \
             spin on 2 workers, `machine_speedup_2`): the parallel verdicts say more about the \
             host than about the engine",
            machine.span.mid
        ));
    }
    for m in metrics {
        if m.verdict == Verdict::NotMeasured && m.budget.class.deterministic() {
            notes.push(format!(
                "`{}` has a deterministic budget but was not measured, so `--check` could not enforce it",
                m.budget.id
            ));
        }
    }
}

/// Instructions per repetition of each probe workload, or why there is none.
fn count_instructions(
    args: &OverheadArgs,
    ws: &Workspace,
    notes: &mut Vec<String>,
) -> Result<std::collections::BTreeMap<String, Result<f64, String>>, OverheadError> {
    let mut counts = std::collections::BTreeMap::new();
    let skipped = if args.no_callgrind {
        Some("skipped (--no-callgrind)".to_string())
    } else if !callgrind::available() {
        Some("valgrind is not installed (apt-get install valgrind)".to_string())
    } else {
        None
    };
    if let Some(why) = skipped {
        notes.push(format!("instruction counts: {why}"));
        for w in Workload::ALL {
            counts.insert(w.name().to_string(), Err(why.clone()));
        }
        return Ok(counts);
    }
    eprintln!("overhead: instruction counts (valgrind --tool=callgrind)");
    let probe = runner::build_probe(ws)?;
    let out_dir = ws.target.join("overhead/callgrind");
    std::fs::create_dir_all(&out_dir).map_err(|e| OverheadError::Write {
        path: out_dir.clone(),
        message: e.to_string(),
    })?;
    for w in Workload::ALL {
        counts.insert(
            w.name().to_string(),
            callgrind::per_repetition(&probe, w, &out_dir),
        );
    }
    Ok(counts)
}
