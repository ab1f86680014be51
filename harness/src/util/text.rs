//! What the harness quotes back from its inputs: long paths and strings are cut, with a note
//! of their length, and the values a parser's message quotes from a file are elided, so an
//! error (and the report that keeps it) never publishes a file's content.

use std::path::Path;

/// Most characters of a path or string an error quotes; a longer one is cut to this many.
pub const QUOTED_MAX: usize = 200;

/// `text` whole when it is at most [`QUOTED_MAX`] characters, else its start and a note of
/// its length (`aaaa… (10000000 characters)`).
pub fn cut(text: &str) -> String {
    match text.char_indices().nth(QUOTED_MAX) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… ({} characters)", &text[..at], text.chars().count()),
    }
}

/// A path for an error message, cut like [`cut`].
pub fn path(p: &Path) -> String {
    cut(&p.display().to_string())
}

/// A parser's message (serde_yaml's, serde_json's) with the values it quotes from the file
/// elided: `invalid type: string "DB_PASSWORD=x", expected struct RawWorkflow` becomes
/// `invalid type: string "…", expected struct RawWorkflow`. Kept: field names (`unknown
/// field `nme``, `missing field `nodes``: keys, not values, cut when long) and everything
/// from `expected` on, which the harness's own types wrote.
pub fn elide_values(message: &str) -> String {
    let (quoting, schema) = match message.find(", expected ") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    let mut out = String::with_capacity(message.len());
    let mut rest = quoting;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[open] as char;
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let body = &after[1..];
        let close = closing(body, quote);
        let inner = &body[..close.unwrap_or(body.len())];
        out.push(quote);
        if quote == '`' && out[..out.len() - 1].ends_with("field ") {
            out.push_str(&cut(inner));
        } else {
            out.push('…');
        }
        out.push(quote);
        rest = match close {
            Some(at) => &body[at + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out.push_str(schema);
    out
}

/// Where `quote` closes `body` (a `"` quoted the Debug way: `\"` does not close it).
fn closing(body: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in body.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(at),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_its_length() {
        assert_eq!(cut("short"), "short");
        let long = "é".repeat(QUOTED_MAX + 5);
        let shown = cut(&long);
        assert!(shown.starts_with(&"é".repeat(QUOTED_MAX)));
        assert!(shown.ends_with(&format!("… ({} characters)", QUOTED_MAX + 5)));
        assert_eq!(cut(&"x".repeat(QUOTED_MAX)), "x".repeat(QUOTED_MAX));
    }

    #[test]
    fn quoted_values_are_elided_and_schema_names_kept() {
        assert_eq!(
            elide_values(
                r#"invalid type: string "DB_PASSWORD=x \"y\"", expected struct RawWorkflow"#
            ),
            r#"invalid type: string "…", expected struct RawWorkflow"#
        );
        assert_eq!(
            elide_values("invalid value: integer `7`, expected one of `a`, `b`"),
            "invalid value: integer `…`, expected one of `a`, `b`"
        );
        assert_eq!(
            elide_values("unknown variant `hunter2`, expected one of `caller`, `spawned`"),
            "unknown variant `…`, expected one of `caller`, `spawned`"
        );
        assert_eq!(
            elide_values("unknown field `nme`, expected one of `name`"),
            "unknown field `nme`, expected one of `name`"
        );
        assert_eq!(
            elide_values("missing field `nodes`"),
            "missing field `nodes`"
        );
        assert_eq!(
            elide_values(r#"duplicate entry with key "secret""#),
            r#"duplicate entry with key "…""#
        );
        assert_eq!(elide_values(r#"cut "open to the end"#), r#"cut "…""#);
    }
}
