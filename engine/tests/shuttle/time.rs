//! Virtual time under shuttle: deadlines mean something under exploration. A spin loop and
//! a sleep past the budget time out; siblings that each sleep within their own budget all
//! succeed, on one worker or several, under every schedule, and the same check fails when
//! one deadline is shared by the whole fan-out (seed TEA-RUST-030).

use std::sync::Arc;
use std::time::Duration;

use engine::seams::{Copies, Deadlines, SandboxFactory, Slots};
use engine::sync::{Runtime, ShuttleRuntime, shuttle_config};
use engine::{ErrorKind, Executor, RunOptions, Workflow};
use serde_json::{Value, json};
use shuttle::scheduler::{PctScheduler, RandomScheduler};

/// Three branches on a 50 ms budget: `spin` loops for ever, `oversleep` sleeps 80 ms, `nap`
/// sleeps 30 ms and must succeed.
const TIMEOUTS: &str = r#"
name: shuttle-timeouts
settings: { max_parallel_branches: 2, lua_timeout_ms: 50 }
nodes:
  - { name: setup, run: "return {}" }
  - { name: spin, run: "while true do end" }
  - { name: oversleep, run: "sleep_ms(80)\nreturn { slept = true }" }
  - { name: nap, run: "sleep_ms(30)\nreturn { napped = true }" }
  - name: join
    fan_in: true
    run: |
      local out = {}
      for _, r in ipairs(state.parallel_results) do
        out[r.branch] = r.timeout and "timeout" or (r.success and "ok" or r.error_type)
      end
      return out
edges:
  - { from: setup, parallel: [spin, oversleep, nap] }
  - { from: spin, to: join }
  - { from: oversleep, to: join }
  - { from: nap, to: join }
  - { from: join, to: __end__ }
"#;

/// Three siblings that each sleep 40 ms against a 50 ms budget: 120 ms together.
fn siblings(workers: usize) -> String {
    format!(
        r#"
name: shuttle-independent-deadlines
settings: {{ max_parallel_branches: {workers}, lua_timeout_ms: 50 }}
nodes:
  - {{ name: setup, run: "return {{}}" }}
  - {{ name: a, run: "sleep_ms(40)\nreturn {{ v = 1 }}" }}
  - {{ name: b, run: "sleep_ms(40)\nreturn {{ v = 2 }}" }}
  - {{ name: c, run: "sleep_ms(20)\nsleep_ms(20)\nreturn {{ v = 3 }}" }}
  - name: join
    fan_in: true
    run: |
      local ok = 0
      for _, r in ipairs(state.parallel_results) do if r.success then ok = ok + 1 end end
      return {{ ok = ok }}
edges:
  - {{ from: setup, parallel: [a, b, c] }}
  - {{ from: a, to: join }}
  - {{ from: b, to: join }}
  - {{ from: c, to: join }}
  - {{ from: join, to: __end__ }}
"#
    )
}

fn load(yaml: &str) -> Arc<Workflow> {
    Arc::new(Workflow::from_yaml(yaml, None).unwrap())
}

/// One run; the execution's helpers are shut down before the result is looked at.
fn run_with<D: Deadlines<ShuttleRuntime>>(wf: &Workflow) -> Value {
    let run =
        Executor::<ShuttleRuntime, SandboxFactory, Slots<ShuttleRuntime>, D, Copies>::default()
            .run(wf, json!({}), &RunOptions::seeded(5));
    ShuttleRuntime::shutdown();
    run.result.unwrap()
}

#[test]
fn shuttle_a_spin_loop_and_a_sleep_past_the_budget_time_out_in_virtual_time() {
    let wf = load(TIMEOUTS);
    let check = move || {
        let state = run_with::<engine::seams::PerNode>(&wf);
        assert_eq!(
            state,
            json!({ "spin": "timeout", "oversleep": "timeout", "nap": "ok" }),
            "only the branches past their own budget time out"
        );
    };
    shuttle::Runner::new(PctScheduler::new(3, 200), shuttle_config()).run(check.clone());
    shuttle::Runner::new(RandomScheduler::new(200), shuttle_config()).run(check);
}

