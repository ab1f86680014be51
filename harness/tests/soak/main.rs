//! End-to-end tests of `harness soak`: the real binary on fixture and shipped scenarios.
//!
//! One test binary for the whole folder (nextest's and turmoil's layout); each submodule is
//! one area. Fixtures live in `harness/tests/fixtures/`; tests run from the workspace root so
//! printed paths and replay commands are the ones a user would copy.

mod common;

mod causes;
mod classify;
mod format;
mod hang;
mod interrupt;
mod memory;
mod paths;
mod pause;
mod replay;
mod reports;
mod robust;
mod scenarios;
mod shards;
mod signals;
mod snapshot;
