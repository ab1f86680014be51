//! The budget alarm's protocol (`engine/src/lua/alarm.rs`) as a step machine, checked
//! exhaustively: every signal (the timer's, a stray one) at every step boundary.
//!
//! One thread runs node 2, a `while true do end`, after node 1 of the same run left the
//! thread's timer set for node 1's deadline (or left nothing, or a timer that fired). The
//! main code is a queue of micro-steps: each write of `lua_sethook` (in Lua's order, and
//! with the mask written first, as a compiler may reorder the plain stores around the
//! volatile one), the thread-local records, `timer_settime`, `luaG_traceexec`'s read of the
//! mask, its trap clear and the patched re-read, the trap re-read at each jump, and the
//! budget hook's steps. The handler is an interrupt: it runs to completion between two
//! steps. Time passes between steps too: node 1's deadline, then node 2's.
//!
//! It checks, for every interleaving:
//! * an overdue node stops: no state where node 2 is past its deadline, its loop never
//!   reaches the hook again, and the timer will not fire again (**lost alarm**);
//! * the handler writes a hook only to the state of a node running on its thread
//!   (**stale write**);
//! * once the run has ended no timer is set (**late signal**).
//!
//! With `refire` off the protocol itself must lose nothing (one delivery per `timer_settime`);
//! with it on, any one delivery may also be dropped (a signal lost by a route outside the
//! model), and the re-fire must make up for it.

use std::collections::HashSet;

/// The protocol as the engine has it, and variants that each break one of its orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    Engine,
    /// Node start arms the timer, then clears the hook (fixed in commit 305a1d1).
    ArmThenClear,
    /// `luaG_traceexec` as Lua ships it: no second read of the mask after clearing the trap.
    NoRecheck,
    /// The budget hook sets the timer again before it clears itself, so a signal that lands
    /// inside its `lua_sethook(None)` is erased.
    RearmThenClear,
    /// A node's VM is closed before the node is forgotten.
    CloseThenForget,
}

/// Which expiry a timer is set for: node 1's deadline (early for node 2) or node 2's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Expiry {
    Node1,
    Node2,
}

/// The kernel's timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kernel {
    Off,
    Armed(Expiry),
    /// It fired and re-fires.
    Refiring,
}

/// The thread-local record of the timer (`TIMER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Record {
    Off,
    Set(Expiry),
    Fired,
}

/// One micro-step of the main code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    /// `lua_sethook(L, f, mask, count)`: expands to its writes, in one of two orders.
    SetHook(bool),
    WriteHook(bool),
    WriteCount(bool),
    WriteMask(bool),
    WriteTraps,
    Running(bool),
    /// Keeps the timer when set for node 1 (earlier), else sets it for node 2.
    KeepOrArm,
    Record(Record),
    Settime(Expiry),
    /// One Lua instruction of the loop: `traceexec` when the local trap is set, then the jump.
    Fetch,
    TraceRead,
    TraceClear,
    TraceRecheck,
    CountHook,
    Jump,
    /// The budget hook: the budget is spent (raise) or not (clear itself, set the timer).
    Hook,
    Close,
    RunEnd,
    Disarm,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    ops: Vec<Op>,
    // Lua's side.
    hook: bool,
    count: bool,
    mask: bool,
    trap: bool,
    local_trap: bool,
    read_mask: bool,
    // The protocol's side.
    running: bool,
    closed: bool,
    /// The handler wrote a hook to a closed VM.
    stale: bool,
    record: Record,
    kernel: Kernel,
    // Time and what the adversary may still do.
    due1: bool,
    due2: bool,
    strays: u8,
    drops: u8,
    deliveries: u8,
    stopped: bool,
    ended: bool,
}

/// How a run of the checker went.
#[derive(Debug)]
pub struct Outcome {
    pub states: usize,
    pub failure: Option<String>,
}

const MAX_DELIVERIES: u8 = 4;

