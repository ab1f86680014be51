//! The harness's and the engine's modules point one way.
//!
//! - No two modules use each other, directly or through a chain.
//! - No two folders do either: within every folder, its files and subfolders, each taken
//!   whole, use each other in no cycle (so `a/` using `b/` and `b/` using `a/` fails, whichever
//!   files the uses come from).
//! - The harness's top-level modules sit in the layers of [`HARNESS_LAYERS`], and each uses
//!   only the layers below its own; the table in `harness/src/lib.rs` is this list, rendered
//!   (the test fails with the table to paste when they differ).
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

/// Every module of the crate at `src`, and the modules each one uses.
fn graph(src: &Path) -> Edges {
    let mods = modules(src);
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
    let mut edges: Edges = mods.keys().map(|m| (m.clone(), BTreeSet::new())).collect();
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
    edges
}

/// Module paths and the modules each uses.
type Edges = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

/// A cycle in `edges`, as the nodes along it (the first one again at the end).
fn find_cycle(edges: &Edges) -> Option<Vec<Vec<String>>> {
    fn visit(
        m: &Vec<String>,
        edges: &Edges,
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
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut state, &mut Vec::new()))
}

fn names(cycle: &[Vec<String>]) -> String {
    cycle
        .iter()
        .map(|m| {
            if m.is_empty() {
                "crate".to_string()
            } else {
                m.join("::")
            }
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// The uses between the parts of folder `folder` (its files and subfolders, each whole,
/// except a subfolder that [`HARNESS_LAYERS`] puts in a layer of its own, such as
/// `mutants::plant`: that is a part apart from its folder): a module under part `a` using one
/// under part `b` is an edge `a -> b`.
fn folder_edges(edges: &Edges, folder: &[String]) -> Edges {
    let part = |m: &Vec<String>| {
        (m.len() > folder.len() && m.starts_with(folder)).then(|| {
            own_layer_folders()
                .into_iter()
                .find(|u| u.len() > folder.len() + 1 && m.starts_with(u) && u.starts_with(folder))
                .map(|u| {
                    u[..=folder.len()]
                        .iter()
                        .chain(&u[folder.len() + 1..])
                        .cloned()
                        .collect()
                })
                .unwrap_or_else(|| m[..=folder.len()].to_vec())
        })
    };
    let mut out = Edges::new();
    for (m, targets) in edges {
        let Some(from) = part(m) else { continue };
        for target in targets {
            if let Some(to) = part(target)
                && to != from
            {
                out.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    out
}

/// The nested folders [`HARNESS_LAYERS`] names (`mutants::plant`), as paths.
fn own_layer_folders() -> Vec<Vec<String>> {
    HARNESS_LAYERS
        .iter()
        .flat_map(|(_, modules, _)| modules.iter())
        .filter(|m| m.contains("::"))
        .map(|m| m.split("::").map(str::to_string).collect())
        .collect()
}

/// The entry of [`HARNESS_LAYERS`] module `m` falls under: the longest one that is a
/// prefix of its path.
fn unit_of(m: &[String]) -> Option<String> {
    let joined = m.join("::");
    layer_of()
        .into_keys()
        .filter(|u| joined == *u || joined.starts_with(&format!("{u}::")))
        .max_by_key(|u| u.len())
        .map(str::to_string)
}

fn check_crate(src: PathBuf, folders: bool) {
    let edges = graph(&src);
    if let Some(cycle) = find_cycle(&edges) {
        panic!(
            "{}: modules use each other: {}",
            src.display(),
            names(&cycle)
        );
    }
    if !folders {
        return;
    }
    // Every folder: the root, and each one a module lies under.
    let folders: BTreeSet<Vec<String>> = edges
        .keys()
        .flat_map(|m| (0..m.len()).map(|n| m[..n].to_vec()))
        .collect();
    for folder in folders {
        if let Some(cycle) = find_cycle(&folder_edges(&edges, &folder)) {
            panic!(
                "{}: folders use each other: {}",
                src.display(),
                names(&cycle)
            );
        }
    }
}

/// The harness's layers, top first: (layer, its top-level modules, its job). Each module
/// uses only modules of the layers below its own. `harness/src/lib.rs` shows this table.
const HARNESS_LAYERS: &[(&str, &[&str], &str)] = &[
    (
        "cmd",
        &["cmd"],
        "parse arguments, run a runner, print, write reports; one error type with its exit code",
    ),
    (
        "overhead",
        &["overhead"],
        "`harness overhead`: the engine's overhead measured against its budgets, and its report",
    ),
    (
        "mutants",
        &["mutants"],
        "`harness mutants`: the detection matrix (which method catches which planted bug, at what effort) and its views",
    ),
    (
        "report",
        &["report", "progress"],
        "the report models and their views (terminal, JSON, Markdown, JUnit, HTML); progress bars",
    ),
    (
        "replay",
        &["replay"],
        "replay tokens, and replaying one (soak or explore)",
    ),
    (
        "campaign",
        &["campaign"],
        "the campaign runner: plan, supervised worker processes, protocol, watchdog, stop, sink; soak and explore are its two modes",
    ),
    (
        "explore",
        &["explore"],
        "the shuttle side of explore: schedulers, one execution, a scenario's explorer, shrinking, schedule text",
    ),
    (
        "iteration",
        &["iteration"],
        "one iteration: its seed and knobs, run on a runtime and judged",
    ),
    (
        "outcome",
        &["outcome"],
        "what an iteration ended with (fingerprint, invariants) and what many add up to (tally, classes, rates)",
    ),
    (
        "scenario",
        &["scenario", "mutants::plant"],
        "scenario files: format, loading, compiled invariants; the engine variants a run may use",
    ),
    (
        "util",
        &["util"],
        "exit codes, host figures, shell quoting, input limits",
    ),
];

/// [`HARNESS_LAYERS`] as the Markdown table of `lib.rs`'s doc (each line `//! `).
fn layer_table() -> String {
    let mut out = String::from("//! | layer | modules | job |\n//! |---|---|---|\n");
    for (layer, modules, job) in HARNESS_LAYERS {
        let modules: Vec<String> = modules.iter().map(|m| format!("[`{m}`]")).collect();
        out.push_str(&format!(
            "//! | {layer} | {} | {job} |\n",
            modules.join(", ")
        ));
    }
    out
}

/// The layer of each top-level module, `0` the top.
fn layer_of() -> BTreeMap<&'static str, usize> {
    HARNESS_LAYERS
        .iter()
        .enumerate()
        .flat_map(|(at, (_, modules, _))| modules.iter().map(move |m| (*m, at)))
        .collect()
}

/// Every use of a module in a higher layer (or another module of the same layer), as
/// `from -> to`; and the top-level modules no layer names.
fn layer_breaches(edges: &Edges) -> (Vec<String>, BTreeSet<String>) {
    let layers = layer_of();
    let mut breaches = Vec::new();
    let mut unlisted = BTreeSet::new();
    for (m, targets) in edges {
        let Some(from_unit) = unit_of(m) else {
            unlisted.extend(m.first().cloned());
            continue;
        };
        let from = layers[from_unit.as_str()];
        for target in targets {
            let Some(to_unit) = unit_of(target) else {
                unlisted.extend(target.first().cloned());
                continue;
            };
            if to_unit != from_unit && layers[to_unit.as_str()] <= from {
                breaches.push(format!("{} -> {}", m.join("::"), target.join("::")));
            }
        }
    }
    (breaches, unlisted)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn engine_modules_use_each_other_in_no_cycle() {
    // Modules only: the engine's folders are not yet free of cycles (`run` and `workflow`).
    check_crate(workspace().join("engine/src"), false);
}

#[test]
fn harness_modules_and_folders_use_each_other_in_no_cycle() {
    check_crate(workspace().join("harness/src"), true);
}

#[test]
fn harness_modules_use_only_the_layers_below_their_own() {
    let edges = graph(&workspace().join("harness/src"));
    let (breaches, unlisted) = layer_breaches(&edges);
    assert!(
        unlisted.is_empty(),
        "top-level modules no layer of HARNESS_LAYERS names: {unlisted:?}"
    );
    assert!(
        breaches.is_empty(),
        "modules that use a module of their own layer or a higher one (HARNESS_LAYERS):\n{}",
        breaches.join("\n")
    );
}

#[test]
fn the_layer_table_in_lib_rs_is_the_one_the_test_checks() {
    let lib = std::fs::read_to_string(workspace().join("harness/src/lib.rs")).unwrap();
    let table = layer_table();
    assert!(
        lib.contains(&table),
        "harness/src/lib.rs's layer table is not HARNESS_LAYERS; it should read:\n{table}"
    );
}

#[test]
fn the_layer_check_finds_a_use_of_a_higher_layer() {
    let mut edges = Edges::new();
    let module = |path: &str| path.split("::").map(String::from).collect::<Vec<_>>();
    edges
        .entry(module("outcome::tally"))
        .or_default()
        .insert(module("report::model"));
    edges
        .entry(module("report::model"))
        .or_default()
        .insert(module("progress"));
    edges
        .entry(module("nowhere"))
        .or_default()
        .insert(module("util"));
    let (breaches, unlisted) = layer_breaches(&edges);
    assert_eq!(
        breaches,
        [
            "outcome::tally -> report::model",
            "report::model -> progress"
        ]
    );
    assert_eq!(unlisted, BTreeSet::from(["nowhere".to_string()]));
}

#[test]
fn the_check_finds_folders_that_use_each_other_through_different_files() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    for folder in ["a", "b"] {
        std::fs::create_dir(src.join(folder)).unwrap();
    }
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod x;\nmod y;\n").unwrap();
    std::fs::write(src.join("a/x.rs"), "use crate::b::p::helper;\n").unwrap();
    std::fs::write(src.join("a/y.rs"), "pub fn thing() {}\n").unwrap();
    std::fs::write(src.join("b/mod.rs"), "mod p;\nmod q;\n").unwrap();
    std::fs::write(src.join("b/p.rs"), "pub fn helper() {}\n").unwrap();
    std::fs::write(src.join("b/q.rs"), "use crate::a::y::thing;\n").unwrap();
    let found = std::panic::catch_unwind(|| check_crate(src.to_path_buf(), true));
    let message = *found.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("folders use each other: a -> b -> a"),
        "{message}"
    );
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
    let found = std::panic::catch_unwind(|| check_crate(src.to_path_buf(), true));
    let message = *found.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("a::x -> b -> a::x"), "{message}");
}
