//! Mutants: deliberately broken variants of the engine, each plugged in through one of its
//! seams (`engine::seams`), to prove the harness catches the bug classes it exists for
//! (`harness mutants`). The real engine is [`Mutant::None`]; nothing here is on its path.
//!
//! | mutant | seam | seed story |
//! |---|---|---|
//! | `shared-vm` | VM factory | TEA-PY-002 |
//! | `parent-vm-reuse` | VM factory | TEA-PY-006 |
//! | `vm-pool-no-reset` | VM factory | TEA-PY-002 |
//! | `unlocked-fanin` | collector | TD.4 |
//! | `premature-fanin` | collector | TD.4 |
//! | `completion-order` | collector | TEA-RUST-030 |
//! | `swallowed-error` | collector | TEA-RUST-030 |
//! | `shared-deadline` | deadlines | TEA-RUST-030 |
//! | `timeout-leak` | deadlines | TEA-RUST-030 |
//! | `shallow-state` | states | TEA-PY-002 |

mod completion_order;
mod kept;
mod parent_vm;
mod premature_fanin;
mod shallow_state;
mod shared_deadline;
mod shared_vm;
mod swallowed_error;
mod timeout_leak;
mod unlocked_fanin;
mod vm_pool;

pub use completion_order::ArrivalOrder;
pub use parent_vm::ParentVm;
pub use premature_fanin::PrematureSlots;
pub use shallow_state::AliasedState;
pub use shared_deadline::SharedDeadline;
pub use shared_vm::PerWorkerVm;
pub use swallowed_error::SuccessesOnly;
pub use timeout_leak::LeakyDeadlines;
pub use unlocked_fanin::UnlockedSlots;
pub use vm_pool::UnresetPool;

use engine::seams::VmFactory;
use engine::seams::{Collector, Copies, Deadlines, PerNode, SandboxFactory, Slots, States};
use engine::sync::Runtime;
use engine::{Executor, Run, RunOptions, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which engine runs an iteration.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mutant {
    /// The real engine.
    #[default]
    None,
    /// Each worker reuses one VM for every branch it runs.
    SharedVm,
    /// A branch on the caller's thread gets the main path's VM.
    ParentVmReuse,
    /// VMs come from a pool that never resets them, across runs.
    VmPoolNoReset,
    /// Fan-in bookkeeping read under the lock and written back after it was released.
    UnlockedFanin,
    /// The fan-in snapshot is taken when a count says done, before the last store.
    PrematureFanin,
    /// Results in completion order.
    CompletionOrder,
    /// A failed branch dropped from the results.
    SwallowedError,
    /// One deadline for every node of a fan-out.
    SharedDeadline,
    /// A branch's timeout expires its siblings' deadlines.
    TimeoutLeak,
    /// Branches alias one state.
    ShallowState,
}

/// Where a mutant plugs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Seam {
    /// `VmFactory`.
    VmFactory,
    /// `Collector`.
    Collector,
    /// `Deadlines`.
    Deadlines,
    /// `States`.
    States,
}

impl Mutant {
    /// Every mutant, the real engine excluded.
    pub const ALL: [Mutant; 10] = [
        Mutant::SharedVm,
        Mutant::ParentVmReuse,
        Mutant::VmPoolNoReset,
        Mutant::UnlockedFanin,
        Mutant::PrematureFanin,
        Mutant::CompletionOrder,
        Mutant::SwallowedError,
        Mutant::SharedDeadline,
        Mutant::TimeoutLeak,
        Mutant::ShallowState,
    ];

