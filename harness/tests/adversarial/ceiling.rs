//! Soak honours the workflow's ceiling: a workflow with `max_parallel_branches: 1` ran on 2
//! workers under soak's chaos (the cores), a configuration its users never run. Now soak's
//! default is lowered to the ceiling, a `chaos.workers` above it is a load error, and the
//! report says which worker counts ran.

use crate::common::{Project, printed_token};

const CAPPED: &str = "name: capped
story: adversarial
iterations: 4
chaos: { level: light }
workflow:
  name: capped
  settings: { max_parallel_branches: 1 }
  nodes:
    - { name: a, run: \"return { a = 1 }\" }
    - { name: b, run: \"return { b = 1 }\" }
    - { name: join, fan_in: true }
  edges:
    - { from: __start__, parallel: [a, b] }
    - { from: a, to: join }
    - { from: b, to: join }
    - { from: join, to: __end__ }
expect:
  - final_state: { never: true }
";

#[test]
fn soak_runs_a_workflow_capped_at_one_worker_on_one_worker() {
    let p = Project::new();
    let scenario = p.write("scenarios/capped.yaml", CAPPED);
    let (out, dir) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let token = harness::replay::token::Token::decode(&printed_token(&out)).unwrap();
    assert_eq!(token.knobs.workers, Some(1));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["scenarios"][0]["workers"], serde_json::json!([1]));
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| 1 |\n"), "the workers column: {md}");
}

#[test]
fn chaos_workers_above_the_ceiling_are_a_load_error() {
    let p = Project::new();
    let scenario = p.write(
        "scenarios/over.yaml",
        &CAPPED.replace(
            "chaos: { level: light }",
            "chaos: { level: light, workers: [1, 2] }",
        ),
    );
    let (out, _) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains(
            "`chaos.workers` names 2, above the workflow's own `max_parallel_branches` (1)"
        ),
        "{}",
        out.all()
    );
}
