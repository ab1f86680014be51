//! Lua predicates over a run's outcome, for scenario invariants (`expect: - lua: ...`).
//!
//! A predicate is compiled once and evaluated in a fresh sandboxed VM each time, with the
//! given JSON values bound as globals (`state`, `result`, `trace`, ...). It must return true.

use std::path::Path;
use std::time::Duration;

use mlua::chunk::ChunkMode;
use serde_json::Value;

use crate::error::{LoadError, LoadErrorKind};
use crate::sync::counters::next_chunk_id;
use crate::vm::{Fault, Vm, VmSpec};
use crate::workflow::Chunk;

/// A compiled Lua predicate.
#[derive(Debug)]
pub struct Predicate {
    chunk: Chunk,
}

impl Predicate {
    /// Compiles `source` (a chunk that returns a value; a bare expression is accepted too).
    /// `label` names it in error messages, e.g. `scenarios/x.yaml (expect #2)`.
    pub fn compile(source: &str, label: &str, file: Option<&Path>) -> Result<Predicate, LoadError> {
        let lua =
            mlua::Lua::new_with(mlua::StdLib::NONE, mlua::LuaOptions::new()).map_err(|e| {
                LoadError::new(
                    LoadErrorKind::Invalid,
                    format!("create the Lua compiler: {e}"),
                )
            })?;
        let name = format!("={label}");
        if crate::lint::to_be_closed_line(source).is_some() {
            let mut err = LoadError::new(
                LoadErrorKind::LuaSyntax,
                "use the predicate: to-be-closed variables (`<close>`) are not allowed in the sandbox",
            );
            err.file = file.map(Path::to_path_buf);
            return Err(err);
        }
        let text = ChunkMode::Text;
        let as_expression = format!("return ({source})");
        let function = lua
            .load(&as_expression)
            .set_name(&name)
            .set_mode(text)
            .into_function()
            .or_else(|_| {
                lua.load(source)
                    .set_name(&name)
                    .set_mode(text)
                    .into_function()
            })
            .map_err(|e| {
                let mut err = LoadError::new(
                    LoadErrorKind::LuaSyntax,
                    format!("compile the predicate: {}", crate::vm::message(&e)),
                );
                err.file = file.map(Path::to_path_buf);
                err
            })?;
        Ok(Predicate {
            chunk: Chunk {
                id: next_chunk_id(),
                name,
                bytecode: function.dump(false),
            },
        })
    }

    /// Evaluates the predicate in a fresh VM with `bindings` as globals. `Ok(true)` when it
    /// returned a truthy value; `Err` carries Lua's message (or timeout / memory).
    pub fn eval(&self, bindings: &[(&str, &Value)]) -> Result<bool, String> {
        let spec = VmSpec {
            seed: 0,
            memory_limit: 64 * 1024 * 1024,
            branch: None,
            sleep: |_| {},
            real_time: false,
        };
        let vm = Vm::new(&spec).map_err(describe)?;
        for (name, value) in bindings {
            let lua = vm.lua();
            let v = crate::convert::to_lua(lua, value).map_err(|e| crate::vm::message(&e))?;
            lua.globals()
                .raw_set(*name, v)
                .map_err(|e| crate::vm::message(&e))?;
        }
        vm.eval_chunk(&self.chunk, Duration::from_secs(5))
            .map_err(describe)
    }
}

fn describe(fault: Fault) -> String {
    match fault {
        Fault::Lua(m) => m,
        Fault::Timeout => "the predicate ran past its 5 s budget".into(),
        Fault::Memory => "the predicate ran out of memory".into(),
        Fault::Cancelled => "the predicate was cancelled".into(),
        Fault::BadReturn(m) => m,
    }
}
