//! The lost alarm, planted in the real engine: each node's timer first fires early, and
//! the timer fires again inside `luaG_traceexec`'s window, between its read of the hook mask
//! and its clearing of the trap (`engine::seams::AlarmPlant`). Without the patched re-read of
//! the mask and without the timer's re-fire, a spinning node is never stopped by its budget;
//! with either, it is.

use std::cell::Cell;
use std::time::Duration;

use engine::seams::{AlarmPlant, Budget, Chunk, Fault, Vm, VmSpec};
use engine::sync::{StdRuntime, ThreadCharge};

/// How much CPU the spin uses before it gives up on being stopped and returns by itself.
const GIVE_UP: Duration = Duration::from_millis(600);

/// Spins, under a 50 ms budget, on a fresh thread, until the budget stops it or it has used
/// [`GIVE_UP`] of CPU; what it came back with.
#[allow(clippy::disallowed_methods)]
fn spin_with(plant: AlarmPlant) -> Result<(), Fault> {
    plant.install();
    let outcome = std::thread::spawn(|| {
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
        let charge = ThreadCharge::current();
        let started = Cell::new(None);
        let stop = vm
            .lua()
            .create_function(move |_, ()| {
                let now = charge.now().expect("this thread's charged clock");
                let from = started.get().unwrap_or(now);
                started.set(Some(from));
                Ok(now - from >= GIVE_UP)
            })
            .expect("a host function");
        vm.lua().globals().set("stop", stop).expect("a global");
        let spin = Chunk::new("=spin", "while not stop() do end").expect("it compiles");
        let budget = Budget::after::<StdRuntime>(Duration::from_millis(50));
        vm.run_node(&spin, &serde_json::Value::Null, None, budget)
            .map(|_| ())
    })
    .join()
    .expect("the node's thread");
    AlarmPlant::NONE.install();
    outcome
}

#[test]
fn a_spin_with_the_lost_alarm_planted_is_stopped_by_the_recheck_or_the_refire_alone() {
    if std::env::var_os("BRANCHPROOF_BUDGET").is_some() {
        return; // the count-hook pass of `.ci/run`: no alarm to lose
    }
    let early_window = AlarmPlant {
        early: true,
        window: true,
        ..AlarmPlant::NONE
    };
    for (plant, what) in [
        (AlarmPlant::NONE, "the engine as it is"),
        (
            early_window,
            "an early fire, and the timer firing in the window",
        ),
        (
            AlarmPlant {
                no_recheck: true,
                ..early_window
            },
            "the same without the re-read of the mask (the re-fire saves it)",
        ),
        (
            AlarmPlant {
                no_refire: true,
                ..early_window
            },
            "the same without the re-fire (the re-read saves it)",
        ),
        (
            AlarmPlant {
                window: false,
                ..AlarmPlant::LOST_ALARM
            },
            "everything but the window: nothing lands in it, nothing is lost",
        ),
    ] {
        assert_eq!(spin_with(plant), Err(Fault::Timeout), "{what}");
    }
}

#[test]
fn with_neither_the_recheck_nor_the_refire_the_planted_window_loses_the_alarm() {
    if std::env::var_os("BRANCHPROOF_BUDGET").is_some() {
        return; // the count-hook pass of `.ci/run`: no alarm to lose
    }
    // The plant works: the node runs on until it gives up, long past its budget (a node
    // back long after its deadline is reported as an overrun).
    match spin_with(AlarmPlant::LOST_ALARM) {
        Err(Fault::Overran(used)) => assert!(used >= GIVE_UP, "{used:?}"),
        other => panic!("the planted window lost nothing: {other:?}"),
    }
}
