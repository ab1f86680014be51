//! One case of `cases.yaml`: a TEA fixture and what TEA asserts of it, checked against this
//! engine (see the file's header for the format).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use engine::loader::{RawWorkflow, parse_workflow};
use engine::{RunOptions, Workflow};
use serde::Deserialize;
use serde_json::Value;

/// A fixture and its expectation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The file, under `fixtures/`.
    pub fixture: String,
    /// What TEA's own test checks, when it is not the final state (documentation).
    #[serde(default, rename = "asserted")]
    pub _asserted: Option<String>,
    /// Runs and what they give.
    #[serde(default)]
    pub runs: Vec<RunCase>,
    /// Or: it is refused at load.
    #[serde(default)]
    pub refused: Option<Refusal>,
}

/// A refusal at load.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// `tea` when TEA refuses it too; otherwise the TEA feature outside this engine.
    pub because: String,
    /// Fragments the error must say.
    pub says: Vec<String>,
}

/// One run of a fixture.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCase {
    #[serde(default)]
    pub input: Value,
    /// Settings the TEA test set in code (e.g. its `ParallelConfig`).
    #[serde(default)]
    pub settings: Option<Value>,
    #[serde(default = "nothing")]
    pub expect: Value,
    #[serde(default)]
    pub absent: Vec<String>,
    /// A path into the final state (`a.b[1].c`) and a fragment its text contains.
    #[serde(default)]
    pub contains: BTreeMap<String, String>,
    /// The run fails, saying these.
    #[serde(default)]
    pub fails: Vec<String>,
}

fn nothing() -> Value {
    Value::Object(Default::default())
}

/// How a case came out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Every run gave TEA's result.
    Matches,
    /// Refused at load, as TEA refuses it.
    RefusedAsTea,
    /// Refused at load: the TEA feature named is outside this engine.
    Outside(String),
}

/// Where the fixtures are.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tea/fixtures")
}

/// The cases of `cases.yaml`.
pub fn load() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tea/cases.yaml");
    let text = std::fs::read_to_string(&path).expect("read cases.yaml");
    engine::loader::from_yaml(&text, Some(&path)).unwrap_or_else(|e| panic!("{e}"))
}

impl Case {
    /// Checks the case; `Err` says how this engine departs from TEA.
    pub fn check(&self) -> Result<Outcome, String> {
        let path = fixtures().join(&self.fixture);
        let source = std::fs::read_to_string(&path).map_err(|e| format!("read it: {e}"))?;
        if let Some(refusal) = &self.refused {
            if !self.runs.is_empty() {
                return Err("a case is refused or runs, not both".into());
            }
            return refused(&source, &path, refusal);
        }
        if self.runs.is_empty() {
            return Err("a case without `runs` or `refused`".into());
        }
        for (i, run) in self.runs.iter().enumerate() {
            let wf = load_fixture(&source, &path, run.settings.as_ref())
                .map_err(|e| format!("TEA runs it, but it was refused: {e}"))?;
            check_run(&wf, run).map_err(|why| format!("run {} ({}): {why}", i + 1, run.input))?;
        }
        Ok(Outcome::Matches)
    }
}

/// Loads the fixture, with the test's settings over its own.
fn load_fixture(source: &str, path: &Path, settings: Option<&Value>) -> Result<Workflow, String> {
    let mut raw: RawWorkflow = parse_workflow(source, Some(path)).map_err(|e| e.to_string())?;
    if let Some(ms) = settings
        .and_then(|s| s.get("lua_timeout_ms"))
        .and_then(Value::as_u64)
    {
        raw.settings.lua_timeout_ms = Some(ms);
    }
    Workflow::from_raw(raw, source, Some(path)).map_err(|e| e.to_string())
}

fn refused(source: &str, path: &Path, refusal: &Refusal) -> Result<Outcome, String> {
    let e = match parse_workflow(source, Some(path))
        .and_then(|raw| Workflow::from_raw(raw, source, Some(path)))
    {
        Ok(_) => {
            return Err(format!(
                "it loaded, but must be refused ({})",
                refusal.because
            ));
        }
        Err(e) => e,
    };
    let text = e.to_string();
    if e.file.as_deref() != Some(path) {
        return Err(format!("the error does not name the file: {text}"));
    }
    let outside = refusal.because != "tea";
    let mut says: Vec<&str> = refusal.says.iter().map(String::as_str).collect();
    if outside {
        says.push("outside this engine");
    }
    if let Some(missing) = says.iter().find(|s| !text.contains(**s)) {
        return Err(format!("the error does not say `{missing}`: {text}"));
    }
    Ok(match outside {
        true => Outcome::Outside(refusal.because.clone()),
        false => Outcome::RefusedAsTea,
    })
}

fn check_run(wf: &Workflow, run: &RunCase) -> Result<(), String> {
    let result = wf.run(run.input.clone(), &RunOptions::seeded(1)).result;
    let state = match (result, run.fails.is_empty()) {
        (Ok(state), true) => state,
        (Ok(state), false) => return Err(format!("it ran, but TEA fails it: {state}")),
        (Err(e), true) => return Err(format!("it failed, but TEA runs it: {e}")),
        (Err(e), false) => {
            let text = e.to_string();
            return match run.fails.iter().find(|f| !text.contains(f.as_str())) {
                Some(f) => Err(format!("the error does not say `{f}`: {text}")),
                None => Ok(()),
            };
        }
    };
    contains(&run.expect, &state, "state")?;
    for key in &run.absent {
        if state.get(key).is_some() {
            return Err(format!(
                "`{key}` is in the final state, TEA's lacks it: {state}"
            ));
        }
    }
    for (at, fragment) in &run.contains {
        let found = lookup(&state, at).ok_or_else(|| format!("`{at}` is not in {state}"))?;
        let text = found
            .as_str()
            .map_or_else(|| found.to_string(), str::to_string);
        if !text.contains(fragment.as_str()) {
            return Err(format!(
                "`{at}` is `{text}`, which does not say `{fragment}`"
            ));
        }
    }
    Ok(())
}

/// Whether `actual` has what `expected` has: objects by key, arrays item by item.
fn contains(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => want.iter().try_for_each(|(k, v)| {
            let got = got
                .get(k)
                .ok_or_else(|| format!("`{at}.{k}` is missing (TEA has {v})"))?;
            contains(v, got, &format!("{at}.{k}"))
        }),
        (Value::Array(want), Value::Array(got)) if want.len() == got.len() => want
            .iter()
            .zip(got)
            .enumerate()
            .try_for_each(|(i, (w, g))| contains(w, g, &format!("{at}[{i}]"))),
        _ if expected == actual => Ok(()),
        _ => Err(format!("`{at}` is {actual}, TEA's is {expected}")),
    }
}

/// The value at `path` (`a.b[1].c`) in `value`.
fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, part| {
        let (key, indices) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        let mut v = if key.is_empty() { v } else { v.get(key)? };
        for index in indices.split('[').filter(|s| !s.is_empty()) {
            v = v.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
        Some(v)
    })
}
