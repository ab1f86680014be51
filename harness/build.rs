//! The build id replay tokens carry: a hash of the engine's and the harness's sources (and
//! the lock file), so that a token made by another build, whose schedules and scheduling
//! points may differ, is refused instead of replaying something else. The version number
//! alone does not change when the code does.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = here.parent().expect("the workspace root").to_path_buf();
    let inputs = [
        root.join("engine/src"),
        root.join("engine/lua-patch"),
        root.join("engine/build.rs"),
        root.join("engine/Cargo.toml"),
        here.join("src"),
        here.join("Cargo.toml"),
        root.join("Cargo.lock"),
    ];
    let mut files = Vec::new();
    for input in &inputs {
        println!("cargo:rerun-if-changed={}", input.display());
        collect(input, &mut files);
    }
    files.sort();
    // SipHash with fixed keys: the same files give the same id on every machine.
    let mut hasher = DefaultHasher::new();
    for file in &files {
        file.strip_prefix(&root).unwrap_or(file).hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rustc-env=BP_BUILD_ID={:016x}", hasher.finish());
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            collect(&entry.path(), out);
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}
