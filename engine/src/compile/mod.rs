//! Checks a raw workflow and compiles it: node names to ids, edges to routes, fan-ins
//! decided, Lua compiled to bytecode once.
//!
//! Routing precedence is TEA's: a node's `goto` wins over its edges, and a node with neither
//! chains to the next node in list order. A workflow with no edges and no `goto` at all is a
//! plain list: its last node ends the run. Otherwise the last node must say where it goes.

mod build;
mod context;
mod fanin;
mod load;
mod nodes;
mod routes;
mod tea_graph;
