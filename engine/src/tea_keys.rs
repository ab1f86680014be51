//! TEA keys and forms this engine does not run, named in load errors: serde reports an
//! unknown key (or the stream form's sequence) with its line; this says which TEA feature it
//! is and that it is outside this engine, so a TEA workflow is refused clearly rather than
//! run without it. The feature table is `docs/tea-compatibility.md`.

/// Keys whose TEA feature is outside this engine, with what to say about them.
const FEATURES: [(&str, &str); 18] = [
    ("uses", ACTIONS),
    ("action", ACTIONS),
    ("with", ACTIONS),
    ("output", ACTIONS),
    ("retry", "TEA's node retries are outside this engine"),
    ("fallback", "TEA's fallback nodes are outside this engine"),
    ("metadata", "TEA's node metadata is outside this engine"),
    ("interrupt", INTERRUPTS),
    ("interrupt_before", INTERRUPTS),
    ("interrupt_after", INTERRUPTS),
    (
        "parallel_strategy",
        "TEA's parallel strategies (processes, remote hosts) are outside this engine: \
         branches run on threads here",
    ),
    (
        "imports",
        "TEA's imported action modules are outside this engine",
    ),
    (
        "observability",
        "TEA's observability (flow logs, handlers) is outside this engine",
    ),
    (
        "error_policy",
        "TEA's error policies are outside this engine",
    ),
    ("steps", "TEA's dynamic parallelism is outside this engine"),
    ("items", "TEA's dynamic parallelism is outside this engine"),
    ("checkpoint", "TEA's checkpoints are outside this engine"),
    ("secrets", "TEA's secrets are outside this engine"),
];

const ACTIONS: &str = "TEA's actions (LLM, HTTP, memory, files...) are outside this engine: \
                       a node here runs Lua (`run`)";
const INTERRUPTS: &str =
    "TEA's interrupts (human-in-the-loop pauses and resumes) are outside this engine";
const STREAMS: &str = "the stream form (`to: [a, b]` with `parallel: true`) is TEA's \
                       streams, outside this engine; a fan-out here is `{from: a, parallel: \
                       [b, c]}`";

/// serde_yaml's message (`path: unknown field ...`), told in TEA's terms when it is about
/// a TEA feature; `None` when it is not.
pub(crate) fn explain(message: &str) -> Option<String> {
    let (path, rest) = message.split_once(": ").unwrap_or(("", message));
    if (path.ends_with(".to") && rest.starts_with("invalid type: sequence"))
        || (path.ends_with(".parallel") && rest.starts_with("invalid type: boolean"))
    {
        return Some(format!("{path}: {STREAMS}"));
    }
    let key = rest
        .strip_prefix("unknown field `")?
        .split('`')
        .next()
        .unwrap_or("");
    let why = if path == "settings" {
        // Keep serde's list of the keys there are: `key` may be a typo.
        format!("{rest} (TEA's settings other than `rate_limiters` are outside this engine)")
    } else {
        let (_, why) = FEATURES.iter().find(|(k, _)| *k == key)?;
        format!("`{key}`: {why}")
    };
    Some(if path.is_empty() {
        why
    } else {
        format!("{path}: {why}")
    })
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn tea_features_are_named_and_other_keys_left_to_serde() {
        let said = explain("nodes[1]: unknown field `uses`, expected one of `name`").unwrap();
        assert!(
            said.starts_with("nodes[1]: `uses`: TEA's actions"),
            "{said}"
        );
        let said = explain("settings: unknown field `llm`, expected one of `a`").unwrap();
        assert!(
            said.contains("field `llm`, expected one of `a`") && said.contains("outside"),
            "{said}"
        );
        let said = explain("edges[0].to: invalid type: sequence, expected a string").unwrap();
        assert!(said.contains("stream form"), "{said}");
        assert_eq!(
            explain("nodes[0]: unknown field `colour`, expected one of `name`"),
            None
        );
        assert_eq!(explain("missing field `name`"), None);
    }
}
