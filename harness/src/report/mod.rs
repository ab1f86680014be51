//! Soak reports: one model, four views (terminal status lines, JSON, Markdown, JUnit).

pub mod build;
pub mod escape;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod replay;
pub mod status;
pub mod trace;
pub mod write;

pub use model::Report;
