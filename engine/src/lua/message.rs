//! Lua's error messages as the engine shows them: no mlua traceback, no addresses.

/// Lua's message without mlua's traceback or addresses.
pub(crate) fn message(e: &mlua::Error) -> String {
    let text = match e {
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::CallbackError { cause, .. } => return message(cause),
        mlua::Error::WithContext { cause, .. } => return message(cause),
        other => other.to_string(),
    };
    let text = match text.find("\nstack traceback:") {
        Some(at) => &text[..at],
        None => &text,
    };
    without_addresses(text)
}

/// Whether the error is Lua running out of memory (possibly wrapped by a callback).
pub(crate) fn is_memory(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::MemoryError(_) => true,
        mlua::Error::CallbackError { cause, .. } => is_memory(cause),
        mlua::Error::WithContext { cause, .. } => is_memory(cause),
        _ => false,
    }
}

/// The line number in Lua's `file:LINE: message`.
pub(crate) fn lua_line(message: &str) -> Option<usize> {
    let mut parts = message.splitn(3, ':');
    parts.next()?;
    parts.next()?.trim().parse().ok()
}

/// Lua shows a table, function, userdata or thread as `table: 0x55d0c3a1b2c0` (an error
/// object that is a table reads like that). An address differs from run to run, and no
/// engine output may: a soak would call a deterministic scenario flaky. It becomes
/// `table value`.
fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(": 0x") {
        let hex = rest[at + 4..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let word_start = rest[..at]
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let end = at + 4 + hex;
        if hex > 0
            && matches!(
                &rest[word_start..at],
                "table" | "function" | "userdata" | "thread" | "builtin"
            )
        {
            out.push_str(&rest[..at]);
            out.push_str(" value");
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
