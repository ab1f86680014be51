//! The terminal output format is pinned: a change to it must show up here, on purpose.
//! Times, rates and memory vary between runs and are masked; everything else (labels,
//! alignment, counts, seeds, messages, replay commands) is fixed by the run seed.

use crate::common::{fixture, mask, soak};

const EXPECTED: &str = r#"SEED=1
  Starting 4 scenarios, 120 iterations, jobs 1, chaos per scenario, isolation process
     CLEAN [   T.TTTs] 40/40 trivial-4
     FLAKY [   T.TTTs] 40/40 flaky-random
           7 of 40 iterations failed: 17.50% (95% CI 8.75%-31.95%)
           first: iteration 0 (seed 2018141039012016838): #1 lua: the predicate returned false
           replay: harness replay bp2.<token>
           its seed reproduced it 5 of 5 times: the token replays it
           cause: swapping only the hash seed between a failing and a passing iteration changed the outcome in 0 of 2 replays: the hash seed does not decide it
           diff: unlucky: false → true
   FAILING [   T.TTTs] 40/40 always-failing
           40 of 40 iterations failed: 100.00% (95% CI 91.24%-100.00%)
           first: iteration 0 (seed 17700336175755201115): #1 final_state: `state.count` is 2, expected 3
           replay: harness replay bp2.<token>
           its seed reproduced it 5 of 5 times: the token replays it
     ERROR [   T.TTTs]  0/0  b-unknown-key
           failed to load scenario harness/tests/fixtures/soak-folder/b-unknown-key.yaml:8:1: unknown field `expectations`, expected one of `name`, `description`, `story`, `workflow`, `workflow_file`, `initial_state`, `iterations`, `max_iterations`, `engine_thread`, `hard_deadline`, `chaos`, `expect`, `expect_failure`
   Summary [   T.TTTs] 4 scenarios, 120 iterations (N/s): 1 clean, 1 failing, 1 flaky, 1 error
      Host peak RSS M MiB, threads 3 -> 3, live VMs 0; workers 3 started, 0 hangs, 0 crashes, worst peak RSS M MiB, live VMs 0
    Report <dir>/report.md
      SEED rerun this whole run with --seed 1"#;

#[test]
fn status_lines_and_summary_match_the_snapshot() {
    let run = soak(&[
        &fixture("soak/trivial-4.yaml"),
        &fixture("soak/flaky-random.yaml"),
        &fixture("soak/always-failing.yaml"),
        &fixture("soak-folder/b-unknown-key.yaml"),
        "--seed",
        "1",
        "--jobs",
        "1",
        "--iterations",
        "40",
    ]);
    let got = mask(&run.stdout);
    assert_eq!(
        got, EXPECTED,
        "\n--- got ---\n{got}\n--- expected ---\n{EXPECTED}\n"
    );
}
