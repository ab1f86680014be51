//! Conditions as TEA-Rust evaluates them: a goto rule's `if` and an edge's `when` (with
//! `to`) through its `eval_condition`, an edge's `when` with `targets:` by comparing the
//! rendered text with each key, a while_loop's `condition` by rendering `true`. Templates are
//! rendered by Tera, the crate and version TEA-Rust uses, so they mean exactly what they mean
//! there; what TEA would read differently from what it seems to say is refused at load
//! ([`check`]). See `docs/tea-compatibility.md`.

mod check;
mod set;
mod tea;

pub(crate) use set::{Builder, CondId, Conditions};
pub(crate) use tea::Mode;
