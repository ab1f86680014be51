//! State conversions between JSON and Lua.
//!
//! JSON objects and arrays become tables (arrays keep mlua's array metatable, so an empty
//! array comes back as `[]`), `null` becomes mlua's `null` sentinel. Back from Lua, keys are
//! read in sorted order: Lua 5.4 randomises its string-hash seed per VM, so `pairs()` order
//! differs between VMs, and nothing the engine outputs may depend on it. serde_json's map is
//! ordered, so the state's JSON is canonical (keys sorted).

use mlua::{Lua, LuaSerdeExt};
use serde_json::Value;

/// JSON to a Lua value.
pub fn to_lua(lua: &Lua, value: &Value) -> mlua::Result<mlua::Value> {
    lua.to_value(value)
}

/// `parallel_results` to Lua: like [`to_lua`], except that the entries' own `null` fields
/// (`state`, `error`, `error_kind` of a branch that failed or succeeded) become `nil`, so
/// `if r.error then` reads naturally.
pub fn results_to_lua(lua: &Lua, results: &Value) -> mlua::Result<mlua::Value> {
    let table = lua.to_value(results)?;
    if let mlua::Value::Table(t) = &table {
        for entry in t.sequence_values::<mlua::Table>() {
            let entry = entry?;
            for key in ["state", "error", "error_kind"] {
                if entry.raw_get::<mlua::Value>(key)?.is_null() {
                    entry.raw_set(key, mlua::Value::Nil)?;
                }
            }
        }
    }
    Ok(table)
}

/// A Lua value to JSON; functions, userdata (other than `null`), recursive tables and
/// mixed array/map tables are errors.
pub fn from_lua(lua: &Lua, value: mlua::Value) -> mlua::Result<Value> {
    let options = mlua::serde::DeserializeOptions::new()
        .sort_keys(true)
        .detect_mixed_tables(true);
    lua.from_value_with(value, options)
}
