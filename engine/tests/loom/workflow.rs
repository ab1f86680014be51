//! The real engine under loom: a YAML workflow with two Lua branches, each on a fresh VM.

use engine::sync::{LUA_STACK_SIZE, LoomRuntime};
use engine::{Executor, RunOptions, Workflow};
use serde_json::json;

const FLOW: &str = r#"
name: loom-two-branches
settings: { max_parallel_branches: 2 }
nodes:
  - { name: setup, run: "secret = 1\nreturn { n = 1 }" }
  - { name: a, run: "leak = 'a'\nreturn { v = state.n + 1, saw = rawget(_G, 'secret') ~= nil }" }
  - { name: b, run: "return { v = state.n + 2, saw = rawget(_G, 'leak') ~= nil }" }
  - name: join
    fan_in: true
    run: |
      local r = state.parallel_results
      return { order = r[1].branch .. r[2].branch, sum = r[1].state.v + r[2].state.v, saw = r[1].state.saw or r[2].state.saw }
edges:
  - { from: setup, parallel: [a, b] }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: join, to: __end__ }
"#;

#[test]
fn loom_two_lua_branches_are_isolated_and_collected_in_order() {
    let wf = std::sync::Arc::new(Workflow::from_yaml(FLOW, None).unwrap());
    loom::model(move || {
        let wf = wf.clone();
        // loom's main thread has a 32 KiB stack: run the engine on a thread sized for Lua.
        let handle = loom::thread::Builder::new()
            .stack_size(LUA_STACK_SIZE)
            .spawn(move || {
                Executor::<LoomRuntime>::default().run(&wf, json!({}), &RunOptions::seeded(1))
            })
            .unwrap();
        let run = handle.join().unwrap();
        LoomRuntime::shutdown();
        run.trace.check_distinct_vms().unwrap();
        let state = run.result.unwrap();
        assert_eq!(state["order"], "ab");
        assert_eq!(state["sum"], 5);
        assert_eq!(state["saw"], false);
    });
}
