//! Why a scenario could not be loaded: each error names the file (and line, where known).

use std::path::PathBuf;

use engine::LoadError;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("read scenario {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A folder could not be listed.
    #[error("list scenarios in {}: {source}", dir.display())]
    ListDir {
        /// The folder.
        dir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The YAML is malformed, has unknown keys or wrong types.
    #[error("load scenario {}: {}", location(.0), .0.message)]
    Parse(LoadError),
    /// The workflow (inline, referenced or `equivalent_to`) does not load.
    #[error("{0}")]
    Workflow(LoadError),
    /// Anything else invalid, with what is wrong.
    #[error("load scenario {}: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn location(e: &LoadError) -> String {
    let mut out = e
        .file
        .as_ref()
        .map_or_else(|| "<inline>".to_string(), |f| f.display().to_string());
    if let Some(line) = e.line {
        out.push_str(&format!(":{line}"));
        if let Some(column) = e.column {
            out.push_str(&format!(":{column}"));
        }
    }
    out
}
