//! The generator is not vacuous: over a fixed sample it makes every feature the properties
//! are meant to cover, every generated workflow loads, and some runs fail.

use engine::{RunOptions, Workflow};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRng, TestRunner};
use serde_json::Value;

use crate::build::build;
use crate::spec::{Body, Dialect, MAX_NODES, Op, Segment, Style, spec};

#[test]
fn generator_reaches_every_feature_and_its_workflows_load() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Config::default().rng_algorithm),
    );
    let mut seen = std::collections::BTreeSet::new();
    let (mut failed, mut succeeded) = (0, 0);
    for _ in 0..300 {
        let spec = spec().new_tree(&mut runner).expect("generate").current();
        assert!(
            spec.node_count() <= MAX_NODES,
            "{} nodes",
            spec.node_count()
        );
        let fan_outs: Vec<_> = spec
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::FanOut {
                    branches, dialect, ..
                } => Some((branches, dialect)),
                Segment::Plain(_) => None,
            })
            .collect();
        seen.insert(format!("{} fan-outs", fan_outs.len()));
        for (branches, dialect) in &fan_outs {
            seen.insert(format!("{dialect:?} dialect"));
            if branches.iter().any(|b| b.len() > 1) {
                seen.insert("multi-node branch".into());
            }
        }
        let nodes = spec.segments.iter().flat_map(|s| match s {
            Segment::Plain(n) => vec![n],
            Segment::FanOut {
                head,
                branches,
                join,
                ..
            } => std::iter::once(head)
                .chain(branches.iter().flatten())
                .chain([join])
                .collect(),
        });
        for node in nodes {
            seen.insert(format!("{:?} route", node.style));
            if let Body::Lua { ops, .. } = &node.body {
                for op in ops {
                    seen.insert(format!("{:?}", std::mem::discriminant(op)));
                    if matches!(op, Op::Random { .. }) {
                        seen.insert("math.random".into());
                    }
                    if matches!(op, Op::SetGlobal { .. }) {
                        seen.insert("global".into());
                    }
                    if matches!(op, Op::DefineFn { .. }) {
                        seen.insert("function".into());
                    }
                }
            }
        }
        let wf = Workflow::from_raw(build(&spec, false).raw, "", None)
            .unwrap_or_else(|e| panic!("a generated workflow failed to load: {e}\n{spec:#?}"));
        match wf.run(Value::Null, &RunOptions::seeded(7)).result {
            Ok(_) => succeeded += 1,
            Err(_) => failed += 1,
        }
    }
    for feature in [
        "0 fan-outs",
        "1 fan-outs",
        "2 fan-outs",
        "3 fan-outs",
        "multi-node branch",
        "math.random",
        "global",
        "function",
    ] {
        assert!(
            seen.contains(feature),
            "the generator never made: {feature}"
        );
    }
    for dialect in [Dialect::Rust, Dialect::Python] {
        assert!(
            seen.contains(&format!("{dialect:?} dialect")),
            "never the {dialect:?} dialect"
        );
    }
    for style in [
        Style::Implicit,
        Style::Edge,
        Style::Goto,
        Style::GotoRule,
        Style::Skip,
    ] {
        assert!(
            seen.contains(&format!("{style:?} route")),
            "never a {style:?} route"
        );
    }
    assert!(
        succeeded > 100 && failed > 10,
        "{succeeded} runs succeeded, {failed} failed"
    );
}
