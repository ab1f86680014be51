//! State conversions between JSON and Lua.
//!
//! JSON objects and arrays become tables (arrays keep mlua's array metatable, so an empty
//! array comes back as `[]`), and `null` becomes `nil`, as TEA maps it (its
//! `test_json_to_lua_null`): an object's null field is absent in Lua, an array's null item a
//! hole. An array that ends in nulls has its length recorded (in a weak-keyed registry
//! table), so `[1, null]` comes back as `[1, null]`, not `[1]`. Lua writes a JSON null with
//! the global `null` (an explicit opt-in: nothing read from JSON is ever `null` in Lua).
//! Back from Lua, keys are
//! read in sorted order: Lua 5.4 randomises its string-hash seed per VM, so `pairs()` order
//! differs between VMs, and nothing the engine outputs may depend on it. serde_json's map is
//! ordered, so the state's JSON is canonical (keys sorted).
//!
//! A plain table is an array when its keys are exactly `1..=#t` (holes inside `#t` read as
//! `null`), and an object otherwise, so an empty JSON object comes back as `{}`, not `[]`.
//! Tables mlua would silently misread (string keys next to array items, keys past the
//! border, boolean or float keys) are errors that name the offending key, and so are NaN
//! and infinite numbers, which JSON cannot hold.

use std::ffi::{c_int, c_void};

use crate::fan_in::BranchEntry;
use mlua::{Lua, LuaSerdeExt, ffi};
use serde_json::{Map, Number, Value};

/// JSON to a Lua value.
pub fn to_lua(lua: &Lua, value: &Value) -> mlua::Result<mlua::Value> {
    push(lua, value)
}

/// A fan-in's `parallel_results` to Lua, straight from its entries: the same tables
/// [`to_lua`] makes of their JSON form ([`BranchEntry::to_json`]), without building that
/// JSON first.
pub(crate) fn entries_to_lua(lua: &Lua, entries: &[BranchEntry]) -> mlua::Result<mlua::Value> {
    // SAFETY: as in `push`: a protected call with the array metatable at index 1, borrowing
    // `entries` only.
    unsafe {
        lua.exec_raw::<mlua::Value>(lua.array_metatable(), |l| {
            push_entries(l, entries);
            ffi::lua_replace(l, 1);
        })
    }
}

/// The registry key (by address) of the VM's table of recorded array lengths: a table with
/// weak keys (an entry lives as long as its array), made by the first array that needs it.
/// Kept out of mlua's API so that a conversion with no such array costs nothing more.
static LENGTHS: u8 = 0;

fn lengths_key() -> *const c_void {
    std::ptr::addr_of!(LENGTHS).cast()
}

/// Records `len` as the length of the array at the top of the stack.
///
/// # Safety
/// Inside a protected call (it allocates), with the array at the top.
unsafe fn record_length(l: *mut ffi::lua_State, len: usize) {
    // SAFETY: see the function's contract; room for four more values is checked first.
    unsafe {
        if ffi::lua_checkstack(l, 4) == 0 {
            ffi::luaL_error(l, c"no stack room to record an array's length".as_ptr());
        }
        if ffi::lua_rawgetp(l, ffi::LUA_REGISTRYINDEX, lengths_key()) != ffi::LUA_TTABLE {
            ffi::lua_pop(l, 1);
            ffi::lua_createtable(l, 0, 1);
            ffi::lua_createtable(l, 0, 1);
            ffi::lua_pushstring(l, c"k".as_ptr());
            ffi::lua_setfield(l, -2, c"__mode".as_ptr());
            ffi::lua_setmetatable(l, -2);
            ffi::lua_pushvalue(l, -1);
            ffi::lua_rawsetp(l, ffi::LUA_REGISTRYINDEX, lengths_key());
        }
        ffi::lua_pushvalue(l, -2);
        ffi::lua_pushinteger(l, len as ffi::lua_Integer);
        ffi::lua_rawset(l, -3);
        ffi::lua_pop(l, 1);
    }
}

