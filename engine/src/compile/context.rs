//! The compiler's context: names to ids, Lua compilation to bytecode, located errors.

use std::cell::RefCell;
use std::collections::HashMap;

use mlua::Lua;

use crate::condition::{Builder, CondId, Mode};
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
    pub(super) conditions: RefCell<Builder>,
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

    /// A target's name (`__end__` for the end).
    pub(super) fn name_of(&self, target: Target) -> String {
        match target {
            Target::End => END.to_string(),
            Target::Node(id) => self
                .names
                .iter()
                .find(|(_, i)| **i == id)
                .map_or_else(String::new, |(n, _)| n.to_string()),
        }
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

    /// Adds a condition of `node` (in `mode`), refused with the reason and the line it is
    /// written on when TEA would read it differently.
    pub(super) fn condition(
        &self,
        node: &str,
        expr: &str,
        mode: Mode,
    ) -> Result<CondId, LoadError> {
        self.conditions.borrow_mut().add(expr, mode).map_err(|why| {
            let first = expr.lines().next().unwrap_or("").trim();
            let line = (!first.is_empty())
                .then(|| {
                    self.source
                        .lines()
                        .position(|l| l.contains(first))
                        .map(|i| i + 1)
                })
                .flatten()
                .or_else(|| locate::node_line(self.source, node));
            LoadError::new(
                K::Condition,
                format!(
                    "use the condition `{}` of node `{node}`: {why}",
                    expr.trim()
                ),
            )
            .node(node)
            .at(line, None)
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
