//! Running a workflow: the executor, one walker over a path of nodes (the main path and every
//! branch), fan-outs on the worker pool, and the seams a branch gets its deadline, its state
//! and its result collection from.

pub(crate) mod adaptive;
pub(crate) mod deadline;
pub(crate) mod executor;
pub(crate) mod fan;
pub(crate) mod guard;
pub(crate) mod options;
pub(crate) mod pool;
pub(crate) mod routing;
pub(crate) mod state;
pub(crate) mod walk;