/// The recorded length of the array at `index`, if any; raises no error.
///
/// # Safety
/// A live state with room for two more values.
unsafe fn recorded_length(l: *mut ffi::lua_State, index: c_int) -> Option<i64> {
    // SAFETY: raw reads only.
    unsafe {
        let mut len = None;
        if ffi::lua_rawgetp(l, ffi::LUA_REGISTRYINDEX, lengths_key()) == ffi::LUA_TTABLE {
            ffi::lua_pushvalue(l, index);
            if ffi::lua_rawget(l, -2) == ffi::LUA_TNUMBER && ffi::lua_isinteger(l, -1) != 0 {
                len = Some(ffi::lua_tointegerx(l, -1, std::ptr::null_mut()));
            }
            ffi::lua_pop(l, 1);
        }
        ffi::lua_pop(l, 1);
        len
    }
}

/// # Safety
/// As [`push_value`].
unsafe fn push_entries(l: *mut ffi::lua_State, entries: &[BranchEntry]) {
    /// Sets field `key` of the table at the top to the value `push` leaves above it.
    ///
    /// # Safety
    /// As [`push_value`], with room for two more values.
    unsafe fn field(l: *mut ffi::lua_State, key: &str, push: impl FnOnce()) {
        // SAFETY: as the function's contract.
        unsafe {
            ffi::lua_pushlstring(l, key.as_ptr().cast(), key.len());
            push();
            ffi::lua_rawset(l, -3);
        }
    }
    // SAFETY: see the function's contract; room is checked before each entry.
    unsafe {
        ffi::lua_createtable(l, entries.len().min(c_int::MAX as usize) as c_int, 0);
        for (i, e) in entries.iter().enumerate() {
            if ffi::lua_checkstack(l, 4) == 0 {
                ffi::luaL_error(l, c"no stack room for parallel_results".as_ptr());
            }
            ffi::lua_createtable(l, 0, 8);
            field(l, "branch", || {
                ffi::lua_pushlstring(l, e.branch.as_ptr().cast(), e.branch.len());
            });
            field(l, "success", || {
                ffi::lua_pushboolean(l, c_int::from(e.error.is_none()))
            });
            if let Some(state) = &e.state {
                // The entry is 1 level below the array, its fields 2.
                field(l, "state", || push_value(l, state, 2));
            }
            if let Some((message, kind)) = &e.error {
                field(l, "error", || {
                    ffi::lua_pushlstring(l, message.as_ptr().cast(), message.len());
                });
                field(l, "error_type", || {
                    ffi::lua_pushlstring(l, kind.as_ptr().cast(), kind.len());
                });
            }
            field(l, "timeout", || {
                ffi::lua_pushboolean(l, c_int::from(e.timeout))
            });
            field(l, "timing_ms", || ffi::lua_pushnumber(l, e.timing_ms));
            field(l, "retry_count", || ffi::lua_pushinteger(l, 0));
            ffi::lua_rawseti(l, -2, i as ffi::lua_Integer + 1);
        }
        ffi::lua_pushvalue(l, 1);
        ffi::lua_setmetatable(l, -2);
    }
}

/// A Lua value to JSON (`nil` and the global `null` as `null`); functions, other userdata,
/// recursive tables and mixed array/map tables are errors.
pub fn from_lua(lua: &Lua, value: mlua::Value) -> mlua::Result<Value> {
    pull(lua, value, None)
}

/// A node's returned table to JSON, as [`from_lua`], refusing one nested more than
/// [`MAX_STATE_DEPTH`] levels (a fan-in sees a branch's state 3 levels deeper).
pub(crate) fn state_from_lua(lua: &Lua, value: mlua::Value) -> mlua::Result<Value> {
    pull(lua, value, Some(MAX_STATE_DEPTH))
}

/// Builds `value` on the Lua stack in one protected call (mlua's serializer made one per
/// table and per field: the conversions were most of a node's cost on a real state).
fn push(lua: &Lua, value: &Value) -> mlua::Result<mlua::Value> {
    // SAFETY: the closure runs inside a protected call on the state mlua hands over, with
    // the array metatable at index 1. It only borrows `value`: a Lua error (out of memory)
    // unwinds frames that own nothing.
    unsafe {
        lua.exec_raw::<mlua::Value>(lua.array_metatable(), |l| {
            push_value(l, value, 0);
            ffi::lua_replace(l, 1);
        })
    }
}

