//! Turns a generated [`Spec`] into a `RawWorkflow`, plus what the isolation property needs
//! to know: each node's name and the marker globals it writes.

use engine::loader::{RawEdge, RawGoto, RawGotoRule, RawNode, RawRun, RawSettings, RawWorkflow};
use serde_json::json;

use crate::lua;
use crate::spec::{Body, Dialect, NodeSpec, Op, Segment, Spec, Style};

/// A generated workflow, ready to load.
#[derive(Debug, Clone)]
pub struct Built {
    pub raw: RawWorkflow,
    /// Marker globals each node writes (probe mode), by node name.
    pub writes: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Main,
    Head(usize),
    Branch { seg: usize, b: usize, j: usize },
    Join(usize),
}

struct Entry<'a> {
    spec: &'a NodeSpec,
    role: Role,
}

const END: &str = "__end__";

/// Builds the workflow; with `probe`, every node records what it sees (see `lua.rs`).
pub fn build(spec: &Spec, probe: bool) -> Built {
    let entries = entries(spec);
    let names: Vec<String> = (0..entries.len()).map(|i| format!("n{i}")).collect();
    let main: Vec<usize> = (0..entries.len())
        .filter(|&i| matches!(entries[i].role, Role::Main | Role::Head(_) | Role::Join(_)))
        .collect();
    let first_of = |seg: usize, b: usize| {
        (0..entries.len())
            .find(|&i| entries[i].role == Role::Branch { seg, b, j: 0 })
            .expect("every branch has a first node")
    };
    let join_of = |seg: usize| {
        (0..entries.len())
            .find(|&i| entries[i].role == Role::Join(seg))
            .expect("every fan-out has a join")
    };
    // The next node on the node's own path (`None` is `__end__`).
    let next = |i: usize| -> Option<usize> {
        match entries[i].role {
            Role::Main | Role::Join(_) | Role::Head(_) => {
                let at = main.iter().position(|&m| m == i).expect("on the main path");
                main.get(at + 1).copied()
            }
            Role::Branch { seg, b, j } => (0..entries.len())
                .find(|&k| entries[k].role == Role::Branch { seg, b, j: j + 1 })
                .or(Some(join_of(seg))),
        }
    };
    // A node that may be skipped: a plain main node or a branch node.
    let skippable = |i: usize| matches!(entries[i].role, Role::Main | Role::Branch { .. });

    let marks = join_marks(spec);
    let mut nodes = Vec::with_capacity(entries.len());
    let mut edges = Vec::new();
    let mut writes = Vec::with_capacity(entries.len());
    if spec.start_edge {
        edges.push(edge("__start__", &names[0]));
    }
    for (i, entry) in entries.iter().enumerate() {
        let me = names[i].clone();
        let mut node = RawNode {
            name: me.clone(),
            description: None,
            kind: None,
            run: None,
            language: None,
            goto: None,
            fan_in: false,
            condition: None,
            max_iterations: None,
            body: None,
        };
        match entry.role {
            Role::Join(seg) => {
                let Segment::FanOut {
                    join_lua,
                    keep_states,
                    ..
                } = &spec.segments[seg]
                else {
                    unreachable!("a join belongs to a fan-out")
                };
                node.fan_in = marks[seg];
                if *join_lua || probe {
                    node.run = Some(RawRun::Code(lua::join_code(
                        &me,
                        &names,
                        probe,
                        *keep_states,
                    )));
                }
            }
            _ => node.run = lua::node_code(&entry.spec.body, &me, &names, probe).map(RawRun::Code),
        }
        if i % 3 == 1 && node.run.is_some() {
            node.language = Some("lua".into());
        }
        writes.push((me.clone(), markers(entry, &me, probe)));

        if let Role::Head(seg) = entry.role {
            let Segment::FanOut {
                branches, dialect, ..
            } = &spec.segments[seg]
            else {
                unreachable!("a head belongs to a fan-out")
            };
            let firsts: Vec<String> = (0..branches.len())
                .map(|b| names[first_of(seg, b)].clone())
                .collect();
            let join = &names[join_of(seg)];
            match dialect {
                Dialect::Rust => edges.push(RawEdge {
                    parallel: Some(firsts),
                    ..edge(&me, "")
                }),
                Dialect::Python => edges.extend(firsts.iter().map(|f| RawEdge {
                    kind: Some("parallel".into()),
                    fan_in: Some(join.clone()),
                    ..edge(&me, f)
                })),
            }
            nodes.push(node);
            continue;
        }

        let target = next(i);
        let target_name = target.map_or(END.to_string(), |t| names[t].clone());
        let after = target.filter(|&t| skippable(t)).map(&next);
        let after_name = after.map(|a| a.map_or(END.to_string(), |t| names[t].clone()));
        let cond = lua::condition(entry.spec.cond, false);
        // The last node in the list ends the run with no goto and no edge, as in TEA.
        let implicit_ok = target.is_none_or(|t| t == i + 1);
        // TEA-Rust takes a fallback to `__end__` (its finish edge) before any condition,
        // and adds a finish edge after the first edge to `__end__` when nothing else ends
        // the workflow: the last node ends it with no goto and no edge, or `goto: __end__`.
        let style = match (entry.spec.style, target) {
            (Style::Goto, None) => Style::Goto,
            (_, None) => Style::Implicit,
            (style, Some(_)) => style,
        };
        match (style, &after_name) {
            (Style::Implicit, _) if implicit_ok => {}
            (Style::Goto, _) => node.goto = Some(RawGoto::Target(target_name)),
            (Style::GotoRule, skip) => {
                node.goto = Some(RawGoto::Rules(vec![
                    RawGotoRule {
                        condition: Some(cond),
                        to: skip.clone().unwrap_or_else(|| target_name.clone()),
                    },
                    RawGotoRule {
                        condition: None,
                        to: target_name,
                    },
                ]))
            }
            (Style::Skip, Some(skip)) => {
                // TEA-Rust takes an edge without `when` before any condition: both edges
                // have one, and they exclude each other.
                edges.push(RawEdge {
                    when: Some(lua::condition(entry.spec.cond, true)),
                    ..edge(&me, &target_name)
                });
                edges.push(RawEdge {
                    when: Some(cond),
                    ..edge(&me, skip)
                });
            }
            _ => edges.push(edge(&me, &target_name)),
        }
        nodes.push(node);
    }

    let raw = RawWorkflow {
        name: "prop".into(),
        description: None,
        state_schema: None,
        variables: None,
        initial_state: Some(json!({ "x": spec.x0, "items": [], "meta": {} })),
        settings: RawSettings {
            max_parallel_branches: spec.max_parallel,
            fail_fast: spec.fail_fast.then_some(true),
            ..RawSettings::default()
        },
        nodes,
        edges,
    };
    Built { raw, writes }
}

