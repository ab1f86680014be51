//! TEA-Rust's own condition helpers, as its `rust/src/engine/yaml_templates.rs` and
//! `executor.rs` write them (The Edge Agent at f507cd9; MIT licence, copyright (c) 2024
//! Fabrício Ceolin, Claudionor Coelho Jr.; the notice is in
//! `engine/tests/tea/fixtures/LICENSE-TEA`): which expressions read the state directly, how
//! a JSON value and a rendered text are judged true, and how each kind of condition becomes
//! a template.

use serde_json::Value;

/// The three places TEA-Rust evaluates a condition, each with its own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A goto rule's `if`, an edge's `when` with `to`: `eval_condition`, whose render
    /// errors read as false.
    Test,
    /// An edge's `when` with `targets:`: the rendered text is compared with each key; a
    /// render error fails the run.
    Match,
    /// A while_loop's `condition`: holds only when it renders as `true`; a render error
    /// fails the run.
    Loop,
}

/// What a condition becomes before anything is rendered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Form {
    /// Always this (`eval_condition` of an empty expression is false).
    Const(bool),
    /// A bare name (`approved`) or its negation (`!approved`): the state's key, with
    /// [`is_truthy`].
    Key { key: String, negated: bool },
    /// A Tera template.
    Template(String),
}

impl Mode {
    /// The form TEA-Rust gives `expr` in this mode.
    pub(crate) fn form(self, expr: &str) -> Form {
        match self {
            Mode::Test => test_form(expr),
            // `get_next_node`'s string-match mode: not trimmed, `{%` counts as a template.
            Mode::Match => Form::Template(wrap(expr, expr.contains("{{") || expr.contains("{%"))),
            // `evaluate_loop_condition`: only `{{` counts.
            Mode::Loop => Form::Template(wrap(expr, expr.contains("{{"))),
        }
    }
}

/// `eval_condition`'s forms: trimmed; `!name` and `name` read the state; anything else is
/// a template, wrapped in `{{ }}` unless it holds `{{` or `{%`.
fn test_form(expr: &str) -> Form {
    let expr = expr.trim();
    if expr.is_empty() {
        return Form::Const(false);
    }
    if let Some(stripped) = expr.strip_prefix('!') {
        let name = stripped.trim();
        if !name.starts_with('{') && is_identifier(name) {
            return Form::Key {
                key: name.to_string(),
                negated: true,
            };
        }
    }
    if is_identifier(expr) {
        return Form::Key {
            key: expr.to_string(),
            negated: false,
        };
    }
    Form::Template(wrap(expr, expr.contains("{{") || expr.contains("{%")))
}

fn wrap(expr: &str, is_template: bool) -> String {
    if is_template {
        expr.to_string()
    } else {
        format!("{{{{ {expr} }}}}")
    }
}

/// TEA's `is_identifier`: a letter or `_`, then letters, digits or `_` (Unicode classes).
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if first.is_alphabetic() || first == '_' => {
            chars.all(|c| c.is_alphanumeric() || c == '_')
        }
        _ => false,
    }
}

/// TEA's `is_truthy`: null, false, 0, "", [] and {} are false.
pub(crate) fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().map(|f| f != 0.0).unwrap_or(false),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// TEA's `parse_bool_result`: how `eval_condition` reads a rendered text.
pub(crate) fn parse_bool_result(result: &str) -> bool {
    let trimmed = result.trim().to_lowercase();
    match trimmed.as_str() {
        "true" => true,
        "false" | "" | "0" | "[]" | "{}" | "none" | "null" => false,
        _ => trimmed.parse::<f64>().map(|n| n != 0.0).unwrap_or(true),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn forms_follow_eval_condition() {
        let key = |k: &str, negated| Form::Key {
            key: k.into(),
            negated,
        };
        assert_eq!(Mode::Test.form("  "), Form::Const(false));
        assert_eq!(Mode::Test.form(" approved "), key("approved", false));
        assert_eq!(Mode::Test.form("! approved"), key("approved", true));
        // `true` is a name like any other: it reads `state.true`.
        assert_eq!(Mode::Test.form("true"), key("true", false));
        let t = |s: &str| Form::Template(s.into());
        assert_eq!(Mode::Test.form(" state.x > 5 "), t("{{ state.x > 5 }}"));
        assert_eq!(Mode::Test.form("{{ state.x }}"), t("{{ state.x }}"));
        assert_eq!(Mode::Test.form("!{{ x }}"), t("!{{ x }}"));
        assert_eq!(Mode::Match.form(" state.s "), t("{{  state.s  }}"));
        assert_eq!(
            Mode::Match.form("{% if a %}b{% endif %}"),
            t("{% if a %}b{% endif %}")
        );
        assert_eq!(
            Mode::Loop.form("{% if a %}b{% endif %}"),
            t("{{ {% if a %}b{% endif %} }}")
        );
    }

    #[test]
    fn truthiness_and_rendered_texts_read_as_tea_reads_them() {
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!is_truthy(&v), "{v}");
        }
        for v in [
            json!(true),
            json!(-1),
            json!("0"),
            json!([0]),
            json!({"a": null}),
        ] {
            assert!(is_truthy(&v), "{v}");
        }
        for s in [
            "false", " FALSE ", "", "0", "0.0", "-0", "[]", "{}", "None", "null",
        ] {
            assert!(!parse_bool_result(s), "{s:?}");
        }
        for s in ["true", "[object]", "1", "nan", "inf", "no", "[0]"] {
            assert!(parse_bool_result(s), "{s:?}");
        }
        assert!(is_identifier("état_2") && !is_identifier("2x") && !is_identifier("a.b"));
    }
}