/// Explores every interleaving of `variant`, with or without the timer's re-fire.
pub fn check(variant: Variant, refire: bool) -> Outcome {
    let mut seen = HashSet::new();
    let mut stack: Vec<(State, Vec<String>)> = initial(variant, refire)
        .into_iter()
        .map(|s| (s, vec![]))
        .collect();
    while let Some((state, path)) = stack.pop() {
        if !seen.insert(state.clone()) {
            continue;
        }
        if let Some(why) = violation(&state, variant) {
            return Outcome {
                states: seen.len(),
                failure: Some(format!("{why} after: {}", path.join(", "))),
            };
        }
        for (label, next) in successors(&state, variant, refire) {
            let mut p = path.clone();
            p.push(label);
            stack.push((next, p));
        }
    }
    Outcome {
        states: seen.len(),
        failure: None,
    }
}

fn initial(variant: Variant, refire: bool) -> Vec<State> {
    let start = node_start(variant);
    let mut out = vec![];
    // What node 1 left: no timer, its timer still set, or its timer already fired; a hook
    // left on or not.
    for (record, kernel) in [
        (Record::Off, Kernel::Off),
        (Record::Set(Expiry::Node1), Kernel::Armed(Expiry::Node1)),
        (
            Record::Fired,
            if refire {
                Kernel::Refiring
            } else {
                Kernel::Off
            },
        ),
    ] {
        for hooked in [false, true] {
            out.push(State {
                ops: start.clone(),
                hook: hooked,
                count: hooked,
                mask: hooked,
                trap: hooked,
                local_trap: false,
                read_mask: false,
                running: false,
                closed: false,
                stale: false,
                record,
                kernel,
                due1: false,
                due2: false,
                strays: 1,
                drops: u8::from(refire),
                deliveries: 0,
                stopped: false,
                ended: false,
            });
        }
    }
    out
}

/// Node 2's start (`control::start_node` and `alarm::arm`).
fn node_start(variant: Variant) -> Vec<Op> {
    let clear = Op::SetHook(false);
    let arm = [Op::Running(true), Op::KeepOrArm];
    match variant {
        Variant::ArmThenClear => [&arm[..], &[clear]].concat(),
        _ => [&[clear][..], &arm].concat(),
    }
}

fn successors(s: &State, variant: Variant, refire: bool) -> Vec<(String, State)> {
    let mut out = vec![];
    if !s.due1 {
        out.push((
            "node 1's deadline".into(),
            State {
                due1: true,
                ..s.clone()
            },
        ));
    } else if !s.due2 {
        out.push((
            "node 2's deadline".into(),
            State {
                due2: true,
                ..s.clone()
            },
        ));
    }
    if deliverable(s) && s.deliveries < MAX_DELIVERIES {
        let mut next = s.clone();
        next.deliveries += 1;
        next.kernel = if refire {
            Kernel::Refiring
        } else {
            Kernel::Off
        };
        if s.drops > 0 {
            let mut dropped = next.clone();
            dropped.drops -= 1;
            out.push(("a dropped delivery".into(), dropped));
        }
        handler(&mut next);
        out.push(("the timer's signal".into(), next));
    }
    if s.strays > 0 {
        let mut next = s.clone();
        next.strays -= 1;
        handler(&mut next);
        out.push(("a stray signal".into(), next));
    }
    out.extend(step(s, variant));
    out
}

fn deliverable(s: &State) -> bool {
    match s.kernel {
        Kernel::Off => false,
        Kernel::Armed(Expiry::Node1) => s.due1,
        Kernel::Armed(Expiry::Node2) => s.due2,
        Kernel::Refiring => true,
    }
}

/// `alarm::on_signal`: mark the timer fired, and set the running node's count hook.
fn handler(s: &mut State) {
    if s.record != Record::Off {
        s.record = Record::Fired;
    }
    if s.running {
        s.stale |= s.closed;
        s.hook = true;
        s.count = true;
        s.mask = true;
        s.trap = true;
    }
}