/// `fan_in: true` per segment. A Rust-dialect fan-in is the nearest common successor of the
/// branches, *preferring marked nodes*: with a marked fan-in further down the path, an
/// unmarked nearer one would lose to it, so it is marked too.
fn join_marks(spec: &Spec) -> Vec<bool> {
    let mut marks = vec![false; spec.segments.len()];
    let mut later_marked = false;
    for (seg, segment) in spec.segments.iter().enumerate().rev() {
        if let Segment::FanOut { mark, dialect, .. } = segment {
            marks[seg] = *mark || (*dialect == Dialect::Rust && later_marked);
            later_marked |= marks[seg];
        }
    }
    marks
}

fn edge(from: &str, to: &str) -> RawEdge {
    RawEdge {
        from: from.into(),
        to: (!to.is_empty()).then(|| to.into()),
        when: None,
        targets: None,
        parallel: None,
        kind: None,
        fan_in: None,
        description: None,
    }
}

/// The nodes in list order: segments in order, a fan-out as head, branches, join.
fn entries(spec: &Spec) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for (seg, segment) in spec.segments.iter().enumerate() {
        match segment {
            Segment::Plain(node) => out.push(Entry {
                spec: node,
                role: Role::Main,
            }),
            Segment::FanOut {
                head,
                branches,
                join,
                ..
            } => {
                out.push(Entry {
                    spec: head,
                    role: Role::Head(seg),
                });
                for (b, chain) in branches.iter().enumerate() {
                    for (j, node) in chain.iter().enumerate() {
                        out.push(Entry {
                            spec: node,
                            role: Role::Branch { seg, b, j },
                        });
                    }
                }
                out.push(Entry {
                    spec: join,
                    role: Role::Join(seg),
                });
            }
        }
    }
    out
}

/// Marker globals a node writes in probe mode.
fn markers(entry: &Entry, me: &str, probe: bool) -> Vec<String> {
    if !probe {
        return Vec::new();
    }
    let mut out = vec![format!("P_{me}")];
    if let (Body::Lua { ops, .. }, false) = (&entry.spec.body, matches!(entry.role, Role::Join(_)))
    {
        for op in ops {
            match op {
                Op::SetGlobal { .. } => out.push(format!("G_{me}")),
                Op::DefineFn { .. } => out.push(format!("F_{me}")),
                Op::PatchString => out.push(format!("S_{me}")),
                _ => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
