//! Writing to stdout without dying of it: a reader that went away (`harness soak | head -1`)
//! makes writes fail with a broken pipe, which `println!` turns into a panic that would lose
//! the report. Here the run goes on, silently, and still writes its report.

use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static GONE: AtomicBool = AtomicBool::new(false);

/// Prints `line` and a newline on stdout; once stdout is gone, prints nothing.
pub fn say(line: impl Display) {
    if GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        GONE.store(true, Ordering::Relaxed);
    }
}
