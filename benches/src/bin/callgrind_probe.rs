//! `callgrind-probe WORKLOAD TIMES`: repeats one workload so that
//! `valgrind --tool=callgrind` can count its instructions.
//!
//! Run it twice with different `TIMES`; the difference of the two instruction totals over
//! the difference of the counts is one repetition's cost, with process start-up, the
//! warm-up and the exit cancelled out. `harness overhead` does exactly that.

use std::process::ExitCode;

use benches::probe::{Workload, run_workload};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(workload), Some(times)) = (
        args.first().and_then(|w| Workload::parse(w)),
        args.get(1).and_then(|t| t.parse::<usize>().ok()),
    ) else {
        let names: Vec<&str> = Workload::ALL.iter().map(|w| w.name()).collect();
        eprintln!("usage: callgrind-probe <{}> <times>", names.join("|"));
        return ExitCode::from(3);
    };
    run_workload(workload, times);
    ExitCode::SUCCESS
}
