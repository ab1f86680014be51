//! Small utilities every layer may use: exit codes, the host's own figures, shell quoting.

pub mod exit;
pub mod host;
pub mod shell;
