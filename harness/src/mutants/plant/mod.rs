//! Mutants: deliberately broken variants of the engine, each plugged in through one of its
//! seams (`engine::seams`), to prove the harness catches the bug classes it exists for
//! (`harness mutants`). The real engine is [`Mutant::None`]; nothing here is on its path.
//!
//! One file per mutant: its broken seam and its [`About`] (name, seam, seed story, class).
//! The registry below names each once, with the seams it runs on; adding a mutant is a file
//! and a line there.
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
//! | `pool-latch` | hand-off | issue 19 |
//! | `pool-lost-job` | hand-off | issue 19 |
//! | `branch-sandbox` | VM factory | issue 19 |
//! | `branch-memlimit` | VM factory | issue 19 |
//! | `failfast-success` | collector | issue 19 |
//! | `lost-cancellation` | collector | issue 19 |
//! | `fanin-merge-add` | states | issue 19 |
//! | `fanin-merge-overwrite` | states | issue 19 |
//! | `lost-alarm` | budget alarm | issue 18 |

mod branch_memlimit;
mod branch_sandbox;
mod completion_order;
mod failfast_success;
mod fanin_merge_add;
mod fanin_merge_overwrite;
mod kept;
mod lost_alarm;
mod lost_cancellation;
mod parent_vm;
mod pool_latch;
mod pool_lost_job;
mod premature_fanin;
mod shallow_state;
mod shared_deadline;
mod shared_vm;
mod swallowed_error;
mod timeout_leak;
mod unlocked_fanin;
mod vm_pool;

pub use branch_memlimit::HalfLimit;
pub use branch_sandbox::UnsandboxedBranches;
pub use completion_order::ArrivalOrder;
pub use failfast_success::GoesOn;
pub use fanin_merge_add::MergeMissing;
pub use fanin_merge_overwrite::MergeAll;
pub use lost_cancellation::FailureSeenLate;
pub use parent_vm::ParentVm;
pub use pool_latch::EarlyLatch;
pub use pool_lost_job::LeavesWhenTaken;
pub use premature_fanin::PrematureSlots;
pub use shallow_state::AliasedState;
pub use shared_deadline::SharedDeadline;
pub use shared_vm::PerWorkerVm;
pub use swallowed_error::SuccessesOnly;
pub use timeout_leak::LeakyDeadlines;
pub use unlocked_fanin::UnlockedSlots;
pub use vm_pool::UnresetPool;

use engine::seams::{
    Collector, Copies, Deadlines, HandOff, Helpers, PerNode, SandboxFactory, Slots, States,
    VmFactory,
};
use engine::sync::Runtime;
use engine::{Executor, Run, RunOptions, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// `HandOff` (the helper pool's steps).
    HandOff,
    /// The budget alarm (`AlarmPlant`, planted in the Lua build).
    Alarm,
}

/// What a mutant is, kept in its own file.
#[derive(Debug, Clone, Copy)]
pub struct About {
    /// Its name on the command line.
    pub name: &'static str,
    /// The seam it plugs into.
    pub seam: Seam,
    /// The seed story (or issue) it is named after.
    pub story: &'static str,
    /// The bug class, in a few words.
    pub class: &'static str,
}

/// Declares [`Mutant`], [`Mutant::ALL`] and how each runs: one line per mutant, naming its
/// module (for its [`About`]) and the seams it runs on (VM factory, collector, deadlines,
/// states, hand-off), `R` being the runtime.
macro_rules! mutants {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident => $module:ident [$f:ty, $c:ty, $d:ty, $s:ty, $h:ty],
    )*) => {
        /// Which engine runs an iteration.
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize,
            Deserialize, clap::ValueEnum,
        )]
        #[serde(rename_all = "kebab-case")]
        pub enum Mutant {
            /// The real engine.
            #[default]
            None,
            $($(#[doc = $doc])* $variant,)*
        }

        impl Mutant {
            /// Every mutant, the real engine excluded.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$variant),*];

            fn about(self) -> Option<&'static About> {
                match self {
                    Mutant::None => None,
                    $(Mutant::$variant => Some(&$module::ABOUT),)*
                }
            }

            /// Runs `workflow` from `input` with this engine on runtime `R`.
            pub fn run<R: Runtime>(
                self,
                workflow: &Workflow,
                input: Value,
                options: &RunOptions,
            ) -> Run {
                lost_alarm::install_for(self);
                match self {
                    Mutant::None => exec::<R, SandboxFactory, Slots<R>, PerNode, Copies, Helpers>(
                        workflow, input, options,
                    ),
                    $(Mutant::$variant => exec::<R, $f, $c, $d, $s, $h>(workflow, input, options),)*
                }
            }
        }
    };
}

