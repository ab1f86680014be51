//! What a fan-in node is handed as `state.parallel_results`: one entry per branch, in
//! declared order, built from the branch results by moving them (no JSON in between: the
//! entries go straight into Lua tables). The fields are TEA-Rust's `ParallelFlowResult`
//! (its `rust/src/engine/parallel.rs`), without `circuit_state` (there are no circuit
//! breakers here); see `docs/tea-compatibility.md` for where their meaning differs.

use serde_json::{Map, Value};

/// One branch's `parallel_results` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchEntry {
    /// The branch's name (its first node).
    pub branch: String,
    /// The branch's final state, when it succeeded.
    pub state: Option<Value>,
    /// `failed to ...` and the error type (TEA's names: `LuaError`, `TimeoutError`...;
    /// see [`crate::ErrorKind::tea_name`]), when it failed.
    pub error: Option<(String, &'static str)>,
    /// Whether it ran out of its time budget.
    pub timeout: bool,
    /// Wall-clock time it took, in milliseconds (reported, never compared).
    pub timing_ms: f64,
}

impl BranchEntry {
    /// TEA's JSON shape: `{branch, success, state, error, error_type, timeout, timing_ms,
    /// retry_count}`, with `null` for what the branch does not have. `retry_count` is
    /// always 0: nothing is retried here.
    pub fn to_json(&self) -> Value {
        let (error, kind) = match &self.error {
            Some((message, kind)) => (
                Value::String(message.clone()),
                Value::String((*kind).into()),
            ),
            None => (Value::Null, Value::Null),
        };
        let mut entry = Map::new();
        entry.insert("branch".into(), Value::String(self.branch.clone()));
        entry.insert("success".into(), Value::Bool(self.error.is_none()));
        entry.insert("state".into(), self.state.clone().unwrap_or(Value::Null));
        entry.insert("error".into(), error);
        entry.insert("error_type".into(), kind);
        entry.insert("timeout".into(), Value::Bool(self.timeout));
        entry.insert(
            "timing_ms".into(),
            serde_json::Number::from_f64(self.timing_ms).map_or(Value::Null, Value::Number),
        );
        entry.insert("retry_count".into(), Value::from(0));
        Value::Object(entry)
    }
}
