//! Small utilities every layer may use: exit codes, the host's own figures, shell quoting,
//! deadlines that cannot overflow, stdout that may go away, seeds in JSON.

pub mod exit;
pub mod host;
pub mod out;
pub mod serde_u64;
pub mod shell;
pub mod time;
