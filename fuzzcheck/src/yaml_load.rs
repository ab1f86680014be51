//! Target `yaml_load`: arbitrary bytes go to the workflow loader.
//!
//! Properties: loading never panics and never hangs (serde_yaml bounds alias expansion and
//! nesting, Lua's parser bounds its own nesting); every error names the file and has a
//! message; a line number, when given, is inside the document; and whatever loads
//! survives a round trip through `engine::loader::to_yaml` with the same compiled shape.

use std::path::Path;

use engine::{LoadError, Workflow, loader};

const FILE: &str = "fuzz.yaml";

/// Loads `data` (invalid UTF-8 replaced) as a workflow and checks the outcome.
pub fn yaml_load(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    match Workflow::from_yaml(&source, Some(Path::new(FILE))) {
        Err(e) => check_error(&e, &source),
        Ok(wf) => check_round_trip(&wf),
    }
}

fn check_error(e: &LoadError, source: &str) {
    assert!(
        !e.message.trim().is_empty(),
        "a load error has no message: {e:?}"
    );
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("load workflow {FILE}")),
        "a load error does not name its file: {text}"
    );
    if let Some(line) = e.line {
        let lines = yaml_lines(source);
        assert!(
            (1..=lines + 1).contains(&line),
            "a load error points at line {line} of a {lines}-line document: {text}"
        );
    }
}

/// Lines as YAML counts them: libyaml (YAML 1.1) also breaks lines at a lone CR, NEL,
/// LS and PS, which `str::lines` does not.
fn yaml_lines(source: &str) -> usize {
    let breaks = source
        .char_indices()
        .filter(|&(at, c)| match c {
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            '\r' => !source[at + 1..].starts_with('\n'),
            _ => false,
        })
        .count();
    breaks + 1
}

fn check_round_trip(wf: &Workflow) {
    let yaml = loader::to_yaml(wf.raw());
    let again = Workflow::from_yaml(&yaml, None)
        .unwrap_or_else(|e| panic!("failed to reload a workflow the loader accepted: {e}\n{yaml}"));
    assert_eq!(
        again.raw(),
        wf.raw(),
        "the raw workflow changed in a round trip"
    );
    assert_eq!(
        again.shape(),
        wf.shape(),
        "the compiled graph changed in a round trip"
    );
}
