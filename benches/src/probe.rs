//! Deterministic probes: VM memory, and the workloads the callgrind probe counts.
//!
//! Memory is not a time, so criterion cannot measure it; these figures come straight from
//! Lua's allocator (`used_memory`) and from the kernel (`VmRSS`). They do not depend on the
//! host's speed, which is why CI can enforce their budgets.

use crate::fixtures::{BenchVm, TRIVIAL_BRANCH, branch_spec, budget, chunk, small_state};

/// What one VM costs in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryFigures {
    /// `used_memory` of a fresh sandboxed VM, in bytes.
    pub fresh_used: usize,
    /// `used_memory` of the same VM right after it ran the trivial branch chunk.
    pub after_chunk_used: usize,
    /// RSS growth per VM while `live_vms` VMs are alive; `None` where `/proc` is missing.
    pub rss_per_live_vm: Option<f64>,
    /// How many VMs were alive for the RSS figure.
    pub live_vms: usize,
}

/// Measures [`MemoryFigures`] with `live` VMs alive at once (kept in a `Vec` on this
/// thread: a `Vm` is `!Send`).
pub fn memory(live: usize) -> MemoryFigures {
    let chunk = &chunk(TRIVIAL_BRANCH);
    // The first VM pays for process-wide one-offs (the sandbox bytecode); warm them up so
    // the figures are per VM.
    drop(new_vm(0));
    let fresh = new_vm(1);
    let fresh_used = fresh.used_memory();
    fresh
        .run_node(chunk, &small_state(), None, budget())
        .expect("the trivial branch runs");
    let after_chunk_used = fresh.used_memory();
    drop(fresh);

    let before = rss_bytes();
    let vms: Vec<BenchVm> = (0..live as u64).map(|i| new_vm(i + 2)).collect();
    let after = rss_bytes();
    let rss_per_live_vm = match (before, after) {
        (Some(b), Some(a)) if live > 0 => Some(a.saturating_sub(b) as f64 / live as f64),
        _ => None,
    };
    drop(vms);
    MemoryFigures {
        fresh_used,
        after_chunk_used,
        rss_per_live_vm,
        live_vms: live,
    }
}

/// What the callgrind probe repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Create a sandboxed VM (and leak it, so its drop is not counted).
    VmCreate,
    /// One branch end to end: create a branch VM, run the trivial chunk, drop the VM.
    Branch,
    /// One run of the 4-branch trivial fan-out workflow, branches on one thread (thread
    /// scheduling cannot change the count).
    FanOut4,
    /// The same workflow's main path without the fan-out (setup node and a plain join).
    MainPath,
    /// A one-node workflow running the CPU-bound chunk ([`LUA_ROUNDS`] rounds), sandboxed.
    LuaSandboxed,
    /// The same chunk in a plain mlua VM (no sandbox, no hook), loaded once.
    LuaPlain,
    /// One node execution on a warm VM with the 200-record state, returned whole.
    NodeLarge,
    /// One run of the peer workflow (setup, 3 Lua branches, a Lua fan-in), branches on one
    /// thread.
    Peer,
}

/// Rounds of the CPU-bound chunk under callgrind: about a million Lua instructions a
/// repetition, so the run's fixed cost (a VM, the state) is ~1% of it.
pub const LUA_ROUNDS: u32 = 50_000;

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 8] = [
        Workload::VmCreate,
        Workload::Branch,
        Workload::FanOut4,
        Workload::MainPath,
        Workload::LuaSandboxed,
        Workload::LuaPlain,
        Workload::NodeLarge,
        Workload::Peer,
    ];

    /// The name on the probe's command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::VmCreate => "vm-create",
            Workload::Branch => "branch",
            Workload::FanOut4 => "fanout-4",
            Workload::MainPath => "main-path",
            Workload::LuaSandboxed => "lua-sandboxed",
            Workload::LuaPlain => "lua-plain",
            Workload::NodeLarge => "node-large",
            Workload::Peer => "peer",
        }
    }

    /// Repetitions of the short and the long callgrind run: the CPU-bound workloads are
    /// long, so fewer.
    pub fn repetitions(self) -> (u64, u64) {
        match self {
            Workload::LuaSandboxed | Workload::LuaPlain => (1, 4),
            Workload::NodeLarge => (5, 25),
            _ => (10, 110),
        }
    }

    /// Parses [`Workload::name`].
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// Runs `workload` once to warm up, then `times` more times. The callgrind probe runs this
/// with two counts; the difference of the instruction totals, divided by the difference of
/// the counts, is the cost of one repetition with start-up and warm-up cancelled out.
pub fn run_workload(workload: Workload, times: usize) {
    let chunk = &chunk(TRIVIAL_BRANCH);
    let state = small_state();
    let fan_out = crate::fixtures::fan_out(4, TRIVIAL_BRANCH);
    let main_path = crate::fixtures::fan_out(0, TRIVIAL_BRANCH);
    let sequential = engine::RunOptions::seeded(7).with_max_parallel(1);
    let lua = crate::fixtures::cpu_workflow(LUA_ROUNDS);
    let (_plain_vm, plain) = crate::fixtures::plain_cpu(LUA_ROUNDS);
    let large = crate::fixtures::large_state();
    let round_trip = crate::fixtures::chunk(crate::fixtures::ROUND_TRIP_NODE);
    let warm = new_vm(1);
    let peer = crate::fixtures::peer();
    let once = |seed: u64| match workload {
        Workload::VmCreate => std::mem::forget(new_vm(seed)),
        Workload::Branch => {
            let vm = BenchVm::new(&branch_spec(seed)).expect("a branch VM");
            vm.run_node(chunk, &state, None, budget())
                .expect("the trivial branch runs");
        }
        Workload::FanOut4 => {
            let run = fan_out.run(serde_json::json!({}), &sequential);
            run.result.expect("the fan-out runs");
        }
        Workload::MainPath => {
            let run = main_path.run(serde_json::json!({}), &sequential);
            run.result.expect("the main path runs");
        }
        Workload::LuaSandboxed => {
            let run = lua.run(serde_json::json!({}), &sequential);
            run.result.expect("the CPU-bound node runs");
        }
        Workload::NodeLarge => {
            warm.run_node(&round_trip, &large, None, budget())
                .expect("the large node runs");
        }
        Workload::Peer => {
            peer.run(serde_json::json!({}), &sequential)
                .result
                .expect("the peer workflow runs");
        }
        Workload::LuaPlain => {
            plain
                .call::<mlua::Table>(())
                .expect("the CPU-bound chunk runs");
        }
    };
    for seed in 0..=times as u64 {
        once(seed);
    }
}

fn new_vm(seed: u64) -> BenchVm {
    BenchVm::new(&engine::seams::VmSpec::new(
        seed,
        crate::fixtures::MEMORY_LIMIT,
    ))
    .expect("a sandboxed VM")
}

/// This process's resident set size, from `/proc/self/status`.
fn rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_has_a_nonzero_footprint_that_a_chunk_grows() {
        let m = memory(10);
        assert!(m.fresh_used > 1024, "fresh VM uses {} bytes", m.fresh_used);
        assert!(
            m.after_chunk_used > m.fresh_used,
            "fresh {} B, after a chunk {} B",
            m.fresh_used,
            m.after_chunk_used
        );
        assert_eq!(m.live_vms, 10);
    }

    #[test]
    fn workload_names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(Workload::parse(w.name()), Some(w));
        }
        assert_eq!(Workload::parse("nope"), None);
    }
}
