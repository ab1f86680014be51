//! `unlocked-fanin` (seed TD.4): the collector reads the results under the lock when it
//! claims a branch's slot, releases it, and writes its copy back with the result added when
//! it stores. Two branches collected together can each write back a copy without the other's
//! result: one is lost, and the fan-in sees fewer branches than it declared. A race of depth
//! 2: one worker's read, the other's whole claim and store, then the first one's write-back;
//! the engine's chaos point between claim and store sits in its window.

use engine::seams::{BranchResult, Collector};
use engine::sync::{RtMutex, Runtime};

use super::{About, Seam};

/// What `unlocked-fanin` is.
pub(super) const ABOUT: About = About {
    name: "unlocked-fanin",
    seam: Seam::Collector,
    story: "TD.4",
    class: "unlocked fan-in read-modify-write",
};

/// The lost-update collector.
#[derive(Debug)]
pub struct UnlockedSlots<R: Runtime> {
    slots: R::Mutex<Vec<Option<BranchResult>>>,
}

impl<R: Runtime> Collector<R> for UnlockedSlots<R> {
    type Claim = (usize, Vec<Option<BranchResult>>);

    fn new(branches: usize) -> Self {
        UnlockedSlots {
            slots: R::Mutex::new(vec![None; branches]),
        }
    }

    fn claim(&self, index: usize) -> Self::Claim {
        (index, self.slots.lock().clone())
    }

    fn store(&self, (index, mut copy): Self::Claim, result: BranchResult) {
        copy[index] = Some(result);
        *self.slots.lock() = copy;
    }

    fn finish(self) -> Vec<BranchResult> {
        self.slots.into_inner().into_iter().flatten().collect()
    }
}
