//! Fuzz target `lua_bridge`; the check is `fuzzcheck::lua_bridge` (see its module doc).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzcheck::lua_bridge(data));
