//! Small utilities every layer may use: exit codes, the host's own figures, shell quoting,
//! stdout that may go away, seeds in JSON, bounded reads of what the user names and what
//! errors may quote of it, and the process's active time (wall time less its pauses;
//! deadlines on it are durations, added with saturation, so a `--hard-deadline
//! 300000000000y` means "never", not a panic).

pub mod exit;
pub mod host;
pub mod input;
pub mod out;
pub mod pause;
pub mod serde_u64;
pub mod shell;
pub mod text;
