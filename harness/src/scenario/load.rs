//! Loading scenarios: files and folders to checked, compiled [`Scenario`]s.
//!
//! The YAML goes through [`engine::loader::from_yaml`] (file:line:column on errors); an
//! inline workflow is compiled with [`Workflow::from_raw`] against the scenario's own source,
//! so its errors point into the scenario file. A bad file never stops the others: it comes
//! back as an [`Entry`] holding the error, and the soak reports it as `error`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use engine::{ChaosLevel, Settings, Workflow};
use serde_json::Value;

use super::error::ScenarioError;
use super::expect::{Invariant, compile_invariants};
use super::format::{EngineThread, RawScenario};
use super::named::{Named, Place};
use crate::util::input;

/// An iteration's hard deadline when the scenario does not give one (or 5 s past the
/// workflow's own per-node hard deadline, when that is later).
pub const DEFAULT_HARD_DEADLINE: Duration = Duration::from_secs(60);

/// The largest worker cap a scenario's `chaos.workers` (or a token) may name.
pub const MAX_WORKERS: usize = 1024;

/// A loaded scenario, ready to run many times (from many threads).
#[derive(Debug)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// What it checks.
    pub description: Option<String>,
    /// The seed story it comes from, if it says.
    pub story: Option<String>,
    /// The scenario file, as named.
    pub file: PathBuf,
    /// Its project root (canonical): every file it names resolves inside it.
    pub root: PathBuf,
    /// Its path below the root (what a token stores).
    pub in_project: PathBuf,
    /// The compiled workflow.
    pub workflow: Workflow,
    /// State merged over the workflow's `initial_state` (an object, or null).
    pub input: Value,
    /// Its own default iteration count.
    pub iterations: Option<u64>,
    /// Its cap, for deliberately slow scenarios.
    pub max_iterations: Option<u64>,
    /// Which thread runs the engine.
    pub engine_thread: EngineThread,
    /// How long one iteration may take before it is a hang.
    pub hard_deadline: Duration,
    /// A hash of what decides how it runs: its file, and the workflow file it uses (a replay
    /// token is refused when it changed).
    pub content_hash: u64,
    /// Its chaos level (the command line may override it).
    pub chaos: ChaosLevel,
    /// Swarm worker caps; empty means the workflow's setting (none above its own
    /// `max_parallel_branches`).
    pub workers: Vec<usize>,
    /// Invariants checked on every iteration.
    pub invariants: Vec<Invariant>,
    /// Whether every iteration must have the same outcome fingerprint.
    pub deterministic: bool,
    /// The canary: must fail every iteration.
    pub expect_failure: bool,
}

/// One scenario file: loaded, or why not.
#[derive(Debug)]
pub struct Entry {
    /// The file.
    pub file: PathBuf,
    /// The scenario, or the error that keeps it from running.
    pub scenario: Result<Arc<Scenario>, ScenarioError>,
}

impl Entry {
    /// The scenario's name, or the file stem when it did not load.
    pub fn name(&self) -> String {
        match &self.scenario {
            Ok(s) => s.name.clone(),
            Err(_) => self
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.file.display().to_string()),
        }
    }
}

/// Expands `paths` (files, or folders whose `*.yaml` files are scenarios) into entries, in
/// order, folders sorted by file name. A scenario marked `expect_failure` found in a folder
/// is left out unless `include_canary`; a file named explicitly always runs.
/// `root` is `--root` (else each scenario's project root is found from its folder).
pub fn load_paths(paths: &[PathBuf], include_canary: bool, root: Option<&Path>) -> Vec<Entry> {
    let mut entries = Vec::new();
    for path in paths {
        if path.is_dir() {
            match yaml_files(path) {
                Ok(files) => {
                    for file in files {
                        let entry = load_entry(&file, root);
                        let canary = matches!(&entry.scenario, Ok(s) if s.expect_failure);
                        if !canary || include_canary {
                            entries.push(entry);
                        }
                    }
                }
                Err(source) => entries.push(Entry {
                    file: path.clone(),
                    scenario: Err(ScenarioError::ListDir {
                        dir: path.clone(),
                        source,
                    }),
                }),
            }
        } else {
            entries.push(load_entry(path, root));
        }
    }
    reject_duplicate_names(&mut entries);
    entries
}

fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Anything but a folder: a FIFO or a device named `*.yaml` is reported, not skipped.
        .filter(|p| {
            !p.is_dir() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Seeds are keyed by scenario name, so two scenarios with one name would share them.
fn reject_duplicate_names(entries: &mut [Entry]) {
    let mut seen = std::collections::HashMap::new();
    for entry in entries.iter_mut() {
        let Ok(s) = &entry.scenario else { continue };
        if let Some(first) = seen.insert(s.name.clone(), entry.file.clone()) {
            let message = format!(
                "the name `{}` is already used by {}",
                crate::util::text::cut(&s.name),
                crate::util::text::path(&first)
            );
            entry.scenario = Err(ScenarioError::Invalid {
                file: entry.file.clone(),
                message,
            });
        }
    }
}

/// Loads one scenario file; `root` is `--root` (else the project root is found from the
/// file's folder).
pub fn load_entry(file: &Path, root: Option<&Path>) -> Entry {
    Entry {
        file: file.to_path_buf(),
        scenario: load_file(file, root).map(Arc::new),
    }
}

/// Reads and loads one scenario file (a regular file, at most 64 MiB); `root` is `--root`
/// (else the project root is found from the file's folder).
pub fn load_file(file: &Path, root: Option<&Path>) -> Result<Scenario, ScenarioError> {
    let source = input::read_text(file, input::SCENARIO)?;
    let place = Place::of(file, root)?;
    load_in(&source, file, place)
}

/// Loads a scenario from its text; `file` labels errors and anchors relative paths, which
/// must stay in the project found from its folder.
pub fn load_str(source: &str, file: &Path) -> Result<Scenario, ScenarioError> {
    load_in(source, file, Place::of(file, None)?)
}

fn load_in(source: &str, file: &Path, place: Place) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario =
        engine::loader::from_yaml(source, Some(file)).map_err(ScenarioError::parse)?;
    let invalid = |message: String| ScenarioError::Invalid {
        file: file.to_path_buf(),
        message,
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let mut named = Named {
        file,
        base,
        root: &place.root,
        hash: xxhash_rust::xxh3::xxh3_64(source.as_bytes()),
    };
    let workflow = match (raw.workflow, &raw.workflow_file) {
        (Some(inline), None) => {
            Workflow::from_raw(inline, source, Some(file)).map_err(ScenarioError::workflow)?
        }
        (None, Some(rel)) => named.workflow("workflow_file", rel)?,
        (Some(_), Some(_)) => {
            return Err(invalid(
                "give `workflow` or `workflow_file`, not both".into(),
            ));
        }
        (None, None) => return Err(invalid("it needs `workflow` or `workflow_file`".into())),
    };
    let input = match raw.initial_state {
        None => Value::Null,
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(invalid("`initial_state` must be a map".into())),
    };
    let chaos = match raw.chaos.level.as_deref() {
        None => ChaosLevel::Off,
        Some(name) => ChaosLevel::parse(name).ok_or_else(|| {
            invalid(format!(
                "read `chaos.level`: `{name}` is not one of off, light, heavy"
            ))
        })?,
    };
    check_workers(
        &raw.chaos.workers,
        workflow.settings().max_parallel_branches,
    )
    .map_err(invalid)?;
    if raw.iterations == Some(0) || raw.max_iterations == Some(0) {
        return Err(invalid(
            "`iterations` and `max_iterations` must be at least 1".into(),
        ));
    }
    let hard_deadline =
        hard_deadline(raw.hard_deadline.as_deref(), workflow.settings()).map_err(invalid)?;
    if let Err(why) = engine::check_input(&input) {
        return Err(invalid(format!("read `initial_state`: {why}")));
    }
    // The workflows `equivalent_to` compares with are part of what a token replays.
    let compiled = compile_invariants(&raw.expect, &mut named, source)?;
    let content_hash = named.hash;
    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        story: raw.story,
        file: file.to_path_buf(),
        root: place.root,
        in_project: place.in_project,
        workflow,
        input,
        iterations: raw.iterations,
        max_iterations: raw.max_iterations,
        engine_thread: raw.engine_thread,
        hard_deadline,
        content_hash,
        chaos,
        workers: raw.chaos.workers,
        invariants: compiled.invariants,
        deterministic: compiled.deterministic,
        expect_failure: raw.expect_failure,
    })
}

/// The scenario's `hard_deadline` (`text`), or its default: past the engine's own per-node
/// hard deadline, so that fires first. One given must be longer than the node budget.
fn hard_deadline(text: Option<&str>, settings: &Settings) -> Result<Duration, String> {
    let budget = Duration::from_millis(settings.lua_timeout_ms);
    let hard_deadline = match text {
        None => {
            return Ok(DEFAULT_HARD_DEADLINE
                .max(Duration::from_millis(settings.hard_timeout_ms) + Duration::from_secs(5)));
        }
        Some(text) => humantime::parse_duration(text).map_err(|e| {
            format!("read `hard_deadline`: `{text}` is not a duration like 60s or 500ms ({e})")
        })?,
    };
    if hard_deadline.is_zero() {
        return Err("`hard_deadline` must be longer than 0".into());
    }
    if hard_deadline <= budget {
        return Err(format!(
            "`hard_deadline` ({}) must be longer than the workflow's node budget \
             (`lua_timeout_ms`, {}): a slow node would be reported as a hang, not a timeout",
            humantime::format_duration(hard_deadline),
            humantime::format_duration(budget)
        ));
    }
    Ok(hard_deadline)
}

/// `chaos.workers`: each entry from 1 to [`MAX_WORKERS`], and none above the workflow's own
/// `max_parallel_branches`: soak must not test a configuration the workflow never runs.
fn check_workers(workers: &[usize], ceiling: Option<usize>) -> Result<(), String> {
    if let Some(w) = workers.iter().find(|&&w| w == 0 || w > MAX_WORKERS) {
        return Err(format!(
            "`chaos.workers` names {w}: entries must be from 1 to {MAX_WORKERS}"
        ));
    }
    if let Some(ceiling) = ceiling
        && let Some(w) = workers.iter().find(|&&w| w > ceiling)
    {
        return Err(format!(
            "`chaos.workers` names {w}, above the workflow's own `max_parallel_branches` \
             ({ceiling}): soak would test a configuration the workflow never runs"
        ));
    }
    Ok(())
}
