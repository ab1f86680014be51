//! State conversions between JSON and Lua.
//!
//! JSON objects and arrays become tables (arrays keep mlua's array metatable, so an empty
//! array comes back as `[]`), `null` becomes mlua's `null` sentinel. Back from Lua, keys are
//! read in sorted order: Lua 5.4 randomises its string-hash seed per VM, so `pairs()` order
//! differs between VMs, and nothing the engine outputs may depend on it. serde_json's map is
//! ordered, so the state's JSON is canonical (keys sorted).
//!
//! A plain table is an array when its keys are exactly `1..=#t` (holes inside `#t` read as
//! `null`), and an object otherwise, so an empty JSON object comes back as `{}`, not `[]`.
//! Tables mlua would silently misread (string keys next to array items, keys past the
//! border, boolean or float keys) are errors that name the offending key, and so are NaN
//! and infinite numbers, which JSON cannot hold.

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
    check_keys(&value, &lua.array_metatable(), &mut Vec::new(), None)?;
    read(lua, value)
}

/// A node's returned table to JSON, as [`from_lua`], refusing one nested more than
/// [`MAX_STATE_DEPTH`] levels (a fan-in sees a branch's state 3 levels deeper).
pub(crate) fn state_from_lua(lua: &Lua, value: mlua::Value) -> mlua::Result<Value> {
    check_keys(
        &value,
        &lua.array_metatable(),
        &mut Vec::new(),
        Some(MAX_STATE_DEPTH),
    )?;
    read(lua, value)
}

fn read(lua: &Lua, value: mlua::Value) -> mlua::Result<Value> {
    // Without mixed-table detection mlua reads a table as the array `1..=#t` when `#t > 0`
    // and as a map otherwise (an empty one as `{}`); `check_keys` has ruled out the tables
    // where that would drop keys. (Detection would read every empty table as `[]`.)
    let options = mlua::serde::DeserializeOptions::new().sort_keys(true);
    lua.from_value_with(value, options)
}

/// Nesting limit, the same as mlua's serde recursion limit: deeper tables fail there anyway,
/// and stopping here keeps this walk's own recursion bounded.
const MAX_DEPTH: usize = 128;

/// How deep a state may nest: a fan-in gets every branch's state inside
/// `parallel_results[i].state`, 3 levels deeper, and Lua conversions stop at 128.
pub const MAX_STATE_DEPTH: usize = 100;

/// How many levels `value` nests (a scalar is 0, `{}` and `[]` are 1).
pub fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Rejects what has no faithful JSON form: tables whose keys do not fit one JSON shape (an
/// array needs its keys to be exactly integers in `1..=#t`, an object string keys only), and
/// NaN or infinite numbers, which mlua would turn into `null` without a word.
///
/// `path` holds the tables above this one (a table met again on its own path is recursive);
/// past `limit` levels the table is refused as too deep.
fn check_keys(
    value: &mlua::Value,
    array_mt: &mlua::Table,
    path: &mut Vec<*const std::ffi::c_void>,
    limit: Option<usize>,
) -> mlua::Result<()> {
    let table = match value {
        mlua::Value::Table(table) => table,
        mlua::Value::Number(n) if !n.is_finite() => {
            return Err(mlua::Error::DeserializeError(format!(
                "the number {n} has no JSON form"
            )));
        }
        _ => return Ok(()),
    };
    let depth = path.len();
    if path.contains(&table.to_pointer()) {
        return Err(mlua::Error::DeserializeError(
            "recursive table detected".into(),
        ));
    }
    if let Some(limit) = limit
        && depth >= limit
    {
        return Err(mlua::Error::DeserializeError(format!(
            "a table nested more than {limit} levels deep (a state may nest {limit} levels)"
        )));
    }
    if depth >= MAX_DEPTH {
        // mlua reports the recursion limit (or a recursive table) with its own message.
        return Ok(());
    }
    path.push(table.to_pointer());
    let len = table.raw_len() as i64;
    let mut strings = 0usize;
    let mut items = 0usize;
    let mut bad: Option<String> = None;
    table.for_each::<mlua::Value, mlua::Value>(|key, value| {
        match &key {
            mlua::Value::String(_) => strings += 1,
            mlua::Value::Integer(i) if (1..=len).contains(i) => items += 1,
            mlua::Value::Integer(i) => {
                bad.get_or_insert(format!(
                    "key {i} is not an index of the array 1..{len} (JSON arrays have no gaps)"
                ));
            }
            other => {
                bad.get_or_insert(format!(
                    "a {} key has no JSON form (JSON keys are strings)",
                    other.type_name()
                ));
            }
        }
        check_keys(&value, array_mt, path, limit)
    })?;
    path.pop();
    // A JSON array keeps mlua's array metatable; mlua would read it as `1..=#t` alone.
    let is_array = table.metatable().as_ref() == Some(array_mt);
    if bad.is_none() && strings > 0 && (items > 0 || is_array) {
        bad = Some(format!(
            "a table mixes {items} array item(s) with {strings} string key(s)"
        ));
    }
    match bad {
        Some(message) => Err(mlua::Error::DeserializeError(message)),
        None => Ok(()),
    }
}
