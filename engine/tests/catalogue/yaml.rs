//! Documents that are not valid workflow YAML: malformed, binary, empty, alias bombs, deep
//! nesting, unknown keys, wrong types. Each error carries the file, and the line and column
//! serde_yaml reports.

use std::path::Path;

use engine::LoadErrorKind::{Io, Yaml};
use engine::Workflow;

use crate::check::{FILE, Load, assert_load_error, load_fails};

#[test]
fn malformed_yaml_reports_line_and_column() {
    let e = load_fails(
        "name: t\nnodes:\n  - name: a\n    run: [unclosed\n",
        Load {
            kind: Yaml,
            line: Some(4),
            node: None,
            says: &["nodes[0].run", "expected Lua source"],
        },
    );
    assert_eq!(e.column, Some(10));
}

#[test]
fn a_tab_indent_is_malformed_yaml() {
    load_fails(
        "name: t\nnodes:\n\t- name: a\n",
        Load {
            kind: Yaml,
            line: Some(3),
            node: None,
            says: &["cannot start any token"],
        },
    );
}

#[test]
fn binary_garbage_is_refused_at_line_1() {
    let bytes = b"\x00\xff\xfe\x89PNG\r\n\x1a\n\x00\x00garbage\x01";
    load_fails(
        &String::from_utf8_lossy(bytes),
        Load {
            kind: Yaml,
            line: Some(1),
            node: None,
            says: &["control characters are not allowed"],
        },
    );
}

#[test]
fn a_file_that_is_not_utf8_is_an_io_error_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("branchproof-catalogue-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temp dir");
    let path = dir.join("binary.yaml");
    std::fs::write(&path, b"name: \xff\xfe\x00\n").expect("write the file");
    let e = Workflow::from_file(&path).expect_err("binary file loaded");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(e.kind, Io);
    assert_eq!(e.file.as_deref(), Some(path.as_path()));
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("load workflow {}", path.display())),
        "{text}"
    );
    assert!(text.contains("valid UTF-8"), "{text}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_the_file() {
    let path = Path::new("catalogue/does-not-exist.yaml");
    let e = Workflow::from_file(path).expect_err("a missing file loaded");
    assert_eq!(e.kind, Io);
    assert_eq!(e.file.as_deref(), Some(path));
    assert!(
        e.to_string()
            .starts_with("load workflow catalogue/does-not-exist.yaml"),
        "{e}"
    );
}

#[test]
fn an_empty_file_says_it_is_empty() {
    for source in ["", "   \n\n  \t\n"] {
        let e = Workflow::from_yaml(source, Some(Path::new(FILE))).expect_err("empty loaded");
        assert_load_error(
            &e,
            Load {
                kind: Yaml,
                line: None,
                node: None,
                says: &["the document is empty"],
            },
        );
    }
}

#[test]
fn a_comment_only_file_misses_the_name() {
    load_fails(
        "# nothing here\n",
        Load {
            kind: Yaml,
            line: Some(2),
            node: None,
            says: &["missing field `name`"],
        },
    );
}

#[test]
fn an_alias_bomb_is_refused_without_expanding() {
    let mut yaml = String::from(
        "name: t\nnodes: [{name: a}]\ninitial_state:\n  a: &a [x, x, x, x, x, x, x, x, x]\n",
    );
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
        ("h", "g"),
    ] {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        yaml += &format!("  {name}: &{name} [{refs}]\n");
    }
    // Fully expanded this is 9^8 = 43 million strings.
    load_fails(
        &yaml,
        Load {
            kind: Yaml,
            line: None,
            node: None,
            says: &["repetition limit exceeded"],
        },
    );
}

#[test]
fn deep_nesting_hits_the_recursion_limit() {
    let deep = format!(
        "name: t\nnodes: [{{name: a}}]\ninitial_state: {{ k: {}{} }}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    load_fails(
        &deep,
        Load {
            kind: Yaml,
            line: Some(3),
            node: None,
            says: &["recursion limit exceeded"],
        },
    );
}

#[test]
fn unknown_top_level_key_lists_the_known_ones() {
    load_fails(
        "name: t\nnodez: []\n",
        Load {
            kind: Yaml,
            line: Some(2),
            node: None,
            says: &["unknown field `nodez`", "expected one of `name`"],
        },
    );
}

#[test]
fn unknown_node_key_points_at_the_node() {
    load_fails(
        "name: t\nnodes:\n  - name: a\n    rn: return {}\n",
        Load {
            kind: Yaml,
            line: Some(4),
            node: None,
            says: &["nodes[0]: unknown field `rn`"],
        },
    );
}

#[test]
fn unknown_settings_key_is_refused() {
    load_fails(
        "name: t\nsettings:\n  lua_timeout: 5\nnodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(3),
            node: None,
            says: &["unknown field `lua_timeout`"],
        },
    );
}

#[test]
fn wrong_types_name_the_field() {
    load_fails(
        "name: [1, 2]\nnodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(1),
            node: None,
            says: &["name: invalid type: sequence"],
        },
    );
    load_fails(
        "name: t\nsettings:\n  lua_timeout_ms: fast\nnodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(3),
            node: None,
            says: &["settings.lua_timeout_ms", "expected u64"],
        },
    );
    load_fails(
        "name: t\nsettings:\n  lua_timeout_ms: -5\nnodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(3),
            node: None,
            says: &["settings.lua_timeout_ms"],
        },
    );
}

#[test]
fn a_missing_required_field_is_named() {
    load_fails(
        "nodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(1),
            node: None,
            says: &["missing field `name`"],
        },
    );
    load_fails(
        "name: t\n",
        Load {
            kind: Yaml,
            line: Some(1),
            node: None,
            says: &["missing field `nodes`"],
        },
    );
}

#[test]
fn a_duplicate_key_is_refused() {
    load_fails(
        "name: t\nname: u\nnodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(1),
            node: None,
            says: &["duplicate field `name`"],
        },
    );
}

#[test]
fn initial_state_must_be_a_mapping() {
    load_fails(
        "name: t\ninitial_state: [1]\nnodes:\n  - name: a\n",
        Load {
            kind: Yaml,
            line: Some(2),
            node: None,
            says: &["`initial_state` must be a mapping"],
        },
    );
}
