//! The compiler's context: names to ids, Lua compilation to bytecode, located errors.

use std::collections::HashMap;

use mlua::Lua;

use crate::error::{LoadError, LoadErrorKind as K};
use crate::locate;
use crate::lua::chunk::Chunk;
use crate::lua::message::{lua_line, message};
use crate::workflow::{NodeId, Target};

pub(super) const START: &str = "__start__";
pub(super) const END: &str = "__end__";

pub(super) struct Ctx<'a> {
    pub(super) source: &'a str,
    pub(super) file_label: String,
    pub(super) names: HashMap<&'a str, NodeId>,
    pub(super) lua: Lua,
}

impl Ctx<'_> {
    /// An error located at the node's `name:` line.
    pub(super) fn at_node(&self, kind: K, node: &str, message: String) -> LoadError {
        LoadError::new(kind, message)
            .node(node)
            .at(locate::node_line(self.source, node), None)
    }

    /// An error about a reference, located where the reference is written.
    pub(super) fn at_ref(
        &self,
        kind: K,
        node: Option<&str>,
        word: &str,
        message: String,
    ) -> LoadError {
        let mut e =
            LoadError::new(kind, message).at(locate::reference_line(self.source, word), None);
        e.node = node.map(str::to_string);
        e
    }

    pub(super) fn target(&self, from: Option<&str>, name: &str) -> Result<Target, LoadError> {
        if name == END {
            return Ok(Target::End);
        }
        self.names
            .get(name)
            .map(|&id| Target::Node(id))
            .ok_or_else(|| {
                self.at_ref(
                    K::UnknownNode,
                    from,
                    name,
                    format!("unknown node `{name}`{}", from_msg(from)),
                )
            })
    }

    pub(super) fn node_id(&self, from: Option<&str>, name: &str) -> Result<NodeId, LoadError> {
        match self.target(from, name)? {
            Target::Node(id) => Ok(id),
            Target::End => Err(self.at_ref(
                K::Invalid,
                from,
                name,
                format!("`{END}` cannot be a branch or fan-in"),
            )),
        }
    }

    /// Compiles Lua text to bytecode. `first_line` maps chunk line 1 to a file line.
    pub(super) fn chunk(
        &self,
        node: &str,
        what: &str,
        code: &str,
        first_line: Option<usize>,
    ) -> Result<Chunk, LoadError> {
        let (name, text) = match first_line {
            Some(line) => (
                format!("={}", self.file_label),
                format!("{}{code}", "\n".repeat(line - 1)),
            ),
            None => (
                format!("={} ({what} of node `{node}`)", self.file_label),
                code.to_string(),
            ),
        };
        Chunk::compile(&self.lua, &name, &text).map_err(|e| {
            let message = first_line_of(&e);
            let line = first_line.and_then(|_| lua_line(&message));
            LoadError::new(K::LuaSyntax, format!("compile the {what}: {message}"))
                .node(node)
                .at(line.or_else(|| locate::node_line(self.source, node)), None)
        })
    }

    pub(super) fn condition(&self, node: &str, expr: &str) -> Result<Chunk, LoadError> {
        self.chunk(node, "condition", &format!("return ({expr})"), None)
            .map_err(|e| {
                // The parentheses are ours: report the expression's own error (`1 +` is
                // "near <eof>", not "near ')'").
                match Chunk::compile(&self.lua, "=condition", &format!("return {expr}")) {
                    Err(own) => {
                        let message = first_line_of(&own);
                        let message = message
                            .split_once(": ")
                            .map_or(message.as_str(), |(_, m)| m);
                        LoadError {
                            message: format!(
                                "compile the condition of node `{node}` (`{expr}`): {message}"
                            ),
                            ..e
                        }
                    }
                    Ok(_) => e,
                }
            })
    }
}

fn from_msg(from: Option<&str>) -> String {
    from.map(|f| format!(" (routing from `{f}`)"))
        .unwrap_or_default()
}

/// The first line of a Lua compile error.
fn first_line_of(e: &mlua::Error) -> String {
    message(e).lines().next().unwrap_or("").to_string()
}
