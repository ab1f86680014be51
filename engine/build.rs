//! Builds Lua 5.4 (lua-src, as mlua-sys's "vendored" feature would) with `luai_makeseed`
//! overridden by `lua-seed/bp_lua_seed.h`, so every Lua state's string-hash seed comes from
//! the engine (`src/lua/seed.rs`) instead of addresses and the clock, and links it into this
//! crate.
//!
//! Why here rather than `.cargo/config.toml` `[env]` CFLAGS: a user's own CFLAGS would
//! silently replace it, it applies only when cargo runs from inside the workspace, and
//! mlua-sys's build script never reruns when it changes. Here the header is forced in after
//! whatever CFLAGS the user has, from any directory, and a change to it rebuilds Lua.

use std::env;
use std::ffi::OsString;
use std::path::PathBuf;

fn main() {
    let dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("lua-seed");
    println!("cargo:rerun-if-changed=build.rs");
    println!(
        "cargo:rerun-if-changed={}",
        dir.join("bp_lua_seed.h").display()
    );
    // lua-src turns off cc's own rerun-if-env-changed lines: say them here.
    let target = env::var("TARGET")
        .expect("cargo sets it")
        .replace(['-', '.'], "_");
    for var in [
        "CC",
        "CFLAGS",
        "HOST_CFLAGS",
        "TARGET_CFLAGS",
        "CPATH",
        "C_INCLUDE_PATH",
        "CRATE_CC_NO_DEFAULTS",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-env-changed=CFLAGS_{target}");
    // The header's folder goes first on the include path (a path with spaces is fine here,
    // unlike inside CFLAGS), and `-include` goes after the user's own CFLAGS.
    let mut paths = vec![dir];
    if let Some(old) = env::var_os("C_INCLUDE_PATH") {
        paths.extend(env::split_paths(&old));
    }
    let include: OsString = env::join_paths(paths).expect("an include path");
    let mut cflags = env::var("CFLAGS").unwrap_or_default();
    cflags.push_str(" -include bp_lua_seed.h");
    // SAFETY: a build script is single-threaded.
    unsafe {
        env::set_var("C_INCLUDE_PATH", include);
        env::set_var("CFLAGS", cflags);
    }
    let lua = lua_src::Build::new().build(lua_src::Lua54);
    // +whole-archive: this crate's rlib comes before mlua's on the link line, and GNU ld
    // would otherwise leave mlua's lua_* references undefined.
    println!("cargo:rustc-link-search=native={}", lua.lib_dir().display());
    for lib in lua.libs() {
        println!("cargo:rustc-link-lib=static:+whole-archive={lib}");
    }
}
