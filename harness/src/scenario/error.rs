//! Why a scenario could not be loaded: each error names the file (and line, where known).
//! A parser's message has the values it quotes elided ([`text::elide_values`]): a file a
//! scenario or token names may be anything, a `.env` too, and these errors go into reports.

use std::path::PathBuf;

use engine::{LoadError, LoadErrorKind};

use crate::util::input::InputError;
use crate::util::text;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file, or a workflow file it names, could not be read.
    #[error(transparent)]
    Read(#[from] InputError),
    /// A folder could not be listed.
    #[error("list scenarios in {}: {source}", text::path(dir))]
    ListDir {
        /// The folder.
        dir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A path the scenario names leaves the project, or does not resolve.
    #[error(
        "load scenario {}: `{key}` {} {why}",
        text::path(file),
        text::path(given)
    )]
    Path {
        /// The scenario file.
        file: PathBuf,
        /// The key that names it (`workflow_file`, `equivalent_to`).
        key: &'static str,
        /// The path as written.
        given: PathBuf,
        /// What is wrong, with the rule.
        why: String,
    },
    /// The YAML is malformed, has unknown keys or wrong types.
    #[error("load scenario {}: {}", location(.0), .0.message)]
    Parse(LoadError),
    /// The workflow (inline, referenced or `equivalent_to`) does not load.
    #[error("{0}")]
    Workflow(LoadError),
    /// Anything else invalid, with what is wrong.
    #[error("load scenario {}: {message}", text::path(file))]
    Invalid {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// A parse error of the scenario file, its quoted values elided.
    pub fn parse(e: LoadError) -> Self {
        ScenarioError::Parse(elided(e))
    }

    /// A workflow's load error, its quoted values elided.
    pub fn workflow(e: LoadError) -> Self {
        ScenarioError::Workflow(elided(e))
    }
}

/// `e` with the values its YAML message quotes elided (the graph and Lua errors of a file
/// that parsed as a workflow are about that workflow).
pub fn elided(mut e: LoadError) -> LoadError {
    if e.kind == LoadErrorKind::Yaml {
        e.message = text::elide_values(&e.message);
    }
    e
}

fn location(e: &LoadError) -> String {
    let mut out = e
        .file
        .as_ref()
        .map_or_else(|| "<inline>".to_string(), |f| text::path(f));
    if let Some(line) = e.line {
        out.push_str(&format!(":{line}"));
        if let Some(column) = e.column {
            out.push_str(&format!(":{column}"));
        }
    }
    out
}
