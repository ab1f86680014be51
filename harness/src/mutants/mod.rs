//! `harness mutants`, whole: deliberately broken engines, and the detection matrix that
//! proves the harness catches them.
//!
//! - [`plant`]: the mutants themselves, one file each, plugged into the engine's seams (the
//!   runners build an iteration's engine from a [`Mutant`]).
//! - The detection matrix: [`budget`] says how much each method may spend, [`method`] how it
//!   runs one scenario, [`attempt`] runs one method over the scenarios until it first detects
//!   something, and [`matrix`] runs every method, seed and mutant and adds it up.
//! - Its views: [`report`] (the JSON model and the words shared by every view), [`console`]
//!   (the lines printed as it goes), [`markdown`] (report.md and the README's table) and
//!   [`html`] (report.html), written by [`write`] through [`crate::report::views`].

pub mod attempt;
pub mod budget;
pub mod console;
pub mod html;
pub mod markdown;
pub mod matrix;
pub mod method;
pub mod plant;
pub mod report;
pub mod write;

pub use attempt::{Attempt, Catch, Setup};
pub use budget::Budget;
pub use matrix::{Findings, MethodFinding, MutantFinding, RealFinding, Said};
pub use method::Method;
pub use plant::Mutant;
