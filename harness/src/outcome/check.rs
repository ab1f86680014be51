//! Checking one run against a scenario's invariants. Each check returns `Err(why)` with a
//! message that reads after "failed to hold: ...".

use engine::{Run, Workflow};
use serde_json::{Value, json};

use super::fingerprint::Fingerprint;
use crate::scenario::expect::{Check, Invariant};

/// What one iteration produced, as the checks see it.
#[derive(Debug)]
pub struct Observed<'a> {
    /// The run.
    pub run: &'a Run,
    /// Its outcome fingerprint.
    pub fingerprint: Fingerprint,
}

/// Reruns the iteration's seed: with the scenario's workflow (`None`) or another one.
pub type Rerun<'a> = dyn Fn(Option<&Workflow>) -> Fingerprint + 'a;

/// Checks `invariant` against one iteration.
pub fn check(invariant: &Invariant, seen: &Observed<'_>, rerun: &Rerun<'_>) -> Result<(), String> {
    let run = seen.run;
    match &invariant.check {
        Check::FinalState(subset) => match &run.result {
            Ok(state) => subset_mismatch(subset, state, "state").map_or(Ok(()), Err),
            Err(e) => Err(format!("the run failed: {e}")),
        },
        Check::Lua(predicate) => {
            let state = run.result.as_ref().cloned().unwrap_or(Value::Null);
            let result = result_value(run);
            let trace = serde_json::to_value(&run.trace).expect("traces serialize");
            match predicate.eval(&[("state", &state), ("result", &result), ("trace", &trace)]) {
                Ok(true) => Ok(()),
                Ok(false) => Err("the predicate returned false".into()),
                Err(e) => Err(format!("the predicate raised an error: {e}")),
            }
        }
        Check::Error { kind, node, branch } => match &run.result {
            Ok(_) => Err(format!("expected a `{kind}` error, the run succeeded")),
            Err(e) if e.kind() != *kind => Err(format!(
                "expected a `{kind}` error, got `{}`: {e}",
                e.kind()
            )),
            Err(e) if node.as_deref().is_some_and(|n| e.node() != Some(n)) => Err(format!(
                "expected it at node `{}`, got {:?}",
                node.as_deref().unwrap_or_default(),
                e.node()
            )),
            Err(e) if branch.as_deref().is_some_and(|b| e.branch() != Some(b)) => Err(format!(
                "expected it in branch `{}`, got {:?}",
                branch.as_deref().unwrap_or_default(),
                e.branch()
            )),
            Err(_) => Ok(()),
        },
        Check::DistinctVms => run.trace.check_distinct_vms(),
        Check::Reproducible => {
            let again = rerun(None);
            if again == seen.fingerprint {
                Ok(())
            } else {
                Err(format!(
                    "the same seed gave fingerprint {} then {again}",
                    seen.fingerprint
                ))
            }
        }
        Check::EquivalentTo(other) => {
            let theirs = rerun(Some(other));
            if theirs == seen.fingerprint {
                Ok(())
            } else {
                Err(format!(
                    "fingerprint {} here, {theirs} from {}",
                    seen.fingerprint,
                    other
                        .file()
                        .map_or("the other workflow".into(), |f| f.display().to_string())
                ))
            }
        }
    }
}

/// `result` for predicates: `{ok = true}` or `{ok = false, error = {kind, node, branch,
/// message, cancelled}}`. `node` and `branch` are left out (nil in Lua) when the error has
/// none, rather than JSON null, which Lua would see as a non-nil sentinel; `cancelled` lists
/// the siblings a `fail_fast` failure cancelled, in declared order (empty otherwise).
pub fn result_value(run: &Run) -> Value {
    match &run.result {
        Ok(_) => json!({ "ok": true }),
        Err(e) => {
            let mut error = serde_json::Map::new();
            error.insert("kind".into(), e.kind().as_str().into());
            error.insert("message".into(), e.to_string().into());
            if let Some(node) = e.node() {
                error.insert("node".into(), node.into());
            }
            if let Some(branch) = e.branch() {
                error.insert("branch".into(), branch.into());
            }
            error.insert("cancelled".into(), json!(e.cancelled()));
            json!({ "ok": false, "error": error })
        }
    }
}

/// Where `actual` fails to contain `expected`: maps by key (extra keys allowed), arrays
/// element by element with equal lengths, numbers by value (Lua may give 3 or 3.0).
fn subset_mismatch(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(k, ev)| match a.get(k) {
            None => Some(format!("`{path}.{k}` is missing")),
            Some(av) => subset_mismatch(ev, av, &format!("{path}.{k}")),
        }),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (ev, av))| subset_mismatch(ev, av, &format!("{path}[{}]", i + 1))),
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => None,
        (e, a) if e == a => None,
        (e, a) => Some(format!("`{path}` is {a}, expected {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_allows_extra_keys_and_integral_floats() {
        let expected = json!({ "a": 3, "b": { "c": [1, "x"] } });
        let actual = json!({ "a": 3.0, "z": true, "b": { "c": [1, "x"], "d": 0 } });
        assert_eq!(subset_mismatch(&expected, &actual, "state"), None);
    }

    #[test]
    fn subset_names_the_first_mismatching_path() {
        let expected = json!({ "b": { "c": [1, 2] } });
        let actual = json!({ "b": { "c": [1, 3] } });
        assert_eq!(
            subset_mismatch(&expected, &actual, "state").as_deref(),
            Some("`state.b.c[2]` is 3, expected 2")
        );
        let missing = subset_mismatch(&json!({ "q": 1 }), &json!({}), "state");
        assert_eq!(missing.as_deref(), Some("`state.q` is missing"));
    }

    #[test]
    fn subset_rejects_arrays_of_other_length() {
        let mismatch = subset_mismatch(&json!([1]), &json!([1, 2]), "state");
        assert!(mismatch.is_some());
    }
}
