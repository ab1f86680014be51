//! Escaped Markdown: a scenario name with a double backtick closed the code span of
//! report.md's heading, and `<img src=x onerror=...>` then rendered as raw HTML. Now every
//! user string sits in a code span fenced past its longest backtick run, or is escaped; a
//! CommonMark parser finds no HTML, and no markup at all, that came from user text.

use pulldown_cmark::{Event, Options, Parser};
use serde_json::Value;

use crate::common::Project;

/// Flaky, with knobs that vary: report.md gets every section (signatures, invariants,
/// outcomes, the knob table, the diff).
const FLAKY: &str = "name: flaky
description: fails when the roll is 1
story: adversarial
iterations: 200
engine_thread: mixed
chaos: { workers: [1, 2] }
workflow:
  name: flaky
  nodes:
    - { name: setup, run: \"return {}\" }
    - { name: roll, run: \"return { n = math.random(1, 4) }\" }
    - { name: steady, run: \"return { n = 0 }\" }
    - { name: join, fan_in: true, run: \"return { unlucky = state.parallel_results[1].state.n == 1 }\" }
  edges:
    - { from: setup, parallel: [roll, steady] }
    - { from: roll, to: join }
    - { from: steady, to: join }
    - { from: join, to: __end__ }
expect:
  - lua: not state.unlucky
";

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The markup of `md`: every event but text, code and line breaks.
fn shape(md: &str) -> Vec<String> {
    Parser::new_ext(md, options())
        .filter(|e| {
            !matches!(
                e,
                Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak
            )
        })
        .map(|e| format!("{e:?}"))
        .collect()
}

fn html_in(md: &str) -> Vec<String> {
    Parser::new_ext(md, options())
        .filter(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        .map(|e| format!("{e:?}"))
        .collect()
}

#[test]
fn a_scenario_name_cannot_close_its_code_span_and_inject_html() {
    let p = Project::new();
    let name = "x `` <img src=x onerror=alert(1)> ``";
    let scenario = p.write(
        "scenarios/inject.yaml",
        &crate::common::FAILING.replace("name: failing\n", &format!("name: {name:?}\n")),
    );
    let (out, dir) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert_eq!(html_in(&md), Vec::<String>::new(), "{md}");
    let codes: Vec<String> = Parser::new_ext(&md, options())
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        codes.iter().any(|c| c == name),
        "the heading shows the name: {codes:?}"
    );
}

/// The keys whose string values are user text in report.md (names, messages, paths, a
/// shard report's fields).
const USER_TEXT: &[&str] = &[
    "name",
    "file",
    "story",
    "description",
    "error",
    "message",
    "seed",
    "replay",
    "replay_file",
    "reproduction",
    "signature",
    "label",
    "outcome",
    "fingerprint",
    "example_seed",
    "line",
    "knob",
    "value",
    "path",
    "usual",
    "divergent",
    "diff_of",
    "summary",
    "command",
    "run_seed",
    "started_at",
    "finished_at",
    "stopped",
];

/// Replaces every user string under `v` with the next of `texts` (cycling).
fn replace_user_text(v: &mut Value, texts: &[String], next: &mut usize, user: bool) {
    match v {
        Value::String(s) if user => {
            *s = texts[*next % texts.len()].clone();
            *next += 1;
        }
        Value::Array(items) => {
            for item in items {
                replace_user_text(item, texts, next, user);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let user = USER_TEXT.contains(&key.as_str());
                replace_user_text(item, texts, next, user);
            }
        }
        _ => {}
    }
}

fn render(base: &Value, texts: &[String]) -> String {
    let mut v = base.clone();
    replace_user_text(&mut v, texts, &mut 0, false);
    let report: harness::report::Report = serde_json::from_value(v).expect("still a report");
    harness::report::markdown::render(&report)
}

fn flaky_report() -> Value {
    let p = Project::new();
    let scenario = p.write("scenarios/flaky.yaml", FLAKY);
    let (out, dir) = p.soak(&scenario, &["--isolation", "thread"]);
    assert_eq!(out.code, 2, "{}", out.all());
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    // Not in report.md; its map keys are typed.
    v["scenarios"][0]["tally"] = Value::Null;
    v["complete"] = false.into();
    v["stopped"] = "by a test".into();
    v
}

mod property {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[`*_<>\\[\\]()!&|~#+=.$\\\\0-9a-z\"' \n\t\r-]{0,24}",
            Just(String::new()),
            Just("<img src=x onerror=alert(1)>".to_string()),
            Just("``".to_string()),
            Just("1. x".to_string()),
            Just("    indented".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn report_md_has_the_same_markup_whatever_the_user_text(
            texts in prop::collection::vec(text(), 1..48),
        ) {
            static BASE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
            let base = BASE.get_or_init(flaky_report);
            let plain = render(base, &["x".to_string()]);
            let md = render(base, &texts);
            prop_assert_eq!(html_in(&md), Vec::<String>::new(), "{}", md);
            prop_assert_eq!(shape(&md), shape(&plain), "{}", md);
        }
    }
}
