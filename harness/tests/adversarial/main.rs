//! What trying the harness with hostile inputs found (issue 20), each finding kept fixed by a
//! test that runs the real binary the way a new user would: files that are FIFOs, devices or
//! huge; paths that leave the project; files whose content would land in reports; tokens
//! with typos or edited fields; shard reports that lie; names that inject Markdown; unclear
//! errors; and a soak that ignored the workflow's own worker ceiling.
//!
//! Every test makes its own project in a temp folder (with a `.git`, so it is its own root)
//! and its own secret beside it: none depends on the host's files or on being root.

mod ceiling;
mod common;
mod content;
mod errors;
mod markdown;
mod merge;
mod paths;
mod reads;
mod tokens;
