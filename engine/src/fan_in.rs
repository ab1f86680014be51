//! What a fan-in node is handed as `state.parallel_results`: one entry per branch, in
//! declared order, built from the branch results by moving them (no JSON in between: the
//! entries go straight into Lua tables).

use serde_json::{Map, Value};

/// One branch's `parallel_results` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchEntry {
    /// The branch's name (its first node).
    pub branch: String,
    /// The branch's final state, when it succeeded.
    pub state: Option<Value>,
    /// `failed to ...` and the error kind (`lua`, `timeout`, ...), when it failed.
    pub error: Option<(String, &'static str)>,
    /// Whether it failed by running out of time.
    pub timed_out: bool,
    /// Wall-clock time it took, in milliseconds (reported, never compared).
    pub elapsed_ms: f64,
}

impl BranchEntry {
    /// TEA's JSON shape: `{branch, success, state, error, error_kind, timed_out,
    /// elapsed_ms}`, with `null` for what the branch does not have.
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
        entry.insert("error_kind".into(), kind);
        entry.insert("timed_out".into(), Value::Bool(self.timed_out));
        entry.insert(
            "elapsed_ms".into(),
            serde_json::Number::from_f64(self.elapsed_ms).map_or(Value::Null, Value::Number),
        );
        Value::Object(entry)
    }
}