/// Pushes `value` (`null` as `nil`).
///
/// # Safety
/// Inside a protected call, with the array metatable at index 1.
unsafe fn push_value(l: *mut ffi::lua_State, value: &Value, depth: usize) {
    // SAFETY: see the function's contract; every push is checked for room first.
    unsafe {
        if depth > MAX_DEPTH || ffi::lua_checkstack(l, 3) == 0 {
            ffi::luaL_error(
                l,
                c"a value nested more than %d levels deep has no Lua form".as_ptr(),
                MAX_DEPTH as c_int,
            );
        }
        match value {
            Value::Null => ffi::lua_pushnil(l),
            Value::Bool(b) => ffi::lua_pushboolean(l, c_int::from(*b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => ffi::lua_pushinteger(l, i),
                None => ffi::lua_pushnumber(l, n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => {
                ffi::lua_pushlstring(l, s.as_ptr().cast(), s.len());
            }
            Value::Array(items) => {
                ffi::lua_createtable(l, items.len().min(c_int::MAX as usize) as c_int, 0);
                for (i, item) in items.iter().enumerate() {
                    if !item.is_null() {
                        push_value(l, item, depth + 1);
                        ffi::lua_rawseti(l, -2, i as ffi::lua_Integer + 1);
                    }
                }
                ffi::lua_pushvalue(l, 1);
                ffi::lua_setmetatable(l, -2);
                if items.last().is_some_and(Value::is_null) {
                    // `#t` stops before trailing holes: record the length.
                    record_length(l, items.len());
                }
            }
            Value::Object(map) => {
                ffi::lua_createtable(l, 0, map.len().min(c_int::MAX as usize) as c_int);
                for (key, item) in map {
                    if !item.is_null() {
                        ffi::lua_pushlstring(l, key.as_ptr().cast(), key.len());
                        push_value(l, item, depth + 1);
                        ffi::lua_rawset(l, -3);
                    }
                }
            }
        }
    }
}

/// Reads `value` into JSON in one walk over the raw state that checks as it goes.
fn pull(lua: &Lua, value: mlua::Value, limit: Option<usize>) -> mlua::Result<Value> {
    let mut out: Option<Result<Value, String>> = None;
    // SAFETY: the walk calls only functions that raise no Lua error (no allocation, no
    // metamethod: raw reads, `lua_next` over an unmodified table, strings and numbers read
    // as they are), so no Lua error can unwind the frames that own what is being built.
    unsafe {
        lua.exec_raw::<()>((value, lua.array_metatable()), |l| {
            let mut path = Vec::new();
            out = Some(pull_value(l, 1, 0, limit, &mut path));
        })?;
    }
    out.expect("the walk ran")
        .map_err(mlua::Error::DeserializeError)
}

/// Reads the value at `index`.
///
/// # Safety
/// A live state, the array metatable at index 2; see [`pull`].
unsafe fn pull_value(
    l: *mut ffi::lua_State,
    index: c_int,
    depth: usize,
    limit: Option<usize>,
    path: &mut Vec<*const c_void>,
) -> Result<Value, String> {
    // SAFETY: see the function's contract.
    unsafe {
        match ffi::lua_type(l, index) {
            ffi::LUA_TNIL => Ok(Value::Null),
            ffi::LUA_TBOOLEAN => Ok(Value::Bool(ffi::lua_toboolean(l, index) != 0)),
            ffi::LUA_TNUMBER => {
                if ffi::lua_isinteger(l, index) != 0 {
                    Ok(Value::from(ffi::lua_tointegerx(
                        l,
                        index,
                        std::ptr::null_mut(),
                    )))
                } else {
                    let n = ffi::lua_tonumberx(l, index, std::ptr::null_mut());
                    Number::from_f64(n)
                        .map(Value::Number)
                        .ok_or_else(|| format!("the number {} has no JSON form", LuaNumber(n)))
                }
            }
            ffi::LUA_TSTRING => {
                let mut len = 0;
                let p = ffi::lua_tolstring(l, index, &mut len);
                let bytes = std::slice::from_raw_parts(p.cast::<u8>(), len);
                std::str::from_utf8(bytes)
                    .map(|s| Value::String(s.to_string()))
                    .map_err(|e| format!("a string that is not UTF-8 has no JSON form ({e})"))
            }
            ffi::LUA_TLIGHTUSERDATA if ffi::lua_touserdata(l, index).is_null() => Ok(Value::Null),
            ffi::LUA_TTABLE => pull_table(l, index, depth, limit, path),
            other => {
                let name = std::ffi::CStr::from_ptr(ffi::lua_typename(l, other));
                Err(format!(
                    "unsupported value type `{}`",
                    name.to_string_lossy()
                ))
            }
        }
    }
}

/// A Lua number as Lua would write it (`NaN`, `inf`, `-inf`).
struct LuaNumber(f64);

impl std::fmt::Display for LuaNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            n if n.is_nan() => f.write_str("NaN"),
            n if n.is_infinite() && n > 0.0 => f.write_str("inf"),
            n if n.is_infinite() => f.write_str("-inf"),
            n => write!(f, "{n}"),
        }
    }
}

