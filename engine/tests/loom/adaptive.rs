//! The adaptive policy's shared state, under loom: runs finishing at once update a fan-out's
//! moving average of branch times without tearing it or losing it to zero (soak and explore
//! fix the worker count, so they never exercise this).

use std::time::Duration;

use engine::seams::BranchCost;
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
