//! The project a scenario belongs to, and the rule that keeps the files it names inside it.
//!
//! Scenario files and tokens are shared (in pull requests, bug reports, CI artifacts), so
//! what they name is someone else's input: a `workflow_file: /etc/passwd` or `../../.env`
//! must not make the harness read, and then report, a file of the user's.
//!
//! The root is the top of the scenario's git work tree (the nearest folder above it with a
//! `.git`); without git, the outermost folder above it whose `Cargo.toml` has
//! `[workspace]`, else the nearest folder with a `Cargo.toml`, else the scenario's own
//! folder. `--root DIR` overrides it, and `harness replay` finds it from the working
//! directory by the same rule. Paths are canonicalised, symlinks included, before they are
//! compared with it.

use std::path::{Component, Path, PathBuf};

use crate::util::input::{self, MANIFEST};
use crate::util::text;

/// How the root was found, for messages.
pub const RULE: &str = "the top of its git work tree, else of its Cargo workspace, else its \
                        own folder; `--root DIR` sets another";

/// The project root of what lies in `dir` (which exists), canonical.
pub fn find_root(dir: &Path) -> PathBuf {
    let start = dir
        .canonicalize()
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    if let Some(top) = start.ancestors().find(|d| d.join(".git").exists()) {
        return top.to_path_buf();
    }
    let manifests: Vec<&Path> = start
        .ancestors()
        .filter(|d| d.join("Cargo.toml").is_file())
        .collect();
    let workspace = manifests.iter().rev().find(|d| {
        input::read_text(&d.join("Cargo.toml"), MANIFEST).is_ok_and(|t| declares_workspace(&t))
    });
    workspace
        .or(manifests.first())
        .map_or(start.clone(), |d| d.to_path_buf())
}

/// Whether a `Cargo.toml` has a `[workspace]` table (a line holding only that header).
fn declares_workspace(manifest: &str) -> bool {
    manifest.lines().any(|line| {
        let line = line.split('#').next().unwrap_or("");
        line.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            == "[workspace]"
    })
}

/// `--root DIR`: an existing folder, canonical.
pub fn given_root(dir: &Path) -> Result<PathBuf, String> {
    let root = dir
        .canonicalize()
        .map_err(|e| format!("use --root {}: {e}", text::path(dir)))?;
    if !root.is_dir() {
        return Err(format!(
            "use --root {}: it is not a folder",
            text::path(dir)
        ));
    }
    Ok(root)
}

/// Why a path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It does not resolve (missing, or a loop of symlinks): the OS error.
    Unresolved(String),
    /// It resolves outside the root, to this.
    Outside(PathBuf),
}

/// `path` canonical, when it resolves inside `root` (canonical).
pub fn confine(root: &Path, path: &Path) -> Result<PathBuf, Refusal> {
    let resolved = path
        .canonicalize()
        .map_err(|e| Refusal::Unresolved(e.to_string()))?;
    if resolved.starts_with(root) {
        Ok(resolved)
    } else {
        Err(Refusal::Outside(resolved))
    }
}

/// A path stored in a token, relative to the root: plain names only (no `..`, no root, no
/// drive), so it can only name something below the root before symlinks are resolved.
pub fn is_plain_relative(path: &Path) -> bool {
    path.components().next().is_some()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_git_top_else_the_outermost_workspace_else_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        let deep = top.join("ws/member/scenarios");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find_root(&deep), deep, "nothing marks a project");
        std::fs::write(top.join("ws/member/Cargo.toml"), "[package]\n").unwrap();
        assert_eq!(
            find_root(&deep),
            top.join("ws/member"),
            "the nearest manifest"
        );
        std::fs::write(top.join("ws/Cargo.toml"), "[ workspace ] # all\n").unwrap();
        assert_eq!(find_root(&deep), top.join("ws"), "the workspace above it");
        std::fs::create_dir(top.join(".git")).unwrap();
        assert_eq!(find_root(&deep), top, "the git work tree's top");
    }

    #[test]
    fn paths_leaving_the_root_are_refused_symlinks_included() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("proj/sub")).unwrap();
        std::fs::write(top.join("proj/sub/w.yaml"), "x").unwrap();
        std::fs::write(top.join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(top.join("secret"), top.join("proj/link")).unwrap();
        let root = top.join("proj");
        assert_eq!(
            confine(&root, &root.join("sub/../sub/w.yaml")),
            Ok(root.join("sub/w.yaml"))
        );
        assert_eq!(
            confine(&root, &root.join("../secret")),
            Err(Refusal::Outside(top.join("secret")))
        );
        assert_eq!(
            confine(&root, &root.join("link")),
            Err(Refusal::Outside(top.join("secret")))
        );
        assert!(matches!(
            confine(&root, &root.join("missing")),
            Err(Refusal::Unresolved(_))
        ));
        assert!(is_plain_relative(Path::new("scenarios/a.yaml")));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./a"] {
            assert!(!is_plain_relative(Path::new(bad)), "{bad}");
        }
    }
}
