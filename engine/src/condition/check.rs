//! Load-time checks on a condition's template: what TEA-Rust would read differently from
//! what it seems to say (Python's `.get` and `None`, Lua's `~=`, `#` and calls, unknown
//! names) and what is outside this engine (Tera's loops, macros, functions, the builtins'
//! filters) is refused here, with the form to write; what passes is evaluated by Tera as
//! TEA-Rust evaluates it. The checks also find which state keys a template reads, so an
//! evaluation copies only those.

use std::collections::BTreeSet;

use tera::Tera;
use tera::ast::{Expr, ExprVal, Node};

use super::tea::Mode;

/// The state keys a template reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Keys {
    /// The whole state (`state` itself, or `state[...]`).
    All,
    /// Only these top-level keys.
    Some(BTreeSet<String>),
}

/// Longest condition text: a condition is a line of logic, and Tera's parser and renderer
/// recurse over what they are given.
const MAX_TEXT: usize = 4096;

/// Deepest nesting of a condition's expressions: Tera renders recursively, and a chain of a
/// few hundred `and`s overflows a 2 MiB thread stack in a debug build (an abort, not an error).
const MAX_DEPTH: usize = 64;

/// Filters whose output can be a multiple of their input: chained (`split` then `join`,
/// `replace`, `addslashes`, `json_encode` again and again) a short condition could build a
/// text of any size, and conditions run outside the VM's memory limit.
const AMPLIFYING: [&str; 4] = ["replace", "addslashes", "json_encode", "split"];

/// Filters Tera has only with its `builtins` feature, which this engine leaves out.
const BUILTIN_FILTERS: [&str; 5] = [
    "date",
    "filesizeformat",
    "slugify",
    "urlencode",
    "urlencode_strict",
];

/// Checks `template` (in `mode`) against `tera`'s filters and testers; `Ok` gives the keys
/// it reads, `Err` why it is refused (a fragment that follows "the condition `...`: ").
pub(crate) fn check(template: &str, mode: Mode, tera: &Tera) -> Result<Keys, String> {
    if template.len() > MAX_TEXT {
        return Err(format!(
            "it is {} bytes long; a condition here may be {MAX_TEXT} at most",
            template.len()
        ));
    }
    if template.contains(".get(") {
        return Err(format!(
            "`.get(key, default)` is a Python dict method: TEA-Python reads the key or the \
             default, but TEA-Rust's Tera has no methods and no positional arguments, so there \
             it {}; write `state.key | default(value=...)`",
            fails(mode)
        ));
    }
    let parsed = tera::Template::new("condition", None, template).map_err(|e| {
        format!(
            "Tera cannot parse it ({}), so TEA-Rust {}{}",
            parse_message(&e),
            fails(mode),
            hint(template)
        )
    })?;
    let mut walk = Walk {
        tera,
        mode,
        locals: Vec::new(),
        keys: Keys::Some(BTreeSet::new()),
        depth: 0,
    };
    walk.nodes(&parsed.ast)?;
    Ok(walk.keys)
}

/// What TEA-Rust does with a condition that cannot render, in `mode`.
fn fails(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "takes it as false on every run",
        Mode::Match | Mode::Loop => "fails the run when it evaluates it",
    }
}

/// Tera's parse error on one line: where, and what it expected.
fn parse_message(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    let at = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(|p| format!("at {p}: "))
        .unwrap_or_default();
    let what = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or(text.lines().next().unwrap_or(""));
    format!("{at}{what}")
}

/// The Tera form of a Lua or Python habit that Tera cannot parse.
fn hint(template: &str) -> String {
    let inner = template.replace("{#", "").replace("#}", "");
    let hint = if template.contains("~=") {
        "`~=` is Lua's not-equal: Tera's is `!=`"
    } else if inner.contains('#') {
        "`#x` is Lua's length: Tera's is `x | length`"
    } else if template.contains("..") {
        "`..` is Lua's concatenation: Tera's is `~`"
    } else if template.contains("&&") || template.contains("||") {
        "Tera's logic operators are `and`, `or` and `not`"
    } else if template.contains("not (") || template.contains("not(") {
        "Tera cannot parse `not (...)` around a comparison: write the opposite comparison \
         (`!=` for `==`, `>=` for `<`)"
    } else if called(template) {
        "a call `f(x)` is Lua's or Python's: Tera uses filters (`x | length`, `x | int`, \
         `x | lower`)"
    } else if template.contains('(') && template.contains('|') {
        "Tera cannot parse a filter inside parentheses: `x | length % 2` filters `x` first"
    } else {
        return String::new();
    };
    format!("; {hint}")
}

/// Whether a name is directly followed by `(`, as in a call.
fn called(template: &str) -> bool {
    let bytes = template.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'(' && i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
    })
}

struct Walk<'a> {
    tera: &'a Tera,
    mode: Mode,
    /// Names set by `{% set %}`.
    locals: Vec<String>,
    keys: Keys,
    /// How deep the walk is in the template's expressions and blocks.
    depth: usize,
}

