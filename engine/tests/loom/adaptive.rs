//! The adaptive policy's shared state, under loom: runs finishing at once update a fan-out's
//! moving average of branch times, and the process's learned overhead, without tearing them
//! or losing an update (soak and explore fix the worker count, so they never exercise this).

use std::time::Duration;

use engine::seams::{BranchCost, Overhead};
use engine::sync::{LoomRuntime, Runtime};

type Cost = BranchCost<<LoomRuntime as Runtime>::AtomicUsize>;

#[test]
fn loom_concurrent_samples_keep_the_average_between_them() {
    loom::model(|| {
        let cost = loom::sync::Arc::new(Cost::default());
        let other = cost.clone();
        let t = loom::thread::spawn(move || other.record(Duration::from_micros(100)));
        cost.record(Duration::from_micros(500));
        t.join().unwrap();
        let got = cost.predicted().expect("a history");
        assert!(
            got >= Duration::from_micros(100) && got <= Duration::from_micros(500),
            "{got:?}"
        );
        // Both samples counted: one whole, the other a quarter of the way.
        assert!(
            got == Duration::from_micros(200) || got == Duration::from_micros(400),
            "a sample was lost: {got:?}"
        );
    });
}

type Learned = Overhead<<LoomRuntime as Runtime>::AtomicUsize>;

/// What the process's learned overhead ends at when `ops` run one after the other, from
/// 100 µs.
fn in_turn(ops: &[fn(&Learned)]) -> Duration {
    let learned = Learned::default();
    learned.observe(Duration::from_micros(300), Duration::from_micros(400), 2);
    for op in ops {
        op(&learned);
    }
    learned.learned()
}

fn observe_500(o: &Learned) {
    // 700 µs on 2 workers for 400 µs of branches: a sample of 500 µs per extra worker.
    o.observe(Duration::from_micros(700), Duration::from_micros(400), 2);
}

fn fade(o: &Learned) {
    o.fade();
}

#[test]
fn loom_a_parallel_run_and_a_fade_at_once_update_the_learned_overhead_like_in_turn() {
    loom::model(|| {
        let expected = [in_turn(&[observe_500, fade]), in_turn(&[fade, observe_500])];
        let learned = loom::sync::Arc::new(Learned::default());
        learned.observe(Duration::from_micros(300), Duration::from_micros(400), 2);
        let other = learned.clone();
        let t = loom::thread::spawn(move || observe_500(&other));
        fade(&learned);
        t.join().unwrap();
        let got = learned.learned();
        assert!(
            expected.contains(&got),
            "a lost or torn update: {got:?}, not one of {expected:?}"
        );
    });
}
