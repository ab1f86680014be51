//! The binary worker processes run: this one, by `/proc/self/exe` on Linux, so a harness
//! rebuilt (or deleted) during a long run still starts the workers of the binary that is
//! running; a library user (a test) may name another.

use std::path::PathBuf;
use std::sync::OnceLock;

static WORKER_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Makes workers run `exe` (a `harness` binary) instead of this process's own binary: for
/// library users, whose own binary is not the harness. The first call wins.
pub fn set_worker_exe(exe: impl Into<PathBuf>) {
    let _ = WORKER_EXE.set(exe.into());
}

/// The binary to start workers from.
pub fn worker_exe() -> std::io::Result<PathBuf> {
    if let Some(exe) = WORKER_EXE.get() {
        return Ok(exe.clone());
    }
    let own = PathBuf::from("/proc/self/exe");
    if own.exists() {
        return Ok(own);
    }
    std::env::current_exe()
}