mutants! {
    /// Each worker reuses one VM for every branch it runs.
    SharedVm => shared_vm [PerWorkerVm<R>, Slots<R>, PerNode, Copies, Helpers],
    /// A branch on the caller's thread gets the main path's VM.
    ParentVmReuse => parent_vm [ParentVm<R>, Slots<R>, PerNode, Copies, Helpers],
    /// VMs come from a pool that never resets them, across runs.
    VmPoolNoReset => vm_pool [UnresetPool<R>, Slots<R>, PerNode, Copies, Helpers],
    /// Fan-in bookkeeping read under the lock and written back after it was released.
    UnlockedFanin => unlocked_fanin [SandboxFactory, UnlockedSlots<R>, PerNode, Copies, Helpers],
    /// The fan-in snapshot is taken when a count says done, before the last store.
    PrematureFanin => premature_fanin [SandboxFactory, PrematureSlots<R>, PerNode, Copies, Helpers],
    /// Results in completion order.
    CompletionOrder => completion_order [SandboxFactory, ArrivalOrder<R>, PerNode, Copies, Helpers],
    /// A failed branch dropped from the results.
    SwallowedError => swallowed_error [SandboxFactory, SuccessesOnly<R>, PerNode, Copies, Helpers],
    /// One deadline for every node of a fan-out.
    SharedDeadline => shared_deadline [SandboxFactory, Slots<R>, SharedDeadline<R>, Copies, Helpers],
    /// A branch's timeout expires its siblings' deadlines.
    TimeoutLeak => timeout_leak [SandboxFactory, Slots<R>, LeakyDeadlines<R>, Copies, Helpers],
    /// Branches alias one state.
    ShallowState => shallow_state [SandboxFactory, Slots<R>, PerNode, AliasedState<R>, Helpers],
    /// The helper pool's caller waits for one helper too few.
    PoolLatch => pool_latch [SandboxFactory, Slots<R>, PerNode, Copies, EarlyLatch],
    /// A helper leaves on its idle timeout although a caller just handed it a job.
    PoolLostJob => pool_lost_job [SandboxFactory, Slots<R>, PerNode, Copies, LeavesWhenTaken],
    /// Branch VMs get back what the sandbox removes.
    BranchSandbox => branch_sandbox [UnsandboxedBranches, Slots<R>, PerNode, Copies, Helpers],
    /// Branch VMs get half the workflow's memory limit.
    BranchMemlimit => branch_memlimit [HalfLimit, Slots<R>, PerNode, Copies, Helpers],
    /// Under fail_fast a failure cancels the siblings, yet the run goes on to its fan-in.
    FailfastSuccess => failfast_success [SandboxFactory, GoesOn<R>, PerNode, Copies, Helpers],
    /// Under fail_fast a failure's cancellation is lost for the siblings still running.
    LostCancellation => lost_cancellation [SandboxFactory, FailureSeenLate<R>, PerNode, Copies, Helpers],
    /// Branch keys the parent lacks are added to the fan-in's state.
    FaninMergeAdd => fanin_merge_add [SandboxFactory, Slots<R>, PerNode, MergeMissing, Helpers],
    /// Branch states overwrite the fan-in's state.
    FaninMergeOverwrite => fanin_merge_overwrite [SandboxFactory, Slots<R>, PerNode, MergeAll, Helpers],
    /// The budget alarm's signal is lost and never fires again (a plant in the Lua build).
    LostAlarm => lost_alarm [SandboxFactory, Slots<R>, PerNode, Copies, Helpers],
}

impl Mutant {
    /// Whether it is the real engine.
    pub fn is_none(&self) -> bool {
        *self == Mutant::None
    }

    /// Whether a hang is the failure its class causes (elsewhere a hang detects nothing).
    pub fn caught_by_a_hang(self) -> bool {
        self == Mutant::LostAlarm
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        self.about().map_or("none", |a| a.name)
    }

    /// The seam it plugs into (`None` for the real engine).
    pub fn seam(self) -> Option<Seam> {
        self.about().map(|a| a.seam)
    }

    /// The seed story it is named after.
    pub fn story(self) -> &'static str {
        self.about().map_or("", |a| a.story)
    }

    /// The bug class, in a few words.
    pub fn class(self) -> &'static str {
        self.about().map_or("the real engine", |a| a.class)
    }
}

/// One run on an executor with these seams (a fresh factory per run).
fn exec<R, F, C, D, S, H>(workflow: &Workflow, input: Value, options: &RunOptions) -> Run
where
    R: Runtime,
    F: VmFactory<R> + Default,
    C: Collector<R>,
    D: Deadlines<R>,
    S: States<R>,
    H: HandOff,
{
    Executor::<R, F, C, D, S, H>::default().run(workflow, input, options)
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn every_mutant_is_named_alike_on_the_command_line_in_json_and_in_its_file() {
        for &m in Mutant::ALL {
            let cli = m.to_possible_value().expect("every mutant is a value");
            assert_eq!(cli.get_name(), m.name());
            assert_eq!(serde_json::to_value(m).unwrap(), m.name());
        }
        assert_eq!(Mutant::None.name(), "none");
    }
}
