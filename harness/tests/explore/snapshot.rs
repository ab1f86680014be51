//! explore's terminal output is pinned, like soak's: the status lines, the failures, the
//! tokens and the shrinking lines of the planted race (which the mutant plants in every
//! fan-in, trivial-4's too); and `harness replay`'s output.

use crate::PLANTED;
use crate::common::{campaign, harness, mask};

const EXPECTED: &str = r#"SEED=1
  Starting 2 scenarios, 400 schedules, jobs 1, chaos per scenario, scheduler pct depth 3
     FLAKY [   T.TTTs] 200/200 planted-race
           22 of 200 schedules failed: 11.00% (95% CI 7.38%-16.09%)
           first: schedule 8 (seed 11161509361010806130): #1 final_state: `state.branches` is 1, expected 2
           replay: harness replay bp2.<token>
           schedule 8 shrunk from 12 to 1 preemptions; its token replays it
     FLAKY [   T.TTTs] 200/200 trivial-4
           74 of 200 schedules failed: 37.00% (95% CI 30.61%-43.88%)
           first: schedule 0 (seed 14909056402010725092): #1 final_state: `state.sum` is 6, expected 10
           replay: harness replay bp2.<token>
           schedule 0 shrunk from 5 to 1 preemptions; its token replays it
   Summary [   T.TTTs] 2 scenarios, 400 schedules (N/s): 0 clean, 0 failing, 2 flaky, 0 error
      SEED rerun this whole run with --seed 1
"#;

#[test]
fn explore_status_lines_match_the_snapshot() {
    let run = campaign(
        "explore",
        &[
            PLANTED,
            "harness/tests/fixtures/soak/trivial-4.yaml",
            "--mutant",
            "unlocked-fanin",
            "--schedules",
            "200",
            "--seed",
            "1",
            "--jobs",
            "1",
        ],
    );
    let got = mask(&run.stdout);
    let got: String = got
        .lines()
        .filter(|l| !l.trim_start().starts_with("Host ") && !l.trim_start().starts_with("Report "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        got, EXPECTED,
        "\n--- got ---\n{got}\n--- expected ---\n{EXPECTED}\n"
    );
}

const REPLAY: &str = r#"REPLAY scenario `always-failing` (harness/tests/fixtures/soak/always-failing.yaml) seed 13252526365884326219
  knobs: chaos off, workers CORES, engine on the calling thread, hash seed HASH
  schedule: real threads (the OS schedules them)
  outcome: ok
  final state: {"count":2,"n":1}
  fingerprint: fd67e87ed9d4a0f9
  trace:
    setup                    VM #N      main                         ok
    a                        VM #N      branch 1 `a`                 ok
    b                        VM #N      branch 2 `b`                 ok
    join                     VM #N      main                         ok
    fan-out to `join`: 2 branches on CORES workers (options)
  invariants:
    VIOLATED #1 final_state: `state.count` is 2, expected 3
REPRODUCED: iteration seed 13252526365884326219 fails
REPRODUCED 3 of 3 replays
"#;

#[test]
fn replay_output_matches_the_snapshot() {
    let run = crate::common::soak(&[
        "harness/tests/fixtures/soak/always-failing.yaml",
        "--iterations",
        "3",
        "--seed",
        "2",
    ]);
    let command = &run.replay_commands()[0];
    let token = command.strip_prefix("harness replay ").unwrap();
    let out = harness()
        .args(["replay", token, "--times", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let hash = format!("{:#x}", crate::common::token_of(command).knobs.hash_seed);
    // VM serials follow which worker made its VM first: the OS schedule's, not the seed's.
    // A scenario that names no worker cap runs with the machine's cores, in its token too.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let got: String = text
        .replace(&hash, "HASH")
        .replace(&format!("workers {cores},"), "workers CORES,")
        .replace(&format!("on {cores} worker"), "on CORES worker")
        .replace("on CORES worker (", "on CORES workers (")
        .lines()
        .map(|line| match line.find("VM #") {
            Some(at) => {
                let end = line[at + 4..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(line.len(), |e| at + 4 + e);
                format!("{}VM #N{}\n", &line[..at], &line[end..])
            }
            None => format!("{line}\n"),
        })
        .collect();
    assert_eq!(
        got, REPLAY,
        "\n--- got ---\n{got}\n--- expected ---\n{REPLAY}\n"
    );
}
