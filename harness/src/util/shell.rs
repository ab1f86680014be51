//! Words for a POSIX shell: every command the harness prints can be pasted as it is.

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// This process's command line as the user would type it again (`harness ...`).
pub fn command_line() -> String {
    let mut words: Vec<String> = std::env::args().map(|a| shell_word(&a)).collect();
    if let Some(first) = words.first_mut() {
        *first = "harness".into();
    }
    words.join(" ")
}
