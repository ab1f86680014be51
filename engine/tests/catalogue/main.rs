//! The bad-input catalogue (issue 5): every way a user's workflow can be wrong, each with
//! the error kind it must produce and a message that names the file, line and node where
//! they apply. The process never crashes, and siblings of a failing branch go on.
//!
//! `check.rs` holds the assertions; one file per family of bad input.

mod check;
mod graph;
mod host_panic;
mod lua;
mod sandbox;
mod state;
mod yaml;
