//! Reports: soak and explore's (one model, five views: terminal status lines, JSON, Markdown,
//! JUnit, HTML) and replays'. Every report's files, `harness mutants`' and `harness
//! overhead`'s too, are written through [`views`], the HTML ones from one set of templates
//! ([`template`]).

pub(crate) mod build;
pub mod escape;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod kept;
pub mod markdown;
pub(crate) mod merge;
pub mod model;
pub(crate) mod replay;
pub(crate) mod shard_check;
pub(crate) mod status;
pub(crate) mod template;
pub(crate) mod trace_lines;
pub(crate) mod views;
pub(crate) mod write;

pub use model::Report;
