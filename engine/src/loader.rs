//! The one module that parses YAML. Moving to a maintained serde_yaml fork (serde_yaml_ng,
//! serde-saphyr) is a change to this file only.
//!
//! It turns text into the raw, serde-shaped model below (public for the harness's scenarios
//! and the tests that build workflows; only [`RawWorkflow`] is documented), rejecting unknown keys and wrong
//! types with the line and column serde_yaml reports. [`crate::compile`] then checks the
//! graph and builds the immutable [`crate::Workflow`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{LoadError, LoadErrorKind};

/// A workflow document, exactly as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkflow {
    /// Workflow name (required).
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Accepted for TEA compatibility; not enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_schema: Option<serde_json::Value>,
    /// The state a run starts from (merged under the caller's state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_state: Option<serde_json::Value>,
    /// Constants TEA passes to `targets` and while_loop conditions (as `variables.*`); Lua
    /// does not see them, as in TEA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<serde_json::Map<String, serde_json::Value>>,
    /// Engine settings.
    #[serde(default, skip_serializing_if = "RawSettings::is_empty")]
    pub settings: RawSettings,
    /// The nodes, in declared order (implicit chaining follows this order).
    pub nodes: Vec<RawNode>,
    /// Edges: simple, conditional, and parallel in both TEA dialects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<RawEdge>,
}

/// `settings:` as written; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[doc(hidden)]
pub struct RawSettings {
    /// Worker cap for a fan-out (default: available cores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallel_branches: Option<usize>,
    /// Per-node time budget in ms (default 30000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_timeout_ms: Option<u64>,
    /// Per-node hard deadline in ms (default: twice the budget plus 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_timeout_ms: Option<u64>,
    /// Per-VM memory limit in bytes (default 64 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_memory_limit: Option<usize>,
    /// Node executions allowed on the main path and in each branch (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<usize>,
    /// Cancel siblings and fail the run when a branch fails (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
    /// TEA's rate limiters: accepted and unused (they pace TEA's actions, which are outside
    /// this engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limiters: Option<serde_json::Value>,
}

impl RawSettings {
    fn is_empty(&self) -> bool {
        *self == RawSettings::default()
    }
}

/// A node as written (also a while_loop's body node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[doc(hidden)]
pub struct RawNode {
    /// Unique node name.
    pub name: String,
    /// Free text, ignored (as TEA ignores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `while_loop`, or absent for a node that runs Lua.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Lua source, or `{type: lua, code}`; absent means the node passes the state through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RawRun>,
    /// Must be `lua` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Routing that takes precedence over edges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goto: Option<RawGoto>,
    /// Marks the node as a fan-in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fan_in: bool,
    /// A while_loop's condition (a Tera template, as in TEA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// A while_loop's iteration limit, 1 to 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_iterations: Option<usize>,
    /// A while_loop's body: nodes run in order on each iteration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Vec<RawNode>>,
}

/// `run:` is Lua source, or TEA's explicit form `{type: lua, code: ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[doc(hidden)]
pub enum RawRun {
    /// Lua source.
    Code(String),
    /// `{type, code}`; only `type: lua` runs here.
    Typed {
        /// The language.
        #[serde(rename = "type")]
        kind: String,
        /// The source.
        code: String,
    },
}

