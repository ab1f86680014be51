//! Builds Lua 5.4 from lua-src's copy of Lua's sources, with two changes, and links it into
//! this crate (mlua-sys runs with its `external` feature, so mlua links this build):
//!
//! * `lua-patch/bp_lua.h` is force-included into every file: it overrides `luai_makeseed`,
//!   so every state's string-hash seed comes from the engine (`src/lua/seed.rs`) instead of
//!   addresses and the clock;
//! * `ldebug.c`'s `luaG_traceexec` is patched where it turns tracing off ([`TRACEEXEC`]): it
//!   read `L->hookmask` as 0 and then clears the running function's trap, so a signal
//!   handler that sets a hook in between (a budget alarm, `src/lua/alarm.rs`) had its hook
//!   set and its trap cleared, and a `while true do end` ran on with no trap for ever. The
//!   patch reads the mask again after clearing the trap, and gives tests and the
//!   `lost-alarm` mutant a plant in that window (`src/lua/plant.rs`).
//!
//! lua-src offers no path to the sources it carries, and its `build` compiles them as they
//! are. They sit beside its own code, whose file its `build` names when it panics without an
//! `OUT_DIR` ([`lua_src_sources`]); they are copied to `OUT_DIR`, patched, and compiled here
//! with lua-src's own settings for Lua 5.4. The forced include goes after whatever CFLAGS
//! the user has (a user's CFLAGS would replace a `.cargo/config.toml` setting), and a change
//! to the header or this file rebuilds Lua.

// A build script has no runtime seam: the clippy.toml rules are for the engine itself.
#![allow(clippy::disallowed_types)]

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The lines of `luaG_traceexec` (Lua 5.4.9) that turn tracing off, and what replaces them.
const TRACEEXEC: (&str, &str) = (
    "    ci->u.l.trap = 0;  /* don't need to stop again */
    return 0;  /* turn off 'trap' */",
    "    bp_traceexec_window(L);  /* branchproof: a test plant (src/lua/plant.rs) */
    ci->u.l.trap = 0;  /* don't need to stop again */
    if (bp_traceexec_recheck(L)) {  /* branchproof: a signal set a hook since 'mask' */
      ci->u.l.trap = 1;
      return 1;
    }
    return 0;  /* turn off 'trap' */",
);

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let patch = manifest.join("lua-patch");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=build.rs");
    println!(
        "cargo:rerun-if-changed={}",
        patch.join("bp_lua.h").display()
    );
    let sources = out.join("lua-5.4");
    copy_patched(&lua_src_sources(), &sources);

    let target = env::var("TARGET").expect("cargo sets it");
    let mut build = cc::Build::new();
    build
        .warnings(false)
        .include(&sources)
        .include(&patch)
        .flag_if_supported("-fno-common")
        .define("LUA_COMPAT_5_3", None);
    match () {
        _ if target.contains("linux") || target.ends_with("bsd") => {
            build.define("LUA_USE_LINUX", None);
        }
        _ if target.contains("apple-darwin") => {
            build.define("LUA_USE_MACOSX", None);
        }
        _ if target.contains("windows") => {
            build.define("LUA_USE_WINDOWS", None);
        }
        _ => {
            build.define("LUA_USE_POSIX", None);
        }
    }
    // As lua-src does: a build script has debug assertions exactly when the profile has.
    if cfg!(debug_assertions) {
        build.define("LUA_USE_APICHECK", None);
    }
    build
        .flag("-include")
        .flag(patch.join("bp_lua.h").to_str().expect("a UTF-8 path"));
    let mut files: Vec<PathBuf> = fs::read_dir(&sources)
        .expect("the copied sources")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    // cargo_metadata prints the link line; +whole-archive is needed because this crate's rlib
    // comes before mlua's on the link line, and GNU ld would otherwise leave mlua's lua_*
    // references undefined.
    build.files(&files).cargo_metadata(false).compile("lua5.4");
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=lua5.4");
}

/// Copies Lua's sources from `from` to `to`, with [`TRACEEXEC`] applied to `ldebug.c`.
fn copy_patched(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the folder for Lua's sources");
    for entry in fs::read_dir(from).expect("read lua-src's Lua 5.4 sources") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().expect("a file name");
        let text = fs::read_to_string(&path).expect("read a Lua source file");
        let text = if name == "ldebug.c" {
            assert_eq!(
                text.matches(TRACEEXEC.0).count(),
                1,
                "ldebug.c ({}) is not the Lua 5.4.9 this patch was written for: \
                 update TRACEEXEC in engine/build.rs",
                path.display()
            );
            text.replace(TRACEEXEC.0, TRACEEXEC.1)
        } else {
            text
        };
        let dest = to.join(name);
        if fs::read_to_string(&dest).ok().as_deref() != Some(&text) {
            fs::write(&dest, text).expect("write a Lua source file");
        }
    }
}

/// The Lua 5.4 sources lua-src carries: `lua-5.4.9` beside its `src/lib.rs`, the file its
/// `build` names when it panics for want of an `OUT_DIR`.
fn lua_src_sources() -> PathBuf {
    let out_dir = env::var_os("OUT_DIR");
    let seen: Arc<Mutex<Option<PathBuf>>> = Arc::default();
    let previous = std::panic::take_hook();
    let record = Arc::clone(&seen);
    std::panic::set_hook(Box::new(move |info| {
        *record.lock().unwrap() = info.location().map(|l| PathBuf::from(l.file()));
    }));
    // SAFETY: a build script is single-threaded; both are restored below.
    unsafe { env::remove_var("OUT_DIR") };
    let built = std::panic::catch_unwind(|| lua_src::Build::new().build(lua_src::Lua54));
    std::panic::set_hook(previous);
    // SAFETY: as above.
    unsafe { env::set_var("OUT_DIR", out_dir.expect("cargo sets it")) };
    assert!(built.is_err(), "lua-src built Lua without an OUT_DIR");
    let lib = seen
        .lock()
        .unwrap()
        .take()
        .expect("lua-src's panic had a location");
    let dir = lib
        .parent()
        .and_then(Path::parent)
        .map(|root| root.join("lua-5.4.9"))
        .filter(|dir| dir.join("ldebug.c").is_file())
        .unwrap_or_else(|| {
            panic!(
                "lua-src's Lua 5.4.9 sources are not beside {} (keep lua-src at the version \
                 in engine/Cargo.toml)",
                lib.display()
            )
        });
    println!("cargo:rerun-if-changed={}", dir.display());
    dir
}
