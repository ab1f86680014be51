//! Checks on a parsed YAML document before it becomes a workflow or a scenario: numbers
//! JSON cannot hold, and whether it uses merge keys.

use serde_yaml::Value;

use crate::error::{LoadError, LoadErrorKind};
use crate::locate;

/// Refuses `.nan`, `.inf` and plain numbers too large for a double (`1e400`, which YAML
/// reads as a string), naming where they are.
pub(crate) fn check(doc: &Value, source: &str) -> Result<(), LoadError> {
    walk(doc, &mut String::new(), source)
}

/// Whether the document uses merge keys (`<<: *anchor`) anywhere.
pub(crate) fn has_merge_keys(doc: &Value) -> bool {
    match doc {
        Value::Mapping(map) => map
            .iter()
            .any(|(k, v)| matches!(k, Value::String(s) if s == "<<") || has_merge_keys(v)),
        Value::Sequence(items) => items.iter().any(has_merge_keys),
        Value::Tagged(tagged) => has_merge_keys(&tagged.value),
        _ => false,
    }
}

fn walk(value: &Value, path: &mut String, source: &str) -> Result<(), LoadError> {
    match value {
        Value::Number(n) if n.is_nan() || n.is_infinite() => Err(bad(
            path,
            source,
            &format!("is {n}, a number JSON cannot hold"),
        )),
        Value::String(s) if plain_overflow(s, source) => Err(bad(
            path,
            source,
            &format!(
                "is {s}, a number too large for a double (YAML would read it as the string \
                 \"{s}\"; quote it if you mean a string)"
            ),
        )),
        Value::Mapping(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                match key {
                    Value::String(k) => path.push_str(k),
                    other => path.push_str(&serde_yaml::to_string(other).unwrap_or_default()),
                }
                walk(item, path, source)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, source)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Tagged(tagged) => walk(&tagged.value, path, source),
        _ => Ok(()),
    }
}

/// A string that is a float literal overflowing to infinity, written unquoted in `source`.
fn plain_overflow(s: &str, source: &str) -> bool {
    let looks_numeric = !s.is_empty()
        && s.trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && s.chars().any(|c| c.is_ascii_digit());
    looks_numeric
        && s.parse::<f64>().is_ok_and(f64::is_infinite)
        && source.match_indices(s).any(|(at, _)| {
            let before = source[..at].chars().next_back();
            let after = source[at + s.len()..].chars().next();
            !matches!(before, Some('"' | '\'')) && !matches!(after, Some('"' | '\''))
        })
}

fn bad(path: &str, source: &str, what: &str) -> LoadError {
    let key = path
        .rsplit(['.', '['])
        .next()
        .unwrap_or(path)
        .trim_end_matches(']');
    LoadError::new(LoadErrorKind::Yaml, format!("`{path}` {what}"))
        .at(locate::reference_line(source, key), None)
}
