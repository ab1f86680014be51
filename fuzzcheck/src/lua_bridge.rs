//! Target `lua_bridge`: JSON values go into Lua and come back through
//! `engine::seams::{to_lua, from_lua}`, the conversions every node's state takes.
//!
//! Properties: a JSON value comes back equal (integers above `i64::MAX` become floats, as
//! Lua has no wider integer; an object's null fields, which are nil in Lua as in TEA, come
//! back absent, while an array keeps its nulls and its length); a value nested deeper than mlua's limit of 128 fails with a
//! message; and after a [`Twist`] that gives the table something JSON cannot hold (a gap,
//! a float or boolean key, itself, a function, NaN, mixed keys, non-UTF-8 bytes), the way
//! back fails with a message instead of dropping or inventing data. Nothing panics.

use mlua::{Lua, LuaOptions, StdLib, Table};
use serde_json::Value;

use crate::bridge_input::{Twist, decode, depth};

/// Every Lua-running target is memory-limited (a prototype without limits grew to 443 MB).
const MEMORY_LIMIT: usize = 64 * 1024 * 1024;
/// mlua's serde nesting limit.
const MLUA_DEPTH: usize = 128;

/// Converts the decoded value to Lua and back, twists it, and checks both ways.
pub fn lua_bridge(data: &[u8]) {
    let (twist, value) = decode(data);
    let lua = Lua::new_with(StdLib::NONE, LuaOptions::new()).expect("create a Lua state");
    lua.set_memory_limit(MEMORY_LIMIT)
        .expect("set the memory limit");
    let lua_value = match engine::seams::to_lua(&lua, &value) {
        Ok(v) => v,
        Err(e) => {
            assert!(
                depth(&value) > MLUA_DEPTH - 2,
                "failed to bring a {}-deep value into Lua: {e}",
                depth(&value)
            );
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let back = engine::seams::from_lua(&lua, lua_value.clone())
        .unwrap_or_else(|e| panic!("failed to bring {value} back from Lua: {e}"));
    assert_eq!(back, representable(&value), "the value changed in Lua");
    if twist == Twist::None {
        return;
    }
    let table = match lua_value {
        mlua::Value::Table(t) => t,
        other => {
            let t = lua.create_table().expect("create a table");
            t.raw_set("v", other).expect("set a field");
            t
        }
    };
    let before = engine::seams::from_lua(&lua, mlua::Value::Table(table.clone()))
        .expect("the untwisted table converts");
    let sparse_key = table.raw_len() + 3;
    twist_table(&lua, &table, twist).expect("twist the table");
    match engine::seams::from_lua(&lua, mlua::Value::Table(table)) {
        Err(e) => assert!(
            !e.to_string().trim().is_empty(),
            "{twist:?}: an error without a message"
        ),
        Ok(after) => assert!(
            faithful(twist, &before, &after, sparse_key),
            "{twist:?}: a table with no JSON form converted to {after} (was {before})"
        ),
    }
}

/// Whether a twisted table that did convert kept everything: an item added to an empty
/// plain table makes it a one-item array, and key `sparse_key` (3 past Lua's border `#t`)
/// is inside the array when it is within the array's recorded length (an array that ends
/// in nulls) or the border lands on it, the gaps reading as `null`. Every other twist has
/// no JSON form and must fail.
fn faithful(twist: Twist, before: &Value, after: &Value, sparse_key: usize) -> bool {
    match (twist, before, after) {
        (Twist::Mixed, Value::Object(b), _) => b.is_empty() && *after == serde_json::json!([1]),
        (Twist::Sparse, Value::Array(b), Value::Array(_)) => {
            let mut expected = b.clone();
            if expected.len() < sparse_key {
                expected.resize(sparse_key, Value::Null);
            }
            expected[sparse_key - 1] = Value::from(1);
            *after == Value::Array(expected)
        }
        _ => false,
    }
}

/// What a JSON value is expected to look like after a trip through Lua.
fn representable(value: &Value) -> Value {
    match value {
        Value::Number(n) if n.is_u64() && n.as_i64().is_none() => {
            Value::from(n.as_f64().expect("a u64 has an f64 approximation"))
        }
        Value::Array(items) => Value::Array(items.iter().map(representable).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), representable(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn twist_table(lua: &Lua, t: &Table, twist: Twist) -> mlua::Result<()> {
    let len = t.raw_len() as i64;
    let is_array = len > 0 || t.metatable().is_some();
    match twist {
        Twist::None => {}
        Twist::Sparse => t.raw_set(len + 3, 1)?,
        Twist::FloatKey => t.raw_set(1.5, true)?,
        Twist::BoolKey => t.raw_set(true, 1)?,
        Twist::Recursive => t.raw_set("self", t.clone())?,
        Twist::Function => t.raw_set("f", lua.create_function(|_, ()| Ok(()))?)?,
        Twist::NaN if is_array => t.raw_set(len + 1, f64::NAN)?,
        Twist::NaN => t.raw_set("nan", f64::NAN)?,
        Twist::Mixed if is_array => t.raw_set("x", 1)?,
        Twist::Mixed => t.raw_set(1, 1)?,
        Twist::Deep => {
            let mut inner = lua.create_table()?;
            for _ in 0..200 {
                let outer = lua.create_table()?;
                outer.raw_set("in", inner)?;
                inner = outer;
            }
            t.raw_set(if is_array { len + 1 } else { 0 }, inner)?;
            if !is_array {
                // Key 0 is itself invalid; use a string key so only the depth is at fault.
                let deep = t.raw_get::<mlua::Value>(0)?;
                t.raw_set(0, mlua::Value::Nil)?;
                t.raw_set("deep", deep)?;
            }
        }
        Twist::Bytes if is_array => t.raw_set(len + 1, lua.create_string([0xff, 0xfe])?)?,
        Twist::Bytes => t.raw_set("bytes", lua.create_string([0xff, 0xfe])?)?,
    }
    Ok(())
}
