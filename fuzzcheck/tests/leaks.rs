//! The leak check `run_small` relies on is not vacuous: it sees the engine's worker threads
//! and live VMs while a run is in progress, and nothing once the run is over (the engine's
//! idle helpers once they had the time to exit).

use engine::sync::counters::{helper_threads, live_vms};
use engine::{RunOptions, Workflow};
use serde_json::Value;

const SLOW_FAN_OUT: &str = r#"
name: slow
nodes:
  - name: setup
  - name: a
    run: sleep_ms(500)
  - name: b
    run: sleep_ms(500)
  - name: c
    run: sleep_ms(500)
  - name: join
    fan_in: true
edges:
  - { from: setup, parallel: [a, b, c] }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: c, to: join }
  - { from: join, to: __end__ }
"#;

#[test]
fn the_leak_check_sees_workers_and_vms_during_a_run_and_none_after() {
    let wf = Workflow::from_yaml(SLOW_FAN_OUT, None).expect("the workflow loads");
    let (mut saw_workers, mut saw_vms, mut saw_helpers) = (false, false, false);
    std::thread::scope(|scope| {
        let run = scope.spawn(|| wf.run(Value::Null, &RunOptions::seeded(1).with_max_parallel(3)));
        while !(run.is_finished() || saw_workers && saw_vms && saw_helpers) {
            saw_workers |= fuzzcheck::worker_threads() > 0;
            saw_vms |= live_vms() > 0;
            saw_helpers |= helper_threads() > 0;
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let result = run.join().expect("the run thread").result;
        assert!(result.is_ok(), "{result:?}");
    });
    assert!(
        saw_workers,
        "no `branchproof-worker-*` thread seen during a 3-worker fan-out"
    );
    assert!(saw_vms, "no live VM counted during a run");
    assert!(
        saw_helpers,
        "no helper thread counted during a 3-worker fan-out"
    );
    fuzzcheck::assert_nothing_left();
    fuzzcheck::assert_helpers_exit();
}
