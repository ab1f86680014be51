//! The compiler's entry point: checks names and settings, then builds the workflow.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::context::{Ctx, END, START};
use super::fanin::{check_branches, fan_outs};
use super::nodes::{check_language, compile_node};
use super::routes::routes;
use crate::error::{LoadError, LoadErrorKind as K};
use crate::loader::RawWorkflow;
use crate::locate;
use crate::lua::chunk::compiler;
use crate::workflow::{Node, Settings, Workflow};

/// Compiles a parsed workflow (see the module doc for routing rules).
pub(crate) fn compile(
    raw: RawWorkflow,
    source: &str,
    file: Option<&Path>,
) -> Result<Workflow, LoadError> {
    let lua = compiler()
        .map_err(|e| LoadError::new(K::Invalid, format!("create the Lua compiler: {e}")))?;
    let file_label = file
        .and_then(|f| f.file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| raw.name.clone());
    let mut ctx = Ctx {
        source,
        file_label,
        names: HashMap::new(),
        lua,
        conditions: Default::default(),
    };

    name_nodes(&mut ctx, &raw)?;

    let settings = settings(&raw, source)?;
    let initial_state = match &raw.initial_state {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v @ Value::Object(_)) => {
            crate::run::executor::check_input(v).map_err(|why| {
                ctx.at_ref(
                    K::Invalid,
                    None,
                    "initial_state",
                    format!("`initial_state`: {why}"),
                )
            })?;
            v.clone()
        }
        Some(_) => {
            return Err(ctx.at_ref(
                K::Yaml,
                None,
                "initial_state",
                "`initial_state` must be a mapping".into(),
            ));
        }
    };

    let (mut start, mut routes) = routes(&ctx, &raw)?;
    let fan_outs = fan_outs(&ctx, &raw, &mut start, &mut routes)?;

    let mut nodes = Vec::with_capacity(raw.nodes.len());
    for (id, (node, route)) in raw.nodes.iter().zip(routes).enumerate() {
        let (chunk, while_loop) = compile_node(&ctx, node)?;
        nodes.push(Node {
            name: node.name.clone(),
            chunk,
            while_loop,
            route: route.expect("every node has a route"),
            fan_in: node.fan_in || fan_outs.contains(&id),
        });
    }
    check_branches(&ctx, &start, &nodes)?;
    let variables = raw.variables.clone().unwrap_or_default();
    let conditions = ctx
        .conditions
        .into_inner()
        .finish(variables)
        .map_err(|e| LoadError::new(K::Condition, e))?;

    Ok(Workflow {
        name: raw.name.clone(),
        file: file.map(Path::to_path_buf),
        initial_state,
        settings,
        nodes,
        start,
        conditions,
        raw,
    })
}

/// Checks the node names (and each node's language) and records their ids in `ctx`.
fn name_nodes<'a>(ctx: &mut Ctx<'a>, raw: &'a RawWorkflow) -> Result<(), LoadError> {
    let source = ctx.source;
    if raw.nodes.is_empty() {
        return Err(LoadError::new(K::Invalid, "the workflow has no nodes"));
    }
    for (id, node) in raw.nodes.iter().enumerate() {
        if node.name.contains('\0') {
            return Err(LoadError::new(
                K::Invalid,
                format!(
                    "node name {:?} contains a NUL byte (node {} of the list)",
                    node.name,
                    id + 1
                ),
            )
            .at(locate::reference_line(source, "nodes"), None));
        }
        if node.name == START || node.name == END {
            return Err(ctx.at_node(
                K::Invalid,
                &node.name,
                format!("`{}` is reserved", node.name),
            ));
        }
        if ctx.names.insert(node.name.as_str(), id).is_some() {
            let mut e = ctx.at_node(
                K::DuplicateNode,
                &node.name,
                format!("node `{}` is defined twice", node.name),
            );
            // Point at the second definition.
            e.line = locate::node_lines(source, &node.name).nth(1).or(e.line);
            return Err(e);
        }
        check_language(ctx, node)?;
    }
    Ok(())
}

fn settings(raw: &RawWorkflow, source: &str) -> Result<Settings, LoadError> {
    let s = &raw.settings;
    let settings = Settings {
        max_parallel_branches: s.max_parallel_branches,
        lua_timeout_ms: s.lua_timeout_ms.unwrap_or(30_000),
        hard_timeout_ms: s.hard_timeout_ms.unwrap_or_else(|| {
            s.lua_timeout_ms
                .unwrap_or(30_000)
                .saturating_mul(2)
                .saturating_add(5_000)
        }),
        lua_memory_limit: s.lua_memory_limit.unwrap_or(64 * 1024 * 1024),
        max_steps: s.max_steps.unwrap_or(1000),
        fail_fast: s.fail_fast.unwrap_or(false),
    };
    let bad = |m: &str| {
        // The message starts with the offending key in backticks: point at its line.
        let key = m.split('`').nth(1).unwrap_or("settings");
        Err(LoadError::new(K::Invalid, format!("settings: {m}"))
            .at(locate::reference_line(source, key), None))
    };
    if settings.max_parallel_branches == Some(0) {
        return bad("`max_parallel_branches` must be at least 1");
    }
    if settings.lua_timeout_ms == 0 {
        return bad("`lua_timeout_ms` must be at least 1");
    }
    if settings.lua_memory_limit < 256 * 1024 {
        return bad(
            "`lua_memory_limit` must be at least 262144 bytes (a sandboxed VM needs about 20 KiB)",
        );
    }
    if settings.hard_timeout_ms <= settings.lua_timeout_ms {
        return bad(
            "`hard_timeout_ms` must be longer than `lua_timeout_ms`, the budget it backs up",
        );
    }
    if settings.max_steps == 0 {
        return bad("`max_steps` must be at least 1");
    }
    Ok(settings)
}
