//! Outcome fingerprints: what an iteration ended with, hashed, without timings or VM serials.
//!
//! The fingerprint is XXH3-64 of the canonical JSON of the final state (keys sorted at every
//! level, `timing_ms` entries removed), then the error kind and node when the run failed.
//! Two iterations with the same fingerprint ended the same way; VM serials never enter it
//! (they differ on every run by design), and neither do error messages, which may quote
//! budgets or Lua addresses.

use std::fmt;

use engine::Run;
use serde_json::Value;

/// A 64-bit outcome hash, shown as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u64);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Fingerprint::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a 16-hex-digit fingerprint"))
        })
    }
}

impl Fingerprint {
    /// Parses the 16-hex-digit form (a `0x` prefix is accepted).
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let hex = text.strip_prefix("0x").unwrap_or(text);
        u64::from_str_radix(hex, 16).ok().map(Fingerprint)
    }

    /// The fingerprint of a run's outcome.
    pub fn of(run: &Run) -> Fingerprint {
        let mut text = String::with_capacity(256);
        match &run.result {
            Ok(state) => {
                text.push_str("ok\0");
                canonical(state, &mut text);
            }
            Err(e) => {
                text.push_str("error\0");
                text.push_str(e.kind().as_str());
                text.push('\0');
                text.push_str(e.node().unwrap_or(""));
                text.push('\0');
                text.push_str(e.branch().unwrap_or(""));
            }
        }
        Fingerprint(xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
    }
}

/// A short, human summary of an outcome for reports: `ok` or `timeout at node `spin``.
pub fn summary(run: &Run) -> String {
    match &run.result {
        Ok(_) => "ok".to_string(),
        Err(e) => match e.node() {
            Some(node) => format!("{} error at node `{node}`", e.kind()),
            None => format!("{} error", e.kind()),
        },
    }
}

/// Writes `value` as JSON with object keys sorted, whatever map type serde_json was built
/// with, leaving out `timing_ms` (a timing) wherever it appears.
pub fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().filter(|k| *k != "timing_ms").collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{RunError, Trace};
    use serde_json::json;

    fn ok(state: Value) -> Run {
        Run {
            result: Ok(state),
            trace: Trace::default(),
        }
    }

    #[test]
    fn key_order_and_timings_do_not_change_the_fingerprint() {
        let a = ok(json!({ "b": 1, "a": [{ "y": 2, "x": 1, "timing_ms": 0.25 }] }));
        let b = ok(json!({ "a": [{ "x": 1, "timing_ms": 9.5, "y": 2 }], "b": 1 }));
        assert_eq!(Fingerprint::of(&a), Fingerprint::of(&b));
    }

    #[test]
    fn a_different_state_or_error_node_changes_it() {
        let a = ok(json!({ "v": 1 }));
        let b = ok(json!({ "v": 2 }));
        assert_ne!(Fingerprint::of(&a), Fingerprint::of(&b));
        let err = |node: &str| Run {
            result: Err(RunError::Routing {
                node: node.into(),
                message: "no route".into(),
            }),
            trace: Trace::default(),
        };
        assert_ne!(Fingerprint::of(&err("x")), Fingerprint::of(&err("y")));
        assert_ne!(Fingerprint::of(&err("x")), Fingerprint::of(&a));
    }

    #[test]
    fn the_printed_form_parses_back() {
        let f = Fingerprint(0x00ab_cdef_0123_4567);
        assert_eq!(f.to_string(), "00abcdef01234567");
        assert_eq!(Fingerprint::parse(&f.to_string()), Some(f));
        assert_eq!(Fingerprint::parse("0x00abcdef01234567"), Some(f));
        assert_eq!(Fingerprint::parse("zz"), None);
    }
}
