//! The harness's exit codes, one per class of outcome (VOPR-style).

/// Everything passed.
pub const OK: u8 = 0;
/// A run failed, or an invariant was violated deterministically.
pub const FAILED: u8 = 1;
/// Some iterations failed and others did not.
pub const FLAKY: u8 = 2;
/// Bad input or usage.
pub const USAGE: u8 = 3;
