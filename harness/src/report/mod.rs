//! Reports: soak and explore's (one model, five views: terminal status lines, JSON, Markdown,
//! JUnit, HTML) and replays'. Every report's files, `harness mutants`' and `harness
//! overhead`'s too, are written through [`views`], the HTML ones from one set of templates
//! ([`template`]).

pub mod build;
pub mod escape;
pub mod html;
pub mod json;
pub mod junit;
pub mod kept;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod replay;
pub mod shard_check;
pub mod status;
pub mod template;
pub mod trace_lines;
pub mod views;
pub mod write;

pub use model::Report;
