//! Engine integration tests: what the seeds promised, in both TEA parallel dialects.

mod adaptive;
mod common;
mod completion;
mod dialects;
mod escapes;
mod failures;
mod hash_seed;
mod identity;
mod isolation;
mod limits;
mod load_errors;
mod order;
mod routing;
mod runaway;
mod sandbox;
mod stress;
mod tea_rules;
