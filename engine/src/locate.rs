//! Finds where things are in workflow source text, for error messages and Lua line numbers.
//!
//! serde_yaml gives positions only for its own errors, so graph errors (unknown node,
//! ambiguous fan-in) and Lua chunks are located by scanning the text for the node's
//! `name:` line. This is a best effort: when the YAML is written in an unusual style (flow
//! mappings, folded scalars) the answer is `None` and messages fall back to the node name.

/// The 1-based line of `name: <node>`.
pub(crate) fn node_line(source: &str, node: &str) -> Option<usize> {
    node_lines(source, node).next()
}

/// Every 1-based line of `name: <node>` (more than one for a duplicated node). The
/// workflow's own top-level `name:` (no indent, no `- `) is skipped, so a node named like
/// its workflow is still found.
pub(crate) fn node_lines<'a>(source: &'a str, node: &'a str) -> impl Iterator<Item = usize> + 'a {
    source
        .lines()
        .enumerate()
        .filter(move |(_, line)| {
            let top_level = !line.starts_with(char::is_whitespace) && !line.starts_with('-');
            !top_level && key_value(line, "name") == Some(node)
        })
        .map(|(i, _)| i + 1)
}

/// The 1-based line of the first token equal to `word` that is not a `name:` key, or the
/// node line if it only appears there.
pub(crate) fn reference_line(source: &str, word: &str) -> Option<usize> {
    source
        .lines()
        .position(|line| key_value(line, "name").is_none() && has_token(line, word))
        .map(|i| i + 1)
        .or_else(|| node_line(source, word))
}

/// The 1-based line where the node's `run: |` block's first code line is, so that Lua line
/// 1 of the chunk can be mapped to it. Only literal block scalars (`|`, `|-`, `|+`) keep
/// line structure; for anything else this returns `None`.
pub(crate) fn run_code_line(source: &str, node: &str) -> Option<usize> {
    let lines: Vec<&str> = source.lines().collect();
    let name_at = node_line(source, node)? - 1;
    // The list item that holds the node starts at the closest `- ` at or above the name.
    let item_start = (0..=name_at)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("- "))?;
    let dash_indent = indent(lines[item_start]);
    let key_indent = dash_indent + 2;
    let item_end = (item_start + 1..lines.len())
        .find(|&i| {
            let l = lines[i];
            !l.trim().is_empty() && !l.trim_start().starts_with('#') && indent(l) <= dash_indent
        })
        .unwrap_or(lines.len());
    for (i, &line) in lines.iter().enumerate().take(item_end).skip(item_start) {
        let body = if i == item_start {
            &line[dash_indent + 2..]
        } else {
            line
        };
        if i != item_start && indent(line) != key_indent {
            continue;
        }
        if let Some(rest) = body.trim_start().strip_prefix("run:") {
            let rest = rest.trim();
            return if rest.starts_with('|') {
                Some(i + 2)
            } else {
                None
            };
        }
    }
    None
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// `key: value` on this line (after an optional `- `), with quotes stripped.
fn key_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let body = line.trim_start();
    let body = body.strip_prefix("- ").unwrap_or(body).trim_start();
    let rest = body.strip_prefix(key)?.trim_start().strip_prefix(':')?;
    let value = rest.split(" #").next().unwrap_or("").trim();
    Some(value.trim_matches(|c| c == '"' || c == '\''))
}

fn has_token(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "name: t\nnodes:\n  - name: a\n    run: |\n      local x = 1\n      return {x = x}\n  - run: |\n      return nil\n    name: b\nedges:\n  - from: a\n    to: zz\n";

    #[test]
    fn finds_node_name_lines() {
        assert_eq!(node_line(SRC, "a"), Some(3));
        assert_eq!(node_line(SRC, "b"), Some(9));
        assert_eq!(node_line(SRC, "missing"), None);
    }

    #[test]
    fn finds_run_block_first_code_line_before_and_after_name() {
        assert_eq!(run_code_line(SRC, "a"), Some(5));
        assert_eq!(run_code_line(SRC, "b"), Some(8));
    }

    #[test]
    fn finds_reference_lines_as_whole_tokens() {
        assert_eq!(reference_line(SRC, "zz"), Some(12));
        assert_eq!(reference_line(SRC, "z"), None);
    }
}
