//! Property "conditions mean what TEA-Rust means": on random states and random conditions,
//! the route the engine takes equals what TEA-Rust's own rules give, evaluated here straight
//! with Tera over the whole state, as TEA does. The oracle is TEA's code (its
//! `rust/src/engine/yaml_templates.rs` `eval_condition` and `executor.rs` string-match and
//! while_loop rules, The Edge Agent at f507cd9, MIT: `engine/tests/tea/fixtures/LICENSE-TEA`),
//! not the engine's: the engine copies only the keys a template reads into its context,
//! checks conditions at load and compiles them once, and this property catches any place
//! where that changes an answer.

use engine::{RunOptions, Workflow};
use proptest::prelude::*;
use serde_json::{Value, json};
use tera::{Context, Tera};

/// TEA-Rust's `TemplateProcessor::render`: `state`, `variables`, `secrets` and `checkpoint`.
fn render(template: &str, state: &Value) -> Result<String, String> {
    let mut tera = Tera::default();
    tera.add_raw_template("t", template)
        .map_err(|e| e.to_string())?;
    let mut context = Context::new();
    context.insert("state", state);
    context.insert("variables", &json!({}));
    context.insert("secrets", &json!({}));
    context.insert("checkpoint", &json!({ "dir": "", "last": "" }));
    tera.render("t", &context).map_err(|e| e.to_string())
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if first.is_alphabetic() || first == '_' => {
            chars.all(|c| c.is_alphanumeric() || c == '_')
        }
        _ => false,
    }
}

fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().map(|f| f != 0.0).unwrap_or(false),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn parse_bool_result(result: &str) -> bool {
    let trimmed = result.trim().to_lowercase();
    match trimmed.as_str() {
        "true" => true,
        "false" | "" | "0" | "[]" | "{}" | "none" | "null" => false,
        _ => trimmed.parse::<f64>().map(|n| n != 0.0).unwrap_or(true),
    }
}

/// TEA-Rust's `eval_condition`.
fn eval_condition(expr: &str, state: &Value) -> bool {
    let expr = expr.trim();
    if expr.is_empty() {
        return false;
    }
    if let Some(stripped) = expr.strip_prefix('!') {
        let name = stripped.trim();
        if !name.starts_with('{') && is_identifier(name) {
            return !state.get(name).is_some_and(is_truthy);
        }
    }
    if is_identifier(expr) {
        return state.get(expr).is_some_and(is_truthy);
    }
    let template = if expr.contains("{{") || expr.contains("{%") {
        expr.to_string()
    } else {
        format!("{{{{ {expr} }}}}")
    };
    render(&template, state).is_ok_and(|r| parse_bool_result(&r))
}

/// What a run ends with, in the terms both sides can give.
#[derive(Debug, PartialEq)]
enum Took {
    Target(String),
    /// The run failed; `render` when on a render error, else on a routing dead end.
    Failed {
        render: bool,
    },
}

const KEYS: [&str; 5] = ["a", "b", "n", "s", "l"];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..6).prop_map(Value::from),
        (-3i64..6).prop_map(|n| json!(n as f64 + 0.5)),
        prop::sample::select(vec!["", "0", "x", "true", "false", "ab"]).prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(vec!["k", "x"]), inner, 0..2)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.into(), v)).collect())),
        ]
    })
}

fn state() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.into(), v)).collect()))
}

/// A value expression: a state key (possibly filtered or deeper), or a literal.
/// (Boxed, as the others: nested unions unboxed overflow a test thread's stack in debug.)
fn operand() -> BoxedStrategy<String> {
    let key = prop::sample::select(KEYS.to_vec());
    prop_oneof![
        key.clone().prop_map(|k| format!("state.{k}")),
        key.clone().prop_map(|k| format!("state.{k}.k")),
        key.clone().prop_map(|k| format!("state.{k} | length")),
        key.clone()
            .prop_map(|k| format!("state.{k} | default(value=1)")),
        (key, 1i64..4).prop_map(|(k, d)| format!("state.{k} % {d}")),
        (-2i64..5).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["'x'", "''", "'true'", "true", "false", "1.5"])
            .prop_map(str::to_string),
    ]
    .boxed()
}

