//! Loading: YAML text or a file to a checked, compiled [`Workflow`].

use std::path::Path;

use crate::error::{LoadError, LoadErrorKind};
use crate::loader::RawWorkflow;
use crate::workflow::Workflow;

impl Workflow {
    /// Loads a workflow from YAML text. `file` labels errors and Lua chunk names.
    pub fn from_yaml(source: &str, file: Option<&Path>) -> Result<Workflow, LoadError> {
        let raw = crate::loader::parse_workflow(source, file)?;
        Self::from_raw(raw, source, file)
    }

    /// Reads and loads a workflow file.
    pub fn from_file(path: &Path) -> Result<Workflow, LoadError> {
        let source = std::fs::read_to_string(path).map_err(|e| {
            let mut err = LoadError::new(LoadErrorKind::Io, e.to_string());
            err.file = Some(path.to_path_buf());
            err
        })?;
        Self::from_yaml(&source, Some(path))
    }

    /// Compiles an already-parsed workflow. `source` is only used to locate errors and Lua
    /// line numbers; pass `""` when there is none.
    pub fn from_raw(
        raw: RawWorkflow,
        source: &str,
        file: Option<&Path>,
    ) -> Result<Workflow, LoadError> {
        super::build::compile(raw, source, file).map_err(|mut e| {
            if e.file.is_none() {
                e.file = file.map(Path::to_path_buf);
            }
            e
        })
    }
}
