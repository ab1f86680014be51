//! What comes from user code and files (scenario and node names, Lua error messages, paths,
//! a shard report's fields) is shown as text, never as markup or terminal control: a `|`
//! must not break a Markdown table row, raw HTML or a link must not render, a backtick run
//! must not close a code span, and ANSI escape codes or right-to-left overrides must not
//! reach a terminal.

/// For a terminal: control characters (ESC among them) as visible `\x1b`-style escapes, and
/// the invisible characters that reorder or hide text (bidi overrides, embeddings and
/// isolates, zero-width characters, line separators) as `\u{202e}`-style ones.
pub fn console(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else if invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Format characters that change how the text around them shows without showing
/// themselves (Trojan Source, CVE-2021-42574).
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// One line of console text with no tab or newline left.
fn one_line(text: &str) -> String {
    console(text).replace(['\n', '\t'], " ")
}

/// The characters that can start inline markup anywhere in a line (CommonMark and GFM):
/// escapes, code spans, emphasis, links and images, HTML and autolinks, entities, table
/// cells, strikethrough, math.
const INLINE: &str = "\\`*_[]<>!&|~$";

/// For Markdown text, including a table cell: one line, control characters escaped, and
/// every character that could start markup backslash-escaped (CommonMark renders an escaped
/// punctuation character as itself): those of inline markup anywhere, and at the start the
/// first punctuation character and an ordered-list marker's `.` or `)` (a heading, quote,
/// list or fence in a list item's text). Leading spaces become entities: they would indent
/// a code block there.
pub fn markdown(text: &str) -> String {
    let line = one_line(text);
    let body = line.trim_start_matches(' ');
    let mut out = "&#32;".repeat(line.len() - body.len());
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    for (at, c) in body.char_indices() {
        let starts = at == 0 && c.is_ascii_punctuation();
        let list_marker = at == digits && digits > 0 && matches!(c, '.' | ')');
        if starts || list_marker || INLINE.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// For Markdown inline code outside a table (`` `...` ``): one line, fenced by one more
/// backtick than the longest run inside, so nothing can end it early.
pub fn code(text: &str) -> String {
    fenced(&one_line(text))
}

/// For Markdown inline code in a table cell: as [`code`], with `|` escaped (GFM splits cells
/// before it reads code spans, and takes `\|` back as `|` inside them).
pub fn code_cell(text: &str) -> String {
    fenced(&one_line(text).replace('|', "\\|"))
}

fn fenced(text: &str) -> String {
    if text.is_empty() {
        // "``" would be two literal backticks; a span of one space shows as one.
        return "` `".into();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span strips one space from each end when both ends have one: pad so that what is
    // stripped is the padding, and a backtick at either end does not touch the fence.
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_codes_and_bidi_overrides_become_visible() {
        assert_eq!(console("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(console("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(console("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(console("plain é"), "plain é");
    }

    #[test]
    fn markdown_text_escapes_every_punctuation_character() {
        assert_eq!(
            markdown("a | b <script>x</script>\nnext"),
            "a \\| b \\<script\\>x\\</script\\> next"
        );
        assert_eq!(markdown("[x](y) *z*"), "\\[x\\](y) \\*z\\*");
        assert_eq!(markdown("  indented"), "&#32;&#32;indented");
        assert_eq!(markdown("# not a heading"), "\\# not a heading");
        assert_eq!(markdown("12. not a list"), "12\\. not a list");
        assert_eq!(markdown("trivial-4 v1.2"), "trivial-4 v1.2");
    }

    #[test]
    fn code_spans_are_fenced_past_the_longest_backtick_run() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a``b"), "```a``b```");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(""), "` `");
        assert_eq!(code("x|y"), "`x|y`");
        assert_eq!(code_cell("x|y"), "`x\\|y`");
    }
}