    /// Whether it is the real engine.
    pub fn is_none(&self) -> bool {
        *self == Mutant::None
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::None => "none",
            Mutant::SharedVm => "shared-vm",
            Mutant::ParentVmReuse => "parent-vm-reuse",
            Mutant::VmPoolNoReset => "vm-pool-no-reset",
            Mutant::UnlockedFanin => "unlocked-fanin",
            Mutant::PrematureFanin => "premature-fanin",
            Mutant::CompletionOrder => "completion-order",
            Mutant::SwallowedError => "swallowed-error",
            Mutant::SharedDeadline => "shared-deadline",
            Mutant::TimeoutLeak => "timeout-leak",
            Mutant::ShallowState => "shallow-state",
        }
    }

    /// The seam it plugs into (`None` for the real engine).
    pub fn seam(self) -> Option<Seam> {
        match self {
            Mutant::None => None,
            Mutant::SharedVm | Mutant::ParentVmReuse | Mutant::VmPoolNoReset => {
                Some(Seam::VmFactory)
            }
            Mutant::UnlockedFanin
            | Mutant::PrematureFanin
            | Mutant::CompletionOrder
            | Mutant::SwallowedError => Some(Seam::Collector),
            Mutant::SharedDeadline | Mutant::TimeoutLeak => Some(Seam::Deadlines),
            Mutant::ShallowState => Some(Seam::States),
        }
    }

    /// The seed story it is named after.
    pub fn story(self) -> &'static str {
        match self {
            Mutant::None => "",
            Mutant::SharedVm | Mutant::VmPoolNoReset | Mutant::ShallowState => "TEA-PY-002",
            Mutant::ParentVmReuse => "TEA-PY-006",
            Mutant::UnlockedFanin | Mutant::PrematureFanin => "TD.4",
            Mutant::CompletionOrder
            | Mutant::SwallowedError
            | Mutant::SharedDeadline
            | Mutant::TimeoutLeak => "TEA-RUST-030",
        }
    }

    /// The bug class, in a few words.
    pub fn class(self) -> &'static str {
        match self {
            Mutant::None => "the real engine",
            Mutant::SharedVm => "VM shared by a worker's branches",
            Mutant::ParentVmReuse => "branch handed the parent's VM",
            Mutant::VmPoolNoReset => "VM pool without reset",
            Mutant::UnlockedFanin => "unlocked fan-in read-modify-write",
            Mutant::PrematureFanin => "fan-in before the last result is stored",
            Mutant::CompletionOrder => "results in completion order",
            Mutant::SwallowedError => "failed branch dropped from the results",
            Mutant::SharedDeadline => "one deadline for a whole fan-out",
            Mutant::TimeoutLeak => "a timeout that cancels siblings",
            Mutant::ShallowState => "branches alias one state",
        }
    }

    /// Runs `workflow` from `input` with this engine on runtime `R`.
    pub fn run<R: Runtime>(self, workflow: &Workflow, input: Value, options: &RunOptions) -> Run {
        match self {
            Mutant::None => {
                exec::<R, SandboxFactory, Slots<R>, PerNode, Copies>(workflow, input, options)
            }
            Mutant::SharedVm => {
                exec::<R, PerWorkerVm<R>, Slots<R>, PerNode, Copies>(workflow, input, options)
            }
            Mutant::ParentVmReuse => {
                exec::<R, ParentVm<R>, Slots<R>, PerNode, Copies>(workflow, input, options)
            }
            Mutant::VmPoolNoReset => {
                exec::<R, UnresetPool<R>, Slots<R>, PerNode, Copies>(workflow, input, options)
            }
            Mutant::UnlockedFanin => exec::<R, SandboxFactory, UnlockedSlots<R>, PerNode, Copies>(
                workflow, input, options,
            ),
            Mutant::PrematureFanin => {
                exec::<R, SandboxFactory, PrematureSlots<R>, PerNode, Copies>(
                    workflow, input, options,
                )
            }
            Mutant::CompletionOrder => exec::<R, SandboxFactory, ArrivalOrder<R>, PerNode, Copies>(
                workflow, input, options,
            ),
            Mutant::SwallowedError => exec::<R, SandboxFactory, SuccessesOnly<R>, PerNode, Copies>(
                workflow, input, options,
            ),
            Mutant::SharedDeadline => {
                exec::<R, SandboxFactory, Slots<R>, SharedDeadline<R>, Copies>(
                    workflow, input, options,
                )
            }
            Mutant::TimeoutLeak => exec::<R, SandboxFactory, Slots<R>, LeakyDeadlines<R>, Copies>(
                workflow, input, options,
            ),
            Mutant::ShallowState => exec::<R, SandboxFactory, Slots<R>, PerNode, AliasedState<R>>(
                workflow, input, options,
            ),
        }
    }
}

/// One run on an executor with these seams (a fresh factory per run).
fn exec<R, F, C, D, S>(workflow: &Workflow, input: Value, options: &RunOptions) -> Run
where
    R: Runtime,
    F: VmFactory<R> + Default,
    C: Collector<R>,
    D: Deadlines<R>,
    S: States<R>,
{
    Executor::<R, F, C, D, S>::default().run(workflow, input, options)
}
