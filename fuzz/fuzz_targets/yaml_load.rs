//! Fuzz target `yaml_load`; the check is `fuzzcheck::yaml_load` (see its module doc).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzcheck::yaml_load(data));
