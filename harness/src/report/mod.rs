//! Reports: soak and explore's (one model, five views: terminal status lines, JSON, Markdown,
//! JUnit, HTML), replays', and `harness mutants`' ([`mutants`], [`mutants_html`]). The HTML
//! views share one set of templates ([`template`]).

pub mod build;
pub mod escape;
pub mod html;
pub mod json;
pub mod junit;
pub mod kept;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod mutants;
pub mod mutants_html;
pub mod replay;
pub mod shard_check;
pub mod status;
pub mod template;
pub mod trace;
pub mod write;

pub use model::Report;
