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
//! * `pcall`/`xpcall` are wrapped so that a timeout, a cancellation or running out of memory
//!   cannot be caught and ignored: once the VM is tripped, the error goes on up.
//!
//! The setup is one Lua chunk, compiled once per process and loaded as bytecode into each VM.

use std::sync::OnceLock;

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, LuaOptions, StdLib, Table};

/// Libraries loaded into every VM (base is always loaded).
pub fn libs() -> StdLib {
    StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::UTF8
}

const SETUP: &str = r#"
local tripped, sleep_ms, seed_hi, seed_lo, branch_data = ...
local rawpcall, rawxpcall, error, setmetatable = pcall, xpcall, error, setmetatable
local function check(ok, ...)
  if not ok then
    local e = ...
    if tripped() or e == "not enough memory" then error(e, 0) end
  end
  return ok, ...
end
pcall = function(f, ...) return check(rawpcall(f, ...)) end
xpcall = function(f, handler, ...) return check(rawxpcall(f, handler, ...)) end
load, loadfile, dofile, warn = nil, nil, nil, nil
print = function() end
local gc = collectgarbage
collectgarbage = function(opt)
  if opt == "count" then return gc("count") end
  error("collectgarbage: only \"count\" is allowed in the sandbox", 2)
end
string.dump = nil
math.randomseed(seed_hi, seed_lo)
sleep_ms = sleep_ms
if branch_data then
  branch = setmetatable({}, {
    __index = branch_data,
    __newindex = function() error("branch is read-only", 2) end,
    __metatable = false,
  })
end
"#;

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

/// Creates a fresh sandboxed VM. `tripped` and `sleep_ms` are host functions made by the
/// caller; `branch` is `(name, 1-based index)` inside a branch.
pub fn new_sandbox(
    seed: u64,
    branch: Option<(&str, usize)>,
    make_host: impl FnOnce(&Lua) -> mlua::Result<(Function, Function)>,
) -> mlua::Result<Lua> {
    let lua = Lua::new_with(libs(), LuaOptions::new())?;
    let (tripped, sleep_ms) = make_host(&lua)?;
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
    lua.load(setup_bytecode())
        .set_mode(ChunkMode::Binary)
        .set_name("=sandbox")
        .call::<()>((tripped, sleep_ms, hi, lo, branch_data))?;
    Ok(lua)
}
