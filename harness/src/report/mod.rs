//! Reports: soak and explore's (one model, four views: terminal status lines, JSON, Markdown,
//! JUnit), replays', and `harness mutants`' ([`mutants`]).

pub mod build;
pub mod escape;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod mutants;
pub mod replay;
pub mod status;
pub mod trace;
pub mod write;

pub use model::Report;
