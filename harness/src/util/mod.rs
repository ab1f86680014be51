//! Small utilities every layer may use: exit codes, the host's own figures, shell quoting,
//! deadlines that cannot overflow, stdout that may go away, seeds in JSON, bounded reads of
//! what the user names, and what errors may quote of it.

pub mod exit;
pub mod host;
pub mod input;
pub mod out;
pub mod serde_u64;
pub mod shell;
pub mod text;
pub mod time;
