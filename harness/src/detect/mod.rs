//! Detection power: run each mutant (and the real engine) through the harness's own methods
//! (soak, and explore with PCT, random and bounded DFS) over the default scenarios, and say
//! which method catches which mutant, with how much effort (`harness mutants`).
//!
//! [`budget`] says how much each method may spend, [`method`] how it runs one scenario,
//! [`attempt`] runs one method over the scenarios until it first detects something, and
//! [`campaign`] runs every method, seed and mutant and adds it up.

pub mod attempt;
pub mod budget;
pub mod campaign;
pub mod method;

pub use attempt::{Attempt, Catch};
pub use budget::Budget;
pub use campaign::{Findings, MethodFinding, MutantFinding, RealFinding, Said, Setup};
pub use method::Method;