impl Walk<'_> {
    /// One level deeper; refused past [`MAX_DEPTH`] (checked before Tera renders it).
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        match self.depth > MAX_DEPTH {
            true => Err(format!(
                "it nests more than {MAX_DEPTH} levels deep (Tera renders it recursively)"
            )),
            false => Ok(()),
        }
    }

    fn nodes(&mut self, nodes: &[Node]) -> Result<(), String> {
        self.enter()?;
        for node in nodes {
            match node {
                Node::Text(_) | Node::Raw(..) | Node::Comment(..) => {}
                Node::VariableBlock(_, e) => self.expr(e)?,
                Node::If(branches, _) => {
                    for (_, e, body) in &branches.conditions {
                        self.expr(e)?;
                        self.nodes(body)?;
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.nodes(body)?;
                    }
                }
                Node::Set(..) => {
                    // A set name used twice doubles a text: a few sets could build any size.
                    return Err("`{% set %}` is outside conditions here: write the \
                         expression where it is used"
                        .into());
                }
                Node::FilterSection(_, section, _) => {
                    // Tera's renderer handles `safe` itself: it is no registered filter.
                    if section.filter.name != "safe" {
                        self.filter(&section.filter.name)?;
                    }
                    for arg in section.filter.args.values() {
                        self.expr(arg)?;
                    }
                    self.nodes(&section.body)?;
                }
                _ => {
                    return Err(
                        "a condition is an expression, with `{% if %}` and `{% set %}` \
                         at most: Tera's loops, macros, blocks, includes and inheritance are \
                         outside this engine"
                            .into(),
                    );
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Result<(), String> {
        self.enter()?;
        self.val(&e.val)?;
        for f in &e.filters {
            // Tera's renderer handles these two itself (`default` only as the first filter,
            // as Tera does): they are no registered filters.
            if f.name != "safe" && f.name != "default" {
                self.filter(&f.name)?;
            }
            for arg in f.args.values() {
                self.expr(arg)?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn val(&mut self, v: &ExprVal) -> Result<(), String> {
        match v {
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => Ok(()),
            ExprVal::Ident(name) => self.ident(name),
            ExprVal::Math(m) => {
                self.expr(&m.lhs)?;
                self.expr(&m.rhs)
            }
            ExprVal::Logic(l) => {
                self.expr(&l.lhs)?;
                self.expr(&l.rhs)
            }
            ExprVal::In(i) => {
                self.expr(&i.lhs)?;
                self.expr(&i.rhs)
            }
            ExprVal::Test(t) => {
                self.ident(&t.ident)?;
                if self.tera.get_tester(&t.name).is_err() {
                    return Err(format!(
                        "Tera has no test `{}`, so TEA-Rust {}",
                        t.name,
                        fails(self.mode)
                    ));
                }
                t.args.iter().try_for_each(|a| self.expr(a))
            }
            ExprVal::Array(items) => items.iter().try_for_each(|a| self.expr(a)),
            ExprVal::StringConcat(c) => c.values.iter().try_for_each(|v| self.val(v)),
            ExprVal::FunctionCall(f) => Err(format!(
                "`{}(...)` calls a Tera function: functions are outside conditions here \
                 (filters such as `x | length` are in)",
                f.name
            )),
            ExprVal::MacroCall(m) => Err(format!(
                "`{}::{}(...)` calls a Tera macro: macros are outside this engine",
                m.namespace, m.name
            )),
        }
    }

    fn filter(&self, name: &str) -> Result<(), String> {
        if AMPLIFYING.contains(&name) {
            Err(format!(
                "the filter `{name}` can multiply a text's length, and conditions run outside \
                 the VM's memory limit: it is outside conditions here"
            ))
        } else if self.tera.get_filter(name).is_ok() {
            Ok(())
        } else if BUILTIN_FILTERS.contains(&name) {
            Err(format!(
                "the filter `{name}` comes with Tera's `builtins` feature, which this engine \
                 leaves out"
            ))
        } else {
            Err(format!(
                "Tera has no filter `{name}`, so TEA-Rust {}",
                fails(self.mode)
            ))
        }
    }

    /// A context lookup such as `state.a.b`, `state.items[state.i]` or `variables.x`.
    fn ident(&mut self, name: &str) -> Result<(), String> {
        let root_end = name.find(['.', '[']).unwrap_or(name.len());
        let (root, rest) = name.split_at(root_end);
        // Names inside brackets are lookups of their own.
        for inner in brackets(rest) {
            let inner = inner.trim();
            let literal = inner.starts_with(['"', '\'', '`'])
                || inner.chars().all(|c| c.is_ascii_digit() || c == '-');
            if !literal {
                self.ident(inner)?;
            }
        }
        if self.locals.iter().any(|l| l == root) {
            return Ok(());
        }
        match root {
            "state" => {
                self.read(rest);
                Ok(())
            }
            "variables" if self.mode != Mode::Test => Ok(()),
            "variables" => Err(
                "`variables` are not in an `if`/`when` condition's context: \
                 TEA-Rust passes them only to `targets` and while_loop conditions"
                    .into(),
            ),
            "None" | "none" | "null" | "nil" | "Null" => Err(format!(
                "`{root}` is not a value in Tera: TEA-Python compares with `None`, but \
                 TEA-Rust's Tera has no null literal (`{root}` is an unknown name), so there \
                 the condition {}; write `state.key is undefined` (missing) or `not state.key` \
                 (missing, null, false, 0, \"\" or empty)",
                match self.mode {
                    Mode::Test => "is false",
                    Mode::Match | Mode::Loop => "fails the run",
                }
            )),
            "secrets" | "checkpoint" => Err(format!("TEA's `{root}` are outside this engine")),
            _ => Err(format!(
                "`{root}` is not in the condition's context (TEA renders conditions with \
                 `state`{}): write `state.{root}`",
                if self.mode == Mode::Test {
                    ""
                } else {
                    " and `variables`"
                }
            )),
        }
    }

    /// Records the top-level key that `rest` (what follows `state`) reads.
    fn read(&mut self, rest: &str) {
        let Keys::Some(keys) = &mut self.keys else {
            return;
        };
        match rest.strip_prefix('.') {
            Some(path) => {
                let end = path.find(['.', '[']).unwrap_or(path.len());
                keys.insert(path[..end].to_string());
            }
            None => self.keys = Keys::All,
        }
    }
}

/// The contents of the top-level `[...]` groups of `rest`.
fn brackets(rest: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in rest.char_indices() {
        match c {
            '[' => {
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(&rest[start..i]);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(t: &str, mode: Mode) -> Result<Keys, String> {
        check(t, mode, &Tera::default())
    }

    fn some(ks: &[&str]) -> Keys {
        Keys::Some(ks.iter().map(|k| k.to_string()).collect())
    }

    #[test]
    fn keys_read_are_found() {
        assert_eq!(
            keys("{{ state.a.b > 1 and state.c }}", Mode::Test),
            Ok(some(&["a", "c"]))
        );
        assert_eq!(
            keys("{{ state.items[state.i] }}", Mode::Test),
            Ok(some(&["i", "items"]))
        );
        assert_eq!(keys("{{ state | length }}", Mode::Test), Ok(Keys::All));
        assert_eq!(keys("{{ state['a'] }}", Mode::Test), Ok(Keys::All));
        assert_eq!(
            keys("{{ state.a | default(value=1) | safe }}", Mode::Test),
            Ok(some(&["a"]))
        );
        assert_eq!(
            keys("{% if state.n %}{{ state.m }}{% endif %}", Mode::Test),
            Ok(some(&["m", "n"]))
        );
        assert_eq!(
            keys("{{ variables.x ~ state.y }}", Mode::Match),
            Ok(some(&["y"]))
        );
    }

    #[test]
    fn what_tea_reads_differently_is_refused_with_the_form_to_write() {
        let refused = |t: &str, says: &str| {
            let why = keys(t, Mode::Test).expect_err(t);
            assert!(why.contains(says), "{t}: {why}");
        };
        refused("{{ state.get('x', False) }}", "default(value=");
        refused("{{ state.x == None }}", "no null literal");
        refused("{{ state.x ~= 1 }}", "`!=`");
        refused("{{ #state.items > 0 }}", "| length");
        refused("{{ tostring(state.x) == '1' }}", "filters");
        refused("{{ not (state.x == 1) }}", "opposite comparison");
        refused("{{ (state.l | length) % 2 == 1 }}", "inside parentheses");
        refused("{{ state.a .. 'x' }}", "`~`");
        refused("{{ state.a && state.b }}", "`and`");
        refused("{{ approved and state.x }}", "write `state.approved`");
        refused("{{ variables.x }}", "only to `targets`");
        refused("{{ range(end=3) | length }}", "Tera function");
        refused("{% for i in state.l %}x{% endfor %}", "loops");
        refused("{{ state.x | date }}", "builtins");
        refused("{{ state.x | nope }}", "no filter `nope`");
        refused("{{ state.x is nope }}", "no test `nope`");
        refused("{{ secrets.key }}", "outside this engine");
    }

    #[test]
    fn what_could_outgrow_a_thread_stack_or_the_memory_is_refused() {
        let refused = |t: &str, says: &str| {
            let why = keys(t, Mode::Test).expect_err(t);
            assert!(why.contains(says), "{}: {why}", &t[..t.len().min(40)]);
        };
        // 300 `and`s pass the length limit; rendered, they overflow a debug thread's stack.
        let chain = format!("{{{{ {} }}}}", vec!["state.a"; 300].join(" and "));
        refused(&chain, "levels deep");
        refused(
            &format!("{{{{ {} }}}}", vec!["1"; 2000].join(" + ")),
            "bytes long",
        );
        refused("{% set s = state.s ~ state.s %}{{ s }}", "`{% set %}`");
        refused("{{ state.s | split(pat='') | join(sep='xx') }}", "multiply");
        refused("{{ state.s | replace(from='a', to='aa') }}", "multiply");
        assert!(
            keys(
                &format!("{{{{ {} }}}}", vec!["state.a"; 30].join(" and ")),
                Mode::Test
            )
            .is_ok()
        );
    }
}
