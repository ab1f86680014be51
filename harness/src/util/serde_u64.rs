//! A `u64` in JSON as a decimal string (`#[serde(with = "crate::util::serde_u64")]`): seeds do
//! not fit a JSON double, and a reader in JavaScript would round them silently.

use serde::{Deserialize, Deserializer, Serializer};

/// Writes `value` as a decimal string.
pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Reads a decimal string (or, leniently, a number).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(u64),
    }
    match Either::deserialize(deserializer)? {
        Either::Number(n) => Ok(n),
        Either::Text(text) => text
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a u64"))),
    }
}
