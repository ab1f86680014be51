//! Where a scenario sits in its project ([`Place`]), and reading the files it names
//! ([`Named`]): each must resolve inside the project root ([`super::project`]), is read under
//! the workflow cap, and goes into the scenario's content hash (a token is refused when any
//! of them changed).

use std::path::{Path, PathBuf};

use engine::Workflow;

use super::error::ScenarioError;
use super::project;
use crate::util::input;
use crate::util::text;

/// Where a scenario sits: its project root, and its path in the project.
#[derive(Debug)]
pub struct Place {
    /// The project root, canonical.
    pub root: PathBuf,
    /// The scenario's path below it.
    pub in_project: PathBuf,
}

impl Place {
    /// Where `file` sits; `root` is `--root`, else the root is found from its folder.
    pub fn of(file: &Path, root: Option<&Path>) -> Result<Place, ScenarioError> {
        let invalid = |message: String| ScenarioError::Invalid {
            file: file.to_path_buf(),
            message,
        };
        let resolved = file
            .canonicalize()
            .or_else(|_| std::path::absolute(file))
            .map_err(|e| invalid(format!("find its folder: {e}")))?;
        let root = match root {
            Some(given) => project::given_root(given).map_err(invalid)?,
            None => project::find_root(resolved.parent().unwrap_or(Path::new("/"))),
        };
        let in_project = match resolved.strip_prefix(&root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => {
                return Err(invalid(format!(
                    "it is outside the project root {} (--root): a scenario, and every file \
                     it names, must be inside the root",
                    text::path(&root)
                )));
            }
        };
        Ok(Place { root, in_project })
    }
}

/// Reads the files a scenario names (its workflow, `equivalent_to` workflows): each must
/// resolve inside the project root, and each one's content goes into the scenario's hash.
#[derive(Debug)]
pub struct Named<'a> {
    /// The scenario file.
    pub file: &'a Path,
    /// Its folder, which relative paths start from.
    pub base: &'a Path,
    /// The project root, canonical.
    pub root: &'a Path,
    /// The hash of the scenario and every file read so far.
    pub hash: u64,
}

impl Named<'_> {
    /// The workflow `rel` (relative to the scenario's folder) names, compiled.
    pub fn workflow(&mut self, key: &'static str, rel: &Path) -> Result<Workflow, ScenarioError> {
        let path = self.base.join(rel);
        let refuse = |why: String| ScenarioError::Path {
            file: self.file.to_path_buf(),
            key,
            given: rel.to_path_buf(),
            why,
        };
        let resolved = project::confine(self.root, &path).map_err(|r| match r {
            project::Refusal::Unresolved(e) => refuse(format!("does not resolve: {e}")),
            project::Refusal::Outside(to) => refuse(format!(
                "resolves to {}, outside the project root {}: a scenario may only name files \
                 inside its project ({})",
                text::path(&to),
                text::path(self.root),
                project::RULE
            )),
        })?;
        let text = input::read_text(&resolved, input::WORKFLOW)?;
        self.hash = engine::mix(self.hash, xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
        Workflow::from_yaml(&text, Some(&path)).map_err(ScenarioError::workflow)
    }
}