/// Reads the table at `index`: an array when its keys are exactly `1..=#t` (holes read as
/// null) or it carries the array metatable (then its length is the larger of `#t` and its
/// recorded length), an object when they are all strings.
///
/// An error leaves `path` as it is: the walk stops there, and `path` goes with it.
///
/// # Safety
/// As [`pull_value`].
unsafe fn pull_table(
    l: *mut ffi::lua_State,
    index: c_int,
    depth: usize,
    limit: Option<usize>,
    path: &mut Vec<*const c_void>,
) -> Result<Value, String> {
    // SAFETY: see `pull`; `lua_checkstack` reports failure instead of raising.
    unsafe {
        let index = ffi::lua_absindex(l, index);
        let me = ffi::lua_topointer(l, index);
        enter(l, path, me, depth, limit)?;
        let is_array = has_array_metatable(l, index);
        path.push(me);
        let mut len = ffi::lua_rawlen(l, index) as i64;
        if is_array && let Some(recorded) = recorded_length(l, index) {
            len = len.max(recorded);
        }
        let mut object = Map::new();
        let mut items = 0usize;
        let mut bad: Option<String> = None;
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, index) != 0 {
            // key at -2, value at -1
            match ffi::lua_type(l, -2) {
                ffi::LUA_TSTRING => {
                    let mut klen = 0;
                    let p = ffi::lua_tolstring(l, -2, &mut klen);
                    let key = std::slice::from_raw_parts(p.cast::<u8>(), klen);
                    match std::str::from_utf8(key) {
                        Ok(key) => {
                            let value = pull_value(l, -1, depth + 1, limit, path)
                                .inspect_err(|_| ffi::lua_pop(l, 2))?;
                            object.insert(key.to_string(), value);
                        }
                        Err(e) => {
                            bad.get_or_insert_with(|| Why::NotUtf8(e).to_string());
                        }
                    }
                }
                ffi::LUA_TNUMBER if ffi::lua_isinteger(l, -2) != 0 => {
                    let i = ffi::lua_tointegerx(l, -2, std::ptr::null_mut());
                    if (1..=len).contains(&i) {
                        items += 1;
                    } else {
                        bad.get_or_insert_with(|| Why::Gap(i, len).to_string());
                    }
                }
                other => {
                    bad.get_or_insert_with(|| Why::Key(l, other).to_string());
                }
            }
            ffi::lua_pop(l, 1);
        }
        let strings = object.len();
        if bad.is_none() && strings > 0 && (items > 0 || is_array) {
            bad = Some(Why::Mixed(items, strings).to_string());
        }
        if let Some(bad) = bad {
            return Err(bad);
        }
        let result = if strings == 0 && (len > 0 || is_array) {
            let mut array = Vec::with_capacity(len as usize);
            for i in 1..=len {
                ffi::lua_rawgeti(l, index, i);
                let item = pull_value(l, -1, depth + 1, limit, path);
                ffi::lua_pop(l, 1);
                array.push(item?);
            }
            Value::Array(array)
        } else {
            Value::Object(object)
        };
        path.pop();
        Ok(result)
    }
}

/// Refuses to enter table `me` at `depth`: one already on `path` (a recursive table), or
/// one nested past the state's `limit` or the walk's own [`MAX_DEPTH`] (or the Lua stack).
///
/// # Safety
/// A live state.
#[inline(always)]
unsafe fn enter(
    l: *mut ffi::lua_State,
    path: &[*const c_void],
    me: *const c_void,
    depth: usize,
    limit: Option<usize>,
) -> Result<(), String> {
    if path.contains(&me) {
        return Err("recursive table detected".into());
    }
    if let Some(limit) = limit
        && depth >= limit
    {
        return Err(format!(
            "a table nested more than {limit} levels deep (a state may nest {limit} levels)"
        ));
    }
    // SAFETY: `lua_checkstack` reports failure instead of raising.
    if depth >= MAX_DEPTH || unsafe { ffi::lua_checkstack(l, 4) } == 0 {
        return Err(format!("a table nested more than {MAX_DEPTH} levels deep"));
    }
    Ok(())
}