#[test]
fn shuttle_a_timeout_in_the_main_path_is_a_timeout_error() {
    let wf = load(
        "name: main-spin\nsettings: { lua_timeout_ms: 20 }\nnodes:\n  - { name: spin, run: \"while true do end\" }\n",
    );
    shuttle::Runner::new(RandomScheduler::new(5), shuttle_config()).run(move || {
        let run = Executor::<ShuttleRuntime>::default().run(&wf, json!({}), &RunOptions::seeded(1));
        assert_eq!(run.result.unwrap_err().kind(), ErrorKind::Timeout);
    });
}

#[test]
fn shuttle_one_branch_deadline_never_affects_a_sibling_on_one_worker_or_three() {
    for workers in [1, 2, 3] {
        let wf = load(&siblings(workers));
        let check = move || {
            let state = run_with::<engine::seams::PerNode>(&wf);
            assert_eq!(state["ok"], 3, "every sibling slept within its own budget");
        };
        // PCT needs two tasks at least; one worker is a single task.
        if workers > 1 {
            shuttle::Runner::new(PctScheduler::new(3, 100), shuttle_config()).run(check.clone());
        }
        shuttle::Runner::new(RandomScheduler::new(100), shuttle_config()).run(check);
    }
}

/// TEA-RUST-030's bug: one deadline for the whole fan-out, set when it starts.
struct SharedDeadline(Duration);

impl Deadlines<ShuttleRuntime> for SharedDeadline {
    fn new(_branches: usize) -> Self {
        SharedDeadline(ShuttleRuntime::now())
    }
    fn budget(&self, _index: usize, length: Duration) -> engine::seams::Budget {
        let deadline = self.0 + length;
        let now = ShuttleRuntime::now();
        engine::seams::Budget {
            deadline,
            start: now,
            wall_due: deadline,
            length,
        }
    }
}

#[test]
fn shuttle_the_sibling_check_fails_when_the_fan_out_shares_one_deadline() {
    // On one worker the siblings run in turn: 80 ms in, the third is past a shared 50 ms.
    let wf = load(&siblings(1));
    let caught = std::panic::catch_unwind(move || {
        shuttle::Runner::new(RandomScheduler::new(10), shuttle_config()).run(move || {
            let state = run_with::<SharedDeadline>(&wf);
            assert_eq!(state["ok"], 3, "every sibling slept within its own budget");
        });
    });
    assert!(
        caught.is_err(),
        "a shared deadline must fail the sibling check"
    );
}

#[test]
fn shuttle_a_sort_with_a_c_comparator_is_charged_to_the_branch_and_times_out() {
    // 100 sorts of 2,000 numbers with `math.ult`: a couple of million comparisons in C and
    // almost no Lua instructions. The engine calls a C comparator through a checked closure,
    // so the time is charged (virtual time here) and the branch times out; a sibling is fine.
    let wf = load(
        r#"
name: shuttle-c-comparator
settings: { max_parallel_branches: 2, lua_timeout_ms: 50 }
nodes:
  - { name: setup, run: "return {}" }
  - name: sorter
    run: |
      local t = {}
      for i = 1, 2000 do t[i] = (i * 7919) % 2003 end
      for r = 1, 100 do table.sort(t, math.ult) end
      return { first = t[1] }
  - { name: nap, run: "sleep_ms(10)\nreturn { napped = true }" }
  - name: join
    fan_in: true
    run: |
      local out = {}
      for _, r in ipairs(state.parallel_results) do out[r.branch] = r.error_type or "ok" end
      return out
edges:
  - { from: setup, parallel: [sorter, nap] }
  - { from: sorter, to: join }
  - { from: nap, to: join }
  - { from: join, to: __end__ }
"#,
    );
    shuttle::Runner::new(RandomScheduler::new(20), shuttle_config()).run(move || {
        let state = run_with::<engine::seams::PerNode>(&wf);
        assert_eq!(state, json!({ "sorter": "TimeoutError", "nap": "ok" }));
    });
}
