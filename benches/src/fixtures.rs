//! The workflows and states the benches measure, built once so every bench and probe
//! measures the same thing.
//!
//! The fan-out workflows are generated rather than written out, so the branch count is the
//! only thing that changes between N = 1 and N = 32.

use std::time::Duration;

use engine::Workflow;
use engine::seams::{Budget, Chunk, Vm, VmSpec};
use engine::sync::StdRuntime;
use serde_json::{Value, json};

/// The VM the benches time: the engine's own, on real threads.
pub type BenchVm = Vm<StdRuntime>;

/// Memory limit the probes and benches give every VM (the engine's default, 64 MiB).
pub const MEMORY_LIMIT: usize = 64 * 1024 * 1024;

/// Branch counts of the fan-out benches.
pub const FAN_OUT_SIZES: [usize; 6] = [1, 2, 4, 8, 16, 32];

/// The Lua a trivial branch runs: read one field, return one.
pub const TRIVIAL_BRANCH: &str = "return { y = state.x + 1 }";

/// The Lua a CPU-bound branch runs: a few milliseconds of arithmetic.
pub const CPU_BRANCH: &str =
    "local s = 0\nfor i = 1, 300000 do s = s + i % 7 end\nreturn { s = s }";

/// The peer-comparable workflow (TEA's Rust dialect, Lua nodes only), as shipped.
pub const PEER_WORKFLOW: &str = include_str!("../workflows/peer-fan-out-3.yaml");

/// Path of [`PEER_WORKFLOW`] relative to the workspace root.
pub const PEER_WORKFLOW_PATH: &str = "benches/workflows/peer-fan-out-3.yaml";

/// A setup node, `n` branches running `branch_lua`, and a fan-in that counts the results.
/// With `n == 0` it is the same main path without a fan-out: the baseline that the fan-out
/// cost is measured against.
pub fn fan_out_yaml(n: usize, branch_lua: &str) -> String {
    let mut yaml =
        format!("name: fan-out-{n}\nnodes:\n  - name: setup\n    run: return {{ x = 1 }}\n");
    for i in 1..=n {
        yaml.push_str(&format!(
            "  - name: b{i}\n    run: |\n{}\n",
            indent(branch_lua, 6)
        ));
    }
    let join = if n == 0 {
        "return { n = 0 }"
    } else {
        "return { n = #state.parallel_results }"
    };
    yaml.push_str(&format!(
        "  - name: join\n    run: |\n      {join}\nedges:\n"
    ));
    if n == 0 {
        yaml.push_str("  - { from: setup, to: join }\n");
    } else {
        let names: Vec<String> = (1..=n).map(|i| format!("b{i}")).collect();
        yaml.push_str(&format!(
            "  - {{ from: setup, parallel: [{}] }}\n",
            names.join(", ")
        ));
        for name in &names {
            yaml.push_str(&format!("  - {{ from: {name}, to: join }}\n"));
        }
    }
    yaml.push_str("  - { from: join, to: __end__ }\n");
    yaml
}

/// [`fan_out_yaml`], compiled.
pub fn fan_out(n: usize, branch_lua: &str) -> Workflow {
    compile(&fan_out_yaml(n, branch_lua), &format!("fan-out-{n}"))
}

/// The peer workflow, compiled.
pub fn peer() -> Workflow {
    compile(PEER_WORKFLOW, PEER_WORKFLOW_PATH)
}

/// `lua` compiled as a node's chunk is: what the node benches execute.
pub fn chunk(lua: &str) -> Chunk {
    Chunk::new("=single", lua)
        .unwrap_or_else(|e| panic!("bench chunk must compile: failed to compile: {e}"))
}

/// A branch VM spec, as the engine makes one for the first branch of a fan-out.
pub fn branch_spec(seed: u64) -> VmSpec<'static> {
    let mut spec = VmSpec::new(seed, MEMORY_LIMIT);
    spec.branch = Some(("b1", 1));
    spec.worker = Some(0);
    spec
}

/// A node's budget (30 s, the engine's default), starting now: take one per node run, as
/// the engine does.
pub fn budget() -> Budget {
    Budget::after::<StdRuntime>(Duration::from_secs(30))
}

