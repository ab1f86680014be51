//! The documentation holds together: the README stays a front door, every relative link in
//! it and in `docs/` reaches a file (and a heading, when it names one), every repository path
//! the README names exists, and no generated report is tracked by git.
//!
//! Markdown is read with pulldown-cmark, so a link or a path inside a code block is text,
//! as a reader sees it, and headings get GitHub's anchors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The README's budget: what it is, set-up, a tour and the where-is-what table.
const README_MAX_LINES: usize = 250;

/// The top-level folders a path in the docs may start with.
const TOP: &[&str] = &[
    "engine/",
    "harness/",
    "scenarios/",
    "benches/",
    "fuzz/",
    "fuzzcheck/",
    "docs/",
    "reports/",
    ".ci/",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness/ has a parent")
        .to_path_buf()
}

/// README.md and every Markdown file under docs/, relative to the root.
fn pages() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("README.md")];
    let mut stack = vec![root().join("docs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(root()).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn read(page: &Path) -> String {
    std::fs::read_to_string(root().join(page)).unwrap()
}

/// GitHub's anchor for a heading's text: lowercase, spaces to hyphens, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// What a page offers and points at: heading anchors, link and image targets, code spans.
#[derive(Default)]
struct Page {
    anchors: BTreeSet<String>,
    links: Vec<String>,
    code: Vec<String>,
}

fn parse(text: &str) -> Page {
    let mut page = Page::default();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                page.anchors
                    .insert(slug(&heading.take().unwrap_or_default()));
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                page.links.push(dest_url.to_string());
            }
            Event::Text(t) => heading.iter_mut().for_each(|h| h.push_str(&t)),
            Event::Code(t) => {
                heading.iter_mut().for_each(|h| h.push_str(&t));
                page.code.push(t.to_string());
            }
            _ => {}
        }
    }
    page
}

#[test]
fn the_readme_is_a_front_door_of_at_most_250_lines() {
    let lines = read(Path::new("README.md")).lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, past {README_MAX_LINES}: move the detail to a docs/ page"
    );
}

#[test]
fn every_relative_link_in_the_readme_and_docs_reaches_a_file_and_heading() {
    let mut broken = Vec::new();
    for page in pages() {
        let dir = page.parent().unwrap_or(Path::new("")).to_path_buf();
        for link in parse(&read(&page)).links {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                dir.join(file)
            };
            if !root().join(&target).exists() {
                broken.push(format!(
                    "{}: `{link}`: no file {}",
                    page.display(),
                    target.display()
                ));
                continue;
            }
            let is_md = target.extension().is_some_and(|e| e == "md");
            if !anchor.is_empty() && is_md && !parse(&read(&target)).anchors.contains(anchor) {
                broken.push(format!(
                    "{}: `{link}`: no heading #{anchor}",
                    page.display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_repository_path_the_readme_names_exists() {
    let text = read(Path::new("README.md"));
    let named: Vec<String> = parse(&text)
        .code
        .into_iter()
        .filter(|c| TOP.iter().any(|top| c.starts_with(top)))
        .filter(|c| !c.contains(['<', '*', ' ']))
        .collect();
    assert!(
        named.len() >= 20,
        "the where-is-what table names files: {named:?}"
    );
    let missing: Vec<&String> = named.iter().filter(|c| !root().join(c).exists()).collect();
    assert!(
        missing.is_empty(),
        "README.md names paths that do not exist (moved? fix the where-is-what table): {missing:?}"
    );
}

#[test]
fn no_generated_report_is_tracked_by_git() {
    let out = Command::new("git")
        .current_dir(root())
        .args(["ls-files", "--cached", "--ignored", "--exclude-standard"])
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tracked = String::from_utf8_lossy(&out.stdout);
    assert!(
        tracked.trim().is_empty(),
        "files .gitignore excludes are tracked (`git rm --cached` them):\n{tracked}"
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug("Tokens and `harness replay`"),
        "tokens-and-harness-replay"
    );
    assert_eq!(slug("Lua's hash seed"), "luas-hash-seed");
    assert_eq!(
        slug("What issue 12 changed, and where the time goes"),
        "what-issue-12-changed-and-where-the-time-goes"
    );
}
