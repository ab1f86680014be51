//! Two final states compared path by path (`parallel_results[2].branch: "c" → "b"`), for a
//! flake report: what the divergent outcome changed, not two JSON blobs.

use serde_json::Value;

use super::flake_causes::DiffRow;

/// Most differing paths listed.
pub const MAX_ROWS: usize = 50;
/// Longest value shown, in characters.
const MAX_VALUE: usize = 120;

/// The paths where `usual` and `divergent` differ, in document order (object keys sorted),
/// at most [`MAX_ROWS`].
pub fn diff(usual: &Value, divergent: &Value) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    walk("", Some(usual), Some(divergent), &mut rows);
    rows
}

fn walk(path: &str, a: Option<&Value>, b: Option<&Value>, rows: &mut Vec<DiffRow>) {
    if rows.len() >= MAX_ROWS || a == b {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                walk(&join(path, key), x.get(key), y.get(key), rows);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(&format!("{path}[{i}]"), x.get(i), y.get(i), rows);
            }
        }
        _ => rows.push(DiffRow {
            path: if path.is_empty() {
                "(the whole state)".into()
            } else {
                path.into()
            },
            usual: show(a),
            divergent: show(b),
        }),
    }
}

fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Value::from(key)),
    }
}

fn show(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "(absent)".into();
    };
    let text = value.to_string();
    if text.chars().count() > MAX_VALUE {
        let cut: String = text.chars().take(MAX_VALUE).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_leaf_is_named_by_its_path() {
        let usual = json!({ "parallel_results": [{ "branch": "a" }, { "branch": "b" }, { "branch": "c" }], "n": 3 });
        let other = json!({ "parallel_results": [{ "branch": "a" }, { "branch": "c" }, { "branch": "b" }], "n": 3 });
        let rows = diff(&usual, &other);
        let text: Vec<String> = rows
            .iter()
            .map(|r| format!("{}: {} → {}", r.path, r.usual, r.divergent))
            .collect();
        assert_eq!(
            text,
            [
                r#"parallel_results[1].branch: "b" → "c""#,
                r#"parallel_results[2].branch: "c" → "b""#
            ]
        );
    }

    #[test]
    fn added_removed_and_odd_keys() {
        let rows = diff(
            &json!({ "a b": 1, "x": [1] }),
            &json!({ "x": [1, 2], "y": null }),
        );
        let paths: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.path.as_str(), r.usual.as_str(), r.divergent.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ("[\"a b\"]", "1", "(absent)"),
                ("x[1]", "(absent)", "2"),
                ("y", "(absent)", "null")
            ]
        );
        assert!(diff(&json!({"a": 1}), &json!({"a": 1})).is_empty());
        assert_eq!(diff(&json!(1), &json!("1"))[0].path, "(the whole state)");
    }
}
