//! The HTML reports' templates (`harness/templates/*.html`, compiled into the binary) in one
//! minijinja environment: HTML-escaped by file name, lenient about missing fields (a report
//! from an older or newer model still renders), with a `percent` filter.
//!
//! Whatever comes from user code (scenario names, Lua messages) reaches a page escaped; only
//! values passed as [`Value::from_safe_string`] (SVG the harness drew) go in as markup.

use std::sync::OnceLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value};

use crate::outcome::stats::percent;

/// Every template, by the name templates use for it.
const TEMPLATES: [(&str, &str); 5] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("report.html", include_str!("../../templates/report.html")),
    (
        "overhead.html",
        include_str!("../../templates/overhead.html"),
    ),
    ("mutants.html", include_str!("../../templates/mutants.html")),
];

/// The environment, parsed once: a soak rewrites its report.html every 2 s.
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // `.html` names turn HTML autoescape on (minijinja's default callback).
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        // Block tags on their own lines leave no blank lines behind.
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters");
        env.set_syntax(syntax);
        env.add_filter("percent", percent_filter);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} does not parse: {e:#}"));
        }
        env
    })
}

/// Renders template `name` with `context`.
pub fn render(name: &str, context: Value) -> Result<String, minijinja::Error> {
    environment().get_template(name)?.render(context)
}

/// A rate (0 to 1) as a person reads it (`10.23%`); anything not a number as it is.
fn percent_filter(value: Value) -> String {
    if value.is_undefined() || value.is_none() {
        return String::new();
    }
    match f64::try_from(value.clone()) {
        Ok(x) if value.is_number() => percent(x),
        _ => value.to_string(),
    }
}

/// Test helper: the page fetches nothing: no `src` or `href` to the network, no external
/// stylesheet, import or font.
#[cfg(test)]
pub(crate) fn assert_self_contained(html: &str) {
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
        "<link",
        "@font-face",
    ] {
        assert!(!html.contains(bad), "the page has `{bad}`");
    }
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use super::*;

    #[test]
    fn every_template_parses_and_escapes_html() {
        for (name, _) in TEMPLATES {
            environment().get_template(name).expect(name);
        }
        let env = environment();
        let out = env
            .render_named_str(
                "t.html",
                "{{ x }} {{ y }} {{ r|percent }} {{ s|percent }}",
                context! {
                    x => "<script>alert(1)</script>",
                    y => Value::from_safe_string("<b>svg</b>".into()),
                    r => 0.25,
                    s => "none",
                },
            )
            .unwrap();
        assert_eq!(
            out,
            "&lt;script&gt;alert(1)&lt;&#x2f;script&gt; <b>svg</b> 25.00% none"
        );
    }
}
