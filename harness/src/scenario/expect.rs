//! A scenario's `expect:` list, compiled once per scenario into [`Invariant`]s. Checking
//! them against a run is the outcome layer's job (`crate::outcome::check`).
//!
//! `deterministic` is not an invariant of one run: it compares iterations with each other,
//! so the statistics decide it at the end.

use engine::{ErrorKind, Predicate, Workflow};
use serde_json::Value;

use super::error::ScenarioError;
use super::format::{RawCheck, RawInvariant};
use super::named::Named;

/// One compiled invariant.
#[derive(Debug)]
pub struct Invariant {
    /// `#2 lua`: its 1-based place in `expect:` and its kind, for reports.
    pub label: String,
    /// What to check.
    pub check: Check,
}

/// The checks.
#[derive(Debug)]
pub enum Check {
    /// The final state contains this subset.
    FinalState(Value),
    /// The predicate returns true.
    Lua(Predicate),
    /// The run failed with this kind (and node, branch when given).
    Error {
        /// The kind.
        kind: ErrorKind,
        /// The node, when given.
        node: Option<String>,
        /// The branch, when given.
        branch: Option<String>,
    },
    /// No VM serial shared across paths.
    DistinctVms,
    /// The same seed twice gives the same fingerprint.
    Reproducible,
    /// This workflow, run with the same seed, gives the same fingerprint.
    EquivalentTo(Box<Workflow>),
}

/// The compiled `expect:` list.
#[derive(Debug)]
pub struct Compiled {
    /// Checked per iteration.
    pub invariants: Vec<Invariant>,
    /// `deterministic:` (default true).
    pub deterministic: bool,
}

/// Compiles `expect:`; `named` reads the workflows `equivalent_to` names (inside the project).
pub fn compile_invariants(
    raw: &[RawInvariant],
    named: &mut Named<'_>,
    source: &str,
) -> Result<Compiled, ScenarioError> {
    let file = named.file;
    let mut invariants = Vec::new();
    let mut deterministic: Option<(bool, usize)> = None;
    let mut lua_lines = lua_code_lines(source).into_iter();
    for (i, inv) in raw.iter().enumerate() {
        let n = i + 1;
        let raw = inv.check().map_err(|why| ScenarioError::Invalid {
            file: file.to_path_buf(),
            message: format!("read expect #{n}: {why}"),
        })?;
        let (kind, check) = match raw {
            RawCheck::Deterministic(d) => {
                if let Some((before, at)) = deterministic {
                    return Err(ScenarioError::Invalid {
                        file: file.to_path_buf(),
                        message: format!(
                            "read expect #{n}: `deterministic: {d}` after `deterministic: \
                             {before}` (expect #{at}): say it once"
                        ),
                    });
                }
                deterministic = Some((d, n));
                continue;
            }
            RawCheck::DistinctVms(false) | RawCheck::Reproducible(false) => continue,
            RawCheck::DistinctVms(true) => ("distinct_vms", Check::DistinctVms),
            RawCheck::Reproducible(true) => ("reproducible", Check::Reproducible),
            RawCheck::FinalState(subset) => ("final_state", Check::FinalState(subset.clone())),
            RawCheck::Lua(source) => {
                let label = format!("{} (expect #{n})", file.display());
                let predicate = Predicate::compile(source, &label, Some(file), lua_lines.next())
                    .map_err(ScenarioError::parse)?;
                ("lua", Check::Lua(predicate))
            }
            RawCheck::Error(e) => {
                let kind = ErrorKind::parse(&e.kind).ok_or_else(|| ScenarioError::Invalid {
                    file: file.to_path_buf(),
                    message: format!(
                        "read expect #{n}: `{}` is not an error kind (lua, timeout, memory, \
                         panic, routing, bad_return, cancelled)",
                        e.kind
                    ),
                })?;
                let check = Check::Error {
                    kind,
                    node: e.node.clone(),
                    branch: e.branch.clone(),
                };
                ("error", check)
            }
            RawCheck::EquivalentTo(rel) => {
                let other = named.workflow("equivalent_to", rel)?;
                ("equivalent_to", Check::EquivalentTo(Box::new(other)))
            }
        };
        invariants.push(Invariant {
            label: format!("#{n} {kind}"),
            check,
        });
    }
    Ok(Compiled {
        invariants,
        deterministic: deterministic.is_none_or(|(d, _)| d),
    })
}

/// The file line each `lua:` check's code starts on, in order: the key's own line for an
/// inline expression, the next line for a block (`lua: |`).
fn lua_code_lines(source: &str) -> Vec<usize> {
    source
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let body = line.trim_start();
            let body = body.strip_prefix("- ").unwrap_or(body).trim_start();
            let rest = body.strip_prefix("lua:")?.trim();
            Some(if rest.starts_with('|') || rest.starts_with('>') {
                i + 2
            } else {
                i + 1
            })
        })
        .collect()
}
