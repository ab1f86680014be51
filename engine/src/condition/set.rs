//! A workflow's conditions: compiled once at load into one Tera instance, evaluated on the
//! path that reaches them (no VM, no Lua), each against a context of only the state keys it
//! reads.

use serde_json::{Map, Value};
use tera::{Context, Tera};

use super::check::{Keys, check};
use super::tea::{Form, Mode, is_truthy, parse_bool_result};

/// Index of a condition in [`Conditions`].
pub(crate) type CondId = usize;

/// Collects a workflow's conditions while it compiles.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    entries: Vec<Entry>,
    templates: Vec<(String, String)>,
    /// An empty Tera: the filters and testers a template may use.
    probe: Tera,
}

/// The compiled conditions of a workflow.
#[derive(Debug)]
pub(crate) struct Conditions {
    tera: Templates,
    entries: Vec<Entry>,
    /// The workflow's `variables`: TEA passes them to `targets` and while_loop conditions,
    /// an empty map to `if` and `when`.
    variables: Value,
}

/// The Tera instance. Tera holds its filters, testers and functions as trait objects, so it
/// is not `RefUnwindSafe` to the compiler, which would take that from [`crate::Workflow`].
/// Nothing in it changes after load: `render` only reads the templates and the built-in
/// filters, which keep no state, so a panic cannot leave it half-changed.
#[derive(Debug)]
struct Templates(Tera);

impl std::panic::RefUnwindSafe for Templates {}
impl std::panic::UnwindSafe for Templates {}

#[derive(Debug)]
struct Entry {
    text: String,
    mode: Mode,
    form: Compiled,
}

#[derive(Debug)]
enum Compiled {
    Const(bool),
    Key { key: String, negated: bool },
    Template { name: String, keys: Keys },
}

impl Builder {
    /// Adds `expr`, evaluated in `mode`; `Err` says why it is refused.
    pub(crate) fn add(&mut self, expr: &str, mode: Mode) -> Result<CondId, String> {
        let form = match mode.form(expr) {
            Form::Const(b) => Compiled::Const(b),
            Form::Key { key, negated } => Compiled::Key { key, negated },
            Form::Template(template) => {
                let keys = check(&template, mode, &self.probe)?;
                let name = format!("condition {}", self.entries.len());
                self.templates.push((name.clone(), template));
                Compiled::Template { name, keys }
            }
        };
        self.entries.push(Entry {
            text: expr.to_string(),
            mode,
            form,
        });
        Ok(self.entries.len() - 1)
    }

    /// The conditions, with the workflow's `variables`.
    pub(crate) fn finish(self, variables: Map<String, Value>) -> Result<Conditions, String> {
        let mut tera = Tera::default();
        // All at once: Tera rebuilds its inheritance chains after every `add_raw_template`.
        tera.add_raw_templates(self.templates)
            .map_err(|e| format!("compile the conditions: {e}"))?;
        Ok(Conditions {
            tera: Templates(tera),
            entries: self.entries,
            variables: Value::Object(variables),
        })
    }
}

impl Conditions {
    /// The condition as written.
    pub(crate) fn text(&self, id: CondId) -> &str {
        &self.entries[id].text
    }

    /// A goto rule's `if` or an edge's `when`: TEA-Rust's `eval_condition`. A render error
    /// (a missing key in a comparison, say) makes it false.
    pub(crate) fn holds(&self, id: CondId, state: &Value) -> bool {
        let entry = &self.entries[id];
        debug_assert_eq!(entry.mode, Mode::Test);
        match &entry.form {
            Compiled::Const(b) => *b,
            Compiled::Key { key, negated } => state.get(key).is_some_and(is_truthy) != *negated,
            Compiled::Template { .. } => {
                self.render(id, state).is_ok_and(|s| parse_bool_result(&s))
            }
        }
    }

    /// A while_loop's condition: true only when it renders as `true`.
    pub(crate) fn loop_holds(&self, id: CondId, state: &Value) -> Result<bool, String> {
        self.render(id, state)
            .map(|s| s.trim().to_lowercase() == "true")
    }

    /// Renders a template condition; `Err` carries Tera's reason.
    pub(crate) fn render(&self, id: CondId, state: &Value) -> Result<String, String> {
        let entry = &self.entries[id];
        let Compiled::Template { name, keys } = &entry.form else {
            unreachable!("only templates render");
        };
        let state = match (keys, state) {
            (Keys::Some(keys), Value::Object(map)) => Value::Object(
                keys.iter()
                    .filter_map(|k| map.get(k).map(|v| (k.clone(), v.clone())))
                    .collect(),
            ),
            _ => state.clone(),
        };
        let mut top = Map::with_capacity(2);
        top.insert("state".into(), state);
        let variables = match entry.mode {
            Mode::Test => Value::Object(Map::new()),
            Mode::Match | Mode::Loop => self.variables.clone(),
        };
        top.insert("variables".into(), variables);
        let context = Context::from_value(Value::Object(top)).expect("an object is a context");
        self.tera
            .0
            .render(name, &context)
            .map_err(|e| render_message(&e, name))
    }
}

/// Tera's innermost reason, without our template name.
fn render_message(e: &tera::Error, name: &str) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text.replace(&format!(" while rendering '{name}'"), "")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn one(expr: &str, mode: Mode) -> (Conditions, CondId) {
        let mut b = Builder::default();
        let id = b.add(expr, mode).expect(expr);
        (b.finish(Map::new()).expect("compiles"), id)
    }

    #[test]
    fn eval_condition_reads_names_renders_the_rest_and_takes_errors_as_false() {
        let state = json!({ "x": 3, "ok": true, "o": {}, "n": null, "s": "a" });
        for (expr, expected) in [
            ("ok", true),
            ("!ok", false),
            ("missing", false),
            ("!missing", true),
            ("o", false),
            ("{{ state.o }}", true),
            ("state.x > 5", false),
            ("{{ state.x > 2 }}", true),
            ("state.missing > 1", false),
            ("not state.missing", true),
            ("state.n", false),
            ("state.x % 2 == 1", true),
            ("state.s", true),
            ("", false),
        ] {
            let (c, id) = one(expr, Mode::Test);
            assert_eq!(c.holds(id, &state), expected, "{expr}");
        }
    }

    #[test]
    fn targets_and_loops_fail_on_render_errors() {
        let (c, id) = one("state.missing", Mode::Match);
        let why = c.render(id, &json!({})).expect_err("a missing key fails");
        assert!(
            why.contains("state.missing") && !why.contains("condition 0"),
            "{why}"
        );
        let (c, id) = one("state.n < 3", Mode::Loop);
        assert_eq!(c.loop_holds(id, &json!({ "n": 1 })), Ok(true));
        assert_eq!(c.loop_holds(id, &json!({ "n": 3 })), Ok(false));
        assert!(c.loop_holds(id, &json!({})).is_err());
        // Only `true` holds in a loop: a non-empty string does not.
        let (c, id) = one("state.s", Mode::Loop);
        assert_eq!(c.loop_holds(id, &json!({ "s": "yes" })), Ok(false));
    }
}
