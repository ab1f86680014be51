//! `harness overhead`: measure, compare with the budgets, write the report, and with
//! `--check` fail on a breach.

use std::path::Path;

use benches::probe::{self, Workload};

use crate::exit;
use crate::overhead::args::OverheadArgs;
use crate::overhead::error::OverheadError;
use crate::overhead::metrics::{Measurements, Verdict};
use crate::overhead::report::{Report, num};
use crate::overhead::runner::{self, Workspace};
use crate::overhead::{budgets, callgrind, chart, criterion, fanout, json, markdown, metrics};

/// VMs kept alive at once for the RSS figure.
const LIVE_VMS: usize = 1000;

/// Runs `harness overhead` and returns the exit code.
pub fn run(args: &OverheadArgs) -> u8 {
    match overhead(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: failed to {e}");
            match e {
                OverheadError::Budgets { .. } | OverheadError::Metric { .. } => exit::USAGE,
                OverheadError::Command { .. } | OverheadError::Write { .. } => exit::FAILED,
            }
        }
    }
}

fn overhead(args: &OverheadArgs) -> Result<u8, OverheadError> {
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
    let load_after = runner::load_average();
    let estimates = criterion::read_all(&home);
    let instructions = count_instructions(args, &ws, &mut notes)?;
    let measurements = Measurements {
        estimates,
        memory: Some(memory),
        instructions,
        cores,
    };
    let metrics = metrics::evaluate(&budgets, &measurements);
    let floor_inputs = fanout::floor_inputs(&measurements.estimates, cores);
    let rows = floor_inputs
        .map(|inputs| fanout::rows(&measurements.estimates, &inputs))
        .unwrap_or_default();
    let busiest = load_before
        .into_iter()
        .chain(load_after)
        .fold(0.0_f64, f64::max);
    if bench_command.is_some() && busiest > cores as f64 * 0.75 {
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
    for m in &metrics {
        if m.verdict == Verdict::NotMeasured && m.budget.class.deterministic() {
            notes.push(format!(
                "`{}` has a deterministic budget but was not measured, so `--check` could not enforce it",
                m.budget.id
            ));
        }
    }
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
    write_report(&report, &args.report_dir)?;
    print_summary(&report, &args.report_dir);

    let timing = args.check_timing;
    let breaches = report.breaches(timing);
    if (args.check || timing) && !breaches.is_empty() {
        let ids: Vec<&str> = breaches.iter().map(|m| m.budget.id.as_str()).collect();
        eprintln!(
            "error: failed to stay within {} budget{}: {}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", ")
        );
        return Ok(exit::FAILED);
    }
    Ok(exit::OK)
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

fn write_report(report: &Report, dir: &Path) -> Result<(), OverheadError> {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| OverheadError::Write {
            path,
            message: e.to_string(),
        })
    };
    std::fs::create_dir_all(dir).map_err(|e| OverheadError::Write {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let chart_file = match chart::render(&report.rows, report.cores) {
        Some(Ok(svg)) => {
            write("overhead.svg", &svg)?;
            Some("overhead.svg")
        }
        Some(Err(e)) => {
            eprintln!("warning: failed to draw the fan-out chart: {e}");
            None
        }
        None => None,
    };
    write("overhead.md", &markdown::render(report, chart_file))?;
    let json = serde_json::to_string_pretty(&json::render(report)).expect("JSON values serialize");
    write("overhead.json", &(json + "\n"))
}

fn print_summary(report: &Report, dir: &Path) {
    for m in &report.metrics {
        let figure = match &m.figure {
            Ok(f) => format!("{} {}", num(f.span.mid), m.budget.unit),
            Err(_) => "—".to_string(),
        };
        let status = match m.verdict {
            Verdict::Within => "WITHIN",
            Verdict::Over if m.budget.waived.is_some() => "WAIVED",
            Verdict::Over => "OVER",
            Verdict::NoBudget => "INFO",
            Verdict::NotMeasured => "SKIP",
        };
        println!(
            "{status:>8} {:<36} {figure:>14}   {:<15} {}",
            m.budget.id,
            m.budget.describe(),
            m.budget.class.as_str()
        );
    }
    let [within, over, no_budget, not_measured] = report.tally();
    println!(
        "overhead: {within} within, {over} over, {no_budget} without a budget, {not_measured} not measured; report in {}",
        dir.join("overhead.md").display()
    );
    for note in &report.notes {
        eprintln!("note: {note}");
    }
}