/// Whether the table at `index` carries mlua's array metatable (at index 2).
///
/// # Safety
/// As [`pull_table`].
#[inline(always)]
unsafe fn has_array_metatable(l: *mut ffi::lua_State, index: c_int) -> bool {
    // SAFETY: see the function's contract.
    unsafe {
        ffi::lua_getmetatable(l, index) != 0 && {
            let same = ffi::lua_rawequal(l, -1, 2) != 0;
            ffi::lua_pop(l, 1);
            same
        }
    }
}

/// Why a table has no JSON form (made only once one has none).
enum Why {
    NotUtf8(std::str::Utf8Error),
    Gap(i64, i64),
    Key(*mut ffi::lua_State, c_int),
    Mixed(usize, usize),
}

impl std::fmt::Display for Why {
    #[cold]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Why::NotUtf8(e) => write!(f, "a key that is not UTF-8 has no JSON form ({e})"),
            Why::Gap(i, len) => write!(
                f,
                "key {i} is not an index of the array 1..{len} (JSON arrays have no gaps)"
            ),
            Why::Key(l, kind) => {
                // SAFETY: `lua_typename` reads a static name of a live state.
                let name = unsafe { std::ffi::CStr::from_ptr(ffi::lua_typename(l, kind)) };
                let name = match name.to_str() {
                    Ok("number") => "float",
                    Ok(n) => n,
                    Err(_) => "strange",
                };
                write!(f, "a {name} key has no JSON form (JSON keys are strings)")
            }
            Why::Mixed(items, strings) => write!(
                f,
                "a table mixes {items} array item(s) with {strings} string key(s)"
            ),
        }
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn entries_become_the_tables_their_json_form_becomes() {
        let lua = Lua::new();
        let entries = vec![
            BranchEntry {
                branch: "a".into(),
                state: Some(json!({ "v": 1, "list": [1, 2], "deep": { "x": null } })),
                error: None,
                timeout: false,
                timing_ms: 0.25,
            },
            BranchEntry {
                branch: "b".into(),
                state: None,
                error: Some(("failed to run node `b`: boom".into(), "LuaError")),
                timeout: false,
                timing_ms: 3.0,
            },
            BranchEntry {
                branch: "c".into(),
                state: None,
                error: Some(("failed to finish in time".into(), "TimeoutError")),
                timeout: true,
                timing_ms: 120.5,
            },
        ];
        let json = Value::Array(entries.iter().map(BranchEntry::to_json).collect());
        let direct = entries_to_lua(&lua, &entries).expect("entries convert");
        let via_json = to_lua(&lua, &json).expect("the JSON converts");
        let back = |v| from_lua(&lua, v).expect("back to JSON");
        let direct_json = back(direct.clone());
        assert_eq!(direct_json, back(via_json.clone()));
        // Both leave the missing fields out (nil in Lua), and both are arrays to Lua.
        assert_eq!(direct_json[1].get("state"), None);
        assert_eq!(direct_json[0].get("error"), None);
        assert_eq!(direct_json[2]["retry_count"], json!(0));
        let (mlua::Value::Table(d), mlua::Value::Table(j)) = (direct, via_json) else {
            panic!("both are tables");
        };
        assert_eq!(d.metatable(), j.metatable());
    }

    #[test]
    fn null_is_nil_in_lua_and_arrays_keep_their_length() {
        let lua = Lua::new();
        for value in [
            json!([1, null, 3]),
            json!([1, null]),
            json!([null]),
            json!([]),
            json!({ "a": [null, null], "b": [[], [null]] }),
        ] {
            let v = to_lua(&lua, &value).expect("converts");
            assert_eq!(from_lua(&lua, v).expect("comes back"), value);
        }
        let v = to_lua(&lua, &json!({ "input": null, "list": [1, null] })).expect("converts");
        lua.globals().set("state", v).expect("set");
        let seen: (bool, bool, i64) = lua
            .load("return state.input == nil, state.list[2] == nil, #state.list")
            .eval()
            .expect("runs");
        assert_eq!(seen, (true, true, 1));
        // An object's null fields are absent in Lua, so they do not come back.
        let v = to_lua(&lua, &json!({ "a": null, "b": 1 })).expect("converts");
        assert_eq!(from_lua(&lua, v).expect("back"), json!({ "b": 1 }));
    }
}
