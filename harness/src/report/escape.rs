//! What comes from user code (scenario and node names, Lua error messages) is shown as
//! text, never as markup or terminal control: a `|` must not break a Markdown table row,
//! raw HTML must not render, and ANSI escape codes must not reach a terminal.

/// For a terminal: control characters (ESC among them) as visible `\x1b`-style escapes.
pub fn console(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// For Markdown text, including a table cell: one line, `|` escaped, HTML made literal,
/// control characters escaped.
pub fn markdown(text: &str) -> String {
    console(text)
        .replace('\n', " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

/// For Markdown inline code (`` `...` ``): one line, no backtick can end it early.
pub fn code(text: &str) -> String {
    let text = console(text).replace('\n', " ").replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_codes_become_visible_and_pipes_and_html_stay_text() {
        assert_eq!(console("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(
            markdown("a | b <script>x</script>\nnext"),
            "a \\| b &lt;script&gt;x&lt;/script&gt; next"
        );
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x|y"), "`x\\|y`");
    }
}