fn comparison() -> BoxedStrategy<String> {
    let op = prop::sample::select(vec!["==", "!=", "<", ">", "<=", ">="]);
    let key = prop::sample::select(KEYS.to_vec());
    prop_oneof![
        (operand(), op, operand()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        operand(),
        key.clone().prop_map(|k| format!("not state.{k}")),
        key.clone().prop_map(|k| format!("'x' in state.{k}")),
        (
            key,
            prop::sample::select(vec!["defined", "undefined", "number", "string", "odd"])
        )
            .prop_map(|(k, t)| format!("state.{k} is {t}")),
    ]
    .boxed()
}

/// A condition as written in a workflow: bare names, `!name`, expressions with `and`/`or`,
/// with or without `{{ }}`.
fn condition() -> BoxedStrategy<String> {
    let key = prop::sample::select(KEYS.to_vec());
    let expr = prop_oneof![
        comparison(),
        (
            comparison(),
            prop::sample::select(vec!["and", "or"]),
            comparison()
        )
            .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
    ]
    .boxed();
    prop_oneof![
        1 => key.clone().prop_map(str::to_string),
        1 => key.prop_map(|k| format!("! {k}")),
        4 => expr.clone(),
        2 => expr.prop_map(|e| format!("{{{{ {e} }}}}")),
    ]
    .boxed()
}

/// A YAML string holding `text` exactly.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn run(yaml: &str, state: &Value) -> Result<Took, TestCaseError> {
    let wf = Workflow::from_yaml(yaml, None)
        .map_err(|e| TestCaseError::fail(format!("the condition was refused: {e}\n{yaml}")))?;
    Ok(match wf.run(state.clone(), &RunOptions::seeded(1)).result {
        Ok(out) => Took::Target(out["took"].as_str().unwrap_or("none").to_string()),
        Err(e) => Took::Failed {
            render: e.to_string().contains("render") || e.to_string().contains("evaluate"),
        },
    })
}

/// The keys a target map has: what conditions commonly render as.
const RENDERED: [&str; 7] = ["true", "false", "0", "1", "2", "x", ""];

proptest! {
    #![proptest_config(crate::config(512, "proptest-regressions/conditions.txt"))]

    #[test]
    fn proptest_goto_conditions_take_teas_route(cond in condition(), state in state()) {
        let yaml = format!(
            "name: p\nnodes:\n  - name: check\n    goto:\n      - {{ if: {}, to: yes }}\n      - {{ to: no }}\n\
             \x20 - {{ name: yes, run: \"return {{ took = 'yes' }}\", goto: __end__ }}\n\
             \x20 - {{ name: no, run: \"return {{ took = 'no' }}\" }}\n",
            quoted(&cond)
        );
        let tea = Took::Target(if eval_condition(&cond, &state) { "yes" } else { "no" }.into());
        prop_assert_eq!(run(&yaml, &state)?, tea, "{} on {}", cond, state);
    }

    #[test]
    fn proptest_target_maps_take_teas_target(cond in prop_oneof![comparison(), operand()].boxed(), state in state()) {
        let targets: Vec<String> =
            RENDERED.iter().enumerate().map(|(i, k)| format!("{}: t{i}", quoted(k))).collect();
        let nodes: String = (0..RENDERED.len())
            .map(|i| format!("  - {{ name: t{i}, run: \"return {{ took = 't{i}' }}\", goto: __end__ }}\n"))
            .collect();
        let yaml = format!(
            "name: p\nnodes:\n  - name: check\n{nodes}  - name: last\nedges:\n  - {{ from: check, when: {}, targets: {{ {} }} }}\n",
            quoted(&cond),
            targets.join(", ")
        );
        // TEA-Rust's string-match mode: render (`{{ }}` added), trim, compare with each key;
        // a render error fails the run, and so does a text no key matches.
        let tea = match render(&format!("{{{{ {cond} }}}}"), &state) {
            Err(_) => Took::Failed { render: true },
            Ok(text) => match RENDERED.iter().position(|k| *k == text.trim()) {
                Some(i) => Took::Target(format!("t{i}")),
                None => Took::Failed { render: false },
            },
        };
        prop_assert_eq!(run(&yaml, &state)?, tea, "{} on {}", cond, state);
    }

    #[test]
    fn proptest_while_loops_hold_as_teas_do(cond in comparison(), state in state()) {
        // One iteration allowed, and the body changes no key the condition reads: a
        // condition that holds fails the run at the second check, one that does not ends it.
        let yaml = format!(
            "name: p\nnodes:\n  - name: loop\n    type: while_loop\n    condition: {}\n    max_iterations: 1\n    body:\n      - {{ name: body, run: \"return {{ took = 'body' }}\" }}\n",
            quoted(&cond)
        );
        let tea = match render(&format!("{{{{ {cond} }}}}"), &state) {
            Err(_) => Took::Failed { render: true },
            Ok(text) if text.trim().to_lowercase() == "true" => Took::Failed { render: false },
            Ok(_) => Took::Target("none".into()),
        };
        prop_assert_eq!(run(&yaml, &state)?, tea, "{} on {}", cond, state);
    }
}
