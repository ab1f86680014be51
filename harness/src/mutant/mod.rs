//! Mutants: deliberately broken variants of the engine, each plugged in through one of its
//! seams (`engine::seams`), to prove the harness catches the bug classes it exists for. The
//! real engine is [`Mutant::None`]; everything here costs the real path nothing.

mod unlocked_fanin;

use engine::sync::Runtime;
use engine::{Executor, Run, RunOptions, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which engine runs an iteration.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mutant {
    /// The real engine.
    #[default]
    None,
    /// TD.4: fan-in bookkeeping read under the lock and written back after it was released,
    /// so two branches finishing together can lose one's result.
    UnlockedFanin,
}

impl Mutant {
    /// Whether it is the real engine.
    pub fn is_none(&self) -> bool {
        *self == Mutant::None
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::None => "none",
            Mutant::UnlockedFanin => "unlocked-fanin",
        }
    }

    /// Runs `workflow` from `input` with this engine on runtime `R`.
    pub fn run<R: Runtime>(self, workflow: &Workflow, input: Value, options: &RunOptions) -> Run {
        match self {
            Mutant::None => Executor::<R>::default().run(workflow, input, options),
            Mutant::UnlockedFanin => Executor::<
                R,
                engine::seams::SandboxFactory,
                unlocked_fanin::UnlockedSlots<R>,
            >::default()
            .run(workflow, input, options),
        }
    }
}
