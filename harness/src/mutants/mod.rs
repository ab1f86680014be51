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

pub(crate) mod attempt;
pub(crate) mod budget;
pub(crate) mod console;
pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod matrix;
pub(crate) mod method;
pub mod plant;
pub(crate) mod report;
pub(crate) mod write;

pub(crate) use attempt::{Catch, Setup};
pub(crate) use budget::Budget;
pub(crate) use matrix::{Findings, MethodFinding, MutantFinding, RealFinding, Said};
pub(crate) use method::Method;
pub use plant::Mutant;
