//! `shallow-state` (seed TEA-PY-002, a shallow copy in TEA-Python's terms): the branches of a
//! fan-out alias one state. Each starts from it as it stands, and after each of its nodes its
//! writes go into it, so a sibling that starts (or runs a node) later sees them.

use engine::seams::States;
use engine::sync::{RtMutex, Runtime};
use serde_json::Value;

use super::{About, Seam};

/// What `shallow-state` is.
pub(super) const ABOUT: About = About {
    name: "shallow-state",
    seam: Seam::States,
    story: "TEA-PY-002",
    class: "branches alias one state",
};

/// One state for every branch.
#[derive(Debug)]
pub struct AliasedState<R: Runtime> {
    shared: R::Mutex<Option<Value>>,
}

impl<R: Runtime> States<R> for AliasedState<R> {
    fn new(_branches: usize) -> Self {
        AliasedState {
            shared: R::Mutex::new(None),
        }
    }

    fn fork(&self, _index: usize, state: &Value) -> Value {
        self.shared
            .lock()
            .get_or_insert_with(|| state.clone())
            .clone()
    }

    fn after_node(&self, _index: usize, state: &mut Value) {
        let mut shared = self.shared.lock();
        let merged = shared.get_or_insert_with(|| state.clone());
        if let (Value::Object(into), Value::Object(from)) = (&mut *merged, &*state) {
            for (key, value) in from {
                into.insert(key.clone(), value.clone());
            }
        }
        *state = merged.clone();
    }
}