/// The main code's next micro-step (two successors where the compiler may choose).
fn step(s: &State, variant: Variant) -> Vec<(String, State)> {
    let mut next = s.clone();
    let Some(op) = next.ops.first().copied() else {
        if s.ended {
            return vec![];
        }
        next.ops.push(Op::Fetch);
        return vec![("an instruction".into(), next)];
    };
    next.ops.remove(0);
    let label = format!("{op:?}");
    let push = |n: &mut State, ops: &[Op]| {
        let rest = std::mem::take(&mut n.ops);
        n.ops = [ops, &rest[..]].concat();
    };
    match op {
        Op::SetHook(on) => {
            let traps: &[Op] = if on { &[Op::WriteTraps] } else { &[] };
            let mut plain = next.clone();
            let written = [Op::WriteHook(on), Op::WriteCount(on), Op::WriteMask(on)];
            push(&mut plain, &[&written[..], traps].concat());
            let mut reordered = next;
            let written = [Op::WriteMask(on), Op::WriteHook(on), Op::WriteCount(on)];
            push(&mut reordered, &[&written[..], traps].concat());
            return vec![
                (label.clone(), plain),
                (format!("{label} (reordered)"), reordered),
            ];
        }
        Op::WriteHook(on) => next.hook = on,
        Op::WriteCount(on) => next.count = on,
        Op::WriteMask(on) => next.mask = on,
        Op::WriteTraps => next.trap = true,
        Op::Running(on) => next.running = on,
        Op::KeepOrArm => {
            if next.record != Record::Set(Expiry::Node1) {
                push(
                    &mut next,
                    &[
                        Op::Record(Record::Set(Expiry::Node2)),
                        Op::Settime(Expiry::Node2),
                    ],
                );
            }
        }
        Op::Record(r) => next.record = r,
        Op::Settime(e) => next.kernel = Kernel::Armed(e),
        Op::Fetch => {
            if next.local_trap {
                push(&mut next, &[Op::TraceRead, Op::Jump]);
            } else {
                push(&mut next, &[Op::Jump]);
            }
        }
        Op::TraceRead => {
            next.read_mask = next.mask;
            if next.mask {
                push(&mut next, &[Op::CountHook]);
            } else {
                // The window: a signal between this read and the clear.
                push(&mut next, &[Op::TraceClear, Op::TraceRecheck]);
            }
        }
        Op::TraceClear => {
            next.trap = false;
            next.local_trap = false;
        }
        Op::TraceRecheck => {
            if variant != Variant::NoRecheck && next.mask {
                next.trap = true;
                next.local_trap = true;
            }
        }
        Op::CountHook => {
            // `luaD_hook` calls the hook only when there is one, and the count hook fires
            // only when its count was set.
            if next.count && next.hook {
                push(&mut next, &[Op::Hook]);
            }
            next.local_trap = true;
        }
        Op::Jump => next.local_trap = next.trap,
        Op::Hook => {
            if next.due2 {
                next.stopped = true;
                let end: &[Op] = if variant == Variant::CloseThenForget {
                    &[Op::Close, Op::Running(false), Op::RunEnd]
                } else {
                    &[Op::Running(false), Op::Close, Op::RunEnd]
                };
                next.ops = end.to_vec();
            } else {
                let rearm = [
                    Op::Record(Record::Set(Expiry::Node2)),
                    Op::Settime(Expiry::Node2),
                ];
                let clear = [Op::SetHook(false)];
                if variant == Variant::RearmThenClear {
                    push(&mut next, &[&rearm[..], &clear].concat());
                } else {
                    push(&mut next, &[&clear[..], &rearm].concat());
                }
            }
        }
        Op::Close => next.closed = true,
        Op::RunEnd => {
            // `alarm::quiet`: the record swapped to off, and the timer disarmed if it was not.
            if next.record != Record::Off {
                push(&mut next, &[Op::Disarm]);
            }
            next.record = Record::Off;
            next.ended = true;
        }
        Op::Disarm => next.kernel = Kernel::Off,
    }
    vec![(label, next)]
}

/// What is wrong in `s`, if anything.
fn violation(s: &State, variant: Variant) -> Option<String> {
    if s.stale {
        return Some("stale write: the handler set a hook on a closed VM".into());
    }
    if s.ended && s.ops.is_empty() && s.kernel != Kernel::Off {
        return Some("late signal: the run ended with its timer set".into());
    }
    if s.due2 && !s.stopped && s.ops.is_empty() && !reaches_hook(s, variant) && !deliverable(s) {
        return Some("lost alarm: node 2 is past its deadline and nothing will stop it".into());
    }
    None
}

/// Whether the loop, left alone, calls the budget hook again.
fn reaches_hook(s: &State, variant: Variant) -> bool {
    let mut s = s.clone();
    for _ in 0..32 {
        if s.ops.first() == Some(&Op::Hook) {
            return true;
        }
        let Some((_, next)) = step(&s, variant).into_iter().next() else {
            return false;
        };
        s = next;
    }
    false
}
