//! A real YAML workflow with three Lua branches under random and PCT schedules, on the same
//! engine code that runs on std threads.

use engine::sync::{ShuttleRuntime, shuttle_config};
use engine::{Executor, RunOptions, Workflow};
use serde_json::{Value, json};
use shuttle::scheduler::{PctScheduler, RandomScheduler};

const FLOW: &str = r#"
name: shuttle-three-branches
settings: { max_parallel_branches: 3 }
nodes:
  - { name: setup, run: "parent_only = true\nreturn { n = 10 }" }
  - { name: a, run: "mine = 'a'\nsleep_ms(1)\nreturn { v = state.n + 1, leak = rawget(_G, 'parent_only') ~= nil }" }
  - { name: b, run: "mine = 'b'\nreturn { v = state.n + 2, leak = rawget(_G, 'parent_only') ~= nil }" }
  - { name: c, run: "sleep_ms(1)\nreturn { v = state.n + 3, leak = rawget(_G, 'mine') ~= nil }" }
  - name: join
    fan_in: true
    run: |
      local order, sum, leak = {}, 0, false
      for i, r in ipairs(state.parallel_results) do
        order[i] = r.branch
        sum = sum + r.state.v
        leak = leak or r.state.leak
      end
      return { order = table.concat(order, ","), sum = sum, leak = leak, global = rawget(_G, "mine") }
edges:
  - { from: setup, parallel: [a, b, c] }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: c, to: join }
  - { from: join, to: __end__ }
"#;

fn check_one_run(wf: &Workflow) {
    let run = Executor::<ShuttleRuntime>::default().run(wf, json!({}), &RunOptions::seeded(3));
    // The execution's helpers wait for work until told to go: shuttle would call it a
    // deadlock.
    ShuttleRuntime::shutdown();
    run.trace.check_distinct_vms().unwrap();
    let state = run.result.unwrap();
    assert_eq!(
        state["order"], "a,b,c",
        "declared order under every schedule"
    );
    assert_eq!(state["sum"], 36);
    assert_eq!(state["leak"], false);
    assert_eq!(state.get("global"), None::<&Value>);
}

fn workflow() -> std::sync::Arc<Workflow> {
    std::sync::Arc::new(Workflow::from_yaml(FLOW, None).unwrap())
}

#[test]
fn shuttle_check_random_three_lua_branches() {
    let wf = workflow();
    let runner = shuttle::Runner::new(RandomScheduler::new(1000), shuttle_config());
    runner.run(move || check_one_run(&wf));
}

#[test]
fn shuttle_check_pct_three_lua_branches() {
    let wf = workflow();
    let runner = shuttle::Runner::new(PctScheduler::new(3, 1000), shuttle_config());
    runner.run(move || check_one_run(&wf));
}

#[test]
fn shuttle_check_random_and_check_pct_entry_points_work() {
    // The two-line entry points too (default stack): a workflow small enough for 60 KiB.
    let wf = workflow();
    let w = wf.clone();
    shuttle::check_random(move || check_one_run(&w), 20);
    shuttle::check_pct(move || check_one_run(&wf), 20, 3);
}
