//! No two modules use each other, directly or through a chain, in the engine or the harness.
//!
//! A source scan: every file is a module (`run/walk.rs` is `run::walk`, `run/mod.rs` is
//! `run`). Its edges are the modules its paths name (`use crate::a::b`, `use super::c`,
//! `crate::a::b::f()` in code); a name a `mod.rs` re-exports (`pub use child::Name`) counts
//! as the child that defines it. `mod` declarations are not edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["run", "walk"]`) of every `.rs` file under `src`, with its text.
fn modules(src: &Path) -> BTreeMap<Vec<String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(parts, without_comments_and_tests(&text));
        }
    }
    out
}

/// The text without comments, string literals and `#[cfg(test)]` modules (tests may use
/// anything).
fn without_comments_and_tests(text: &str) -> String {
    let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
    let text = &text[..cut];
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Every path the text names, as written (`crate::a::b`, `super::c::d`), with `use` groups
/// expanded.
fn paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("use ") {
        let boundary = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        let after = &rest[at + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if boundary {
            expand("", &after[..end], &mut found);
        }
        rest = &after[end.min(after.len())..];
    }
    for root in ["crate::", "super::"] {
        let mut rest = text;
        while let Some(at) = rest.find(root) {
            let tail = &rest[at..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            found.push(tail[..len].trim_end_matches(':').to_string());
            rest = &rest[at + root.len()..];
        }
    }
    found
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    match tree.find('{') {
        None => {
            let item = tree.split(" as ").next().unwrap().trim();
            out.push(format!("{prefix}{item}"));
        }
        Some(open) => {
            let head = &tree[..open];
            let body = &tree[open + 1..tree.rfind('}').unwrap()];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in body.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&format!("{prefix}{head}"), &body[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            if !body[start..].trim().is_empty() {
                expand(&format!("{prefix}{head}"), &body[start..], out);
            }
        }
    }
}

/// The module a path names, from module `from`: as deep as the path goes through known
/// modules, then through a `pub use child::Name` re-export of the remaining name.
fn resolve(
    from: &[String],
    path: &str,
    mods: &BTreeMap<Vec<String>, String>,
    reexports: &BTreeMap<Vec<String>, BTreeMap<String, String>>,
) -> Option<Vec<String>> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut at: Vec<String> = match *segs.first()? {
        "crate" => {
            segs.remove(0);
            Vec::new()
        }
        "super" => {
            let mut m = from.to_vec();
            while segs.first() == Some(&"super") {
                segs.remove(0);
                m.pop();
            }
            m
        }
        "self" => {
            segs.remove(0);
            from.to_vec()
        }
        _ => return None,
    };
    for seg in segs {
        let mut child = at.clone();
        child.push(seg.to_string());
        if mods.contains_key(&child) {
            at = child;
            continue;
        }
        if let Some(module) = reexports.get(&at).and_then(|r| r.get(seg)) {
            at.push(module.clone());
        }
        break;
    }
    Some(at)
}

fn check_crate(src: PathBuf) {
    let mods = modules(&src);
    // `pub use child::...::Name` in a module: Name is defined under `child`.
    let mut reexports: BTreeMap<Vec<String>, BTreeMap<String, String>> = BTreeMap::new();
    for (m, text) in &mods {
        for line in text.lines().map(str::trim) {
            let Some(tree) = line
                .strip_prefix("pub use ")
                .or_else(|| line.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            let mut items = Vec::new();
            expand("", tree.trim_end_matches(';'), &mut items);
            for item in items {
                let parts: Vec<&str> = item.split("::").collect();
                let mut child = m.clone();
                child.push(parts[0].to_string());
                if parts.len() > 1 && mods.contains_key(&child) {
                    let name = parts.last().unwrap().trim().to_string();
                    reexports
                        .entry(m.clone())
                        .or_default()
                        .insert(name, parts[0].to_string());
                }
            }
        }
    }
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (m, text) in &mods {
        for path in paths(text) {
            if let Some(target) = resolve(m, &path, &mods, &reexports)
                && &target != m
                && !m.starts_with(&target)
            {
                edges.entry(m.clone()).or_default().insert(target);
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        m: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|s| s == m).unwrap();
                let mut cycle = stack[from..].to_vec();
                cycle.push(m.clone());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in mods.keys() {
        if let Some(cycle) = visit(m, &edges, &mut state, &mut Vec::new()) {
            let names: Vec<String> = cycle
                .iter()
                .map(|m| {
                    if m.is_empty() {
                        "crate".to_string()
                    } else {
                        m.join("::")
                    }
                })
                .collect();
            panic!(
                "{}: modules use each other: {}",
                src.display(),
                names.join(" -> ")
            );
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn engine_modules_use_each_other_in_no_cycle() {
    check_crate(workspace().join("engine/src"));
}

#[test]
fn harness_modules_use_each_other_in_no_cycle() {
    check_crate(workspace().join("harness/src"));
}

#[test]
fn the_check_finds_a_cycle_through_a_reexport() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod x;\npub use x::Thing;\n").unwrap();
    std::fs::write(
        src.join("a/x.rs"),
        "use crate::b::helper;\npub struct Thing;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.rs"),
        "use crate::a::Thing;\npub fn helper() {}\n",
    )
    .unwrap();
    let found = std::panic::catch_unwind(|| check_crate(src.to_path_buf()));
    let message = *found.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("a::x -> b -> a::x"), "{message}");
}
