//! A node's own work: its Lua (`run:` as text or TEA's `{type: lua, code}`, with
//! `language: lua` or none), or TEA's `type: while_loop` with its limits and errors. TEA's
//! other languages and node types are refused as outside this engine.

use super::context::Ctx;
use crate::condition::Mode;
use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::RawNode;
use crate::locate;
use crate::lua::chunk::Chunk;
use crate::workflow::WhileLoop;

/// The node's compiled `run`, and its loop when it is a while_loop.
pub(super) fn compile_node(
    ctx: &Ctx,
    node: &RawNode,
) -> Result<(Option<Chunk>, Option<WhileLoop>), LoadError> {
    let name = node.name.as_str();
    match node.kind.as_deref() {
        Some("while_loop") => Ok((None, Some(while_loop(ctx, node)?))),
        Some(other) => Err(ctx.at_node(
            K::Unsupported,
            name,
            format!(
                "node `{name}` has `type: {other}`: TEA's `{other}` nodes are outside this \
                 engine (a node here runs Lua, or is a `while_loop`)"
            ),
        )),
        None => {
            if let Some(key) = loop_key(node) {
                return Err(ctx.at_node(
                    K::Invalid,
                    name,
                    format!(
                        "node `{name}` has `{key}`, which only a `type: while_loop` node takes"
                    ),
                ));
            }
            Ok((run(ctx, node)?, None))
        }
    }
}

fn loop_key(node: &RawNode) -> Option<&'static str> {
    [
        ("condition", node.condition.is_some()),
        ("max_iterations", node.max_iterations.is_some()),
        ("body", node.body.is_some()),
    ]
    .into_iter()
    .find_map(|(key, set)| set.then_some(key))
}

/// Refuses a node (or a while_loop's body node) in a language other than Lua, before any
/// code is compiled: that is the reason such a workflow does not run here.
pub(super) fn check_language(ctx: &Ctx, node: &RawNode) -> Result<(), LoadError> {
    let name = node.name.as_str();
    if let Some(lang) = node.language.as_deref().filter(|l| *l != "lua") {
        return Err(ctx.at_node(K::Language, name, language(name, "language", lang)));
    }
    let typed = node.run.as_ref().and_then(|r| r.code().1);
    if let Some(kind) = typed.filter(|t| *t != "lua") {
        return Err(ctx.at_node(K::Language, name, language(name, "run type", kind)));
    }
    node.body
        .iter()
        .flatten()
        .try_for_each(|inner| check_language(ctx, inner))
}

/// A node's Lua, compiled; `None` when it has none (it passes the state through).
fn run(ctx: &Ctx, node: &RawNode) -> Result<Option<Chunk>, LoadError> {
    let name = node.name.as_str();
    let (code, typed) = match &node.run {
        Some(run) => run.code(),
        None => return Ok(None),
    };
    if code.trim().is_empty() {
        return Ok(None);
    }
    let first = typed
        .is_none()
        .then(|| locate::run_code_line(ctx.source, name))
        .flatten();
    ctx.chunk(name, "`run` code", code, first)
        .map(Some)
        .map_err(|mut e| {
            if node.language.is_none() && typed.is_none() {
                e.message.push_str(&not_lua(code));
            }
            e
        })
}

/// Why a TEA language (`what` is `language` or `run type`) does not run here.
fn language(name: &str, what: &str, lang: &str) -> String {
    let feature = match lang {
        "prolog" => "TEA's Prolog runtime is",
        "python" => "TEA-Python's Python code is",
        "expression" => "TEA-Python's expression runs are",
        _ => "other languages are",
    };
    format!("node `{name}` has {what} `{lang}`: {feature} outside this engine; only Lua runs here")
}

/// A hint for code that does not compile as Lua and says no language: TEA-Python runs
/// such code as Python, TEA-Rust with Prolog when it looks like Prolog.
fn not_lua(code: &str) -> String {
    let lines = || {
        code.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
    };
    let python = lines().any(|l| {
        ["import ", "def ", "from ", "elif ", "try:", "except"]
            .iter()
            .any(|k| l.starts_with(k))
            || (l.ends_with(':')
                && ["if ", "for ", "else", "while "]
                    .iter()
                    .any(|k| l.starts_with(k)))
            || ["state.get(", "None", "True", "False", "f\"", "len(", "{\""]
                .iter()
                .any(|k| l.contains(k))
    });
    // TEA-Rust's own `detect_prolog_code` (used when it is built with Prolog).
    let prolog = code.trim().starts_with("% prolog")
        || code.trim().starts_with("%prolog")
        || [
            ":-",
            "?-",
            "state(",
            "return(",
            "assertz(",
            "findall(",
            "all_different(",
            "#=",
            "#<",
            "#>",
            "ins ",
            "labeling",
        ]
        .iter()
        .any(|p| code.contains(p));
    if python {
        " (this looks like Python: TEA-Python runs `run` code as Python, which is outside this \
         engine; only Lua runs here)"
            .into()
    } else if prolog {
        " (this looks like Prolog: TEA runs such code with its Prolog runtime, which is outside \
         this engine; only Lua runs here)"
            .into()
    } else {
        String::new()
    }
}

/// TEA's while_loop, checked in TEA's order with TEA's limits.
fn while_loop(ctx: &Ctx, node: &RawNode) -> Result<WhileLoop, LoadError> {
    let name = node.name.as_str();
    let bad = |m: String| ctx.at_node(K::Invalid, name, m);
    if node.run.is_some() {
        return Err(bad(format!(
            "while_loop node `{name}` has `run`: its work is its `body`"
        )));
    }
    let max_iterations = node.max_iterations.ok_or_else(|| {
        bad(format!(
            "while_loop node `{name}` requires `max_iterations` (1 to 1000)"
        ))
    })?;
    if !(1..=1000).contains(&max_iterations) {
        return Err(bad(format!(
            "while_loop node `{name}`: `max_iterations` must be between 1 and 1000, got {max_iterations}"
        )));
    }
    let condition = node
        .condition
        .as_deref()
        .ok_or_else(|| bad(format!("while_loop node `{name}` requires `condition`")))?;
    let body = match &node.body {
        Some(body) if !body.is_empty() => body,
        _ => {
            return Err(bad(format!(
                "while_loop node `{name}` requires `body` with at least one node"
            )));
        }
    };
    let mut compiled = Vec::with_capacity(body.len());
    for inner in body {
        if inner.kind.as_deref() == Some("while_loop") {
            return Err(bad(format!(
                "nested while_loops are not supported (in TEA either): `{name}` contains while_loop `{}`",
                inner.name
            )));
        }
        if inner.goto.is_some() || inner.fan_in {
            return Err(bad(format!(
                "body node `{}` of while_loop `{name}` has `goto` or `fan_in`: a body runs in \
                 order (TEA ignores a body node's routing)",
                inner.name
            )));
        }
        let (chunk, _) = compile_node(ctx, inner)?;
        compiled.push((inner.name.clone(), chunk));
    }
    Ok(WhileLoop {
        condition: ctx.condition(name, condition, Mode::Loop)?,
        max_iterations,
        body: compiled,
    })
}
