//! The random workflows: their shape as plain data, and the proptest strategy that makes
//! them. `build.rs` turns a [`Spec`] into a real `RawWorkflow`.
//!
//! A workflow is a main path of segments. A segment is a plain node, or a fan-out: a head
//! node, 2-3 branches of 1-3 nodes each, and a fan-in, in either TEA parallel dialect.
//! Nodes route by implicit chaining, edges, `goto`, conditional `goto` rules, or a
//! conditional edge that skips the next node, so the graphs are DAGs with diamonds.

use proptest::prelude::*;

/// One piece of deterministic Lua work on the state (see `lua.rs` for the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Arith { mul: i64, add: i64 },
    Append { k: i64 },
    SetGlobal { k: i64 },
    ReadGlobal { other: usize },
    DefineFn { mul: i64 },
    CallFn { other: usize },
    Random { hi: i64 },
    RandomFloat,
    MaybeFail { m: i64, r: i64 },
    Text { k: usize },
    SortItems,
    Loop { n: i64 },
    Nested { k: i64 },
    BranchInfo,
    PatchString,
}

impl Op {
    /// Whether the op can make the node fail.
    pub fn fails(&self) -> bool {
        matches!(self, Op::MaybeFail { .. })
    }
}

/// What a node runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// No `run`: the state passes through.
    Pass,
    /// Lua doing `ops`, returning the changed state, or nil when `ret_nil`.
    Lua { ops: Vec<Op>, ret_nil: bool },
}

/// How a node says where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Nothing: the next node in list order (falls back to an edge where that is wrong).
    Implicit,
    /// `{from, to}`.
    Edge,
    /// `goto: target`.
    Goto,
    /// `goto: [{if: cond, to: target}, {to: target}]`.
    GotoRule,
    /// Conditional edges: `when: cond` to the node after next, else the next.
    Skip,
}

/// One node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    pub body: Body,
    pub style: Style,
    /// Picks the condition used by `GotoRule` and `Skip`.
    pub cond: u8,
}

/// The TEA parallel dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `{from: X, parallel: [a, b]}`; the fan-in is the branches' common successor.
    Rust,
    /// `{from: X, to: a, type: parallel, fan_in: F}`, one edge per branch.
    Python,
}

/// A main-path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Plain(NodeSpec),
    FanOut {
        head: NodeSpec,
        branches: Vec<Vec<NodeSpec>>,
        join: NodeSpec,
        /// The fan-in aggregates `parallel_results` in Lua (else it passes through).
        join_lua: bool,
        /// The fan-in copies each branch's whole state into its own.
        keep_states: bool,
        dialect: Dialect,
        /// `fan_in: true` on the join node.
        mark: bool,
    },
}

/// A whole generated workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub segments: Vec<Segment>,
    pub fail_fast: bool,
    /// An explicit `{from: __start__, to: first}` edge.
    pub start_edge: bool,
    /// `settings.max_parallel_branches` as written (runs override it).
    pub max_parallel: Option<usize>,
    /// Initial `state.x`.
    pub x0: i64,
}

/// Most nodes in a generated workflow ("up to about 12").
pub const MAX_NODES: usize = 12;

impl Spec {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Plain(_) => 1,
                Segment::FanOut { branches, .. } => {
                    2 + branches.iter().map(Vec::len).sum::<usize>()
                }
            })
            .sum()
    }
}

fn op(nodes: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1..1000i64, 0..1000i64).prop_map(|(mul, add)| Op::Arith { mul, add }),
        2 => (0..100i64).prop_map(|k| Op::Append { k }),
        2 => (0..100i64).prop_map(|k| Op::SetGlobal { k }),
        2 => (0..nodes).prop_map(|other| Op::ReadGlobal { other }),
        1 => (1..100i64).prop_map(|mul| Op::DefineFn { mul }),
        1 => (0..nodes).prop_map(|other| Op::CallFn { other }),
        2 => (1..1000i64).prop_map(|hi| Op::Random { hi }),
        1 => Just(Op::RandomFloat),
        2 => (5..13i64, 0..5i64).prop_map(|(m, r)| Op::MaybeFail { m, r }),
        1 => (0..4usize).prop_map(|k| Op::Text { k }),
        1 => Just(Op::SortItems),
        1 => (1..50i64).prop_map(|n| Op::Loop { n }),
        1 => (0..10i64).prop_map(|k| Op::Nested { k }),
        1 => Just(Op::BranchInfo),
        1 => Just(Op::PatchString),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => Just(Body::Pass),
        6 => (prop::collection::vec(op(MAX_NODES), 1..5), prop::bool::weighted(0.1))
            .prop_map(|(ops, ret_nil)| Body::Lua { ops, ret_nil }),
    ]
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        3 => Just(Style::Implicit),
        3 => Just(Style::Edge),
        2 => Just(Style::Goto),
        1 => Just(Style::GotoRule),
        2 => Just(Style::Skip),
    ]
}

fn node() -> impl Strategy<Value = NodeSpec> {
    (body(), style(), any::<u8>()).prop_map(|(body, style, cond)| NodeSpec { body, style, cond })
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![Just(Dialect::Rust), Just(Dialect::Python)]
}

fn fan_out() -> impl Strategy<Value = Segment> {
    (
        node(),
        prop::collection::vec(prop::collection::vec(node(), 1..=3), 2..=3),
        node(),
        prop::bool::weighted(0.85),
        any::<bool>(),
        dialect(),
        any::<bool>(),
    )
        .prop_map(
            |(head, branches, join, join_lua, keep_states, dialect, mark)| Segment::FanOut {
                head,
                branches,
                join,
                join_lua,
                keep_states,
                dialect,
                mark,
            },
        )
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        1 => node().prop_map(Segment::Plain),
        1 => fan_out(),
    ]
}

/// Random workflows of at most [`MAX_NODES`] nodes with at most 3 fan-outs.
pub fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(segment(), 1..=5),
        prop::bool::weighted(0.2),
        any::<bool>(),
        prop::option::of(1..=4usize),
        0..1_000_003i64,
    )
        .prop_map(|(segments, fail_fast, start_edge, max_parallel, x0)| {
            let mut spec = Spec {
                segments,
                fail_fast,
                start_edge,
                max_parallel,
                x0,
            };
            trim(&mut spec);
            spec
        })
}

/// Shrinks the workflow to [`MAX_NODES`] nodes and 3 fan-outs, dropping from the end.
fn trim(spec: &mut Spec) {
    let mut fan_outs = 0;
    spec.segments.retain(|s| match s {
        Segment::FanOut { .. } => {
            fan_outs += 1;
            fan_outs <= 3
        }
        Segment::Plain(_) => true,
    });
    while spec.node_count() > MAX_NODES {
        let longest = spec.segments.iter_mut().rev().find_map(|s| match s {
            Segment::FanOut { branches, .. } => branches.iter_mut().find(|b| b.len() > 1),
            Segment::Plain(_) => None,
        });
        if let Some(branch) = longest {
            branch.pop();
            continue;
        }
        let segments = spec.segments.len();
        let widest = spec.segments.iter_mut().rev().find_map(|s| match s {
            Segment::FanOut { branches, .. } if branches.len() > 2 => Some(branches),
            _ => None,
        });
        match widest {
            Some(branches) => {
                branches.pop();
            }
            None if segments > 1 => {
                spec.segments.pop();
            }
            None => break,
        }
    }
}
