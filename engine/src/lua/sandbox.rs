//! The sandbox every VM gets: base (minus its dangerous parts), table, string, math, utf8.
//!
//! What is removed, and why it holds against people trying to get out rather than only
//! against the usual names:
//!
//! * `io`, `os`, `package`/`require`, `debug` and `coroutine` are never loaded, so there is
//!   no `package.loaded.os` to find (TEA's sandbox leaks through it) and no `require('io')`.
//! * `load`, `loadfile`, `dofile`, `string.dump` and `warn` are removed; `print` is a no-op;
//!   `collectgarbage` only answers `"count"`. `string.dump` is removed from the one string
//!   table, which is also the string metatable's `__index`.
//! * `pcall`/`xpcall` never catch a timeout, a cancellation or running out of memory: once
//!   the VM is tripped, the error goes on up. `xpcall` calls its message handler after
//!   unwinding, because Lua runs a handler with hooks disabled once a hook has raised an
//!   error, and a looping handler would escape the budget. ([`super::base`], C functions.)
//! * `__gc` metamethods are refused: finalizers run with hooks disabled (and at VM close), so
//!   a looping finaliser could never be stopped.
//! * The string metatable cannot be read or changed (`getmetatable("")` is `false`): a
//!   `__close` or `__index` planted there would reach every string.
//! * The C library's loops over a caller-chosen count or range are bounded
//!   ([`super::clib`]); to-be-closed variables are allowed, because the time budget's hook
//!   stops a looping `__close` handler too ([`super::control`]).
//!
//! Known limit: Lua's pattern matcher (`string.find` and friends) is C code that the
//! instruction hook cannot interrupt; a pathological pattern on a huge subject runs past
//! the time budget, and only the harness's hard deadline stops it.
//!
//! The rest of the setup is one Lua chunk, compiled once per process and loaded as bytecode
//! into each VM.

use std::sync::OnceLock;

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, LuaOptions, LuaSerdeExt, StdLib, Table};

/// Libraries loaded into every VM (base is always loaded).
pub(crate) fn libs() -> StdLib {
    StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::UTF8
}

const SETUP: &str = r##"
local sleep_ms, seed_hi, seed_lo, branch_data, null = ...
local error, rawsetmetatable, rawset = error, setmetatable, rawset
load, loadfile, dofile, warn = nil, nil, nil, nil
string.dump = nil
math.randomseed(seed_hi, seed_lo)
rawset(_G, "sleep_ms", sleep_ms)
-- Returning `null` writes a JSON null. JSON's own nulls arrive as nil (as in TEA): this
-- sentinel is only ever in Lua because the node's code wrote it.
rawset(_G, "null", null)
-- The string metatable is shared by every string: no code may read or change it (a
-- `__close` or `__index` planted there would reach every string).
getmetatable("").__metatable = false
if branch_data then
  local proxy = rawsetmetatable({}, {
    __index = branch_data,
    __newindex = function() error("branch is read-only", 2) end,
    __metatable = false,
  })
  rawset(_G, "branch", proxy)
  _G.rawset = function(t, k, v)
    if t == proxy then error("branch is read-only", 2) end
    return rawset(t, k, v)
  end
  -- The engine puts it back as the global `branch` before every node of the branch.
  return proxy
end
"##;

fn setup_bytecode() -> &'static [u8] {
    static BYTECODE: OnceLock<Vec<u8>> = OnceLock::new();
    BYTECODE.get_or_init(|| {
        let lua = Lua::new_with(StdLib::NONE, LuaOptions::new()).expect("create the Lua compiler");
        let f = lua
            .load(SETUP)
            .set_name("=sandbox")
            .into_function()
            .expect("the sandbox setup compiles");
        f.dump(true)
    })
}

/// Creates a fresh sandboxed VM. `sleep_ms` is a host function made by the caller; `branch` is `(name, 1-based index)` inside a branch. Returns the VM and, in a
/// branch, the read-only `branch` table, which the engine puts back as the global `branch`
/// before every node (a node may shadow it for itself, never for the next one).
pub(crate) fn new_sandbox(
    seed: u64,
    hash_seed: u32,
    branch: Option<(&str, usize)>,
    make_host: impl FnOnce(&Lua) -> mlua::Result<Function>,
) -> mlua::Result<(Lua, Option<Table>)> {
    // A panic in a host function must reach the engine (a `panic` failure), not become a
    // Lua error value that `pcall` can catch and drop.
    let lua = super::seed::with_hash_seed(hash_seed, || {
        Lua::new_with(StdLib::NONE, LuaOptions::new().catch_rust_panics(false))
    })?;
    // No collection while the VM is built: everything made here lives (the setup chunk's
    // temporaries are a few dozen bytes since the base wrappers moved to C), and incremental
    // steps during the build only walked the live set again and again.
    lua.gc_stop();
    let panic_safe_pcall = super::base::capture_panic_safe_pcall(&lua)?;
    lua.load_std_libs(libs())?;
    super::base::install(&lua, panic_safe_pcall)?;
    let sleep_ms = make_host(&lua)?;
    let branch_data: Option<Table> = match branch {
        Some((name, index)) => {
            let t = lua.create_table_with_capacity(0, 2)?;
            t.raw_set("name", name)?;
            t.raw_set("index", index)?;
            Some(t)
        }
        None => None,
    };
    // Lua integers are i64: split the u64 seed without losing bits.
    let (hi, lo) = ((seed >> 32) as i64, (seed & 0xffff_ffff) as i64);
    let proxy: Option<Table> = lua
        .load(setup_bytecode())
        .set_mode(ChunkMode::Binary)
        .set_name("=sandbox")
        .call((sleep_ms, hi, lo, branch_data, lua.null()))?;
    // No full collection here: it freed 32 bytes of a fresh VM's 17.0 KiB of `used_memory`
    // and took ~6% of a 4-branch fan-out's time (it walked every object just made).
    lua.gc_restart();
    Ok((lua, proxy))
}
