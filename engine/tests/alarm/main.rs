//! The budget alarm: its protocol checked as a step machine, and the lost alarm planted in
//! the real engine's Lua.

mod machine;
mod plant;

use machine::{Variant, check};

/// The protocol the engine runs loses no signal, with or without the timer's re-fire.
#[test]
fn the_alarm_protocol_stops_every_overdue_node_under_every_signal_placement() {
    for refire in [false, true] {
        let outcome = check(Variant::Engine, refire);
        println!("engine, re-fire {refire}: {} states", outcome.states);
        assert_eq!(outcome.failure, None, "re-fire {refire}");
        assert!(outcome.states > 1000, "the search ran: {}", outcome.states);
    }
}

/// Each planted order is caught: a checker that cannot catch them says nothing.
#[test]
fn the_step_machine_catches_each_planted_variant() {
    for (variant, says) in [
        (Variant::ArmThenClear, "lost alarm"),
        (Variant::NoRecheck, "lost alarm"),
        (Variant::RearmThenClear, "lost alarm"),
        (Variant::CloseThenForget, "stale write"),
    ] {
        let outcome = check(variant, false);
        println!(
            "{variant:?}: {} states, {:?}",
            outcome.states, outcome.failure
        );
        let failure = outcome
            .failure
            .unwrap_or_else(|| panic!("{variant:?} passed the step machine"));
        assert!(failure.starts_with(says), "{variant:?}: {failure}");
    }
}
