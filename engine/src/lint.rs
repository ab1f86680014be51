//! Load-time checks on Lua source for what the sandbox cannot stop at run time.
//!
//! To-be-closed variables (`local x <close> = ...`) are refused: when a timeout or a
//! cancellation unwinds through one, Lua runs its `__close` handler with hooks disabled, so
//! a looping handler could never be stopped. The scan is a small Lua lexer that skips
//! strings and comments, so `"<close>"` in a string is fine.

/// The 1-based line (within `source`) of the first `<close>` attribute, if any.
pub(crate) fn to_be_closed_line(source: &str) -> Option<usize> {
    let b = source.as_bytes();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i += 2;
                if let Some(end) = long_bracket(b, i) {
                    line += count_lines(&b[i..end]);
                    i = end;
                } else {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                continue;
            }
            b'[' => {
                if let Some(end) = long_bracket(b, i) {
                    line += count_lines(&b[i..end]);
                    i = end;
                    continue;
                }
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != quote && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        if b.get(i + 1) == Some(&b'\n') {
                            line += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'<' if is_close_attrib(b, i + 1) => return Some(line),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `ws* close ws* >` starting at `i`.
fn is_close_attrib(b: &[u8], mut i: usize) -> bool {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    if !b[i.min(b.len())..].starts_with(b"close") {
        return false;
    }
    i += 5;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    b.get(i) == Some(&b'>')
}

/// If a long bracket (`[[`, `[==[`) opens at `i`, the index just past its closing bracket
/// (or the end of the text when it never closes).
fn long_bracket(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let level = b[i + 1..].iter().take_while(|&&c| c == b'=').count();
    if b.get(i + 1 + level) != Some(&b'[') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b']')
        .chain(std::iter::repeat_n(b'=', level))
        .chain([b']'])
        .collect();
    let body = i + 2 + level;
    Some(
        b[body..]
            .windows(close.len())
            .position(|w| w == close)
            .map_or(b.len(), |p| body + p + close.len()),
    )
}

fn count_lines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::to_be_closed_line;

    #[test]
    fn finds_close_attributes_with_any_spacing() {
        assert_eq!(to_be_closed_line("local x <close> = y"), Some(1));
        assert_eq!(
            to_be_closed_line("local a = 1\nlocal x < close > = y"),
            Some(2)
        );
        assert_eq!(
            to_be_closed_line("local x <const> = 1\nlocal y <const> = 2"),
            None
        );
    }

    #[test]
    fn ignores_strings_and_comments() {
        assert_eq!(
            to_be_closed_line("local s = '<close>'\nlocal t = \"a<close>\""),
            None
        );
        assert_eq!(
            to_be_closed_line("-- local x <close> = y\n--[==[ <close> ]==]\nlocal s = [[<close>]]"),
            None
        );
        assert_eq!(
            to_be_closed_line("local s = [[\n\n]]\nlocal x <close> = y"),
            Some(4)
        );
        assert_eq!(to_be_closed_line("if a<close then end"), None);
    }
}
