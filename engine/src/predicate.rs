//! Lua predicates over a run's outcome, for scenario invariants (`expect: - lua: ...`).
//!
//! A predicate is compiled once and evaluated in a fresh sandboxed VM each time, with the
//! given JSON values bound as globals (`state`, `result`, `trace`, ...). It must return true
//! within [`PREDICATE_BUDGET`].

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::error::{LoadError, LoadErrorKind};
use crate::lua::chunk::{Chunk, compiler};
use crate::lua::message::message;
use crate::lua::vm::{Budget, Fault, Vm, VmSpec};
use crate::sync::StdRuntime;

/// How long one predicate may run.
pub const PREDICATE_BUDGET: Duration = Duration::from_secs(5);

/// A compiled Lua predicate.
#[derive(Debug)]
pub struct Predicate {
    chunk: Chunk,
}

impl Predicate {
    /// Compiles `source` (a chunk that returns a value; a bare expression is accepted too).
    /// `label` names it in error messages, e.g. `scenarios/x.yaml (expect #2)`; `line`, when
    /// known, is the file line `source` starts on, so Lua's line numbers (and the error's
    /// line) are the file's.
    pub fn compile(
        source: &str,
        label: &str,
        file: Option<&Path>,
        line: Option<usize>,
    ) -> Result<Predicate, LoadError> {
        let located = |message: String| {
            let mut err = LoadError::new(LoadErrorKind::LuaSyntax, message);
            err.file = file.map(Path::to_path_buf);
            err
        };
        let lua = compiler().map_err(|e| {
            LoadError::new(
                LoadErrorKind::Invalid,
                format!("create the Lua compiler: {e}"),
            )
        })?;
        let name = format!("={label}");
        let pad = "\n".repeat(line.map_or(0, |l| l.saturating_sub(1)));
        let chunk = Chunk::compile(&lua, &name, &format!("{pad}return ({source})"))
            .or_else(|_| Chunk::compile(&lua, &name, &format!("{pad}{source}")))
            .map_err(|e| {
                let mut err = located(format!("compile the predicate: {}", message(&e)));
                // Lua's message is `label:LINE: ...`; the error's line is that line.
                err.line = line.and_then(|_| {
                    message(&e)
                        .strip_prefix(label)
                        .and_then(|rest| crate::lua::message::lua_line(&format!("x{rest}")))
                });
                err
            })?;
        Ok(Predicate { chunk })
    }

    /// Evaluates the predicate in a fresh VM with `bindings` as globals. `Ok(true)` when it
    /// returned a truthy value; `Err` carries Lua's message (or timeout / memory).
    pub fn eval(&self, bindings: &[(&str, &Value)]) -> Result<bool, String> {
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(0, 64 * 1024 * 1024)).map_err(describe)?;
        for (name, value) in bindings {
            let lua = vm.lua();
            let v = crate::lua::convert::to_lua(lua, value).map_err(|e| message(&e))?;
            lua.globals().raw_set(*name, v).map_err(|e| message(&e))?;
        }
        vm.eval_chunk(&self.chunk, Budget::after::<StdRuntime>(PREDICATE_BUDGET))
            .map_err(describe)
    }
}

fn describe(fault: Fault) -> String {
    match fault {
        Fault::Lua(m) => m,
        Fault::Timeout => format!(
            "the predicate ran past its {} s budget",
            PREDICATE_BUDGET.as_secs()
        ),
        Fault::Overran(took) => format!(
            "the predicate ran past its {} s budget (it came back having used {} ms)",
            PREDICATE_BUDGET.as_secs(),
            took.as_millis()
        ),
        Fault::Memory => "the predicate ran out of memory".into(),
        Fault::Cancelled => "the predicate was cancelled".into(),
        Fault::BadReturn(m) => m,
    }
}