/// By hand rather than `untagged`, so a wrong type keeps serde_yaml's field path and line.
impl<'de> Deserialize<'de> for RawRun {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawRun;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("Lua source, or `{type: lua, code: ...}`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawRun, E> {
                Ok(RawRun::Code(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawRun, A::Error> {
                use serde::de::Error;
                let mut fields: std::collections::BTreeMap<String, serde_json::Value> =
                    Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                let kind = match fields.remove("type") {
                    Some(serde_json::Value::String(kind)) => kind,
                    Some(_) => return Err(A::Error::custom("`type` must be a string")),
                    None => return Err(A::Error::missing_field("type")),
                };
                // Another `type` (`prolog`, `expression`...) is refused when the node compiles,
                // naming the TEA feature; its other keys are TEA's to check.
                if kind != "lua" {
                    return Ok(RawRun::Typed {
                        kind,
                        code: String::new(),
                    });
                }
                let code = match fields.remove("code") {
                    Some(serde_json::Value::String(code)) => code,
                    Some(_) => return Err(A::Error::custom("`code` must be a string")),
                    None => return Err(A::Error::missing_field("code")),
                };
                match fields.keys().next() {
                    Some(other) => Err(A::Error::unknown_field(other, &["type", "code"])),
                    None => Ok(RawRun::Typed { kind, code }),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl RawRun {
    /// The source, and the language `{type: ...}` names (if any).
    pub fn code(&self) -> (&str, Option<&str>) {
        match self {
            RawRun::Code(code) => (code, None),
            RawRun::Typed { kind, code } => (code, Some(kind)),
        }
    }
}

/// `goto:` is a node name (or `__end__`), or a list of rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[doc(hidden)]
pub enum RawGoto {
    /// Unconditional.
    Target(String),
    /// First matching rule wins; a rule without `if` is the fallback.
    Rules(Vec<RawGotoRule>),
}

/// One `goto` rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[doc(hidden)]
pub struct RawGotoRule {
    /// A condition over `state` (TEA-Rust's `eval_condition`: see `docs/tea-compatibility.md`).
    #[serde(default, rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Target node or `__end__`.
    pub to: String,
}

/// An edge as written. Which fields are set decides its kind (see [`crate::compile`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[doc(hidden)]
pub struct RawEdge {
    /// Source node or `__start__`.
    pub from: String,
    /// Target node or `__end__` (simple, conditional, Python parallel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Condition (a Tera expression over `state`, as in TEA). With `to`: the edge is taken
    /// when it holds; with `targets`: its rendered text picks the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// TEA's target map: rendered `when` (default `state.result`) to node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<std::collections::BTreeMap<String, String>>,
    /// Rust dialect: the branches of a fan-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<Vec<String>>,
    /// Python dialect: `parallel`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Python dialect: the fan-in node of this branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fan_in: Option<String>,
    /// Free text, ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Parses workflow YAML. `file` only labels errors.
#[doc(hidden)]
pub fn parse_workflow(source: &str, file: Option<&Path>) -> Result<RawWorkflow, LoadError> {
    from_yaml(source, file)
}

/// Parses any YAML document into `T`, with file:line:column on errors. Shared by the
/// workflow and scenario loaders so that all YAML goes through this module.
///
/// Numbers JSON cannot hold are errors, not silent nulls or strings: `.nan` and `.inf`
/// (serde would read them as `null`), and a plain number too large for a double such as
/// `1e400` (YAML reads it as the string `"1e400"`). Merge keys (`<<: *anchor`) are
/// supported; such a document's type errors carry no line (serde_yaml merges a parsed
/// value, which has lost its positions).
pub fn from_yaml<T: serde::de::DeserializeOwned>(
    source: &str,
    file: Option<&Path>,
) -> Result<T, LoadError> {
    let located = |mut err: LoadError| {
        err.file = file.map(Path::to_path_buf);
        err
    };
    if source.trim().is_empty() {
        return Err(located(LoadError::new(
            LoadErrorKind::Yaml,
            "the document is empty",
        )));
    }
    let mut doc: serde_yaml::Value = match serde_yaml::from_str(source) {
        Ok(doc) => doc,
        // The typed parse names the field and its line (a duplicate key, say): prefer it.
        Err(untyped) => {
            return Err(match serde_yaml::from_str::<T>(source) {
                Err(typed) => yaml_error(&typed, file),
                Ok(_) => yaml_error(&untyped, file),
            });
        }
    };
    crate::yaml_check::check(&doc, source).map_err(located)?;
    if crate::yaml_check::has_merge_keys(&doc) {
        doc.apply_merge().map_err(|e| yaml_error(&e, file))?;
        return T::deserialize(doc).map_err(|e| yaml_error(&e, file));
    }
    serde_yaml::from_str(source).map_err(|e| yaml_error(&e, file))
}

/// Serializes a workflow back to YAML (used by round-trip tests and tools).
pub fn to_yaml<T: Serialize>(value: &T) -> String {
    serde_yaml::to_string(value).expect("serializing plain data to YAML cannot fail")
}

fn yaml_error(e: &serde_yaml::Error, file: Option<&Path>) -> LoadError {
    let location = e.location();
    // serde_yaml appends " at line L column C" itself; the location fields carry it instead.
    let message = e.to_string();
    let message = match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    let message = crate::tea_keys::explain(&message).unwrap_or(message);
    let mut err = LoadError::new(LoadErrorKind::Yaml, message).at(
        location.as_ref().map(|l| l.line()),
        location.as_ref().map(|l| l.column()),
    );
    err.file = file.map(Path::to_path_buf);
    err
}
