//! The virtual clock of the model-checker runtimes: one `Duration` per worker, kept in the
//! model checker's own thread-local storage so that it follows its tasks, not OS threads
//! (shuttle runs every task on one OS thread).

/// Declares `CLOCK` with the given `thread_local!` macro, and `now`, `advance` and `set` on
/// it, for a runtime module.
macro_rules! virtual_clock {
    ($($thread_local:ident)::+) => {
        $($thread_local)::+! {
            static CLOCK: std::cell::Cell<std::time::Duration> =
                std::cell::Cell::new(std::time::Duration::ZERO);
        }

        /// The calling worker's virtual time.
        fn clock_now() -> std::time::Duration {
            CLOCK.with(|c| c.get())
        }

        /// Moves the calling worker's clock forward.
        fn clock_advance(by: std::time::Duration) {
            CLOCK.with(|c| c.set(c.get().saturating_add(by)));
        }

        /// Starts a new worker's clock at its spawner's time.
        fn clock_set(to: std::time::Duration) {
            CLOCK.with(|c| c.set(to));
        }
    };
}

/// The time methods of a [`Runtime`](super::Runtime) on the virtual clock, inside its
/// `impl`; `$yield_now` is the model checker's yield.
macro_rules! virtual_time {
    ($($yield_now:ident)::+) => {
        fn now() -> std::time::Duration {
            clock_now()
        }

        /// Virtual time is all charged: it moves only by ticks and sleeps.
        fn charged() -> std::time::Duration {
            clock_now()
        }

        fn tick(cpu: std::time::Duration) {
            clock_advance(cpu);
        }

        /// The model checker has no clock: the worker's virtual clock moves, and the
        /// scheduler decides who runs next.
        fn sleep(duration: std::time::Duration) {
            clock_advance(duration);
            $($yield_now)::+();
        }

        fn yield_now() {
            $($yield_now)::+();
        }

        fn available_parallelism() -> usize {
            $crate::sync::virtual_clock::MODEL_CORES
        }

        fn worker_starts(caller_time: std::time::Duration) {
            clock_set(caller_time);
        }
    };
}

pub(crate) use {virtual_clock, virtual_time};

/// Cores a fan-out defaults to under model checkers: fixed, so a schedule found on one
/// machine is the same schedule on another.
pub(crate) const MODEL_CORES: usize = 2;
