//! Decodes `lua_bridge` input bytes: a twist selector, then a JSON value.
//!
//! The value is the rest of the input as JSON text when it parses (so seeds are readable
//! files), and otherwise is built from the bytes with `arbitrary`, which reaches every
//! shape (deep nesting, odd floats, non-ASCII keys) without the fuzzer having to learn
//! JSON syntax first.

use arbitrary::Unstructured;
use serde_json::{Map, Number, Value};

/// Deepest nesting the decoder builds; mlua's own limit (128) is tested by a twist.
const MAX_DEPTH: usize = 48;
/// Most items in one array or object.
const MAX_ITEMS: usize = 16;

/// What to do to the Lua table after the round trip, to reach values with no JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Twist {
    /// Nothing: the value must come back equal.
    None,
    /// An integer key past the array's end.
    Sparse,
    /// A float key.
    FloatKey,
    /// A boolean key.
    BoolKey,
    /// The table holds itself.
    Recursive,
    /// A function value.
    Function,
    /// A NaN value.
    NaN,
    /// An array item in an object, or a string key in an array.
    Mixed,
    /// 200 tables nested in one another.
    Deep,
    /// A string that is not UTF-8.
    Bytes,
}

const TWISTS: [Twist; 10] = [
    Twist::None,
    Twist::Sparse,
    Twist::FloatKey,
    Twist::BoolKey,
    Twist::Recursive,
    Twist::Function,
    Twist::NaN,
    Twist::Mixed,
    Twist::Deep,
    Twist::Bytes,
];

/// Splits the input into the twist and the value.
pub fn decode(data: &[u8]) -> (Twist, Value) {
    let Some((&first, rest)) = data.split_first() else {
        return (Twist::None, Value::Null);
    };
    // Digits name the twists in readable seeds: `0` is none, `1` sparse, and so on.
    let twist = TWISTS[usize::from(first.wrapping_sub(b'0')) % TWISTS.len()];
    if let Ok(value) = serde_json::from_slice::<Value>(rest) {
        return (twist, value);
    }
    let mut u = Unstructured::new(rest);
    (twist, value(&mut u, 0).unwrap_or(Value::Null))
}

fn value(u: &mut Unstructured, depth: usize) -> arbitrary::Result<Value> {
    let kinds = if depth >= MAX_DEPTH { 5 } else { 7 };
    Ok(match u.choose_index(kinds)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => match u.arbitrary::<bool>()? {
            true => Value::from(u.arbitrary::<i64>()?),
            false => Value::from(u.arbitrary::<u64>()?),
        },
        3 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        4 => Value::String(u.arbitrary()?),
        5 => {
            let n = u.int_in_range(0..=MAX_ITEMS)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let n = u.int_in_range(0..=MAX_ITEMS)?;
            let mut map = Map::new();
            for _ in 0..n {
                let key: String = u.arbitrary()?;
                map.insert(key, value(u, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

/// Nesting depth of a JSON value (a scalar is 0, `[]` is 1).
pub fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}