/// A small state: two fields.
pub fn small_state() -> Value {
    json!({ "x": 1, "name": "small" })
}

/// A large state: 200 records with nested arrays (about 14 KB of JSON).
pub fn large_state() -> Value {
    let items: Vec<Value> = (0..200)
        .map(|i| json!({ "id": i, "name": format!("item-{i}"), "tags": ["a", "b", "c"], "score": i as f64 / 3.0 }))
        .collect();
    json!({ "x": 1, "items": items, "meta": { "source": "bench", "version": 3 } })
}

/// A CPU-bound node (a few million Lua instructions): arithmetic, table stores, string
/// building (`..`, `string.rep`, `table.concat`) and calls to functions the sandbox wraps
/// (`pcall`, `table.insert`), so the sandboxed-against-plain ratio covers the wrappers too.
/// `rounds` scales it (the benches use [`CPU_ROUNDS`], callgrind fewer).
pub fn cpu_chunk(rounds: u32) -> String {
    format!(
        "local t, acc = {{}}, 0\n\
         for i = 1, {rounds} do\n\
           acc = acc + (i * 7) % 13\n\
           t[i % 512 + 1] = acc\n\
           if i % 64 == 0 then\n\
             local parts = {{}}\n\
             for j = 1, 8 do table.insert(parts, j) end\n\
             local s = table.concat(parts, ',') .. string.rep('x', 3)\n\
             local ok, n = pcall(string.len, s)\n\
             if ok then acc = acc + n end\n\
           end\n\
         end\n\
         return {{ acc = acc }}"
    )
}

/// Rounds of [`cpu_chunk`] in the criterion benches: about 4 million Lua instructions.
pub const CPU_ROUNDS: u32 = 200_000;

/// A one-node workflow running [`cpu_chunk`].
pub fn cpu_workflow(rounds: u32) -> Workflow {
    let yaml = format!(
        "name: cpu\nnodes:\n  - name: work\n    run: |\n{}\nedges:\n  - {{ from: __start__, to: work }}\n  - {{ from: work, to: __end__ }}\n",
        indent(&cpu_chunk(rounds), 6)
    );
    compile(&yaml, "cpu")
}

/// A plain mlua VM (every standard library, no sandbox, no hook) with [`cpu_chunk`] loaded
/// as a function: what the sandboxed node is compared with.
pub fn plain_cpu(rounds: u32) -> (mlua::Lua, mlua::Function) {
    let lua = mlua::Lua::new();
    lua.globals()
        .set("state", lua.create_table().expect("a table"))
        .expect("a global");
    let f = lua
        .load(cpu_chunk(rounds))
        .into_function()
        .expect("the chunk compiles");
    (lua, f)
}

/// The Lua the node benches run: touches the state and returns all of it, so both the
/// state-to-Lua and the Lua-to-state conversions are measured.
pub const ROUND_TRIP_NODE: &str = "state.x = state.x + 1\nreturn state";

fn compile(yaml: &str, label: &str) -> Workflow {
    Workflow::from_yaml(yaml, None)
        .unwrap_or_else(|e| panic!("bench fixture `{label}` must load: failed to {e}"))
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::RunOptions;

    #[test]
    fn fan_out_fixtures_run_every_branch() {
        for n in FAN_OUT_SIZES {
            let run = fan_out(n, TRIVIAL_BRANCH).run(json!({}), &RunOptions::seeded(1));
            assert_eq!(run.result.expect("runs")["n"], json!(n), "fan-out of {n}");
        }
    }

    #[test]
    fn main_path_baseline_runs_without_a_fan_out() {
        let run = fan_out(0, TRIVIAL_BRANCH).run(json!({}), &RunOptions::seeded(1));
        assert_eq!(run.result.expect("runs")["n"], json!(0));
        assert!(run.trace.steps.iter().all(|s| s.branch.is_none()));
    }

    #[test]
    fn peer_workflow_sums_its_three_branches() {
        let run = peer().run(json!({}), &RunOptions::seeded(1));
        let state = run.result.expect("the peer workflow runs");
        assert_eq!(state["branches"], json!(3));
        assert_eq!(state["ok"], json!(true));
    }
}
