//! Builders for fan-out workflows in either TEA parallel dialect.

use engine::{Run, RunOptions, Workflow};
use serde_json::{Value, json};

/// The two ways TEA writes a fan-out.
#[derive(Debug, Clone, Copy)]
pub enum Dialect {
    /// `{from: X, parallel: [a, b]}`, fan-in found as the common successor.
    Rust,
    /// `{from: X, to: a, type: parallel, fan_in: F}`, one edge per branch.
    Python,
}

pub const BOTH: [Dialect; 2] = [Dialect::Rust, Dialect::Python];

/// Indents Lua code under a `run: |` block at node level.
fn block(code: &str) -> String {
    code.lines().map(|l| format!("      {l}\n")).collect()
}

/// A workflow: `setup` on the main path, one single-node branch per `(name, code)`, and a
/// `join` fan-in. `settings` is a YAML flow mapping, e.g. `{ lua_timeout_ms: 100 }`.
pub fn fan_out(
    dialect: Dialect,
    setup: &str,
    branches: &[(&str, &str)],
    join: &str,
    settings: &str,
) -> String {
    let mut y = format!(
        "name: test\nsettings: {settings}\nnodes:\n  - name: setup\n    run: |\n{}",
        block(setup)
    );
    for (name, code) in branches {
        y += &format!("  - name: {name}\n    run: |\n{}", block(code));
    }
    y += &format!(
        "  - name: join\n    fan_in: true\n    run: |\n{}",
        block(join)
    );
    y += "edges:\n";
    let names: Vec<&str> = branches.iter().map(|(n, _)| *n).collect();
    match dialect {
        Dialect::Rust => {
            y += &format!("  - {{ from: setup, parallel: [{}] }}\n", names.join(", "));
            for n in &names {
                y += &format!("  - {{ from: {n}, to: join }}\n");
            }
        }
        Dialect::Python => {
            for n in &names {
                y += &format!("  - {{ from: setup, to: {n}, type: parallel, fan_in: join }}\n");
            }
            for n in &names {
                y += &format!("  - {{ from: {n}, to: join }}\n");
            }
        }
    }
    y += "  - { from: join, to: __end__ }\n";
    y
}

/// A fan-in that returns the whole `parallel_results` as `results`.
pub const KEEP_RESULTS: &str = "return { results = state.parallel_results }";

pub fn load(yaml: &str) -> Workflow {
    Workflow::from_yaml(yaml, None).unwrap_or_else(|e| panic!("failed to {e}\n{yaml}"))
}

pub fn run(wf: &Workflow, seed: u64) -> Run {
    wf.run(json!({}), &RunOptions::seeded(seed))
}

pub fn ok_state(wf: &Workflow, seed: u64) -> Value {
    let run = run(wf, seed);
    run.result.unwrap_or_else(|e| panic!("failed to {e}"))
}

/// `results[i]` of a run whose fan-in was [`KEEP_RESULTS`].
pub fn results(state: &Value) -> &Vec<Value> {
    state["results"].as_array().expect("results is an array")
}

/// The real sandboxed VM plus one host function as a global: how test factories add hooks.
pub fn vm_with_global<A, R>(
    spec: &engine::seams::VmSpec<'_>,
    name: &str,
    f: impl Fn(&mlua::Lua, A) -> mlua::Result<R> + 'static,
) -> Result<engine::seams::Vm<engine::sync::StdRuntime>, engine::seams::Fault>
where
    A: mlua::FromLuaMulti,
    R: mlua::IntoLuaMulti,
{
    let vm = engine::seams::Vm::new(spec)?;
    let function = vm.lua().create_function(f).expect("create a host function");
    vm.lua()
        .globals()
        .set(name, function)
        .expect("set a global");
    Ok(vm)
}

/// Whether the compiled workflow treats node `name` as a fan-in (from its shape).
pub fn is_fan_in(wf: &Workflow, name: &str) -> bool {
    wf.shape()["nodes"]
        .as_array()
        .expect("a shape lists its nodes")
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no node `{name}`"))["fan_in"]
        == true
}
