//! Fuzz target `run_small`; the check is `fuzzcheck::run_small` (see its module doc).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzcheck::run_small(data));
